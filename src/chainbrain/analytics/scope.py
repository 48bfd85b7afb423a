"""Which enterprises a figure covers: region × chain × industry scope, as of a date.

An enterprise's region and industry class are the ``enterprise_attr`` rows
valid on the date (valid_from ≤ date ≤ valid_to: both ends inclusive, as
every ``valid_to`` in the store — designations, attributes, segments; NULL
meaning open); its
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
import itertools

import ibis
from ibis import _

SCOPES = {"all": ("B", "C", "D"), "manufacturing": ("C",)}
_CTE_IDS = itertools.count()


def latest(t, keys: list[str]):
    """Rows of the highest ``revision`` per key (older revisions are history)."""
    w = ibis.window(group_by=[t[k] for k in keys], order_by=ibis.desc(t.revision))
    return t.mutate(_rn=ibis.row_number().over(w)).filter(_._rn == 0).drop("_rn")


def latest_reports(t, keys: list[str]):
    """:func:`latest` for keys that are never NULL (report keys such as enterprise × year × month):
    the rows no row of the same key outranks. Only a row with ``revision > 1`` can outrank another
    (revisions start at 1), so the anti join's build side is the revised rows alone — few in
    practice — and the engine neither sorts nor groups the wide report rows."""
    newer = t.filter(t.revision > 1).select(*(t[k].name(f"_n_{k}") for k in keys), _n_rev=t.revision)
    return t.anti_join(newer, [*(t[k] == newer[f"_n_{k}"] for k in keys), t.revision < newer._n_rev])


def sei_shares(table, year: int):
    """(_sc, sei_share): the loaded SEI share of each class (``sei_share``, import kind ``sei-shares``) as of
    ``year``: the newest revision of the latest year ≤ ``year`` (the bureau's tables come out with a lag,
    so the last published share stands until the next one)."""
    t = table("sei_share")
    t = latest_reports(t.filter(t.year <= year), ["industry_code", "year"])
    return t.group_by("industry_code").aggregate(sei_share=t.share.argmax(t.year)).rename(_sc="industry_code")


def price_indexes(table, year: int, month: int):
    """(_dv, ppi_ytd): each GB/T 4754 division's producer price index (``price_index``, import kind
    ``deflators``), YTD through (year, month), previous year = 100; the newest revision."""
    t = table("price_index")
    t = latest_reports(t.filter((t.year == year) & (t.month == month)), ["division", "year", "month"])
    return t.select(_dv=t.division, ppi_ytd=t.ppi_ytd)


def _valid_on(t, date: dt.date):
    d = ibis.literal(date)
    return t.filter((t.valid_from.isnull() | (t.valid_from <= d)) & (t.valid_to.isnull() | (t.valid_to >= d)))


def attr_on(store, attr: str, date: dt.date):
    """(enterprise_id, <attr>) valid on ``date``."""
    t = store.table("enterprise_attr")
    t = _valid_on(t.filter(t.attr == attr), date)
    t = latest(t, ["enterprise_id"])   # one value per enterprise: the newest revision valid on the date
    return t.select("enterprise_id", **{attr: t.attr_value})


BY = ("all", "chain", "city", "county", "segment", "cluster", "city_chain", "county_chain")


def _region_level(store, region: str) -> str:
    return Shared(store).region_level(region)


def _enterprise_segments(store, date: dt.date, table=None):
    """(enterprise_id, segment_code, top_segment) valid on ``date``; a sub-segment's top is its parent."""
    table = table or store.table
    es = _valid_on(table("enterprise_segment"), date)
    es = latest(es, ["enterprise_id", "segment_code", "valid_from"])
    seg = table("segment")
    seg = seg.select(segment_code=seg.code,
                     top_segment=ibis.cases((seg.level == "sub_segment", seg.parent_code), else_=seg.code))
    return es.join(seg, "segment_code").select("enterprise_id", "segment_code", "top_segment")


class Shared:
    """Building blocks of membership shared by every scope and grouping of one computation.

    One per call (e.g. :func:`chainbrain.analytics.indicators.evaluate`): the
    Ibis tables, the enterprises' region and industry class on a date, their
    segments and chains on a date, and region levels are built once and the
    same expression objects reused, so a query over several scopes or dates
    compiles each of them once (a shared CTE) and makes no extra round trips.
    """

    def __init__(self, store, cte: bool = True):
        self.store = store
        self.cte = cte
        self._memo: dict = {}
        #: optional relation with an ``enterprise_id`` column: when set (before membership is first
        #: built), :meth:`located` keeps only those enterprises — e.g. the ones with a report in the
        #: periods of a computation, the only ones its inner joins can keep.
        self.universe = None

    def _get(self, key, build, shared: bool = False):
        """``build()`` once per key; ``shared`` relations are named (``WITH`` CTEs) when :attr:`cte`."""
        if key not in self._memo:
            value = build()
            if shared and self.cte:
                value = value.alias(f"cb_{key[0]}_{next(_CTE_IDS)}")
            self._memo[key] = value
        return self._memo[key]

    def shared(self, key, build):
        """A relation used several times in one query: built once and, with :attr:`cte`, compiled
        as one named common table expression that every use refers to (Ibis otherwise inlines a
        copy of it into each branch, and the engine computes it again for each)."""
        return self._get(key, build, shared=True)

    def _in_universe(self, t):
        """``t`` restricted to :attr:`universe` (a semi join on enterprise_id), or ``t`` itself."""
        u = self.universe
        return t if u is None else t.semi_join(u, t.enterprise_id == u.enterprise_id)

    def table(self, name: str):
        return self._get(("table", name), lambda: self.store.table(name))

    def region_level(self, region: str) -> str:
        def build():
            t = self.table("region")
            rl = t.filter(t.code == region).select("level").execute()
            level = rl["level"].iloc[0] if len(rl) else None
            if level is None:
                raise ValueError(f"unknown region code {region} (未知地区代码)")
            return level
        return self._get(("level", region), build)

    def located(self, date: dt.date):
        """(enterprise_id, region_code, industry_code) valid on ``date`` — one pass over enterprise_attr
        (on PostgreSQL read from a snapshot made once per data version, :mod:`chainbrain.store.snapshots`)."""
        def build():
            t = self._snapshot("located", date, lambda: _located(self.table, date))
            return self._in_universe(t)
        return self.shared(("located", date), build)

    def _snapshot(self, step: str, date: dt.date, build):
        """``build()`` — or, on PostgreSQL, the same rows kept as a snapshot table. Restricting to
        :attr:`universe` afterwards gives the same rows: the steps work per enterprise."""
        from chainbrain.store import snapshots

        snap = snapshots.snapshot(self.store, step, date, build)
        return build() if snap is None else snap

    def base(self, date: dt.date, scope: str, stats: bool = False):
        """(enterprise_id, region_code, industry_code, section, sei, prefecture_code) in the industry scope;
        with ``stats`` also ``sei_share`` (the class's loaded SEI share as of the date's year,
        :func:`sei_shares`) and ``ppi_ytd`` (its division's PPI through the date's month,
        :func:`price_indexes`), NULL when none is loaded."""
        def build():
            industry, region_t = self.table("industry"), self.table("region")
            ind = industry.filter(industry.section.isin(SCOPES[scope])).select(
                industry_code=industry.code, section=industry.section, sei=industry.sei)
            if stats:      # the classes with their SEI share and division PPI: joined before the enterprises
                sh = sei_shares(self.table, date.year)
                ind = ind.left_join(sh, ind.industry_code == sh._sc).drop("_sc")
                pi = price_indexes(self.table, date.year, date.month)
                ind = ind.left_join(pi, ind.industry_code.substr(0, 2) == pi._dv).drop("_dv")
            m = self.located(date)
            m = m.join(ind, "industry_code")
            return m.join(region_t.select(region_code=region_t.code, prefecture_code=region_t.prefecture_code),
                          "region_code")
        return self.shared(("base", date, scope, stats), build)

    def segments(self, date: dt.date):
        """:func:`_enterprise_segments` on ``date``."""
        return self.shared(("segments", date), lambda: self._in_universe(
            self._snapshot("segments", date, lambda: _enterprise_segments(self.store, date, self.table))))

    def enterprise_chains(self, date: dt.date):
        """(enterprise_id, chain_code) on ``date``: each chain of an enterprise once.

        Same pairs as :func:`_enterprise_segments` ⋈ ``segment_chain``: picking the newest
        revision among the rows valid on the date never removes an (enterprise, segment)
        pair, only duplicates, so the rows valid on the date are used as they are."""
        return self.shared(("chains", date), lambda: self._in_universe(
            self._snapshot("chains", date, lambda: _enterprise_chains(self.table, date))))


def _located(table, date: dt.date):
    """(enterprise_id, region_code, industry_code) valid on ``date``: the newest revision valid on the
    date, per attribute — one hash aggregation (arg_max), the same rows as :func:`latest` + a pivot
    without the window's sort."""
    t = table("enterprise_attr")
    t = _valid_on(t.filter(t.attr.isin(("region_code", "industry_code"))), date)
    w = t.group_by("enterprise_id").aggregate(
        region_code=t.attr_value.argmax(t.revision, where=t.attr == "region_code"),
        industry_code=t.attr_value.argmax(t.revision, where=t.attr == "industry_code"))
    return w.filter(w.region_code.notnull() & w.industry_code.notnull())


def _enterprise_chains(table, date: dt.date):
    es = _valid_on(table("enterprise_segment"), date).select("enterprise_id", "segment_code")
    seg = table("segment")
    es = es.join(seg.select(segment_code=seg.code), "segment_code")
    es = es.join(table("segment_chain"), "segment_code")
    return es.select("enterprise_id", "chain_code").distinct()


def members(store, date: dt.date, scope: str = "all", region: str | None = None, chain: str | None = None,
            by: str = "all", *, segment: str | None = None, cluster: str | None = None,
            sei: bool = False, park: str | None = None, shared: Shared | None = None, stats: bool = False):
    """(enterprise_id, key, sei) of the enterprises in scope on ``date`` (with ``stats``: and ``sei_share``,
    ``ppi_ytd``, see :meth:`Shared.base`).

    Filters: ``region`` (province / prefecture / county code), ``park`` (the
    enterprise's registered park), ``chain``, ``segment`` (a top segment
    includes its sub-segments), ``cluster`` (its members: designated firms, or firms of its segments
    in its listed cities, counties or parks — :mod:`chainbrain.analytics.cluster_members`), ``sei`` (classes
    flagged ``true`` or ``partial`` in the SEI catalogue; the ``sei`` column
    says which, see :mod:`chainbrain.analytics.indicators`).
    ``by``: one of :data:`BY`; an enterprise counts once per key.
    ``shared``: building blocks to reuse across calls of one computation (:class:`Shared`).
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}")
    sh = shared if shared is not None else Shared(store, cte=False)
    m = sh.base(date, scope, stats)
    if sei:
        m = m.filter(m.sei.isin(("true", "partial")))
    if region:
        level = sh.region_level(region)
        if level == "prefecture":
            m = m.filter(m.prefecture_code == region)
        elif level == "county":
            m = m.filter(m.region_code == region)
    if park:
        ent = sh.table("enterprise")
        m = m.join(ent.filter(ent.park_code == park).select(enterprise_id=ent.id), "enterprise_id")
    needs_seg = segment or by == "segment"
    needs_chain = chain or by in ("chain", "city_chain", "county_chain")
    with_cluster = bool(cluster) or by == "cluster"
    if with_cluster:      # membership rule: analytics/cluster_members.py (designated, or segment × place)
        from chainbrain.analytics.cluster_members import cluster_members

        cm = cluster_members(sh, date)
        if cluster:
            cm = cm.filter(cm.cluster_code == cluster)
        m = m.join(cm, "enterprise_id")
    if needs_chain and not needs_seg:
        es = sh.enterprise_chains(date)
        if chain:
            es = es.filter(es.chain_code == chain)
        m = m.join(es, "enterprise_id")
    elif needs_seg:
        es = sh.segments(date)
        if segment:
            es = es.filter((es.segment_code == segment) | (es.top_segment == segment))
        if needs_chain:
            es = es.join(sh.table("segment_chain"), "segment_code")
            if chain:
                es = es.filter(es.chain_code == chain)
        cols = ["enterprise_id"] + (["chain_code"] if needs_chain else []) + \
            (["top_segment"] if by == "segment" else [])
        m = m.join(es.select(*cols).distinct(), "enterprise_id")
    key = {"all": lambda: ibis.literal("all"), "chain": lambda: m.chain_code,
           "city": lambda: m.prefecture_code, "county": lambda: m.region_code,
           "segment": lambda: m.top_segment, "cluster": lambda: m.cluster_code,
           "city_chain": lambda: m.prefecture_code.concat("|", m.chain_code),
           "county_chain": lambda: m.region_code.concat("|", m.chain_code)}[by]()
    extra = {"sei_share": m.sei_share, "ppi_ytd": m.ppi_ytd} if stats else {}
    out = m.select("enterprise_id", key=key, sei=m.sei, **extra)
    # one row per enterprise (× chain, from the distinct enterprise_chains) unless segments or clusters were joined
    return out.distinct() if needs_seg or with_cluster or sh.cte is False else out


def membership(store, date: dt.date, scope: str = "all", region: str | None = None,
               chain: str | None = None, by: str = "all"):
    """(enterprise_id, key) of the enterprises in scope on ``date``.

    ``by``: ``all`` (one group), ``chain`` (an enterprise once per chain),
    ``city`` (prefecture) or ``county`` — and the other groupings of :func:`members`.
    """
    return members(store, date, scope, region, chain, by).select("enterprise_id", "key").distinct()
