"""Supply-graph measures on the demo's latest-year network: ours (igraph C / scipy.sparse) vs networkx.

Input: the demo store's supply network of the latest year with links, read once
into arrays (:func:`chainbrain.analytics.supply_network.network`; loading is not
timed for either side) with the library firms' December revenue and cost; at
``national`` scale without a built national demo store, a synthetic network of
its size (:func:`synthetic_national`, recorded in ``input``).

- ``supply_dominators``: the dominator tree of the network with its
  super-source.  Ours: :func:`chainbrain.analytics.supply_graph.dominator_tree`
  (igraph's C Lengauer–Tarjan on an edge list built with numpy; the same
  output as the baseline, without the preorder numbering the supply shares
  add, ``preorder_s``).  Baseline: ``networkx.DiGraph``
  built from the same edge list and ``networkx.immediate_dominators`` (Cooper,
  Harvey & Kennedy's iterative algorithm, pure Python).  Checked equal (every
  node's immediate dominator).  When the graph has more than ``NX_MAX_EDGES``
  edges, networkx runs on the subgraph upstream of a sample of chain-master-
  like buyers instead (``baseline_subsample``), and both sides are timed on
  that same subgraph.
- ``supply_systemic``: the exposure of every firm.  Ours:
  :func:`chainbrain.analytics.supply_systemic.scores` — one sparse solve for
  the linear score of all firms plus the capped cascade of the top 50.
  Baseline (as vectorized as it gets without the adjoint trick): networkx
  graph → ``to_scipy_sparse_array`` → A, then each firm's exposure vector
  h(k) and xᵀh(k) — the per-firm computation an ESRI-style score does: up to
  ``SPLU_MAX_NODES`` nodes one SuperLU factorization of I − Aᵀ and one solve
  per firm (the faster route there), above it h(k) = Σₜ (Aᵀ)ᵗ eₖ by sparse
  products, 50 firms side by side as dense columns.  ``SAMPLE`` firms are solved and timed
  and the per-firm time extrapolated to all firms (``baseline_extrapolated``);
  the sampled values are checked equal to our linear scores.
"""

from __future__ import annotations

import os
import time

import numpy as np

from benchmarks.data import demo_store
from benchmarks.harness import best_of, peak_mb, record
from chainbrain.analytics.supply_graph import dominator_tree, preorder
from chainbrain.analytics.supply_network import Network, december, network
from chainbrain.analytics.supply_systemic import exposure, scores

NX_MAX_EDGES = 3_000_000
SPLU_MAX_NODES = 200_000      # above, the LU's fill-in makes the per-firm solves the slower route
SAMPLE = 200


def synthetic_national(seed: int = 2026):
    """A network of the national demo's size for when its store is not built (``input`` says so):
    500,000 library firms, 200,000 partners, ~2 M links of one year (the national demo's 12 M links
    over six years), suppliers and buyers drawn with heavy-tailed (Zipf-like) weights, 30 % of the
    links from partners and 5 % to them; revenue lognormal, cost 80 % of it.  Vectorized."""
    from chainbrain.analytics.supply_network import _fed

    rng = np.random.default_rng(seed)
    lib, par, m = 500_000, 200_000, 2_100_000
    n = lib + par
    wl = 1.0 / np.arange(1, lib + 1) ** 0.8
    wp = 1.0 / np.arange(1, par + 1) ** 0.8
    src = np.where(rng.random(m) < 0.3, lib + rng.choice(par, m, p=wp / wp.sum()), rng.choice(lib, m, p=wl / wl.sum()))
    dst = np.where(rng.random(m) < 0.05, lib + rng.choice(par, m, p=wp / wp.sum()), rng.permutation(lib)[
        rng.choice(lib, m, p=wl / wl.sum())])
    keep = src != dst
    pair = np.unique(src[keep].astype(np.int64) * n + dst[keep])
    src, dst = pair // n, pair % n
    partner = np.r_[np.zeros(lib, bool), np.ones(par, bool)]
    w = rng.lognormal(13, 1.5, src.size)
    net = Network(2025, np.arange(n, dtype=np.int64) + 1, src, dst, w, partner, _fed(n, src, dst, partner))
    x = np.r_[rng.lognormal(18, 1.3, lib), np.zeros(par)]
    cost = np.r_[0.8 * x[:lib], np.full(par, np.nan)]
    return net, x, cost


def inputs(scale: str):
    """(net, x, cost, year, input description): the demo store's latest year, or at national scale without
    a built national store, :func:`synthetic_national`."""
    from benchmarks.harness import CACHE

    if scale == "national" and not (CACHE / "bench-national-2023.duckdb").exists():
        net, x, cost = synthetic_national()
        return net, x, cost, 2025, ("synthetic network of the national demo's size (the national demo store "
                                    "was not built on this machine)")
    from benchmarks.bench_supply import links_in_store

    store = demo_store(scale)
    year = latest_year(store)
    net, x, cost = load(store, year)
    return net, x, cost, year, f"demo store ({scale}, {links_in_store(store):,} links in all years), year {year}"


def latest_year(store) -> int:
    import pandas as pd
    return int(pd.read_sql("SELECT MAX(year) AS y FROM supply_link", store.engine)["y"].iloc[0])


def load(store, year: int):
    d = december(store, year)
    lib = d["enterprise_id"].to_numpy(dtype=np.int64)
    net = network(store, year, extra_ids=lib)
    idx = net.index(lib)
    x, cost = np.zeros(net.n), np.full(net.n, np.nan)
    x[idx] = np.nan_to_num(d["revenue"].to_numpy(dtype=float, na_value=np.nan), nan=0.0)
    cost[idx] = d["cost"].to_numpy(dtype=float, na_value=np.nan)
    return net, x, cost


def ours_dominators(net: Network):
    return dominator_tree(net)


def nx_dominators(net: Network) -> dict:
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(range(net.n + 1))
    g.add_edges_from(zip(net.src.tolist(), net.dst.tolist()))
    g.add_edges_from((net.n, int(v)) for v in np.flatnonzero(net.fed))
    return nx.immediate_dominators(g, net.n)


def _subgraph(net: Network, rng, edges: int) -> tuple[Network, str]:
    """The network upstream of sampled large buyers, about ``edges`` links (renumbered)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import breadth_first_order

    rev = sp.csr_matrix((np.ones(net.src.size, np.int8), (net.dst, net.src)), shape=(net.n, net.n))
    keep = np.zeros(net.n, bool)
    order = rng.permutation(np.flatnonzero(np.bincount(net.dst, minlength=net.n) > 0))
    for m in order:
        keep[breadth_first_order(rev, int(m), directed=True, return_predecessors=False)] = True
        if (keep[net.src] & keep[net.dst]).sum() >= edges:
            break
    e = keep[net.src] & keep[net.dst]
    new = np.cumsum(keep) - 1
    sub = Network(net.year, net.ids[keep], new[net.src[e]], new[net.dst[e]], net.w[e], net.partner[keep],
                  np.zeros(int(keep.sum()), bool))
    from chainbrain.analytics.supply_network import _fed
    sub.fed = _fed(sub.n, sub.src, sub.dst, sub.partner)
    return sub, f"upstream of sampled buyers: {sub.n} nodes, {sub.src.size} links of {net.src.size}"


def run_dominators(scale: str) -> dict:
    net, _, _, year, source = inputs(scale)
    full_edges = int(net.src.size)
    note = None
    if net.src.size > NX_MAX_EDGES:
        net, note = _subgraph(net, np.random.default_rng(7), NX_MAX_EDGES)
    ours_dominators(net)
    t_ours, idom = best_of(lambda: ours_dominators(net), repeat=5)
    t_pre, _ = best_of(lambda: preorder(idom, net.n), repeat=3)
    peak = peak_mb()
    t0 = time.perf_counter()
    ref = nx_dominators(net)
    t_base = time.perf_counter() - t0
    want = np.array([ref[v] for v in range(net.n)], dtype=np.int64)
    assert np.array_equal(idom[:net.n], want), "dominator trees differ"
    return record("supply_dominators", scale, t_ours, t_base, peak, year=year, nodes=net.n,
                  links=int(net.src.size), links_in_year=full_edges, baseline_subsample=note,
                  preorder_s=round(t_pre, 4), input=source, load_1min=round(os.getloadavg()[0], 2),
                  baseline="networkx.immediate_dominators")


def nx_exposure(net: Network, x: np.ndarray, cost: np.ndarray, firms: np.ndarray) -> np.ndarray:
    """xᵀh(k) for each firm k of ``firms``: networkx graph → sparse A, then each firm's exposure vector
    (module docstring: SuperLU solves, or sparse products in blocks of 50 firms)."""
    import networkx as nx

    p = np.bincount(net.dst, weights=net.w, minlength=net.n)
    inputs_ = np.fmax(p, np.nan_to_num(cost, nan=0.0))
    keep = ~net.fed[net.dst] & (inputs_[net.dst] > 0)
    g = nx.DiGraph()
    g.add_nodes_from(range(net.n))
    g.add_weighted_edges_from(zip(net.src[keep].tolist(), net.dst[keep].tolist(),
                                  (net.w[keep] / inputs_[net.dst[keep]]).tolist()))
    At = nx.to_scipy_sparse_array(g, nodelist=range(net.n), weight="weight", format="csr").T.tocsr()
    out = np.empty(firms.size)
    if net.n <= SPLU_MAX_NODES:              # one sparse LU, one solve per firm: the faster route where it fits
        import scipy.sparse as sp
        from scipy.sparse.linalg import splu

        lu = splu((sp.identity(net.n, format="csc") - At.tocsc()).tocsc())
        for i, k in enumerate(firms):
            e = np.zeros(net.n)
            e[k] = 1.0
            out[i] = x @ lu.solve(e)
        return out
    for b0 in range(0, firms.size, 50):
        ks = firms[b0:b0 + 50]
        G = np.zeros((net.n, ks.size))
        G[ks, np.arange(ks.size)] = 1.0
        H = G.copy()
        for _ in range(100_000):
            G = At @ G
            H += G
            if G.sum() <= 1e-15 * H.sum():
                break
        out[b0:b0 + ks.size] = x @ H
    return out


def run_systemic(scale: str) -> dict:
    net, x, cost, year, source = inputs(scale)
    scores(net, x, cost)
    t_ours, s = best_of(lambda: scores(net, x, cost), repeat=3)
    peak = peak_mb()
    from chainbrain.analytics.supply_systemic import linear
    t0 = time.perf_counter()
    y = linear(exposure(net, cost), x)
    t_linear = time.perf_counter() - t0
    rng = np.random.default_rng(11)
    firms = rng.choice(net.n, size=min(SAMPLE, net.n), replace=False)
    t0 = time.perf_counter()
    got = nx_exposure(net, x, cost, firms)
    t_sample = time.perf_counter() - t0
    assert np.allclose(got, y[firms], rtol=1e-8, atol=1e-6 * max(1.0, x.sum())), "exposures differ"
    t_base = t_sample / firms.size * net.n
    return record("supply_systemic", scale, t_ours, t_base, peak, year=year, nodes=net.n, links=int(net.src.size),
                  top_cascades=int((s["method"] == "cascade").sum()), ours_linear_s=round(t_linear, 4),
                  baseline_sampled_firms=int(firms.size), baseline_sample_s=round(t_sample, 3),
                  baseline_extrapolated=True, input=source, load_1min=round(os.getloadavg()[0], 2),
                  baseline="networkx graph → scipy.sparse, per-firm exposure vectors (" +
                  ("SuperLU, one solve per firm" if net.n <= SPLU_MAX_NODES else "sparse products, blocks of 50") + ")")
