"""Firm-level inputs of the cluster pages: who is in which cluster and what they reported in a year.

A year's figures are the monthly reports (``monthly_report``, newest revision) of the latest month
reported in that year — December's year-to-date when the year is complete (``period`` says which
month; ``partial_year`` when it is not December). Membership is taken on that month's last day
(:mod:`chainbrain.analytics.cluster_members`); scope ``all`` (above-scale industry B, C, D).

- :func:`cluster_frame`: (cluster_code, enterprise_id, revenue, revenue_prev, rd, employees) of the
  members with a report, plus every member's designations valid on the date;
- :func:`category_frame`: the star rule's input — per cluster *category* (the firms of the
  cluster's segments anywhere: stars compare locations, so no place filter) and per city;
- energy (``annual_report`` of the year) and purchases (``supply_link`` of the year) per member.

The frames are fetched with Ibis (the same rows on every engine) and summed in pandas.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from chainbrain.analytics.scope import Shared, latest_reports, members


@dataclass(frozen=True)
class Year:
    year: int
    month: int | None            # latest month reported in the year; None: no reports

    @property
    def date(self) -> dt.date:
        m = self.month or 12
        return dt.date(self.year, m, calendar.monthrange(self.year, m)[1])

    @property
    def period(self) -> str | None:
        return None if self.month is None else f"{self.year}-{self.month:02d}"

    @property
    def partial(self) -> bool:
        return self.month is not None and self.month != 12


def year_of(store, year: int) -> Year:
    with store.engine.connect() as conn:
        m = conn.execute(sa.text("SELECT MAX(month) FROM monthly_report WHERE year = :y"), {"y": int(year)}).scalar()
    return Year(int(year), None if m is None else int(m))


def latest_year(store) -> int | None:
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT MAX(year) FROM monthly_report")).scalar()


def clusters(store) -> list[dict]:
    """The pack's clusters with programme, year named, segments and places, in pack order."""
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.text(
            "SELECT c.code, c.seq, c.name_zh, c.name_en, c.source, i.program, i.designated_year "
            "FROM cluster c LEFT JOIN cluster_info i ON i.cluster_code = c.code ORDER BY c.seq"))]
        segs = conn.execute(sa.text("SELECT cluster_code, segment_code FROM cluster_segment ORDER BY segment_code")).all()
        cities = conn.execute(sa.text(
            "SELECT cc.cluster_code, cc.city_code, cc.role, r.name FROM cluster_city cc "
            "LEFT JOIN region r ON r.code = cc.city_code ORDER BY cc.role, cc.city_code")).all()
        places = conn.execute(sa.text(
            "SELECT p.cluster_code, p.kind, p.code, COALESCE(r.name, k.name) AS name, "
            "COALESCE(r.prefecture_code, r2.prefecture_code) AS city FROM cluster_place p "
            "LEFT JOIN region r ON p.kind = 'county' AND r.code = p.code "
            "LEFT JOIN park k ON p.kind = 'park' AND k.code = p.code "
            "LEFT JOIN region r2 ON r2.code = k.region_code ORDER BY p.kind, p.code")).all()
        designated = dict(conn.execute(sa.text(
            "SELECT cluster_code, COUNT(*) FROM cluster_member GROUP BY cluster_code")).all())
    for c in rows:
        c["program"] = c["program"] or "1269"
        c["segments"] = [s for k, s in segs if k == c["code"]]
        c["cities"] = [{"code": x, "role": role, "name": nm} for k, x, role, nm in cities if k == c["code"]]
        c["places"] = [{"kind": kind, "code": x, "name": nm, "city": city}
                       for k, kind, x, nm, city in places if k == c["code"]]
        c["designated_members"] = int(designated.get(c["code"], 0))
    return rows


def _reports(sh, y: Year):
    t = sh.table("monthly_report")
    t = latest_reports(t.filter((t.year == y.year) & (t.month == y.month)), ["enterprise_id", "year", "month"])
    return t.select("enterprise_id", revenue=t.revenue_ytd, revenue_prev=t.revenue_ytd_prev,
                    rd=t.rd_expense_ytd, employees=t.employees)


def _num(df: pd.DataFrame) -> pd.DataFrame:
    for c in ("revenue", "revenue_prev", "rd", "employees", "energy", "value_added", "amount"):
        if c in df:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    return df


def cluster_frame(store, y: Year) -> dict:
    """{members: (cluster_code, enterprise_id), reports: members ⋈ reports, designations: (cluster_code,
    enterprise_id, kind), energy: (cluster_code, enterprise_id, energy, value_added), purchases:
    (cluster_code, buyer_id, amount, local)} — pandas frames."""
    sh = Shared(store, cte=False)
    m = members(store, y.date, "all", by="cluster", shared=sh).select("enterprise_id", cluster_code="key")
    out = {"members": m.execute()}
    if y.month is None:
        empty = pd.DataFrame(columns=["cluster_code", "enterprise_id", "revenue", "revenue_prev", "rd", "employees"])
        out["reports"] = empty
    else:
        out["reports"] = _num(m.join(_reports(sh, y), "enterprise_id").execute())
    d = sh.table("designation")
    day = __import__("ibis").literal(y.date)
    d = d.filter((d.valid_from <= day) & (d.valid_to.isnull() | (d.valid_to >= day)))
    out["designations"] = m.join(d.select("enterprise_id", "kind"), "enterprise_id").distinct().execute()
    a = sh.table("annual_report")
    a = latest_reports(a.filter(a.year == y.year), ["enterprise_id", "year"])
    a = a.select("enterprise_id", energy=a.energy_tce, value_added=a.value_added)
    out["energy"] = _num(m.join(a, "enterprise_id").execute())
    s = sh.table("supply_link")
    s = latest_reports(s.filter(s.year == y.year), ["supplier_id", "buyer_id", "year"])
    ent, meta = sh.table("enterprise"), sh.table("pack_meta")
    sup = ent.select(supplier_id=ent.id, sup_province=ent.province_code)
    s = s.join(sup, "supplier_id").cross_join(meta.select(home=meta.province_code))
    s = s.select(enterprise_id=s.buyer_id, amount=s.amount, local=s.sup_province == s.home)
    out["purchases"] = _num(m.join(s, "enterprise_id").execute())
    return out


def category_frame(store, y: Year) -> dict:
    """{cells: (cluster_code, city, enterprise_id, revenue, employees) of the firms of each cluster's
    segments anywhere, totals: (city, enterprise_id, revenue, employees) of every firm in scope}."""
    if y.month is None:
        cols = ["city", "enterprise_id", "revenue", "employees"]
        return {"cells": pd.DataFrame(columns=["cluster_code", *cols]), "totals": pd.DataFrame(columns=cols)}
    sh = Shared(store, cte=False)
    base = sh.base(y.date, "all").select("enterprise_id", city="prefecture_code")
    firms = base.join(_reports(sh, y).select("enterprise_id", "revenue", "employees"), "enterprise_id")
    es, cs = sh.segments(y.date), sh.table("cluster_segment")
    cat = es.join(cs, es.top_segment == cs.segment_code).select(es.enterprise_id, cs.cluster_code).distinct()
    cells = cat.join(firms, "enterprise_id")
    return {"cells": _num(cells.execute()), "totals": _num(firms.execute())}
