"""The in-province enterprise population: where each enterprise is, what it makes, how big it can get.

Method
1. Revenue mass per city × chain cell (plus a non-chain column) at the
   reference year, by iterative proportional fitting of a seed built from
   ``specializations.csv`` weights (squared, plus stronghold segments) to
   the chain totals of the calibration (scaled down by the share expected to
   come from other chains' enterprises through ``also_chains``), the
   calibrated cities' totals and city × chain cells. Uncalibrated chains share
   the rest in proportion to their specialization weights; a fixed share of
   revenue stays outside the chains.
2. Enterprise counts per cell: above-scale-type enterprises ∝ mass^0.65
   (calibrated cities get their published share of the count), below-scale
   ones ∝ mass^0.35 (more of them outside the chains).
3. Sizes: above-scale-type potential revenue is Pareto above the 2000万 line
   (α ≈ 1.05, the Zipf-like tail of firm sizes); below-scale ones are
   log-exponential below it. Each cell's excess over the line is scaled to its
   mass; a cell whose mass is far beyond what its Pareto draws give gets
   giants (one per 300亿元 of surplus, at most six, in the cell's most
   distinctive core segment; utilities for the non-chain column) — this is
   where a copper smelter of several hundred 亿元 or an ODM comes from.
4. Segment (stronghold cities ×4, ``gap`` segments ×0.5, ``core`` ×1.5),
   industry class from the segment's B/C/D classes, a second segment for ~15%
   (one that lists the same class, often in another chain), a sub-segment for
   ~40%, a park whose chain focus matches (county taken from the park), founding
   date (a share are entrants founded 2020–2026).
5. The potentials are raked (:mod:`calibrate`) onto the reference year's
   group targets, which corrects for chain overlaps the cell masses could
   only guess; the yearly raking then only follows the time paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainbrain.demo.calibrate import group_matrix, rake_year
from chainbrain.demo.spec import REF_YEAR, THRESHOLD, ScaleSpec
from chainbrain.demo.targets import NON_CHAIN_SHARE, Targets
from chainbrain.demo.world import World

OVERLAP = 0.85          # part of a calibrated chain's total earned by its own-primary enterprises
PARETO_ALPHA = 1.05
BELOW_BETA = 0.9
GIANT_KAPPA = 1.5       # largest stretch of a cell's ordinary enterprises before giants appear
GIANT_UNIT = 300 * 1e8  # one giant per 300亿元 of surplus, at most six per cell
ABOVE_PER_COUNT = 1.22  # above-type enterprises made per reference-year sample member
BELOW_PER_COUNT = 1.36  # below-type enterprises made per below-scale enterprise counted
ENTRANT_SHARE = (0.16, 0.24)   # share founded 2020–2026: above-type, below-type


@dataclass
class Firms:
    n: int
    city: np.ndarray        # index into world.cities
    county: np.ndarray      # str
    park: np.ndarray        # str or None
    chain: np.ndarray       # primary chain index, -1 outside the chains
    seg: np.ndarray         # primary segment index, -1
    seg2: np.ndarray        # second segment index, -1
    share1: np.ndarray      # revenue share of the primary segment
    sub: np.ndarray         # sub-segment code or None
    industry: np.ndarray    # class code
    pot: np.ndarray         # potential annual revenue at REF_YEAR, yuan
    above_type: np.ndarray  # drawn above the line
    giant: np.ndarray
    birth_year: np.ndarray
    birth_month: np.ndarray
    birth_day: np.ndarray
    member: np.ndarray      # (n, n_chain) bool: counts toward chain


def cell_masses(world: World, targets: Targets, spec: ScaleSpec) -> np.ndarray:
    """Revenue mass (yuan, reference year) per city × (chains + non-chain column)."""
    nc, nk = world.n_city, world.n_chain
    strong = np.zeros((nc, nk))
    for s, cities in enumerate(world.seg_strong):
        for c in cities:
            if c in world.cities:
                strong[world.cities.index(c), world.seg_chain[s]] += 1
    w = world.spec_weight
    seed = np.empty((nc, nk + 1))
    seed[:, :nk] = (w + 0.5 * strong + 0.3) ** 2
    ncounty = np.array([len(c) for c in world.counties], dtype=float)
    seed[:, nk] = (w.sum(axis=1) + 5) * ncounty / ncounty.mean() * 4

    total = targets.revenue[REF_YEAR]
    col = np.zeros(nk + 1)
    fixed_cols = np.zeros(nk + 1, dtype=bool)
    fixed_rows: dict[int, float] = {}
    fixed_cells: dict[tuple[int, int], float] = {}
    for g in targets.groups:
        share = g.share[REF_YEAR] * total
        if g.section == "chain_revenue" and g.chain in world.chains:
            k = world.chain_index(g.chain)
            col[k], fixed_cols[k] = share * OVERLAP, True
        elif g.section == "city_revenue" and g.city in world.cities and spec.calibrated:
            fixed_rows[world.city_index(g.city)] = share
        elif g.section == "city_chain_revenue" and g.city in world.cities and spec.calibrated:
            fixed_cells[(world.city_index(g.city), world.chain_index(g.chain))] = share * 0.9
    col[nk], fixed_cols[nk] = total * NON_CHAIN_SHARE, True
    rest = max(total - col.sum(), 0.05 * total)
    free = ~fixed_cols
    wk = (w ** 1.5).sum(axis=0) + 1.0
    col[:nk][free[:nk]] = rest * wk[free[:nk]] / wk[free[:nk]].sum()

    m = seed / seed.sum(axis=0) * col
    for _ in range(200):
        for (r, c), v in fixed_cells.items():
            m[r, c] = v
        m *= col / m.sum(axis=0)
        for r, v in fixed_rows.items():
            m[r] *= v / m[r].sum()
    for (r, c), v in fixed_cells.items():
        m[r, c] = v
    return m


def _alloc(weights: np.ndarray, total: float, rng) -> np.ndarray:
    """Integer counts ∝ weights summing to about ``total`` (stochastic rounding)."""
    x = weights / weights.sum() * total
    base = np.floor(x)
    return (base + (rng.random(x.shape) < x - base)).astype(np.int64)


def _fit_cell(pot: np.ndarray, mass: float) -> tuple[np.ndarray, np.ndarray]:
    """Scale a cell's excess over the line to ``mass``; make giants when the stretch is too big."""
    giant = np.zeros(pot.size, dtype=bool)
    if pot.size == 0:
        return pot, giant
    excess = pot - THRESHOLD
    need = mass - THRESHOLD * pot.size
    kappa = need / excess.sum() if need > 0 else 0.3
    if kappa > GIANT_KAPPA:
        surplus = need - GIANT_KAPPA * excess.sum()
        ng = int(np.clip(round(surplus / GIANT_UNIT), 1, min(6, pot.size)))
        shares = np.arange(1, ng + 1) ** -0.7
        top = np.argsort(pot)[::-1][:ng]
        pot = THRESHOLD + excess * GIANT_KAPPA
        pot[top] += surplus * shares / shares.sum()
        giant[top] = True
        return pot, giant
    return THRESHOLD + excess * max(kappa, 0.3), giant


def _segment_weights(world: World, k: int, city: str) -> tuple[np.ndarray, np.ndarray]:
    segs = np.flatnonzero((world.seg_chain == k) & np.array([bool(c) for c in world.seg_classes]))
    wt = np.array([(1 + 3 * (city in world.seg_strong[s])) * (0.5 if "gap" in world.seg_flags[s] else 1.0)
                   * (1.5 if "core" in world.seg_flags[s] else 1.0) for s in segs])
    return segs, wt / wt.sum()


def build_firms(world: World, targets: Targets, spec: ScaleSpec, rng: np.random.Generator) -> Firms:
    nc, nk = world.n_city, world.n_chain
    mass = cell_masses(world, targets, spec)
    ref_count = targets.count[REF_YEAR]
    wa = mass ** 0.65
    for ct in targets.city_counts:
        if ct.city in world.cities and spec.calibrated:
            r = world.city_index(ct.city)
            others = wa.sum() - wa[r].sum()
            share = ct.share[REF_YEAR]
            wa[r] *= share * others / ((1 - share) * wa[r].sum())
    n_above = _alloc(wa, ref_count * ABOVE_PER_COUNT, rng)
    wb = mass ** 0.35
    wb[:, nk] *= 2.0
    n_below = _alloc(wb, targets.below_count * BELOW_PER_COUNT, rng)

    other = np.array(world.other_classes)
    sect = np.array([c[:2] for c in other])
    sect_w = np.where(sect < "13", 0.15 / max((sect < "13").sum(), 1),
                      np.where(sect >= "44", 0.15 / max((sect >= "44").sum(), 1),
                               0.70 / max(((sect >= "13") & (sect < "44")).sum(), 1)))
    sect_w /= sect_w.sum()
    power = other[np.char.startswith(other.astype(str), "44")]      # utilities' giants generate or supply power

    parts = []
    for c in range(nc):
        city = world.cities[c]
        for k in range(nk + 1):
            na, nb = int(n_above[c, k]), int(n_below[c, k])
            if na + nb == 0:
                continue
            pa_ = THRESHOLD * rng.random(na).clip(1e-7) ** (-1 / PARETO_ALPHA)
            pa_ = np.minimum(pa_, THRESHOLD * 5e4)
            pa_, giant = _fit_cell(pa_, mass[c, k])
            pb = np.maximum(THRESHOLD * np.exp(-rng.exponential(1 / BELOW_BETA, nb)), 5e5)
            pot = np.concatenate([pa_, pb])
            n = pot.size
            part = {"city": np.full(n, c), "pot": pot, "above_type": np.arange(n) < na,
                    "giant": np.concatenate([giant, np.zeros(nb, dtype=bool)])}
            if k < nk:
                segs, sw = _segment_weights(world, k, city)
                seg = rng.choice(segs, size=n, p=sw)
                gi = np.flatnonzero(part["giant"])
                if gi.size:
                    core = [s for s in segs if "core" in world.seg_flags[s] and city in world.seg_strong[s]]
                    core = core or list(segs)
                    cw = np.array([1.0 / max(len(world.seg_strong[s]), 1) for s in core])
                    seg[gi] = rng.choice(core, size=gi.size, p=cw / cw.sum())
                ind = np.array([world.seg_classes[s][rng.integers(len(world.seg_classes[s]))] for s in seg])
                part.update(chain=np.full(n, k), seg=seg, industry=ind)
            else:
                ind = rng.choice(other, size=n, p=sect_w)
                gi = np.flatnonzero(part["giant"])
                if gi.size and power.size:
                    ind[gi] = rng.choice(power, size=gi.size)
                part.update(chain=np.full(n, -1), seg=np.full(n, -1), industry=ind)
            parts.append(part)
    cols = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    n = cols["pot"].size
    perm = rng.permutation(n)                       # ids are not ordered by city or size
    cols = {key: v[perm] for key, v in cols.items()}
    seg2, share1, sub = _second_segments(world, cols, rng)
    county, park = _places(world, cols, rng)
    by, bm, bd = _births(cols, rng)
    member = np.zeros((n, nk), dtype=bool)
    has = cols["seg"] >= 0
    member[has] = world.seg_member[cols["seg"][has]]
    has2 = seg2 >= 0
    member[has2] |= world.seg_member[seg2[has2]]
    return Firms(n, cols["city"], county, park, cols["chain"], cols["seg"], seg2, share1, sub,
                 cols["industry"], cols["pot"], cols["above_type"], cols["giant"], by, bm, bd, member)


def rake_potentials(firms: Firms, world: World, targets: Targets, spec: ScaleSpec) -> None:
    """Put the reference year's group totals (province, cities, chains) on target, in potentials."""
    pop = firms.above_type & (firms.birth_year < REF_YEAR)
    groups, keys = group_matrix(firms, world, targets, firms.city, spec.calibrated)
    values = np.array([targets.revenue[REF_YEAR] if g is None else targets.group_value(g, REF_YEAR)
                       for g in keys])
    firms.pot, _ = rake_year(firms.pot, pop, groups, values)


def _second_segments(world: World, cols: dict, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = cols["pot"].size
    seg, ind = cols["seg"], cols["industry"]
    seg2 = np.full(n, -1)
    share1 = np.ones(n)
    by_class: dict[str, list[int]] = {}
    for s, classes in enumerate(world.seg_classes):
        for c in classes:
            by_class.setdefault(c, []).append(s)
    pick = np.flatnonzero((seg >= 0) & (rng.random(n) < 0.15))
    for i in pick:
        cands = [s for s in by_class.get(ind[i], []) if s != seg[i]]
        if not cands:
            same = np.flatnonzero((world.seg_chain == world.seg_chain[seg[i]])
                                  & (np.abs(world.seg_stage - world.seg_stage[seg[i]]) == 1))
            cands = [s for s in same if world.seg_classes[s]]
        if cands:
            seg2[i] = cands[rng.integers(len(cands))]
            share1[i] = rng.uniform(0.55, 0.9)
    sub = np.full(n, None, dtype=object)
    want = (seg >= 0) & (rng.random(n) < 0.4)
    for s in np.unique(seg[want]):
        subs = world.seg_subs[s]
        if not subs:
            continue
        idx = np.flatnonzero(want & (seg == s))
        for j in idx:
            fit = [x for x in subs if ind[j] in world.sub_classes.get(x, [])] or subs
            sub[j] = fit[rng.integers(len(fit))]
    return seg2, share1, sub


def _places(world: World, cols: dict, rng) -> tuple[np.ndarray, np.ndarray]:
    n = cols["pot"].size
    county = np.empty(n, dtype=object)
    park = np.full(n, None, dtype=object)
    city, chain = cols["city"], cols["chain"]
    for c, code in enumerate(world.cities):
        idx = np.flatnonzero(city == c)
        counties = world.counties[c]
        cw = rng.dirichlet(np.full(len(counties), 2.0))
        county[idx] = np.array(counties, dtype=object)[rng.choice(len(counties), size=idx.size, p=cw)]
        parks = [p for p in world.parks if p["region_code"][:4] + "00" == code]
        if not parks:
            continue
        focus = [set((p.get("chain_focus") or "").split(";")) for p in parks]
        for k in range(-1, world.n_chain):
            sel = idx[chain[idx] == k]
            if k >= 0:
                cands = [i for i, f in enumerate(focus) if world.chains[k] in f]
                prob = 0.45
            else:
                cands, prob = list(range(len(parks))), 0.08
            if not cands or not sel.size:
                continue
            inpark = sel[rng.random(sel.size) < prob]
            choice = np.array(cands)[rng.integers(len(cands), size=inpark.size)]
            park[inpark] = np.array([parks[i]["code"] for i in choice], dtype=object)
            region = np.array([parks[i]["region_code"] for i in choice], dtype=object)
            ok = np.array([r in counties for r in region], dtype=bool)
            county[inpark[ok]] = region[ok]
    return county, park


def _births(cols: dict, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = cols["pot"].size
    above = cols["above_type"]
    entrant = rng.random(n) < np.where(above, ENTRANT_SHARE[0], ENTRANT_SHARE[1])
    entrant &= ~cols["giant"]
    old = 2019 - np.floor(rng.exponential(9.0, n)).astype(np.int64)
    year = np.where(entrant, rng.integers(2020, 2027, n), np.maximum(old, 1985))
    year = np.where(cols["giant"], np.minimum(year, 2008), year)
    month = rng.integers(1, 13, n)
    month = np.where(year == 2026, rng.integers(1, 10, n), month)
    day = rng.integers(1, 29, n)
    return year, month, day
