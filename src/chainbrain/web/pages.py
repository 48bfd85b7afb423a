"""What each working page shows, assembled from analytics, catalog and the viewer's scope.

Every builder returns the JSON twin's answer for one page. Figures come from
:mod:`chainbrain.analytics` (kpi, presence, profile); aggregate cells go
through disclosure control with the viewer's rule
(:func:`chainbrain.web.policy.cell_rule`); enterprise rows are filtered by
:func:`chainbrain.web.policy.enterprise_where` / ``visible_ids``. Nothing here
computes a statistic: ordering, unit conversion for display and labels only.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.analytics import presence, profile
from chainbrain.catalog.designations import kind_name, level_name
from chainbrain.web import data, drill, model
from chainbrain.web import format as fmt
from chainbrain.web.disclosure import guard_of
from chainbrain.web.i18n import strings
from chainbrain.web.model import BadRequest, cell_min, empty_like, protect
from chainbrain.web.policy import enterprise_where, sees_enterprises, visible_ids
from chainbrain.web.render import table

STAGES = ("upstream", "midstream", "downstream")
KEY_LIMIT = 30
ENT_LIMIT = 50                   # a region page's enterprise table: rows per page


def _rows(store, sql: str, **params) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]


def _name(rec: dict, lang: str) -> str:
    return (rec.get("name_en") if lang == "en" else None) or rec.get("name_zh") or rec.get("name") or rec.get("code")


def kpi_columns(t: dict, first: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    return [first, ("revenue_ytd_yuan", t["revenue_col"], "yi"), ("yoy_comparable", t["yoy_comparable_col"], "pct"),
            ("yoy_naive", t["yoy_naive_col"], "pct"), ("above_scale_count", t["count_col"], "count"),
            ("target_status", t["status_col"], "status")]


def _period(store, period):
    p = model.resolve_period(store, period)
    if p is None:
        raise BadRequest("no monthly reports in the store (库中没有月报数据)")
    return p


# ---------------------------------------------------------------- chains
def chains_list(store, period, scope, rule, lang) -> dict:
    t = strings(lang)
    scope = model.check_scope(scope)
    p = _period(store, period)
    head = model.kpi_of(store, p, None, None, scope)
    recs = model._units(store, p, "chain", None, scope, data.chains(store), rule, head)
    for r in recs:
        r["name"] = _name(r, lang)
        r["category_text"] = t.get(f"cat_{r.get('category')}", r.get("category"))
        r["href"] = f"/chains/{r['key']}"
    cols = [("seq", t["official_no"], "count"), ("name", t["chain"], "link"), ("category_text", t["category"], "text")] \
        + kpi_columns(t, ("key", "code", "text"))[1:]
    return {"period": p.label, "scope": scope, "chains": recs,
            "tables": [table("chains", t["chains_title"], cols, recs, t["unit_yi_short"], p.label)]}


def _named_parks(store, parks: list[dict], lang: str) -> list[dict]:
    """Parks with their level and focus chains by name (``level_text``, ``chain_focus_text``)."""
    chains = {c["code"]: _name(c, lang) for c in data.chains(store)}
    for pk in parks:
        pk["level_text"] = level_name(pk.get("level"), lang)
        codes = [x for x in (pk.get("chain_focus") or "").split(";") if x]
        pk["chain_focus_text"] = "、".join(chains.get(x, x) for x in codes) if lang != "en" else \
            ", ".join(chains.get(x, x) for x in codes)
    return parks


def _target_value(tg: dict, t: dict) -> None:
    """``value_text``: a target in the unit people read — yuan as 亿元, shares as %."""
    v, unit = tg.get("target_value"), tg.get("unit")
    if v is None:
        tg["value_text"] = None
    elif unit == "yuan":
        tg["value_text"] = f"{fmt.yi(v)} {t['unit_yi_short']}"
    elif unit == "share":
        tg["value_text"] = fmt.pct(v)
    else:
        tg["value_text"] = f"{v:,g} {unit or ''}".strip()


def chain_page(store, code, period, scope, rule, user, lang, region: str | None = None) -> dict:
    """A chain's page; with ``region`` (a city or county) the KPI cards and key enterprises are the
    chain's in that region (the same disclosure-controlled cell as the region's chain row); the
    segment tree and the cities stay province-wide (segment × region cells are not published)."""
    t = strings(lang)
    scope = model.check_scope(scope)
    code = model.check_chain(store, code)
    if not code:
        raise BadRequest("chain code required (需要产业链代码)")
    ch = next(c for c in data.chains(store) if c["code"] == code)
    p = _period(store, period)
    rule = guard_of(store, rule)
    reg = model.check_region(store, region)
    if reg is not None and reg["level"] == "province":
        reg = None
    here = reg["code"] if reg else None
    head = model.kpi_of(store, p, code, None, scope)
    k = protect(store, model.kpi_of(store, p, code, here, scope) if here else head,
                rule, code, here)
    limit = cell_min(rule, code, here)
    segs = presence.segment_presence(store, code, p, scope=scope)
    relative = set()              # levels whose heat is revenue ÷ the level's largest withheld revenue
    for s in segs:
        s["name"] = s["name_en"] if lang == "en" and s.get("name_en") else s["name_zh"]
        s["stage_text"] = t[f"stage_{s['stage']}"]
        s["suppressed"] = []
        if s["above_scale_count"] and rule.segment_hidden(p.label, code, s["code"], scope):
            if s["heat"] == 1 and s["revenue_ytd_yuan"]:
                relative.add(s["level"])
            s["revenue_ytd_yuan"] = None
            s["heat"] = None
            s["suppressed"] = ["revenue_ytd_yuan", "heat"]
    for s in segs:                # shown revenue ÷ heat would give the withheld maximum back
        if s["level"] in relative and s["heat"] is not None:
            s["heat"] = None
            s["suppressed"] = s["suppressed"] + ["heat"]
    tree = {"name": _name(ch, lang), "children": []}
    for stage in STAGES:
        node = {"name": t[f"stage_{stage}"], "children": []}
        tops = [s for s in segs if s["stage"] == stage and not s.get("parent_code")]
        for s in tops:
            kids = [c for c in segs if c.get("parent_code") == s["code"]]
            node["children"].append({
                "name": s["name"], "code": s["code"], "value": s["enterprise_count"], "heat": s["heat"],
                "revenue": s["revenue_ytd_yuan"], "suppressed": bool(s["suppressed"]),
                "children": [{"name": c["name"], "code": c["code"], "value": c["enterprise_count"],
                              "heat": c["heat"], "revenue": c["revenue_ytd_yuan"],
                              "suppressed": bool(c["suppressed"])} for c in kids]})
        tree["children"].append(node)
    cities = model._units(store, p, "city", None, scope, data.regions(store, "prefecture"), rule, head, chain=code)
    for c in cities:
        c["href"] = f"/regions/{c['key']}"
    parks = _rows(store, "SELECT p.code, p.name, p.level, p.region_code, r.name AS region_name, p.chain_focus "
                         "FROM park p LEFT JOIN region r ON r.code = p.region_code "
                         "WHERE ';' || p.chain_focus || ';' LIKE :pat ORDER BY p.level, p.code", pat=f"%;{code};%")
    targets = _rows(store, "SELECT code, name_zh, name_en, kind, indicator, chain_code, region_code, base_year, "
                           "annual_rate, target_year, target_value, unit FROM target "
                           "WHERE chain_code = :c OR chain_code IS NULL ORDER BY code", c=code)
    for tg in targets:
        tg["name"] = tg["name_en"] if lang == "en" and tg.get("name_en") else tg["name_zh"]
        _target_value(tg, t)
    _named_parks(store, parks, lang)
    keys = key_enterprises(store, code, p, scope, user, here)
    seg_cols = [("stage_text", t["stage"], "text"), ("name", t["segment"], "text"),
                ("enterprise_count", t["ent_count_col"], "count"), ("above_scale_count", t["reporting_col"], "count"),
                ("revenue_ytd_yuan", t["revenue_col"], "yi"), ("heat", t["heat"], "pct")]
    return {
        "period": p.label, "scope": scope, "chain": ch, "kpi": k, "tree": tree, "segments": segs, "region": reg,
        "cities": cities, "parks": parks, "targets": targets, "key_enterprises": keys,
        "min_cell": limit,
        "tables": [
            table("segments", t["presence_title"], seg_cols, segs, t["unit_yi_short"], p.label),
            table("cities", t["cities_title"], kpi_columns(t, ("name", t["region"], "link")), cities,
                  t["unit_yi_short"], p.label),
            table("parks", t["parks_title"], [("name", t["park"], "text"), ("level_text", t["level"], "text"),
                                              ("region_name", t["region"], "text"),
                                              ("chain_focus_text", t["chain_focus"], "text")], parks),
            table("targets", t["targets_title"], [("name", t["target"], "text"),
                                                  ("base_year", t["base_year"], "text"),
                                                  ("annual_rate", t["annual_rate"], "pct"),
                                                  ("target_year", t["target_year"], "text"),
                                                  ("value_text", t["target_value"], "text")],
                  targets),
            table("key_enterprises", t["key_ents_title"], ENT_COLUMNS(t), keys["rows"], t["unit_wan"], p.label),
        ]}


def ENT_COLUMNS(t):
    return [("name", t["enterprise"], "link"), ("uscc", t["uscc"], "text"), ("county_name", t["county"], "text"),
            ("chain_master", t["chain_master"], "text"), ("revenue_ytd_yuan", t["revenue_wan_col"], "wan")]


def _enterprise_rows(store, ids: list[int]) -> dict[int, dict]:
    if not ids:
        return {}
    marks = ",".join(str(int(i)) for i in ids)
    rows = _rows(store, "SELECT e.id, e.uscc, e.name, e.region_code, r.name AS county_name, e.industry_code "
                        f"FROM enterprise e LEFT JOIN region r ON r.code = e.region_code WHERE e.id IN ({marks})")
    return {int(r["id"]): r for r in rows}


def _href(r: dict) -> str:
    return f"/enterprises/{r['uscc'] or r['id']}"


def key_enterprises(store, code, p, scope, user, region: str | None = None) -> dict:
    """The chain's chain masters and largest enterprises (in ``region`` when given) that ``user`` may
    see (others are counted only)."""
    ranked = presence.key_enterprises(store, code, p, region=region, scope=scope)
    if not sees_enterprises(user):
        return {"rows": [], "hidden": len(ranked), "total": len(ranked)}
    allowed = visible_ids(store, user, [r["enterprise_id"] for r in ranked])
    shown = [r for r in ranked if r["enterprise_id"] in allowed][:KEY_LIMIT]
    info = _enterprise_rows(store, [r["enterprise_id"] for r in shown])
    rows = []
    for r in shown:
        e = info.get(r["enterprise_id"], {})
        rows.append({**r, "name": e.get("name"), "uscc": e.get("uscc"), "county_name": e.get("county_name"),
                     "href": _href({**e, "id": r["enterprise_id"]}), "chain_master": r["chain_master"]})
    return {"rows": rows, "hidden": len(ranked) - len(allowed), "total": len(ranked)}


# ---------------------------------------------------------------- regions
def region_page(store, code, period, scope, rule, user, lang, ents=None, every: bool = False) -> dict:
    """A city or county page; its enterprise table is the page ``ents`` (:class:`~chainbrain.web.paging.Paging`,
    default the first :data:`ENT_LIMIT` by revenue) of the region's list, ``every``: the whole list (Excel)."""
    t = strings(lang)
    scope = model.check_scope(scope)
    reg = model.check_region(store, code)
    if reg is None or reg["level"] == "province":
        raise BadRequest(f"not a city or county code: {code} (不是设区市或县级代码)")
    p = _period(store, period)
    rule = guard_of(store, rule)
    head = model.kpi_of(store, p, None, code, scope)
    k = protect(store, head, rule, None, code)
    city = reg["prefecture_code"] or reg["code"]
    chains = model.rank(model._units(store, p, "chain", code, scope, data.chains(store), rule, head), "seq")
    for c in chains:
        c["name"] = _name(c, lang)
        c["href"] = drill.list_url(p.label, code, c["key"])            # the city's firms of the chain
    counties = model._units(store, p, "county", city, scope, data.regions(store, "county", city), rule, head)
    for c in counties:
        c["href"] = f"/regions/{c['key']}"
    where_region = "region_code = :code" if reg["level"] == "county" else \
        "region_code IN (SELECT code FROM region WHERE prefecture_code = :code)"
    parks = _named_parks(store, _rows(store, f"SELECT code, name, level, region_code, chain_focus FROM park "
                                             f"WHERE {where_region} ORDER BY level, code", code=code), lang)
    ents = region_enterprises(store, reg, p, user, rule, scope, lang, ents, every)
    prov = data.province(store)
    crumbs = model.breadcrumb(store, reg, prov)
    return {
        "period": p.label, "scope": scope, "region": reg, "kpi": k, "chains": chains, "counties": counties,
        "parks": parks, "enterprises": ents, "breadcrumb": crumbs,
        "enterprise_list_href": drill.list_url(p.label, code),
        "map": {"level": "county", "parent": city, "selected": code if reg["level"] == "county" else None},
        "tables": [
            table("chains", t["chains_here"], kpi_columns(t, ("name", t["chain"], "link")), chains,
                  t["unit_yi_short"], p.label),
            table("counties", t["counties_title"], kpi_columns(t, ("name", t["region"], "link")), counties,
                  t["unit_yi_short"], p.label),
            table("parks", t["parks_title"], [("name", t["park"], "text"), ("level_text", t["level"], "text"),
                                              ("chain_focus_text", t["chain_focus"], "text")], parks),
            table("enterprises", t["enterprises_title"],
                  [("name", t["enterprise"], "link"), ("county_name", t["county"], "text"),
                   ("industry_name", t["industry"], "text"), ("revenue_ytd_yuan", t["revenue_wan_col"], "wan"),
                   ("yoy_comparable", t["yoy_comparable_col"], "pct"),
                   ("contribution_pp", "Contribution (pp)" if lang == "en" else "拉动（百分点）", "num")],
                  ents["rows"], t["unit_wan"], p.label),
        ]}


def region_enterprise_page(store, d: dict, rule, user, lang, paging, every: bool = False) -> dict:
    """The region page ``d`` with another page of its enterprise table (:func:`region_enterprises`):
    the rest of the page is reused as it is."""
    ents = region_enterprises(store, d["region"], _period(store, d["period"]), user, rule, d["scope"], lang,
                              paging, every)
    tables = [{**tb, "rows": ents["rows"]} if tb["id"] == "enterprises" else tb for tb in d["tables"]]
    return {**d, "enterprises": ents, "tables": tables}


def region_enterprises(store, reg, p, user, rule=None, scope: str = "all", lang: str = "zh", paging=None,
                       every: bool = False) -> dict:
    """Enterprises located in the region that ``user`` may see: the page ``paging`` (``limit``,
    ``offset``, ``sort`` of :data:`chainbrain.analytics.enterprise_list.SORTS`; default the first
    :data:`ENT_LIMIT` by revenue for the period) of the region's enterprise list
    (:mod:`chainbrain.web.drill`, every scale), so the region page shows the same industry names,
    comparable growth and contribution as the list its "all enterprises" link opens. ``every``: all
    rows (the Excel download)."""
    from chainbrain.web.paging import Paging

    paging = paging or Paging(limit=ENT_LIMIT, sort="-revenue_ytd_yuan", prefix="ents_")
    if not sees_enterprises(user):                   # no rows to show: count them, spare the list's frame
        loc = "region_code = :code" if reg["level"] == "county" else \
            "region_code IN (SELECT code FROM region WHERE prefecture_code = :code)"
        with store.engine.connect() as conn:
            total = int(conn.execute(sa.text(f"SELECT COUNT(*) FROM enterprise WHERE {loc}"), {"code": reg["code"]}).scalar())
        return {"rows": [], "hidden": total, "total": total, "visible": 0, "more": 0, **paging.meta(0)}
    c = drill.check(store, {"period": p.label, "region": reg["code"], "scope": scope, "scale": "all",
                            "limit": str(paging.limit), "offset": str(paging.offset),
                            "sort": paging.sort or "-revenue_ytd_yuan"})
    d = drill.answer(store, c, drill.frame(store, c), guard_of(store, rule), user, lang, limit_all=every)
    rows = [{**r, "id": r.get("enterprise_id")} for r in d["items"]]
    total = d["total"] + d["withheld"]
    return {"rows": rows, "hidden": d["withheld"], "total": total, "visible": d["total"],
            "more": max(0, d["total"] - paging.offset - len(rows)), "page": paging.meta(d["total"])}


# ---------------------------------------------------------------- enterprise
def _seen_partners(store, user, parts: list[dict]) -> dict[int, dict]:
    """USCC and name of the partners ``user`` may see, by id (:func:`visible_ids`; the others stay
    anonymous — DESIGN.md §4)."""
    seen = visible_ids(store, user, {int(x["partner_id"]) for x in parts})
    return {int(x["partner_id"]): {"id": int(x["partner_id"]), "uscc": x["partner_uscc"], "name": x["partner_name"]}
            for x in parts if int(x["partner_id"]) in seen}


def enterprise_page(store, eid: int, lang, user=None, names: dict | None = None, index=None) -> dict:
    """The profile of enterprise ``eid`` for ``user`` (whose scope the caller has checked).

    Two round trips (:func:`chainbrain.analytics.profile.enterprise_profile`), a third when partners
    must be checked against a scope narrower than the province (:func:`visible_ids`), so ``store`` may be a reader without
    the analytics lock (:func:`chainbrain.web.auth.read_store`); ``names``: the catalog names
    (:func:`~chainbrain.analytics.profile.catalog_names`, cached by the caller). The answer depends on
    ``user`` only through the scope that decides which partners are named. ``index``: the application's
    :class:`~chainbrain.analytics.profile_index.ProfileIndex` of the current data (no round trip)."""
    t = strings(lang)
    names = names or profile.catalog_names(store)
    d = profile.enterprise_profile(store, eid, names, index)
    parts = d["partners"]
    info = _seen_partners(store, user, parts)
    ident, segs, hist, annual, des, scale = (d[k] for k in ("enterprise", "segments", "monthly", "annual",
                                                            "designations", "scale"))
    for s in segs:
        s["segment"] = s["segment_en"] if lang == "en" and s.get("segment_en") else s["segment_zh"]
        s["chain"] = s["chain_en"] if lang == "en" else s["chain_zh"]
        s["href"] = f"/chains/{s['chain_code']}"
        s["method_text"] = t.get(f"method_{s['method']}", s["method"])
    chain_names, today = names.get("chain") or {}, dt.date.today().isoformat()
    for x in des:                                         # names, not codes, on the page
        x["kind_text"], x["level_text"] = kind_name(x["kind"], lang), level_name(x["level"], lang)
        ch = chain_names.get(x["chain_code"]) if x.get("chain_code") else None
        x["chain_text"] = (ch[1] if lang == "en" else ch[0]) if ch else x.get("chain_code")
        head = " · ".join(v for v in (x["kind_text"], x["chain_text"]) if v)
        x["label"] = f"{head} ({x['level_text']})" if lang == "en" else f"{head}（{x['level_text']}）"
        x["current"] = (x["valid_from"] or "") <= today < (x["valid_to"] or "9999")   # valid_to exclusive
    for x in parts:                                       # partners outside the scope stay anonymous
        x.pop("partner_uscc"), x.pop("partner_name")
        e = info.get(int(x["partner_id"]), {})
        if not e:
            x["partner_id"] = None
            x["name"] = t["partner_hidden"]
        else:
            x["name"] = e.get("name")
        x["uscc"] = e.get("uscc")
        x["href"] = _href({**e, "id": x["partner_id"]}) if e else None
        x["direction_text"] = t[f"dir_{x['direction']}"]
    return {
        "enterprise": ident, "segments": segs, "monthly": hist, "annual": annual, "partners": parts,
        "designations": des, "scale": scale,
        "tables": [
            table("segments", t["segments_title"],
                  [("chain", t["chain"], "text"), ("segment", t["segment"], "text"),
                   ("segment_code", t["segment_code"], "text"), ("method_text", t["method"], "text"),
                   ("confidence", t["confidence"], "pct"), ("evidence", t["evidence"], "text")], segs),
            table("monthly", t["history_title"],
                  [("period", t["period"], "text"), ("revenue_ytd", t["revenue_ytd_col"], "wan"),
                   ("revenue_month", t["revenue_month_col"], "wan"), ("yoy", t["yoy_col"], "pct"),
                   ("profit_ytd", t["profit_wan_col"], "wan"), ("employees", t["employees"], "count")],
                  hist, t["unit_wan"]),
            table("annual", t["annual_title"],
                  [("year", t["year"], "text"), ("revenue", t["revenue_wan_col"], "wan"),
                   ("profit", t["profit_wan_col"], "wan"), ("employees", t["employees"], "count")],
                  annual, t["unit_wan"]),
            table("partners", t["partners_title"],
                  [("name", t["partner"], "link"), ("direction_text", t["direction"], "text"),
                   ("year", t["year"], "text"), ("amount", t["amount_col"], "wan")], parts, t["unit_wan"]),
            table("designations", t["designations_title"],
                  [("kind_text", t["kind"], "text"), ("level_text", t["level"], "text"), ("chain_text", t["chain"], "text"),
                   ("valid_from", t["valid_from"], "text"), ("valid_to", t["valid_to"], "text")], des),
        ]}


__all__ = ["chains_list", "chain_page", "region_page", "enterprise_page", "empty_like"]
