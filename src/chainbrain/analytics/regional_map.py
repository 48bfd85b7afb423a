"""区域分布图 — where a chain's segments are present, county by county.

For a chain C and a date d (the last day of a period): the chain's firms in
scope on d (:func:`chainbrain.analytics.scope.members`, industry scope as
given), located in their county on d, each counted once per top segment of C
it belongs to (a sub-segment counts under its top segment) and once for the
chain.

- :func:`county_segments` → rows ``region_code, segment_code, enterprise_count``
  (only non-zero cells);
- :func:`county_chain` → rows ``region_code, enterprise_count`` (distinct firms
  of the chain in the county: a firm in two segments counts once).

Presence of segment S in county r is ``enterprise_count > 0``; a segment of C
with no firm in r is *absent* there (the county-level 缺链 reading; the
province-level gap status comes from ``chainbrain.analytics.supply_gaps``).
Counts and presence are ordinal (not withheld; docs/web.md, focus pages).
Ibis: the same expressions on DuckDB, PostgreSQL and PySpark.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from chainbrain.analytics.scope import Shared, members


def _located_members(store, date: dt.date, chain: str, scope: str, by: str):
    sh = Shared(store)
    m = members(store, date, scope, chain=chain, by=by, shared=sh)
    b = sh.base(date, scope)
    b = b.select(_eid=b.enterprise_id, region_code=b.region_code)
    return m.join(b, m.enterprise_id == b._eid)


def county_segments(store, chain: str, date: dt.date, scope: str = "all") -> pd.DataFrame:
    m = _located_members(store, date, chain, scope, "segment")
    g = m.group_by(["region_code", "key"]).aggregate(enterprise_count=m.enterprise_id.nunique()).execute()
    g = g.rename(columns={"key": "segment_code"})
    g["enterprise_count"] = g["enterprise_count"].astype(int)
    return g.sort_values(["region_code", "segment_code"]).reset_index(drop=True)


def county_chain(store, chain: str, date: dt.date, scope: str = "all") -> pd.DataFrame:
    m = _located_members(store, date, chain, scope, "chain")
    g = m.group_by("region_code").aggregate(enterprise_count=m.enterprise_id.nunique()).execute()
    g["enterprise_count"] = g["enterprise_count"].astype(int)
    return g.sort_values("region_code").reset_index(drop=True)
