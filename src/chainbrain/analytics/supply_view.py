"""The supply network of a chain, a segment or a chain master: flows into and out of the province.

For a year Y and a *key* — a chain C, a top segment S (a sub-segment counts
under its top segment), or one enterprise (a chain master) — the key's firms
are the in-province firms of the enterprise library that belong to it on
31 December of Y (:func:`chainbrain.analytics.scope.members`, industry scope
``all``; a firm in two chains counts in both), exactly the buyers of
:mod:`chainbrain.analytics.supply_local`.

- **Inflows** (``direction = "in"``): the year's links (latest revision, self
  links left out) *into* the key's firms, by the supplier's *place*: its city
  (prefecture) when it is registered in the province, else its province
  (``province_code``; ``unknown`` when none is known).  Σ in-province inflows /
  Σ inflows is the key's local supporting rate (本地配套率) of
  :mod:`~chainbrain.analytics.supply_local`.
- **Outflows** (``direction = "out"``): links *from* the key's firms to any
  buyer (library firm or partner), by the buyer's place, located the same way.

Each row: ``direction, level`` (``place`` — one city or province; ``local`` /
``outside`` — the in-province and out-of-province subtotals; ``total``),
``side`` (``local`` / ``outside``; None for the total),
``place, amount_yuan, firms`` (distinct firms of the key with a link in the
row), ``partners`` (distinct suppliers for inflows, buyers for outflows) and
``basis`` (``observed``: estimated links are not built yet).  The subtotals
and the total are aggregated on their own (a partner counted once however many
places), so ``partners`` of a total is not the sum of its rows.

:func:`firm_flows` gives the same links per partner firm — confidential, for
the province and chain-office roles only (the web layer enforces it).

Written once in Ibis; the same expressions run on DuckDB, PostgreSQL and PySpark.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from chainbrain.analytics.scope import Shared, members
from chainbrain.analytics.supply_local import home_province, links

ROW_COLUMNS = ["key", "direction", "level", "side", "place", "amount_yuan", "firms", "partners", "basis"]


def _places(sh: Shared, date: dt.date, home: str):
    """(pid, is_local, place) of every enterprise: its city when registered in the province, else its
    province (the supplier locality rule of :mod:`chainbrain.analytics.supply_local`)."""
    ent = sh.table("enterprise")
    loc = sh.located(date)
    loc = loc.select(_lid=loc.enterprise_id, _lreg=loc.region_code)
    reg = sh.table("region")
    reg = reg.select(_rc=reg.code, _pc=reg.prefecture_code)
    sreg = ibis.coalesce(loc._lreg, ent.region_code, ent.registered_region)
    j = ent.left_join(loc, ent.id == loc._lid).left_join(reg, sreg == reg._rc)
    is_local = (ent.province_code == home).fill_null(False)
    city = ibis.coalesce(reg._pc, sreg.substr(0, 4).concat("00"))
    return j.select(pid=ent.id, is_local=is_local,
                    place=ibis.cases((is_local, ibis.coalesce(city, ibis.literal("unknown"))),
                                     else_=ibis.coalesce(ent.province_code, ibis.literal("unknown"))))


def _key_firms(store, sh: Shared, date: dt.date, by: str, key: str | None):
    """(fid, key) of the key's firms: ``by`` chain | segment | enterprise (``key`` an enterprise id)."""
    if by == "enterprise":
        b = sh.base(date, "all")
        b = b.filter(b.enterprise_id == int(key))
        return b.select(fid=b.enterprise_id, key=ibis.literal(str(key)))
    if by == "segment":
        m = members(store, date, "all", by="segment", segment=key, shared=sh)
        m = m.filter(m.key == key) if key else m
    else:
        m = members(store, date, "all", chain=key, by="chain", shared=sh)
    return m.select(fid=m.enterprise_id, key=m.key).distinct()


def _link_frame(store, year: int, by: str, key: str | None, chain: str | None = None):
    """(key, direction, fid, pid, amount, is_local, place): each link touching the key's firms."""
    date = dt.date(year, 12, 31)
    sh = Shared(store)
    home = home_province(store)
    kf = _key_firms(store, sh, date, by, key)
    if by == "segment" and chain:                    # the chain's segments only (chain map: one query)
        sc = sh.table("segment_chain").filter(lambda t: t.chain_code == chain)
        kf = kf.filter(kf.key.isin(sc.segment_code))
    lk = links(store, year)
    pl = _places(sh, date, home)
    inn = lk.join(kf, lk.buyer_id == kf.fid).join(pl, lk.supplier_id == pl.pid)
    inn = inn.select("key", direction=ibis.literal("in"), fid=inn.fid, pid=inn.supplier_id,
                     amount=inn.amount, is_local=inn.is_local, place=inn.place)
    out = lk.join(kf, lk.supplier_id == kf.fid).join(pl, lk.buyer_id == pl.pid)
    out = out.select("key", direction=ibis.literal("out"), fid=out.fid, pid=out.buyer_id,
                     amount=out.amount, is_local=out.is_local, place=out.place)
    return inn.union(out)


def flows(store, year: int, by: str = "chain", key: str | None = None, chain: str | None = None) -> pd.DataFrame:
    """The rows of the module docstring (:data:`ROW_COLUMNS`) for the key(s).

    ``by``: ``chain`` (``key`` a chain code), ``segment`` (``key`` a top segment code, or None with
    ``chain``: every segment of the chain in one query) or ``enterprise`` (``key`` an enterprise id).
    """
    if by not in ("chain", "segment", "enterprise"):
        raise ValueError("by must be chain, segment or enterprise (分组方式无效)")
    f = _link_frame(store, year, by, key, chain)
    side = ibis.cases((f.is_local, "local"), else_="outside")
    rows = f.group_by("key", "direction", "place", "is_local").aggregate(
        amount_yuan=f.amount.sum(), firms=f.fid.nunique(), partners=f.pid.nunique())
    rows = rows.select("key", "direction", level=ibis.literal("place"),
                       side=ibis.cases((rows.is_local, "local"), else_="outside"), place=rows.place,
                       amount_yuan=rows.amount_yuan, firms=rows.firms, partners=rows.partners)
    subs = f.mutate(side=side).group_by("key", "direction", "side").aggregate(
        amount_yuan=f.amount.sum(), firms=f.fid.nunique(), partners=f.pid.nunique())
    subs = subs.select("key", "direction", level=subs.side, side=subs.side, place=subs.side,
                       amount_yuan=subs.amount_yuan,
                       firms=subs.firms, partners=subs.partners)
    tot = f.group_by("key", "direction").aggregate(
        amount_yuan=f.amount.sum(), firms=f.fid.nunique(), partners=f.pid.nunique())
    tot = tot.select("key", "direction", level=ibis.literal("total"), side=ibis.null().cast("string"),
                     place=ibis.literal("total"),
                     amount_yuan=tot.amount_yuan, firms=tot.firms, partners=tot.partners)
    df = rows.union(subs).union(tot).execute()
    if df.empty:
        return pd.DataFrame(columns=ROW_COLUMNS)
    df["key"] = df["key"].astype(str)
    df["amount_yuan"] = df["amount_yuan"].astype(float).round(2)
    for c in ("firms", "partners"):
        df[c] = df[c].astype(int)
    df["side"] = df["side"].astype(object).where(df["side"].notna(), None)
    df["basis"] = "observed"
    order = {"total": 0, "local": 1, "outside": 2, "place": 3}
    df["_o"] = df["level"].map(order)
    df = df.sort_values(["key", "direction", "_o", "amount_yuan", "place"],
                        ascending=[True, True, True, False, True])
    return df[ROW_COLUMNS].reset_index(drop=True)


def firm_flows(store, year: int, by: str = "chain", key: str | None = None) -> pd.DataFrame:
    """Per partner firm: ``direction, partner_id, is_local, place, amount_yuan, firms`` (largest first).
    Firm-level links: confidential (province and chain-office roles)."""
    f = _link_frame(store, year, by, key)
    g = f.group_by("direction", "pid", "is_local", "place").aggregate(
        amount_yuan=f.amount.sum(), firms=f.fid.nunique()).execute()
    if g.empty:
        return pd.DataFrame(columns=["direction", "partner_id", "is_local", "place", "amount_yuan", "firms"])
    g = g.rename(columns={"pid": "partner_id"})
    g["partner_id"] = g["partner_id"].astype(int)
    g["amount_yuan"] = g["amount_yuan"].astype(float).round(2)
    g["is_local"] = g["is_local"].astype(bool)
    g["firms"] = g["firms"].astype(int)
    return g.sort_values(["direction", "amount_yuan", "partner_id"], ascending=[True, False, True]) \
        .reset_index(drop=True)


def supply_year(store, upto: int | None = None) -> int | None:
    """The newest year with supply links (at most ``upto``), else None."""
    t = store.table("supply_link")
    if upto is not None:
        t = t.filter(t.year <= upto)
    y = t.year.max().execute()
    return None if y is None or pd.isna(y) else int(y)
