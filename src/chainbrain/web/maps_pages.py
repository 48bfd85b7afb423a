"""四图 — what the four maps and the supply-network view show (their JSON twins' answers).

This module: the strings, the index, the chain map and the regional distribution;
:mod:`chainbrain.web.maps_plans` the roadmap and application fields,
:mod:`chainbrain.web.maps_supply` the supply network.

Figures come from :mod:`chainbrain.analytics.chain_map`,
:mod:`~chainbrain.analytics.regional_map`, :mod:`~chainbrain.analytics.supply_view`,
:mod:`~chainbrain.analytics.application_fields` and the pack data of
:mod:`chainbrain.catalog.maps_pack`; here they are labelled, filtered by the
viewer's scope and passed through disclosure control:

- segment and county revenue: the viewer's one suppression pattern
  (:class:`~chainbrain.web.disclosure.Guard`, as on the chain and region pages);
- supply amounts and local supporting rates:
  :func:`chainbrain.analytics.flow_disclosure.protect_flows` (cells of 1–2 firms
  or partners withheld, then complementary cells), unless the viewer sees the
  whole chain (province, the chain's office);
- counts of enterprises and presence are ordinal and shown;
- firm-level links (supplier and buyer lists) only for the province and the
  chain's office; gap reasons (with their figures) likewise, other viewers get
  the status.
"""

from __future__ import annotations

import copy

from chainbrain.analytics import chain_map, flow_disclosure, regional_map, supply_view
from chainbrain.web import data, drill, model
from chainbrain.web.disclosure import guard_of
from chainbrain.web.i18n import strings
from chainbrain.web.model import BadRequest
from chainbrain.web.pages import STAGES, _enterprise_rows, _href, _name, _period
from chainbrain.web.policy import sees_enterprises, visible_ids
from chainbrain.web.render import table

S: dict[str, tuple[str, str]] = {
    "maps": ("四图", "Chain maps"),
    "chain_map": ("产业链图", "Chain map"), "roadmap": ("技术路线图", "Technology roadmap"),
    "fields": ("应用领域图", "Application fields"), "regions": ("区域分布图", "Regional distribution"),
    "supply": ("供应网络", "Supply network"),
    "stage": ("环节位置", "Stage"), "segment": ("环节", "Segment"), "level": ("层级", "Level"),
    "firms": ("企业数（家）", "Enterprises"), "reporting": ("规上企业（家）", "Above scale"),
    "revenue": ("营业收入（亿元）", "Revenue (亿元)"), "local_rate": ("本地配套率", "Local supporting rate"),
    "purchases": ("采购额（亿元）", "Purchases (亿元)"), "gap": ("补链状态", "Gap status"),
    "reasons": ("依据", "Reasons"), "flags": ("标记", "Flags"),
    "gap_missing": ("缺链", "missing"), "gap_weak": ("弱链", "weak"), "gap_broken_risk": ("断链风险", "broken-link risk"),
    "gap_ok": ("正常", "ok"), "gap_none": ("—", "—"),
    "bottleneck": ("卡脖子", "bottleneck"),
    "targets": ("招商目标", "Targets"), "firm_list": ("企业", "Enterprises"),
    "firms_title": ("环节企业（您的数据权限内）", "Enterprises of the segment (within your data scope)"),
    "firms_hidden": ("另有 {n} 家不在您的数据权限内，仅计数", "{n} more outside your data scope (counted only)"),
    "enterprise": ("企业", "Enterprise"), "uscc": ("统一社会信用代码", "USCC"), "county": ("县（市、区）", "County"),
    "revenue_wan": ("营业收入（万元）", "Revenue (万元)"),
    "tech": ("关键技术", "Key technology"), "maturity": ("当前成熟度", "Maturity now"),
    "target_maturity": ("目标成熟度", "Target maturity"), "target_year": ("目标年份", "Target year"),
    "source": ("来源", "Source"), "demo": ("演示", "demo"),
    "field": ("应用领域", "Field"), "field_segments": ("服务环节", "Segments serving it"),
    "buyer_chain": ("采购方所在产业链", "Buyers' chain"), "sales": ("销售额（亿元）", "Sales (亿元)"),
    "sellers": ("供货企业（家）", "Selling firms"), "buyers": ("采购企业（家）", "Buying firms"),
    "region": ("地区", "Region"), "city": ("设区市", "City"), "chain_firms": ("本链企业（家）", "Chain firms"),
    "present": ("已有环节数", "Segments present"), "counties_present": ("有企业的县数", "Counties present"), "absent": ("缺失环节", "Segments absent"),
    "chain_revenue": ("本链营业收入（亿元）", "Chain revenue (亿元)"),
    "direction_in": ("流入（采购）", "Inflows (purchases)"), "direction_out": ("流出（销售）", "Outflows (sales)"),
    "place": ("地区", "Place"), "amount": ("金额（亿元）", "Amount (亿元)"),
    "partners_in": ("供应商（家）", "Suppliers"), "partners_out": ("客户（家）", "Buyers"),
    "key_firms": ("本链（环节）企业（家）", "Firms of the key"),
    "lvl_total": ("合计", "total"), "lvl_local": ("省内", "in the province"), "lvl_outside": ("省外", "outside"),
    "suppliers_title": ("供应商明细（保密，仅省级与链办可见）", "Suppliers, firm level (confidential: province and chain office)"),
    "buyers_title": ("客户明细（保密，仅省级与链办可见）", "Buyers, firm level (confidential: province and chain office)"),
    "partner": ("合作企业", "Partner"), "local": ("省内", "In province"),
    "observed": ("实测（发票/采购调查）", "observed (invoices, surveys)"),
    "estimated": ("投入产出估算（按规模分配，估计值）", "estimated from input–output (allocated by size)"),
    "rank": ("位次", "Rank"),
    "no_supply": ("库中没有供应链数据。", "No supply links in the store."),
    "edit": ("编辑", "Edit"), "save": ("保存", "Save"), "add_row": ("添加一行", "Add a row"),
    "origin_pack": ("省级数据包（演示结构）", "province pack (demo structure)"),
    "origin_override": ("链办修改稿", "chain office's edit"),
    "colour_by": ("着色", "Colour by"), "heat": ("营收强度", "Revenue intensity"),
}


def mstrings(lang: str) -> dict:
    i = 1 if lang == "en" else 0
    return {k: v[i] for k, v in S.items()}


def check_chain(store, code: str) -> dict:
    code = model.check_chain(store, code)
    if not code:
        raise BadRequest("chain code required (需要产业链代码)")
    return next(c for c in data.chains(store) if c["code"] == code)


def covers_chain(user, chain: str) -> bool:
    """Firm-level links and unprotected supply figures: the province and the chain's own office."""
    return user is not None and (user.role == "province_admin"
                                 or (user.role == "chain_office" and user.chain_code == chain))


def _chain_head(ch: dict, lang: str) -> dict:
    return {"code": ch["code"], "name": _name(ch, lang), "name_zh": ch.get("name_zh"), "category": ch.get("category")}


def links_of(code: str) -> dict:
    return {"chain": f"/maps/{code}/chain", "roadmap": f"/maps/{code}/roadmap", "fields": f"/maps/{code}/fields",
            "regions": f"/maps/{code}/regions", "supply": f"/maps/{code}/supply"}


# ---------------------------------------------------------------- index
def maps_index(store, lang: str) -> dict:
    m = mstrings(lang)
    rows = []
    for c in data.chains(store):
        rows.append({"key": c["code"], "code": c["code"], "name": _name(c, lang), "href": f"/maps/{c['code']}/chain",
                     "links": links_of(c["code"])})
    return {"chains": rows, "tables": [table("chains", m["maps"], [("name", m["chain_map"], "link")], rows)]}


# ---------------------------------------------------------------- chain map
def _protect_revenue(rule, p, code, segs, scope):
    """Segment revenue and heat through the viewer's pattern (the chain page's rule)."""
    relative = set()
    for s in segs:
        s["suppressed"] = []
        if s["above_scale_count"] and rule.segment_hidden(p.label, code, s["code"], scope):
            if s["heat"] == 1 and s["revenue_ytd_yuan"]:
                relative.add(s["level"])
            s["revenue_ytd_yuan"] = None
            s["heat"] = None
            s["suppressed"] = ["revenue_ytd_yuan", "heat"]
    for s in segs:
        if s["level"] in relative and s["heat"] is not None:
            s["heat"] = None
            s["suppressed"] = s["suppressed"] + ["heat"]


def _flows_protected(rows: list[dict], rule, covered: bool) -> list[dict]:
    return flow_disclosure.protect_flows(rows, rule.min_cell if rule.visible is not None else 1,
                                         seen_firms=covered, seen_partners=covered)


def _memo(memo):
    """``memo(key, compute)``: a cache of viewer-independent analytics shared by the pages (the views pass
    one keyed by data version); the answer is copied, as pages label and protect it in place."""
    if memo is None:
        return lambda key, compute: compute()
    return lambda key, compute: copy.deepcopy(memo(key, compute))


def gap_of(store, memo=None):
    """``(year, chain) -> gap table`` through ``memo``."""
    return lambda year, chain: _memo(memo)(("maps-gaps", year, chain),
                                           lambda: chain_map.gap_table(store, year, chain))


def chain_map_page(store, code, period, scope, rule, user, lang, memo=None) -> dict:
    """The chain map for ``user`` (without a segment's firm list: :func:`with_segment_firms`)."""
    t, m = strings(lang), mstrings(lang)
    scope = model.check_scope(scope)
    ch = check_chain(store, code)
    p = _period(store, period)
    rule = guard_of(store, rule)
    cm = _memo(memo)(("maps-cm", code, p.label, scope),
                     lambda: chain_map.chain_map(store, code, p, scope, gap_of=gap_of(store, memo)))
    segs = cm["segments"]
    _protect_revenue(rule, p, code, segs, scope)
    covered = covers_chain(user, code)
    for s in segs:
        s["name"] = s["name_en"] if lang == "en" and s.get("name_en") else s["name_zh"]
        s["stage_text"] = t[f"stage_{s['stage']}"]
        flags = [f for f in (s.get("flags") or "").split(";") if f]
        s["bottleneck"] = "bottleneck" in flags
        s["flags_text"] = m["bottleneck"] if s["bottleneck"] else ""
        rows = _flows_protected(cm["flows"].get(s["code"], []), rule, covered)
        tot = next((r for r in rows if r["direction"] == "in" and r["level"] == "total"), None)
        top = s["level"] == "segment"                 # flows are kept per top segment
        s["purchases_yuan"] = tot["amount_yuan"] if tot else (0.0 if cm["supply_year"] and top else None)
        s["local_rate"] = flow_disclosure.local_rate(rows) if tot else None
        if tot and tot["amount_yuan"] is None:
            s["suppressed"] = s["suppressed"] + ["purchases_yuan"]
        if tot and s["local_rate"] is None and tot["amount_yuan"] not in (0, 0.0):
            s["suppressed"] = s["suppressed"] + ["local_rate"]
        s["gap_status_text"] = m[f"gap_{s['gap_status']}"] if s["gap_status"] in chain_map.GAP_STATUSES else "—"
        if not covered:
            s["gap_reasons"] = []
        s["gap_reasons_text"] = "；".join(s["gap_reasons"])
        s["key"] = s["code"]
        s["href"] = f"/maps/{code}/chain?segment={s['code']}"
        s["firms_href"] = f"/maps/{code}/chain?segment={s['code']}#firms"
        s["targets_href"] = f"/attract/{code}/targets?segment={s['code']}"
        s["supply_href"] = f"/maps/{code}/supply?segment={s['parent_code'] or s['code']}"
    tree = {"name": _name(ch, lang), "children": []}
    for stage in STAGES:
        node = {"name": t[f"stage_{stage}"], "children": []}
        for s in [x for x in segs if x["stage"] == stage and not x.get("parent_code")]:
            kids = [c for c in segs if c.get("parent_code") == s["code"]]
            node["children"].append({**_node(s), "children": [_node(c) for c in kids]})
        tree["children"].append(node)
    cols = [("stage_text", m["stage"], "text"), ("name", m["segment"], "link"),
            ("enterprise_count", m["firms"], "count"), ("above_scale_count", m["reporting"], "count"),
            ("revenue_ytd_yuan", m["revenue"], "yi"), ("purchases_yuan", m["purchases"], "yi"),
            ("local_rate", m["local_rate"], "pct"), ("gap_status_text", m["gap"], "text"),
            ("gap_reasons_text", m["reasons"], "text"), ("flags_text", m["flags"], "text")]
    tables = [table("segments", m["chain_map"], cols, segs, t["unit_yi_short"], p.label)]
    return {"chain": _chain_head(ch, lang), "period": p.label, "scope": scope, "supply_year": cm["supply_year"],
            "gap_year": cm["gap_year"], "gaps_available": cm["gaps_available"], "segment": None,
            "segments": segs, "tree": tree, "firms": None, "links": links_of(code), "min_cell": rule.min_cell,
            "basis": "observed", "tables": tables}


def with_segment_firms(store, base: dict, segment: str, user, lang) -> dict:
    """The chain map ``base`` with ``segment``'s firm list (the viewer's scope) and its table."""
    t, m = strings(lang), mstrings(lang)
    code = base["chain"]["code"]
    if segment not in {s["code"] for s in base["segments"]}:
        raise BadRequest(f"segment {segment} is not a segment of chain {code} (环节 {segment} 不属于产业链 {code})")
    p = _period(store, base["period"])
    firms = segment_firm_list(store, code, segment, p, base["scope"], user)
    tb = table("firms", m["firms_title"], [("name", m["enterprise"], "link"), ("uscc", m["uscc"], "text"),
                                           ("county_name", m["county"], "text"),
                                           ("revenue_ytd_yuan", m["revenue_wan"], "wan")],
               firms["rows"], t["unit_wan"], p.label)
    return {**base, "segment": segment, "firms": firms, "tables": base["tables"] + [tb]}


def _node(s: dict) -> dict:
    return {"name": s["name"], "code": s["code"], "value": s["enterprise_count"], "heat": s["heat"],
            "revenue": s["revenue_ytd_yuan"], "local_rate": s["local_rate"], "gap": s["gap_status"],
            "suppressed": bool(s["suppressed"]), "href": s["href"]}


def segment_firm_list(store, chain, segment, p, scope, user) -> dict:
    """The segment's firms that ``user`` may see (largest revenue first), all of them (the page shows one
    page of them: :mod:`chainbrain.web.paging`); the others are counted."""
    ranked = chain_map.segment_firms(store, chain, segment, p, scope)
    if not sees_enterprises(user):
        return {"rows": [], "hidden": len(ranked), "total": len(ranked)}
    allowed = visible_ids(store, user, [r["enterprise_id"] for r in ranked])
    shown = [r for r in ranked if r["enterprise_id"] in allowed]
    info = _enterprise_rows(store, [r["enterprise_id"] for r in shown])
    rows = []
    for r in shown:
        e = info.get(r["enterprise_id"], {})
        rows.append({"key": e.get("uscc") or r["enterprise_id"], "name": e.get("name"), "uscc": e.get("uscc"),
                     "county_name": e.get("county_name"), "revenue_ytd_yuan": r["revenue_ytd_yuan"],
                     "href": _href({**e, "id": r["enterprise_id"]})})
    return {"rows": rows, "hidden": len(ranked) - len(allowed), "total": len(ranked)}


def _segment_names(store, code: str, lang: str) -> dict[str, str]:
    from chainbrain.analytics.presence import chain_segments

    segs = chain_segments(store, code)
    return {r.code: (r.name_en if lang == "en" and isinstance(r.name_en, str) and r.name_en else r.name_zh)
            for r in segs.itertuples()}


def can_edit(user, chain: str) -> bool:
    """The chain's own office and the province may edit its roadmap and application fields."""
    return covers_chain(user, chain)


# ---------------------------------------------------------------- regional distribution
def regions_page(store, code, period, scope, rule, user, lang, memo=None) -> dict:
    """The regional distribution for ``user`` (a segment's column: :func:`with_segment`)."""
    t, m = strings(lang), mstrings(lang)
    scope = model.check_scope(scope)
    ch = check_chain(store, code)
    p = _period(store, period)
    rule = guard_of(store, rule)
    names = _segment_names(store, code, lang)
    from chainbrain.analytics.presence import chain_segments

    tops = [r.code for r in chain_segments(store, code).itertuples() if r.level == "segment"]
    end = p.end_date
    mm = _memo(memo)
    cs = mm(("maps-cs", code, end, scope), lambda: regional_map.county_segments(store, code, end, scope))
    cc = mm(("maps-cc", code, end, scope), lambda: regional_map.county_chain(store, code, end, scope))
    by_county: dict[str, dict[str, int]] = {}
    for r in cs.itertuples():
        by_county.setdefault(r.region_code, {})[r.segment_code] = int(r.enterprise_count)
    firms = {r.region_code: int(r.enterprise_count) for r in cc.itertuples()}
    head = model.kpi_of(store, p, code, None, scope)
    counties = model._units(store, p, "county", None, scope, data.regions(store, "county"), rule, head, chain=code)
    cities = {c["code"]: c["name"] for c in data.regions(store, "prefecture")}
    rows = []
    for c in counties:
        segs = by_county.get(c["key"], {})
        present = [s for s in tops if segs.get(s)]
        row = {"key": c["key"], "code": c["key"], "name": c.get("name"), "city": cities.get(c.get("prefecture_code"), ""),
               "chain_firms": firms.get(c["key"], 0), "present": len(present), "segments_total": len(tops),
               "absent_text": "、".join(names.get(s, s) for s in tops if not segs.get(s)) if present else "",
               "revenue_ytd_yuan": c.get("revenue_ytd_yuan"), "suppressed": [f for f in c.get("suppressed", [])
                                                                              if f == "revenue_ytd_yuan"],
               "segments": segs, "href": drill.list_url(p.label, c["key"], code, scale="all")}   # its firms
        rows.append(row)
    rows.sort(key=lambda r: (-r["chain_firms"], r["code"]))
    gaps = gap_of(store, memo)(supply_view.supply_year(store, p.year) or p.year, code)
    seg_rows = []
    for s in tops:
        n_c = sum(1 for r in rows if r["segments"].get(s))
        g = (gaps or {}).get(s)
        seg_rows.append({"key": s, "code": s, "name": names.get(s, s), "counties": n_c,
                         "firms": sum(r["segments"].get(s, 0) for r in rows),
                         "gap_status": g["status"] if g else None,
                         "gap_status_text": m[f"gap_{g['status']}"] if g and g["status"] in chain_map.GAP_STATUSES else "—",
                         "href": f"/maps/{code}/regions?segment={s}"})
    scols = [("name", m["segment"], "link"), ("counties", m["counties_present"], "count"),
             ("firms", m["firms"], "count"), ("gap_status_text", m["gap"], "text")]
    return {"chain": _chain_head(ch, lang), "period": p.label, "scope": scope, "segment": None,
            "segment_name": None, "counties": rows, "segments": seg_rows,
            "links": links_of(code), "gaps_available": gaps is not None,
            "tables": [table("counties", m["regions"], _county_cols(m, None, None), rows, t["unit_yi_short"], p.label),
                       table("segments", m["segment"], scols, seg_rows, "", p.label)]}


def _county_cols(m: dict, segment: str | None, segment_name: str | None) -> list[tuple[str, str, str]]:
    return [("name", m["region"], "link"), ("city", m["city"], "text"), ("chain_firms", m["chain_firms"], "count"),
            ("present", m["present"], "count")] + \
        ([("segment_firms", segment_name + " · " + m["firms"], "count")] if segment else []) + \
        [("revenue_ytd_yuan", m["chain_revenue"], "yi"), ("absent_text", m["absent"], "text")]


def with_segment(base: dict, segment: str, lang: str) -> dict:
    """The regional distribution ``base`` with ``segment``'s firms and presence per county."""
    m, t = mstrings(lang), strings(lang)
    code = base["chain"]["code"]
    names = {s["code"]: s["name"] for s in base["segments"]}
    if segment not in names:
        raise BadRequest(f"segment {segment} is not a top segment of chain {code} (环节 {segment} 不是产业链 {code} 的一级环节)")
    rows = [{**r, "segment_firms": r["segments"].get(segment, 0), "segment_present": bool(r["segments"].get(segment)),
             "href": drill.list_url(base["period"], r["key"], code, segment, "all")} for r in base["counties"]]
    tables = [table("counties", m["regions"], _county_cols(m, segment, names[segment]), rows, t["unit_yi_short"],
                    base["period"])] + base["tables"][1:]
    return {**base, "segment": segment, "segment_name": names[segment], "counties": rows, "tables": tables}


