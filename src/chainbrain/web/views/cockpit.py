"""驾驶舱 — the province cockpit page (JSON twin: ``GET /api/cockpit``).

Headline KPI cards, a map of cities (or a city's counties after drill-down)
and the ranking of the key chains, each chart with a table view. Figures
come from :func:`chainbrain.web.model.build`; this module only formats them.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from chainbrain.analytics.periods import parse_period
from chainbrain.web import format as fmt
from chainbrain.web import model
from chainbrain.web.auth import current_user
from chainbrain.web.policy import cell_rule, disclosure_key, require_aggregates
from chainbrain.web.render import context
from chainbrain.web.i18n import lang_of, period_label, status_label, strings
from chainbrain.web.state import get_state

router = APIRouter()


def page_url(request: Request, **changes) -> str:
    """This page's URL with some query parameters changed (None drops one)."""
    params = {k: v for k, v in request.query_params.items() if k in ("period", "scope", "region", "lang")}
    params.update(changes)
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return "/" + (f"?{query}" if query else "")


def _chart_unit(rec: dict, lang: str) -> dict:
    """What a chart needs for one unit: value in 亿元 and pre-formatted tooltip texts."""
    value = rec.get("revenue_ytd_yuan")
    name = rec.get("name") or (rec.get("name_en") if lang == "en" else rec.get("name_zh")) or rec["key"]
    return {"code": rec["key"], "name": name,
            "value": round(value / fmt.YI, 4) if value else None,
            "revenue": fmt.yi(value), "yoy_comparable": fmt.pct(rec.get("yoy_comparable")),
            "count": fmt.count(rec.get("above_scale_count")),
            "suppressed": "revenue_ytd_yuan" in rec.get("suppressed", [])}


def chart_payload(d: dict, lang: str) -> dict:
    """The JSON embedded in the page for cockpit.js (map and bar chart)."""
    t = strings(lang)
    pack = (d.get("pack") or {}).get("name") or "jiangxi"
    m = d.get("map") or {}
    units = d["counties"] if m.get("level") == "county" else d["cities"]
    return {
        "lang": lang,
        "map": {**m, "geo_url": f"/static/maps/{pack}_{'counties' if m.get('level') == 'county' else 'cities'}.geojson",
                "units": [_chart_unit(u, lang) for u in units]},
        "chains": [_chart_unit(c, lang) for c in d["chains"]],
        "text": {k: t[k] for k in ("revenue_col", "yoy_comparable_col", "count_col", "suppressed",
                                   "unit_yi_short", "map_hint")},
    }


@router.get("/", response_class=HTMLResponse, dependencies=[Depends(require_aggregates)],
            summary="驾驶舱 cockpit page (JSON twin: /api/cockpit)")
def cockpit_page(request: Request, period: str | None = Query(None), region: str | None = Query(None),
                 scope: str = Query("all"), lang: str | None = Query(None)):
    st, user = get_state(request), current_user(request)
    lg = lang_of(lang)
    d = st.cached(("cockpit", period, region, scope, disclosure_key(user)),
                  lambda: model.build(st.store, period, region, scope, cell_rule(st.store, user, st.min_cell)))
    p = parse_period(d["period"]) if d["period"] else None
    ctx = {
        **context(request), "nav": "cockpit",
        "d": d, "lang": lg, "t": strings(lg),
        "period_text": period_label(p, lg) if p else "",
        "status_text": lambda s: status_label(s, lg),
        "url": lambda **kw: page_url(request, **kw),
        "chart_json": json.dumps(chart_payload(d, lg), ensure_ascii=False).replace("</", "<\\/"),
        "has_data": bool(d["kpi"] and d["kpi"]["above_scale_count"]),
    }
    return request.app.state.templates.TemplateResponse(request, "cockpit.html", ctx)
