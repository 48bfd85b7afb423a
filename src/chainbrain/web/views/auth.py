"""Sign-in and sign-out: the login page and form, ``POST /api/login``, ``POST /api/logout``, ``/api/me``.

See :mod:`chainbrain.web.auth` for sessions, CSRF and rate limiting.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from chainbrain.web import auth
from chainbrain.web.i18n import lang_of
from chainbrain.web.render import render
from chainbrain.web.state import get_state

router = APIRouter()


class Credentials(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)


def _me(user) -> dict:
    if user is None:
        return {"signed_in": False}
    return {"signed_in": True, "username": user.username, "role": user.role, "region_code": user.region_code,
            "chain_code": user.chain_code, "uscc": user.uscc, "scope": user.scope,
            "must_change_password": user.must_change}


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/"


@router.get("/login", summary="登录 sign-in page")
def login_page(request: Request, next: str | None = None, error: str | None = None):
    return render(request, "login.html", next=_safe_next(next), error=error)


@router.post("/login", summary="sign in by form (CSRF double-submit token)")
def login_form(request: Request, username: str = Form(""), password: str = Form(""),
               csrf_token: str = Form(""), next: str = Form("/")):
    auth.check_csrf(request, csrf_token)
    lang = "&lang=en" if lang_of(request.query_params.get("lang")) == "en" else ""
    try:
        user, token, _ = auth.sign_in(request, username, password)
    except auth.TooManyAttempts as exc:
        resp = render(request, "login.html", status_code=429, next=_safe_next(next), error="login_limited")
        resp.headers["Retry-After"] = str(exc.retry_after)
        return resp
    except auth.SignInRequired:
        return render(request, "login.html", status_code=401, next=_safe_next(next), error="login_failed")
    resp = RedirectResponse(_safe_next(next) + ("" if not lang else ("&" if "?" in next else "?") + lang[1:]),
                            status_code=303)
    auth.set_session_cookie(resp, token, get_state(request).secure_cookies)
    return resp


@router.post("/logout", summary="sign out by form")
def logout_form(request: Request, csrf_token: str = Form("")):
    auth.check_csrf(request, csrf_token)
    auth.sign_out(request)
    resp = RedirectResponse("/login", status_code=303)
    auth.clear_session_cookie(resp, get_state(request).secure_cookies)
    return resp


@router.post("/api/login", tags=["auth"], responses={401: {"description": "wrong user name or password"},
                                                     429: {"description": "too many failed attempts"}})
def api_login(request: Request, body: Credentials):
    """Sign in with JSON ``{"username", "password"}``: sets the HttpOnly session cookie and
    returns the user and the CSRF token to send as ``X-CSRF-Token`` on later POSTs."""
    user, token, csrf = auth.sign_in(request, body.username, body.password)
    from fastapi.responses import JSONResponse

    resp = JSONResponse({**_me(user), "csrf_token": csrf})
    auth.set_session_cookie(resp, token, get_state(request).secure_cookies)
    return resp


@router.post("/api/logout", tags=["auth"])
def api_logout(request: Request):
    """End the session (needs ``X-CSRF-Token`` when signed in)."""
    if auth.current_user(request) is not None:
        auth.check_csrf(request, None)
    auth.sign_out(request)
    from fastapi.responses import JSONResponse

    resp = JSONResponse({"signed_in": False})
    auth.clear_session_cookie(resp, get_state(request).secure_cookies)
    return resp


@router.get("/api/me", tags=["auth"])
def api_me(request: Request) -> dict:
    """Who is signed in, with role and data scope."""
    return _me(auth.current_user(request))
