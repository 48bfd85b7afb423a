"""Contribution (贡献率) and pull (拉动) of a scope's chains and regions, and of their crossings.

For the monthly analysis report (:mod:`chainbrain.reports`), in ONE aggregate pass
(:func:`chainbrain.analytics.indicators.aggregate_many`, revenue YTD on the comparable
basis, DESIGN.md §4). A unit g inside a parent P (same industry scope and filters):

- ``growth`` = Σ_C current / Σ_C prior − 1 over g's comparable sample C (``n`` = |C|);
- ``pull_pp`` (拉动, percentage points) = 100 · (Σ_C current_g − Σ_C prior_g) / Σ_C prior_P;
- ``contribution`` (贡献率, fraction) = ΔC_g / ΔC_P with ΔC = Σ_C current − Σ_C prior
  (None when ΔC_P = 0);

the same formulas as the indicators ``revenue_pull`` / ``revenue_contribution``
(:mod:`chainbrain.analytics.formulas`), here also for the crossings: a region inside each
chain (parent: the chain in the scope) and a chain inside each region (parent: the region).
Chains overlap (a segment may sit in two chains), so chain contributions need not add up to 1.

Units: the scope's chains (when no chain is given) and its sub-regions — the cities of the
province, the counties of a city, none below a county. Each record names its cell
``(chain, region)`` so the caller can apply the viewer's disclosure pattern to the sums
``cc`` / ``cb`` it is computed from (and the parent's).
"""

from __future__ import annotations

import math

from chainbrain.analytics.indicators import Scope, aggregate_many
from chainbrain.analytics.scope import Shared
from chainbrain.periods import Period, parse_period


def sub_level(store, region: str | None) -> str | None:
    """The regions a scope is split into: cities (province), counties (a city), none (a county)."""
    if region is None:
        return "city"
    level = Shared(store).region_level(region)
    return "county" if level == "prefecture" else None


def _row(df, key) -> dict | None:
    if key not in df.index:
        return None
    r = df.loc[key]
    n = int(r["revenue_cn"])
    return {"cc": float(r["revenue_cc"]) if n else None, "cb": float(r["revenue_cb"]) if n else None, "n": n}


def _unit(key: str, chain, region, own: dict | None, parent: dict | None) -> dict:
    rec = {"key": key, "chain": chain, "region": region, "n": 0, "cc": None, "cb": None, "growth": None,
           "pull_pp": None, "contribution": None, "parent_chain": None, "parent_region": None}
    if own is None:
        return rec
    rec.update(own)
    cc, cb = own["cc"], own["cb"]
    if cc is None or cb is None:
        return rec
    if cb > 0:
        rec["growth"] = cc / cb - 1
    if parent and parent.get("cb"):
        rec["pull_pp"] = 100 * (cc - cb) / parent["cb"]
        d = (parent["cc"] or 0) - parent["cb"]
        rec["contribution"] = (cc - cb) / d if d and not math.isclose(d, 0.0) else None
    return rec


def decompose(store, period: str | Period, scope: str = "all", region: str | None = None,
              chain: str | None = None) -> dict:
    """Pulls and contributions for the units of one scope (module docstring), one query.

    Returns ``{"period", "region_level", "parent", "chains", "regions", "regions_in_chain",
    "chains_in_region"}``: ``chains`` / ``regions`` pull on the scope (the parent), the two
    crossings ``{chain: [regions]}`` / ``{region: [chains]}`` pull on their chain / region.
    """
    p = parse_period(period) if isinstance(period, str) else period
    sc = Scope(scope, region, chain)
    level = sub_level(store, region)
    specs = [("all", sc)]
    if chain is None:
        specs.append(("chain", sc))
    if level:
        specs.append((level, sc))
        if chain is None:
            specs.append((f"{level}_chain", sc))
    frames = dict(zip(specs, aggregate_many(store, p, "ytd", specs, measures=("revenue",))))
    top = frames[("all", sc)]
    parent = _row(top, top.index[0]) if len(top) else None
    out = {"period": p.label, "region_level": level, "parent": parent, "chains": [], "regions": [],
           "regions_in_chain": {}, "chains_in_region": {}}
    chains = frames.get(("chain", sc))
    regions = frames.get((level, sc)) if level else None
    if chains is not None:
        out["chains"] = [{**_unit(str(k), str(k), region, _row(chains, k), parent),
                          "parent_chain": chain, "parent_region": region} for k in chains.index]
    if regions is not None:
        out["regions"] = [{**_unit(str(k), chain, str(k), _row(regions, k), parent),
                           "parent_chain": chain, "parent_region": region} for k in regions.index]
    cross = frames.get((f"{level}_chain", sc)) if level and chain is None else None
    if cross is not None:
        for k in cross.index:
            reg, ch = str(k).split("|", 1)
            own = _row(cross, k)
            in_chain = _unit(str(k), ch, reg, own, _row(chains, ch) if chains is not None else None)
            in_chain.update(parent_chain=ch, parent_region=region)
            out["regions_in_chain"].setdefault(ch, []).append(in_chain)
            in_region = _unit(str(k), ch, reg, own, _row(regions, reg) if regions is not None else None)
            in_region.update(parent_chain=None, parent_region=reg)
            out["chains_in_region"].setdefault(reg, []).append(in_region)
    return out


def growth_of(store, period: str | Period, bys=("all",), scope: str = "all", region: str | None = None,
              chain: str | None = None) -> dict[str, dict[str, dict]]:
    """Comparable revenue growth of each key of each grouping in ``bys``, one light query:
    ``{by: {key: {"cc", "cb", "n", "growth"}}}`` (the KPI's ``yoy_comparable`` without its target
    figures; used for the previous periods a report compares with)."""
    p = parse_period(period) if isinstance(period, str) else period
    sc = Scope(scope, region, chain)
    specs = [(by, sc) for by in dict.fromkeys(bys)]
    out = {}
    for (by, _), df in zip(specs, aggregate_many(store, p, "ytd", specs, measures=("revenue",))):
        recs = {}
        for k in df.index:
            r = _row(df, k)
            r["growth"] = r["cc"] / r["cb"] - 1 if r["cb"] else None
            recs[str(k)] = r
        out[by] = recs
    return out
