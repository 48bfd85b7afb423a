"""One period everywhere: the period (and industry scope) chosen on one page is the one on the next.

A page visited with ``?period=YYYY-MM`` (or ``?scope=all|manufacturing``) remembers it
in the ``cb_period`` (``cb_scope``) cookie; a page visited without one gets the
remembered value as if it were in its query string, so every link, nav entry,
table link and Excel download of that page carries it. ``?period=latest``
forgets the choice (the newest month on file again). Only page requests
(GET/HEAD outside ``/api`` and ``/static``) are touched: the JSON API keeps
its documented default (the newest month) unless asked for a period.

The cookie holds only a validated month (``YYYY-MM``) or scope word, never
anything else, so a forged cookie cannot inject parameters. With secure cookies the
names carry the ``__Host-`` prefix (:mod:`chainbrain.web.headers`).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

from chainbrain.web.headers import HOST_PREFIX

PERIOD_COOKIE = "cb_period"
SCOPE_COOKIE = "cb_scope"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_SCOPES = ("all", "manufacturing")
LATEST = "latest"
#: query parameter → (cookie, validity check)
CARRIED = {"period": (PERIOD_COOKIE, lambda v: bool(_MONTH.match(v))),
           "scope": (SCOPE_COOKIE, lambda v: v in _SCOPES)}


def _is_page(scope) -> bool:
    path = scope.get("path", "")
    return (scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD")
            and not path.startswith(("/api", "/static", "/login", "/logout")))


def _cookies(scope) -> dict[str, str]:
    out = {}
    for k, v in scope.get("headers", []):
        if k == b"cookie":
            for part in v.decode("latin-1").split(";"):
                name, _, value = part.strip().partition("=")
                out[name] = value
    return out


def plan(query: str, cookies: dict[str, str]) -> tuple[str, dict[str, str | None]]:
    """The query string to serve and the cookies to set (value) or clear (None).

    >>> plan("chain=NF", {"cb_period": "2026-06"})
    ('chain=NF&period=2026-06', {})
    >>> plan("period=2026-03", {"cb_period": "2026-06"})
    ('period=2026-03', {'cb_period': '2026-03'})
    >>> plan("period=latest", {"cb_period": "2026-06"})
    ('', {'cb_period': None})
    """
    pairs = parse_qsl(query, keep_blank_values=True)
    given = dict(pairs)
    changes: dict[str, str | None] = {}
    for name, (cookie, ok) in CARRIED.items():
        value = given.get(name)
        if value == LATEST and name == "period":
            pairs = [(k, v) for k, v in pairs if k != name]
            if cookie in cookies:
                changes[cookie] = None
        elif value:
            if ok(value) and cookies.get(cookie) != value:
                changes[cookie] = value
        elif name not in given and ok(cookies.get(cookie, "")):
            pairs.append((name, cookies[cookie]))
    return urlencode(pairs), changes


class CarryPeriod:
    """ASGI middleware applying :func:`plan` to page requests."""

    def __init__(self, app, secure: bool = False):
        self.app, self.secure = app, secure

    async def __call__(self, scope, receive, send):
        if not _is_page(scope):
            return await self.app(scope, receive, send)
        raw = scope.get("query_string", b"").decode("latin-1")
        jar = _cookies(scope)
        if self.secure:                        # only the __Host- cookies count, under their plain names
            jar = {k[len(HOST_PREFIX):]: v for k, v in jar.items() if k.startswith(HOST_PREFIX)}
        query, changes = plan(raw, jar)
        scope = {**scope, "query_string": query.encode("latin-1"),
                 "state": {**scope.get("state", {}), "raw_query": raw}}     # what the visitor asked for
        if not changes:
            return await self.app(scope, receive, send)

        async def send_with_cookies(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                for name, value in changes.items():
                    attrs = "; Path=/; SameSite=Lax; HttpOnly" + ("; Secure" if self.secure else "")
                    name = (HOST_PREFIX + name) if self.secure else name
                    cookie = (f"{name}={value}; Max-Age=2592000" if value is not None
                              else f"{name}=; Max-Age=0") + attrs
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)
        return await self.app(scope, receive, send_with_cookies)
