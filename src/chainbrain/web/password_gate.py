"""After a password reset, nothing but the change of password (issue #20).

A user whose account is marked ``must_change_password`` (``chainbrain users reset``, or an account
made with a temporary password: :mod:`chainbrain.web.users`) may, once signed in, reach only
:data:`OPEN` (the change-password page and its JSON twin, sign-out, ``/api/me``, sign-in) and the
static files. Every other page answers ``303`` to ``/password``; every other ``/api`` route answers
``403`` with :data:`MESSAGE`. The check runs before the application reads a request body (pure
ASGI middleware), on the session lookup the request makes anyway (:func:`chainbrain.web.auth.current_user`).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse

OPEN = frozenset({"/password", "/password/done", "/api/password", "/logout", "/api/logout", "/api/me",
                  "/login", "/api/login"})
MESSAGE = ("Your password was reset: change it first, at /password or POST /api/password "
           "(您的密码已被重置，请先在 /password 修改密码)")


class PasswordGate:
    """ASGI middleware: ``who(request)`` is the signed-in user or None; ``answer(request, status, message)``
    builds the JSON refusal."""

    def __init__(self, app, who, answer, cookie: str = "cb_session"):
        self.app, self.who, self.answer, self.cookie = app, who, answer, cookie

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or self._open(scope):
            return await self.app(scope, receive, send)
        request = Request(scope)
        if not any(self.cookie in name for name in request.cookies):        # signed out: nothing to check
            return await self.app(scope, receive, send)
        user = await run_in_threadpool(self.who, request)
        if user is None or not user.must_change:
            return await self.app(scope, receive, send)
        if scope.get("path", "").startswith("/api"):
            response = await run_in_threadpool(self.answer, request, 403, MESSAGE)
            response.headers["Connection"] = "close"          # the body (if any) is not read
        else:
            lang = "?lang=en" if request.query_params.get("lang") == "en" else ""
            response = RedirectResponse(f"/password{lang}", status_code=303)
        await response(scope, receive, send)

    @staticmethod
    def _open(scope) -> bool:
        path = scope.get("path", "")
        return path in OPEN or path.startswith("/static/")
