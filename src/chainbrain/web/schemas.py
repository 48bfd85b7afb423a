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
    target_ratio: float | None = Field(description=(
        "comparable basis: target_index_comparable / (1 + rate)^(year − base year)"))
    target_status: str | None = Field(description=(
        "from target_ratio: green (≥ 1), yellow (≥ 1 − band), red; null without a comparable index"))
    target_year: int | None = Field(None, description="the target's final year T")
    target_ratio_level: float | None = Field(None, description="level basis (总量口径): revenue_ytd / target_path")
    target_status_level: str | None = Field(None, description="target_ratio_level graded like target_status")
    target_index_comparable: float | None = Field(None, description=(
        "chained comparable index I = Π(1 + full-year comparable growth of each completed year since the base "
        "year) × (1 + this year's YTD comparable growth); null when a link has no comparable data"))
    target_index_count: int | None = Field(0, description="smallest comparable sample among the chained links")
    target_index_missing_years: list[int] | None = Field(default_factory=list, description=(
        "years whose comparable growth is missing from the chain (I is null when any)"))
    target_required_growth: float | None = Field(None, description=(
        "((1 + rate)^(T − base) / I)^(1/(T − year)) − 1, for year < T (comparable growth a year still needed)"))
    target_required_growth_rest_of_year: float | None = Field(None, description=(
        "comparable growth the remaining months of this year need to end the year on the path; null after T"))
    target_basis: str | None = Field("comparable", description="basis of target_ratio / target_status: comparable")
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
