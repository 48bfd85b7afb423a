"""Full recompute of the stored indicators (what ``chainbrain compute`` writes): Ibis/DuckDB vs pandas.

Work: every YTD period with monthly reports × the groupings of
:data:`chainbrain.analytics.aggregates.GROUPINGS` (province, chain, city,
county, city × chain), all 47 registry indicators in long form.

National scale: the pandas baseline runs out of 24 GB on all 64 periods (even a
year at a time), so both sides compute the periods of the latest year there;
``ours_all_periods_s`` records our full recompute of every period.

Timing boundaries: ours starts from the DuckDB store on disk and ends with
the long table of :func:`chainbrain.analytics.panel.long_values` (one query
for every period, then vectorized formulas). The pandas baseline gets the
tables already in memory as DataFrames (loading not timed) and computes the
same raw sums for every period and grouping with vectorized merges and
group-bys — latest revision per report, each enterprise's own report a year
earlier and a year later, region/industry and chains valid at each period
end (merge on enterprise, filter on validity, newest revision), the current
and comparable sums, then last year's sample as the same sums a year
earlier (both sides a year at a time above ``CHUNK_ROWS`` reports: the national
store). The indicator formulas on top are the same cheap arithmetic on
either side and are left out of the baseline. Results are checked equal
(counts, revenue, comparable YoY, exits, scale-ups, last year's revenue for every row) before
the timing is recorded. ``load_1min``: the load average before and after.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os

import numpy as np
import pandas as pd

from benchmarks.data import demo_store
from benchmarks.harness import best_of, peak_mb, record
from chainbrain.analytics.aggregates import GROUPINGS, available_periods
from chainbrain.analytics.formulas import MEASURES
from chainbrain.analytics.panel import CHUNK_ROWS, long_values
from chainbrain.analytics.registry import COLUMN, REPORTED_PREV

NAME = "indicators_full_recompute"
SECTIONS = ("B", "C", "D")


def ours(store, periods):
    return long_values(store, periods, GROUPINGS)


def load_frames(store, years=None) -> dict[str, pd.DataFrame]:
    cols = ", ".join(f"{c}::DOUBLE AS {m}" for m, c in COLUMN.items())
    prev = ", ".join(f"{c}::DOUBLE AS {m}_rep_prev" for m, c in REPORTED_PREV.items())
    q = lambda sql: pd.read_sql(sql, store.engine)  # noqa: E731
    return {
        "mr": q(f"SELECT enterprise_id, year, month, {cols}, {prev}, revision FROM monthly_report WHERE month >= 2"
                + (f" AND year IN ({', '.join(map(str, years))})" if years else "")),
        "attr": q("SELECT enterprise_id, attr, attr_value, valid_from, valid_to, revision FROM enterprise_attr "
                  "WHERE attr IN ('region_code', 'industry_code')"),
        "es": q("SELECT enterprise_id, segment_code, valid_from, valid_to FROM enterprise_segment"),
        "sc": q("SELECT sc.segment_code, sc.chain_code FROM segment_chain sc JOIN segment s ON s.code = sc.segment_code"),
        "ind": q("SELECT code AS industry_code, section, sei FROM industry"),
        "reg": q("SELECT code AS region_code, prefecture_code FROM region"),
    }


def _valid(df: pd.DataFrame, d: pd.Series) -> pd.Series:
    vf, vt = pd.to_datetime(df["valid_from"]), pd.to_datetime(df["valid_to"])
    return (vf.isna() | (vf <= d)) & (vt.isna() | (vt >= d))   # valid_to inclusive (the last valid day)


def baseline(f) -> pd.DataFrame:
    """:func:`_baseline_years` over all years — a year at a time above ``panel.CHUNK_ROWS`` reports,
    as ours (a year's figures need its reports and those a year earlier)."""
    mr = f["mr"]
    if len(mr) <= CHUNK_ROWS:
        return _baseline_years(f, mr)
    years = sorted(mr["year"].unique())
    return pd.concat([_baseline_years(f, mr[mr["year"].isin([y - 1, y])], keep=y) for y in years],
                     ignore_index=True)


def _baseline_years(f, mr: pd.DataFrame, keep: int | None = None) -> pd.DataFrame:
    """The raw sums of the panel per (year, month, by, key): for each measure the sum, reporters and
    comparable current / base / count; counts, scale-ups, loss-making, SEI value added, R&D and export
    bases; last year's sample (sums, reporters, loss-making) and exits from a year earlier."""
    mr = mr.sort_values("revision").drop_duplicates(["enterprise_id", "year", "month"], keep="last")
    mr = mr.drop(columns="revision")
    ends = mr[["year", "month"]].drop_duplicates()
    ends["d"] = pd.to_datetime([dt.date(y, m, calendar.monthrange(y, m)[1]) for y, m in zip(ends.year, ends.month)])
    k = ["enterprise_id", "year", "month"]
    before = mr[k + list(MEASURES)].rename(columns={m: f"p_{m}" for m in MEASURES}).assign(in_prev=1)
    before["year"] += 1
    after = mr[k].assign(has_next=1)
    after["year"] -= 1
    x = mr.merge(before, on=k, how="left").merge(after, on=k, how="left").merge(ends, on=["year", "month"])
    keys = x[k + ["d"]]
    a = keys.merge(f["attr"], on="enterprise_id")
    a = a[_valid(a, a["d"])].sort_values("revision").drop_duplicates(k + ["attr"], keep="last")
    loc = a.pivot_table(index=k, columns="attr", values="attr_value", aggfunc="first").reset_index()
    loc = loc.dropna(subset=["region_code", "industry_code"])
    loc = loc.merge(f["ind"], on="industry_code").merge(f["reg"], on="region_code")
    loc = loc[loc["section"].isin(SECTIONS)]
    x = x.merge(loc[k + ["region_code", "prefecture_code", "sei"]], on=k)
    sums = {"n": 1, "scale_up": x["in_prev"].isna().astype(int), "leaver": x["has_next"].isna().astype(int),
            "sei_partial": (x["sei"] == "partial").astype(int), "loss": (x["profit"] < 0).astype(int),
            "profit_rep": x["profit"].notna().astype(int),
            "sei_va_true": x["value_added"].where(x["sei"] == "true"),
            "sei_va_partial": x["value_added"].where(x["sei"] == "partial"),
            "rd_base": x["revenue"].where(x["rd_expense"].notna()),
            "export_base": x["revenue"].where(x["export"].notna())}
    for m in MEASURES:
        prior = x[f"{m}_rep_prev"].fillna(x[f"p_{m}"]) if m in REPORTED_PREV else x[f"p_{m}"]
        ok = x[m].notna() & prior.notna()
        sums |= {f"{m}_n": x[m].notna().astype(int), f"{m}_cc": x[m].where(ok), f"{m}_cb": prior.where(ok),
                 f"{m}_cn": ok.astype(int)}
    sums["rev_cc"], sums["rev_cb"] = sums["revenue_cc"], sums["revenue_cb"]
    x = x.assign(**sums)
    es = keys.merge(f["es"], on="enterprise_id")
    es = es[_valid(es, es["d"])].merge(f["sc"], on="segment_code")[k + ["chain_code"]].drop_duplicates()
    xc = x.merge(es, on=k)
    vals = [*sums, *MEASURES]
    parts = []
    for by, src, cols in (("all", x, []), ("city", x, ["prefecture_code"]), ("county", x, ["region_code"]),
                          ("chain", xc, ["chain_code"]), ("city_chain", xc, ["prefecture_code", "chain_code"])):
        g = src.groupby(["year", "month", *cols])[vals].sum(min_count=1).reset_index()
        g["key"] = "all" if not cols else g[cols].astype(str).agg("|".join, axis=1)
        parts.append(g.drop(columns=cols).assign(by=by))
    out = pd.concat(parts, ignore_index=True)
    carried = {"n": "prev_n", "leaver": "exits", "loss": "loss_prev", "profit_rep": "profit_rep_prev",
               **{m: f"{m}_prev" for m in MEASURES}, **{f"{m}_n": f"{m}_prev_n" for m in MEASURES}}
    prev = out[["year", "month", "by", "key", *carried]].rename(columns=carried)
    prev["year"] += 1
    out = out.drop(columns="leaver").merge(prev, on=["year", "month", "by", "key"], how="outer")
    return out if keep is None else out[out["year"] == keep]


def _check(ours_long: pd.DataFrame, base: pd.DataFrame, periods: list[str]) -> int:
    base = base.assign(revenue_yoy=base["rev_cc"] / base["rev_cb"] - 1)
    want = {"above_scale_count": "n", "revenue": "revenue", "revenue_yoy": "revenue_yoy",
            "scale_ups": "scale_up", "exits": "exits", "revenue_prev": "revenue_prev"}
    o = ours_long[ours_long["indicator"].isin(want)].pivot(
        index=["period", "by", "key"], columns="indicator", values="value")
    b = base.assign(period=[f"{y}-{m:02d}" for y, m in zip(base.year, base.month)])
    b = b[b["period"].isin(periods)].set_index(["period", "by", "key"])
    assert len(o) == len(b), (len(o), len(b))
    b = b.reindex(o.index)
    for ind, col in want.items():
        x, y = o[ind].to_numpy(float), b[col].to_numpy(float)
        if ind in ("above_scale_count", "scale_ups", "exits"):
            y = np.nan_to_num(y)
        assert np.allclose(np.nan_to_num(x), np.nan_to_num(y), rtol=1e-9), ind
    return len(o)


def run(scale: str) -> dict:
    store = demo_store(scale)
    periods = available_periods(store)
    years = None
    extra = {}
    if scale == "national":            # pandas needs > 24 GB for all periods: both sides do the latest year
        t_all, _ = best_of(lambda: ours(store, periods), repeat=1)
        extra = {"ours_all_periods_s": round(t_all, 2), "all_periods": len(periods)}
        last = max(int(p[:4]) for p in periods)
        periods = [p for p in periods if int(p[:4]) == last]
        years = [last - 1, last]
    load0 = round(os.getloadavg()[0], 2)
    t_first, _ = best_of(lambda: ours(store, periods), repeat=1)
    t_ours, out = best_of(lambda: ours(store, periods), repeat=2)
    peak = peak_mb()
    frames = load_frames(store, years)
    t_base, bout = best_of(lambda: baseline(frames), repeat=1)
    rows = _check(out, bout, periods)
    return record(NAME, scale, t_ours, t_base, peak, periods=len(periods), groupings=list(GROUPINGS),
                  rows=rows, values=len(out), ours_first_s=round(t_first, 4),
                  load_1min=[load0, round(os.getloadavg()[0], 2)], **extra)
