"""分析报告 — the monthly analysis reports for download (JSON twin: ``/api/reports``).

The list offers the province's report, each chain's and each city's for every month on file;
``/reports/monthly?period=&chain=&region=&format=docx|pdf|xlsx`` generates one
(:mod:`chainbrain.reports`) with the requesting viewer's scope and suppression — the signed-in
user's :func:`~chainbrain.web.policy.cell_rule` and alert filter, or the public view for an
anonymous visitor of a public deployment; the web never serves the operator's full view. A
generated file is kept in the answer cache for the data version (per user: the cover names
them) and each download is written to the audit log.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from chainbrain.web import data
from chainbrain.web.auth import actor_of, audit, current_user
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import disclosure_key, require_aggregates, scope_key
from chainbrain.web.render import render
from chainbrain.web.state import get_state

router = APIRouter()
MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _url(period: str, fmt: str, chain: str | None = None, region: str | None = None) -> str:
    q = {"period": period, "chain": chain, "region": region, "format": fmt}
    return "/reports/monthly?" + urlencode({k: v for k, v in q.items() if v})


def listing(store, period: str | None) -> dict:
    """The reports on offer for ``period`` (default: the newest month on file)."""
    periods = data.periods(store)
    period = period or (periods[0] if periods else None)
    if period is not None and period not in periods:
        raise BadRequest(f"no monthly reports for {period} (库中没有 {period} 的月报数据)")
    prov = data.province(store)
    units = [{"kind": "province", "chain": None, "region": None, "name": prov["name"] if prov else "全省"}]
    units += [{"kind": "chain", "chain": c["code"], "region": None, "name": f"{c['name_zh']}产业链"}
              for c in data.chains(store)]
    units += [{"kind": "region", "chain": None, "region": r["code"], "name": r["name"]}
              for r in data.regions(store, "prefecture")]
    items = [{**u, "title": f"{period} {u['name']} 产业链运行分析" if u["kind"] != "chain" else f"{period} {u['name']}运行分析",
              "links": {f: _url(period, f, u["chain"], u["region"]) for f in MEDIA}} for u in units] if period else []
    return {"period": period, "available_periods": periods, "formats": list(MEDIA), "items": items}


@router.get("/api/reports", tags=["api"], dependencies=[Depends(require_aggregates)])
def api_reports(request: Request, period: str | None = Query(None, description="YYYY-MM; default the newest")):
    """The monthly analysis reports on offer (province, each chain, each city) with their download links."""
    st = get_state(request)
    with st.lock:
        return listing(st.store, period)


@router.get("/reports", dependencies=[Depends(require_aggregates)], summary="分析报告 reports page")
def reports_page(request: Request, period: str | None = None):
    st = get_state(request)
    with st.lock:
        d = listing(st.store, period)
    return render(request, "reports.html", d=d, nav="reports")


@router.get("/reports/monthly", dependencies=[Depends(require_aggregates)], summary="月度分析报告 download")
def monthly(request: Request, period: str | None = Query(None), chain: str | None = Query(None),
            region: str | None = Query(None), scope: str = Query("all"),
            format: str | None = Query(None, description="docx, pdf or xlsx")):
    """One monthly report as the requesting viewer may see it (scope, suppression, alerts)."""
    import io

    from chainbrain.reports import write
    from chainbrain.reports.gather import gather
    from chainbrain.reports.viewer import ReportError, for_user

    if format not in MEDIA:
        raise BadRequest(f"format {format!r}: must be docx, pdf or xlsx (格式应为 docx、pdf 或 xlsx)")
    st, user = get_state(request), current_user(request)
    period = period or next(iter(data.periods(st.store)), None)
    if period is None:
        raise BadRequest("no monthly reports in the store (库中没有月报数据)")

    def build():
        model = gather(st.store, period, chain or None, region or None, scope, for_user(st.store, user, st.min_cell))
        buf = io.BytesIO()
        write(model, format, buf)
        return buf.getvalue(), model.period
    # the figures depend on the disclosure scope, the cover names the user: one file per user
    key = ("report", period, chain, region, scope, format, disclosure_key(user), scope_key(user),
           user.username if user else None)
    try:
        body, label = st.cached(key, build)
    except ReportError as exc:
        raise BadRequest(str(exc)) from exc
    with st.lock:
        audit(st.store, actor_of(request), "export", path=request.url.path, report="monthly", period=label,
              chain=chain, region=region, format=format)
    name = f"report-{label}-{chain or region or 'province'}.{format}"
    return Response(body, media_type=MEDIA[format], headers={"Content-Disposition": f'attachment; filename="{name}"'})
