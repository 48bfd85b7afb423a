"""Supplier concentration and segments supplied only from outside the province.

For a key k (the buyers of :mod:`chainbrain.analytics.supply_local`: library
firms in scope on 31 December of the year, grouped by ``enterprise``,
``segment``, ``chain``, ``city`` or ``county``) and a year's observed links,
pool the key's purchases by supplier: aᵢ = Σ amount from supplier i into
the key's buyers, A = Σᵢ aᵢ, sᵢ = aᵢ / A.  Then

- ``top_supplier_share`` = maxᵢ sᵢ (the largest supplier's share);
- ``hhi`` = Σᵢ sᵢ² (Herfindahl–Hirschman index on the 0–1 scale;
  Hirschman 1945, Herfindahl 1950);
- ``effective_suppliers`` = 1 / HHI (the numbers-equivalent: as many equal
  suppliers would give the same HHI; Adelman 1969);

all NULL when A = 0.  Per enterprise this is the buyer's own supplier
concentration; per segment / chain / region it is the concentration of the
pooled purchases (a supplier selling to two buyers of the key counts once).

:func:`outside_only`: the supplier segments (the supplier's segment on
31 December) whose sales to in-province buyers in the year come entirely from
suppliers registered outside the province — ``supplier-segment`` rows of the
local supporting rate with purchases > 0 and local purchases = 0.

``basis`` is ``observed`` here (:mod:`chainbrain.analytics.supply_concentration_basis`
adds estimated links).  Written once in Ibis for DuckDB, PostgreSQL and PySpark.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from chainbrain.analytics import supply_local as SL
from chainbrain.analytics.scope import Shared

BY = ("enterprise", "segment", "chain", "city", "county")
COLUMNS = ["key", "name", "purchases_yuan", "buyers", "suppliers", "top_supplier_share", "hhi",
           "effective_suppliers", "basis"]
OUTSIDE_COLUMNS = ["key", "name", "purchases_yuan", "buyers", "suppliers", "basis"]


def concentration_table(store, year: int, by: str) -> pd.DataFrame:
    """One row per key (columns :data:`COLUMNS`), sorted by key."""
    if by not in BY:
        raise ValueError(f"--by must be one of {', '.join(BY)} (分组方式无效)")
    from chainbrain.analytics.compiled import run     # compiled once per (backend, key)

    return finish(store, run(store, ("supply_concentration", year, by), lambda: concentration_expr(store, year, by)),
                  by)


def finish(store, out: pd.DataFrame, by: str) -> pd.DataFrame:
    """The rows of :data:`COLUMNS` from the result of :func:`concentration_expr`."""
    if out.empty:
        return pd.DataFrame(columns=COLUMNS)
    out["key"] = out["key"].astype(str)
    out["purchases_yuan"] = out["purchases_yuan"].fillna(0.0).astype(float)   # shares from the unrounded sums
    out["suppliers"] = out["suppliers"].fillna(0).astype(int)
    out["buyers"] = out["buyers"].astype(int)
    tot = out["purchases_yuan"]
    pos = tot > 0
    out["top_supplier_share"] = (out["amax"] / tot).where(pos)
    out["hhi"] = (out["sq"] / (tot * tot)).where(pos)
    out["effective_suppliers"] = (1.0 / out["hhi"]).where(pos & (out["hhi"] > 0))
    out["purchases_yuan"] = out["purchases_yuan"].round(2)                    # sums of cents: back to cents
    out["basis"] = "observed"
    SL.name_keys(store, out, by)
    return out.sort_values("key").reset_index(drop=True)[COLUMNS]


def concentration_expr(store, year: int, by: str, sh: Shared | None = None):
    """The one Ibis expression behind :func:`concentration_table` (per key: buyers, Σ, max, Σ² by supplier);
    ``sh``: the building blocks to share with another expression of the same query."""
    date = dt.date(year, 12, 31)
    sh = sh or Shared(store)
    m = sh.shared(("buyer_keys", date, by), lambda: SL.buyer_keys(store, sh, date, by))
    f = SL.links(store, year)
    j = f.join(m, f.buyer_id == m._bid)
    ks = j.group_by(["key", "supplier_id"]).aggregate(a=j.amount.sum())
    per = ks.group_by("key").aggregate(purchases_yuan=ks.a.sum(), suppliers=ks.supplier_id.nunique(),
                                       amax=ks.a.max(), sq=(ks.a * ks.a).sum()).rename(_k="key")
    keys = m.group_by("key").aggregate(buyers=m._bid.nunique(), _name=m._name.max())
    q = keys.left_join(per, keys.key == per._k)                  # one query, one round trip
    return q.select(*keys.columns, "purchases_yuan", "suppliers", "amax", "sq")


def outside_only_table(store, year: int) -> pd.DataFrame:
    """Supplier segments supplied to in-province buyers only from outside the province (module docstring)."""
    t = SL.local_rate_table(store, year, "supplier-segment")
    t = t[(t["purchases_yuan"] > 0) & (t["local_yuan"] == 0)]
    return t[OUTSIDE_COLUMNS].reset_index(drop=True)


def _records(df: pd.DataFrame) -> list[dict]:
    recs = df.astype(object).where(df.notna(), None).to_dict("records")
    for r in recs:
        r["purchases_yuan"] = float(r["purchases_yuan"])
        for c in ("buyers", "suppliers"):
            r[c] = int(r[c])
    return recs


def concentration(store, year: int, by: str, basis: str = "observed", table: str | None = None,
                  delta: float | None = None) -> list[dict]:
    """Records of :func:`concentration_table`; ``basis`` estimated|mixed adds the input–output estimates
    (:mod:`chainbrain.analytics.supply_concentration_basis`)."""
    if basis == "observed":
        return _records(concentration_table(store, year, by))
    from chainbrain.analytics.supply_concentration_basis import concentration_table as with_estimates
    return _records(with_estimates(store, year, by, basis, table, delta))


def outside_only(store, year: int) -> list[dict]:
    return _records(outside_only_table(store, year))
