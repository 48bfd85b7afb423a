"""Response models of the JSON API (they document /openapi.json).

Field meanings follow :mod:`chainbrain.analytics.kpi`: money in yuan, growth
as a fraction, periods as ``YYYY-MM`` year-to-date.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class KPI(BaseModel):
    """The headline KPI for one scope — the same keys as ``chainbrain kpi --format json``,
    plus ``suppressed``."""

    period: str = Field(description="period asked for: YYYY-MM (YTD), YYYY-Qn or YYYY")
    period_end: str = Field(description="last month covered, YYYY-MM")
    basis: str = Field(description="ytd: cumulative from January (1–N 月累计)")
    scope: str = Field(description="all (sections B–D) or manufacturing (C)")
    chain: str | None = Field(description="chain code or null for all industry")
    region: str | None = Field(description="GB/T 2260 region code or null for the province")
    above_scale_count: int = Field(description="above-scale enterprises with a report for the period")
    revenue_ytd_yuan: float | None = Field(description="revenue YTD, yuan")
    revenue_ytd_prev_yuan: float | None = Field(description="previous year's sample at the same period, yuan")
    prev_count: int = Field(description="enterprises in the previous year's sample")
    comparable_count: int = Field(description="enterprises on the comparable basis")
    comparable_current_yuan: float | None = Field(description="comparable sample, this year, yuan")
    comparable_base_yuan: float | None = Field(description="comparable sample, prior-year values, yuan")
    yoy_naive: float | None = Field(description="revenue_ytd / revenue_ytd_prev − 1 (fraction)")
    yoy_comparable: float | None = Field(description="comparable_current / comparable_base − 1 (fraction)")
    target_code: str | None
    target_base_year: int | None
    target_annual_rate: float | None = Field(description="e.g. 0.09 for 9 % a year")
    target_path_yuan: float | None = Field(description="required YTD value on the target path, yuan")
    target_base_count: int = Field(0, description="enterprises in the base-year sample the path is built from")
    target_ratio: float | None = Field(description="revenue_ytd / target_path")
    target_status: str | None = Field(description="green (on/above path), yellow (within band), red")
    unit: str = Field(description="money unit: yuan")
    suppressed: list[str] = Field(default_factory=list, description=(
        "fields withheld (set to null) because they are built from fewer than 3 enterprises "
        "(Statistics Law; DESIGN.md §4)"))


class Unit(KPI):
    """A KPI record for one city, county or chain, with its catalog names."""

    model_config = ConfigDict(extra="allow")
    key: str = Field(description="city / county code or chain code")


class Cockpit(BaseModel):
    """Everything the cockpit page shows (its JSON twin)."""

    model_config = ConfigDict(extra="allow")
    period: str | None = Field(description="period shown (null when the store has no reports)")
    scope: str
    region: dict | None = Field(description="selected region (code, name, level, …) or null = province")
    kpi: KPI | None
    cities: list[Unit] = Field(description="KPI per city (all 11 at province level)")
    counties: list[Unit] = Field(description="KPI per county of the selected city")
    chains: list[Unit] = Field(description="KPI per key chain, ranked by revenue (rank null when withheld/empty)")
    demo: bool = Field(description="true when the store holds synthetic demo data")


class PackInfo(BaseModel):
    name: str
    version: str
    effective_date: str


class Health(BaseModel):
    status: str
    engine: str = Field(description="duckdb or postgres")
    pack: PackInfo | None
    schema_revision: str | None
