"""The alerts of every period at once (#20, ``analytics/alerts_stored.py``) vs period by period and pandas.

Set-up: a copy of the cached demo store (:func:`benchmarks.data.demo_copy`), every period on file.

Ours (``ours_s``): :func:`chainbrain.analytics.alerts_stored.every_period` — one KPI panel, one
indicator panel, one small chain-master query per period, the four rules applied per period.
``keep_s``: :func:`~chainbrain.analytics.alerts_stored.keep` (the same and the write).
``live_per_period_s``: :func:`chainbrain.analytics.alerts.alerts` on a sample of periods (what the
server computed per period opened before), ``live_all_periods_est_s`` scaled to every period.

Baseline (pandas, tables loaded in memory beforehand, loading not timed): the same four rules for
every period from the raw tables — latest revision per report; each enterprise's county and chains
valid at each period end; per chain and for the province the loss-making share (profit < 0 among
profit reporters) this year and a year earlier (each year's own members), the city × chain share
of the chain's revenue this year and a year earlier; the chains' comparable index and target path
from :func:`benchmarks.bench_kpi_stored.baseline` (ratio index ÷ (1 + r)^(Y − B), three periods
in a row below 1); the chain masters valid at the period end whose revenue fell more than 10 % on
their own prior (上年同期, else their own report a year earlier). Checked against ours: the same
(period, rule, subject) set, before the times are recorded.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from benchmarks.bench_kpi_stored import _cells, _valid
from benchmarks.bench_kpi_stored import baseline as kpi_baseline
from benchmarks.bench_kpi_stored import load_frames as kpi_frames
from benchmarks.harness import peak_mb, record

SAMPLE = 6                                     # periods computed live (the estimate's basis)


def load_frames(store) -> dict[str, pd.DataFrame]:
    """The KPI benchmark's tables (:func:`benchmarks.bench_kpi_stored.load_frames`), the reports with
    their profit, and the chain-master designations."""
    q = lambda sql: pd.read_sql(sql, store.engine)  # noqa: E731
    out = kpi_frames(store)
    out["mr"] = q("SELECT enterprise_id, year, month, revenue_ytd::DOUBLE AS revenue_ytd, "
                  "revenue_ytd_prev::DOUBLE AS revenue_ytd_prev, profit_ytd::DOUBLE AS profit_ytd, revision "
                  "FROM monthly_report")
    out["des"] = q("SELECT enterprise_id, kind, level, chain_code, valid_from, valid_to, revision "
                   "FROM designation WHERE kind = 'chain_master'")
    for c in ("valid_from", "valid_to"):
        out["des"][c] = pd.to_datetime(out["des"][c])
    return out


def _end(y: int, m: int) -> pd.Timestamp:
    return pd.Timestamp(y, m, 1) + pd.offsets.MonthEnd(0)


def _period_cells(f, rep, y, m) -> pd.DataFrame:
    """Per (level, key) at (y, m) with members at its end: revenue, loss-making count, profit reporters, n."""
    w, es = _cells(f, _end(y, m))
    x = rep.merge(w, on="enterprise_id")
    x["loss"] = x["profit_ytd"] < 0
    x["pr"] = x["profit_ytd"].notna()
    xc = x.merge(es, on="enterprise_id")
    out = []
    for level, keys, frame in (("all", ["province"], x), ("chain", ["chain_code"], xc),
                               ("city_chain", ["city", "chain_code"], xc)):
        g = frame.groupby(keys).agg(n=("enterprise_id", "size"), revenue=("revenue_ytd", "sum"),
                                    loss=("loss", "sum"), pr=("pr", "sum")).reset_index()
        key = g[keys[0]].astype(str) if len(keys) == 1 else g[keys[0]].astype(str) + "|" + g[keys[1]].astype(str)
        out.append(g.drop(columns=keys).assign(level=level, key=key,
                                               chain=g["chain_code"] if "chain_code" in g else None))
    return pd.concat(out, ignore_index=True).assign(year=y, month=m)


def _previous(y: int, m: int, k: int) -> list[tuple[int, int]]:
    out = []
    while len(out) < k:
        out.append((y, m))
        m -= 1
        if m < 2:
            y, m = y - 1, 12
    return out


def baseline(f, labels: list[str], base_year: int, rate: float) -> set[tuple[str, str, str]]:
    """(period, rule, subject) of every alert of ``labels`` (module docstring)."""
    mr = f["mr"].sort_values("revision").drop_duplicates(["enterprise_id", "year", "month"], keep="last")
    by_ym = dict(tuple(mr.groupby(["year", "month"])))
    yms = sorted({(int(x[:4]), int(x[5:])) for x in labels})
    want = sorted({(y - d, m) for y, m in yms for d in (0, 1)} & set(by_ym))
    cells = pd.concat([_period_cells(f, by_ym[ym], *ym) for ym in want], ignore_index=True)
    prev = cells[["year", "month", "level", "key", "revenue", "loss", "pr"]].rename(
        columns={"revenue": "revenue_prev", "loss": "loss_prev", "pr": "pr_prev"})
    prev["year"] += 1
    c = cells.merge(prev, on=["year", "month", "level", "key"], how="left")
    c["share"] = (c["loss"] / c["pr"]).where(c["pr"] > 0)
    c["share_prev"] = (c["loss_prev"] / c["pr_prev"]).where(c["pr_prev"] > 0)
    lab = c["year"].astype(str) + "-" + c["month"].map("{:02d}".format)
    out = set()
    up = (c["level"].isin(["all", "chain"]) & c["share"].notna() & c["share_prev"].notna() & (c["pr"] >= 3)
          & ((c["share"] - c["share_prev"]) * 100 >= 2.0))
    for p, lv, k in zip(lab[up], c.loc[up, "level"], c.loc[up, "key"]):
        out.add((p, "loss_share_rising", "province" if lv == "all" else k))
    ch = c[c["level"] == "chain"][["year", "month", "key", "revenue", "revenue_prev"]].rename(
        columns={"key": "chain", "revenue": "chain_rev", "revenue_prev": "chain_prev"})
    cc = c[c["level"] == "city_chain"].merge(ch, on=["year", "month", "chain"], how="left")
    a = (cc["revenue"] / cc["chain_rev"]).where(cc["chain_rev"] != 0)
    b = (cc["revenue_prev"] / cc["chain_prev"]).where(cc["chain_prev"] != 0)
    down = a.notna() & b.notna() & (cc["n"] >= 3) & ((b - a) * 100 >= 1.0)
    labc = cc["year"].astype(str) + "-" + cc["month"].map("{:02d}".format)
    out |= {(p, "city_share_shrinking", k) for p, k in zip(labc[down], cc.loc[down, "key"])}
    # below_path: the chains' comparable index against the path, three reporting periods in a row
    need = {f"{y2}-{m2:02d}" for y, m in yms for y2, m2 in _previous(y, m, 3) if (y2, m2) in by_ym}
    k = kpi_baseline(f, sorted(need | set(labels)), base_year, rate)
    k = k[k["level"] == "chain"]
    ratio = (k["index"] / (1 + rate) ** (k["year"] - base_year)).where(k["year"] > base_year)
    below = dict(zip(zip(k["year"], k["month"], k["key"]), ratio < 1))
    for y, m in yms:
        for key in k["key"].unique():
            if all(below.get((y2, m2, key), False) for y2, m2 in _previous(y, m, 3)):
                out.add((f"{y}-{m:02d}", "below_path", key))
    # chain masters: revenue down more than 10 % on their own prior
    d = f["des"].sort_values("revision").drop_duplicates(
        ["enterprise_id", "kind", "level", "chain_code", "valid_from"], keep="last")
    own = mr[["enterprise_id", "year", "month", "revenue_ytd"]].rename(columns={"revenue_ytd": "own"})
    own["year"] += 1
    r = mr.merge(own, on=["enterprise_id", "year", "month"], how="left")
    r["prior"] = r["revenue_ytd_prev"].fillna(r["own"])
    for y, m in yms:
        dm = _valid(d, _end(y, m))[["enterprise_id", "chain_code"]].drop_duplicates()
        x = r[(r["year"] == y) & (r["month"] == m)].merge(dm, on="enterprise_id")
        x = x[x["prior"] > 0]
        drop = x["revenue_ytd"] / x["prior"] - 1 < -0.10
        out |= {(f"{y}-{m:02d}", "chain_master_drop", str(e)) for e in x.loc[drop, "enterprise_id"]}
    return out


def run(scale: str) -> dict:
    from benchmarks.data import demo_copy
    from chainbrain.analytics import alerts as live
    from chainbrain.analytics import alerts_stored, kpi_stored
    from chainbrain.analytics.kpi import growth_target
    from chainbrain.store import figures, open_store

    with demo_copy(scale, "bench-alerts-stored-") as db:
        with open_store(db) as store:
            figures.forget(store)
            labels = kpi_stored.periods_on_file(store)
            t0 = time.perf_counter()
            kept = alerts_stored.keep(store)
            keep_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            ours = alerts_stored.every_period(store)
            ours_s = time.perf_counter() - t0
            peak = peak_mb()
            sample = [labels[i] for i in np.linspace(0, len(labels) - 1, SAMPLE).round().astype(int)]
            t0 = time.perf_counter()
            for label in sample:
                assert figures.same(live.alerts(store, label), ours[label]), label
            live_s = (time.perf_counter() - t0) / len(sample)
            target = growth_target(store, None, None, "all")
            frames = load_frames(store)
        t0 = time.perf_counter()
        base = baseline(frames, labels, int(target["base_year"]), float(target["annual_rate"]))
        base_s = time.perf_counter() - t0
        mine = {(p, a["rule"], a["subject"]) for p, rows in ours.items() for a in rows}
        assert mine == base, (sorted(mine - base)[:5], sorted(base - mine)[:5])
        return record("alerts_every_period", scale, ours_s, base_s, peak, periods=len(labels), alerts=len(mine),
                      keep_s=round(keep_s, 2), live_per_period_s=round(live_s, 3),
                      live_all_periods_est_s=round(live_s * len(labels), 1), live_checked=sample,
                      rules={r: sum(1 for x in mine if x[1] == r) for r in live.RULES})


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else "province"), ensure_ascii=False, indent=1))
