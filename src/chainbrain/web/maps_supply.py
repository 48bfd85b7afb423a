"""供应网络 — the supply network of a chain, a segment or a chain master (flows by place, firm lists).

Flows from :mod:`chainbrain.analytics.supply_view`, protected by
:mod:`chainbrain.analytics.flow_disclosure` unless the viewer sees the whole chain;
firm-level lists for the province and the chain's office only.

:func:`supply_page` builds the whole lists (cached); :func:`paged` cuts each of the four — flows in
(``inflows_``), flows out (``outflows_``), suppliers (``suppliers_``), buyers (``buyers_``) — to the page
asked for (:mod:`chainbrain.web.paging`: ``{prefix}limit`` ≤ 500, default 50, ``{prefix}offset``,
``{prefix}sort``, ``{prefix}q``; ``{prefix}page`` says ``limit``, ``offset``, ``total``). The Excel
download gives every row, and the charts the 15 largest places of the whole list.
"""

from __future__ import annotations

from chainbrain.analytics import flow_disclosure, supply_view
from chainbrain.ingest.parse import PROVINCES
from chainbrain.web import data
from chainbrain.web.disclosure import guard_of
from chainbrain.web.i18n import strings
from chainbrain.web.maps_pages import _chain_head, _segment_names, check_chain, covers_chain, links_of, mstrings
from chainbrain.web.model import BadRequest
from chainbrain.web.paging import Paging
from chainbrain.web.pages import _enterprise_rows, _href, _name, _period
from chainbrain.web.policy import sees_enterprises, visible_ids
from chainbrain.web.render import table


def _place_name(code: str, regions: dict, lang: str, m: dict) -> str:
    if code in ("local", "outside", "total"):
        return m[f"lvl_{code}"]
    if code in regions:
        return regions[code]
    if code and code[:2] in PROVINCES and code.endswith("0000"):
        return PROVINCES[code[:2]]
    return code or "—"


def supply_page(store, code, period, rule, user, lang, segment: str | None = None, master: str | None = None,
                year: int | None = None) -> dict:
    from chainbrain.web.policy import NotVisible, resolve_enterprise

    t, m = strings(lang), mstrings(lang)
    ch = check_chain(store, code)
    rule = guard_of(store, rule)
    p = _period(store, period)
    sy = year if year is not None else supply_view.supply_year(store, p.year)
    covered = covers_chain(user, code)
    regions = {r["code"]: r["name"] for r in data.regions(store, "prefecture")}
    names = _segment_names(store, code, lang)
    if segment and segment not in names:
        raise BadRequest(f"segment {segment} is not a segment of chain {code} (环节 {segment} 不属于产业链 {code})")
    by, key, seen_firms, title = "chain", code, covered, _name(ch, lang)
    if master:
        eid = resolve_enterprise(store, master)
        if eid is None or not (covered or eid in visible_ids(store, user, [eid])):
            raise NotVisible()
        by, key, seen_firms = "enterprise", str(eid), True
        title = _enterprise_rows(store, [eid]).get(eid, {}).get("name") or master
    elif segment:
        by, key, title = "segment", segment, names[segment]
    rows = []
    if sy is not None:
        raw = supply_view.flows(store, sy, by, key).to_dict("records")
        rows = flow_disclosure.protect_flows(raw, rule.min_cell if rule.visible is not None else 1,
                                             seen_firms=seen_firms, seen_partners=covered)
    for r in rows:
        r["name"] = _place_name(r["place"], regions, lang, m)
        r["level_text"] = m[f"lvl_{r['level']}"] if r["level"] != "place" else (
            m["lvl_local"] if r["side"] == "local" else m["lvl_outside"])
        r["key"] = f"{r['direction']}:{r['level']}:{r['place']}"
    rate = flow_disclosure.local_rate(rows) if rows else None
    cols_in = [("level_text", m["level"], "text"), ("name", m["place"], "text"), ("amount_yuan", m["amount"], "yi"),
               ("partners", m["partners_in"], "count"), ("firms", m["key_firms"], "count")]
    cols_out = [("level_text", m["level"], "text"), ("name", m["place"], "text"), ("amount_yuan", m["amount"], "yi"),
                ("partners", m["partners_out"], "count"), ("firms", m["key_firms"], "count")]
    inflows = [r for r in rows if r["direction"] == "in"]
    outflows = [r for r in rows if r["direction"] == "out"]
    tables = [table("inflows", m["direction_in"], cols_in, inflows, t["unit_yi_short"], str(sy) if sy else None),
              table("outflows", m["direction_out"], cols_out, outflows, t["unit_yi_short"], str(sy) if sy else None)]
    suppliers = buyers = None
    if covered and sy is not None:
        ff = supply_view.firm_flows(store, sy, by, key)
        info = _enterprise_rows(store, ff["partner_id"].tolist())
        firm_rows = []
        for r in ff.to_dict("records"):
            e = info.get(r["partner_id"], {})
            firm_rows.append({**r, "key": e.get("uscc") or r["partner_id"], "name": e.get("name"), "uscc": e.get("uscc"),
                              "place_name": _place_name(r["place"], regions, lang, m),
                              "local_text": m["local"] if r["is_local"] else "",
                              "href": _href({**e, "id": r["partner_id"]})})
        suppliers = [r for r in firm_rows if r["direction"] == "in"]
        buyers = [r for r in firm_rows if r["direction"] == "out"]
        fcols = [("name", m["partner"], "link"), ("uscc", m["uscc"], "text"), ("place_name", m["place"], "text"),
                 ("local_text", m["local"], "text"), ("amount_yuan", m["amount"], "yi"),
                 ("firms", m["key_firms"], "count")]
        tables += [table("suppliers", m["suppliers_title"], fcols, suppliers, t["unit_yi_short"], str(sy)),
                   table("buyers", m["buyers_title"], fcols, buyers, t["unit_yi_short"], str(sy))]
    masters = chain_masters(store, code, p, user)
    return {"chain": _chain_head(ch, lang), "period": p.label, "supply_year": sy, "segment": segment,
            "master": master, "title": title, "masters": masters, "by": by, "local_rate": rate, "basis": "observed",
            "inflows": inflows, "outflows": outflows, "suppliers": suppliers, "buyers": buyers,
            "firm_level": covered, "segments": [{"code": c, "name": n} for c, n in names.items()],
            "links": links_of(code), "tables": tables}


def chain_masters(store, code, p, user) -> list[dict]:
    """The chain's masters (链主, designations valid on the period's last day) that ``user`` may see, each
    with the link to its supply network; the others are not listed."""
    from chainbrain.analytics.presence import key_enterprises

    ids = [r["enterprise_id"] for r in key_enterprises(store, code, p) if r["chain_master"]]
    if not ids or not sees_enterprises(user):
        return []
    allowed = visible_ids(store, user, ids)
    info = _enterprise_rows(store, [i for i in ids if i in allowed])
    out = []
    for i in ids:
        if i in allowed:
            e = info.get(i, {})
            key = e.get("uscc") or str(i)
            out.append({"key": key, "name": e.get("name"), "href": f"/maps/{code}/supply?master={key}"})
    return out


#: the four lists of the page: (key = table id = prefix without "_", sort fields, fields ``q`` looks in)
FLOW_SORTS = ("amount_yuan", "name", "level_text", "partners", "firms")
FIRM_SORTS = ("amount_yuan", "name", "uscc", "place_name", "firms")
LISTS = (("inflows", FLOW_SORTS, ("name", "level_text")), ("outflows", FLOW_SORTS, ("name", "level_text")),
         ("suppliers", FIRM_SORTS, ("name", "uscc", "place_name")), ("buyers", FIRM_SORTS, ("name", "uscc", "place_name")))
#: bars in a flow chart: the largest places of the whole list
CHART_PLACES = 15


def chart_flows(d: dict) -> dict:
    """The flow charts' data: the :data:`CHART_PLACES` largest places in and out (of the whole lists)."""
    def top(rows):
        places = [r for r in rows if r["level"] == "place"]
        return sorted(places, key=lambda r: -(r["amount_yuan"] or 0))[:CHART_PLACES]
    return {"in": top(d["inflows"]), "out": top(d["outflows"])}


def paged(query, d: dict, url=None) -> dict:
    """``d`` (:func:`supply_page`) with each list cut to its page (module docstring), its table too, and
    ``{list}_page`` = :meth:`Paging.meta` plus ``prev``/``next`` when ``url(**changes)`` is given.
    :class:`chainbrain.web.model.BadRequest` (400) for a bad ``limit``, ``offset``, ``sort`` or ``q``."""
    out = dict(d)
    cut = {}
    for key, sorts, fields in LISTS:
        pg = Paging.from_query(query, prefix=key + "_", sorts=sorts, default_sort="-amount_yuan")
        if d.get(key) is None:                  # firm lists: not for this viewer
            continue
        rows, meta = pg.apply(d[key], fields)
        out[key] = cut[key] = rows
        out[key + "_page"] = {**meta, **(pg.links(url, meta["total"]) if url else {})}
    out["tables"] = [{**tb, "rows": cut[tb["id"]]} if tb["id"] in cut else tb for tb in d["tables"]]
    return out
