"""Answers from before the latest import, served labelled while the fresh ones compute (#20).

After an import every cached answer belongs to the old data version. Rather than make a viewer
wait for the fresh answer or refuse them at the admission bound (:mod:`chainbrain.web.admission`),
:meth:`chainbrain.web.state.WebState.cached` answers with the *previous version's* answer for the
same key (:meth:`chainbrain.web.cache.ResultCache.previous`) when

- the fresh answer is not computed within :func:`stale_wait_s` (``[server] stale_wait_ms``,
  ``CHAINBRAIN_STALE_WAIT_MS``; default 50 ms; -1: never serve stale), or
- the admission bound refuses to compute it now (429/503),

while the fresh computation goes on in the background (single flight) and fills the cache: the
next request gets the fresh answer. The key of a cached answer contains the viewer's disclosure
key and scope, so a previous answer passed disclosure control for its own data version and goes
only to a viewer of the same scope.

Labelled: JSON answers carry ``X-ChainBrain-Stale: <previous version id>`` (:class:`StaleLabel`),
pages show the banner "数据更新中：显示的是导入前的数据 / Updating: showing the data from before the
latest import" (``base.html``). Excel downloads (``format=…``) and requests outside a web request
are never answered stale (:func:`allowed` is False): they wait or are refused as before.
"""

from __future__ import annotations

import contextvars
import hashlib
import os

#: the stale versions served to this request (a list shared with the worker thread), None: never stale
SERVED: contextvars.ContextVar = contextvars.ContextVar("chainbrain_stale", default=None)

HEADER = "X-ChainBrain-Stale"
DEFAULT_MS = 50


def stale_wait_s() -> float | None:
    """Seconds a request waits for a fresh answer before the previous one is served; None: never
    serve stale. ``[server] stale_wait_ms`` / ``CHAINBRAIN_STALE_WAIT_MS`` (default 50; -1:
    off); off under pytest unless the variable is set (tests of it switch it on)."""
    raw = os.environ.get("CHAINBRAIN_STALE_WAIT_MS", "").strip()
    if not raw and "PYTEST_CURRENT_TEST" in os.environ:
        return None
    from chainbrain.config import ConfigError, load_settings

    try:
        ms = int(raw) if raw else load_settings().stale_wait_ms
    except ValueError:                                 # refused in one line (serve checks the settings first)
        raise ConfigError(f"CHAINBRAIN_STALE_WAIT_MS: {raw!r} is not a valid stale_wait_ms "
                          f"(stale_wait_ms 的取值无效)") from None
    return None if ms < 0 else ms / 1000.0


def version_id(version) -> str:
    """A short, stable id of a data version (the header's value)."""
    return hashlib.sha256(repr(version).encode()).hexdigest()[:12]


def allowed() -> bool:
    """Whether this request may be answered stale (a GET page or JSON, not a download)."""
    return SERVED.get() is not None


def note(version) -> None:
    """This request is answered (in part) with the answers of ``version``."""
    served = SERVED.get()
    if served is not None and version_id(version) not in served:
        served.append(version_id(version))


def served() -> list[str]:
    """The previous versions this request was answered with (empty: all fresh)."""
    return list(SERVED.get() or ())


class StaleLabel:
    """Pure ASGI: lets GET requests (not downloads) be answered stale and labels those that are."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD") or b"format=" in scope.get(
                "query_string", b""):
            return await self.app(scope, receive, send)
        holder: list = []
        token = SERVED.set(holder)

        async def labelled(message):
            if message["type"] == "http.response.start" and holder:
                message = {**message, "headers": list(message.get("headers") or ())
                           + [(HEADER.lower().encode(), ",".join(holder).encode())]}
            await send(message)

        try:
            await self.app(scope, receive, labelled)
        finally:
            SERVED.reset(token)
