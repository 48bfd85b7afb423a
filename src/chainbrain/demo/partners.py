"""Out-of-province enterprises: supply partners and the pool investment promotion draws targets from.

Each has a province (other provincial-level divisions, weighted towards large
and neighbouring economies), a segment — any segment, industrial or not,
weighted ×3 for ``gap`` and ×2 for ``bottleneck`` segments, the ones a
province tries to attract (补链) — an industry class from that segment, a
size (lognormal, median ~1.5亿元; only used to weight supply links, no reports),
and a USCC for ~70% of them (``uscc`` NULL for the rest, as when only a name
is known). ``region_code`` is NULL: they are outside the province.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainbrain.demo.names import PROVINCES
from chainbrain.demo.world import World

USCC_SHARE = 0.7


@dataclass
class Partners:
    n: int
    province: np.ndarray     # 6-digit province code
    place: np.ndarray        # short province name
    seg: np.ndarray
    industry: np.ndarray
    has_uscc: np.ndarray
    size: np.ndarray         # yuan, for link weights
    founded_year: np.ndarray


def make_partners(world: World, n: int, rng: np.random.Generator) -> Partners:
    provs = [(c, v) for c, v in PROVINCES.items() if c != world.province_code]
    codes = np.array([c for c, _ in provs])
    names = np.array([v[0] for _, v in provs])
    pw = np.array([v[1] for _, v in provs], dtype=float)
    pick = rng.choice(len(provs), size=n, p=pw / pw.sum())
    sw = np.array([(3.0 if "gap" in f else 1.0) * (2.0 if "bottleneck" in f else 1.0) for f in world.seg_flags])
    sw *= np.array([1.0 if c else 0.0 for c in world.seg_all_classes])
    seg = rng.choice(world.n_seg, size=n, p=sw / sw.sum())
    industry = np.array([world.seg_all_classes[s][rng.integers(len(world.seg_all_classes[s]))] for s in seg])
    return Partners(n, codes[pick], names[pick], seg, industry, rng.random(n) < USCC_SHARE,
                    1.5e8 * np.exp(rng.normal(0, 1.2, n)), np.maximum(2019 - np.floor(rng.exponential(12, n)).astype(int), 1950))
