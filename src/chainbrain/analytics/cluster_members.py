"""Cluster membership on a date: (enterprise_id, cluster_code).

Rule (#17, docs/clusters.md): an enterprise belongs to a cluster on a date when

1. it is a designated member (``cluster_member`` valid on the date: valid_from ≤ date ≤ valid_to,
   NULL meaning open) — whatever its segment or place; or
2. one of its segments valid on the date (its top segment) is a segment of the cluster
   (``cluster_segment``) **and** it is located in one of the cluster's listed places: a city of
   ``cluster_city`` (its prefecture, host or support alike), a county of ``cluster_place`` (its
   county) or a park of ``cluster_place`` (its registered park, ``enterprise.park_code``).

Before #17 a firm in a cluster segment anywhere in the province counted. One query on any
engine (Ibis); the places are joined by three equality joins (a union), not by an OR condition.
"""

from __future__ import annotations

import datetime as dt

import ibis


def _valid(t, date: dt.date):
    d = ibis.literal(date)
    return t.filter((t.valid_from.isnull() | (t.valid_from <= d)) & (t.valid_to.isnull() | (t.valid_to >= d)))


def cluster_members(sh, date: dt.date):
    """(enterprise_id, cluster_code) on ``date``, distinct. ``sh``: a :class:`~chainbrain.analytics.scope.Shared`."""
    def build():
        es = sh.segments(date)
        cs = sh.table("cluster_segment")
        seg = es.join(cs, es.top_segment == cs.segment_code).select(es.enterprise_id, cs.cluster_code)
        loc = sh.located(date)
        reg, ent = sh.table("region"), sh.table("enterprise")
        loc = loc.join(reg.select(region_code=reg.code, prefecture_code=reg.prefecture_code), "region_code")
        loc = loc.left_join(ent.select(enterprise_id=ent.id, park_code=ent.park_code),
                            loc.enterprise_id == ent.id).select(
            "enterprise_id", "region_code", "prefecture_code", "park_code")
        cand = seg.join(loc, "enterprise_id")
        city, place = sh.table("cluster_city"), sh.table("cluster_place")
        by_city = cand.join(city, (cand.cluster_code == city.cluster_code)
                            & (cand.prefecture_code == city.city_code)).select(cand.enterprise_id, cand.cluster_code)
        counties = place.filter(place.kind == "county")
        by_county = cand.join(counties, (cand.cluster_code == counties.cluster_code)
                              & (cand.region_code == counties.code)).select(cand.enterprise_id, cand.cluster_code)
        parks = place.filter(place.kind == "park")
        by_park = cand.join(parks, (cand.cluster_code == parks.cluster_code)
                            & (cand.park_code == parks.code)).select(cand.enterprise_id, cand.cluster_code)
        cm = _valid(sh.table("cluster_member"), date).select("enterprise_id", "cluster_code")
        parts = [t.select(enterprise_id=t.enterprise_id.cast("int64"), cluster_code=t.cluster_code.cast("string"))
                 for t in (by_city, by_county, by_park, cm)]       # one schema (nullability) for the union
        return ibis.union(*parts, distinct=True)
    return sh.shared(("cluster_members", date), build)
