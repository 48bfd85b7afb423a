"""Systemic importance of every enterprise: the share of the province's output lost downstream if it stopped.

In the spirit of the Economic Systemic Risk Index (ESRI) of Diem, Borsos,
Reisch, Kertész and Thurner, "Quantifying firm-level economic systemic risk
from nation-wide supply networks", *Scientific Reports* 12 (2022) 7719, with
the linear production function (every input substitutable, none essential)
and downstream propagation only (a supplier's loss reduces its customers'
output; the demand loss of upstream suppliers is not propagated).

Network: the year's observed links wᵢⱼ (supplier i → buyer j) and the
super-source of :mod:`chainbrain.analytics.supply_network`.  A buyer j's
inputs are Iⱼ = max(Pⱼ, cⱼ) with Pⱼ = Σᵢ wᵢⱼ its observed purchases and cⱼ
its December 营业成本 when reported (the proxy of ``observed_coverage``); the
input share

    Aᵢⱼ = wᵢⱼ / Iⱼ,   Aᵢⱼ = 0 for a buyer fed by the super-source

(external partners and source components: their inputs are not in the data,
so an observed purchase carries no shock on).  Each column sums to ≤ 1 and
every strongly connected set of the rest has observed input from outside it,
so the spectral radius of A is below 1 (Perron–Frobenius) and I − A is
invertible.  If firm k stops, the fraction of its output each firm loses,
h(k), follows hⱼ = Σᵢ Aᵢⱼ hᵢ with hₖ = 1.  Output xⱼ: the December
year-to-date 营业收入 of the library firms in scope (sections B–D) on
31 December; X = Σ xⱼ; partners' output is not the province's (x = 0).

- **Linear exposure** (every firm, one sparse solve): without the cap at 1,
  h(k) = (I − Aᵀ)⁻¹ eₖ and Σⱼ xⱼ hⱼ(k) = [(I − A)⁻¹ x]ₖ, so

      linear(k) = min(1, yₖ / X),   (I − A) y = x.

  It counts loops more than once, so it bounds the cascade from above.
- **Cascade** (the ``top`` firms of highest linear score): iterate
  h ← min(1, Aᵀ h), hₖ = 1, from h = eₖ until no entry moves by 10⁻¹²
  (monotone, bounded), and

      score(k) = Σⱼ xⱼ hⱼ(k) / X   (the firm's own output included).

Rows: ``uscc, name, region_code, score, rank, basis, method`` for every firm
of the year's network and every library firm in scope; ranks 1…top are the
cascade firms ordered by their cascade score, the rest follow by linear
score (``method`` says which).  ``basis`` is ``observed``.  Scores are NULL
when X = 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from chainbrain.analytics.supply_network import Network, december, describe, network

SYSTEMIC_COLUMNS = ["uscc", "name", "region_code", "score", "rank", "basis", "method"]
TOP = 50                      # firms that get the full cascade
TOL = 1e-12
BLOCK = 16                    # cascades iterated together (columns of one sparse product)


def exposure(net: Network, cost: np.ndarray) -> sp.csr_matrix:
    """A (n × n, CSR): Aᵢⱼ = wᵢⱼ / max(Pⱼ, cⱼ), zero columns for the super-source's firms (module docstring).
    ``cost`` per node, NaN where unknown."""
    n = net.n
    p = np.bincount(net.dst, weights=net.w, minlength=n)
    inputs = np.fmax(p, np.nan_to_num(cost, nan=0.0))
    keep = ~net.fed[net.dst] & (inputs[net.dst] > 0)
    return sp.csr_matrix((net.w[keep] / inputs[net.dst[keep]], (net.src[keep], net.dst[keep])), shape=(n, n))


def linear(A: sp.csr_matrix, x: np.ndarray) -> np.ndarray:
    """y = (I − A)⁻¹ x: a direct sparse solve (SuperLU) up to 50,000 nodes, else GMRES from the Neumann
    series' first terms (I − A is invertible, module docstring)."""
    n = A.shape[0]
    if n == 0:
        return np.zeros(0)
    M = (sp.identity(n, format="csc") - A.tocsc())
    if n <= 50_000:
        from scipy.sparse.linalg import spsolve
        return np.asarray(spsolve(M, x), dtype=float).reshape(-1)
    from scipy.sparse.linalg import gmres
    y0 = x.copy()
    r = x.copy()
    for _ in range(8):
        r = A @ r
        y0 += r
    y, info = gmres(M.tocsr(), x, x0=y0, rtol=1e-12, atol=0.0, restart=60, maxiter=2000)
    if info != 0 or np.abs(M @ y - x).max() > 1e-8 * max(1.0, np.abs(x).max()):
        y = x.copy()                          # Neumann series (converges: ρ(A) < 1)
        r = x.copy()
        for _ in range(100_000):
            r = A @ r
            y += r
            if r.sum() <= 1e-13 * y.sum():
                break
    return y


def cascade(A: sp.csr_matrix, x: np.ndarray, firms: np.ndarray) -> np.ndarray:
    """Σⱼ xⱼ hⱼ(k) for each firm k of ``firms`` (module docstring), BLOCK cascades per sparse product."""
    At = A.T.tocsr()
    out = np.zeros(firms.size)
    for b0 in range(0, firms.size, BLOCK):
        ks = firms[b0:b0 + BLOCK]
        cols = np.arange(ks.size)
        H = np.zeros((A.shape[0], ks.size))
        H[ks, cols] = 1.0
        for _ in range(100_000):
            Hn = np.minimum(1.0, At @ H)
            Hn[ks, cols] = 1.0
            done = np.abs(Hn - H).max() <= TOL
            H = Hn
            if done:
                break
        out[b0:b0 + BLOCK] = x @ H
    return out


def scores(net: Network, x: np.ndarray, cost: np.ndarray, top: int = TOP) -> pd.DataFrame:
    """(node, score, rank, method) for every node, from per-node output ``x`` and cost (NaN = unknown)."""
    n = net.n
    total = float(x.sum())
    if n == 0:
        return pd.DataFrame({"node": [], "score": [], "rank": [], "method": []})
    A = exposure(net, cost)
    y = linear(A, x)
    lin = np.minimum(1.0, y / total) if total > 0 else np.full(n, np.nan)
    order = np.lexsort((np.arange(n), -np.nan_to_num(lin, nan=0.0)))
    head = order[:max(0, min(top, n))]
    score = lin.copy()
    method = np.full(n, "linear", dtype=object)
    if total > 0 and head.size:
        score[head] = cascade(A, x, head) / total
        method[head] = "cascade"
        head = head[np.lexsort((head, -score[head]))]
    rest = order[max(0, min(top, n)):]
    ranked = np.r_[head, rest]
    rank = np.empty(n, dtype=np.int64)
    rank[ranked] = np.arange(1, n + 1)
    return pd.DataFrame({"node": ranked, "score": score[ranked], "rank": rank[ranked], "method": method[ranked]})


def systemic_importance(backend, year: int, top: int = TOP) -> pd.DataFrame:
    """Rows ``uscc, name, region_code, score, rank, basis, method`` sorted by rank (module docstring)."""
    d = december(backend, year)
    lib = d.column("enterprise_id").to_numpy().astype(np.int64)
    net = network(backend, year, extra_ids=lib)
    idx = net.index(lib)
    x = np.zeros(net.n)
    cost = np.full(net.n, np.nan)
    x[idx] = np.nan_to_num(d.column("revenue").to_numpy(zero_copy_only=False).astype(float), nan=0.0)
    cost[idx] = d.column("cost").to_numpy(zero_copy_only=False).astype(float)
    s = scores(net, x, cost, top)
    if s.empty:
        return pd.DataFrame(columns=SYSTEMIC_COLUMNS)
    ids = net.ids[s["node"].astype(np.int64).to_numpy()]
    info = describe(backend, year, ids).set_index("id")
    out = pd.DataFrame({"uscc": pd.Series(ids).map(info["uscc"]).to_numpy(),
                        "name": pd.Series(ids).map(info["name"]).to_numpy(),
                        "region_code": pd.Series(ids).map(info["region_code"]).to_numpy(),
                        "score": s["score"].to_numpy(dtype=float), "rank": s["rank"].to_numpy(),
                        "basis": "observed", "method": s["method"].to_numpy()})
    return out[SYSTEMIC_COLUMNS]
