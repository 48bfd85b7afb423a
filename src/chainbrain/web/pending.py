"""A page never waits long for a computation (#22): past :func:`page_wait_s` it answers "计算中".

A page route calls :func:`allow` first. From then on, an answer that is not cached
(:meth:`chainbrain.web.state.WebState.cached`) is computed by a background thread;
the request waits for it at most ``CHAINBRAIN_PAGE_WAIT_S`` seconds (default 2; 0 turns
it off, as it is under pytest unless a test sets it). Past that, the request raises
:class:`Pending` and the page "计算中 / computing" (HTTP 202, ``Retry-After``, a
``<meta http-equiv="refresh">``) reloads the same address until every figure it needs is
cached. The computation keeps running meanwhile, under the same admission bounds
(web/admission.py) and the same analytics lock; a reload joins it instead of starting
another. JSON routes and downloads (``format=…``) never call :func:`allow`: they wait.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextvars
import os
import threading

#: how long this request may wait for an uncached answer (None: as long as it takes)
PAGE_WAIT: contextvars.ContextVar = contextvars.ContextVar("chainbrain_page_wait", default=None)

REFRESH_S = 2            # the pending page reloads after this many seconds


class Pending(Exception):
    """The page's figures are being computed; answer "计算中" and reload."""


def page_wait_s() -> float:
    """``CHAINBRAIN_PAGE_WAIT_S`` (seconds, ≥ 0; 0 = off); default 2, off under pytest."""
    raw = os.environ.get("CHAINBRAIN_PAGE_WAIT_S", "").strip()
    if not raw:
        return 0.0 if "PYTEST_CURRENT_TEST" in os.environ else 2.0
    try:
        return max(0.0, float(raw))
    except ValueError:
        return 2.0


def allow(request) -> None:
    """Let this page request answer "计算中" after :func:`page_wait_s` (not for downloads)."""
    wait = page_wait_s()
    PAGE_WAIT.set(wait if wait > 0 and "format" not in request.query_params else None)


class Background:
    """Computations started for pages: one future per (data version, key), joined by reloads."""

    def __init__(self, workers: int = 4, name: str = "cb-page"):
        self.pool = cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self.lock = threading.Lock()
        self.running: dict[tuple, cf.Future] = {}

    def wait(self, ident: tuple, work, timeout: float):
        """``work()``'s value if it ends within ``timeout`` s (started now, or joined), else :class:`Pending`.
        A failure is raised to the request that finds it, once."""
        with self.lock:
            fut = self.running.get(ident)
            if fut is None:
                ctx = contextvars.copy_context()          # the caller (admission) and request token go along
                fut = self.pool.submit(ctx.run, _unbounded, work)
                self.running[ident] = fut
                fut.add_done_callback(lambda f: self._done(ident, f))
        try:
            return fut.result(timeout=timeout)
        except cf.TimeoutError:
            raise Pending() from None
        finally:
            if fut.done():
                with self.lock:
                    if self.running.get(ident) is fut:
                        del self.running[ident]

    def _done(self, ident, fut) -> None:
        if fut.exception() is None:                       # a value is in the cache now
            with self.lock:
                if self.running.get(ident) is fut:
                    del self.running[ident]

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _unbounded(work):
    from chainbrain.web.admission import patient

    PAGE_WAIT.set(None)          # nested answers inside the computation are computed, not deferred
    patient()                    # … and wait their turn for a place (no request waits past its own wait)
    return work()
