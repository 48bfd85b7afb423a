"""Single points of failure in chain masters' supply trees (dominators) and the systemic-importance score.

The network is the year's observed links, supplier → buyer, with a
super-source s feeding every external partner and every firm of a source
component (no observed supplier, or a closed loop without observed supply
from outside it; :mod:`chainbrain.analytics.supply_network`).

**Dominators.**  A firm d *dominates* a firm v when every path from s to v
passes through d: if d stopped, v would lose all of its observed supply
(Lengauer & Tarjan 1979, "A fast algorithm for finding dominators in a
flowgraph", *ACM TOPLAS* 1:121–141; computed by igraph's C implementation,
``igraph_dominator_tree``).  T(d) is the set of firms d dominates (d
included; the subtree of d in the dominator tree).

For a chain master m (``designation.kind = 'chain_master'`` valid on
31 December of the year), its *supply tree* U(m) is m and every firm with a
path of links to m; the tree's links are the links into U(m) (their
suppliers are in U(m) too), its transitive upstream purchases P(m) their sum.
Links into a firm the super-source feeds (an external partner, a source
component) are not supply paths: its supply is the super-source's.  (Leaving
them out changes no dominator: a path through such a link can be shortened
to start at the super-source's edge into that firm.)
:func:`single_points_of_failure` gives one row per master × firm d of U(m),
d ≠ m, that dominates at least one other firm of U(m):

    supply_share(m, d) = Σ { wₑ : e = (u → v) a link of U(m), u ∈ T(d) or v = d } / P(m)

— the links that stop when d stops: d's own purchases, its sales, and
everything sold by the firms that depend on it entirely.  A firm that
dominates m itself is on every supply path of the master.  Dominance of a
firm depends only on the firms upstream of it, so one dominator tree of the
whole network serves every master; T(d) is an interval of the tree's
preorder, so each master's shares are one cumulative sum over the nodes.
Rows are sorted by master, then share (largest first).

**Systemic importance** (:func:`systemic_importance`, :mod:`supply_systemic`).
"""

from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd

from chainbrain.analytics.supply_network import Network, describe, masters, network
from chainbrain.analytics.supply_systemic import SYSTEMIC_COLUMNS, systemic_importance  # noqa: F401

SPOF_COLUMNS = ["master_uscc", "uscc", "name", "region_code", "segment_code", "supply_share"]


def dominator_tree(net: Network) -> np.ndarray:
    """idom of every node (int64; the super-source is node ``net.n``, its own entry −1).  igraph's C
    routine on an integer edge list built with numpy."""
    n = net.n
    fed = np.flatnonzero(net.fed)
    e = np.empty((net.src.size + fed.size, 2), dtype=np.int64)
    e[:net.src.size, 0], e[:net.src.size, 1] = net.src, net.dst
    e[net.src.size:, 0], e[net.src.size:, 1] = n, fed
    g = ig.Graph(n=n + 1, directed=True)
    g.add_edges(e)
    idom = np.asarray(g.dominator(n, mode="out"), dtype=float)
    if np.isnan(idom).any():                 # cannot happen: every firm is reachable (supply_network)
        raise RuntimeError("a firm is unreachable from the super-source (超级源点不可达)")
    return idom.astype(np.int64)


def preorder(parent: np.ndarray, root: int) -> tuple[np.ndarray, np.ndarray]:
    """(pre, size) of the tree given by ``parent`` (``parent[root] = −1``): each node's preorder number
    and subtree size, so that v is in the subtree of d iff pre[d] ≤ pre[v] < pre[d] + size[d].
    Vectorized by depth level (pointer jumping for the depths)."""
    n = parent.size
    p = np.where(parent < 0, root, parent)
    depth = (parent >= 0).astype(np.int64)
    anc = p.copy()
    while True:                               # depth[v] = Σ of unit steps to the root, doubling each pass
        more = anc != root
        if not more.any():
            break
        depth = depth + np.where(more, depth[anc], 0)
        anc = np.where(more, anc[anc], root)
    levels = np.argsort(depth, kind="stable")
    bounds = np.searchsorted(depth[levels], np.arange(depth.max() + 2))
    size = np.ones(n, dtype=np.int64)
    for d in range(depth.max(), 0, -1):
        nodes = levels[bounds[d]:bounds[d + 1]]
        np.add.at(size, p[nodes], size[nodes])
    # siblings ordered by node id: offset = Σ sizes of the earlier siblings
    order = np.lexsort((np.arange(n), p))
    order = order[order != root]
    sz = size[order]
    cs = np.cumsum(sz) - sz
    first = np.r_[True, p[order][1:] != p[order][:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
    offset = np.empty(n, dtype=np.int64)
    offset[order] = cs - cs[start]
    pre = np.zeros(n, dtype=np.int64)
    for d in range(1, depth.max() + 1):
        nodes = levels[bounds[d]:bounds[d + 1]]
        pre[nodes] = pre[p[nodes]] + 1 + offset[nodes]
    return pre, size


def _subtree_sums(values: np.ndarray, pre: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Σ of ``values`` over each node's subtree (an interval of the preorder)."""
    by_pre = np.zeros(int(pre.max()) + 1, dtype=float)
    by_pre[pre] = values
    c = np.r_[0.0, np.cumsum(by_pre)]
    return c[pre + size] - c[pre]


def spof_arrays(net: Network, master_nodes) -> pd.DataFrame:
    """(master, node, supply_share) for node indices (module docstring); no database work."""
    n = net.n
    cols = {"master": [], "node": [], "supply_share": []}
    if n == 0 or not len(master_nodes):
        return pd.DataFrame(cols)
    import scipy.sparse as sp
    from scipy.sparse.csgraph import breadth_first_order

    idom = dominator_tree(net)
    pre, size = preorder(idom, n)
    pre, size = pre[:n], size[:n]
    # an edge u → v with v dominating u (u ∈ T(v)) is counted once, through u's subtree
    back = (pre[net.dst] <= pre[net.src]) & (pre[net.src] < pre[net.dst] + size[net.dst])
    live = ~net.fed[net.dst]          # a fed firm's observed purchases are not its supply (module docstring)
    rev = sp.csr_matrix((np.ones(int(live.sum()), np.int8), (net.dst[live], net.src[live])), shape=(n, n))
    for m in master_nodes:
        inU = np.zeros(n, bool)
        inU[breadth_first_order(rev, int(m), directed=True, return_predecessors=False)] = True
        e = inU[net.dst] & live
        total = float(net.w[e].sum())
        if total <= 0:
            continue
        out_u = np.bincount(net.src[e], weights=net.w[e], minlength=n)
        into = np.bincount(net.dst[e & ~back], weights=net.w[e & ~back], minlength=n)
        share = (_subtree_sums(out_u, pre, size) + into) / total
        count = _subtree_sums(inU.astype(float), pre, size)
        d = np.flatnonzero(inU & (count >= 2))
        d = d[d != m]
        cols["master"].append(np.full(d.size, m))
        cols["node"].append(d)
        cols["supply_share"].append(share[d])
    if not cols["master"]:
        return pd.DataFrame({k: [] for k in cols})
    return pd.DataFrame({k: np.concatenate(v) for k, v in cols.items()})


def single_points_of_failure(backend, year: int, chain: str | None = None) -> pd.DataFrame:
    """Rows ``master_uscc, uscc, name, region_code, segment_code, supply_share`` (module docstring):
    one per chain master (of ``chain``, or of any chain: a master of two chains once) × firm that
    dominates another firm of the master's supply tree.  ``supply_share`` is a fraction."""
    ms = masters(backend, year, chain)
    mids = np.unique(ms["enterprise_id"].astype(np.int64).to_numpy()) if len(ms) else np.zeros(0, np.int64)
    net = network(backend, year, extra_ids=mids)
    raw = spof_arrays(net, net.index(mids))
    if raw.empty:
        return pd.DataFrame(columns=SPOF_COLUMNS)
    raw["master_id"] = net.ids[raw["master"].astype(np.int64)]
    raw["id"] = net.ids[raw["node"].astype(np.int64)]
    info = describe(backend, year, np.r_[raw["master_id"].to_numpy(), raw["id"].to_numpy()]).set_index("id")
    out = pd.DataFrame({
        "master_uscc": raw["master_id"].map(info["uscc"]).to_numpy(),
        "uscc": raw["id"].map(info["uscc"]).to_numpy(), "name": raw["id"].map(info["name"]).to_numpy(),
        "region_code": raw["id"].map(info["region_code"]).to_numpy(),
        "segment_code": raw["id"].map(info["segment_code"]).to_numpy(),
        "supply_share": raw["supply_share"].astype(float).to_numpy()})
    out = out.sort_values(["master_uscc", "supply_share", "uscc"], ascending=[True, False, True])
    return out.reset_index(drop=True)[SPOF_COLUMNS]
