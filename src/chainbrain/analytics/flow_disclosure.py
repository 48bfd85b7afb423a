"""Disclosure control of supply-flow tables (:mod:`chainbrain.analytics.supply_view`).

A flow row's amount is a sum over the links between the key's firms and its
partners in a place, so it is built from two sets of enterprises.  Rule
(Statistics Law, DESIGN.md §4; the same threshold as every aggregate,
``min_cell`` = 3):

1. *Primary*: an amount whose links involve 1 or 2 firms of the key, or 1 or 2
   partners, is withheld (``firms`` / ``partners`` < min_cell; a side the viewer
   sees individually — ``seen_firms`` / ``seen_partners`` — does not count).
2. *Secondary*: the table's relations are ``total = local + outside``,
   ``local = Σ local places``, ``outside = Σ outside places`` (per direction).
   While a relation has exactly one withheld member, or its withheld children
   together may hold fewer than min_cell firms or partners while the parent is
   shown (partners: the sum of the children's counts — a partner has one place;
   firms: the largest child's count — a firm of the key can trade with several
   places, so the children's firms may be the same ones; when every child is
   withheld, the parent's own counts), the smallest shown
   child (else the parent) is withheld too.  This
   ends (withholding only grows) and is deterministic (fixed relation order,
   ties by place).
3. Derived: a rate (local / total) is shown only when both sums are.

Counts of firms and partners are ordinal and not withheld (as everywhere in
ChainBrain).  The rule is conservative: it discounts no enterprise a partial
viewer could see individually, only whole sides.
"""

from __future__ import annotations

MIN_CELL = 3


def _small(n: int, min_cell: int) -> bool:
    return 0 < int(n or 0) < min_cell


def protect_flows(rows: list[dict], min_cell: int = MIN_CELL, seen_firms: bool = False,
                  seen_partners: bool = False) -> list[dict]:
    """Copies of ``rows`` (one key's flow rows) with withheld amounts set to None and
    ``suppressed = ["amount_yuan"]``."""
    out = [dict(r, suppressed=[]) for r in rows]
    if min_cell <= 1 or (seen_firms and seen_partners):
        return out

    def primary(r) -> bool:
        return (not seen_firms and _small(r["firms"], min_cell)) or \
            (not seen_partners and _small(r["partners"], min_cell))

    hidden = {i for i, r in enumerate(out) if primary(r)}
    relations = []
    for d in ("in", "out"):
        idx = {lv: [i for i, r in enumerate(out) if r["direction"] == d and r["level"] == lv]
               for lv in ("total", "local", "outside")}
        places = {s: [i for i, r in enumerate(out) if r["direction"] == d and r["level"] == "place"
                      and r["side"] == s] for s in ("local", "outside")}
        if idx["total"]:
            relations.append((idx["total"][0], idx["local"] + idx["outside"]))
        for s in ("local", "outside"):
            if idx[s]:
                relations.append((idx[s][0], places[s]))
    changed = True
    while changed:
        changed = False
        for parent, kids in relations:
            members = [parent] + kids
            unknown = [i for i in members if i in hidden]
            if not unknown:
                continue
            hidden_kids = [i for i in kids if i in hidden]
            if len(hidden_kids) == len(kids):            # parent = Σ hidden kids: its own counts are theirs
                firms_lb, partners_n = out[parent]["firms"], out[parent]["partners"]
            else:
                firms_lb = max((out[i]["firms"] for i in hidden_kids), default=0)
                partners_n = sum(out[i]["partners"] for i in hidden_kids)
            small_sum = parent not in hidden and hidden_kids and (
                (not seen_firms and _small(firms_lb, min_cell)) or (not seen_partners and _small(partners_n, min_cell)))
            if len(unknown) == 1 or small_sum:
                shown = sorted((i for i in kids if i not in hidden),
                               key=lambda i: (out[i]["amount_yuan"] or 0, str(out[i]["place"])))
                pick = shown[0] if shown else (parent if parent not in hidden else None)
                if pick is not None:
                    hidden.add(pick)
                    changed = True
    for i in hidden:
        out[i]["amount_yuan"] = None
        out[i]["suppressed"] = ["amount_yuan"]
    return out


def local_rate(rows: list[dict], direction: str = "in") -> float | None:
    """local / total of the protected rows (None when either is withheld or the total is 0)."""
    tot = next((r for r in rows if r["direction"] == direction and r["level"] == "total"), None)
    loc = next((r for r in rows if r["direction"] == direction and r["level"] == "local"), None)
    if tot is None or tot["amount_yuan"] in (None, 0):
        return None
    if loc is None:
        return 0.0                                   # no in-province link at all: the rate is 0
    if loc["amount_yuan"] is None:
        return None
    return loc["amount_yuan"] / tot["amount_yuan"]
