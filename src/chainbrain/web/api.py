"""JSON API: /api/kpi, /api/cockpit (the cockpit's twin) and /api/health.

Documented in /openapi.json (the Swagger/ReDoc pages are off: they load
assets from a CDN, and deployments are offline).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from chainbrain.store.migrate import current_revision
from chainbrain.web import data, model
from chainbrain.web.auth import current_user
from chainbrain.web.policy import cell_rule, disclosure_key, require_aggregates
from chainbrain.web.schemas import KPI, Cockpit, Health
from chainbrain.web.state import get_state

router = APIRouter(prefix="/api", tags=["api"])

PERIOD = Query(None, description="YYYY-MM (YTD), YYYY-Qn or YYYY; default: the newest month on file")
REGION = Query(None, description="GB/T 2260 code of the province, a city or a county")
SCOPE = Query("all", description="all (sections B–D) or manufacturing (C)")
ERRORS = {400: {"description": "bad parameter (bilingual message)"},
          401: {"description": "aggregates are not public on this deployment"}}


@router.get("/kpi", response_model=KPI, dependencies=[Depends(require_aggregates)], responses=ERRORS)
def api_kpi(request: Request, period: str | None = PERIOD,
            chain: str | None = Query(None, description="chain code, e.g. EI"),
            region: str | None = REGION, scope: str = SCOPE) -> dict:
    """Above-scale revenue YTD, naive and comparable growth, target path and status."""
    st, user = get_state(request), current_user(request)
    return st.cached(("kpi", period, chain, region, scope, disclosure_key(user)),
                     lambda: model.kpi_record(st.store, period, chain, region, scope,
                                              cell_rule(st.store, user, st.min_cell)))


@router.get("/cockpit", response_model=Cockpit, dependencies=[Depends(require_aggregates)], responses=ERRORS)
def api_cockpit(request: Request, period: str | None = PERIOD, region: str | None = REGION,
                scope: str = SCOPE) -> dict:
    """The cockpit's figures: headline KPI, KPI per city (and county), KPI per chain with names."""
    st, user = get_state(request), current_user(request)
    return st.cached(("cockpit", period, region, scope, disclosure_key(user)),
                     lambda: model.build(st.store, period, region, scope, cell_rule(st.store, user, st.min_cell)))


@router.get("/health", response_model=Health)
def api_health(request: Request) -> dict:
    """Liveness plus what is loaded: engine, province pack, schema revision."""
    st = get_state(request)
    with st.lock:
        pack = data.pack_meta(st.store)
        return {"status": "ok", "engine": st.store.kind,
                "pack": {k: pack[k] for k in ("name", "version", "effective_date")} if pack else None,
                "schema_revision": current_revision(st.store)}
