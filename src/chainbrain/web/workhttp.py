"""HTTP plumbing shared by the work system's routes (requests, tasks…).

- :func:`json_body`: a dependency reading a JSON object body; a missing or
  malformed body is a bilingual 400 (never FastAPI's 422). Declare it after
  the sign-in dependency so an anonymous caller gets 401 first.
- :func:`acting_user`: a signed-in user whose POST carries the CSRF token
  (``X-CSRF-Token`` header or ``csrf_token`` form field).
- :func:`answers`: a context manager turning the work layer's errors into
  HTTP answers — :class:`~chainbrain.work.records.Invalid` 400,
  :class:`~chainbrain.work.records.Missing` 404 (the same answer as out of
  scope), :class:`~chainbrain.work.records.NotAllowed` 403,
  :class:`~chainbrain.work.records.Conflict` and
  :class:`~chainbrain.work.workflow.Refused` 409 — all ``{"detail": "English (中文)"}``.
"""

from __future__ import annotations

import contextlib
import json

from fastapi import HTTPException, Request

from chainbrain.web.auth import check_csrf, require_user
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import NotVisible
from chainbrain.work.records import Conflict, Invalid, Missing, NotAllowed
from chainbrain.work.workflow import Refused

ERRORS = {400: {"description": "bad input (bilingual message naming the field)"},
          401: {"description": "not signed in"},
          403: {"description": "role may not do this, or CSRF token missing"},
          404: {"description": "not found or outside your scope"},
          409: {"description": "stale version (reload) or a state change the workflow refuses"}}


async def json_body(request: Request) -> dict:
    """The request's JSON object body (400 when it is not one)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not valid JSON (请求体不是有效的 JSON)") from None
    if not isinstance(value, dict):
        raise BadRequest("the body must be a JSON object (请求体应为 JSON 对象)")
    return value


def acting_user(request: Request):
    """Dependency for state-changing routes: signed in (401) and the session's CSRF token (403)."""
    user = require_user(request)
    check_csrf(request, None)
    return user


@contextlib.contextmanager
def answers():
    try:
        yield
    except Invalid as exc:
        raise BadRequest(str(exc)) from None
    except Missing:
        raise NotVisible() from None
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from None
    except (Conflict, Refused) as exc:
        raise HTTPException(409, str(exc)) from None
    except (ValueError, TypeError, OverflowError) as exc:   # a value of the wrong type in a body: 400, not 500
        import logging

        logging.getLogger("chainbrain.web").info("work request refused: %r", exc)
        raise BadRequest(f"Invalid value in the request: {str(exc)[:120]} (请求中的值无效)") from None


def body_doc(schema: dict, required: list[str] | None = None) -> dict:
    """``openapi_extra`` documenting a JSON body read by :func:`json_body`."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": schema, **({"required": required} if required else {})}}}}}
