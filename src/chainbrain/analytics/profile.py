"""One enterprise's profile (企业画像): indicator history, segments with evidence, partners, designations.

Indicator history (monthly reports, latest revision per year × month):

- ``revenue_ytd`` as reported (1–N 月累计) and the reported 上年同期
  ``revenue_ytd_prev``;
- ``revenue_month`` by differencing (DESIGN.md §4): YTD(N) − YTD(N−1) of the
  same year, YTD itself for the first report of a year when it is month 2
  (January is published with February); None when the previous month is missing;
- ``yoy`` = revenue_ytd / prior − 1 with prior = the report's 上年同期, else
  the enterprise's own report a year earlier (the comparable-basis rule of
  :mod:`chainbrain.analytics.kpi`, for one enterprise).

Annual figures come from ``annual_report`` (latest revision per year).
Supply partners are ``supply_link`` rows (latest revision per supplier ×
buyer × year) where the enterprise is supplier or buyer. Results are
enterprise-level and confidential: callers check the viewer's scope first.

Each reader is one parameterised SQL query (the same text on DuckDB and
PostgreSQL) that fetches only the enterprise's rows, every revision; the
latest revision per key (the rule of :func:`chainbrain.analytics.scope.latest`)
and the ordering are then taken in Python, so neither depends on the engine's
optimiser, collation or NULL ordering. (A ``ROW_NUMBER()`` window over the
filtered rows is rewritten by DuckDB 1.5 into a semi-join that rescans the
whole table: ~70 ms instead of ~1 ms for an enterprise with 64 reports.)
Readers take a store or an open SQLAlchemy connection (one connection for a
whole profile: :func:`chainbrain.web.pages.enterprise_page`). Money comes
back as float yuan, dates as ISO strings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from chainbrain.analytics.scope import latest

MONTHLY = ("revenue_ytd", "revenue_ytd_prev", "profit_ytd", "value_added_ytd", "export_ytd", "employees")


def _latest(rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
    """The row of highest ``revision`` per ``keys`` (without the ``revision`` field)."""
    best: dict = {}
    for r in rows:
        k = tuple(r[c] for c in keys)
        if k not in best or r["revision"] > best[k]["revision"]:
            best[k] = r
    return [{c: v for c, v in r.items() if c != "revision"} for r in best.values()]


@contextlib.contextmanager
def _connection(src):
    if isinstance(src, sa.Connection):
        yield src
    else:
        with src.engine.connect() as conn:
            yield conn


def _plain(v):
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


def _query(src, sql: str, **params) -> list[dict]:
    with _connection(src) as conn:
        result = conn.execute(sa.text(sql), params)
        return [{k: _plain(v) for k, v in zip(result.keys(), r)} for r in result.all()]


def _last(*keys):
    """Sort key with None after every value (pandas' ``na_position="last"``)."""
    return tuple((k is None, k) for k in keys)


def monthly_history(store, enterprise_id: int) -> list[dict]:
    """Monthly reports of one enterprise, oldest first, with derived ``revenue_month`` and ``yoy``."""
    rows = _latest(_query(store, f"SELECT year, month, {', '.join(MONTHLY)}, revision FROM monthly_report "
                                 "WHERE enterprise_id = :e", e=int(enterprise_id)), ("year", "month"))
    rows.sort(key=lambda r: (r["year"], r["month"]))
    ytd = {(r["year"], r["month"]): r["revenue_ytd"] for r in rows}
    for r in rows:
        y, m, v = r["year"], r["month"], r["revenue_ytd"]
        before = ytd.get((y, m - 1))
        r["revenue_month"] = (v - before) if before is not None else (v if m <= 2 else None)
        prior = r["revenue_ytd_prev"] if r["revenue_ytd_prev"] is not None else ytd.get((y - 1, m))
        r["prior_ytd"] = prior
        r["yoy"] = (v / prior - 1) if prior else None
        r["period"] = f"{y}-{m:02d}"
    return rows


def annual_history(store, enterprise_id: int) -> list[dict]:
    """Annual reports of one enterprise (latest revision per year), oldest first."""
    rows = _latest(_query(store, "SELECT year, revenue, profit, value_added, rd_expense, employees, revision "
                                 "FROM annual_report WHERE enterprise_id = :e", e=int(enterprise_id)), ("year",))
    return sorted(rows, key=lambda r: r["year"])


def segments(store, enterprise_id: int) -> list[dict]:
    """Segment mappings (latest revision per segment × valid_from) with segment names, chains and the
    mapping evidence; primary chains first, then by chain and segment code."""
    rows = _latest(_query(store, (
        "SELECT es.segment_code, s.name_zh AS segment_zh, s.name_en AS segment_en, s.stage, sc.chain_code, "
        "c.name_zh AS chain_zh, c.name_en AS chain_en, sc.is_primary, es.method, es.confidence, "
        "es.revenue_share, es.evidence, es.valid_from, es.valid_to, es.revision FROM enterprise_segment es "
        "JOIN segment s ON s.code = es.segment_code JOIN segment_chain sc ON sc.segment_code = es.segment_code "
        "JOIN chain c ON c.code = sc.chain_code WHERE es.enterprise_id = :e"), e=int(enterprise_id)),
        ("segment_code", "valid_from", "chain_code"))      # the chains of a segment are the same in every revision
    return sorted(rows, key=lambda r: (not r["is_primary"], *_last(r["chain_code"], r["segment_code"],
                                                                   r["valid_from"])))


def designations(store, enterprise_id: int) -> list[dict]:
    """Designations (chain master, 专精特新 …; latest revision), by start date and kind."""
    rows = _latest(_query(store, "SELECT kind, level, chain_code, valid_from, valid_to, revision FROM designation "
                                 "WHERE enterprise_id = :e", e=int(enterprise_id)), ("kind", "level", "valid_from"))
    return sorted(rows, key=lambda r: _last(r["valid_from"], r["kind"], r["level"], r["chain_code"]))


def scale_history(store, enterprise_id: int) -> list[dict]:
    """Above-scale status per year (规上 / 规下)."""
    rows = _latest(_query(store, "SELECT year, above_scale, revision FROM enterprise_scale WHERE enterprise_id = :e",
                          e=int(enterprise_id)), ("year",))
    return sorted(rows, key=lambda r: r["year"])


def partners(store, enterprise_id: int) -> list[dict]:
    """Suppliers and buyers: partner id, direction, year, amount (yuan); newest year first, then largest
    (ties: by direction and partner id)."""
    e = int(enterprise_id)
    cols = "supplier_id, buyer_id, year, amount, revision"
    rows = _latest(_query(store, f"SELECT {cols} FROM supply_link WHERE supplier_id = :e UNION ALL "
                                 f"SELECT {cols} FROM supply_link WHERE buyer_id = :e AND supplier_id <> :e", e=e),
                   ("supplier_id", "buyer_id", "year"))
    out = [{"partner_id": r["buyer_id"] if r["supplier_id"] == e else r["supplier_id"],
            "direction": "buyer" if r["supplier_id"] == e else "supplier",      # what the partner is
            "year": r["year"], "amount": r["amount"]} for r in rows]
    return sorted(out, key=lambda r: (-r["year"], -r["amount"], r["direction"], r["partner_id"]))


def revenue_for(store, enterprise_ids, period) -> dict[int, float]:
    """Each listed enterprise's reported revenue YTD for ``period`` (latest revision), by id."""
    from chainbrain.analytics.periods import parse_period

    p = parse_period(period) if isinstance(period, str) else period
    ids = [int(i) for i in enterprise_ids]
    if not ids:
        return {}
    t = store.table("monthly_report")
    t = t.filter((t.year == p.year) & (t.month == p.month) & t.enterprise_id.isin(ids))
    t = latest(t, ["enterprise_id", "year", "month"])
    df = t.select("enterprise_id", rev=t.revenue_ytd.cast("float64")).execute()
    return {int(i): float(v) for i, v in zip(df.enterprise_id, df.rev)}
