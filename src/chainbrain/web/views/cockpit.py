"""驾驶舱 — the province cockpit page (JSON twin: ``GET /api/cockpit``).

Headline KPI cards, a map of cities (or a city's counties after drill-down)
and the ranking of the key chains, each chart with a table view. Figures
come from :func:`chainbrain.web.model.build`; this module only formats them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from chainbrain.periods import parse_period
from chainbrain.web import format as fmt
from chainbrain.web import alerts_view, api, data, home, pending
from chainbrain.web.auth import current_user
from chainbrain.web.i18n import lang_of, period_label, status_label, strings
from chainbrain.web.policy import require_aggregates
from chainbrain.web.render import chart_json, context
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


MON_TEXT = {
    "targets_title": ("目标进度（2026）", "Progress to the 2026 targets"),
    "target": ("目标", "Target"), "actual": ("实际", "Actual"), "path_col": ("路径值/目标值", "Path / target"),
    "gap": ("差距", "Gap"), "status": ("状态", "Status"),
    "req_rest": ("年内剩余月份需增长", "Growth still required this year"),
    "req_year": ("至目标年每年需增长", "Growth still required per year to target"),
    "req_rest_tip": ("本年剩余月份的营业收入须比上年同期增长多少，全年才能达到本年目标路径（可比口径）",
                     "how much the remaining months of this year must grow on a year earlier for the year to "
                     "reach this year's target path (comparable basis)"),
    "req_year_tip": ("从本年起至目标年，每年须保持的增速，才能达到目标值",
                     "the growth needed every year from now to the target year to reach the target value"),
    "target_value": ("目标值", "Target value"), "bounds": ("区间", "bounds"),
    "share_vs": ("占比 {v}（{lo}–{hi}），目标 ≥ {t}，差 {g} 个百分点",
                 "share {v} ({lo}–{hi}) vs target ≥ {t}, gap {g} pp"),
    "no_data": ("暂无数据", "no data"),
    "basis": ("口径", "Basis"), "value": ("值", "Value"), "target_col": ("目标", "Target"),
    "second": ("第二口径", "Second figure"),
    "basis_comparable": ("可比口径", "comparable"), "basis_level": ("总量口径", "level"),
    "basis_estimate": ("估计值（区间）", "estimate (bounds)"), "basis_none": ("—", "—"),
    "gap_pp": ("差 {} 个百分点", "gap {} pp"),
    "index_note": ("可比口径累计指数，基年 = 100%", "chained comparable index, base year = 100%"),
    "annualized_note": ("按上年季节比例折算的全年值", "annualized with last year's seasonal share"),
    "level_path_note": ("本年路径值（由上年实际匀速增长至目标）→ 目标值",
                        "this year's path (constant growth from last year's actual to the target) → target"),
    "targets_note": ("增长目标按可比口径累计增速判定（总量口径为第二口径）；"
                     "占比区间跨越目标时状态为“待定”。",
                     "Growth targets are judged on chained comparable growth (levels are the second figure); "
                     "a share whose bounds straddle the target is 'undetermined'."),
    "kpi_ratio_comparable": ("可比口径 累计/路径", "comparable: index/path"),
    "kpi_ratio_level": ("总量口径 实际/路径", "level: actual/path"),
    "projection_title": ("营业收入预测", "Revenue projection"),
    "proj_actual": ("实际（全年）", "Actual (year)"), "proj_ytd": ("实际（本年累计）", "Actual (YTD)"),
    "proj_required": ("目标路径", "Target path"), "proj_point": ("预测", "Projection"),
    "proj_low": ("80%区间下限", "80% low"), "proj_high": ("80%区间上限", "80% high"),
    "proj_band": ("80%区间", "80% interval"), "year": ("年份", "Year"),
    "method_seasonal_mean": ("季节比例（近3年均值）+ 趋势外推，区间按回测校准",
                             "seasonal share (3-year mean) + drift, interval calibrated by backtest"),
    "method_seasonal_last": ("季节比例（上年）+ 趋势外推，区间按回测校准",
                             "seasonal share (last year) + drift, interval calibrated by backtest"),
    "method_actual": ("全年实际", "full-year actual"),
    "alerts_title": ("预警", "Early warnings"), "alerts_none": ("本期无预警", "No alerts this period"),
    "rule": ("规则", "Rule"), "figures": ("数据", "Figures"), "period": ("统计期", "Period"),
    "severity": ("严重程度", "Severity"), "subject": ("对象", "Subject"),
    "alerts_stored": ("数据导入后预先计算", "precomputed after the import"),
    "alerts_computed": ("即时计算", "computed on request"),
    "confidential_note": ("涉及单个企业的预警仅对数据权限覆盖该企业的登录用户显示",
                          "alerts about individual enterprises are shown only to signed-in users whose scope covers them"),
    "rule_below_path": ("连续低于目标路径", "below target path"),
    "rule_chain_master_drop": ("链主企业营收下滑", "chain master revenue drop"),
    "rule_loss_share_rising": ("亏损面上升", "loss-making share rising"),
    "rule_city_share_shrinking": ("城市占比下降", "city share shrinking"),
}


UNDETERMINED = ("待定", "Undetermined")


def mon_text(lang: str) -> dict:
    i = 1 if lang == "en" else 0
    return {k: v[i] for k, v in MON_TEXT.items()}


def figures_text(figs) -> str:
    """An alert's figures as one short line (values as stored: yuan in 亿元, fractions in %)."""
    parts = []
    for f in figs if isinstance(figs, list) else [figs]:
        if not isinstance(f, dict):
            continue
        items = []
        for k, v in f.items():
            if isinstance(v, float):
                v = fmt.yi(v) + "亿" if k.endswith("_yuan") or abs(v) >= 1e6 else \
                    (fmt.pct(v) if abs(v) < 10 else f"{v:,.2f}")
            items.append(f"{k}={v}")
        parts.append(", ".join(items))
    return "; ".join(parts)


def projection_payload(proj: dict | None, lang: str) -> dict | None:
    """The projection chart's series (亿元) for cockpit.js; the table view shows the same rows."""
    if not proj or not proj.get("series"):
        return None
    m = mon_text(lang)

    def v(x):
        return round(x / fmt.YI, 4) if x is not None else None
    rows = proj["series"]["rows"]
    return {"years": [str(r["year"]) for r in rows],
            "actual": [v(r["actual_yuan"]) for r in rows], "ytd": [v(r["actual_ytd_yuan"]) for r in rows],
            "required": [v(r["required_yuan"]) for r in rows], "projected": [v(r["projected_yuan"]) for r in rows],
            "low": [v(r["interval_low_yuan"]) for r in rows], "high": [v(r["interval_high_yuan"]) for r in rows],
            "text": {k: m[k] for k in ("proj_actual", "proj_ytd", "proj_required", "proj_point", "proj_band")}}


def chart_payload(d: dict, lang: str) -> dict:
    """The JSON embedded in the page for cockpit.js (map and bar chart)."""
    t = strings(lang)
    m = d.get("map") or {}
    units = d["counties"] if m.get("level") == "county" else d["cities"]
    return {
        "lang": lang,
        "map": {**m, "geo_url": data.map_url(d.get("pack"), m.get("level")),
                "units": [_chart_unit(u, lang) for u in units]},
        "chains": [_chart_unit(c, lang) for c in d["chains"]],
        "projection": projection_payload(d.get("projection"), lang),
        "text": {k: t[k] for k in ("revenue_col", "yoy_comparable_col", "count_col", "suppressed",
                                   "unit_yi_short", "map_hint")},
    }


def cockpit_tables(d: dict, lang: str) -> list[dict]:
    """The cockpit's region and chain tables as page tables (:func:`chainbrain.web.render.table`), the
    rows exactly as the page shows them (already disclosure-controlled), for its Excel downloads."""
    from chainbrain.web.render import table

    t = strings(lang)
    cols = [("revenue_ytd_yuan", t["revenue_col"], "yi"), ("yoy_comparable", t["yoy_comparable_col"], "pct"),
            ("yoy_naive", t["yoy_naive_col"], "pct"), ("above_scale_count", t["count_col"], "count"),
            ("target_status", t["status_col"], "status")]
    units = d["counties"] if (d.get("map") or {}).get("level") == "county" else d["cities"]
    chains = [{**c, "name": (c.get("name_en") if lang == "en" else None) or c.get("name_zh")} for c in d["chains"]]
    return [table("regions", t["region_table"], [("name", t["region"], "text")] + cols, units, t["unit_yi_short"],
                  d["period"]),
            table("chains", t["chain_title"], [("rank", t["rank"], "count"), ("name", t["chain"], "text")] + cols,
                  chains, t["unit_yi_short"], d["period"])]


@router.get("/", response_class=HTMLResponse, dependencies=[Depends(require_aggregates)],
            summary="驾驶舱 cockpit page (JSON twin: /api/cockpit)")
def cockpit_page(request: Request, period: str | None = Query(None), region: str | None = Query(None),
                 scope: str = Query("all"), lang: str | None = Query(None)):
    st, user = get_state(request), current_user(request)
    target = home.home_of(user)                                        # a home for every role (web/home.py)
    raw = getattr(request.state, "raw_query", request.url.query)
    if target and (home.asked_nothing(raw) or (user.role == "enterprise" and not request.query_params.get("region"))):
        from fastapi.responses import RedirectResponse

        return RedirectResponse(home.with_lang(target, lang_of(lang)), status_code=303)
    lg = lang_of(lang)
    pending.allow(request)                                             # "计算中" past 2 s (web/pending.py)
    d = api.cockpit_full(st, user, period, region, scope)
    if request.query_params.get("format") == "xlsx":                  # the page's tables, as shown
        from chainbrain.web.render import reply

        return reply(request, {"tables": cockpit_tables(d, lg)}, "cockpit")
    p = parse_period(d["period"]) if d["period"] else None
    ctx = {
        **context(request), "nav": "cockpit",
        "d": d, "lang": lg, "t": strings(lg),
        "period_text": fmt.period_words(d["period"], lg) if p else "",
        "status_text": lambda s: UNDETERMINED[lg == "en"] if s == "undetermined" else status_label(s, lg),
        "url": lambda **kw: page_url(request, **kw),
        "chart_json": chart_json(chart_payload(d, lg)),
        "has_data": bool(d["kpi"] and d["kpi"]["above_scale_count"]),
        "m": mon_text(lg), "figures_text": figures_text,
        "alert_rows": alerts_view.view(d.get("alerts") or [], d.get("region"), lg),
    }
    return request.app.state.templates.TemplateResponse(request, "cockpit.html", ctx)
