"""Supplier concentration on estimated or mixed links (``--basis estimated|mixed``).

Keys and buyers as in :mod:`chainbrain.analytics.supply_concentration`; estimates
from :mod:`chainbrain.analytics.supply_estimate` (P̂_b, the regional and national
coefficients r, a, the gravity allocation).  Per buyer b of sector j with output
x_b, the estimated part of its purchases is ω_b·P̂_b with ω_b = 1 (``estimated``)
or ω_b = max(0, P̂_b − O_b) / P̂_b (``mixed``: what its observed purchases O_b
leave uncovered).  For a key k:

    T_ki = Σ_b ω_b x_b r_ij(b)          estimated purchases from in-province sector i
    M_ki = Σ_b ω_b x_b (a − r)_ij(b)    estimated purchases from outside the province, sector i

Supplier amounts: an in-province firm s of sector i gets e_s = T_ki·x_s / X_i (the
gravity allocation), plus its observed amount o_s (``mixed``); the outside
purchases of each sector count as **one** supplier (who supplies them is unknown;
one per sector is the conservative reading: concentration is not understated).
With A = Σ o + Σ T + Σ M:

    HHI = [Σ o_s² + 2 Σ o_s e_s + Σ_i T_ki² h_i + Σ_i M_ki²] / A²,   h_i = Σ_{s∈i} (x_s / X_i)²
    top = max(maxₛ (o_s + e_s), maxᵢ T_ki·max_{s∈i} x_s / X_i, maxᵢ M_ki) / A

``suppliers`` counts the observed links' suppliers (as for the local rate);
``basis`` per row as in :mod:`chainbrain.analytics.supply_basis`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from chainbrain.analytics import supply_concentration as SC
from chainbrain.analytics import supply_local as SL
from chainbrain.analytics.scope import Shared
from chainbrain.analytics.supply_basis import check_basis


def _observed(store, year: int, by: str):
    """(key, supplier_id, a) pooled observed purchases and (buyer_id, o) per buyer — two queries."""
    date = dt.date(year, 12, 31)
    sh = Shared(store)
    m = sh.shared(("buyer_keys", date, by), lambda: SL.buyer_keys(store, sh, date, by))
    f = SL.links(store, year)
    j = f.join(m, f.buyer_id == m._bid)
    ks = j.group_by(["key", "supplier_id"]).aggregate(a=j.amount.sum()).execute()
    ob = f.group_by("buyer_id").aggregate(o=f.amount.sum()).execute()
    pairs = m.select("key", "_bid").execute()
    return ks, ob, pairs


def concentration_table(store, year: int, by: str, basis: str, table: str | None = None,
                        delta: float | None = None) -> pd.DataFrame:
    """Rows of :data:`chainbrain.analytics.supply_concentration.COLUMNS` on ``basis`` (module docstring)."""
    from chainbrain.analytics.supply_estimate import estimate

    check_basis(basis, by)
    obs = SC.concentration_table(store, year, by)
    if basis == "observed" or obs.empty:
        return obs
    est = estimate(store, year, table, delta)
    ks, ob, pairs = _observed(store, year, by)
    for d in (ks, pairs):
        d["key"] = d["key"].astype(str)
    fm = est.firms
    n = len(est.sectors)
    sec_of = dict(zip(fm["enterprise_id"], fm["sector"]))
    x_of = dict(zip(fm["enterprise_id"], fm["revenue"]))
    good = (fm["sector"] >= 0) & (fm["revenue"] > 0)
    X = np.bincount(fm["sector"][good], weights=fm["revenue"][good], minlength=n)
    h = np.bincount(fm["sector"][good], weights=(fm["revenue"][good] / X[fm["sector"][good]]) ** 2, minlength=n)
    xmax = np.zeros(n)
    np.maximum.at(xmax, fm["sector"][good].to_numpy(), fm["revenue"][good].to_numpy())
    share_max = np.divide(xmax, X, out=np.zeros(n), where=X > 0)

    b = pairs.merge(fm[["enterprise_id", "sector", "revenue", "est_purchases"]], left_on="_bid",
                    right_on="enterprise_id", how="left").merge(ob, left_on="_bid", right_on="buyer_id", how="left")
    b["o"] = b["o"].fillna(0.0).astype(float)
    P = b["est_purchases"].fillna(0.0).to_numpy()
    omega = np.ones(len(b)) if basis == "estimated" else \
        np.divide(np.maximum(0.0, P - b["o"].to_numpy()), P, out=np.zeros(len(b)), where=P > 0)
    b = b[(b["sector"].fillna(-1) >= 0) & (P > 0)].assign(wx=(omega * b["revenue"].fillna(0.0).to_numpy())[
        ((b["sector"].fillna(-1) >= 0) & (P > 0)).to_numpy()])
    keys = obs["key"].tolist()
    ki = {k: i for i, k in enumerate(keys)}
    W = np.zeros((len(keys), n))
    np.add.at(W, (b["key"].map(ki).to_numpy(), b["sector"].astype(int).to_numpy()), b["wx"].to_numpy())
    T = W @ est.r.T
    M = W @ (est.A - est.r).T

    o = ks if basis == "mixed" else ks.iloc[0:0]
    o = o.assign(a=o["a"].astype(float), k=o["key"].map(ki))
    sec = o["supplier_id"].map(sec_of).fillna(-1).astype(int).to_numpy()
    xs = o["supplier_id"].map(x_of).fillna(0.0).to_numpy()
    kk = o["k"].to_numpy(dtype=int)
    e = np.where(sec >= 0, T[kk, np.maximum(sec, 0)] * np.divide(xs, X[np.maximum(sec, 0)],
                                                                   out=np.zeros(len(o)), where=sec >= 0), 0.0)
    e = np.where((sec >= 0) & (X[np.maximum(sec, 0)] > 0), e, 0.0)
    K = len(keys)
    so = np.bincount(kk, weights=o["a"].to_numpy(), minlength=K)
    so2 = np.bincount(kk, weights=o["a"].to_numpy() ** 2, minlength=K)
    soe = np.bincount(kk, weights=o["a"].to_numpy() * e, minlength=K)
    omax = np.zeros(K)
    np.maximum.at(omax, kk, o["a"].to_numpy() + e)
    tot = so + T.sum(axis=1) + M.sum(axis=1)
    sq = so2 + 2 * soe + (T ** 2 * h[None, :]).sum(axis=1) + (M ** 2).sum(axis=1)
    top = np.maximum.reduce([omax, (T * share_max[None, :]).max(axis=1, initial=0.0), M.max(axis=1, initial=0.0)])
    out = obs.copy()
    pos = tot > 0
    out["purchases_yuan"] = np.round(tot, 2)
    out["top_supplier_share"] = np.where(pos, top / np.where(pos, tot, 1), np.nan)
    out["hhi"] = np.where(pos, sq / np.where(pos, tot, 1) ** 2, np.nan)
    out["effective_suppliers"] = np.where(pos & (out["hhi"] > 0), 1.0 / out["hhi"], np.nan)
    est_part = T.sum(axis=1) + M.sum(axis=1)
    if basis == "estimated":
        out["basis"] = "estimated"
    else:
        out["basis"] = np.where(est_part <= 0, "observed", np.where(so <= 0, "estimated", "mixed"))
    return out[SC.COLUMNS]
