"""Which enterprises a figure covers: region × chain × industry scope, as of a date.

An enterprise's region and industry class are the ``enterprise_attr`` rows
valid on the date (valid_from ≤ date < valid_to, NULL meaning open); its
chains are those of the ``enterprise_segment`` rows valid on the date, through
``segment_chain`` (a segment's primary chain and the other chains it is listed
under). Chain totals therefore count an enterprise once per chain.

Industry scope: ``all`` = above-scale industry, sections B (mining),
C (manufacturing), D (utilities); ``manufacturing`` = section C.
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis import _

SCOPES = {"all": ("B", "C", "D"), "manufacturing": ("C",)}


def latest(t, keys: list[str]):
    """Rows of the highest ``revision`` per key (older revisions are history)."""
    w = ibis.window(group_by=[t[k] for k in keys], order_by=ibis.desc(t.revision))
    return t.mutate(_rn=ibis.row_number().over(w)).filter(_._rn == 0).drop("_rn")


def _valid_on(t, date: dt.date):
    d = ibis.literal(date)
    return t.filter((t.valid_from.isnull() | (t.valid_from <= d)) & (t.valid_to.isnull() | (t.valid_to > d)))


def attr_on(store, attr: str, date: dt.date):
    """(enterprise_id, <attr>) valid on ``date``."""
    t = store.table("enterprise_attr")
    t = _valid_on(t.filter(t.attr == attr), date)
    t = latest(t, ["enterprise_id"])   # one value per enterprise: the newest revision valid on the date
    return t.select("enterprise_id", **{attr: t.attr_value})


def membership(store, date: dt.date, scope: str = "all", region: str | None = None,
               chain: str | None = None, by: str = "all"):
    """(enterprise_id, key[, key_name]) of the enterprises in scope on ``date``.

    ``by``: ``all`` (one group), ``chain`` (an enterprise once per chain),
    ``city`` (prefecture) or ``county``.
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    reg = attr_on(store, "region_code", date)
    ind = attr_on(store, "industry_code", date)
    industry = store.table("industry")
    region_t = store.table("region")
    m = reg.join(ind, "enterprise_id")
    m = m.join(industry.select(industry_code=industry.code, section=industry.section), "industry_code")
    m = m.filter(m.section.isin(SCOPES[scope]))
    m = m.join(region_t.select(region_code=region_t.code, prefecture_code=region_t.prefecture_code,
                               region_level=region_t.level), "region_code")
    if region:
        rl = store.table("region").filter(_.code == region).select("level").execute()
        level = rl["level"].iloc[0] if len(rl) else None
        if level is None:
            raise ValueError(f"unknown region code {region} (未知地区代码)")
        if level == "prefecture":
            m = m.filter(m.prefecture_code == region)
        elif level == "county":
            m = m.filter(m.region_code == region)
    if chain or by == "chain":
        es = _valid_on(store.table("enterprise_segment"), date)
        es = latest(es, ["enterprise_id", "segment_code", "valid_from"])
        sc = store.table("segment_chain")
        ec = es.join(sc, es.segment_code == sc.segment_code).select(es.enterprise_id, sc.chain_code).distinct()
        if chain:
            ec = ec.filter(ec.chain_code == chain)
        m = m.join(ec, "enterprise_id")
    key = {"all": ibis.literal("all"), "chain": m.chain_code if (chain or by == "chain") else None,
           "city": m.prefecture_code, "county": m.region_code}[by]
    return m.select("enterprise_id", key=key).distinct()
