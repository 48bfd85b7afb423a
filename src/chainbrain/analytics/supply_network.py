"""A year's supply network as integer-indexed arrays, with the super-source of the graph measures.

:func:`network` reads the year's links (:func:`chainbrain.analytics.supply_local.links`:
latest revision, self links left out) through the store's one Ibis code path
(DuckDB, PostgreSQL, PySpark) and turns them into numpy arrays: node *i* is
enterprise ``ids[i]`` (``np.unique`` of the link ends plus the extra firms asked
for), edge *e* runs from supplier ``src[e]`` to buyer ``dst[e]`` with amount
``w[e]`` (yuan).  No Python loop touches an edge.

**The super-source** (node ``n``) stands for everything the data do not show:
the rest of the economy.  It feeds

- every external partner (``enterprise.is_partner``: its own purchases are
  not in the province's data, whatever few of them are observed), and
- every firm of a *source component* — a strongly connected component of the
  network that receives no observed link from outside itself: a firm without
  any observed supplier, or a closed loop of firms that only supply each
  other.  (Without the second kind such a loop would be unreachable from the
  source, and the linear exposure system of :mod:`supply_graph` singular.)

``fed`` marks these firms.  The graph measures (:mod:`chainbrain.analytics.supply_graph`)
treat an observed purchase of a fed firm as not carrying shocks on: its inputs
come from the super-source.  Every other firm's inputs are the observed links
into it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from chainbrain.analytics import supply_local as SL
from chainbrain.analytics.scope import Shared, latest, latest_reports


@dataclass
class Network:
    year: int
    ids: np.ndarray        # enterprise id of node i (sorted)
    src: np.ndarray        # supplier node of edge e (int64)
    dst: np.ndarray        # buyer node of edge e
    w: np.ndarray          # amount of edge e, yuan (float64)
    partner: np.ndarray    # bool per node: external partner
    fed: np.ndarray        # bool per node: fed by the super-source (module docstring)

    @property
    def n(self) -> int:
        return int(self.ids.size)

    def index(self, ids) -> np.ndarray:
        """Node index of each enterprise id (−1 when not a node)."""
        ids = np.asarray(ids, dtype=np.int64)
        if self.n == 0:
            return np.full(ids.size, -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.ids, ids), self.n - 1)
        return np.where(self.ids[pos] == ids, pos, -1)


def _col(t: pa.Table, name: str, dtype) -> np.ndarray:
    return t.column(name).to_numpy(zero_copy_only=False).astype(dtype, copy=False)


def network(store, year: int, extra_ids=()) -> Network:
    """The year's links as a :class:`Network` (module docstring); ``extra_ids`` are made nodes even
    without links (e.g. chain masters, library firms)."""
    t = SL.links(store, year).to_pyarrow()
    s, b = _col(t, "supplier_id", np.int64), _col(t, "buyer_id", np.int64)
    w = _col(t, "amount", np.float64)
    ids, inv = np.unique(np.concatenate([s, b, np.asarray(list(extra_ids), dtype=np.int64)]),
                         return_inverse=True)
    src, dst = inv[:s.size].astype(np.int64), inv[s.size:2 * s.size].astype(np.int64)
    ent = store.table("enterprise")
    p = ent.filter(ent.is_partner.fill_null(False)).select("id").to_pyarrow()
    partner = np.isin(ids, _col(p, "id", np.int64))
    return Network(year, ids, src, dst, w, partner, _fed(ids.size, src, dst, partner))


def _fed(n: int, src: np.ndarray, dst: np.ndarray, partner: np.ndarray) -> np.ndarray:
    """Partners and the members of source components (strongly connected, no link in from outside)."""
    if n == 0:
        return np.zeros(0, bool)
    g = sp.csr_matrix((np.ones(src.size, np.int8), (src, dst)), shape=(n, n))
    _, comp = connected_components(g, directed=True, connection="strong")
    cross = comp[src] != comp[dst]
    has_in = np.zeros(comp.max() + 1, bool)
    has_in[comp[dst[cross]]] = True
    return partner | ~has_in[comp]


def masters(store, year: int, chain: str | None = None):
    """(enterprise_id, chain_code) of the chain masters (``designation.kind = 'chain_master'``, newest
    revision) valid on 31 December of ``year``, optionally of one chain; a master of two chains twice."""
    from chainbrain.store.schema import DESIGNATION_KEY

    end = dt.date(year, 12, 31)
    d = latest(store.table("designation"), list(DESIGNATION_KEY))
    d = d.filter((d.kind == "chain_master") & d.chain_code.notnull() & (d.valid_from <= end)
                 & (d.valid_to.isnull() | (d.valid_to >= end)))
    if chain is not None:
        d = d.filter(d.chain_code == chain)
    return d.select("enterprise_id", "chain_code").distinct().execute()


def describe(store, year: int, ids) -> "pd.DataFrame":     # noqa: F821
    """(id, uscc, name, region_code, segment_code) of enterprises ``ids`` on 31 December of ``year``:
    uscc (``#id`` without one), region (the location valid that day, else ``region_code``, else the
    USCC registration region, else the province of a partner named by name + province), segment (the smallest top-segment code valid that day, NULL if none)."""
    import ibis
    import pandas as pd

    ids = np.unique(np.asarray(list(ids), dtype=np.int64))
    if not ids.size:
        return pd.DataFrame(columns=["id", "uscc", "name", "region_code", "segment_code"])
    date = dt.date(year, 12, 31)
    sh = Shared(store, cte=False)
    ent = sh.table("enterprise")
    if ids.size <= 2000:                      # a short list in the query; a long one filtered here
        ent = ent.filter(ent.id.isin([int(i) for i in ids]))
    loc = sh.located(date)
    loc = loc.select(_lid=loc.enterprise_id, _lreg=loc.region_code)
    seg = sh.segments(date)
    seg = seg.group_by("enterprise_id").aggregate(_seg=seg.top_segment.min()).rename(_sid="enterprise_id")
    j = ent.left_join(loc, ent.id == loc._lid).left_join(seg, ent.id == seg._sid)
    out = j.select(id=ent.id, uscc=ibis.coalesce(ent.uscc, ibis.literal("#").concat(ent.id.cast("string"))),
                   name=ent.name, region_code=ibis.coalesce(loc._lreg, ent.region_code, ent.registered_region,
                                                 ent.province_code),
                   segment_code=seg._seg).execute()
    out["id"] = out["id"].astype(np.int64)
    return out[out["id"].isin(ids)].reset_index(drop=True)


def december(store, year: int):
    """(enterprise_id, revenue, cost) of the library firms in scope (sections B–D) on 31 December of
    ``year``: their December year-to-date 营业收入 and 营业成本 (latest revision; NULL when not reported)."""
    date = dt.date(year, 12, 31)
    sh = Shared(store, cte=False)
    b = sh.base(date, "all").select("enterprise_id")
    t = sh.table("monthly_report")
    t = latest_reports(t.filter((t.year == year) & (t.month == 12)), ["enterprise_id", "year", "month"])
    t = t.select(_rid=t.enterprise_id, revenue=t.revenue_ytd.cast("float64"), cost=t.cost_ytd.cast("float64"))
    j = b.left_join(t, b.enterprise_id == t._rid)
    return j.select("enterprise_id", "revenue", "cost").to_pyarrow()
