"""Scales of the demo province and the calendar it covers.

A :class:`ScaleSpec` says how many enterprises to make relative to the
calibrated province (``factor``), which cities to use, and how big the
out-of-province pool and supply network are. ``tiny`` is the same code path at
a few hundred enterprises (for tests); ``province`` is calibrated to the pack's
``calibration.toml``; ``national`` is ~500,000 above-scale enterprises for
benchmarks (targets scaled up, not meant to match any published figure).

Calendar: annual revenue is simulated for 2019–2026 (2019 only decides the
2020 sample); ``enterprise_scale`` covers 2020–2026, ``annual_report``
2020–2025 and ``monthly_report`` 2021-02 … 2026-10 (year-to-date, no month 1).
"""

from __future__ import annotations

from dataclasses import dataclass

SIM_YEARS = tuple(range(2019, 2027))      # years with a simulated revenue
SCALE_YEARS = tuple(range(2020, 2027))    # enterprise_scale rows
ANNUAL_YEARS = tuple(range(2020, 2026))   # annual_report rows
MONTHLY_YEARS = tuple(range(2021, 2027))  # monthly_report rows
LAST_YEAR, LAST_MONTH = 2026, 10          # newest monthly report: 2026 Jan–Oct
REF_YEAR = 2023                           # potentials are stated at this year's level
THRESHOLD = 20_000_000.0                  # above-scale line: 2000万 yuan revenue
YI = 1e8                                  # 亿元 in yuan


def year_index(year: int) -> int:
    return year - SIM_YEARS[0]


def last_month(year: int) -> int:
    return LAST_MONTH if year == LAST_YEAR else 12


@dataclass(frozen=True)
class ScaleSpec:
    name: str
    factor: float            # enterprise counts and revenue relative to the calibrated province
    n_cities: int | None     # None: every city of the pack
    out_of_province: int     # out-of-province candidate enterprises
    supply_links: int        # target supply_link rows (all years)
    calibrated: bool         # group targets (cities, chains) applied

    @property
    def sizes(self) -> str:
        return f"factor={self.factor:g}"


SCALES = {
    "tiny": ScaleSpec("tiny", 0.005, 3, 60, 1_200, False),
    "province": ScaleSpec("province", 1.0, None, 20_000, 300_000, True),
    "national": ScaleSpec("national", 25.5, None, 200_000, 12_000_000, True),   # ≥ 10 M links (issue 13)
}


def scale_spec(name: str) -> ScaleSpec:
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}; choose one of {', '.join(SCALES)}") from None
