"""Disclosure of the cluster figures (DESIGN.md §4; the primary rule of ``web/disclosure.py``).

Each published cluster figure is a sum over a known set of firms (``firms``). For a viewer who sees
the enterprises ``visible`` individually (None: all):

1. **primary**: a figure built from 0 < n < ``min_cell`` firms is withheld unless the viewer sees
   all of them;
2. **nested clusters**: when one cluster's firms of a figure are a strict subset of another's and
   the difference is 0 < d < ``min_cell`` firms the viewer does not all see, the larger cluster's
   figure is withheld (else the difference of the two published sums gives those firms away);
3. **star rows**: per cluster category, the city cells add up to the category's province total,
   which the location quotients reveal; when exactly one positive cell of a row is withheld, the
   smallest other positive cell is withheld too (the classic complementary cell).

A withheld figure's value, gap, score (and a cell's LQ, share and stars) become None and its name
is listed in ``suppressed``; counts of firms (member firms, designations) are not confidential
and stay. Scores of dimensions are recomputed without withheld indicators by the caller.
"""

from __future__ import annotations

MONEY_FIELDS = ("value", "gap", "score")
CELL_FIELDS = ("x", "share", "lq", "star_size", "star_specialisation", "star_focus", "stars")


def _hidden(ids, visible, min_cell: int, n: int | None = None) -> bool:
    """Whether a figure of ``n`` firms (default len(ids)) among ``ids`` (a superset of its firms
    when ``n`` is given) is withheld."""
    n = len(ids) if n is None else n
    if min_cell <= 1 or n == 0 or n >= min_cell:
        return False
    return visible is not None and not set(ids) <= visible


def protect_cards(cards: list[dict], visible, min_cell: int) -> None:
    """Withhold indicator figures of the scorecards in place (rules 1 and 2)."""
    if visible is None or min_cell <= 1:
        for c in cards:
            for d in c["dimensions"]:
                for r in d["indicators"]:
                    r.pop("firms", None)
        return
    rows = {}                                          # (indicator, cluster) → row
    for c in cards:
        for d in c["dimensions"]:
            for r in d["indicators"]:
                rows[(r["code"], c["code"])] = r
    hide = {k for k, r in rows.items() if r.get("firms") and _hidden(r["firms"], visible, min_cell, r.get("n"))}
    by_ind: dict[str, list] = {}
    for (ind, cl), r in rows.items():
        if r.get("firms"):
            by_ind.setdefault(ind, []).append((cl, set(r["firms"])))
    for ind, sets in by_ind.items():
        if ind == "revenue_growth":      # the engine's comparable sample is not the firm set: rule 1 only
            continue
        for a, fa in sets:
            for b, fb in sets:
                if a != b and fb < fa and _hidden(sorted(fa - fb), visible, min_cell):
                    hide.add((ind, a))
    for k, r in rows.items():
        if k in hide:
            for f in MONEY_FIELDS:
                r[f] = None
            r["suppressed"] = True
        r.pop("firms", None)


def protect_monitoring(recs: dict, firms: dict, visible, min_cell: int) -> None:
    """Withhold the monitoring engine's figures of each cluster (``recs``: cluster → record) by rule 1,
    with each figure's ``<name>_n`` as its firm count and the cluster's reporting members ``firms``."""
    if visible is None or min_cell <= 1:
        return
    for c, rec in recs.items():
        ids = firms.get(c, [])
        for k in [k for k in rec if k.endswith("_n")]:
            name = k[:-2]
            if name in rec and rec[name] is not None and _hidden(ids, visible, min_cell, int(rec[k] or 0)):
                rec[name] = None
                rec.setdefault("suppressed", []).append(name)


def protect_stars(rows: list[dict], visible, min_cell: int) -> None:
    """Withhold star cells in place (rules 1 and 3); city totals by rule 1."""
    if visible is None or min_cell <= 1:
        for r in rows:
            r.pop("ids", None)
            r.pop("total_ids", None)
        return
    by_cluster: dict[str, list] = {}
    for r in rows:
        r["suppressed"] = bool(r["ids"]) and _hidden(r["ids"], visible, min_cell)
        if _hidden(r.get("total_ids") or [], visible, min_cell):
            r["total"] = None
            r["suppressed"] = True
        by_cluster.setdefault(r["cluster"], []).append(r)
    for cells in by_cluster.values():
        pos = [r for r in cells if r["firms"] > 0]
        if sum(r["suppressed"] for r in pos) == 1:
            rest = sorted((r for r in pos if not r["suppressed"]), key=lambda r: (r["x"] or 0, r["location"]))
            if rest:
                rest[0]["suppressed"] = True
    for r in rows:
        if r["suppressed"]:
            for f in CELL_FIELDS:
                r[f] = None
        r.pop("ids", None)
        r.pop("total_ids", None)
