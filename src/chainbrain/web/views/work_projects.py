"""重点项目 — key projects: list with dashboards by chain, city and stage (JSON twin
``/api/projects``), a project page with its monthly planned and actual investment.

``GET /api/projects?year&month&chain&region&stage``; ``POST /api/projects`` (201);
``GET /api/projects/{project_id}``; ``POST /api/projects/{project_id}/investment``
(``{"version", "year", "month", "actual", "planned"?}``); ``POST /api/projects/{project_id}/lead``
(``{"version", "lead_id"}``, null clears: the 招商 lead the project came from); ``POST
/api/projects/{project_id}/{sign|start|operate|reach}`` (``{"version"}``; a refused move 409).
Money in yuan, rates as fractions. Work layer: :mod:`chainbrain.work.projects`.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from chainbrain.web.auth import require_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import NotVisible
from chainbrain.web.render import render
from chainbrain.web.state import get_state
from chainbrain.web.views.work_tasks import _reader, item_id, today
from chainbrain.web.workhttp import ERRORS, acting_user, answers, body_doc, json_body
from chainbrain.work.project_leads import set_lead
from chainbrain.work.projects import DATE_OF, STAGES, create_project, get_project, list_projects, move, report_month

router = APIRouter()


def reader_user(request: Request):
    user = require_user(request)
    if user.role == "unit":
        raise NotVisible()
    return user


def _list(request, user, year, month, chain, region, stage):
    t = today()
    try:
        year, month = (int(year) if year else None), (int(month) if month else None)
    except ValueError:
        raise BadRequest("year and month must be integers (年、月应为整数)") from None
    year = year or t.year
    month = month or (t.month if year == t.year else 12)
    if not 1 <= month <= 12 or stage and stage not in STAGES:
        raise BadRequest(f"month is 1–12 and stage one of {', '.join(STAGES)} (月份或阶段取值无效)")
    return list_projects(_reader(request), user, year, month, {"chain": chain, "region": region, "stage": stage},
                         lang_of(request.query_params.get("lang")))


@router.get("/api/projects", tags=["work"], responses=ERRORS)
def api_projects(request: Request, user=Depends(reader_user), year: str | None = Query(None, description="YYYY"),
                 month: str | None = Query(None, description="last month counted, 1–12 (default: this month)"),
                 chain: str | None = None, region: str | None = None, stage: str | None = Query(None, description="|".join(STAGES))):
    """Key projects the caller may see, with planned/actual investment of the year up to ``month``
    (yuan), completion rates (fractions) and dashboards ``by_chain``, ``by_city``, ``by_stage``."""
    return _list(request, user, year, month, chain, region, stage)


@router.post("/api/projects", tags=["work"], status_code=201, responses=ERRORS,
             openapi_extra=body_doc({"name": {"type": "string"}, "chain_code": {"type": "string"},
                                     "region_code": {"type": "string"}, "investor": {"type": "string"},
                                     "amount": {"type": "number", "description": "yuan"},
                                     "lead_id": {"type": "integer", "description": "attraction lead it came from"},
                                     "lead_source": {"type": "string", "description": "old free-text field"},
                                     "plan": {"type": "array", "items": {"type": "object"}}},
                                    ["name", "investor", "amount"]))
def api_create_project(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Record a key project (the province, the chain's office, the region's bureau)."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            pid = create_project(conn, user, body, today())
    return JSONResponse({"id": pid, "version": 1}, status_code=201)


@router.get("/api/projects/{project_id}", tags=["work"], responses=ERRORS)
def api_project(request: Request, project_id: str, user=Depends(reader_user)):
    """One project with its months (planned, actual, rate) and the stage moves open to the caller."""
    with answers():
        return get_project(_reader(request), user, item_id(project_id), lang_of(request.query_params.get("lang")))


@router.post("/api/projects/{project_id}/investment", tags=["work"], responses=ERRORS,
             openapi_extra=body_doc({"version": {"type": "integer"}, "year": {"type": "integer"}, "month": {"type": "integer"},
                                     "actual": {"type": "number"}, "planned": {"type": "number"}}, ["version", "year", "month"]))
def api_investment(request: Request, project_id: str, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Report a month's actual (and planned) investment; a stale ``version`` answers 409."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            report_month(conn, user, item_id(project_id), body.get("version"), body.get("year"), body.get("month"),
                         body.get("actual"), body.get("planned"))
    with answers():
        return get_project(_reader(request), user, item_id(project_id))


@router.post("/api/projects/{project_id}/lead", tags=["work"], responses=ERRORS,
             openapi_extra=body_doc({"version": {"type": "integer"},
                                     "lead_id": {"type": ["integer", "null"], "description": "null clears"}},
                                    ["version"]))
def api_project_lead(request: Request, project_id: str, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Name (or clear) the 招商 lead the project came from — a lead of the project's chain the caller
    may see; a stale ``version`` answers 409."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            set_lead(conn, user, item_id(project_id), body.get("version"), body.get("lead_id"))
    with answers():
        return get_project(_reader(request), user, item_id(project_id), lang_of(request.query_params.get("lang")))


def _move_route(action: str):
    def endpoint(request: Request, project_id: str, user=Depends(acting_user), body: dict = Depends(json_body)):
        st = get_state(request)
        day = body.get("date") or today().isoformat()
        try:
            day = dt.date.fromisoformat(str(day))
        except ValueError:
            raise BadRequest("date must be YYYY-MM-DD (日期应为 YYYY-MM-DD)") from None
        with answers(), st.lock:
            with st.store.begin() as conn:
                stage = move(conn, user, item_id(project_id), body.get("version"), action, day)
        return {"id": item_id(project_id), "stage": stage}
    endpoint.__name__ = f"api_project_{action}"
    endpoint.__doc__ = f"Move the project's stage ({action}); the workflow refuses a move it does not allow (409)."
    return endpoint


for _a in DATE_OF:
    router.add_api_route(f"/api/projects/{{project_id}}/{_a}", _move_route(_a), methods=["POST"], tags=["work"],
                         responses=ERRORS, openapi_extra=body_doc({"version": {"type": "integer"},
                                                                   "date": {"type": "string", "format": "date"}}, ["version"]))


@router.get("/projects", summary="重点项目 key projects page (twin: /api/projects)")
def projects_page(request: Request, user=Depends(reader_user), year: str | None = None, month: str | None = None,
                  chain: str | None = None, region: str | None = None, stage: str | None = None):
    from chainbrain.web.views.work_pages import options

    return render(request, "projects.html", nav="tasks", d=_list(request, user, year, month, chain, region, stage),
                  **options(request))


@router.get("/projects/{project_id}", summary="project page (twin: /api/projects/{project_id})")
def project_page(request: Request, project_id: str, user=Depends(reader_user)):
    with answers():
        d = get_project(_reader(request), user, item_id(project_id), lang_of(request.query_params.get("lang")))
    return render(request, "project.html", nav="tasks", d=d)
