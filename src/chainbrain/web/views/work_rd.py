"""联合攻关 (揭榜挂帅) — joint R&D: the list of technology problems and a problem's page (twins
``/api/rd`` and ``/api/rd/{problem_id}``).

``GET /api/rd?chain&status``; ``POST /api/rd`` (201); ``GET /api/rd/{problem_id}``;
``POST /api/rd/{problem_id}/apply`` (201); ``POST /api/rd/{problem_id}/award|start|complete|close|withdraw``
(``{"version", …}``); ``POST /api/rd/{problem_id}/milestones`` (``{"version", "title", "due_on",
"tranche"}``, 201) and ``POST /api/rd/{problem_id}/milestone-done`` (``{"version", "seq"}``).
Stale ``version`` or a refused move 409; work layer :mod:`chainbrain.work.rd`.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from chainbrain.web.auth import require_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.policy import visible_ids
from chainbrain.web.render import render
from chainbrain.web.state import get_state
from chainbrain.web.views.work_tasks import _reader, item_id, today
from chainbrain.web.workhttp import ERRORS, acting_user, answers, body_doc, json_body
from chainbrain.work import rd, rd_read

router = APIRouter()


def _visible(request, user):
    store = _reader(request)
    return lambda ids: visible_ids(store, user, ids)


def _lang(request):
    return lang_of(request.query_params.get("lang"))


def _list(request, user, chain, status):
    with answers():
        return rd_read.list_problems(_reader(request), user, {"chain": chain, "status": status}, _visible(request, user),
                                _lang(request))


def _one(request, user, problem_id):
    with answers():
        return rd_read.get_problem(_reader(request), user, item_id(problem_id), today(), _visible(request, user), _lang(request))


@router.get("/api/rd", tags=["work"], responses=ERRORS)
def api_rd(request: Request, user=Depends(require_user), chain: str | None = Query(None, description="chain code"),
           status: str | None = Query(None, description="|".join(rd.STATES))):
    """Technology problems (揭榜挂帅) with funding offered and funded so far (yuan), counts by state."""
    return _list(request, user, chain, status)


@router.post("/api/rd", tags=["work"], status_code=201, responses=ERRORS,
             openapi_extra=body_doc({"title": {"type": "string"}, "description": {"type": "string"},
                                     "scope_kind": {"type": "string", "enum": list(rd.SCOPES)},
                                     "chain_code": {"type": "string"}, "other_chains": {"type": "array", "items": {"type": "string"}},
                                     "funding": {"type": "number", "description": "yuan"},
                                     "apply_by": {"type": "string", "format": "date"}},
                                    ["title", "description", "funding", "apply_by"]))
def api_post_problem(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Post a problem (the province, a chain office, an enterprise for its firm)."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            pid = rd.post_problem(conn, user, body, today())
    return JSONResponse({"id": pid, "status": "open", "version": 1}, status_code=201)


@router.get("/api/rd/{problem_id}", tags=["work"], responses=ERRORS)
def api_problem(request: Request, problem_id: str, user=Depends(require_user)):
    """One problem: applications the caller may read, the chosen team, milestones, result, actions."""
    return _one(request, user, problem_id)


@router.post("/api/rd/{problem_id}/apply", tags=["work"], status_code=201, responses=ERRORS,
             openapi_extra=body_doc({"team": {"type": "string"}, "leader": {"type": "string"},
                                     "partners": {"type": "string"}, "proposal": {"type": "string"},
                                     "requested": {"type": "number", "description": "yuan"}},
                                    ["team", "leader", "proposal", "requested"]))
def api_apply(request: Request, problem_id: str, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Apply (揭榜): an enterprise for its firm, or the managing office recording a team."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            aid = rd.apply(conn, user, item_id(problem_id), body, today())
    return JSONResponse({"id": aid, "status": "submitted"}, status_code=201)


@router.post("/api/rd/{problem_id}/milestones", tags=["work"], status_code=201, responses=ERRORS,
             openapi_extra=body_doc({"version": {"type": "integer"}, "title": {"type": "string"},
                                     "due_on": {"type": "string", "format": "date"},
                                     "tranche": {"type": "number", "description": "yuan released when done"}},
                                    ["version", "title", "due_on"]))
def api_add_milestone(request: Request, problem_id: str, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Add a milestone of the chosen team (Σ tranches ≤ funding)."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            seq = rd.add_milestone(conn, user, item_id(problem_id), body.get("version"), body)
    return JSONResponse({"seq": seq}, status_code=201)


@router.post("/api/rd/{problem_id}/milestone-done", tags=["work"], responses=ERRORS,
             openapi_extra=body_doc({"version": {"type": "integer"}, "seq": {"type": "integer"}, "note": {"type": "string"}},
                                    ["version", "seq"]))
def api_milestone_done(request: Request, problem_id: str, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Mark a milestone done (its tranche counts as funded); only while in progress."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            rd.milestone_done(conn, user, item_id(problem_id), body.get("version"), body.get("seq"), today(),
                              body.get("note"))
    return _one(request, user, problem_id)


def _move_route(action: str):
    def endpoint(request: Request, problem_id: str, user=Depends(acting_user), body: dict = Depends(json_body)):
        st = get_state(request)
        with answers(), st.lock:
            with st.store.begin() as conn:
                status = rd.move(conn, user, item_id(problem_id), body.get("version"), action, today(), body)
        return {"id": item_id(problem_id), "status": status}
    endpoint.__name__ = f"api_rd_{action}"
    endpoint.__doc__ = f"{action} the problem ({rd.MOVE_LABELS[action]}); a move the workflow does not allow answers 409."
    return endpoint


for _a in rd.MOVE_LABELS:
    router.add_api_route(f"/api/rd/{{problem_id}}/{_a}", _move_route(_a), methods=["POST"], tags=["work"],
                         responses=ERRORS, openapi_extra=body_doc({
                             "version": {"type": "integer"}, "application_id": {"type": "integer"},
                             "result": {"type": "string"}, "commercialisation": {"type": "string"},
                             "commercial_revenue": {"type": "number"}}, ["version"]))


@router.get("/rd", summary="联合攻关 joint R&D page (twin: /api/rd)")
def rd_page(request: Request, user=Depends(require_user), chain: str | None = None, status: str | None = None):
    from chainbrain.web.views.work_pages import options

    return render(request, "rd_list.html", nav="lists", d=_list(request, user, chain, status), **options(request))


@router.get("/rd/{problem_id}", summary="R&D problem page (twin: /api/rd/{problem_id})")
def problem_page(request: Request, problem_id: str, user=Depends(require_user)):
    return render(request, "rd.html", nav="lists", d=_one(request, user, problem_id))
