"""Region × segment figures from the store (Ibis; runs on DuckDB and PostgreSQL).

For a year Y, an enterprise counts with its newest ``annual_report`` revision
for Y, the region (``enterprise_attr`` ``region_code``) and segments
(``enterprise_segment``) valid on 31 December of Y.  Sub-segments roll up to
their parent segment.  An enterprise mapped to n segments contributes 1/n of
its revenue and employees to each (shares sum to the enterprise, so RCA and
location quotients add up to the province total), and counts as one
enterprise in each.  Counties map to themselves, cities to
``region.prefecture_code``.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
from ibis import _

from chainbrain.analytics.scope import attr_on, latest

LEVELS = ("county", "prefecture")


def _valid_on(t, date: dt.date):
    d = ibis.literal(date)
    return t.filter((t.valid_from.isnull() | (t.valid_from <= d)) & (t.valid_to.isnull() | (t.valid_to >= d)))


def latest_year(store) -> int | None:
    r = store.table("annual_report").aggregate(y=_.year.max()).execute()
    y = r["y"].iloc[0] if len(r) else None
    return None if y is None or pd.isna(y) else int(y)


def region_level(store, code: str) -> str:
    r = store.table("region").filter(_.code == code).select("level").execute()
    if not len(r):
        raise ValueError(f"unknown region code {code} (未知地区代码)")
    return str(r["level"].iloc[0])


def enterprise_segment_expr(store, year: int):
    """Ibis expression: one row per (enterprise, segment) for ``year`` — ``county`` (the enterprise's
    region code), ``city`` (its prefecture), ``segment``, ``revenue`` and ``employees`` already
    weighted 1/n by the enterprise's n segments. The region × segment table of either level is its
    sum (:func:`region_segment_expr`); disclosure control builds its cells from the same rows
    (:mod:`chainbrain.analytics.suppression_focus`)."""
    date = dt.date(year, 12, 31)
    ar = store.table("annual_report")
    ar = latest(ar.filter(ar.year == year), ["enterprise_id", "year"])
    ar = ar.select("enterprise_id", revenue=ar.revenue.cast("float64"), employees=ar.employees.cast("float64"))
    reg = attr_on(store, "region_code", date)
    es = latest(_valid_on(store.table("enterprise_segment"), date), ["enterprise_id", "segment_code", "valid_from"])
    seg = store.table("segment")
    seg = seg.select(segment_code=seg.code,
                     segment=ibis.cases((seg.level == "sub_segment", seg.parent_code.fill_null(seg.code)),
                                        else_=seg.code))
    es = es.join(seg, "segment_code").select("enterprise_id", "segment").distinct()
    n = es.group_by("enterprise_id").aggregate(n_seg=_.count())
    es = es.join(n, "enterprise_id")
    region_t = store.table("region")
    rmap = region_t.select(region_code=region_t.code, city=region_t.prefecture_code)
    m = ar.join(reg, "enterprise_id").join(rmap, "region_code").join(es, "enterprise_id")
    w = 1.0 / m.n_seg.cast("float64")
    return m.select("enterprise_id", "segment", county=m.region_code, city=m.city, revenue=m.revenue * w,
                    employees=m.employees.fill_null(0) * w)


def region_segment_expr(store, year: int, level: str = "county"):
    """Ibis expression: (region, segment, revenue, employees, enterprises) for ``year``."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    m = enterprise_segment_expr(store, year)
    m = m.mutate(region=m.county if level == "county" else m.city)
    return m.group_by(["region", "segment"]).aggregate(
        revenue=m.revenue.sum(), employees=m.employees.sum(), enterprises=m.enterprise_id.nunique())


def region_segment_values(store, year: int | None = None, level: str = "county") -> pd.DataFrame:
    """The long table (region, segment, revenue, employees, enterprises), sorted."""
    year = year or latest_year(store)
    if year is None:
        return pd.DataFrame(columns=["region", "segment", "revenue", "employees", "enterprises"])
    df = region_segment_expr(store, year, level).execute()
    return df.sort_values(["region", "segment"], ignore_index=True)


def segments(store) -> pd.DataFrame:
    """(segment, chain_code, stage, name_zh) of segment-level catalog entries."""
    s = store.table("segment")
    s = s.filter(s.level == "segment").select(segment=s.code, chain_code=s.chain_code, stage=s.stage,
                                              name_zh=s.name_zh)
    return s.execute()


def regions(store, level: str) -> pd.DataFrame:
    r = store.table("region")
    return r.filter(r.level == level).select("code", "name", "prefecture_code").execute()
