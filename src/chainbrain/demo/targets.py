"""Calibration targets of the demo province, read from the pack's ``calibration.toml``.

Every figure there (亿元, counts, fractions) becomes a yearly path in yuan:

- ``revenue[y]``: above-scale revenue of the year's sample (sum of December
  YTD reports), given 2020–2025; 2026 is extrapolated at ``NAIVE_2026``.
- ``count[y]``: enterprises with a December report (2020: in the sample);
  2026 extrapolated.
- ``growth[y]``: comparable growth (DESIGN.md §4). Published years come from
  the pack; other years use ``DEFAULT_GROWTH`` — plausible values chosen so
  that comparable growth exceeds naive growth (total/total) in the years when
  the sample shrank in value through exits, as published statistics do.
- group targets (a city, a chain, a city's chain): each calibrated year gives
  the group's *share* of the province total; shares are interpolated between
  calibrated years and extrapolated with half the neighbouring slope (or held
  flat when there is only one year), so a group follows a smooth path and no
  single year is forced on its own.

At scales other than ``province`` counts and revenue are multiplied by the
scale's factor (the share structure is kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from chainbrain.demo.spec import SCALE_YEARS, YI, ScaleSpec

DEFAULT_GROWTH = {2021: 0.115, 2022: 0.075, 2023: 0.040, 2024: 0.065, 2025: 0.055, 2026: 0.065}
NAIVE_2026 = 0.06
#: share of above-scale revenue outside the pack's chains (mining, utilities, other manufacturing)
NON_CHAIN_SHARE = 0.14
#: below-scale enterprises are counted in this year
BELOW_SCALE_YEAR = 2025


@dataclass
class GroupTarget:
    """Revenue of the enterprises of one city and/or chain, as a share path of the province."""

    key: str                       # calibration key, e.g. "360100-2022", "EI-2023"
    section: str                   # city_revenue|chain_revenue|city_chain_revenue
    city: str | None
    chain: str | None
    points: dict[int, float]       # calibrated year -> yuan
    tol: dict[int, float]
    share: dict[int, float] = field(default_factory=dict)   # year -> share of province revenue

    @property
    def label(self) -> str:
        return "-".join(x for x in (self.city, self.chain) if x)


@dataclass
class CountTarget:
    city: str
    points: dict[int, float]
    share: dict[int, float] = field(default_factory=dict)


@dataclass
class Targets:
    revenue: dict[int, float]          # yuan
    count: dict[int, float]
    growth: dict[int, float]
    groups: list[GroupTarget]
    city_counts: list[CountTarget]
    below_count: float
    seasonality: np.ndarray            # 12 monthly shares, sum 1

    def group_value(self, g: GroupTarget, year: int) -> float:
        return g.share[year] * self.revenue[year]


def _share_path(points: dict[int, float], years) -> dict[int, float]:
    ys = sorted(points)
    out = {}
    for y in years:
        if y in points:
            out[y] = points[y]
        elif len(ys) == 1:
            out[y] = points[ys[0]]
        elif y < ys[0]:
            slope = (points[ys[1]] - points[ys[0]]) / (ys[1] - ys[0])
            out[y] = points[ys[0]] - 0.5 * slope * (ys[0] - y)
        elif y > ys[-1]:
            slope = (points[ys[-1]] - points[ys[-2]]) / (ys[-1] - ys[-2])
            out[y] = points[ys[-1]] + 0.5 * slope * (y - ys[-1])
        else:
            out[y] = float(np.interp(y, ys, [points[v] for v in ys]))
    return out


def load_targets(pack, spec: ScaleSpec) -> Targets:
    cal = pack.calibration
    f = spec.factor
    revenue = {int(y): v["value"] * YI * f for y, v in cal["revenue"].items()}
    revenue[2026] = revenue[2025] * (1 + NAIVE_2026)
    count = {int(y): v["value"] * f for y, v in cal["enterprises"].items()}
    count[2026] = count[2025] + 0.8 * (count[2025] - count[2024])
    growth = dict(DEFAULT_GROWTH)
    growth.update({int(y): v["value"] for y, v in cal.get("growth", {}).items()})

    groups: dict[tuple, GroupTarget] = {}
    for section in ("city_revenue", "chain_revenue", "city_chain_revenue"):
        for key, v in cal.get(section, {}).items():
            parts = key.split("-")
            year = int(parts[-1])
            city = parts[0] if section != "chain_revenue" else None
            chain = parts[-2] if section != "city_revenue" else None
            g = groups.setdefault((section, city, chain), GroupTarget(key, section, city, chain, {}, {}))
            g.points[year] = v["value"] * YI * f
            g.tol[year] = v.get("tol", 0.05)
    for g in groups.values():
        g.share = _share_path({y: val / revenue[y] for y, val in g.points.items()}, SCALE_YEARS)

    city_counts = []
    for key, v in cal.get("city_enterprises", {}).items():
        city, year = key.split("-")
        ct = CountTarget(city, {int(year): v["value"] * f})
        ct.share = _share_path({y: val / count[y] for y, val in ct.points.items()}, SCALE_YEARS)
        city_counts.append(ct)

    months = np.asarray(cal["seasonality"]["months"], dtype=float)
    return Targets(revenue, count, growth, list(groups.values()), city_counts,
                   cal.get("below_scale", {}).get("count", 60000) * f, months / months.sum())
