"""分析报告 — the monthly analysis reports for download (JSON twin: ``/api/reports``).

The list offers the province's report, each chain's and each city's for every month on file;
``/reports/monthly?period=&chain=&region=&format=docx|pdf|xlsx`` generates one
(:mod:`chainbrain.reports`) with the requesting viewer's scope and suppression — the signed-in
user's :func:`~chainbrain.web.policy.cell_rule` and alert filter, or the public view for an
anonymous visitor of a public deployment; the web never serves the operator's full view. A
generated file is kept in the answer cache for the data version (per user: the cover names
them) and each download is written to the audit log.

Reports are written in the background, off the analytics lock (:mod:`chainbrain.web.report_jobs`):
the page starts a job (``POST /api/reports/jobs``), polls its progress
(``GET /api/reports/jobs/{id}``) and downloads ``/reports/jobs/{id}/file``; the plain link
``/reports/monthly`` (no script, the API) waits for the same job. The page also shows the
schedules' newest runs (a failed one with its error) to the province administrator, who may
download the kept files (``/reports/kept/{id}``); the other runs' files are the operator's or
another user's view and are not served to anyone else.
"""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from chainbrain.web import data
from chainbrain.web.auth import actor_of, audit, check_csrf, current_user
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import disclosure_key, require_aggregates, scope_key
from chainbrain.web.render import render
from chainbrain.web.state import get_state

_JOBS_LOCK = threading.Lock()


@asynccontextmanager
async def lifespan(app: FastAPI):
    """The schedules' thread (unless switched off) and, at shutdown, the jobs' thread stop."""
    from chainbrain.web.report_jobs import scheduler_enabled, start_scheduler

    stop = threading.Event()
    thread = start_scheduler(app.state.web, stop) if scheduler_enabled() else None
    try:
        yield
    finally:
        stop.set()
        jobs = getattr(app.state, "report_jobs", None)
        if jobs is not None:
            jobs.stop()
        if thread is not None:
            thread.join(1.0)


router = APIRouter(lifespan=lifespan)
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
    from chainbrain.reports.archive import listing as kept
    from chainbrain.reports.schedule import runs

    st, user = get_state(request), current_user(request)
    with st.lock:
        d = listing(st.store, period)
        if user is not None and user.role == "province_admin":   # the schedules' runs and their files
            d["runs"] = runs(st.store, 10)
            for r in d["runs"]:
                r["kept"] = kept(st.store, run_id=r["id"]) if r["status"] == "done" else []
    return render(request, "reports.html", d=d, nav="reports")


def jobs_of(request: Request):
    """The app's report jobs (:class:`~chainbrain.web.report_jobs.ReportJobs`), made on first use."""
    from chainbrain.web.report_jobs import ReportJobs

    app = request.app
    with _JOBS_LOCK:
        if getattr(app.state, "report_jobs", None) is None:
            app.state.report_jobs = ReportJobs(get_state(request))
    return app.state.report_jobs


def cache_key(period, chain, region, scope, fmt, user) -> tuple:
    """The figures depend on the disclosure scope, the cover names the user: one file per user."""
    return ("report", period, chain, region, scope, fmt, disclosure_key(user), scope_key(user),
            user.username if user else None)


def _submit(request: Request, period, chain, region, scope, fmt):
    from chainbrain.reports import write
    from chainbrain.reports.gather import gather
    from chainbrain.reports.viewer import for_user

    if fmt not in MEDIA:
        raise BadRequest(f"format {fmt!r}: must be docx, pdf or xlsx (格式应为 docx、pdf 或 xlsx)")
    st, user = get_state(request), current_user(request)
    if period is None:
        with st.lock:
            period = next(iter(data.periods(st.store)), None)
    if period is None:
        raise BadRequest("no monthly reports in the store (库中没有月报数据)")
    chain, region = chain or None, region or None

    def build(store, progress):
        import io

        model = gather(store, period, chain, region, scope, for_user(store, user, st.min_cell), progress=progress)
        buf = io.BytesIO()
        write(model, fmt, buf)
        return buf.getvalue(), model.period
    params = {"period": period, "chain": chain, "region": region, "scope": scope, "format": fmt}
    return jobs_of(request).submit(user.username if user else None,
                                   cache_key(period, chain, region, scope, fmt, user), params, build)


def _download(request: Request, job):
    p = job.params
    with get_state(request).lock:
        audit(get_state(request).store, actor_of(request), "export", path=request.url.path, report="monthly",
              period=job.label, chain=p["chain"], region=p["region"], format=p["format"])
    name = f"report-{job.label}-{p['chain'] or p['region'] or 'province'}.{p['format']}"
    return Response(job.body, media_type=MEDIA[p["format"]],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _job(request: Request, job_id: str):
    user = current_user(request)
    job = jobs_of(request).get(job_id, user.username if user else None)
    if job is None:
        raise HTTPException(404, "no such report job (没有该报告任务，或已过期)")
    return job


@router.post("/api/reports/jobs", tags=["api"], dependencies=[Depends(require_aggregates)], status_code=202)
def start_job(request: Request, period: str | None = Query(None), chain: str | None = Query(None),
              region: str | None = Query(None), scope: str = Query("all"),
              format: str | None = Query(None, description="docx, pdf or xlsx")):
    """Start writing one monthly report in the background (as the caller may see it); poll the answer's id."""
    check_csrf(request, None)
    job = _submit(request, period, chain, region, scope, format)
    return JSONResponse(job.public(), status_code=202)


@router.get("/api/reports/jobs/{job_id}", tags=["api"], dependencies=[Depends(require_aggregates)])
def job_status(request: Request, job_id: str):
    """A report job's progress (queued, running with its step, done with the file's link, failed with why)."""
    return _job(request, job_id).public()


@router.get("/reports/jobs/{job_id}/file", dependencies=[Depends(require_aggregates)], summary="报告下载 job file")
def job_file(request: Request, job_id: str):
    job = _job(request, job_id)
    if job.status != "done":
        raise BadRequest(f"the report is not ready: {job.step} (报告尚未生成完毕)")
    return _download(request, job)


@router.get("/reports/kept/{report_id}", summary="已保存报告 kept file (province administrator)")
def kept_file(request: Request, report_id: str):
    from chainbrain.reports.archive import content, listing
    from chainbrain.web.auth import require_admin

    require_admin(request)
    st = get_state(request)
    if not (report_id.isascii() and report_id.isdigit()):
        raise HTTPException(404, "no such kept report (没有该报告文件)")
    with st.lock:
        body = content(st.store, int(report_id))
        row = next((r for r in listing(st.store) if r["id"] == int(report_id)), None) if body is not None else None
    if row is None:
        raise HTTPException(404, "no such kept report (没有该报告文件)")
    name = f"report-{row['period']}-{row['chain_code'] or row['region_code'] or 'province'}-{row['id']}.{row['format']}"
    return Response(body, media_type=MEDIA[row["format"]], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/reports/monthly", dependencies=[Depends(require_aggregates)], summary="月度分析报告 download")
def monthly(request: Request, period: str | None = Query(None), chain: str | None = Query(None),
            region: str | None = Query(None), scope: str = Query("all"),
            format: str | None = Query(None, description="docx, pdf or xlsx")):
    """One monthly report as the requesting viewer may see it (scope, suppression, alerts); written in
    the background like the page's jobs, this request waits for it."""
    job = _submit(request, period, chain, region, scope, format)
    if not job.event.wait(600):
        raise HTTPException(504, "the report takes too long (报告生成超时)")
    if job.status != "done":
        raise BadRequest(job.error)
    return _download(request, job)
