"""KPI for the province, every chain and every city at one period: Ibis/DuckDB vs pandas.

Timing boundaries: ours starts from the DuckDB store on disk (warm after the
first of the repeats) and ends with the KPI records (province + 12 chains +
11 cities: revenue YTD, previous-year sample, comparable current/base,
counts, target path) from one :func:`chainbrain.analytics.kpi.kpi_tables`
call (three queries: the three groupings share one pass; the level path's base year and the chained comparable
index's completed years are the other two). The pandas baseline gets the same tables already loaded
in memory as DataFrames (loading is not timed) and computes the same records
with vectorized merges and group-bys: latest revision per report, attributes
valid at the period end, chain membership through segment_chain, and the
chained comparable index (each completed year's December comparable sums with
members at that year's end × this year's YTD link). Results — the index
included — are checked equal before timing is recorded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.data import demo_store
from benchmarks.harness import best_of, peak_mb, record
from chainbrain.analytics.kpi import kpi_tables, latest_period
from chainbrain.periods import parse_period

SCOPE_SECTIONS = ("B", "C", "D")


def ours(store, period):
    t = kpi_tables(store, period, ("all", "chain", "city"))
    return t["all"][0], t["chain"], t["city"]


# ------------------------------------------------------------------ baseline
def load_frames(store, years: list[int]) -> dict[str, pd.DataFrame]:
    con = store.engine
    yl = ",".join(str(y) for y in years)
    q = lambda sql: pd.read_sql(sql, con)  # noqa: E731
    return {
        "mr": q(f"SELECT enterprise_id, year, month, revenue_ytd::DOUBLE AS revenue_ytd, "
                f"revenue_ytd_prev::DOUBLE AS revenue_ytd_prev, revision FROM monthly_report WHERE year IN ({yl})"),
        "attr": q("SELECT enterprise_id, attr, attr_value, valid_from, valid_to, revision FROM enterprise_attr"),
        "es": q("SELECT enterprise_id, segment_code, valid_from, valid_to, revision FROM enterprise_segment"),
        "sc": q("SELECT segment_code, chain_code FROM segment_chain"),
        "ind": q("SELECT code AS industry_code, section FROM industry"),
        "reg": q("SELECT code AS region_code, prefecture_code FROM region"),
    }


def _valid(df: pd.DataFrame, date) -> pd.DataFrame:
    d = pd.Timestamp(date)
    vf = pd.to_datetime(df["valid_from"])
    vt = pd.to_datetime(df["valid_to"])
    return df[(vf.isna() | (vf <= d)) & (vt.isna() | (vt >= d))]   # valid_to inclusive (the last valid day)


def _members(f, date, by: str) -> pd.DataFrame:
    a = _valid(f["attr"], date).sort_values("revision").drop_duplicates(["enterprise_id", "attr"], keep="last")
    w = a.pivot(index="enterprise_id", columns="attr", values="attr_value").reset_index()
    w = w.merge(f["ind"], on="industry_code").merge(f["reg"], on="region_code")
    w = w[w["section"].isin(SCOPE_SECTIONS)]
    if by == "all":
        return pd.DataFrame({"enterprise_id": w["enterprise_id"], "key": "all"})
    if by == "city":
        return w[["enterprise_id", "prefecture_code"]].rename(columns={"prefecture_code": "key"})
    es = _valid(f["es"], date).sort_values("revision").drop_duplicates(["enterprise_id", "segment_code"], keep="last")
    ec = es.merge(f["sc"], on="segment_code")[["enterprise_id", "chain_code"]].drop_duplicates()
    return ec[ec["enterprise_id"].isin(w["enterprise_id"])].rename(columns={"chain_code": "key"})


def baseline(f, period: str, base_year: int, rate: float) -> dict[str, pd.DataFrame]:
    p = parse_period(period)
    mr = f["mr"].sort_values("revision").drop_duplicates(["enterprise_id", "year", "month"], keep="last")
    cur = mr[(mr.year == p.year) & (mr.month == p.month)]
    prev = mr[(mr.year == p.year - 1) & (mr.month == p.month)]
    base = mr[(mr.year == base_year) & (mr.month == p.month)]
    out = {}
    for by in ("all", "chain", "city"):
        mc = _members(f, p.end_date, by)
        c = cur.merge(mc, on="enterprise_id")
        g = c.groupby("key").agg(revenue=("revenue_ytd", "sum"), n=("revenue_ytd", "size"))
        c = c.merge(prev[["enterprise_id", "revenue_ytd"]].rename(columns={"revenue_ytd": "own_prev"}),
                    on="enterprise_id", how="left")
        c["prior"] = c["revenue_ytd_prev"].fillna(c["own_prev"])
        c = c[c["prior"].notna()]
        comp = c.groupby("key").agg(comp_cur=("revenue_ytd", "sum"), comp_base=("prior", "sum"))
        pv = prev.merge(_members(f, p.shifted(-1).end_date, by), on="enterprise_id").groupby("key")["revenue_ytd"].sum()
        bs = base.merge(_members(f, p.shifted(base_year - p.year).end_date, by), on="enterprise_id")
        path = bs.groupby("key")["revenue_ytd"].sum() * (1 + rate) ** (p.year - base_year)
        index = comp["comp_cur"] / comp["comp_base"]          # chained comparable index: this year's YTD link
        for y in range(base_year + 1, p.year):                # × every completed year's December link
            dec = mr[(mr.year == y) & (mr.month == 12)]
            own = mr[(mr.year == y - 1) & (mr.month == 12)][["enterprise_id", "revenue_ytd"]]
            d = dec.merge(_members(f, pd.Timestamp(y, 12, 31).date(), by), on="enterprise_id")
            d = d.merge(own.rename(columns={"revenue_ytd": "own_prev"}), on="enterprise_id", how="left")
            d["prior"] = d["revenue_ytd_prev"].fillna(d["own_prev"])
            d = d[d["prior"].notna()]
            link = d.groupby("key").agg(cc=("revenue_ytd", "sum"), cb=("prior", "sum"))
            index = index * (link["cc"] / link["cb"])
        out[by] = g.join(comp).join(pv.rename("prev")).join(path.rename("path")).join(index.rename("index"))
    return out


def _check(ours_out, base_out) -> None:
    prov, chains, cities = ours_out
    b = base_out["all"].loc["all"]
    assert np.isclose(prov["revenue_ytd_yuan"], b["revenue"], rtol=1e-9)
    assert np.isclose(prov["comparable_base_yuan"], b["comp_base"], rtol=1e-9)
    assert np.isclose(prov["target_path_yuan"], b["path"], rtol=1e-9)
    assert np.isclose(prov["target_index_comparable"], b["index"], rtol=1e-9)
    for rows, key in ((chains, "chain"), (cities, "city")):
        df = base_out[key]
        assert len(rows) == len(df), (key, len(rows), len(df))
        for r in rows:
            assert np.isclose(r["revenue_ytd_yuan"], df.at[r["key"], "revenue"], rtol=1e-9)
            assert r["above_scale_count"] == df.at[r["key"], "n"]
            assert np.isclose(r["comparable_base_yuan"], df.at[r["key"], "comp_base"], rtol=1e-9)
            assert np.isclose(r["target_index_comparable"], df.at[r["key"], "index"], rtol=1e-9)


def run(scale: str) -> dict:
    store = demo_store(scale)
    period = latest_period(store)
    t_ours, out = best_of(lambda: ours(store, period))
    peak = peak_mb()
    base_year, rate = 2022, out[0]["target_annual_rate"]
    p = parse_period(period)
    frames = load_frames(store, sorted({p.year, base_year} | set(range(base_year, p.year))))
    t_base, bout = best_of(lambda: baseline(frames, period, base_year, rate))
    _check(out, bout)
    return record("kpi_province_chain_city", scale, t_ours, t_base, peak, period=period,
                  enterprises_reporting=out[0]["above_scale_count"])
