"""JSON API: /api/kpi, /api/cockpit (the cockpit's twin) and /api/health.

Documented in /openapi.json (the Swagger/ReDoc pages are off: they load
assets from a CDN, and deployments are offline).

Answers are cached per data version (:mod:`chainbrain.web.cache`); the JSON
of /api/kpi and /api/cockpit is kept serialized, so a cached request costs
no analytics, no lock and no re-encoding. :func:`chainbrain.web.warmup.warm_up` lists what is
precomputed when the application starts (this router's lifespan).
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response

from chainbrain.store.migrate import current_revision
from chainbrain.web import data, model
from chainbrain.web.auth import current_user
from chainbrain.web.policy import cell_rule, disclosure_key, require_aggregates, scope_key
from chainbrain.web.schemas import KPI, Cockpit, Health
from chainbrain.web.state import WebState, get_state


@asynccontextmanager
async def lifespan(app: FastAPI):
    """Start precomputing the common answers in the background; stop before the store closes."""
    st: WebState = app.state.web
    level = warmup_level()
    if level == "off":
        st.warm = False
    from chainbrain.web.warmup import viewer_jobs, warm_up

    full = level == "full"
    st.start_warmup(lambda store: warm_up(st, store, full=full),
                    lambda store, user: viewer_jobs(st, store, user, full=full))
    try:
        yield
    finally:
        st.stop_warmup()


def warmup_level() -> str:
    """``CHAINBRAIN_WEB_WARMUP``: ``off``, ``essential`` (the province cockpit, KPI, chain list,
    targets/projection/alerts) or ``full`` (also every city page, chain page and city cockpit).
    Default ``full``; ``off`` under pytest (its many short-lived apps would spend their time
    warming pages no test asks for; tests of the warm-up set the variable)."""
    value = os.environ.get("CHAINBRAIN_WEB_WARMUP", "").strip().lower()
    if value in ("0", "off", "false", "no"):
        return "off"
    if value in ("essential", "full"):
        return value
    return "off" if "PYTEST_CURRENT_TEST" in os.environ else "full"


router = APIRouter(prefix="/api", tags=["api"], lifespan=lifespan)

PERIOD = Query(None, description="YYYY-MM (YTD), YYYY-Qn or YYYY; default: the newest month on file")
REGION = Query(None, description="GB/T 2260 code of the province, a city or a county")
SCOPE = Query("all", description="all (sections B–D) or manufacturing (C)")
ERRORS = {400: {"description": "bad parameter (bilingual message)"},
          401: {"description": "aggregates are not public on this deployment"}}
JSON = "application/json"


# ---------------------------------------------------------------- cached parts (shared with the page)
def cockpit_base(st: WebState, user, period, region, scope) -> dict:
    """The cockpit's KPI figures (:func:`chainbrain.web.model.build`), cached per disclosure scope."""
    return st.cached(("cockpit", period, region, scope, disclosure_key(user)),
                     lambda: model.build(st.store, period, region, scope, cell_rule(st.store, user, st.min_cell)))


def monitoring_raw(st: WebState, period, region, scope) -> dict:
    """Targets, projection and all alerts for the scope (same for every viewer), cached."""
    mon = st.cached(("monitoring", period, region, scope),
                    lambda: model.monitoring(st.store, period, region, scope, with_alerts=False))
    al = st.cached(("alerts", period), lambda: model.period_alerts(st.store, period))
    return {**mon, "alerts": al["alerts"], "alerts_source": al["alerts_source"]}


def cockpit_full(st: WebState, user, period, region, scope) -> dict:
    """The cockpit with targets, projection and the alerts this viewer may see (cached per scope)."""
    def build():
        d = cockpit_base(st, user, period, region, scope)
        if not d.get("period"):
            return {**d, "targets": [], "projection": None, "alerts": [], "alerts_source": None}
        code = d["region"]["code"] if d.get("region") and d["region"]["level"] != "province" else None
        mon = model.protect_monitoring(st.store, monitoring_raw(st, period, region, scope),
                                       cell_rule(st.store, user, st.min_cell), code, scope)
        return {**d, "targets": mon["targets"], "projection": mon["projection"],
                "alerts": model.alerts_for(st.store, mon["alerts"], user), "alerts_source": mon["alerts_source"]}
    return st.cached(("cockpit+", period, region, scope, disclosure_key(user), scope_key(user)), build)


def cockpit_before(st: WebState, user, period, region, scope) -> dict:
    """:func:`cockpit_full` as the figures, stored alerts and disclosure patterns kept at an earlier data
    key give it (the answer from before an import, :meth:`WebState.cached` ``before``; raises
    :class:`~chainbrain.web.kept.NotKept` when something is not kept there)."""
    from chainbrain.web.kept import NotKept

    rule = cell_rule(st.store, user, st.min_cell)
    d = model.build(st.store, period, region, scope, rule)
    if not d.get("period"):
        raise NotKept(("cockpit", period))
    code = d["region"]["code"] if d.get("region") and d["region"]["level"] != "province" else None
    mon = model.monitoring(st.store, period, region, scope, with_alerts=False)
    alerts = model.stored_alerts(st.store, d["period"])
    if alerts is None:
        raise NotKept(("alerts", d["period"]))
    mon = model.protect_monitoring(st.store, {**mon, "alerts": alerts, "alerts_source": "stored"}, rule, code, scope)
    return {**d, "targets": mon["targets"], "projection": mon["projection"],
            "alerts": model.alerts_for(st.store, mon["alerts"], user), "alerts_source": mon["alerts_source"]}


def _json(st: WebState, key: tuple, build, schema, before=None) -> Response:
    def encode(make):
        return lambda: schema.model_validate(make()).model_dump_json().encode()
    body = st.cached(("json",) + key, encode(build), before=encode(before) if before else None)
    return Response(body, media_type=JSON)


# ---------------------------------------------------------------- endpoints
@router.get("/kpi", response_model=KPI, dependencies=[Depends(require_aggregates)], responses=ERRORS)
def api_kpi(request: Request, period: str | None = PERIOD,
            chain: str | None = Query(None, description="chain code, e.g. EI"),
            region: str | None = REGION, scope: str = SCOPE):
    """Above-scale revenue YTD, naive and comparable growth, target path and status."""
    st, user = get_state(request), current_user(request)
    key = ("kpi", period, chain, region, scope, disclosure_key(user))
    def record():
        return model.kpi_record(st.store, period, chain, region, scope, cell_rule(st.store, user, st.min_cell))
    # after an import: the record as the figures kept before it give it (web/stale.py) — not per chain (live)
    return _json(st, key, lambda: st.cached(key, record), KPI, before=record if chain is None else None)


@router.get("/cockpit", response_model=Cockpit, dependencies=[Depends(require_aggregates)], responses=ERRORS)
def api_cockpit(request: Request, period: str | None = PERIOD, region: str | None = REGION,
                scope: str = SCOPE):
    """The cockpit's figures: headline KPI, KPI per city (and county), KPI per chain with names;
    ``targets`` (progress on the pack's targets: path, gap, growth still required, SEI share
    with bounds), ``projection`` (target-year projection with 80 % interval and its yearly
    series) and ``alerts`` (rule, figures, period; alerts about individual chain masters only
    for signed-in users whose scope covers the enterprise)."""
    st, user = get_state(request), current_user(request)
    key = ("cockpit+", period, region, scope, disclosure_key(user), scope_key(user))
    return _json(st, key, lambda: cockpit_full(st, user, period, region, scope), Cockpit,
                 before=lambda: cockpit_before(st, user, period, region, scope))


@router.get("/live")
def api_live() -> dict:
    """Liveness only: the process answers (200 even while the database does not)."""
    return {"status": "alive"}


@router.get("/health", response_model=Health, responses={503: {"description": "the store does not answer"}})
def api_health(request: Request):
    """Readiness: 200 with engine, province pack and schema revision when the store answers;
    503 with the reason when it does not."""
    st = get_state(request)
    reason = st.store.ping()
    if reason is not None:
        return JSONResponse({"status": "unavailable", "engine": st.store.kind, "reason": reason,
                             "detail": "数据库无法连接 / the store does not answer"}, status_code=503)

    def build():
        pack = data.pack_meta(st.store)
        return {"status": "ok", "engine": st.store.kind,
                "pack": {k: pack[k] for k in ("name", "version", "effective_date")} if pack else None,
                "schema_revision": current_revision(st.store)}
    return _json(st, ("health",), build, Health)
