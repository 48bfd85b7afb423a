"""应用领域图, observed part — which chains the firms of a chain sell to, from the supply links.

For a chain C and a year Y: the year's links (latest revision, self links left
out, :func:`chainbrain.analytics.supply_local.links`) from C's firms (suppliers
in C on 31 December of Y, :func:`chainbrain.analytics.scope.members`) to buyers
of the enterprise library in the province, grouped by the buyer's chains on
31 December (a buyer in two chains counts in both; the chain C itself is a row
too: sales within the chain).  Row: ``chain_code, amount_yuan, firms`` (distinct
suppliers of C with such sales), ``partners`` (distinct buyers), ``basis``
(``observed``).  Buyers outside the province have no chain and are in no row
(they are the outflows of :mod:`chainbrain.analytics.supply_view`).

:func:`estimated_buyer_chains` gives the same reading from the input–output
estimate where invoices are missing.  This is the part of the application-field
map that data can give; the named fields (消费电子, 储能…) are pack data
(:mod:`chainbrain.catalog.maps_pack`).
Ibis: the same expression on DuckDB, PostgreSQL and PySpark.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from chainbrain.analytics.scope import Shared, members
from chainbrain.analytics.supply_local import links

COLUMNS = ["chain_code", "amount_yuan", "firms", "partners", "basis"]


def buyer_chains(store, year: int, chain: str) -> pd.DataFrame:
    date = dt.date(year, 12, 31)
    sh = Shared(store)
    sup = members(store, date, "all", chain=chain, by="chain", shared=sh)
    sup = sup.select(_sid=sup.enterprise_id).distinct()
    buy = members(store, date, "all", by="chain", shared=sh)
    buy = buy.select(_bid=buy.enterprise_id, chain_code=buy.key).distinct()
    lk = links(store, year)
    j = lk.join(sup, lk.supplier_id == sup._sid).join(buy, lk.buyer_id == buy._bid)
    g = j.group_by("chain_code").aggregate(amount_yuan=j.amount.sum(), firms=j.supplier_id.nunique(),
                                           partners=j.buyer_id.nunique()).execute()
    if g.empty:
        return pd.DataFrame(columns=COLUMNS)
    g["amount_yuan"] = g["amount_yuan"].astype(float).round(2)
    for c in ("firms", "partners"):
        g[c] = g[c].astype(int)
    g["basis"] = "observed"
    return g.sort_values(["amount_yuan", "chain_code"], ascending=[False, True])[COLUMNS].reset_index(drop=True)


EST_COLUMNS = ["chain_code", "amount_yuan", "basis"]


def estimated_buyer_chains(store, year: int, chain: str) -> pd.DataFrame | None:
    """The estimated part: the input–output estimate of segment-to-segment flows inside the province
    (:func:`chainbrain.analytics.supply_estimate.segment_flows`: IO coefficients regionalized with the
    FLQ, allocated by size; ``basis = estimated``), from the segments of ``chain`` to the buyer segments,
    summed by the buyer segment's chains (``segment_chain``: a segment listed under two chains counts in
    both).  Rows ``chain_code, amount_yuan, basis``, largest first; None when the store holds no usable
    input–output table."""
    from chainbrain.analytics import supply_estimate

    try:
        flows = supply_estimate.segment_flows(store, year)
    except ValueError:
        return None
    sc = store.table("segment_chain").select("segment_code", "chain_code").execute()
    mine = set(sc.loc[sc["chain_code"] == chain, "segment_code"])
    f = flows[flows["supplier_segment"].isin(mine) & (flows["buyer_segment"] != supplier_outside())]
    j = f.merge(sc, left_on="buyer_segment", right_on="segment_code")
    g = j.groupby("chain_code", as_index=False)["amount_yuan"].sum()
    g["amount_yuan"] = g["amount_yuan"].round(2)
    g["basis"] = "estimated"
    return g.sort_values(["amount_yuan", "chain_code"], ascending=[False, True])[EST_COLUMNS].reset_index(drop=True)


def supplier_outside() -> str:
    from chainbrain.analytics.supply_estimate import OUTSIDE

    return OUTSIDE
