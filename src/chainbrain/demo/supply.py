"""Supply links (supplier → buyer, per year, with an amount) that follow segment order.

Method
- Segment transition weights W[b, s] (buyer segment b buys from supplier
  segment s): 3 for the stage just upstream in a shared chain, 1 for the
  same stage, 0.4 two stages up; cross-chain links take 15% of each row,
  spread over other chains' upstream and midstream segments.
- Each in-province enterprise in a segment buys from ~1 + Poisson(λ) sources
  (λ larger for bigger enterprises): a supplier segment from W, then a local
  enterprise of that segment (weighted by size^0.7) with the segment's local
  supply probability (60%, 25% for ``gap`` segments), else an out-of-province
  partner of the segment. In-province enterprises also sell to out-of-province
  buyers downstream (W transposed).
- A pair is active from a start year (after both exist) to 2025 while both
  exist. Amounts: a buyer spends 55% of its revenue on inputs, split over its
  suppliers by weight (∝ supplier size^0.5 × noise, ×2.5 for local suppliers); sales to out-of-province
  buyers are 30% of the supplier's revenue split likewise; a local supplier
  never ships more than 60% of its own revenue on one link; ±10% yearly noise.
- Pairs are then kept in random order until the scale's row target is met.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from chainbrain.demo.spec import ANNUAL_YEARS, year_index

CROSS_CHAIN = 0.15
INPUT_SHARE = 0.55
EXPORT_SHARE = 0.30
LOCAL_WEIGHT = 2.5       # nearby suppliers get a larger share of a buyer's purchases


def transitions(world) -> np.ndarray:
    share = (world.seg_member.astype(int) @ world.seg_member.T.astype(int)) > 0
    st = world.seg_stage
    diff = st[:, None] - st[None, :]           # buyer stage − supplier stage
    w = np.where(share & (diff == 1), 3.0, 0.0) + np.where(share & (diff == 0), 1.0, 0.0) \
        + np.where(share & (diff == 2), 0.4, 0.0)
    np.fill_diagonal(w, 0.3)
    cross = np.where(~share & (st[None, :] <= 1), 1.0, 0.0)
    ok = np.array([bool(c) for c in world.seg_all_classes])
    w *= ok[None, :]
    cross *= ok[None, :]
    w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-12) * (1 - CROSS_CHAIN)
    w += cross / np.maximum(cross.sum(axis=1, keepdims=True), 1e-12) * CROSS_CHAIN
    return w / w.sum(axis=1, keepdims=True)


def _pool(seg: np.ndarray, weight: np.ndarray, n_seg: int):
    """Entities sorted by segment with cumulative weights, for weighted picks within a segment."""
    order = np.argsort(seg, kind="stable")
    cum = np.cumsum(weight[order])
    start = np.searchsorted(seg[order], np.arange(n_seg), side="left")
    end = np.searchsorted(seg[order], np.arange(n_seg), side="right")
    return order, cum, start, end


def _pick(pool, segs: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One entity per draw from segment ``segs`` (−1 where the segment has none)."""
    order, cum, start, end = pool
    lo = np.where(start[segs] > 0, cum[np.maximum(start[segs] - 1, 0)], 0.0)
    hi = np.where(end[segs] > 0, cum[np.maximum(end[segs] - 1, 0)], 0.0)
    pos = np.searchsorted(cum, lo + u * (hi - lo), side="right")
    pos = np.clip(pos, start[segs], np.maximum(end[segs] - 1, start[segs]))
    return np.where(end[segs] > start[segs], order[np.minimum(pos, order.size - 1)], -1)


def _sample_segments(cdf: np.ndarray, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw of a column of ``cdf`` for each row index in ``rows``."""
    out = np.zeros(rows.size, dtype=np.int64)
    order = np.argsort(rows, kind="stable")
    bounds = np.searchsorted(rows[order], np.arange(cdf.shape[0] + 1))
    for r in range(cdf.shape[0]):
        sel = order[bounds[r]:bounds[r + 1]]
        if sel.size:
            out[sel] = np.searchsorted(cdf[r], u[sel], side="right")
    return np.minimum(out, cdf.shape[1] - 1)


def supply_links(firms, partners, paths, world, ids: np.ndarray, pids: np.ndarray, target_rows: int,
                 batch: int, rng: np.random.Generator) -> pa.Table:
    w = transitions(world)
    n, n_seg = firms.n, world.n_seg
    # local pool: primary and secondary segment listings
    lf = np.concatenate([np.flatnonzero(firms.seg >= 0), np.flatnonzero(firms.seg2 >= 0)])
    ls = np.concatenate([firms.seg[firms.seg >= 0], firms.seg2[firms.seg2 >= 0]])
    local = _pool(ls, firms.pot[lf] ** 0.7, n_seg)
    outside = _pool(partners.seg, partners.size ** 0.7, n_seg)
    local_p = np.array([0.25 if "gap" in f else 0.6 for f in world.seg_flags])

    buyers = np.flatnonzero(firms.seg >= 0)
    lam = np.clip(np.log10(firms.pot[buyers] / 2e6), 0.2, 4.0) * 1.4
    k = 1 + rng.poisson(lam)
    b = np.repeat(buyers, k)
    sseg = _sample_segments(np.cumsum(w, axis=1), firms.seg[b], rng.random(b.size))
    want_local = rng.random(b.size) < local_p[sseg]
    lpick = _pick(local, sseg, rng.random(b.size))
    opick = _pick(outside, sseg, rng.random(b.size))
    use_local = (want_local & (lpick >= 0)) | (opick < 0)
    sup_local = np.where(use_local, lf[np.maximum(lpick, 0)], -1)
    ok = (use_local & (lpick >= 0)) | (~use_local & (opick >= 0))
    in_sup = np.where(use_local, sup_local, -1)[ok]
    in_part = np.where(use_local, -1, opick)[ok]
    in_buy = b[ok]
    keep = in_sup != in_buy
    in_sup, in_part, in_buy = in_sup[keep], in_part[keep], in_buy[keep]

    sellers = np.flatnonzero(firms.seg >= 0)
    m = rng.poisson(np.clip(np.log10(firms.pot[sellers] / 2e6), 0.0, 4.0) * 0.5)
    s = np.repeat(sellers, m)
    bseg = _sample_segments(np.cumsum(w.T / w.T.sum(axis=1, keepdims=True), axis=1), firms.seg[s], rng.random(s.size))
    ob = _pick(outside, bseg, rng.random(s.size))
    s, ob = s[ob >= 0], ob[ob >= 0]

    # pairs as (supplier id, buyer id) with roles for amounts
    sup_id = np.concatenate([np.where(in_sup >= 0, ids[np.maximum(in_sup, 0)], pids[np.maximum(in_part, 0)]), ids[s]])
    buy_id = np.concatenate([ids[in_buy], pids[ob]])
    kind = np.concatenate([np.zeros(in_buy.size, dtype=np.int8), np.ones(s.size, dtype=np.int8)])
    local_firm = np.concatenate([in_buy, s])                  # the in-province party whose revenue drives it
    local_sup = np.concatenate([in_sup, np.full(s.size, -1)])
    wgt = np.concatenate([np.where(in_sup >= 0, LOCAL_WEIGHT * np.sqrt(firms.pot[np.maximum(in_sup, 0)]),
                                   np.sqrt(partners.size[np.maximum(in_part, 0)])),
                          np.sqrt(partners.size[ob])]) * np.exp(rng.normal(0, 0.5, kind.size))
    _, first = np.unique(sup_id.astype(np.int64) * (1 << 32) + buy_id, return_index=True)
    first = np.sort(first)
    sup_id, buy_id, kind, local_firm, local_sup, wgt = (x[first] for x in (sup_id, buy_id, kind, local_firm, local_sup, wgt))
    # split shares per driving enterprise and role
    key = local_firm * 2 + kind
    tot = np.bincount(key, weights=wgt, minlength=2 * n)
    share = wgt / tot[key]

    years = np.array(ANNUAL_YEARS)
    exists = np.stack([paths.exists[:, year_index(y)] & (paths.death_year != y) for y in years], axis=1)
    both = exists[local_firm] & np.where(local_sup[:, None] >= 0, exists[np.maximum(local_sup, 0)], True)
    firstyear = np.argmax(both, axis=1)
    start = firstyear + np.minimum(rng.geometric(0.5, sup_id.size) - 1, len(years) - 1)
    active = both & (np.arange(len(years))[None, :] >= start[:, None])
    nrows = active.sum(axis=1)
    order = rng.permutation(sup_id.size)
    keep_pairs = order[np.cumsum(nrows[order]) <= target_rows]
    keep_pairs.sort()
    pr, yr = np.nonzero(active[keep_pairs])
    p = keep_pairs[pr]
    yidx = np.array([year_index(y) for y in years])[yr]
    rev = paths.rev[local_firm[p], yidx]
    amount = rev * np.where(kind[p] == 0, INPUT_SHARE, EXPORT_SHARE) * share[p] * np.exp(rng.normal(0, 0.1, p.size))
    ls_ = local_sup[p]
    cap = np.where(ls_ >= 0, 0.6 * paths.rev[np.maximum(ls_, 0), yidx], np.inf)
    amount = np.round(np.minimum(amount, cap) * 100) / 100
    good = amount > 0
    return pa.table({
        "supplier_id": sup_id[p][good], "buyer_id": buy_id[p][good],
        "year": years[yr][good].astype(np.int32), "amount": amount[good],
        "batch_id": np.full(good.sum(), batch, dtype=np.int64), "revision": np.ones(good.sum(), dtype=np.int32)})
