"""Which enterprises a figure covers: region × chain × industry scope, as of a date.

An enterprise's region and industry class are the ``enterprise_attr`` rows
valid on the date (valid_from ≤ date < valid_to, NULL meaning open); its
chains are those of the ``enterprise_segment`` rows valid on the date, through
``segment_chain`` (a segment's primary chain and the other chains it is listed
under). Chain totals therefore count an enterprise once per chain.

Industry scope: ``all`` = above-scale industry, sections B (mining),
C (manufacturing), D (utilities); ``manufacturing`` = section C.
:func:`members` adds segment, cluster, SEI and park filters and more
groupings (segment, cluster, city×chain, county×chain) for the indicators.
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


BY = ("all", "chain", "city", "county", "segment", "cluster", "city_chain", "county_chain")


def _region_level(store, region: str) -> str:
    rl = store.table("region").filter(_.code == region).select("level").execute()
    level = rl["level"].iloc[0] if len(rl) else None
    if level is None:
        raise ValueError(f"unknown region code {region} (未知地区代码)")
    return level


def _enterprise_segments(store, date: dt.date):
    """(enterprise_id, segment_code, top_segment) valid on ``date``; a sub-segment's top is its parent."""
    es = _valid_on(store.table("enterprise_segment"), date)
    es = latest(es, ["enterprise_id", "segment_code", "valid_from"])
    seg = store.table("segment")
    seg = seg.select(segment_code=seg.code,
                     top_segment=ibis.cases((seg.level == "sub_segment", seg.parent_code), else_=seg.code))
    return es.join(seg, "segment_code").select("enterprise_id", "segment_code", "top_segment")


def members(store, date: dt.date, scope: str = "all", region: str | None = None, chain: str | None = None,
            by: str = "all", *, segment: str | None = None, cluster: str | None = None,
            sei: bool = False, park: str | None = None):
    """(enterprise_id, key, sei) of the enterprises in scope on ``date``.

    Filters: ``region`` (province / prefecture / county code), ``park`` (the
    enterprise's registered park), ``chain``, ``segment`` (a top segment
    includes its sub-segments), ``cluster`` (its segments), ``sei`` (classes
    flagged ``true`` or ``partial`` in the SEI catalogue; the ``sei`` column
    says which, see :mod:`chainbrain.analytics.indicators`).
    ``by``: one of :data:`BY`; an enterprise counts once per key.
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}")
    reg = attr_on(store, "region_code", date)
    ind = attr_on(store, "industry_code", date)
    industry = store.table("industry")
    region_t = store.table("region")
    m = reg.join(ind, "enterprise_id")
    m = m.join(industry.select(industry_code=industry.code, section=industry.section, sei=industry.sei),
               "industry_code")
    m = m.filter(m.section.isin(SCOPES[scope]))
    if sei:
        m = m.filter(m.sei.isin(("true", "partial")))
    m = m.join(region_t.select(region_code=region_t.code, prefecture_code=region_t.prefecture_code), "region_code")
    if region:
        level = _region_level(store, region)
        if level == "prefecture":
            m = m.filter(m.prefecture_code == region)
        elif level == "county":
            m = m.filter(m.region_code == region)
    if park:
        ent = store.table("enterprise")
        m = m.join(ent.filter(ent.park_code == park).select(enterprise_id=ent.id), "enterprise_id")
    needs_seg = segment or cluster or by in ("segment", "cluster")
    needs_chain = chain or by in ("chain", "city_chain", "county_chain")
    if needs_seg or needs_chain:
        es = _enterprise_segments(store, date)
        if segment:
            es = es.filter((es.segment_code == segment) | (es.top_segment == segment))
        if cluster or by == "cluster":
            cs = store.table("cluster_segment")
            if cluster:
                cs = cs.filter(cs.cluster_code == cluster)
            es = es.join(cs, es.top_segment == cs.segment_code).select(
                es.enterprise_id, es.segment_code, es.top_segment, cs.cluster_code)
        if needs_chain:
            sc = store.table("segment_chain")
            es = es.join(sc, "segment_code")
            if chain:
                es = es.filter(es.chain_code == chain)
        cols = ["enterprise_id"] + (["chain_code"] if needs_chain else []) + \
            (["top_segment"] if by == "segment" else []) + (["cluster_code"] if by == "cluster" else [])
        m = m.join(es.select(*cols).distinct(), "enterprise_id")
    key = {"all": lambda: ibis.literal("all"), "chain": lambda: m.chain_code,
           "city": lambda: m.prefecture_code, "county": lambda: m.region_code,
           "segment": lambda: m.top_segment, "cluster": lambda: m.cluster_code,
           "city_chain": lambda: m.prefecture_code.concat("|", m.chain_code),
           "county_chain": lambda: m.region_code.concat("|", m.chain_code)}[by]()
    return m.select("enterprise_id", key=key, sei=m.sei).distinct()


def membership(store, date: dt.date, scope: str = "all", region: str | None = None,
               chain: str | None = None, by: str = "all"):
    """(enterprise_id, key) of the enterprises in scope on ``date``.

    ``by``: ``all`` (one group), ``chain`` (an enterprise once per chain),
    ``city`` (prefecture) or ``county`` — and the other groupings of :func:`members`.
    """
    return members(store, date, scope, region, chain, by).select("enterprise_id", "key").distinct()
