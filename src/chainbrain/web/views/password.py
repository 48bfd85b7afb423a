"""修改密码 — a signed-in user changes its own password: ``/password`` (form) and ``POST /api/password`` (JSON).

After ``chainbrain users reset`` (or an account made with a temporary password) this is the only page
the user reaches until the change is made (:mod:`chainbrain.web.password_gate`). The form carries the
session's CSRF token; the JSON route needs ``X-CSRF-Token``. The current password is asked again
(a wrong one counts as a failed sign-in), the new one must meet the policy
(:mod:`chainbrain.web.passwords`), match its confirmation and differ from the current one. On success
every session of the user ends and a new one starts (a new cookie), and the change is audited
(:func:`chainbrain.web.auth.change_own_password`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from chainbrain.web import auth
from chainbrain.web.i18n import lang_of
from chainbrain.web.render import render
from chainbrain.web.state import get_state
from chainbrain.web.users import UserError

router = APIRouter()
MISMATCH = "the two new passwords differ (两次输入的新密码不一致)"


class Change(BaseModel):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)


@router.get("/password", summary="修改密码 change-password page")
def password_page(request: Request, user=Depends(auth.require_user)):
    return render(request, "password.html", forced=user.must_change, error=None, done=False, nav="password")


@router.post("/password", summary="change one's own password by form (CSRF token)")
def password_form(request: Request, current_password: str = Form("", max_length=200),
                  new_password: str = Form("", max_length=200), confirm_password: str = Form("", max_length=200),
                  csrf_token: str = Form("")):
    auth.check_csrf(request, csrf_token)
    user = auth.require_user(request)
    if new_password != confirm_password:
        return render(request, "password.html", status_code=400, forced=user.must_change, error=MISMATCH,
                      done=False, nav="")
    try:
        _, token, _ = auth.change_own_password(request, current_password, new_password)
    except UserError as exc:
        return render(request, "password.html", status_code=400, forced=user.must_change, error=str(exc),
                      done=False, nav="")
    lang = "?lang=en" if lang_of(request.query_params.get("lang")) == "en" else ""
    resp = RedirectResponse(f"/password/done{lang}", status_code=303)
    auth.set_session_cookie(resp, token, get_state(request).secure_cookies)
    return resp


@router.get("/password/done", summary="修改密码 the password was changed")
def password_done(request: Request, user=Depends(auth.require_user)):
    return render(request, "password.html", forced=False, error=None, done=True, nav="")


@router.post("/api/password", tags=["auth"],
             responses={400: {"description": "refused: wrong current password, policy, same as before"},
                        401: {"description": "sign-in required"}, 403: {"description": "CSRF token missing"},
                        429: {"description": "too many wrong passwords"}})
def api_password(request: Request, body: Change):
    """Change one's own password: JSON ``{"current_password", "new_password"}`` with ``X-CSRF-Token``.
    Every session of the user ends; the answer sets the new session cookie and gives its CSRF token."""
    auth.require_user(request)
    auth.check_csrf(request, None)
    try:
        user, token, csrf = auth.change_own_password(request, body.current_password, body.new_password)
    except UserError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=400)
    resp = JSONResponse({"changed": True, "username": user.username, "csrf_token": csrf})
    auth.set_session_cookie(resp, token, get_state(request).secure_cookies)
    return resp
