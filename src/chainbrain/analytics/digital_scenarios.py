"""一链一场景: the transformation scenarios of each chain and the firms that adopted them, as of a date.

From ``digital_adoption`` (newest revision of each firm × chain × scenario × date), the rows dated on or
before ``date`` (and, with ``region``, of firms located in that city or county on the date):

- per chain × scenario: ``firms`` (distinct adopting enterprises), ``providers`` (distinct named
  service providers), ``first_adopted`` and ``last_adopted``;
- the adopters: enterprise, its place, the provider and the adoption date.

The catalogue is what the imported rows name: the references give no list of scenarios per chain
(policy-facts §2.4 counts 1200+ "小快轻准" solutions, none named), so none is shipped.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from chainbrain.analytics.scope import Shared, latest


def adoptions(store, date: dt.date, chain: str | None = None, region: str | None = None) -> pd.DataFrame:
    """The adopters (module docstring): enterprise_id, uscc, name, county_name, city_name, chain_code,
    scenario, provider, provider_uscc, rating, adopted_on."""
    sh = Shared(store, cte=False)
    t = sh.table("digital_adoption")
    t = latest(t.filter(t.adopted_on <= ibis.literal(date)), ["enterprise_id", "chain_code", "scenario", "adopted_on"])
    if chain:
        t = t.filter(t.chain_code == chain)
    loc = sh.located(date)
    loc = loc.select(_lid=loc.enterprise_id, region_code=loc.region_code)
    x = t.join(loc, t.enterprise_id == loc._lid)
    reg = sh.table("region")
    county = reg.select(_rc=reg.code, county_name=reg.name, prefecture_code=reg.prefecture_code)
    x = x.left_join(county, x.region_code == county._rc)
    if region:
        level = sh.region_level(region)
        if level == "prefecture":
            x = x.filter(x.prefecture_code == region)
        elif level == "county":
            x = x.filter(x.region_code == region)
    city = reg.select(_pc=reg.code, city_name=reg.name)
    x = x.left_join(city, x.prefecture_code == city._pc)
    ent = sh.table("enterprise")
    ent = ent.select(_id=ent.id, uscc=ent.uscc, name=ent.name)
    x = x.join(ent, x.enterprise_id == ent._id)
    df = x.select("enterprise_id", "uscc", "name", "county_name", "city_name", "chain_code", "scenario", "provider",
                  "provider_uscc", "rating", "adopted_on").execute()
    df["enterprise_id"] = df["enterprise_id"].astype("int64")
    return df.sort_values(["chain_code", "scenario", "adopted_on", "uscc"], kind="mergesort").reset_index(drop=True)


def catalogue(df: pd.DataFrame) -> list[dict]:
    """Per chain × scenario of the adopters ``df``: firms, providers, first_adopted, last_adopted."""
    out = []
    for (c, s), g in df.groupby(["chain_code", "scenario"], sort=True):
        out.append({"chain_code": c, "scenario": s, "firms": int(g["enterprise_id"].nunique()),
                    "providers": int(g["provider"].dropna().nunique()),
                    "first_adopted": str(g["adopted_on"].min())[:10], "last_adopted": str(g["adopted_on"].max())[:10]})
    return out
