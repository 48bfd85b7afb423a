"""本地配套率 by chain and supplier concentration by chain for one year: Ibis/DuckDB vs pandas.

Timing boundaries: ours starts from the DuckDB demo store on disk and ends
with the rows of :func:`chainbrain.analytics.supply_local.local_rate_table`
(``by="chain"``) and :func:`chainbrain.analytics.supply_concentration.concentration_table`
(``by="chain"``), computed together by
:func:`chainbrain.analytics.supply_measures.local_rate_and_concentration` — one
statement whose two parts share their building blocks (``ours_separate_s``:
the two functions called one after the other, two statements).  The pandas
baseline gets the same tables already loaded in memory as DataFrames (loading
is not timed) and computes the same rows with vectorized merges and group-bys:
latest revision per link, buyers located on 31 December (region and class
valid that day, sections B–D, regions of the province), chains through the
segments valid that day, suppliers' province and city (county on 31 December,
else ``region_code``, else the USCC registration region; unknown codes →
first four digits + 00), December operating cost for the coverage.  Results
(purchases, local and in-city amounts, counts, coverage, HHI, top share) are
checked equal before timing is recorded.  Year: the latest year with links.
Both sides get one untimed warm-up call; then the best of three.  At small
sizes ours is dominated by Ibis's compilation of the query (~0.3 s for the
two calls), which does not grow with the data.
"""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pandas as pd

from benchmarks.data import demo_store
from benchmarks.harness import best_of, peak_mb, record
from chainbrain.analytics.supply_concentration import concentration_table
from chainbrain.analytics.supply_local import home_province, local_rate_table
from chainbrain.analytics.supply_measures import local_rate_and_concentration

SECTIONS = ("B", "C", "D")


def ours(store, year: int):
    return local_rate_and_concentration(store, year, "chain")


def ours_separate(store, year: int):
    return local_rate_table(store, year, "chain"), concentration_table(store, year, "chain")


def load_frames(store, year: int) -> dict[str, pd.DataFrame]:
    q = lambda sql: pd.read_sql(sql, store.engine)  # noqa: E731
    return {
        "sl": q(f"SELECT supplier_id, buyer_id, amount::DOUBLE AS amount, revision FROM supply_link WHERE year = {year}"),
        "ent": q("SELECT id, province_code, region_code, registered_region FROM enterprise"),
        "attr": q("SELECT enterprise_id, attr, attr_value, valid_from, valid_to, revision FROM enterprise_attr"),
        "es": q("SELECT enterprise_id, segment_code, valid_from, valid_to, revision FROM enterprise_segment"),
        "seg": q("SELECT code AS segment_code FROM segment"),
        "sc": q("SELECT segment_code, chain_code FROM segment_chain"),
        "ind": q("SELECT code AS industry_code, section FROM industry"),
        "reg": q("SELECT code AS region_code, prefecture_code FROM region"),
        "cost": q(f"SELECT enterprise_id, cost_ytd::DOUBLE AS cost, revision FROM monthly_report "
                  f"WHERE year = {year} AND month = 12"),
    }


def _valid(df: pd.DataFrame, date) -> pd.DataFrame:
    d = pd.Timestamp(date)
    vf, vt = pd.to_datetime(df["valid_from"]), pd.to_datetime(df["valid_to"])
    return df[(vf.isna() | (vf <= d)) & (vt.isna() | (vt >= d))]


def baseline(f, year: int, home: str):
    date = dt.date(year, 12, 31)
    sl = f["sl"].sort_values("revision").drop_duplicates(["supplier_id", "buyer_id"], keep="last")
    sl = sl[sl.supplier_id != sl.buyer_id]
    a = _valid(f["attr"][f["attr"].attr.isin(["region_code", "industry_code"])], date)
    a = a.sort_values("revision").drop_duplicates(["enterprise_id", "attr"], keep="last")
    loc = a.pivot(index="enterprise_id", columns="attr", values="attr_value").reset_index().dropna()
    base = loc.merge(f["ind"], on="industry_code").merge(f["reg"], on="region_code")
    base = base[base.section.isin(SECTIONS)]
    buyers = base[["enterprise_id", "prefecture_code"]].rename(columns={"enterprise_id": "buyer_id",
                                                                        "prefecture_code": "bcity"})
    ent = f["ent"].merge(loc[["enterprise_id", "region_code"]].rename(
        columns={"enterprise_id": "id", "region_code": "lreg"}), on="id", how="left")
    ent["sreg"] = ent["lreg"].fillna(ent["region_code"]).fillna(ent["registered_region"])
    ent = ent.merge(f["reg"].rename(columns={"region_code": "sreg"}), on="sreg", how="left")
    ent["scity"] = ent["prefecture_code"].fillna(ent["sreg"].str[:4] + "00")
    sup = pd.DataFrame({"supplier_id": ent["id"], "is_local": ent["province_code"] == home, "scity": ent["scity"]})
    x = sl.merge(buyers, on="buyer_id").merge(sup, on="supplier_id")
    x["local"] = np.where(x.is_local, x.amount, 0.0)
    x["city"] = np.where(x.scity == x.bcity, x.amount, 0.0)
    es = _valid(f["es"], date).merge(f["seg"], on="segment_code")
    m = es.merge(f["sc"], on="segment_code")[["enterprise_id", "chain_code"]].drop_duplicates()
    m = m[m.enterprise_id.isin(buyers.buyer_id)].rename(columns={"enterprise_id": "buyer_id", "chain_code": "key"})
    pb = x.groupby("buyer_id")[["amount", "local", "city"]].sum().reset_index()
    cost = f["cost"].sort_values("revision").drop_duplicates("enterprise_id", keep="last")
    cost = cost[cost.cost.notna()].rename(columns={"enterprise_id": "buyer_id"})[["buyer_id", "cost"]]
    b = m.merge(pb, on="buyer_id", how="left").merge(cost, on="buyer_id", how="left")
    b[["amount", "local", "city"]] = b[["amount", "local", "city"]].fillna(0.0)
    b["covered"] = np.where(b.cost.notna(), b.amount, np.nan)
    g = b.groupby("key").agg(purchases=("amount", "sum"), local=("local", "sum"), city=("city", "sum"),
                             buyers=("buyer_id", "nunique"), cost=("cost", "sum"), covered=("covered", "sum"))
    xm = x.merge(m, on="buyer_id")
    g = g.join(xm.groupby("key")["supplier_id"].nunique().rename("suppliers"))
    g = g.join(xm[xm.is_local].groupby("key")["supplier_id"].nunique().rename("local_suppliers"))
    g[["suppliers", "local_suppliers"]] = g[["suppliers", "local_suppliers"]].fillna(0)
    g["coverage"] = (g.covered / g.cost).clip(upper=1.0).where(g.cost > 0)
    ks = xm.groupby(["key", "supplier_id"])["amount"].sum()
    tot = ks.groupby(level=0).sum()
    g["top"] = ks.groupby(level=0).max() / tot
    g["hhi"] = (ks ** 2).groupby(level=0).sum() / tot ** 2
    return g


def _check(out, g) -> int:
    lr, cc = out
    assert len(lr) == len(g) == len(cc), (len(lr), len(g), len(cc))
    for r in lr.itertuples():
        e = g.loc[r.key]
        assert np.isclose(r.purchases_yuan, e.purchases, rtol=1e-9) and np.isclose(r.local_yuan, e.local, rtol=1e-9)
        assert (r.buyers, r.suppliers, r.local_suppliers) == (e.buyers, e.suppliers, e.local_suppliers)
        if e.purchases > 0:
            assert np.isclose(r.city_local_rate, e.city / e.purchases, rtol=1e-9)
        assert (pd.isna(r.observed_coverage) and pd.isna(e.coverage)) or np.isclose(r.observed_coverage, e.coverage)
    for r in cc.itertuples():
        e = g.loc[r.key]
        assert (pd.isna(r.hhi) and pd.isna(e.hhi)) or np.isclose(r.hhi, e.hhi, rtol=1e-9)
        assert (pd.isna(r.top_supplier_share) and pd.isna(e.top)) or np.isclose(r.top_supplier_share, e.top)
    return len(lr)


def latest_year(store) -> int:
    return int(pd.read_sql("SELECT MAX(year) AS y FROM supply_link", store.engine)["y"].iloc[0])


def compare(store, year: int, repeat: int = 3):
    ours(store, year)                                   # warm-up: first compilation, DuckDB buffers
    t_ours, out = best_of(lambda: ours(store, year), repeat=repeat)
    peak = peak_mb()
    ours_separate(store, year)
    t_sep, sep = best_of(lambda: ours_separate(store, year), repeat=repeat)
    pd.testing.assert_frame_equal(out[0], sep[0])
    pd.testing.assert_frame_equal(out[1], sep[1])
    frames = load_frames(store, year)
    home = home_province(store)
    baseline(frames, year, home)
    t_base, g = best_of(lambda: baseline(frames, year, home), repeat=repeat)
    keys = _check(out, g)
    return t_ours, t_base, peak, keys, len(frames["sl"]), t_sep


def run(scale: str) -> dict:
    store = demo_store(scale)
    year = latest_year(store)
    load0 = os.getloadavg()[0]
    t_ours, t_base, peak, keys, links, t_sep = compare(store, year)
    return record("supply_local_rate_concentration", scale, t_ours, t_base, peak, year=year, chains=keys,
                  links=links, links_in_store=links_in_store(store), input=f"demo store ({scale}), year {year}",
                  ours_separate_s=round(t_sep, 4), load_1min=[round(load0, 2), round(os.getloadavg()[0], 2)])


def links_in_store(store) -> int:
    """All supply_link rows of the store (every year and revision)."""
    return int(pd.read_sql("SELECT COUNT(*) AS n FROM supply_link", store.engine)["n"].iloc[0])
