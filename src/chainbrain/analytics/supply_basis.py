"""The local supporting rate on estimated or mixed links (``--basis estimated|mixed``).

Per buyer b of a key (the buyers and keys of :mod:`chainbrain.analytics.supply_local`):
observed purchases O_b, from the province O^L_b, from its city O^C_b (the
year's observed links); estimated P̂_b, L̂_b, Ĉ_b from the input–output table
(:mod:`chainbrain.analytics.supply_estimate`).

- ``estimated``: purchases = Σ P̂_b, local = Σ L̂_b, in-city = Σ Ĉ_b; every row's
  ``basis`` is ``estimated``.
- ``mixed``: the observed links stand, and the part of the estimated purchases
  they leave uncovered, D_b = max(0, P̂_b − O_b), is added with the estimate's
  local and in-city shares:

      purchases_b = O_b + D_b,  local_b = O^L_b + D_b·L̂_b / P̂_b,  city_b = O^C_b + D_b·Ĉ_b / P̂_b.

  A row's ``basis`` is ``observed`` when no buyer of the key needed an
  estimate (Σ D_b = 0), ``estimated`` when the key has no observed purchases,
  else ``mixed``.
- ``observed_coverage`` (both): Σ O_b / Σ max(O_b, P̂_b) over the key's buyers —
  the share of the buyers' purchases that observed links cover, with the
  input–output estimate as the measure of the purchases (NULL when it is 0).
- ``suppliers`` / ``local_suppliers`` count the suppliers of the observed links
  (the estimate spreads a sector's supply over all its firms; their number says
  nothing) and ``buyers`` all the key's buyers, as for ``observed``.

Not available ``by="supplier-segment"`` (the estimate knows the supplier's sector, not its segment;
``chainbrain supply estimate`` gives segment-to-segment flows).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from chainbrain.analytics import supply_local as SL
from chainbrain.analytics.scope import Shared

BASES = ("observed", "estimated", "mixed")


def check_basis(basis: str, by: str) -> None:
    if basis not in BASES:
        raise ValueError(f"--basis must be one of {', '.join(BASES)}, not {basis!r} (口径应为 observed、estimated 或 mixed)")
    if basis != "observed" and by == "supplier-segment":
        raise ValueError("--basis estimated|mixed is not available by supplier-segment; `supply estimate` gives "
                         "segment-to-segment flows (按供方环节分组只有实测口径)")


def buyer_pairs_expr(store, year: int, by: str):
    """(key, _bid, purchases, local, city): each buyer once per key with its observed purchases (0 if none)."""
    date = dt.date(year, 12, 31)
    sh = Shared(store)
    home = SL.home_province(store)
    f = SL.purchases(store, sh, year, date, home)
    m = sh.shared(("buyer_keys", date, by), lambda: SL.buyer_keys(store, sh, date, by))
    pb = f.group_by("buyer_id").aggregate(purchases=f.amount.sum(), local=f.local_amount.sum(),
                                          city=f.city_amount.sum())
    b = m.left_join(pb, m._bid == pb.buyer_id)
    return b.select("key", "_bid", purchases=b.purchases.fill_null(0.0), local=b.local.fill_null(0.0),
                    city=b.city.fill_null(0.0))


def local_rate_table(store, year: int, by: str, basis: str, table: str | None = None,
                     delta: float | None = None) -> pd.DataFrame:
    """Rows of :data:`chainbrain.analytics.supply_local.COLUMNS` on ``basis`` (module docstring)."""
    from chainbrain.analytics.supply_estimate import estimate

    check_basis(basis, by)
    obs = SL.local_rate_table(store, year, by)
    if basis == "observed":
        return obs
    est = estimate(store, year, table, delta).firms[["enterprise_id", "est_purchases", "est_local", "est_city"]]
    pairs = buyer_pairs_expr(store, year, by).execute()
    if obs.empty:
        return obs
    pairs["key"] = pairs["key"].astype(str)
    j = pairs.merge(est, left_on="_bid", right_on="enterprise_id", how="left")
    for c in ("est_purchases", "est_local", "est_city"):
        j[c] = j[c].fillna(0.0)
    O, P = j["purchases"].astype(float), j["est_purchases"]
    share = lambda v: np.divide(v, P, out=np.zeros(len(j)), where=P > 0)     # noqa: E731
    if basis == "estimated":
        j["p"], j["l"], j["c"] = P, j["est_local"], j["est_city"]
        j["d"] = P
    else:
        D = np.maximum(0.0, P - O)
        j["p"] = O + D
        j["l"] = j["local"].astype(float) + D * share(j["est_local"])
        j["c"] = j["city"].astype(float) + D * share(j["est_city"])
        j["d"] = D
    j["o"], j["den"] = O, np.maximum(O, P)
    g = j.groupby("key")[["p", "l", "c", "d", "o", "den"]].sum()
    out = obs.set_index("key")
    g = g.reindex(out.index).fillna(0.0)
    out["purchases_yuan"] = g["p"].round(2)
    out["local_yuan"] = g["l"].round(2)
    pos = g["p"] > 0
    out["local_rate"] = (g["l"] / g["p"]).where(pos)
    out["city_local_rate"] = (g["c"] / g["p"]).where(pos)
    out["observed_coverage"] = (g["o"] / g["den"]).where(g["den"] > 0)
    if basis == "estimated":
        out["basis"] = "estimated"
    else:
        out["basis"] = np.where(g["d"] <= 0, "observed", np.where(g["o"] <= 0, "estimated", "mixed"))
    return out.reset_index()[SL.COLUMNS]
