"""Request body limits, checked before the application reads a byte (pure ASGI middleware).

- Caps: :data:`ORDINARY` (1 MiB) for every route; :data:`IMPORT` (200 MiB) for
  ``POST /api/imports``; the work system's file routes (:data:`UPLOAD_ROUTES`) get
  :data:`MAX_FILES` × the attachment limit of :mod:`chainbrain.work.files` + 1 MiB.
  A ``Content-Length`` above the cap is answered 413 at once; a body without one
  (chunked) is counted as it streams and answered 413 as soon as it passes the cap
  (the application sees an :class:`BodyTooLarge` from ``receive`` and its answer is
  replaced by the 413).
- Authentication first: a route with a larger cap is an upload, and uploads need a
  signed-in user (imports: a province administrator). The session cookie is checked
  before the body is read, so an anonymous 1 GiB POST gets its 401 without a byte of
  it being spooled to disk (issue #20).
"""

from __future__ import annotations

import re

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

MIB = 1024 * 1024
ORDINARY = 1 * MIB
IMPORT = 200 * MIB
MAX_FILES = 5                               # evidence files in one progress report

#: (method, path pattern) of the work system's upload routes (a signed-in user, files of work items)
UPLOAD_ROUTES = [re.compile(p) for p in (
    r"/requests", r"/requests/[^/]+/files", r"/api/requests/[^/]+/files",
    r"/api/tasks/import", r"/api/tasks/[^/]+/progress")]
IMPORT_ROUTE = "/api/imports"
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def too_large_message(cap: int) -> str:
    return (f"Request body too large: at most {cap / MIB:g} MiB on this route "
            f"(请求内容过大：此地址最多接受 {cap / MIB:g} MiB)")


class BodyTooLarge(HTTPException):
    """The streamed body passed the route's cap (413)."""

    def __init__(self, cap: int):
        super().__init__(413, too_large_message(cap))


def cap_of(method: str, path: str) -> tuple[int, str | None]:
    """(byte cap, who may send it: None | "user" | "admin") of a request."""
    if method != "POST":
        return ORDINARY, None
    if path == IMPORT_ROUTE:
        return IMPORT, "admin"
    if any(p.fullmatch(path) for p in UPLOAD_ROUTES):
        from chainbrain.work.files import max_bytes

        return MAX_FILES * max_bytes() + MIB, "user"
    return ORDINARY, None


class BodyLimit:
    """ASGI middleware: caps and pre-body authentication (see the module docstring).

    ``answer(request, status, message)`` builds the refusal (JSON under ``/api``, a page elsewhere);
    ``who(request)`` is the signed-in user or None (looked up in a worker thread).
    """

    def __init__(self, app, answer, who):
        self.app, self.answer, self.who = app, answer, who

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in BODY_METHODS:
            return await self.app(scope, receive, send)
        cap, needs = cap_of(scope["method"], scope.get("path", ""))
        if needs is not None:
            refusal = await run_in_threadpool(self._check_user, scope, needs)
            if refusal is not None:
                return await self._refuse(scope, receive, send, *refusal)
        length = _content_length(scope)
        if length is None and _has_header(scope, b"content-length"):
            return await self._refuse(scope, receive, send, 400,
                                      "Invalid Content-Length header (Content-Length 请求头无效)")
        if length is not None and length > cap:
            return await self._refuse(scope, receive, send, 413, too_large_message(cap))

        seen = 0
        exceeded = False
        started = False

        async def counted():
            nonlocal seen, exceeded
            if exceeded:
                raise BodyTooLarge(cap)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    exceeded = True
                    raise BodyTooLarge(cap)
            return message

        async def guarded_send(message):
            nonlocal started
            if exceeded:                    # whatever the application answers, it is a 413
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except BodyTooLarge:
            exceeded = True
        if exceeded and not started:
            response = await run_in_threadpool(self.answer, Request(scope), 413, too_large_message(cap))
            await response(scope, _drained, send)

    def _check_user(self, scope, needs: str):
        user = self.who(Request(scope))
        if user is None:
            return 401, ("Please sign in before uploading (请先登录再上传)")
        if needs == "admin" and user.role != "province_admin":
            return 403, "Your role may not do this (您的角色无权执行此操作)"
        return None

    async def _refuse(self, scope, receive, send, status: int, message: str):
        response = await run_in_threadpool(self.answer, Request(scope), status, message)
        response.headers["Connection"] = "close"         # the unread body is not waited for
        await response(scope, receive, send)


async def _drained():
    return {"type": "http.disconnect"}


def _has_header(scope, name: bytes) -> bool:
    return any(k.lower() == name for k, _ in scope.get("headers", ()))


def _content_length(scope) -> int | None:
    for k, v in scope.get("headers", ()):
        if k.lower() == b"content-length":
            try:
                n = int(v)
            except ValueError:
                return None
            return n if n >= 0 else None
    return None
