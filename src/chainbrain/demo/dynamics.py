"""Yearly revenue paths, the above-scale sample, entries, exits, and the calibration loop.

Revenue model (annualised, yuan), for enterprise e in year y:

    log A_ey = log P_e + log D_y + c_{k,y} + s_y + δ_e (y − 2023) + ξ_ey + log ramp(age)

P_e the potential from :mod:`population`; D_y the province's path from the
comparable-growth targets; c_{k,y} a chain shock (σ 2%); s_y, for
below-scale-type enterprises only, the growth of the target sample count
(small firms grow into the sample — 升规入统); δ_e a firm drift (σ 3%); ξ a
random walk anchored at 2023 whose step σ falls with size (5%–25%); ramp
0.55/0.80/0.93 in the first three years. Actual revenue R_ey = A_ey × the
seasonal share of the months the enterprise operated (founding and closing
years are partial).

The sample (规上), year by year: an enterprise that existed last year is in
this year's sample when last year's revenue reached 2000万; a new one when
its first-year revenue does. Scale-ups, scale-downs, entries and exits follow.
Closures: outside the sample 4.5% a year; inside it, about 4.5% of members a
year, chosen (:func:`pick_closures`) so that together they earned a solved
share of last year's sample revenue; giants never close. A closing
enterprise reports until the month before it closes and has no December
report.

Calibration by construction, all before writing:
1. Counts. For each count group (a calibrated city, the rest) last year's
   revenues near the line are shifted by R · exp(λ · bump(log R/T)) — monotone,
   zero far from the line — with λ chosen so that exactly the target number
   of survivors pass the line (:func:`count_level`).
2. Revenue. :func:`calibrate.rake_year` puts each year's province, city,
   chain and city-chain totals on target without moving anyone across the line.
3. Comparable growth. comparable / naive = (1 − entrants' share) / (1 − exits'
   share + scale-ups' prior share): set by who enters and leaves, not by
   levels. The exit shares are solved by damped fixed-point steps over whole
   simulations (deterministic: every random draw is made once, up front).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from chainbrain.demo.calibrate import comparable_growth, group_matrix, rake_year
from chainbrain.demo.spec import REF_YEAR, SCALE_YEARS, SIM_YEARS, THRESHOLD, year_index
from chainbrain.demo.targets import Targets

BELOW_HAZARD = 0.045
BUMP_WIDTH = 0.8
MAX_LEVEL = 1.2
CLOSE_COUNT = 0.045     # closures per year, share of the sample (their revenue share is solved)
NEVER = 9999
YEARS = np.array(SIM_YEARS)


@dataclass
class Draws:
    eps: np.ndarray          # (n, Y) random-walk steps
    u: np.ndarray            # (n, Y) closure draws
    close_month: np.ndarray  # (n, Y) 2..12
    delta: np.ndarray        # (n,)
    chain_shock: np.ndarray  # (n_chain + 1, Y)


@dataclass
class Paths:
    rev: np.ndarray                   # (n, Y) actual revenue in the year, yuan
    exists: np.ndarray                # (n, Y)
    member: np.ndarray                # (n, Y) in the year's sample
    death_year: np.ndarray
    death_month: np.ndarray
    exits: dict[int, float]
    comp: dict[int, float] = field(default_factory=dict)
    naive: dict[int, float] = field(default_factory=dict)
    level: dict[int, np.ndarray] = field(default_factory=dict)
    factors: dict[int, np.ndarray] = field(default_factory=dict)

    def dec(self, year: int) -> np.ndarray:
        """In the sample and still reporting at the year's last month."""
        j = year_index(year)
        return self.member[:, j] & (self.death_year != year)


def draw(n: int, n_chain: int, rng: np.random.Generator) -> Draws:
    ny = len(SIM_YEARS)
    return Draws(rng.standard_normal((n, ny), dtype=np.float32), rng.random((n, ny)),
                 rng.integers(2, 13, (n, ny), dtype=np.int8),
                 rng.standard_normal(n), rng.normal(0, 0.02, (n_chain + 1, ny)))


def month_fraction(season: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Seasonal share of months first..last (1-based, inclusive); 0 when last < first."""
    cum = np.concatenate([[0.0], np.cumsum(season)])
    return np.where(last >= first, cum[np.clip(last, 0, 12)] - cum[np.clip(first - 1, 0, 12)], 0.0)


def annualised(firms, targets: Targets, d: Draws) -> np.ndarray:
    """Raw annualised revenue A (n, Y) before calibration."""
    growth = np.array([targets.growth.get(int(y), 0.04) for y in YEARS])
    logd = np.cumsum(np.log1p(growth))
    logd -= logd[year_index(REF_YEAR)]
    x = np.log(firms.pot / THRESHOLD)
    sigma = np.clip(0.05 + 0.12 * np.exp(-0.5 * x), 0.05, 0.25)
    sigma[firms.giant] = 0.04
    steps = d.eps * sigma[:, None]
    steps[:, 0] = 0.0
    xi = np.cumsum(steps, axis=1)
    xi -= xi[:, [year_index(REF_YEAR)]]
    drift = 0.03 * d.delta
    age = YEARS[None, :] - firms.birth_year[:, None]
    ramp = np.select([age <= 0, age == 1, age == 2], [0.55, 0.80, 0.93], 1.0)
    shock = np.cumsum(d.chain_shock, axis=1)[firms.chain]
    # small enterprises grow with the sample: the count path's growth, front-loaded like it
    counts = np.array([targets.count.get(int(y) + 1, targets.count[max(targets.count)]) for y in YEARS])
    small = np.concatenate([[0.0], np.cumsum(np.log(counts[1:] / counts[:-1]))])
    small -= small[year_index(REF_YEAR)]
    shock = shock + np.where(firms.above_type, 0.0, 1.0)[:, None] * small[None, :]
    loga = (np.log(firms.pot)[:, None] + logd[None, :] + shock + drift[:, None] * (YEARS - REF_YEAR)[None, :]
            + xi + np.log(ramp))
    return np.exp(loga)


def _count_groups(firms, world, targets: Targets, city_now: dict[int, np.ndarray], calibrated: bool):
    """Per year: group index per enterprise and the count target per group (last = rest of province)."""
    cities = [ct for ct in targets.city_counts if calibrated and ct.city in world.cities]
    out = {}
    for y in SCALE_YEARS:
        gid = np.full(firms.n, len(cities))
        tgt = []
        for i, ct in enumerate(cities):
            gid[city_now[y] == world.city_index(ct.city)] = i
            tgt.append(ct.share[y] * targets.count[y])
        tgt.append(targets.count[y] - sum(tgt))
        out[y] = (gid, np.array(tgt))
    return out


def bump(x: np.ndarray) -> np.ndarray:
    """Weight of the count level at log distance ``x`` from the line (1 at the line, ~0 beyond ±2)."""
    return np.exp(-0.5 * (x / BUMP_WIDTH) ** 2)


def count_level(rev: np.ndarray, pool: np.ndarray, k: int) -> float:
    """λ such that exactly ``k`` of ``pool`` pass the line after :func:`apply_level`."""
    cand = rev[pool]
    if not 0 < k <= cand.size:
        return 0.0
    kth = np.partition(cand, cand.size - k)[cand.size - k]
    if kth <= 0:
        return 0.0
    x = np.log(kth / THRESHOLD)
    return float(np.clip(-x / bump(x), -MAX_LEVEL, MAX_LEVEL))


def apply_level(rev: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """R · exp(λ · bump(log R/T)): monotone in R (|λ| < 1.3), moves only revenues near the line."""
    with np.errstate(divide="ignore"):
        x = np.log(np.where(rev > 0, rev, 1.0) / THRESHOLD)
    return np.where(rev > 0, rev * np.exp(lam * bump(x)), rev)


def pick_closures(rev: np.ndarray, u: np.ndarray, amount: float, count: float, idx: np.ndarray) -> np.ndarray:
    """Enterprises (from ``idx``) that close: together they earned ``amount`` last year, about ``count`` of them.

    Priority log u − γ log(R/T), lowest first; γ is bisected so the revenue share
    and the number of closures are both met (γ > 0 leans to larger enterprises).
    """
    if amount <= 0 or idx.size == 0:
        return idx[:0]
    # no single closure above 1% of the sample's revenue (or twice the average closure, if larger)
    small = rev < max(0.01 * rev.sum(), 2 * amount / max(count, 1.0))
    rev, u, idx = rev[small], u[small], idx[small]
    if idx.size == 0:
        return idx
    amount = min(amount, 0.5 * rev.sum())
    logu, logr = np.log(np.maximum(u, 1e-12)), np.log(np.maximum(rev, 1.0) / THRESHOLD)
    lo, hi = -3.0, 3.0
    chosen = idx[:0]
    for _ in range(16):
        g = 0.5 * (lo + hi)
        pr = logu - g * logr
        head = min(pr.size, int(4 * count) + 16)
        order = np.argpartition(pr, head - 1)[:head] if head < pr.size else np.arange(pr.size)
        order = order[np.argsort(pr[order], kind="stable")]
        cum = np.cumsum(rev[order])
        if cum[-1] < amount and head < pr.size:      # the head was too short: sort everything
            order = np.argsort(pr, kind="stable")
            cum = np.cumsum(rev[order])
        m = int(np.searchsorted(cum, amount))
        chosen = idx[order[:m]]
        if m > count:
            lo = g
        else:
            hi = g
    return chosen


def simulate(firms, world, targets: Targets, d: Draws, moves, calibrated: bool,
             exits: dict[int, float], base: np.ndarray) -> Paths:
    """One pass over the years: counts on target, sample membership, closures removing ``exits[y]``.

    ``exits[y]`` is the share of last year's sample revenue that closes during year y.
    """
    n = firms.n
    ny = len(SIM_YEARS)
    season = targets.seasonality
    by, bm = firms.birth_year, firms.birth_month
    city_now = {y: moves.city_of_year(firms.city, y) for y in SIM_YEARS}
    cgroups = _count_groups(firms, world, targets, city_now, calibrated)
    closable = ~firms.giant

    death_year = np.full(n, NEVER)
    death_month = np.zeros(n, dtype=np.int64)
    exists = np.zeros((n, ny), dtype=bool)
    member = np.zeros((n, ny), dtype=bool)
    rev = np.zeros((n, ny))
    level: dict[int, np.ndarray] = {}

    def actual(j: int, y: int) -> np.ndarray:
        first = np.where(by == y, bm, 1)
        last = np.where(death_year == y, death_month - 1, 12)
        return base[:, j] * month_fraction(season, first, last) * (by <= y) * (death_year >= y)

    exists[:, 0] = by <= SIM_YEARS[0]
    rev[:, 0] = actual(0, SIM_YEARS[0])
    for y in SCALE_YEARS:
        j = year_index(y)
        ex = (by <= y) & (death_year > y - 1)
        exists[:, j] = ex
        old = ex & (by < y)
        new = ex & (by == y)
        newbies = new & (actual(j, y) >= THRESHOLD)
        gid, tgt = cgroups[y]
        below_dies = old & (d.u[:, j] < BELOW_HAZARD)
        prev_total = rev[member[:, j - 1] & (death_year != y - 1), j - 1].sum() if y > SCALE_YEARS[0] else 0.0
        closing = np.zeros(n, dtype=bool)
        for _ in range(3):
            counted = old & ~closing
            lam = np.zeros(len(tgt))
            for g in range(len(tgt)):
                k = int(round(tgt[g] - (newbies & (gid == g)).sum()))
                lam[g] = count_level(rev[:, j - 1], counted & (gid == g), k)
            prev = apply_level(rev[:, j - 1], lam[gid])
            mem = (old & (prev >= THRESHOLD)) | newbies
            if y == SCALE_YEARS[0]:
                break
            cand = np.flatnonzero(mem & old & closable)
            closing = np.zeros(n, dtype=bool)
            closing[pick_closures(prev[cand], d.u[cand, j], exits.get(y, 0.05) * prev_total,
                                  CLOSE_COUNT * cand.size, cand)] = True
        level[y - 1] = lam
        rev[:, j - 1] = prev
        member[:, j] = mem
        dies = (mem & closing) | (~mem & below_dies & ~firms.giant)
        death_year[dies] = y
        death_month[dies] = d.close_month[dies, j]
        rev[:, j] = actual(j, y)
    last = SIM_YEARS[-1]
    gid, _ = cgroups[last]
    level[last] = level[last - 1]
    rev[:, year_index(last)] = apply_level(rev[:, year_index(last)], level[last][gid])
    return Paths(rev, exists, member, death_year, death_month, dict(exits), level=level)


def calibrate_revenue(paths: Paths, firms, world, targets: Targets, moves, calibrated: bool) -> None:
    """Rake each sample year onto its targets, then measure comparable and naive growth."""
    for y in SCALE_YEARS:
        j = year_index(y)
        groups, keys = group_matrix(firms, world, targets, moves.city_of_year(firms.city, y), calibrated)
        values = np.array([targets.revenue[y] if g is None else targets.group_value(g, y) for g in keys])
        paths.rev[:, j], paths.factors[y] = rake_year(paths.rev[:, j], paths.dec(y), groups, values)
    for y in SCALE_YEARS[1:]:
        j = year_index(y)
        dec = paths.dec(y)
        paths.comp[y] = comparable_growth(paths.rev[:, j], paths.rev[:, j - 1], dec & (firms.birth_year < y))
        paths.naive[y] = float(paths.rev[dec, j].sum() / paths.rev[paths.dec(y - 1), j - 1].sum() - 1)


def solve(firms, world, targets: Targets, moves, rng: np.random.Generator, calibrated: bool,
          rounds: int = 6, log=None) -> Paths:
    """Simulate and calibrate, solving each year's exit share for its comparable growth.

    Returns the round closest to the growth targets (closures are discrete, so
    the last steps wobble by a few tenths of a point).

    comparable/naive = (1 − new entrants' share) / (1 − exits' share + scale-ups' prior share),
    so d(ratio)/d(exit share) ≈ 1: a damped fixed-point step converges in a few rounds.
    """
    d = draw(firms.n, world.n_chain, rng)
    base = annualised(firms, targets, d)
    exits = {y: 0.05 for y in SCALE_YEARS}
    best, best_err = None, np.inf
    for r in range(rounds):
        paths = simulate(firms, world, targets, d, moves, calibrated, exits, base)
        calibrate_revenue(paths, firms, world, targets, moves, calibrated)
        if log:
            log(r, paths)
        err = max(abs(paths.comp[y] - targets.growth[y]) for y in SCALE_YEARS[1:])
        if err < best_err:
            best, best_err = paths, err
        if r == rounds - 1:
            break
        for y in SCALE_YEARS[1:]:
            want = (1 + targets.growth[y]) / (1 + paths.naive[y])
            got = (1 + paths.comp[y]) / (1 + paths.naive[y])
            exits[y] = float(np.clip(exits[y] + 0.9 * (want - got), 0.0, 0.25))
    return best
