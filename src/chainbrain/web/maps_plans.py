"""技术路线图 and 应用领域图 — the pages of the pack data a chain office edits, and what the links say.

Rows from :mod:`chainbrain.catalog.maps_pack` (pack file or the chain's override);
observed and estimated buyer chains from :mod:`chainbrain.analytics.application_fields`,
under the disclosure rules of :mod:`chainbrain.web.maps_pages`.
"""

from __future__ import annotations

from chainbrain.analytics import application_fields, supply_view
from chainbrain.catalog import maps_pack
from chainbrain.web import data
from chainbrain.web.disclosure import guard_of
from chainbrain.web.i18n import strings
from chainbrain.web.maps_pages import (_chain_head, _segment_names, can_edit, check_chain, covers_chain, links_of,
                                       mstrings)
from chainbrain.web.pages import _name, _period
from chainbrain.web.render import table


def roadmap_page(store, code, user, lang) -> dict:
    m = mstrings(lang)
    ch = check_chain(store, code)
    pk = maps_pack.rows_for(store, "roadmap", code)
    names = _segment_names(store, code, lang)
    i = 1 if lang == "en" else 0
    rows = []
    for r in pk["rows"]:
        rows.append({**r, "key": r["code"], "name": (r.get("name_en") if lang == "en" and r.get("name_en") else r["name_zh"]),
                     "segment_name": names.get(r.get("segment") or "", ""),
                     "maturity_text": maps_pack.MATURITY_TEXT[r["maturity"]][i],
                     "target_maturity_text": maps_pack.MATURITY_TEXT[r["target_maturity"]][i],
                     "demo_text": m["demo"] if r.get("demo") else ""})
    rows.sort(key=lambda r: (r["target_year"], r["code"]))
    cols = [("name", m["tech"], "text"), ("segment_name", m["segment"], "text"),
            ("maturity_text", m["maturity"], "text"), ("target_maturity_text", m["target_maturity"], "text"),
            ("target_year", m["target_year"], "text"), ("demo_text", m["demo"], "text"), ("source", m["source"], "text")]
    return {"chain": _chain_head(ch, lang), "rows": rows, "version": pk["version"], "origin": pk["origin"],
            "origin_text": m[f"origin_{pk['origin']}"], "pack_version": pk["pack_version"],
            "edited_by": pk["edited_by"], "edited_at": pk["edited_at"], "maturity_levels": list(maps_pack.MATURITY),
            "segments": [{"code": c, "name": n} for c, n in names.items()], "edit_rows": pk["rows"],
            "can_edit": can_edit(user, code), "links": links_of(code),
            "tables": [table("roadmap", m["roadmap"], cols, rows)]}


def fields_derived(store, code, period, rule, user, lang, year: int | None = None) -> dict:
    """What the links say (cached per data version): ``observed`` — sales of the chain's firms to other
    chains' firms (amounts withheld when 1–2 firms or buyers, unless the viewer sees the whole chain);
    ``estimated`` — the input–output estimate by buyer chain, amounts for viewers who see every
    enterprise (the province: an estimate is built from the revenues of the buyers in every chain), the
    order only for everyone else."""
    check_chain(store, code)
    rule = guard_of(store, rule)
    p = _period(store, period)
    sy = year if year is not None else supply_view.supply_year(store, p.year)
    covered = covers_chain(user, code)
    chains = {c["code"]: _name(c, lang) for c in data.chains(store)}
    observed = []
    if sy is not None:
        for r in application_fields.buyer_chains(store, sy, code).to_dict("records"):
            small = not covered and rule.visible is not None and rule.min_cell > 1 and (
                0 < r["firms"] < rule.min_cell or 0 < r["partners"] < rule.min_cell)
            observed.append({**r, "key": r["chain_code"], "name": chains.get(r["chain_code"], r["chain_code"]),
                             "amount_yuan": None if small else r["amount_yuan"],
                             "suppressed": ["amount_yuan"] if small else [],
                             "href": f"/maps/{r['chain_code']}/fields"})
    est_year = sy if sy is not None else p.year
    est = application_fields.estimated_buyer_chains(store, est_year, code)
    amounts = rule.visible is None or rule.min_cell <= 1
    estimated = None
    if est is not None:
        estimated = [{"key": r["chain_code"], "chain_code": r["chain_code"], "rank": i,
                      "name": chains.get(r["chain_code"], r["chain_code"]), "basis": "estimated",
                      "amount_yuan": r["amount_yuan"] if amounts else None,
                      "href": f"/maps/{r['chain_code']}/fields"}
                     for i, r in enumerate(est.to_dict("records"), 1)]
    return {"observed": observed, "estimated": estimated, "supply_year": sy, "estimate_year": est_year,
            "estimate_amounts": amounts}


def fields_page(store, code, user, lang, derived: dict) -> dict:
    m, t = mstrings(lang), strings(lang)
    ch = check_chain(store, code)
    pk = maps_pack.rows_for(store, "fields", code)
    names = _segment_names(store, code, lang)
    rows = []
    for r in pk["rows"]:
        rows.append({**r, "key": r["code"], "name": (r.get("name_en") if lang == "en" and r.get("name_en") else r["name_zh"]),
                     "segments_text": "、".join(names.get(s, s) for s in r.get("segments", [])),
                     "demo_text": m["demo"] if r.get("demo") else ""})
    sy = derived["supply_year"]
    cols = [("name", m["field"], "text"), ("segments_text", m["field_segments"], "text"),
            ("demo_text", m["demo"], "text"), ("source", m["source"], "text")]
    ocols = [("name", m["buyer_chain"], "link"), ("amount_yuan", m["sales"], "yi"), ("firms", m["sellers"], "count"),
             ("partners", m["buyers"], "count")]
    ecols = [("rank", m["rank"], "count"), ("name", m["buyer_chain"], "link")] + \
        ([("amount_yuan", m["sales"], "yi")] if derived["estimate_amounts"] else [])
    tables = [table("fields", m["fields"], cols, rows),
              table("observed", m["buyer_chain"] + " · " + m["observed"], ocols, derived["observed"],
                    t["unit_yi_short"], str(sy) if sy else None)]
    if derived["estimated"] is not None:
        tables.append(table("estimated", m["buyer_chain"] + " · " + m["estimated"], ecols, derived["estimated"],
                            t["unit_yi_short"], str(derived["estimate_year"])))
    return {"chain": _chain_head(ch, lang), "rows": rows, **derived,
            "version": pk["version"], "origin": pk["origin"], "origin_text": m[f"origin_{pk['origin']}"],
            "pack_version": pk["pack_version"], "edited_by": pk["edited_by"], "edited_at": pk["edited_at"],
            "segments": [{"code": c, "name": n} for c, n in names.items()], "can_edit": can_edit(user, code),
            "edit_rows": pk["rows"], "links": links_of(code), "tables": tables}


