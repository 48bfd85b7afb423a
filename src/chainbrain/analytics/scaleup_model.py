"""升规入统 / 退规: the probability that a firm's main-business revenue is on the other side of the line next year.

Line T = 20,000,000 yuan (pack ``scaleup.toml``, 国统字〔2010〕87号, [Q]); "≥" includes the bound:
revenue R_Y ≥ T is above scale. For target year Y a firm with R_{Y-1} < T is a scale-up candidate
(event: R_Y ≥ T), one with R_{Y-1} ≥ T is at risk of dropping out (event: R_Y < T).

1. Gibrat baseline (stated model). Log revenue follows a random walk whose step does not depend on
   the level within a cell (Gibrat's law of proportionate effect): the growth ratios
   G = R_t / R_{t-1} observed in the history (target years t < Y, survivors reporting both years)
   are pooled per segment × size band of R_{t-1}/T (bands: pack ``[bands]``); a cell with fewer
   than ``min_pool`` ratios falls back to chain × band, then to the band over all firms. The
   baseline probability is the pool's empirical share
       p_up = #{G ≥ T / R_{Y-1}} / n,      p_down = #{G < T / R_{Y-1}} / n,
   compared as ratios with a relative tolerance of 1e-12, so growth that lands exactly on the line
   counts as crossing (a ratio 1.25 from 16,000,000 reaches 20,000,000: crossed).
2. Learned model (where history allows: ≥ ``min_training_years`` target years and ≥ ``min_events``
   events): logistic regression on standardised features (log gap to the line, last two years'
   log growth with missing flags, the baseline's logit, age, log employees, R&D intensity, profit
   margin, YTD growth from monthly reports where given), fitted on all training years but the last,
   then calibrated out of time by isotonic regression on the last training year (Zadrozny & Elkan
   2002). The reasons are the features' contributions coef × z (log-odds), largest first.

Vectorised numpy; scikit-learn for the regression and the isotonic fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

TOL = 1e-12
FEATURES = ("gap", "g1", "g1_missing", "g2", "g2_missing", "baseline_logit", "age", "log_employees",
            "rd_intensity", "margin", "ytd_growth", "ytd_missing")


def band_of(ratio: np.ndarray, edges) -> np.ndarray:
    """Band index of R/T: band b holds edges[b-1] ≤ x < edges[b] (lo included, hi excluded)."""
    return np.searchsorted(np.asarray(edges, float), ratio, side="right")


@dataclass
class Pools:
    """Growth ratios per cell, sorted: ``cells[(level, label, band)]`` (level 0 the finest) and ``bands[band]``."""
    cells: dict
    bands: dict
    edges: tuple
    min_pool: int
    levels: int = 1


def _levels(groups) -> list[np.ndarray]:
    """One label array (e.g. chains) or a list of them, finest first (e.g. [segments, chains])."""
    return [np.asarray(groups)] if isinstance(groups, np.ndarray) else [np.asarray(x) for x in groups]


def pools(prev: np.ndarray, cur: np.ndarray, groups, edges, min_pool: int) -> Pools:
    """Pools of G = cur / prev (prev > 0, both known) by group × band of prev/T, for each level of groups."""
    from chainbrain.analytics.scaleup_rules import threshold

    ok = np.isfinite(prev) & np.isfinite(cur) & (prev > 0) & (cur > 0)
    g, b = cur[ok] / prev[ok], band_of(prev[ok] / threshold(), edges)
    levels = _levels(groups)
    cells, bands = {}, {}
    for lv, labels in enumerate(levels):
        c = labels[ok]
        order = np.lexsort((g, b, c))
        gs, bs, cs = g[order], b[order], c[order]
        if gs.size:
            key_change = np.flatnonzero((cs[1:] != cs[:-1]) | (bs[1:] != bs[:-1])) + 1
            for lo, hi in zip(np.r_[0, key_change], np.r_[key_change, gs.size]):
                cells[(lv, cs[lo], int(bs[lo]))] = gs[lo:hi]
    for band in np.unique(b):
        bands[int(band)] = np.sort(g[b == band])
    return Pools(cells, bands, tuple(edges), min_pool, len(levels))


def baseline(p: Pools, prev: np.ndarray, groups) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(P(R_Y ≥ T), pool size, pool level: 0 the finest groups … len(groups) the band) for each firm with last year's revenue ``prev``: the finest level's cell
    with at least ``min_pool`` ratios, else the next level's, else the band's pool."""
    from chainbrain.analytics.scaleup_rules import threshold

    T = threshold()
    need = T / prev                                   # growth ratio needed to reach the line
    b = band_of(prev / T, p.edges)
    out, n = np.full(prev.size, np.nan), np.zeros(prev.size, dtype=np.int64)
    pool_of = np.full(prev.size, -1, dtype=np.int64)  # which pool each firm uses (index into ``chosen``)
    chosen, chosen_level = [], []
    levels = _levels(groups)
    for lv in range(len(levels) + 1):
        todo = np.flatnonzero(pool_of < 0)
        if todo.size == 0:
            break
        labels = levels[lv][todo] if lv < len(levels) else np.zeros(todo.size, dtype=np.int64)
        names, code = np.unique(labels, return_inverse=True)
        keys = code.astype(np.int64) * 1000 + b[todo]          # group × band as one integer (bands < 1000)
        uniq, inv = np.unique(keys, return_inverse=True)
        for u, key in enumerate(uniq):
            k = int(key % 1000)
            pool = p.cells.get((lv, names[key // 1000], k)) if lv < len(levels) else p.bands.get(k)
            if pool is None or (lv < len(levels) and pool.size < p.min_pool) or pool.size == 0:
                continue
            chosen.append(pool)
            chosen_level.append(lv)
            pool_of[todo[inv == u]] = len(chosen) - 1
    for j, pool in enumerate(chosen):
        idx = np.flatnonzero(pool_of == j)
        # share of ratios ≥ need·(1 − TOL): the sorted pool's tail from the first such ratio
        first = np.searchsorted(pool, need[idx] * (1 - TOL), side="left")
        out[idx] = (pool.size - first) / pool.size
        n[idx] = pool.size
    level = np.where(pool_of >= 0, np.array(chosen_level + [0])[pool_of], -1)
    return out, n, level


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(np.nan_to_num(p, nan=0.5), 0.005, 0.995)
    return np.log(q / (1 - q))


def features(f: dict, p_base: np.ndarray) -> np.ndarray:
    """Feature matrix (rows × :data:`FEATURES`) from arrays ``prev``, ``prev2``, ``prev3``, ``age``,
    ``employees``, ``rd``, ``profit``, ``ytd_growth`` (NaN where unknown) and the baseline probability."""
    from chainbrain.analytics.scaleup_rules import threshold

    prev, prev2, prev3 = f["prev"], f["prev2"], f["prev3"]
    with np.errstate(divide="ignore", invalid="ignore"):
        g1 = np.log(prev / prev2)
        g2 = np.log(prev2 / prev3)
        cols = {
            "gap": np.log(prev / threshold()),
            "g1": np.nan_to_num(g1, nan=0.0, posinf=0.0, neginf=0.0), "g1_missing": (~np.isfinite(g1)).astype(float),
            "g2": np.nan_to_num(g2, nan=0.0, posinf=0.0, neginf=0.0), "g2_missing": (~np.isfinite(g2)).astype(float),
            "baseline_logit": _logit(p_base),
            "age": np.clip(np.nan_to_num(f["age"], nan=10.0), 0, 30),
            "log_employees": np.log1p(np.nan_to_num(f["employees"], nan=0.0)),
            "rd_intensity": np.clip(np.nan_to_num(f["rd"] / prev, nan=0.0), 0, 1),
            "margin": np.clip(np.nan_to_num(f["profit"] / prev, nan=0.0), -1, 1),
            "ytd_growth": np.clip(np.nan_to_num(f["ytd_growth"], nan=0.0), -3, 3),
            "ytd_missing": (~np.isfinite(f["ytd_growth"])).astype(float),
        }
    return np.column_stack([cols[k] for k in FEATURES])


@dataclass
class Learned:
    """Logistic regression on standardised features + an isotonic map fitted on a later year."""
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    iso: object
    fit_years: tuple
    calibration_year: int
    n_train: int
    events: int
    info: dict = field(default_factory=dict)

    def raw(self, X: np.ndarray) -> np.ndarray:
        z = (X - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-(z @ self.coef + self.intercept)))

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.clip(self.iso.predict(self.raw(X)), 0.0, 1.0)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Each feature's contribution to the log-odds: coef × z (rows × features)."""
        return ((X - self.mean) / self.scale) * self.coef


def fit(X: np.ndarray, y: np.ndarray, year: np.ndarray, min_years: int, min_events: int) -> Learned | None:
    """The learned model, or None when the history is too short (then the baseline stands alone)."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    years = np.unique(year)
    if years.size < min_years or int(y.sum()) < min_events or y.all():
        return None
    cal_year = int(years[-1])
    tr, cal = year < cal_year, year == cal_year
    if int(y[tr].sum()) < max(min_events // 2, 1) or y[tr].all() or not y[cal].any():
        return None
    mean, scale = X[tr].mean(axis=0), X[tr].std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=1.0, max_iter=500)
    lr.fit((X[tr] - mean) / scale, y[tr])
    m = Learned(mean, scale, lr.coef_[0], float(lr.intercept_[0]), None, tuple(int(v) for v in years[:-1]),
                cal_year, int(tr.sum()), int(y.sum()))
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    iso.fit(m.raw(X[cal]), y[cal].astype(float))
    m.iso = iso
    return m
