"""The KPI figures of every period × region in one pass (#20, ``analytics/kpi_stored.py``) vs pandas.

Set-up: a copy of the cached demo store (:func:`benchmarks.data.demo_store`) migrated to the newest
schema (it is written to), in a temporary directory.

Ours (``ours_s``): :func:`chainbrain.analytics.kpi_stored.figures` — one panel query over every
period on file (province, cities, counties, chains, city × chain, county × chain) and the KPI
records of every period × region as the cockpit and /api/kpi ask them (what the baseline computes).
``keep_s``: :func:`~chainbrain.analytics.kpi_stored.keep`, run first — the same pass
(``keep_kpi_s``), the targets and projection of every period × region
(:mod:`chainbrain.analytics.monitoring_stored`, ``keep_monitoring_s``) and the write to
``cockpit_figure`` in one transaction; ``peak_mb``: the process's peak RSS after it.

Baseline (pandas, tables loaded in memory beforehand, loading not timed): the same groupings for
every period — latest revision per report, each enterprise's county and chains valid at each period
end (one merge per period end), the current, previous-year and comparable sums by county and by
county × chain rolled up to cities, the province and chains, then per cell the naive and comparable
growth, the level path (the base year's same month) and the chained comparable index (the
Decembers' comparable links) with vectorised merges. Checked against ours on every cell of a few
periods before the times are recorded.

``regions``: the province and the current cities and counties the request pairs are drawn from
(the pass itself covers every region code of the store). Per request (``per_request_ms``): the median over 20 random (period of the last 24, city or
county) pairs of /api/kpi's record (``model.kpi_record``) and the cockpit's KPI figures
(``model.build``), computed live (before: no stored figures) and read from the stored figures
(after), for a viewer who sees everything (no disclosure pattern: the figures alone); and the
cockpit's targets / projection (``model.monitoring``), still computed live.
"""

from __future__ import annotations

import random
import statistics
import time

import numpy as np
import pandas as pd

from benchmarks.harness import peak_mb, record

SECTIONS = ("B", "C", "D")
PAIRS = 20


# ------------------------------------------------------------------ baseline (pandas)
def load_frames(store) -> dict[str, pd.DataFrame]:
    q = lambda sql: pd.read_sql(sql, store.engine)  # noqa: E731
    out = {
        "mr": q("SELECT enterprise_id, year, month, revenue_ytd::DOUBLE AS revenue_ytd, "
                "revenue_ytd_prev::DOUBLE AS revenue_ytd_prev, revision FROM monthly_report"),
        "attr": q("SELECT enterprise_id, attr, attr_value, valid_from, valid_to, revision FROM enterprise_attr "
                  "WHERE attr IN ('region_code', 'industry_code')"),
        "es": q("SELECT enterprise_id, segment_code, valid_from, valid_to FROM enterprise_segment"),
        "sc": q("SELECT segment_code, chain_code FROM segment_chain"),
        "ind": q("SELECT code AS industry_code, section FROM industry"),
        "reg": q("SELECT code AS county, prefecture_code AS city FROM region WHERE level = 'county'"),
    }
    for t in ("attr", "es"):
        for c in ("valid_from", "valid_to"):
            out[t][c] = pd.to_datetime(out[t][c])
    return out


def _valid(df, d):
    d = pd.Timestamp(d)
    vf, vt = df["valid_from"], df["valid_to"]
    return df[(vf.isna() | (vf <= d)) & (vt.isna() | (vt >= d))]       # valid_to inclusive


def _cells(f, d) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(enterprise → county, city) in scope at date d; (enterprise, chain) at d."""
    a = _valid(f["attr"], d).sort_values("revision").drop_duplicates(["enterprise_id", "attr"], keep="last")
    w = a.pivot(index="enterprise_id", columns="attr", values="attr_value").reset_index()
    w = w.dropna().merge(f["ind"], on="industry_code").rename(columns={"region_code": "county"})
    w = w[w["section"].isin(SECTIONS)].merge(f["reg"], on="county")[["enterprise_id", "county", "city"]]
    es = _valid(f["es"], d).merge(f["sc"], on="segment_code")[["enterprise_id", "chain_code"]].drop_duplicates()
    return w.assign(province="all"), es


GROUPINGS = (("county", ["county"], False), ("city", ["city"], False), ("all", ["province"], False),
             ("county_chain", ["county", "chain_code"], True), ("city_chain", ["city", "chain_code"], True),
             ("chain", ["chain_code"], True))


def _sums(rep, w, es) -> pd.DataFrame:
    """Sums of the report rows ``rep`` (columns v, prior) by (level, key) for the six groupings."""
    x = rep.merge(w, on="enterprise_id")
    x["ok"] = x["v"].notna() & x["prior"].notna()
    x["cc"] = x["v"].where(x["ok"])
    x["cb"] = x["prior"].where(x["ok"])
    xc = x.merge(es, on="enterprise_id")
    out = []
    for level, keys, chains in GROUPINGS:
        g = (xc if chains else x).groupby(keys).agg(n=("enterprise_id", "size"), revenue=("v", "sum"),
                                                    cc=("cc", "sum"), cb=("cb", "sum"), cn=("ok", "sum"))
        g = g.reset_index()
        key = g[keys[0]].astype(str) if len(keys) == 1 else g[keys[0]].astype(str) + "|" + g[keys[1]].astype(str)
        out.append(g.drop(columns=keys).assign(level=level, key=key))
    return pd.concat(out, ignore_index=True)


def baseline(f, labels: list[str], base_year: int, rate: float) -> pd.DataFrame:
    """Per (period, level, key): n, revenue, revenue_prev, prev_count, cc, cb, cn, yoy_naive,
    yoy_comparable, path, index (module docstring)."""
    mr = f["mr"].sort_values("revision").drop_duplicates(["enterprise_id", "year", "month"], keep="last")
    own = mr[["enterprise_id", "year", "month", "revenue_ytd"]].rename(columns={"revenue_ytd": "own"})
    own["year"] += 1
    mr = mr.merge(own, on=["enterprise_id", "year", "month"], how="left")
    mr["prior"] = mr["revenue_ytd_prev"].fillna(mr["own"])
    mr = mr.rename(columns={"revenue_ytd": "v"})
    by_ym = dict(tuple(mr.groupby(["year", "month"])))
    frames = []
    for label in labels:                 # every period on file: its sums with members at its end
        y, m = int(label[:4]), int(label[5:])
        d = pd.Timestamp(y, m, 1) + pd.offsets.MonthEnd(0)
        w, es = _cells(f, d)
        frames.append(_sums(by_ym[(y, m)], w, es).assign(year=y, month=m))
    s = pd.concat(frames, ignore_index=True)
    k = ["level", "key"]
    prev = s[["year", "month", *k, "n", "revenue"]].rename(columns={"n": "prev_count", "revenue": "revenue_prev"})
    prev["year"] += 1
    s = s.merge(prev, on=["year", "month", *k], how="left")
    base = s[s["year"] == base_year][["month", *k, "revenue"]].rename(columns={"revenue": "base"})
    s = s.merge(base, on=["month", *k], how="left")
    s["path"] = s["base"] * (1 + rate) ** (s["year"] - base_year)
    s["yoy_naive"] = s["revenue"] / s["revenue_prev"] - 1
    link = (s["cc"] / s["cb"]).where((s["cn"] > 0) & (s["cb"] > 0))
    s["yoy_comparable"] = link - 1
    dec = s.assign(link=link)[s["month"] == 12].pivot_table(index=k, columns="year", values="link", aggfunc="first")
    s["index"] = np.nan
    for y in sorted(s["year"].unique()):           # this year's link × the Decembers of base+1 … y−1
        if y <= base_year:
            continue
        cols = [c for c in range(base_year + 1, y)]
        done = dec.reindex(columns=cols).prod(axis=1, skipna=False) if cols else pd.Series(1.0, index=dec.index)
        at = s["year"] == y
        before = pd.MultiIndex.from_frame(s.loc[at, k])
        s.loc[at, "index"] = link[at].to_numpy() * done.reindex(before).to_numpy() if cols else link[at].to_numpy()
    return s


def _check(figs: dict, base: pd.DataFrame, labels: list[str]) -> int:
    """Every cell of the given periods: ours (the stored records) = the baseline."""
    b = base.set_index(["year", "month", "level", "key"])
    n = 0
    for label in labels:
        y, m = int(label[:4]), int(label[5:])
        cells = [("all", "all", figs[("kpi", label, None, "all")])]
        cells += [("city", r["key"], r) for r in figs[("kpi_table", label, "city", None, "all", None)]]
        cells += [("chain", r["key"], r) for r in figs[("kpi_table", label, "chain", None, "all", None)]]
        for name, v in figs.items():
            if name[0] == "kpi_table" and name[1] == label and name[2] == "county":
                cells += [("county", r["key"], r) for r in v]
            if name[0] == "kpi_table" and name[1] == label and name[2] == "chain" and name[3]:
                level = "county_chain" if len(name[3]) == 6 and not name[3].endswith("00") else "city_chain"
                cells += [(level, f"{name[3]}|{r['key']}", r) for r in v]
        for level, key, r in cells:
            if (y, m, level, key) not in b.index:         # only last year's sample in the cell
                assert r["above_scale_count"] == 0, (label, level, key)
                continue
            row = b.loc[(y, m, level, key)]
            assert r["above_scale_count"] == int(row["n"]), (label, level, key)
            for ours_f, theirs in (("revenue_ytd_yuan", "revenue"), ("comparable_base_yuan", "cb"),
                                   ("target_path_yuan", "path"), ("yoy_comparable", "yoy_comparable"),
                                   ("target_index_comparable", "index")):
                a, e = r[ours_f], row[theirs]
                if a is None:
                    assert pd.isna(e) or r["comparable_count"] == 0, (label, level, key, ours_f, e)
                else:
                    assert np.isclose(a, e, rtol=1e-9, atol=0.01), (label, level, key, ours_f, a, e)
            n += 1
    return n


# ------------------------------------------------------------------ per request
def per_request(store, pairs) -> dict:
    from chainbrain.web import model
    from chainbrain.web.disclosure import Guard

    everyone = Guard(store, None, 1)
    out = {"kpi": [], "cockpit_kpi": [], "monitoring": []}
    for period, region in pairs:
        t0 = time.perf_counter()
        model.kpi_record(store, period, None, region, "all", everyone)
        t1 = time.perf_counter()
        model.build(store, period, region, "all", everyone, keep=False)
        t2 = time.perf_counter()
        out["kpi"].append(t1 - t0)
        out["cockpit_kpi"].append(t2 - t1)
    for period, region in pairs[:5]:               # unchanged by the stored figures: a few suffice
        t0 = time.perf_counter()
        model.monitoring(store, period, region, "all", with_alerts=False, keep=False)
        out["monitoring"].append(time.perf_counter() - t0)
    return {k: round(statistics.median(v) * 1000, 1) for k, v in out.items() if v}


def run(scale: str) -> dict:
    from benchmarks.data import demo_copy
    from chainbrain.analytics import kpi_stored
    from chainbrain.analytics.kpi import growth_target
    from chainbrain.store import figures, open_store
    from chainbrain.web import data

    with demo_copy(scale, "bench-kpi-stored-") as db:
        with open_store(db) as store:
            figures.forget(store)
            labels = kpi_stored.periods_on_file(store)
            regions = [r["code"] for r in data.regions(store, "prefecture")] + \
                [r["code"] for r in data.regions(store, "county")]
            rng = random.Random(2023)
            pairs = [(rng.choice(labels[-24:-1]), rng.choice(regions)) for _ in range(PAIRS)]
            before = per_request(store, pairs)
            t0 = time.perf_counter()
            kept = kpi_stored.keep(store)
            keep_s = time.perf_counter() - t0
            peak = peak_mb()
            t0 = time.perf_counter()
            figs = kpi_stored.figures(store)
            ours_s = time.perf_counter() - t0
            after = per_request(store, pairs)
            target = growth_target(store, None, None, "all")
            frames = load_frames(store)
        t0 = time.perf_counter()
        base = baseline(frames, labels, int(target["base_year"]), float(target["annual_rate"]))
        base_s = time.perf_counter() - t0
        checked = _check(figs, base, [labels[-1], labels[-13], labels[-30]])
        return record("kpi_stored_all_periods", scale, ours_s, base_s, peak, periods=len(labels),
                      regions=len(regions) + 1, figures=kept["figures"], keep_s=round(keep_s, 2),
                      keep_kpi_s=kept["kpi_seconds"], keep_monitoring_s=kept["monitoring_seconds"],
                      cells_checked=checked, per_request_ms={"before": before, "after": after},
                      per_request_note="median of 20 random (period of the last 24 months, city or county) pairs, "
                                       "in-process, viewer who sees everything (no disclosure pattern); "
                                       "monitoring (targets, projection) stored too, except for regions with a "
                                       "share or level target (the province, 360800)")


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else "province"), ensure_ascii=False, indent=1))
