"""The tier pipeline (梯度培育漏斗) per city and chain: 库 → 创新型 → 专精特新 → 小巨人 → 单项冠军.

For a date D, a grouping (``city``, ``chain`` or ``city_chain``) and optional region/chain filters:

- ``library``: enterprises of the library in scope on D (:func:`chainbrain.analytics.scope.members`,
  industry scope ``all``: sections B–D; an enterprise counts once per chain);
- each stage: those of them holding a designation of that kind valid on D (the newest revision
  per designation key). A stage counts the designation it names, as recorded — a higher tier is
  not taken to imply the lower ones ("each tier presupposes the one below" is [I], not applied).
- Validity: a designation's end is its ``valid_to``; where none is stored, an SME tier
  (创新型, 专精特新, 小巨人) ends after the scheme's ``validity_years`` (3, [Q-2nd], pack
  ``cultivation.toml``): valid while ``valid_from`` > D − 3 years.
- ``expiring``: per stage, holders whose designation ends within ``within_days`` after D
  (end ≤ D + within_days) — the renewal list of the next round.

Counts of enterprises only (no values): the disclosure rule leaves counts (web/disclosure.py).
Written once in Ibis (DuckDB, PostgreSQL).

:func:`renewals` lists the designations behind ``expiring_<stage>`` firm by firm (the renewal
list); the caller filters it to what the viewer may see.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from chainbrain.analytics.cultivate_rules import rules as load_rules
from chainbrain.analytics.scope import latest, members

STAGES = ("innovative_sme", "srdi", "little_giant", "single_champion")
SME_TIERS = ("innovative_sme", "srdi", "little_giant")
BY = ("city", "chain", "city_chain")


def _years_before(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:                      # 29 February
        return d.replace(year=d.year - years, day=28)


def _held(store, date: dt.date, within_days: int, years: int):
    """Designations of the stages valid on ``date`` (newest revision per key), with ``exp``: ends within
    ``within_days`` (stored end, else for SME tiers valid_from + years − 1 day)."""
    d = latest(store.table("designation"), ["enterprise_id", "kind", "level", "chain_code", "valid_from"])
    d = d.filter(d.kind.isin(STAGES))
    day = ibis.literal(date)
    horizon = date + dt.timedelta(days=within_days)
    sme = d.kind.isin(SME_TIERS)
    no_end = d.valid_to.isnull()
    valid = (d.valid_from <= day) & ibis.ifelse(
        no_end, ~sme | (d.valid_from > ibis.literal(_years_before(date, years))), d.valid_to >= day)
    # end ≤ D + N: stored end, else (SME tiers) valid_from + years − 1 day ≤ D + N
    expiring = ibis.ifelse(no_end, sme & (d.valid_from <= ibis.literal(
        _years_before(horizon + dt.timedelta(days=1), years))), d.valid_to <= ibis.literal(horizon))
    return d.filter(valid).mutate(exp=expiring)


def funnel(store, date: dt.date, by: str = "city_chain", region: str | None = None, chain: str | None = None,
           within_days: int = 365) -> list[dict]:
    """One row per key: ``key``, ``city_code``, ``city_name``, ``chain_code``, ``chain_name``, ``library``,
    a count per stage and ``expiring_<stage>``; ordered by city, then chain."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)} (分组须为 {'/'.join(BY)})")
    years = int(load_rules()["scheme"]["validity_years"])
    m = members(store, date, "all", region, chain, by).select("enterprise_id", "key").distinct()
    d = _held(store, date, within_days, years).select("enterprise_id", "kind", "exp")
    j = m.join(d, "enterprise_id")
    stage = j.group_by(["key", "kind"]).aggregate(n=j.enterprise_id.nunique(),
                                                  n_exp=j.enterprise_id.nunique(where=j.exp))
    lib = m.group_by("key").aggregate(library=m.enterprise_id.nunique()).execute()
    st = stage.execute()
    rows = {k: {"key": k, "library": int(n), **{s: 0 for s in STAGES}, **{f"expiring_{s}": 0 for s in STAGES}}
            for k, n in zip(lib["key"], lib["library"])}
    for k, kind, n, ne in zip(st["key"], st["kind"], st["n"], st["n_exp"]):
        rows[k][kind] = int(n)
        rows[k][f"expiring_{kind}"] = int(ne)
    cities = dict(store.table("region").select("code", "name").execute().itertuples(index=False, name=None))
    chains = dict(store.table("chain").select("code", "name_zh").execute().itertuples(index=False, name=None))
    out = []
    for k, r in rows.items():
        city, ch = (k.split("|") + [None])[:2] if by == "city_chain" else ((k, None) if by == "city" else (None, k))
        out.append({"key": k, "city_code": city, "city_name": cities.get(city), "chain_code": ch,
                    "chain_name": chains.get(ch), **{f: v for f, v in r.items() if f != "key"}})
    out.sort(key=lambda r: (r["city_code"] or "", r["chain_code"] or ""))
    return out


def renewals(store, date: dt.date, region: str | None = None, chain: str | None = None,
             within_days: int = 365) -> list[dict]:
    """Designations valid on ``date`` that end within ``within_days`` (the next round's renewals), one row
    per enterprise × designation: ``enterprise_id``, ``uscc``, ``name``, ``kind``, ``level``, ``valid_from``,
    ``ends_on`` (stored, or valid_from + validity − 1 day, ``end_basis`` stored|validity), ordered by end."""
    years = int(load_rules()["scheme"]["validity_years"])
    m = members(store, date, "all", region, chain, "all").select("enterprise_id").distinct()
    d = _held(store, date, within_days, years)
    d = d.filter(d.exp).semi_join(m, "enterprise_id")
    e = store.table("enterprise")
    d = d.join(e.select(enterprise_id=e.id, uscc=e.uscc, name=e.name), "enterprise_id")
    df = d.select("enterprise_id", "uscc", "name", "kind", "level", "valid_from", "valid_to").execute()
    out = []
    for r in df.itertuples(index=False):
        vf = pd.Timestamp(r.valid_from).date()
        stored = bool(pd.notna(r.valid_to))
        end = pd.Timestamp(r.valid_to).date() if stored else _years_before(vf, -years) - dt.timedelta(days=1)
        out.append({"enterprise_id": int(r.enterprise_id), "uscc": r.uscc if pd.notna(r.uscc) else None,
                    "name": r.name, "kind": r.kind, "level": r.level, "valid_from": vf.isoformat(),
                    "ends_on": end.isoformat(), "end_basis": "stored" if stored else "validity"})
    out.sort(key=lambda x: (x["ends_on"], x["enterprise_id"], x["kind"]))
    return out
