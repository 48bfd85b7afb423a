"""Per-enterprise economic ratios: margin, value added, exports, R&D, labour productivity, energy.

Each enterprise draws stable ratios once; reports multiply them by revenue, so
every YTD figure is consistent with its revenue and the December YTD equals
the annual report. Levels are typical of Chinese above-scale industry
(profit margin ~5–6% with ~15% of enterprises loss-making in a year; value
added ~25% of revenue, varying by industry division; R&D 1–4% of revenue,
higher in electronics, pharmaceuticals, aviation and equipment; energy
intensity high in steel, building materials, chemicals and non-ferrous
metals). Chain profiles are keyed by the chain codes of the bundled pack;
chains of another pack get the generic profile.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

# chain: (margin, exporter probability, R&D median, revenue per employee 万元, tce per 万元)
PROFILE = {
    "EI": (0.040, 0.55, 0.025, 150, 0.03), "NF": (0.030, 0.25, 0.008, 400, 0.25),
    "EQ": (0.055, 0.35, 0.025, 160, 0.04), "NE": (0.050, 0.35, 0.020, 220, 0.10),
    "PC": (0.065, 0.25, 0.012, 350, 0.60), "BM": (0.075, 0.15, 0.008, 120, 0.90),
    "ST": (0.030, 0.15, 0.010, 450, 1.20), "AV": (0.050, 0.20, 0.040, 140, 0.04),
    "FD": (0.070, 0.15, 0.006, 180, 0.08), "TX": (0.050, 0.50, 0.008, 80, 0.12),
    "PH": (0.110, 0.25, 0.040, 150, 0.06), "FN": (0.060, 0.50, 0.008, 70, 0.05),
}
GENERIC = (0.060, 0.20, 0.010, 180, 0.15)
UTILITY = (0.050, 0.00, 0.003, 500, 0.30)


@dataclass
class Traits:
    margin: np.ndarray        # mean profit margin
    va_rate: np.ndarray
    exporter: np.ndarray
    export_share: np.ndarray
    rd_int: np.ndarray
    productivity: np.ndarray  # yuan revenue per employee
    energy_int: np.ndarray    # tce per yuan


def _division_va(code: str) -> float:
    """A stable value-added rate per GB/T 4754 division (18%–34%)."""
    return 0.18 + 0.16 * (zlib.crc32(code[:2].encode()) % 1000) / 999


def make_traits(firms, world, rng: np.random.Generator) -> Traits:
    n = firms.n
    prof = np.array([PROFILE.get(c, GENERIC) for c in world.chains] + [GENERIC])
    p = prof[firms.chain]                      # chain -1 takes the generic row
    utility = np.array([c[:2] >= "44" for c in firms.industry])
    p[utility] = UTILITY
    div_va = {d: _division_va(d) for d in {c[:2] for c in firms.industry}}
    va = np.array([div_va[c[:2]] for c in firms.industry]) + rng.normal(0, 0.03, n)
    small = ~firms.above_type
    return Traits(
        margin=p[:, 0] + rng.normal(0, 0.035, n),
        va_rate=np.clip(va, 0.08, 0.6),
        exporter=rng.random(n) < p[:, 1] * np.where(small, 0.5, 1.0),
        export_share=rng.beta(1.5, 4.0, n),
        rd_int=np.clip(p[:, 2] * np.exp(rng.normal(0, 0.6, n)) * np.where(small, 0.6, 1.0), 0, 0.15),
        productivity=p[:, 3] * 1e4 * np.exp(rng.normal(0, 0.45, n)) * np.where(small, 0.6, 1.0),
        energy_int=p[:, 4] / 1e4 * np.exp(rng.normal(0, 0.4, n)),
    )


def year_draws(n: int, seed: int, year: int) -> dict[str, np.ndarray]:
    """The draws of one year for every enterprise (same seed → same numbers, in any order of years)."""
    r = np.random.default_rng([seed, 7, year])
    return {
        "margin": r.normal(0, 0.035, n),
        "season": 0.05 * r.standard_normal((n, 12), dtype=np.float32),
        "profit_month": 0.01 * r.standard_normal((n, 12), dtype=np.float32),
        "staff": 0.02 * r.standard_normal((n, 12), dtype=np.float32),
        "null_prev": r.random((n, 12), dtype=np.float32),
        "ratio": r.normal(0, 0.04, n),
    }
