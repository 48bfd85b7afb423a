"""Re-keying the stored KPI figures after an import (``analytics/kpi_rekey.py``, issue #20).

On the hand-made dataset (periods 2022-06, 2024-06, 2025-06; the growth target's base year 2022,
so 2022-06 is the base period of the other two), on DuckDB and PostgreSQL, after a full keep:

1. a write that changes no KPI input (a new enterprise without reports, in its own batch): the
   data key changes, nothing is served until the re-key, then every period is carried — and the
   kept figures equal a full recompute name for name;
2. a new revision of E3's 2025-06 report (200 → 210 亿元): only 2025-06 is recomputed, the two
   other periods are carried, the kept figures equal a full recompute, the province's 2025-06
   revenue moved by 10 亿元, and an anonymous viewer's cockpit (disclosure applied) equals the live one;
3. a carried period's figure missing at the old key: that period is recomputed, not half-carried.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

import handmade
from chainbrain.analytics import kpi_rekey, kpi_stored
from chainbrain.store import figures, open_store
from chainbrain.store.patterns import data_key
from chainbrain.web import kept, model
from chainbrain.web.policy import cell_rule

VERSION = kept.chainbrain.__version__


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path_factory):
    with open_store(handmade.store_url(request, tmp_path_factory, "kpi_rekey")) as s:
        yield s


def _kept_equal_full(store) -> int:
    """Every figure a full pass computes now is kept at the current data key, equal (as JSON keeps it)."""
    key = data_key(store)
    want = kpi_stored.figures(store)
    for name, value in want.items():
        got = figures.load(store, (VERSION,) + name, key)
        assert got is not None, name
        assert figures.same(got, json.loads(json.dumps(value))), name
    return len(want)


def _batch(conn, i: int) -> None:
    conn.execute(sa.text("INSERT INTO import_batch (id, kind, source, created_at, row_count, status) "
                         "VALUES (:i, 'fixture', 'test_kpi_rekey', :t, 1, 'loaded')"),
                 {"i": i, "t": dt.datetime(2025, 7, 20)})


def _cockpit(store, period, region) -> str:
    handmade.fresh_process(store)
    return json.dumps(model.build(store, period, region, "all", cell_rule(store, None, 3), keep=False),
                      sort_keys=True, default=str)


def test_rekey_recomputes_only_changed_periods_and_equals_a_full_recompute(store):
    kpi_stored.keep(store, monitoring=False)                         # full pass: figures + input digests
    before = figures.load(store, (VERSION, "kpi", "2025-06", None, "all"), data_key(store))
    assert before["above_scale_count"] == 5

    # 1. a new enterprise without reports: the key changes, no KPI input does
    with store.engine.begin() as c:
        _batch(c, 2)
        c.execute(sa.text("INSERT INTO enterprise (id, name, province_code, region_code, industry_code, "
                          "is_industrial, is_demo, batch_id, revision) VALUES (7, '手工样例无报表公司', "
                          "'360000', '360402', '3211', TRUE, FALSE, 2, 1)"))
        c.execute(sa.text("INSERT INTO enterprise_attr (enterprise_id, attr, attr_value, batch_id, revision) "
                          "VALUES (7, 'region_code', '360402', 2, 1), (7, 'industry_code', '3211', 2, 1)"))
    handmade.fresh_process(store)
    assert kpi_stored.kept_at(store) is None                           # stale: nothing served …
    assert figures.load(store, (VERSION, "kpi", "2025-06", None, "all"), data_key(store)) is None
    done = kpi_stored.keep(store, force=False, monitoring=False)     # the warm-up's call
    assert (done["carried"], done["recomputed"]) == (3, 0)
    assert _kept_equal_full(store) == done["figures"]

    # 2. a new revision of one 2025-06 report
    with store.engine.begin() as c:
        _batch(c, 3)
        c.execute(sa.text("INSERT INTO monthly_report (enterprise_id, year, month, revenue_ytd, revenue_ytd_prev, "
                          "batch_id, revision) VALUES (3, 2025, 6, :r, :p, 3, 2)"),
                  {"r": 210 * handmade.YI, "p": 180 * handmade.YI})
    handmade.fresh_process(store)
    assert figures.load(store, (VERSION, "kpi", "2025-06", None, "all"), data_key(store)) is None
    done = kpi_rekey.keep(store)
    assert (done["carried"], done["recomputed"]) == (2, 1)
    assert _kept_equal_full(store) == done["figures"]
    after = figures.load(store, (VERSION, "kpi", "2025-06", None, "all"), data_key(store))
    assert after["revenue_ytd_yuan"] == before["revenue_ytd_yuan"] + 10 * handmade.YI
    live = {pair: _cockpit(store, *pair) for pair in (("2025-06", "360402"), ("2024-06", None))}
    figures_kept = kpi_stored.kept_at(store)
    assert figures_kept is not None                                   # … and the cockpit reads the kept ones
    for pair, want in live.items():
        handmade.fresh_process(store)
        assert json.dumps(model.build(store, *pair, "all", cell_rule(store, None, 3), keep=True),
                          sort_keys=True, default=str) == want    # the same cells suppressed

    # 3. a figure of a would-be carried period missing at the old key: that period is recomputed
    with store.engine.begin() as c:
        c.execute(sa.delete(figures.T).where(figures.T.c.name == figures._name(
            (VERSION, "kpi_table", "2024-06", "chain", None, "all", None))))
        _batch(c, 4)
    handmade.fresh_process(store)
    done = kpi_rekey.keep(store)
    assert (done["carried"], done["recomputed"]) == (2, 1)
    assert _kept_equal_full(store) == done["figures"]
