"""运行分析 page data: the department's indicator set for one scope (province, city or county × chain).

Figures come from :mod:`chainbrain.analytics.operations` and
:mod:`chainbrain.analytics.breakdowns`; this module only selects, labels and
withholds them. Disclosure (DESIGN.md §4): every figure carries ``<key>_n``
(its enterprises); a figure from 1–2 enterprises is withheld (``None``, listed
in ``suppressed``) unless the viewer covers the cell (``rule(chain, region)``
of :func:`chainbrain.web.policy.cell_rule` returns 1). A ranking row whose
growth is withheld loses its rank too. On top of that every figure takes the
viewer's one suppression pattern (``rule`` is the viewer's
:class:`~chainbrain.web.disclosure.Guard`): the scope's totals the state of the
KPI cell (region × chain × scope), divisions / size classes / groups their
breakdown cells, ranking rows the region's comparable cells — complementary
suppression over summary = Σ divisions = Σ sizes, groups ⊂ summary, parent
region = Σ children and the in-record relations (cells in
:mod:`chainbrain.analytics.suppression_ops`, the pattern audited exactly in
:mod:`chainbrain.analytics.suppression_breakdowns`); this module only applies it.
A viewer who does not see the whole scope gets the breakdown tables only when
that audit passes (else the enterprise counts, :data:`COVERED_ONLY`).
"""

from __future__ import annotations

from chainbrain.analytics import suppression_ops
from chainbrain.analytics.breakdowns import divisions_of, growth_breadth, rank_regions, structure_of
from chainbrain.analytics.operations import operations_many
from chainbrain.analytics.sizes import size_labels
from chainbrain.web import data, drill
from chainbrain.web.model import BadRequest, check_scope, resolve_period
from chainbrain.web.render import table

L = {
    "zh": {"title": "运行分析", "summary": "主要经济指标", "divisions": "分行业大类", "sizes": "分企业规模",
           "groups": "高技术制造业与装备制造业", "city_rank": "各市可比增速排名", "county_rank": "各县(市、区)可比增速排名",
           "indicator": "指标", "value": "本期", "base": "上年同期", "change": "增速/增减", "unit": "单位",
           "key": "代码", "name": "名称", "enterprises": "企业数", "va_yoy": "增加值增速", "rev_yoy": "营业收入增速",
           "rank": "位次", "growth": "可比增速", "share": "占增加值比重", "breadth": "增长面",
           "hightech": "高技术制造业", "equipment": "装备制造业", "loss_yoy": "亏损额增速"},
    "en": {"title": "Operations analysis", "summary": "Main indicators", "divisions": "By industry division",
           "sizes": "By enterprise size", "groups": "High-tech and equipment manufacturing",
           "city_rank": "Cities ranked by comparable growth", "county_rank": "Counties ranked by comparable growth",
           "indicator": "Indicator", "value": "Current", "base": "Same period last year", "change": "Growth / change",
           "unit": "Unit", "key": "Code", "name": "Name", "enterprises": "Enterprises", "va_yoy": "Value added YoY",
           "rev_yoy": "Revenue YoY", "rank": "Rank", "growth": "Comparable growth", "share": "Share of value added",
           "breadth": "Share of divisions growing", "hightech": "High-tech manufacturing",
           "equipment": "Equipment manufacturing", "loss_yoy": "Losses YoY"},
}

#: (indicator, 中文, English, value kind, base key, change key, change kind)
SUMMARY = [
    ("gross_output", "工业总产值", "Gross output value", "yi", "gross_output_base", "gross_output_yoy", "pct"),
    ("sales_output", "工业销售产值", "Sales output value", "yi", "sales_output_base", "sales_output_yoy", "pct"),
    ("sales_rate", "产销率", "Sales-to-output ratio", "pct", "sales_rate_base", "sales_rate_change", "pct"),
    ("main_business_revenue", "主营业务收入", "Main-business revenue", "yi", "main_business_revenue_base",
     "main_business_revenue_yoy", "pct"),
    ("cost", "营业成本", "Operating cost", "yi", "cost_base", "cost_yoy", "pct"),
    ("cost_per_100", "每百元营业收入中的成本(元)", "Cost per 100 yuan of revenue (yuan)", "num", "cost_per_100_base",
     "cost_per_100_change", "num"),
    ("profit_margin", "营业收入利润率", "Profit margin", "pct", "profit_margin_base", "profit_margin_change", "pct"),
    ("loss_amount", "亏损企业亏损额", "Losses of loss-making firms", "yi", "loss_amount_base", "loss_amount_yoy", "pct"),
    ("assets", "资产总计", "Total assets", "yi", "assets_base", "assets_yoy", "pct"),
    ("liabilities", "负债合计", "Total liabilities", "yi", "liabilities_base", "liabilities_yoy", "pct"),
    ("debt_ratio", "资产负债率", "Debt-to-asset ratio", "pct", "debt_ratio_base", "debt_ratio_change", "pct"),
    ("receivables", "应收账款", "Accounts receivable", "yi", "receivables_base", "receivables_yoy", "pct"),
    ("receivable_days", "应收账款平均回收期(天)", "Average collection period (days)", "num", "receivable_days_prev",
     "receivable_days_change", "num"),
    ("finished_goods", "产成品存货", "Finished-goods inventory", "yi", "finished_goods_base", "finished_goods_yoy", "pct"),
    ("finished_goods_days", "产成品存货周转天数(天)", "Finished-goods turnover (days)", "num",
     "finished_goods_days_prev", "finished_goods_days_change", "num"),
    ("export", "出口交货值", "Export delivery value", "yi", "export_base", "export_yoy", "pct"),
    ("employees_avg", "从业人员平均人数(人)", "Average employees (persons)", "count", "employees_avg_base",
     "employees_avg_yoy", "pct"),
    ("power", "工业用电量(万千瓦时)", "Industrial electricity (10⁴ kWh)", "wan", "power_base", "power_yoy", "pct"),
    ("energy_per_va", "单位工业增加值用电量(千瓦时/万元)", "Electricity per 10⁴ yuan of value added (kWh)", "num",
     None, None, "num"),
]


SIZE_COLS = ("enterprises", "revenue", "revenue_yoy", "value_added_yoy", "profit_margin", "debt_ratio")
DIV_COLS = ("enterprises", "value_added_yoy", "revenue_yoy", "profit_margin")
NOT_CONFIDENTIAL = ("enterprises",)
#: the breakdown tables (divisions, size classes, high-tech / equipment) split the scope's total several ways;
#: complementary suppression of each relation alone does not protect them when solved together, so a
#: partial viewer gets them only under the pattern of analytics.suppression_breakdowns whose exact audit
#: passes; when it does not (or the table is above its size limit), only viewers who see every enterprise
#: of the scope (min_cell 1) get the figures, other viewers the enterprise counts
COVERED_ONLY = 10 ** 9          # counts of enterprises are published (DESIGN.md §4)


def withhold(rec: dict, min_cell: int) -> dict:
    """A copy of ``rec`` with every figure whose ``<key>_n`` is 1 … min_cell−1 set to None (listed in
    ``suppressed``); a withheld growth takes its rank with it."""
    out = dict(rec)
    hidden = []
    if min_cell > 1:
        for k in list(rec):
            n = rec.get(f"{k}_n")
            if isinstance(n, int) and 0 < n < min_cell and rec[k] is not None and k not in NOT_CONFIDENTIAL:
                out[k] = None
                hidden.append(k)
        if "value" in hidden and "rank" in out and "rank" not in hidden:
            out["rank"] = None
            hidden.append("rank")
    out["suppressed"] = hidden
    return out


def _hidden_cells(rule, period: str, breakdowns: bool = True) -> tuple[frozenset, bool]:
    """(the cells the viewer's pattern withholds, whether the breakdown tables may be published to it).

    The pattern is the viewer's published one (``Guard.pattern``, linked across periods) with the
    breakdown cells of every year of the month added by
    :func:`chainbrain.analytics.suppression_breakdowns.family_pattern` (linked across years as
    the published one is), cached per data version and family; the breakdowns are publishable when
    its exact audit passes (``breakdowns`` False: the published pattern alone). A bare per-cell rule or an
    all-seeing viewer: nothing withheld, publishable."""
    from chainbrain.analytics import suppression, suppression_breakdowns, suppression_periods
    from chainbrain.periods import parse_period
    from chainbrain.web.cache import MISSING
    from chainbrain.web.disclosure import Guard, _cache_of, cache_version
    if not isinstance(rule, Guard) or rule.visible is None or rule.min_cell <= 1:
        return frozenset(), True
    label = parse_period(period).ytd_label
    if not breakdowns:                      # the viewer sees the scope whole: the published pattern
        return rule.pattern(label).hidden, True
    cache, version = _cache_of(rule.store), cache_version(rule.store)
    labels = [x.ytd_label for x in suppression_periods.family(rule.store, label)]
    key = ("ops-pattern", tuple(labels), rule.key, rule.min_cell)
    res = cache.lookup(version, key)
    if res is MISSING:
        def universe(x):
            u = cache.lookup(version, ("ops-universe", x))
            if u is MISSING:
                u = suppression.universe(rule.store, x, breakdowns=True)
                cache.put(version, ("ops-universe", x), u)
            return u
        n = sum(1 for k in universe(label).sets if suppression_breakdowns.is_breakdown(k))
        if n * len(labels) > suppression_breakdowns.MAX_CELLS * 6:       # counts only, without building the rest
            res = suppression_breakdowns.Result(None, [("too many cells", n * len(labels))], 0, [], n, 0, 0)
        else:
            joint = cache.lookup(version, ("ops-joint", tuple(labels)))
            if joint is MISSING:
                joint = suppression_breakdowns.linked_family({x: universe(x) for x in labels},
                                                            suppression._target_base_year(rule.store))
                cache.put(version, ("ops-joint", tuple(labels)), joint)
            base = suppression_breakdowns.family_base({x: rule.pattern(x) for x in labels})
            res = suppression_breakdowns.family_pattern(joint, base, rule.visible, rule.min_cell)
        cache.put(version, key, res)
    if not res.safe:
        return rule.pattern(label).hidden, False
    return frozenset(k[1:] for k in res.pattern.hidden if k[0] == label), True


def _apply(rec: dict, gone: list[str]) -> dict:
    """``rec`` with the pattern's fields ``gone`` also None and listed in ``suppressed``."""
    out = dict(rec)
    extra = [f for f in gone if f not in out["suppressed"]]
    for f in gone:
        out[f] = None
    out["suppressed"] = out["suppressed"] + extra
    return out


def _slim(rows: list[dict], cols: tuple[str, ...]) -> list[dict]:
    """Only the shown columns (and their ``_n``) of grouped records."""
    keep = ("key", "name", "href", *cols, *(f"{c}_n" for c in cols))
    return [{**{k: r[k] for k in keep if k in r}, "suppressed": [c for c in r.get("suppressed", []) if c in cols]}
            for r in rows]


def _names(store) -> dict[str, str]:
    out = {r["code"]: r["name"] for r in data.regions(store, "prefecture")}
    out |= {r["code"]: r["name"] for r in data.regions(store, "county")}
    return out


def operations_page(store, period: str | None, scope: str, region: str | None, chain: str | None, rule,
                    lang: str = "zh") -> dict:
    """Tables of the 运行分析 page (and its JSON twin) for one scope; ``rule(chain, region)`` → min_cell."""
    check_scope(scope)
    p = resolve_period(store, period)
    lab = L["en" if lang == "en" else "zh"]
    head = {"period": p.label if p else None, "scope": scope, "region": region, "chain": chain, "title": lab["title"]}
    if p is None:
        return {**head, "summary": None, "tables": []}
    if region and data.region(store, region) is None:
        raise BadRequest(f"unknown region {region} (未知地区代码)")
    if chain and chain not in {c["code"] for c in data.chains(store)}:
        raise BadRequest(f"unknown chain {chain} (未知产业链)")
    kw = dict(scope=scope, region=region, chain=chain)
    groups = operations_many(store, p, ("all", "size", "division", "hightech", "equipment"), **kw)   # one query
    cell = rule(chain, region)
    sees_all = cell <= 1 or getattr(rule, "visible", ()) is None      # covers the scope, or the administrator
    hid, audited = _hidden_cells(rule, p.label, breakdowns=not sees_all)
    # breakdowns: to viewers who see the whole scope, and to others when the audited pattern passes
    whole = cell if sees_all or audited else COVERED_ONLY
    one = withhold(groups["all"][0], cell) if groups["all"] else {"suppressed": []}
    one = _apply(one, suppression_ops.fields(hid, one, None, chain, region, scope))
    zh = lang != "en"
    rows = []
    for key, name_zh, name_en, kind, base, change, ckind in SUMMARY:
        rows.append({"key": key, "name": name_zh if zh else name_en, "value": one.get(key),
                     "base": one.get(base) if base else None, "change": one.get(change) if change else None,
                     "n": one.get(f"{key}_n", 0),
                     "suppressed": [c for c, k in (("value", key), ("base", base), ("change", change))
                                    if k and k in one["suppressed"]], "_kind": kind, "_ckind": ckind,
                     "_kinds": {"value": kind, "base": kind, "change": ckind},          # the Excel's formats
                     "list_href": drill.list_url(p.label, region, chain)})
    summary = table("summary", lab["summary"], [("name", lab["indicator"], "text"), ("value", lab["value"], "num"),
                                                 ("base", lab["base"], "num"), ("change", lab["change"], "num"),
                                                 ("n", lab["enterprises"], "count")], rows, "", p.label)
    labels = size_labels()
    sizes = _slim([_apply(w, suppression_ops.fields(hid, w, f"size:{r['key']}", chain, region, scope))
                   for r in groups["size"]
                   for w in [withhold({**r, "name": labels.get(r["key"], (r["key"], r["key"]))[0 if zh else 1]},
                                      whole)]], SIZE_COLS)
    size_tb = table("sizes", lab["sizes"], [("name", lab["name"], "text"), ("enterprises", lab["enterprises"], "count"),
                                            ("revenue", lab["value"], "yi"), ("revenue_yoy", lab["rev_yoy"], "pct"),
                                            ("value_added_yoy", lab["va_yoy"], "pct"),
                                            ("profit_margin", "营业收入利润率" if zh else "Profit margin", "pct"),
                                            ("debt_ratio", "资产负债率" if zh else "Debt ratio", "pct")],
                    sizes, "亿元" if zh else "100m yuan", p.label)
    div = divisions_of(groups["division"])
    shown = [_apply(w, suppression_ops.fields(hid, w, f"div:{r['key']}", chain, region, scope))
             for r in div["rows"] if r["enterprises"] > 0 for w in [withhold(r, whole)]]
    div |= growth_breadth(shown, div["measure"], div["min_n"])       # 增长面 over the divisions shown
    div_rows = _slim(shown, DIV_COLS)
    div_tb = table("divisions", f"{lab['divisions']} · {lab['breadth']}", [
        ("key", lab["key"], "text"), ("name", lab["name"], "text"), ("enterprises", lab["enterprises"], "count"),
        ("value_added_yoy", lab["va_yoy"], "pct"), ("revenue_yoy", lab["rev_yoy"], "pct"),
        ("profit_margin", "营业收入利润率" if zh else "Profit margin", "pct")], div_rows, "", p.label)
    st = withhold(structure_of(groups["all"], groups["hightech"], groups["equipment"]), whole)
    st = _apply(st, suppression_ops.structure_fields(hid, st, chain, region, scope))
    grp_rows = [{"key": g, "name": lab[g], "share": st.get(f"{g}_va_share"), "va_yoy": st.get(f"{g}_va_yoy"),
                 "rev_yoy": st.get(f"{g}_revenue_yoy"), "enterprises": st.get(f"{g}_enterprises"),
                 "suppressed": [c for c, k in (("share", f"{g}_va_share"), ("va_yoy", f"{g}_va_yoy"),
                                               ("rev_yoy", f"{g}_revenue_yoy")) if k in st["suppressed"]]}
                for g in ("hightech", "equipment")]
    grp_tb = table("groups", lab["groups"], [("name", lab["name"], "text"), ("enterprises", lab["enterprises"], "count"),
                                             ("share", lab["share"], "pct"), ("va_yoy", lab["va_yoy"], "pct"),
                                             ("rev_yoy", lab["rev_yoy"], "pct")], grp_rows, "", p.label)
    tables = [summary, div_tb, size_tb, grp_tb]
    names = _names(store)
    level = None if not region else (data.region(store, region) or {}).get("level")   # "" = the province
    for lv, tid in (("city", "city_rank"), ("county", "county_rank")):
        if level == "county" or (level == "prefecture" and lv == "city"):
            continue
        ranked = rank_regions(store, p, lv, scope=scope, region=region, chain=chain)
        rrows = [withhold({**r, "name": names.get(r["key"], r["key"]),
                           "href": f"/operations?region={r['key']}" + (f"&chain={chain}" if chain else ""),
                           "list_href": drill.list_url(p.label, r["key"], chain)}, rule(chain, r["key"])) for r in ranked]
        rrows = [_apply(r, [f for f in ("value", "rank") if f in r])
                 if suppression_ops.rank_hidden(hid, chain, r["key"], scope) else r for r in rrows]
        tables.append(table(tid, lab[tid], [("rank", lab["rank"], "count"), ("name", lab["name"], "link"),
                                            ("value", lab["growth"], "pct"), ("value_n", lab["enterprises"], "count")],
                            rrows, "", p.label))
    breadth = {k: div[k] for k in ("growth_breadth", "divisions_counted", "divisions_growing", "divisions_total",
                                   "min_n")}
    return {**head, "days": one.get("days"), "enterprises": one.get("enterprises"), "growth_breadth": breadth,
            "tables": tables, "unsourced": unsourced_notes(lang), "breakdowns_published": whole != COVERED_ONLY}


def unsourced_notes(lang: str = "zh") -> list[dict]:
    """The pack's conventions of this page not yet backed by a reference ([K], ``sourced = false``):
    the 装备制造业 divisions and the turnover-day convention — shown on the page, visibly marked."""
    from chainbrain.analytics.sizes import classifications

    c = classifications()
    return [{"key": k, "note": c[k].get("note_en" if lang == "en" else "note", "")}
            for k in ("equipment", "turnover") if k in c and c[k].get("sourced") is False]
