"""The local supporting rate and the supplier concentration of one grouping in one query.

A page showing both for the same keys (e.g. every chain) needs the rows of
:func:`chainbrain.analytics.supply_local.local_rate_table` and
:func:`chainbrain.analytics.supply_concentration.concentration_table`; built from
one :class:`~chainbrain.analytics.scope.Shared`, the two expressions share their
building blocks (the buyers located on 31 December, their keys, the year's
links) as common table expressions of a single statement, joined on the key
(with the keys' names from the catalog), so the engine computes those once.  Same rows as the two functions (tests).
Not for ``supplier-segment`` (no concentration by supplier segment).
"""

from __future__ import annotations

import pandas as pd

from chainbrain.analytics import supply_concentration as SC
from chainbrain.analytics import supply_local as SL
from chainbrain.analytics.scope import Shared

BY = SC.BY


def expr(store, year: int, by: str, home: str):
    sh = Shared(store)
    lr = SL.local_rate_expr(store, year, by, home, sh)
    cc = SC.concentration_expr(store, year, by, sh)
    cc = cc.select(_ck=cc.key, _cp=cc.purchases_yuan, _cs=cc.suppliers, amax=cc.amax, sq=cc.sq)
    j = lr.left_join(cc, lr.key == cc._ck)
    j = j.select(*lr.columns, "_cp", "_cs", "amax", "sq")
    names = _names_expr(sh, by)
    if names is None:
        return j
    k = j.left_join(names, j.key == names._nk)
    return k.select(*j.columns, "_nm")


def _names_expr(sh: Shared, by: str):
    """(_nk, _nm): the keys' names from the catalog, joined in the same statement."""
    if by == "chain":
        t = sh.table("chain")
        return t.select(_nk=t.code, _nm=t.name_zh)
    if by == "segment":
        t = sh.table("segment")
        return t.select(_nk=t.code, _nm=t.name_zh)
    if by in ("city", "county"):
        t = sh.table("region")
        return t.select(_nk=t.code, _nm=t.name)
    return None


def local_rate_and_concentration(store, year: int, by: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(local-rate rows, concentration rows) of grouping ``by`` for ``year`` — one round trip."""
    from chainbrain.analytics.compiled import run

    if by not in BY:
        raise ValueError(f"--by must be one of {', '.join(BY)} (分组方式无效)")
    home = SL.home_province(store)
    out = run(store, ("supply_measures", year, by, home), lambda: expr(store, year, by, home))
    lr = SL.finish(store, out.drop(columns=["_cp", "_cs", "amax", "sq"]).copy(), by)
    cc = out[["key", "_name", "buyers", "_cp", "_cs", "amax", "sq"] + (["_nm"] if "_nm" in out else [])].rename(
        columns={"_cp": "purchases_yuan", "_cs": "suppliers"}).copy()
    return lr, SC.finish(store, cc, by)
