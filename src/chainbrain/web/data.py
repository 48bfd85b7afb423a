"""Catalog and store facts the pages need (data access only, no statistics).

Names of chains and regions, the pack's identity, the periods on file and
whether the store holds demo data. Figures (sums, growth, targets) come only
from :mod:`chainbrain.analytics` (DESIGN.md §2: web never computes statistics).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa


def _rows(store, sql: str, **params) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]


def _kept_rows(store, sql: str, **params) -> list[dict]:
    """:func:`_rows`, remembered per data version in the web application
    (:func:`chainbrain.analytics.indicators.remembered`): the catalog look-ups every page makes
    (chains, regions, the pack, whether the data are a demo) were a few store reads per request
    under the load test; each caller gets its own copies of the rows."""
    from chainbrain.analytics.indicators import remembered

    rows = remembered(store, ("web rows", sql, tuple(sorted(params.items()))), lambda: _rows(store, sql, **params))
    return [dict(r) for r in rows]


def chains(store) -> list[dict]:
    """The pack's chains in official order: code, seq, name_zh, name_en, category."""
    return _kept_rows(store, "SELECT code, seq, name_zh, name_en, category FROM chain ORDER BY seq")


def region(store, code: str) -> dict | None:
    """One region row (code, name, level, parent_code, prefecture_code, status) or None."""
    rows = _kept_rows(store, "SELECT code, name, level, parent_code, prefecture_code, status "
                             "FROM region WHERE code = :code", code=code)
    return rows[0] if rows else None


def regions(store, level: str, parent: str | None = None) -> list[dict]:
    """Current regions of one level (optionally under ``parent``), by code."""
    sql = "SELECT code, name, level, parent_code, prefecture_code FROM region " \
          "WHERE level = :level AND status = 'current'"
    if parent:
        sql += " AND parent_code = :parent"
    return _kept_rows(store, sql + " ORDER BY code", level=level, parent=parent)


def province(store) -> dict | None:
    rows = _kept_rows(store, "SELECT code, name FROM region WHERE level = 'province' ORDER BY code")
    return rows[0] if rows else None


def map_url(pack: dict | None, level: str | None) -> str:
    """The pack's boundary file served under /static/maps: counties for ``level`` county, else cities."""
    name = (pack or {}).get("name") or "jiangxi"
    return f"/static/maps/{name}_{'counties' if level == 'county' else 'cities'}.geojson"


def pack_meta(store) -> dict | None:
    """The loaded province pack: name, version, effective_date (ISO), title."""
    rows = _kept_rows(store, "SELECT name, version, effective_date, title FROM pack_meta ORDER BY loaded_at DESC")
    if not rows:
        return None
    r = rows[0]
    if isinstance(r["effective_date"], (dt.date, dt.datetime)):
        r["effective_date"] = r["effective_date"].isoformat()
    return r


def periods(store) -> list[str]:
    """Months with monthly reports on file, newest first, as ``YYYY-MM`` (remembered per data version
    in the web application: :func:`chainbrain.analytics.indicators.remembered`)."""
    from chainbrain.analytics.indicators import remembered

    def read():
        rows = _rows(store, "SELECT DISTINCT year, month FROM monthly_report ORDER BY year DESC, month DESC")
        return [f"{r['year']}-{r['month']:02d}" for r in rows]
    return list(remembered(store, ("periods on file",), read))


def is_demo(store) -> bool:
    """True when the store holds synthetic demo enterprises."""
    return bool(_kept_rows(store, "SELECT COUNT(*) AS n FROM enterprise WHERE is_demo")[0]["n"])
