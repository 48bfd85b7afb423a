"""我的企业 — an enterprise user's home: its own figures against its chain and county, its requests,
the requests it relayed as a chain master, what it is asked to do, its key projects (where it is
the investor) and its joint R&D (problems it posted, its applications).

Figures come from the existing engines: the enterprise's monthly history
(:func:`chainbrain.analytics.profile.monthly_history`: YTD revenue and its
year-on-year change against the same months a year before) and the monitoring
KPI of its main chain and of its county for the same period, through the
caller's ``kpi_of(chain, region)`` (the web layer applies disclosure control:
a cell of fewer than three enterprises is withheld). Its share of the chain's
and the county's above-scale revenue = its YTD revenue ÷ theirs (a fraction).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.analytics.profile import monthly_history
from chainbrain.store.schema import chain, enterprise, region
from chainbrain.work import request_list
from chainbrain.work.projects import list_projects
from chainbrain.work.rd_read import of_enterprise
from chainbrain.work.requests import enterprise_chain, master_chains


def _share(own, total):
    return None if own is None or not total else float(own) / float(total)


def home(store, reader, user, kpi_of, lang: str = "zh") -> dict:
    """The page's data; ``reader``: a store for plain reads; ``kpi_of(chain, region, period)``: a KPI record."""
    with reader.engine.connect() as conn:
        e = conn.execute(sa.select(enterprise.c.id, enterprise.c.uscc, enterprise.c.name, enterprise.c.region_code)
                         .where(enterprise.c.uscc == (user.uscc or ""))).first()
        if e is None:
            return {"enterprise": None}
        today = dt.date.today()
        chain_code = enterprise_chain(conn, int(e.id), today)
        names = {"chain": conn.execute(sa.select(chain.c.name_zh if lang == "zh" else chain.c.name_en)
                                       .where(chain.c.code == chain_code)).scalar() if chain_code else None,
                 "county": conn.execute(sa.select(region.c.name).where(region.c.code == e.region_code)).scalar()}
        masters = master_chains(conn, int(e.id), today)
        lst = request_list.listing(conn, user, lang=lang, limit=500)
        research = of_enterprise(conn, int(e.id), lang)
    projects = list_projects(reader, user, today.year, today.month, lang=lang)["items"]     # its own (investor)
    own = [r for r in lst["items"] if r["enterprise"]["uscc"] == e.uscc]
    relayed = [r for r in lst["items"] if r["relayed_by"] and r["relayed_by"]["uscc"] == e.uscc]
    todo = [r for r in lst["items"] if set(r["actions"]) & {"confirm", "reopen"} and r["status"] == "answered"]
    hist = monthly_history(reader, int(e.id))
    last = hist[-1] if hist else None
    figures = None
    if last is not None:
        period = last["period"]
        ch = kpi_of(chain_code, None, period) if chain_code else None
        co = kpi_of(None, e.region_code, period) if e.region_code else None
        figures = {"period": period, "unit": "yuan",
                   "own": {"revenue_ytd_yuan": last["revenue_ytd"], "yoy": last["yoy"]},
                   "chain": ch and {"code": chain_code, "name": names["chain"], **_kpi(ch),
                                    "own_share": None if "revenue_ytd_yuan" in ch.get("suppressed", [])
                                    else _share(last["revenue_ytd"], ch.get("revenue_ytd_yuan"))},
                   "county": co and {"code": e.region_code, "name": names["county"], **_kpi(co),
                                     "own_share": None if "revenue_ytd_yuan" in co.get("suppressed", [])
                                     else _share(last["revenue_ytd"], co.get("revenue_ytd_yuan"))}}
    return {"enterprise": {"uscc": e.uscc, "name": e.name, "region_code": e.region_code,
                           "region_name": names["county"], "chain_code": chain_code, "chain_name": names["chain"],
                           "chain_master_of": masters},
            "figures": figures, "requests": own, "relayed": relayed, "todo": todo, "projects": projects,
            "rd": research}


def _kpi(rec: dict) -> dict:
    keys = ("revenue_ytd_yuan", "yoy_comparable", "yoy_naive", "above_scale_count")
    hidden = set(rec.get("suppressed") or [])
    return {k: (None if k in hidden else rec.get(k)) for k in keys} | {"suppressed": sorted(hidden & set(keys))}
