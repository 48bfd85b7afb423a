"""智改数转 service providers (服务商): the register, their completed projects and the firms' ratings.

- The register: the newest revision of each ``digital_provider`` row (``chainbrain import
  digital-providers``): name, home region, the chains and scenarios it serves.
- Its projects on a date d: the 一链一场景 adoptions (:func:`chainbrain.analytics.digital_scenarios.adoptions`,
  dated on or before d) that name the provider — by ``provider_uscc``, or else by the provider's name
  exactly as registered.
- Per provider: ``projects`` (adoption rows), ``firms`` (distinct enterprises), ``rated`` (distinct firms
  whose projects carry a rating), ``rating`` = the mean of those ratings over all the provider's rated
  projects to d, whatever the chain or scenario filter (one figure per provider, never broken down, so no
  difference of two shown figures isolates a firm).
- Disclosure (web/disclosure.py primary rule, MIN_CELL = 3): ``rating`` is withheld (None, listed in
  ``suppressed``) when the rating firms the viewer cannot see one by one number 1 or 2: ``0 < hidden <
  min_cell`` (:func:`rating_withheld`). Counts of firms and projects are not confidential.
- Per chain / scenario: a provider is listed under a chain (scenario) when its register entry names it or
  one of its projects was on it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from chainbrain.analytics.digital_scenarios import adoptions
from chainbrain.analytics.scope import latest

MIN_CELL = 3


def rating_withheld(rated_firms: set, visible: set, min_cell: int = MIN_CELL) -> bool:
    """True when the mean rating of ``rated_firms`` must be withheld from a viewer who sees ``visible``
    one by one: 1 ≤ (rated firms not visible) < ``min_cell``."""
    hidden = len(set(rated_firms) - set(visible))
    return 0 < hidden < min_cell


def _text(v):
    return None if v is None or (isinstance(v, float) and v != v) else str(v)


def register(store) -> pd.DataFrame:
    """The register (newest revision of each provider): uscc, name, region_code, region_name, chains (list of
    codes), scenarios (list of names), listed_on; ordered by name."""
    t = latest(store.table("digital_provider"), ["uscc"])
    reg = store.table("region")
    reg = reg.select(_rc=reg.code, region_name=reg.name)
    x = t.left_join(reg, t.region_code == reg._rc)
    df = x.select("uscc", "name", "region_code", "region_name", "chains", "scenarios", "listed_on").execute()
    df["chains"] = [[c for c in (v or "").split(";") if c] for v in df["chains"]]
    df["scenarios"] = [[c for c in (v or "").split(";") if c] for v in df["scenarios"]]
    return df.sort_values(["name", "uscc"], kind="mergesort").reset_index(drop=True)


def projects(store, date: dt.date, reg: pd.DataFrame | None = None) -> pd.DataFrame:
    """The adoptions on or before ``date`` that belong to a registered provider, with ``provider_key`` (the
    register's USCC): by ``provider_uscc``, else by the exact registered name."""
    reg = register(store) if reg is None else reg
    df = adoptions(store, date)
    by_name = dict(zip(reg["name"], reg["uscc"]))
    known = set(reg["uscc"])
    keys = [u if isinstance(u, str) and u in known else by_name.get(n) for u, n in
            zip(df["provider_uscc"], df["provider"])]
    df = df.assign(provider_key=keys)
    return df[df["provider_key"].notna()].reset_index(drop=True)


def providers(store, date: dt.date, chain: str | None = None, scenario: str | None = None,
              visible=None) -> list[dict]:
    """One row (dict) per provider listed under ``chain`` / ``scenario`` (module docstring): the register's columns
    and projects, firms, rated, rating (None when withheld for the viewer ``visible(ids)``; no rating:
    None), suppressed (``["rating"]`` when withheld), last_project. ``projects`` / ``firms`` count the projects on the chain /
    scenario asked; ``rating`` covers all the provider's rated projects."""
    reg = register(store)
    pj = projects(store, date, reg)
    sel = pj
    if chain:
        sel = sel[sel["chain_code"] == chain]
    if scenario:
        sel = sel[sel["scenario"] == scenario]
    rated = pj[pj["rating"].notna()]
    seen = set(visible(rated["enterprise_id"].tolist())) if visible is not None else set(rated["enterprise_id"])
    by_sel = dict(tuple(sel.groupby("provider_key"))) if len(sel) else {}
    by_rated = dict(tuple(rated.groupby("provider_key"))) if len(rated) else {}
    none = sel.iloc[0:0]
    out = []
    for r in reg.itertuples(index=False):
        mine = by_sel.get(r.uscc, none)
        listed = (not chain or chain in r.chains) and (not scenario or scenario in r.scenarios)
        if not listed and not len(mine):
            continue
        rr = by_rated.get(r.uscc, none)
        firms_rated = set(int(e) for e in rr["enterprise_id"])
        withheld = rating_withheld(firms_rated, seen)
        out.append({"uscc": r.uscc, "name": r.name, "region_code": _text(r.region_code), "region_name": _text(r.region_name),
                    "chains": r.chains, "scenarios": r.scenarios,
                    "listed_on": None if pd.isna(r.listed_on) else str(r.listed_on)[:10],
                    "projects": len(mine), "firms": int(mine["enterprise_id"].nunique()), "rated": len(firms_rated),
                    "rating": None if withheld or not len(rr) else round(float(rr["rating"].astype(float).mean()), 2),
                    "suppressed": ["rating"] if withheld else [],
                    "last_project": str(mine["adopted_on"].max())[:10] if len(mine) else None})
    return out


def providers_of_firms(store, date: dt.date, ids) -> dict[int, list[tuple[str, str]]]:
    """enterprise_id → [(provider uscc, name)] of the registered providers that did its projects to ``date``."""
    reg = register(store)
    pj = projects(store, date, reg)
    pj = pj[pj["enterprise_id"].isin(list(ids))]
    names = dict(zip(reg["uscc"], reg["name"]))
    out: dict[int, list[tuple[str, str]]] = {}
    for e, g in pj.groupby("enterprise_id"):
        out[int(e)] = [(u, names.get(u, u)) for u in sorted(set(g["provider_key"]))]
    return out
