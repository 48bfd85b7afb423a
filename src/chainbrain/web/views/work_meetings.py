"""工作例会 — working meetings: agenda, attendees, decisions that become tracked tasks.

API: ``GET /api/meetings`` (``{"items", "total"}``), ``POST /api/meetings`` (``{"title",
"held_on", "agenda", "attendees", "decisions": [{"text", "lead_unit", "deadline"}]}`` → 201
with the meeting's id and its decisions' task ids), ``GET /api/meetings/{meeting_id}``.
Pages: ``/meetings`` (list, and a form for the offices that hold meetings) and
``/meetings/{meeting_id}``. Work layer: :mod:`chainbrain.work.meetings`.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from chainbrain.web.auth import require_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.render import render
from chainbrain.web.state import get_state
from chainbrain.web.views.work_tasks import _reader, item_id, lister, today
from chainbrain.web.workhttp import ERRORS, acting_user, answers, body_doc, json_body
from chainbrain.work import task_scope as scope
from chainbrain.work.meetings import create_meeting, get_meeting, list_meetings

router = APIRouter()
MEETING_FIELDS = {"title": {"type": "string"}, "held_on": {"type": "string", "format": "date"},
                  "agenda": {"type": "array", "items": {"type": "string"}}, "place": {"type": "string"},
                  "chair": {"type": "string"}, "chain_code": {"type": "string"}, "region_code": {"type": "string"},
                  "attendees": {"type": "array", "items": {"type": "object"}},
                  "decisions": {"type": "array", "items": {"type": "object", "properties": {
                      "text": {"type": "string"}, "lead_unit": {"type": "string"},
                      "deadline": {"type": "string", "format": "date"}}}}}


@router.get("/api/meetings", tags=["work"], responses=ERRORS)
def api_meetings(request: Request, user=Depends(lister)) -> dict:
    """The meetings the caller may see (chain office: its chain; bureaus: their region)."""
    return list_meetings(_reader(request), user)


@router.post("/api/meetings", tags=["work"], status_code=201, responses=ERRORS,
             openapi_extra=body_doc(MEETING_FIELDS, ["title", "held_on", "agenda"]))
def api_create_meeting(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Record a meeting; each decision becomes a task (source ``meeting``) under supervision."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            mid, tasks = create_meeting(st.store, conn, user, body, today())
    return JSONResponse({"id": mid, "task_ids": tasks}, status_code=201)


@router.get("/api/meetings/{meeting_id}", tags=["work"], responses=ERRORS)
def api_meeting(request: Request, meeting_id: str, user=Depends(require_user)) -> dict:
    """One meeting with agenda, attendees and decisions (each with its task's status)."""
    with answers():
        return get_meeting(_reader(request), user, item_id(meeting_id), lang_of(request.query_params.get("lang")))


@router.get("/meetings", summary="工作例会 meetings page (twin: /api/meetings)")
def meetings_page(request: Request, user=Depends(lister)):
    from chainbrain.web.views.work_pages import options

    return render(request, "meetings.html", nav="tasks", d=list_meetings(_reader(request), user),
                  manager=user.role in scope.MANAGERS, **options(request))


@router.get("/meetings/{meeting_id}", summary="meeting page (twin: /api/meetings/{meeting_id})")
def meeting_page(request: Request, meeting_id: str, user=Depends(require_user)):
    with answers():
        d = get_meeting(_reader(request), user, item_id(meeting_id), lang_of(request.query_params.get("lang")))
    return render(request, "meeting.html", nav="tasks", d=d)
