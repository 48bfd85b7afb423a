"""集群年度进展报告 — the annual cluster progress report: a city bureau drafts, the province reviews.

- ``/clusters/{code}/progress?year=`` ⇄ ``GET /api/clusters/{code}/progress?year=`` (signed in: the
  province sees every city's report, a city its own; other roles 404): the reports, the due date,
  what the caller may do, and the figures from the store that fill the report (the cluster's
  figures through the caller's disclosure, :mod:`chainbrain.analytics.cluster_answer`);
- ``POST /api/clusters/{code}/progress`` {year, body, version?}: the city saves its draft;
- ``POST /api/clusters/{code}/progress/{report_id}/submit``: the city submits (figures kept);
- ``POST /api/clusters/{code}/progress/{report_id}/review`` {action: approve|return, note}: the province.
- ``GET /clusters/{code}/progress/document?year=&format=docx|pdf``: the report as a Word (GB/T 9704) or
  PDF document — the cluster's figures, scorecard, stars and alerts through the caller's disclosure and
  the city reports the caller may read (:mod:`chainbrain.reports.cluster_progress`); same readers.

Rules: :mod:`chainbrain.work.cluster_progress`. Errors: 400 (field), 403 (role), 404 (scope), 409
(state or stale version), all ``{"detail": "English (中文)"}``; POSTs need the CSRF token.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from chainbrain.web.auth import actor_of, audit, require_user
from chainbrain.web.model import BadRequest
from chainbrain.web.render import render
from chainbrain.web.state import get_state
from chainbrain.web.views.clusters import _answer
from chainbrain.web.workhttp import ERRORS, acting_user, answers, body_doc, json_body
from chainbrain.work import cluster_progress as P

router = APIRouter()


def _year(year):
    """The requested year (checked by the work layer: 400 when not a year), else last year."""
    return year if year not in (None, "") else dt.date.today().year - 1


def _figures(request: Request, code: str, year: int, city: str | None) -> dict:
    """The cluster's figures for the report, as the caller may see them (and the city's star row)."""
    d = _answer(request, "cluster", str(year), code)
    card = {x["code"]: x["value"] for dim in d["scorecard"]["dimensions"] for x in dim["indicators"]}
    star = next((s for s in d["stars"] if s["location"] == city), None)
    return {"period": d["period"], "partial_year": d["partial_year"],
            "revenue_yuan": card.get("revenue"), "revenue_growth": card.get("revenue_growth"),
            "member_firms": card.get("member_firms"), "rd_intensity": card.get("rd_intensity"),
            "score": d["scorecard"]["score"],
            "city": city, "city_stars": None if star is None else star["stars"],
            "city_lq": None if star is None else star["lq"]}


def _view(request: Request, user, code: str, year) -> dict:
    st = get_state(request)
    with answers(), st.lock:
        d = P.reports(st.store, user, code, year)
    d["figures"] = _figures(request, code, d["year"], user.region_code if user.role == "city" else None)
    return d


@router.get("/api/clusters/{code}/progress", tags=["clusters"], responses=ERRORS, response_model=dict)
def api_progress(request: Request, code: str, user=Depends(require_user), year: str | None = None):
    """The cluster's progress reports of the year the caller may read, and what the caller may do."""
    return _view(request, user, code, _year(year))


@router.post("/api/clusters/{code}/progress", tags=["clusters"], responses=ERRORS,
             openapi_extra=body_doc({"year": {"type": "integer"}, "body": {"type": "string"},
                                     "version": {"type": "integer"}}, ["year", "body"]))
def api_save(request: Request, code: str, user=Depends(acting_user), body: dict = Depends(json_body)):
    """The city bureau saves its draft (creates it, or edits a draft or returned report)."""
    st = get_state(request)
    with answers(), st.lock:
        return P.save_draft(st.store, user, code, body.get("year"), body.get("body"), body.get("version"))


@router.post("/api/clusters/{code}/progress/{report_id}/submit", tags=["clusters"], responses=ERRORS)
def api_submit(request: Request, code: str, report_id: str, user=Depends(acting_user)):
    """The city submits its report; the figures it sees now are kept with it."""
    st = get_state(request)
    with answers(), st.lock:
        rep = P._get_public(st.store, code, report_id, user)
    figures = _figures(request, code, rep["year"], user.region_code)
    with answers(), st.lock:
        return P.submit(st.store, user, code, report_id, figures)


@router.post("/api/clusters/{code}/progress/{report_id}/review", tags=["clusters"], responses=ERRORS,
             openapi_extra=body_doc({"action": {"type": "string", "enum": ["approve", "return"]},
                                     "note": {"type": "string"}}, ["action"]))
def api_review(request: Request, code: str, report_id: str, user=Depends(acting_user),
               body: dict = Depends(json_body)):
    """The province approves or returns (with a note) a submitted report."""
    st = get_state(request)
    with answers(), st.lock:
        return P.review(st.store, user, code, report_id, body.get("action"), body.get("note"))


@router.get("/clusters/{code}/progress", summary="集群年度进展报告 progress report")
def progress_page(request: Request, code: str, user=Depends(require_user), year: str | None = None):
    d = _view(request, user, code, _year(year))
    return render(request, "cluster_progress.html", d=d, nav="clusters")


MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}


@router.get("/clusters/{code}/progress/document", summary="进展报告文档 progress report (Word/PDF)",
            responses=ERRORS)
def progress_document(request: Request, code: str, user=Depends(require_user), year: str | None = None,
                      format: str = "docx"):
    """The annual progress report as Word or PDF, with the figures the caller may see."""
    import io

    from chainbrain.reports.cluster_progress import write

    if format not in MEDIA:
        raise BadRequest(f"format {format!r}: must be docx or pdf (格式应为 docx 或 pdf)")
    st = get_state(request)
    with answers(), st.lock:
        prog = P.reports(st.store, user, code, _year(year))          # 404 unless the province or a city
    ans = _answer(request, "cluster", str(prog["year"]), code)
    buf = io.BytesIO()
    write(ans, prog, f"{user.username}（{user.role}）", format, buf)
    with st.lock:
        audit(st.store, actor_of(request), "export", path=request.url.path, report="cluster-progress",
              cluster=code, year=prog["year"], format=format)
    name = f"cluster-progress-{code}-{prog['year']}.{format}"
    return Response(buf.getvalue(), media_type=MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
