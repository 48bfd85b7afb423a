"""The focus pages' cells (annual region × segment) in the complementary-suppression pattern.

The focus page (找准主攻点、突破点, :mod:`chainbrain.analytics.advantage`) shows, for a city or
county r and a segment j of the year Y, the weighted revenue X_rj (an enterprise in n segments
adds 1/n of its annual revenue to each), its share of the province X_rj / X_.j and its RCA
(X_rj / X_r.) / (X_.j / X_..). A shown revenue and share give the column total X_.j back, and a
shown RCA the row total X_r.; so the row totals, column totals and the grand total are cells of
the table too, published implicitly. Cells (keys of a
:class:`~chainbrain.analytics.suppression.Universe` of "period" ``focus-Y``):

- ``("adv", level, region, segment)`` — level ``county`` (the enterprise's region code) or
  ``prefecture`` (its city); ``segment`` None is the region's row total X_r.;
- ``("adv", "province", None, segment)`` — the column total X_.j (the same at both levels);
  segment None: the grand total X_.. .

Relations (exact; no rest, as each enterprise's weights add up to 1):

- row: (level, r, None) = Σ_j (level, r, j);
- column: (province, j) = Σ cities (prefecture, c, j); (prefecture, c, j) = Σ its counties
  (county, x, j) — the two levels' tables are linked;
- margins: (province, None) = Σ_j (province, j) = Σ cities (prefecture, c, None);
  (prefecture, c, None) = Σ its counties (county, x, None).

The rule is the one of :func:`chainbrain.analytics.suppression.pattern` (primary: 1–2 unseen
enterprises; secondary: no relation with a single unknown member or a small unknown sum).
Derived fields (:func:`withheld`): revenue with the cell; share with the cell or its column;
RCA with the cell, its row, its column or the grand total. What is not protected beyond the
counting rule: the binary presence M_rj (RCA ≥ 1) and what is computed from it (density, PCI,
COG, ECI), and percentile ranks (the scores) — ordinal information, not values (docs/web.md).
"""

from __future__ import annotations

import collections

from chainbrain.analytics.suppression import Relation, Universe

PROVINCE = "province"
FIELDS = ("revenue_yuan", "share_of_province", "rca")


def cell(level, region, segment) -> tuple:
    return ("adv", level, region, segment)


def universe(store, year: int) -> Universe:
    """All focus cells of ``year`` and their relations (viewer independent)."""
    from chainbrain.analytics.advantage.data import enterprise_segment_expr

    df = enterprise_segment_expr(store, int(year)).execute()
    sets: dict = collections.defaultdict(set)
    values: dict = collections.defaultdict(float)
    rows = collections.defaultdict(set)            # (level, region) → its segments
    counties = collections.defaultdict(set)        # city → its county-level rows
    cols = zip(*(df[c].tolist() for c in ("enterprise_id", "county", "city", "segment", "revenue")))
    for e, county, city, seg, rev in cols:
        e, v = int(e), (0.0 if rev is None or rev != rev else float(rev))
        counties[city].add(county)
        for key in ((("county", county), seg), (("prefecture", city), seg)):
            (level, r), j = key
            rows[(level, r)].add(j)
            for k in (cell(level, r, j), cell(level, r, None)):
                sets[k].add(e)
                values[k] += v
        for k in (cell(PROVINCE, None, seg), cell(PROVINCE, None, None)):
            sets[k].add(e)
            values[k] += v
    u = Universe(f"focus-{int(year)}")
    u.sets = {k: frozenset(v) for k, v in sets.items()}
    u.values = dict(values)
    rels: list[Relation] = []

    def add(parent, children):
        kids = tuple(k for k in children if k in u.sets)
        if parent not in u.sets and not kids:
            return
        inside = frozenset().union(*(u.sets[k] for k in kids)) if kids else frozenset()
        rels.append(Relation(parent, kids, u.sets.get(parent, frozenset()) - inside))

    for (level, r), segs in sorted(rows.items(), key=str):          # fixed order: the same pattern everywhere
        add(cell(level, r, None), [cell(level, r, j) for j in sorted(segs)])
    segments = sorted({j for segs in rows.values() for j in segs})
    cities = sorted(counties)
    for j in [*segments, None]:
        add(cell(PROVINCE, None, j), [cell("prefecture", c, j) for c in cities])
        for c in cities:
            add(cell("prefecture", c, j), [cell("county", x, j) for x in sorted(counties[c])])
    add(cell(PROVINCE, None, None), [cell(PROVINCE, None, j) for j in segments])
    u.relations = rels
    return u


def withheld(hidden, level: str, region: str, segment: str) -> list[str]:
    """The fields of the evidence of cell (level, region, segment) that the pattern's ``hidden``
    cells withhold (see the module docstring)."""
    c, row = cell(level, region, segment), cell(level, region, None)
    col, grand = cell(PROVINCE, None, segment), cell(PROVINCE, None, None)
    out = []
    if c in hidden:
        out.append("revenue_yuan")
    if c in hidden or col in hidden:
        out.append("share_of_province")
    if c in hidden or row in hidden or col in hidden or grand in hidden:
        out.append("rca")
    return out


__all__ = ["universe", "withheld", "cell", "FIELDS"]
