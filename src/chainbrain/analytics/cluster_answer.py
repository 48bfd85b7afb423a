"""The cluster answers (JSON twins of the pages, the CLI's output): overview, one cluster, scorecards.

:func:`compute` does the work once per year (membership, figures, stars, scorecards, targets) and
returns the full, undisclosed result with the firm sets of every figure; :func:`view` applies the
viewer's disclosure (:mod:`.cluster_disclosure`) to a copy and shapes one answer:

- ``overview``: every cluster with programme, places, headline figures (revenue, growth, member
  firms), score, the stars of its best own city (a listed city, or the city of a listed county or
  park), and the targets' progress;
- ``cluster``: one cluster's scorecard (five dimensions, indicators with value, reference, gap,
  score and sources), star table by city and its places;
- ``scorecards``: every cluster's scorecard (``chainbrain clusters scorecard``).

``overview`` and ``cluster`` carry the cluster alerts (:mod:`.cluster_alerts`) made from the
disclosed figures, and the pack's alert rule (``alert_rule``, with its version).

A figure without data is None and the pages say "no data" (无数据), never 0.
"""

from __future__ import annotations

import copy

from chainbrain.analytics import cluster_disclosure as CD
from chainbrain.analytics import cluster_figures as CF
from chainbrain.analytics import cluster_scorecard as SC
from chainbrain.analytics.cluster_alerts import alerts as cluster_alerts
from chainbrain.analytics.cluster_stars import star_table
from chainbrain.analytics.cluster_targets import progress
from chainbrain.catalog.pack import load_pack

RULE = ("a member is a designated member firm (cluster_member), or a firm of one of the cluster's segments "
        "located in one of its listed cities, counties or parks (成员：认定的成员企业，或位于集群所列城市、县区、"
        "园区且属于集群环节的企业)")


def rules(store) -> dict:
    """The pack's ``clusters.toml`` (the pack named in the store's ``pack_meta``)."""
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        name = conn.execute(sa.text("SELECT name FROM pack_meta")).scalar()
    try:
        return load_pack(name).cluster_rules
    except (FileNotFoundError, KeyError, OSError):
        return load_pack().cluster_rules


def compute(store, year: int | None = None) -> dict:
    """Everything for ``year`` (default: the latest year with reports), undisclosed."""
    import datetime as dt

    year = year or CF.latest_year(store) or dt.date.today().year
    clusters = CF.clusters(store)
    r = rules(store)
    y = CF.year_of(store, int(year))
    frames = CF.cluster_frame(store, y)
    specs = r.get("scorecard", {}).get("indicator", {})
    kpi = _monitoring(store, y)
    figs = SC.measures(frames, r.get("governance", {}), specs, kpi)
    cards = []
    for c in clusters:
        f = figs.get(c["code"]) or _no_figures(c["code"], r, specs)
        cards.append(SC.scorecard(c, f, r))
    table, measure = star_table(CF.category_frame(store, y), r.get("stars")) if y.month else (None, None)
    stars = [] if table is None else [{k: _plain(v) for k, v in rec.items()} for rec in table.to_dict("records")]
    names = _region_names(store)
    for s in stars:
        s["location_name"] = names.get(s["location"], s["location"])
    revenue = {c["code"]: (figs.get(c["code"]) or {}).get("revenue", {}).get("value") for c in clusters}
    union = SC.union_totals(frames)
    tg = progress(store, r, clusters, revenue, union, y.date, y.month is not None)
    return _deep({"year": y.year, "period": y.period, "partial_year": y.partial, "date": y.date.isoformat(),
            "clusters": clusters, "cards": cards, "stars": stars, "measure": measure,
            "star_rule": {k: v for k, v in r.get("stars", {}).items()}, "targets": tg, "union": union,
            "alert_rule": dict(r.get("alerts", {})),
            "membership_rule": RULE, "monitoring": kpi,
            "reporting": {c: (figs.get(c) or {}).get("revenue", {}).get("firms", []) for c in kpi}})


def _deep(x):
    """numpy scalars → Python, NaN → None, all the way down (the answer is JSON)."""
    if isinstance(x, dict):
        return {k: _deep(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_deep(v) for v in x]
    return _plain(x)


#: the monitoring indicators shown for a cluster scope (docs/monitoring.md); counts stay public
MONITOR = ("above_scale_count", "scale_ups", "exits", "revenue", "revenue_yoy", "revenue_yoy_naive",
           "revenue_contribution", "share_of_province", "profit", "profit_yoy", "loss_share", "value_added_yoy",
           "export_share", "rd_intensity")
COUNTS = ("above_scale_count", "scale_ups", "exits")


def _monitoring(store, y) -> dict:
    """cluster → the monitoring engine's record of the cluster scope in the year's period (the same
    indicators and definitions as every chain and region page), restricted to :data:`MONITOR`."""
    if y.period is None:
        return {}
    from chainbrain.analytics.indicators import evaluate

    out = {}
    for rec in evaluate(store, y.period, by="cluster"):
        out[rec["key"]] = {k: rec.get(k) for k in MONITOR} | \
            {f"{k}_n": rec.get(f"{k}_n") for k in MONITOR if k not in COUNTS}
    return out


def _region_names(store) -> dict:
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT code, name FROM region WHERE level = 'prefecture'")).all())


def _plain(v):
    """numpy scalars → Python; NaN → None (JSON has no NaN)."""
    if isinstance(v, list):
        return v
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    return None if isinstance(v, float) and v != v else v


def _no_figures(code: str, r: dict, specs: dict) -> dict:
    gov = r.get("governance", {}).get(code, {})
    out = {k: {"value": None, "n": 0, "firms": []} for k in specs}
    if gov.get("promotion_organisation") is not None:
        out["promotion_organisation"] = {"value": float(gov["promotion_organisation"]), "n": 0, "firms": [],
                                         "source": gov.get("source")}
    return out


def _rescore(card: dict) -> None:
    for d in card["dimensions"]:
        d["score"] = SC._mean((x["score"], x["weight"]) for x in d["indicators"])
    card["score"] = SC._mean((d["score"], d["weight"]) for d in card["dimensions"])


def _disclosed(full: dict, visible, min_cell: int) -> dict:
    out = copy.deepcopy(full)
    CD.protect_cards(out["cards"], visible, min_cell)
    for c in out["cards"]:
        _rescore(c)
    CD.protect_stars(out["stars"], visible, min_cell)
    CD.protect_monitoring(out["monitoring"], out.pop("reporting"), visible, min_cell)
    hidden_rev = {c["code"] for c in out["cards"] for d in c["dimensions"] for x in d["indicators"]
                  if x["code"] == "revenue" and x.get("suppressed")}
    for it in out["targets"]["items"]:
        if it.get("qualifying"):
            it["qualifying"] = [k for k in it["qualifying"] if k not in hidden_rev]
    u = out.pop("union")
    if visible is not None and min_cell > 1 and 0 < u["n"] < min_cell and not set(u["firms"]) <= visible:
        for it in out["targets"]["items"]:
            if it["code"] in ("cluster_revenue", "cluster_revenue_growth"):
                it["value"] = it["share"] = it["met"] = None
                it["suppressed"] = True
    return out


def _name(x: dict, lang: str) -> str:
    return (x.get("name_en") or x["name_zh"]) if lang == "en" else x["name_zh"]


def _indicator(card: dict, code: str) -> dict | None:
    for d in card["dimensions"]:
        for x in d["indicators"]:
            if x["code"] == code:
                return x
    return None


def view(full: dict, kind: str, visible, min_cell: int, lang: str = "zh", code: str | None = None) -> dict:
    """The disclosed answer ``kind`` (overview | cluster | scorecards) for a viewer."""
    d = _disclosed(full, visible, min_cell)
    head = {"year": d["year"], "period": d["period"], "partial_year": d["partial_year"], "date": d["date"],
            "membership_rule": d["membership_rule"], "measure": d["measure"], "star_rule": d["star_rule"]}
    warn = cluster_alerts(d["cards"], d["targets"], d.get("alert_rule") or {}, d["period"])
    if kind == "scorecards":
        return {**head, "clusters": d["cards"]}
    if kind == "cluster":
        info = next(c for c in d["clusters"] if c["code"] == code)
        card = next(c for c in d["cards"] if c["code"] == code)
        stars = [s for s in d["stars"] if s["cluster"] == code]
        return {**head, "cluster": {**info, "name": _name(info, lang)}, "scorecard": card,
                "monitoring": d["monitoring"].get(code), "alerts": [a for a in warn if a["subject"] == code],
                "alert_rule": d.get("alert_rule"),
                "stars": sorted(stars, key=lambda s: s["location"])}
    rate = next((it["target"] for it in d["targets"]["items"] if it["code"] == "cluster_revenue_growth"), None)
    rows = []
    for info, card in zip(d["clusters"], d["cards"]):
        home = {x["code"] for x in info["cities"]} | {x["city"] for x in info["places"] if x.get("city")}
        best = [s for s in d["stars"] if s["cluster"] == info["code"] and s["location"] in home
                and s.get("stars") is not None]
        top = max(best, key=lambda s: (s["stars"], -int(s["location"])), default=None)   # its own cities only
        rev, gr = _indicator(card, "revenue"), _indicator(card, "revenue_growth")
        mem = _indicator(card, "member_firms")
        rows.append({"code": info["code"], "name": _name(info, lang), "name_zh": info["name_zh"],
                     "program": info["program"], "designated_year": info["designated_year"],
                     "cities": info["cities"], "places": info["places"],
                     "designated_members": info["designated_members"],
                     "revenue_yuan": rev["value"] if rev else None,
                     "revenue_growth": gr["value"] if gr else None,
                     "member_firms": mem["value"] if mem else None,
                     "suppressed": [k for k, x in (("revenue_yuan", rev), ("revenue_growth", gr))
                                    if x and x.get("suppressed")],
                     "score": card["score"],
                     # warning: comparable growth below the upgrade plan's +10 % a year (None: no figure)
                     "below_target_growth": None if rate is None or not gr or gr["value"] is None
                     else gr["value"] < rate,
                     "best_city": None if top is None else top["location"],
                     "best_city_name": None if top is None else top.get("location_name"),
                     "best_city_stars": None if top is None else top["stars"]})
    return {**head, "clusters": rows, "targets": d["targets"], "alerts": warn, "alert_rule": d.get("alert_rule")}
