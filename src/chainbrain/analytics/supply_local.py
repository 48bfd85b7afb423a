"""本地配套率 — the local supporting rate of a year's observed supply links.

For a year Y, a key k and the links ``supply_link`` (latest revision per
supplier × buyer × year; self links left out; yearly amounts — a pair with
monthly links holds the sum of its months, :mod:`chainbrain.ingest.supply`):

    local_rate(k)      = Σ amount of links into k's buyers from suppliers registered in the province
                         / Σ amount of all links into k's buyers
    city_local_rate(k) = Σ amount from suppliers in the buyer's own city (prefecture) / the same Σ

Value-weighted (an amount-weighted share, not an average of firm rates).
Rates are fractions, NULL when the purchases are 0.

- **Buyers** are the in-province firms of the enterprise library in the
  industry scope ``all`` (sections B–D) as of 31 December of Y: their region
  and class are the ``enterprise_attr`` rows valid that day
  (:meth:`chainbrain.analytics.scope.Shared.base`).  Supply partners (kept by
  USCC or by name + province) have no such rows and are never buyers.
- **Keys** (``by``): ``chain`` — the chains of the buyer's segments valid on
  31 December, through ``segment_chain`` (a buyer in two chains counts in
  both); ``segment`` — the buyer's segment (a sub-segment counts under its
  top segment); ``city`` / ``county`` — the buyer's prefecture / county;
  ``enterprise`` — the buyer (key = USCC, ``#id`` when it has none);
  ``supplier-segment`` — the supplier's segment on 31 December (links into
  all buyers; suppliers without a segment are in no row).
- A supplier is **registered in the province** when its ``province_code`` is
  the province's (library firms; partners: USCC characters 3–4 or the stated
  province).  Its city is the prefecture of its county on 31 December
  (library firms), else of ``region_code``, else of its USCC registration
  region (``registered_region``); where the region table does not know the
  code, its first four digits + ``00``.  A partner named only by name +
  province has no city: never in-city.
- Counts: ``buyers`` — the key's buyers (all of them, with or without observed
  purchases; ``supplier-segment``: the buyers that bought from the segment);
  ``suppliers`` / ``local_suppliers`` — distinct suppliers with a link into the
  key's buyers (local: registered in the province).
- ``basis`` is ``observed`` here: every figure rests on the observed links
  alone (:mod:`chainbrain.analytics.supply_basis` adds estimated links,
  ``basis = estimated | mixed``).
- ``observed_coverage`` — how much of the buyers' purchases the observed links
  cover, with the buyers' 营业成本 (``cost_ytd`` of the December report, latest
  revision) as the measure of what they buy: Σ observed purchases / Σ cost
  over the key's buyers that report a cost, capped at 1.  Operating cost also
  holds wages and depreciation, so it over-states purchases and the coverage
  is a lower bound (a proxy chosen by the project, unsourced).  NULL when no
  buyer of the key reports a cost, and for ``supplier-segment``.

Written once in Ibis; DuckDB, PostgreSQL and PySpark run the same expression.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from chainbrain.analytics.scope import Shared, latest_reports, members

BY = ("chain", "segment", "supplier-segment", "city", "county", "enterprise")
COLUMNS = ["key", "name", "purchases_yuan", "local_yuan", "local_rate", "city_local_rate", "buyers",
           "suppliers", "local_suppliers", "basis", "observed_coverage"]


def home_province(store) -> str:
    """The province the store describes: the region table's province row."""
    r = store.table("region")
    got = r.filter(r.level == "province").select("code").execute()
    if not len(got):
        raise ValueError("the store has no province in its region table (地区表中没有省级行政区)")
    return str(got["code"].iloc[0])


def links(store, year: int):
    """(supplier_id, buyer_id, amount) of ``year``: latest revision, self links left out, amount as float64."""
    t = store.table("supply_link")
    t = latest_reports(t.filter(t.year == year), ["supplier_id", "buyer_id", "year"])   # keys never NULL
    t = t.filter(t.supplier_id != t.buyer_id)
    return t.select("supplier_id", "buyer_id", amount=t.amount.cast("float64"))


def _suppliers(store, sh: Shared, date: dt.date, home: str):
    """(supplier_id, is_local, scity) of every enterprise (see the module docstring)."""
    ent = sh.table("enterprise")
    loc = sh.located(date)
    loc = loc.select(_lid=loc.enterprise_id, _lreg=loc.region_code)
    reg = sh.table("region")
    reg = reg.select(_rc=reg.code, _pc=reg.prefecture_code)
    sreg = ibis.coalesce(loc._lreg, ent.region_code, ent.registered_region)
    j = ent.left_join(loc, ent.id == loc._lid).left_join(reg, sreg == reg._rc)
    return j.select(supplier_id=ent.id, is_local=ent.province_code == home,
                    scity=ibis.coalesce(reg._pc, sreg.substr(0, 4).concat("00")))


def _costs(sh: Shared, year: int):
    t = sh.table("monthly_report")
    t = latest_reports(t.filter((t.year == year) & (t.month == 12)), ["enterprise_id", "year", "month"])
    t = t.filter(t.cost_ytd.notnull())
    return t.select(_cid=t.enterprise_id, cost=t.cost_ytd.cast("float64"))


def local_rate_table(store, year: int, by: str) -> pd.DataFrame:
    """One row per key (columns :data:`COLUMNS`), sorted by key; see the module docstring."""
    from chainbrain.analytics.indicators import _run     # compiled once per (backend, key) on DuckDB

    if by not in BY:
        raise ValueError(f"--by must be one of {', '.join(BY)} (分组方式无效)")
    home = home_province(store)
    out = _run(store, ("supply_local_rate", year, by, home), lambda: local_rate_expr(store, year, by, home))
    if by == "supplier-segment":
        out["covered"] = float("nan")
        out["cost"] = float("nan")
    return _finish(store, out, by)


def local_rate_expr(store, year: int, by: str, home: str):
    """The one Ibis expression behind :func:`local_rate_table` (one row per key, before the rates)."""
    date = dt.date(year, 12, 31)
    sh = Shared(store)
    f = purchases(store, sh, year, date, home)
    if by == "supplier-segment":
        seg = sh.segments(date)
        seg = seg.select(_sid=seg.enterprise_id, key=seg.top_segment).distinct()
        g = f.join(seg, f.supplier_id == seg._sid)
        return g.group_by("key").aggregate(
            purchases_yuan=g.amount.sum(), local_yuan=g.local_amount.sum(), city_yuan=g.city_amount.sum(),
            buyers=g.buyer_id.nunique(), suppliers=g.supplier_id.nunique(),
            local_suppliers=g.supplier_id.nunique(where=g.is_local))
    m = sh.shared(("buyer_keys", date, by), lambda: buyer_keys(store, sh, date, by))
    # per buyer first (one row per buyer), then per key: a buyer in two keys counts in both
    pb = f.group_by("buyer_id").aggregate(
        purchases=f.amount.sum(), local=f.local_amount.sum(), city=f.city_amount.sum())
    cost = _costs(sh, year)
    b = m.left_join(pb, m._bid == pb.buyer_id).left_join(cost, m._bid == cost._cid)
    b = b.select("key", "_bid", "_name", purchases=b.purchases.fill_null(0.0), local=b.local.fill_null(0.0),
                 city=b.city.fill_null(0.0), cost=b.cost)
    agg = b.group_by("key").aggregate(
        _name=b._name.max(), purchases_yuan=b.purchases.sum(), local_yuan=b.local.sum(), city_yuan=b.city.sum(),
        buyers=b._bid.nunique(), cost=b.cost.sum(),
        covered=b.purchases.sum(where=b.cost.notnull()))
    sup = f.join(m, f.buyer_id == m._bid)
    sagg = sup.group_by("key").aggregate(suppliers=sup.supplier_id.nunique(),
                                         local_suppliers=sup.supplier_id.nunique(where=sup.is_local))
    sagg = sagg.rename(_k="key")
    j = agg.left_join(sagg, agg.key == sagg._k)                      # one query, one round trip
    return j.select(*agg.columns, "suppliers", "local_suppliers")


def _finish(store, out: pd.DataFrame, by: str) -> pd.DataFrame:
    if out.empty:
        return pd.DataFrame(columns=COLUMNS)
    out = out.copy()
    out["key"] = out["key"].astype(str)
    for c in ("suppliers", "local_suppliers", "buyers"):
        out[c] = out[c].fillna(0).astype(int)
    for c in ("purchases_yuan", "local_yuan", "city_yuan"):      # sums of cents: back to cents (float noise)
        out[c] = out[c].astype(float).round(2)
    p = out["purchases_yuan"]
    out["local_rate"] = (out["local_yuan"] / p).where(p > 0)
    out["city_local_rate"] = (out["city_yuan"] / p).where(p > 0)
    cost = out["cost"].astype(float)
    out["observed_coverage"] = (out["covered"].astype(float) / cost).clip(upper=1.0).where(cost > 0)
    out["basis"] = "observed"
    name_keys(store, out, by)
    out = out.sort_values("key").reset_index(drop=True)
    return out[COLUMNS]


def purchases(store, sh: Shared, year: int, date: dt.date, home: str):
    """(supplier_id, buyer_id, amount, bcity, is_local, scity, local_amount, city_amount): the year's links
    into the buyers in scope on ``date``, with the supplier's locality (a shared CTE of the query)."""
    def build():
        buyers = sh.base(date, "all")
        buyers = buyers.select(buyer_id=buyers.enterprise_id, bcity=buyers.prefecture_code)
        f = links(store, year).join(buyers, "buyer_id")
        f = f.join(_suppliers(store, sh, date, home), "supplier_id")
        return f.mutate(local_amount=ibis.cases((f.is_local, f.amount), else_=0.0),
                        city_amount=ibis.cases((f.scity == f.bcity, f.amount), else_=0.0))
    return sh.shared(("purchases", year, date), build)


def buyer_keys(store, sh: Shared, date: dt.date, by: str):
    """(_bid, key, _name): each buyer in scope on ``date`` once per key of grouping ``by`` (module docstring);
    ``_name`` is the enterprise's name for ``enterprise`` (key = USCC or ``#id``), else NULL."""
    if by == "enterprise":
        b = sh.base(date, "all")
        ent = sh.table("enterprise")
        j = b.join(ent, b.enterprise_id == ent.id)
        return j.select(_bid=ent.id, key=ibis.coalesce(ent.uscc, ibis.literal("#").concat(ent.id.cast("string"))),
                        _name=ent.name).distinct()        # a relation of its own (not a join chain to extend)
    m = members(store, date, "all", by=by, shared=sh)
    return m.select(_bid=m.enterprise_id, key=m.key, _name=ibis.null().cast("string")).distinct()


def name_keys(store, out: pd.DataFrame, by: str) -> None:
    """``out["name"]``: the enterprise's name (from the query) or the chain / segment / region name."""
    if by == "enterprise":
        out["name"] = out["_name"]
    else:
        out["name"] = out["key"].map(_names(store, by, out["key"].tolist()))


def _names(store, by: str, keys: list[str]) -> dict:
    if by == "chain":
        t = store.table("chain")
        d = t.select("code", "name_zh").execute()
        return dict(zip(d["code"], d["name_zh"]))
    if by in ("segment", "supplier-segment"):
        t = store.table("segment")
        d = t.filter(t.code.isin(keys)).select("code", "name_zh").execute()
        return dict(zip(d["code"], d["name_zh"]))
    if by in ("city", "county"):
        t = store.table("region")
        d = t.filter(t.code.isin(keys)).select("code", "name").execute()
        return dict(zip(d["code"], d["name"]))
    return {}


def local_rate(store, year: int, by: str, basis: str = "observed", table: str | None = None,
               delta: float | None = None) -> list[dict]:
    """:func:`local_rate_table` as JSON-ready records (NaN → None); ``basis`` estimated|mixed adds the
    input–output estimates (:mod:`chainbrain.analytics.supply_basis`, IO table ``table``, FLQ ``delta``)."""
    if basis == "observed":
        df = local_rate_table(store, year, by)
    else:
        from chainbrain.analytics.supply_basis import local_rate_table as with_estimates
        df = with_estimates(store, year, by, basis, table, delta)
    recs = df.astype(object).where(df.notna(), None).to_dict("records")
    for r in recs:
        for c in ("purchases_yuan", "local_yuan"):
            r[c] = float(r[c])
        for c in ("buyers", "suppliers", "local_suppliers"):
            r[c] = int(r[c])
    return recs
