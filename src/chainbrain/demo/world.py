"""The province pack seen as index arrays, the frame every demo module draws from.

Cities and their current counties (GB/T 2260), chains, segments (level
``segment``; sub-segments hang off their parent), the chains each segment
counts toward (primary plus ``also_chains`` — the ``segment_chain`` table),
industrial classes per segment (sections B, C, D of GB/T 4754 only: an
above-scale *industrial* enterprise must have one), the classes outside every
chain (mining, utilities, other manufacturing), parks with their chain focus,
and the city × chain specialization weights (0–10) from ``specializations.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainbrain.catalog.industries import INDUSTRY_SECTIONS, by_code
from chainbrain.demo.spec import ScaleSpec

STAGE_INDEX = {"upstream": 0, "midstream": 1, "downstream": 2}


def _industrial(code: str) -> bool:
    c = by_code().get(code)
    return c is not None and c.level == "class" and c.section in INDUSTRY_SECTIONS


@dataclass
class World:
    province_code: str
    cities: list[str]                  # prefecture codes
    city_names: list[str]
    counties: list[list[str]]          # per city
    chains: list[str]
    seg_codes: list[str]               # level-segment rows
    seg_chain: np.ndarray              # primary chain index per segment
    seg_stage: np.ndarray              # 0/1/2
    seg_member: np.ndarray             # bool (n_seg, n_chain): segment counts toward chain
    seg_classes: list[list[str]]       # B/C/D classes per segment (may be empty)
    seg_all_classes: list[list[str]]   # every class listed
    seg_flags: list[list[str]]
    seg_strong: list[set[str]]         # stronghold city codes
    seg_subs: list[list[str]]          # sub-segment codes per segment
    sub_classes: dict[str, list[str]]
    other_classes: list[str]           # B/C/D classes in no segment
    parks: list[dict]
    spec_weight: np.ndarray            # (n_city, n_chain) 0–10

    @property
    def n_city(self) -> int:
        return len(self.cities)

    @property
    def n_chain(self) -> int:
        return len(self.chains)

    @property
    def n_seg(self) -> int:
        return len(self.seg_codes)

    def chain_index(self, code: str) -> int:
        return self.chains.index(code)

    def city_index(self, code: str) -> int:
        return self.cities.index(code)


def _pick_cities(pack, spec: ScaleSpec, weights: dict[str, float]) -> list[str]:
    cities = [c.code for c in pack.cities()]
    if spec.n_cities is None or spec.n_cities >= len(cities):
        return cities
    calibrated = [k.split("-")[0] for s in ("city_revenue", "city_chain_revenue")
                  for k in pack.calibration.get(s, {})]
    order = sorted(cities, key=lambda c: (c not in calibrated, -weights.get(c, 0.0), c))
    return sorted(order[: spec.n_cities])


def build_world(pack, spec: ScaleSpec) -> World:
    chains = [c.code for c in pack.chains]
    weights: dict[str, float] = {}
    for r in pack.specializations:
        weights[r["city_code"]] = weights.get(r["city_code"], 0.0) + float(r["weight"])
    cities = _pick_cities(pack, spec, weights)
    names = {c.code: c.name for c in pack.cities()}
    counties = [[r.code for r in pack.counties(c)] or [c] for c in cities]

    segs = [s for s in pack.segments if s.level == "segment"]
    subs: dict[str, list] = {}
    for s in pack.segments:
        if s.level == "sub_segment":
            subs.setdefault(s.parent_code, []).append(s)
    cidx = {c: i for i, c in enumerate(chains)}
    member = np.zeros((len(segs), len(chains)), dtype=bool)
    for i, s in enumerate(segs):
        for c in [s.chain_code, *s.also_chains]:
            if c in cidx:
                member[i, cidx[c]] = True
    in_segments = {i for s in pack.segments for i in s.industry_codes}
    other = [c.code for c in by_code().values()
             if c.level == "class" and c.section in INDUSTRY_SECTIONS and c.code not in in_segments]

    sw = np.zeros((len(cities), len(chains)))
    for r in pack.specializations:
        if r["city_code"] in cities and r["chain_code"] in cidx:
            sw[cities.index(r["city_code"]), cidx[r["chain_code"]]] = float(r["weight"])

    return World(
        province_code=pack.province_code,
        cities=cities, city_names=[names[c] for c in cities], counties=counties, chains=chains,
        seg_codes=[s.code for s in segs],
        seg_chain=np.array([cidx[s.chain_code] for s in segs]),
        seg_stage=np.array([STAGE_INDEX.get(s.stage, 1) for s in segs]),
        seg_member=member,
        seg_classes=[[i for i in dict.fromkeys(s.industry_codes) if _industrial(i)] for s in segs],
        seg_all_classes=[[i for i in dict.fromkeys(s.industry_codes) if i in by_code()] for s in segs],
        seg_flags=[list(s.flags) for s in segs],
        seg_strong=[set(s.stronghold_cities) for s in segs],
        seg_subs=[[x.code for x in subs.get(s.code, [])] for s in segs],
        sub_classes={x.code: list(x.industry_codes) for v in subs.values() for x in v},
        other_classes=sorted(other),
        parks=[p for p in pack.parks if p["region_code"][:4] + "00" in cities],
        spec_weight=sw,
    )
