"""Every period at once (analytics.panel) gives the per-period figures of ``evaluate_many``, on every engine.

Data: the hand-made monitoring dataset (``test_monitor_data.py``: scale-ups,
exits, chain double membership, SEI classes, section D) and, on DuckDB and
PostgreSQL, the same data with a region move and a segment change inside the
reporting months, so the period-end membership differs between periods.
"""

from __future__ import annotations

import math

import pytest
import sqlalchemy as sa

from chainbrain.analytics.aggregates import available_periods
from chainbrain.analytics.indicators import evaluate_many, long_form
from chainbrain.analytics.panel import evaluate_periods, long_values
from test_engines_indicators import mstore  # noqa: F401  (the dataset on every engine)
from test_monitor_data import U, WAN, load, spark  # noqa: F401

BYS = ("all", "chain", "city", "county", "city_chain", "county_chain")


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def assert_same_as_per_period(store, periods, scope="all"):
    panel = evaluate_periods(store, periods, BYS, scope=scope)
    checked = 0
    for p in periods:
        want = evaluate_many(store, p, BYS, scope=scope)
        for by in BYS:
            got = panel[p][by]
            assert [r["key"] for r in got] == [r["key"] for r in want[by]], (p, by)
            for g, w in zip(got, want[by]):
                bad = {k: (g.get(k), w[k]) for k in w if not same(g.get(k), w[k])}
                assert not bad, (p, by, w["key"], bad)
                checked += 1
    return checked


def test_panel_equals_per_period_on_every_engine(mstore):
    periods = available_periods(mstore)
    assert periods == ["2024-02", "2024-05", "2024-06", "2025-02", "2025-05", "2025-06"]
    assert assert_same_as_per_period(mstore, periods) > 40
    panel = evaluate_periods(mstore, ["2025-06"], ["all"])["2025-06"]["all"][0]
    assert panel["revenue"] == pytest.approx(1340 * WAN) and panel["exits"] == 1 and panel["scale_ups"] == 3


def test_long_values_equal_long_form(mstore):
    got = long_values(mstore, ["2025-06", "2025-05"], ("all", "chain", "city_chain"))
    want = long_form([r for p in ("2025-06", "2025-05")
                      for rs in evaluate_many(mstore, p, ("all", "chain", "city_chain")).values() for r in rs])
    key = ["period", "by", "key", "indicator"]
    got = got.astype({k: str for k in key})            # long_values' labels are categoricals
    want = want.astype({k: str for k in key})
    got, want = got.sort_values(key, ignore_index=True), want.sort_values(key, ignore_index=True)
    assert got[key].equals(want[key]) and (got["n"].to_numpy() == want["n"].to_numpy()).all()
    assert all(same(None if a != a else a, None if b != b else b) for a, b in zip(got["value"], want["value"]))


def test_panel_follows_moves_within_the_year(store_any, tmp_path):
    """B moves from 南昌 360102 to 九江 360402 on 2025-04-01; A leaves chain EI on 2025-05-15 (valid_to: the
    last day, inclusive)."""
    load(store_any, tmp_path)
    with store_any.begin() as c:
        ids = dict(c.execute(sa.text("SELECT uscc, id FROM enterprise")).fetchall())
        b, a = ids[U["B"]], ids[U["A"]]
        c.execute(sa.text("UPDATE enterprise_attr SET valid_to = DATE '2025-03-31' "
                          "WHERE enterprise_id = :b AND attr = 'region_code'"), {"b": b})
        c.execute(sa.text("INSERT INTO enterprise_attr (enterprise_id, attr, attr_value, valid_from, valid_to, "
                          "batch_id, revision) SELECT enterprise_id, attr, '360402', DATE '2025-04-01', NULL, "
                          "batch_id, revision + 1 FROM enterprise_attr WHERE enterprise_id = :b "
                          "AND attr = 'region_code'"), {"b": b})
        c.execute(sa.text("UPDATE enterprise_segment SET valid_to = DATE '2025-05-14' WHERE enterprise_id = :a "
                          "AND segment_code IN (SELECT segment_code FROM segment_chain WHERE chain_code = 'EI')"),
                  {"a": a})
    periods = available_periods(store_any)
    assert assert_same_as_per_period(store_any, periods) > 40
    assert assert_same_as_per_period(store_any, periods, scope="manufacturing") > 40
    by_city = {r["key"]: r for r in evaluate_periods(store_any, ["2025-02", "2025-06"], ["city"])["2025-06"]["city"]}
    assert by_city["360400"]["revenue"] == pytest.approx((250 + 520) * WAN)       # C and, since April, B
    feb = evaluate_periods(store_any, ["2025-02"], ["chain"])["2025-02"]["chain"]
    jun = evaluate_periods(store_any, ["2025-06"], ["chain"])["2025-06"]["chain"]
    ei = {p: next(r for r in rows if r["key"] == "EI") for p, rows in (("feb", feb), ("jun", jun))}
    assert ei["feb"]["above_scale_count"] == 2 and ei["jun"]["above_scale_count"] == 1    # A left EI in May


def test_year_by_year_chunks_give_the_same_figures(mstore, monkeypatch):
    from chainbrain.analytics import panel

    periods = available_periods(mstore)
    whole = evaluate_periods(mstore, periods, BYS)
    monkeypatch.setattr(panel, "CHUNK_ROWS", 0)                 # every store counts as large
    seen = []
    chunked = panel.long_values(mstore, periods, BYS, progress=lambda i, n: seen.append((i, n)))
    assert seen == [(1, 2), (2, 2)]                             # 2024 and 2025
    assert evaluate_periods(mstore, periods, BYS) == whole
    assert len(chunked) == len(long_values(mstore, periods, BYS))
