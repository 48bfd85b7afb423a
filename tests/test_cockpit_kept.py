"""The cockpit's figures kept in the store (``web/kept.py``, ``store/figures.py``, table
``cockpit_figure``) and the analytics' statement memo (``indicators.remember_results``), issue #23.

On DuckDB and on a throw-away PostgreSQL: the cockpit an anonymous visitor gets from kept figures
is the live cockpit byte for byte (its JSON, disclosure control included); the cockpit really reads
the kept figures, and stops as soon as the data change. The memo serves a statement run at the same
data version and runs it again once the version moves."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

import handmade
from chainbrain.analytics.indicators import RESULTS, remember_results
from chainbrain.analytics.kpi import kpi, latest_period
from chainbrain.store import figures, open_store
from chainbrain.store.version import existing, version_of
from chainbrain.web import kept, model
from chainbrain.web.policy import cell_rule
from chainbrain.web.schemas import Cockpit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path_factory):
    """The hand-made dataset (tests/handmade.py: figures worked out by hand, cells of one firm)."""
    import handmade

    return handmade.store_url(request, tmp_path_factory, "kept_figures")


@pytest.fixture
def store(db):
    with open_store(db) as s:
        yield s


_fresh = handmade.fresh_process            # what a new process starts with


def _cockpit(store, keep=None) -> str:
    """The anonymous visitor's /api/cockpit JSON (default period, province)."""
    rule = cell_rule(store, None, 3)
    d = model.build(store, None, None, "all", rule, keep=keep)
    mon = model.monitoring(store, None, None, "all", with_alerts=False, keep=keep)
    al = model.period_alerts(store, None, keep=keep is not False)
    mon = model.protect_monitoring(store, {**mon, "alerts": al["alerts"], "alerts_source": al["alerts_source"]},
                                   rule, None, "all")
    return Cockpit.model_validate({**d, "targets": mon["targets"], "projection": mon["projection"],
                                   "alerts": model.alerts_for(store, mon["alerts"], None),
                                   "alerts_source": mon["alerts_source"]}).model_dump_json()


def _rows(store) -> int:
    with store.engine.connect() as c:
        return c.execute(sa.text("SELECT COUNT(*) FROM cockpit_figure")).scalar()


def test_kept_figures_give_the_live_cockpit(store):
    figures.forget(store)
    _fresh(store)
    live = _cockpit(store, keep=False)
    assert _rows(store) == 0                                  # keep=False keeps nothing
    shown = json.loads(live)
    assert any(u["suppressed"] for u in shown["cities"] + shown["chains"])   # disclosure withholds cells
    out = kept.precompute(store, regions=[None])
    assert [r["region"] for r in out] == ["province"]
    assert _rows(store) == 4                                  # KPI record, city and chain tables, monitoring
    _fresh(store)
    assert _cockpit(store) == live


def test_the_cockpit_reads_kept_figures_until_the_data_change(store):
    kept.precompute(store, regions=[None])
    label = latest_period(store)
    _fresh(store)
    key = kept._data_key(store)
    name = (kept.chainbrain.__version__, "kpi", label, None, "all")
    rec = figures.load(store, name, key)
    assert rec is not None and rec["revenue_ytd_yuan"] > 1
    figures.save(store, name, key, {**rec, "revenue_ytd_yuan": 1.0})         # mark the kept figure
    _fresh(store)
    assert model.build(store, None, None, "all", cell_rule(store, None, 3))["kpi"]["revenue_ytd_yuan"] == 1.0
    with store.engine.begin() as c:                                          # a correction: one report less
        row = c.execute(sa.text("SELECT enterprise_id, year, month FROM monthly_report ORDER BY enterprise_id, "
                                "year, month LIMIT 1")).one()
        c.execute(sa.text("DELETE FROM monthly_report WHERE enterprise_id = :e AND year = :y AND month = :m"),
                  {"e": row[0], "y": row[1], "m": row[2]})
    _fresh(store)
    shown = model.build(store, None, None, "all", cell_rule(store, None, 3))["kpi"]["revenue_ytd_yuan"]
    assert shown != 1.0 and shown == kpi(store, label)["revenue_ytd_yuan"]
    assert figures.load(store, name, kept._data_key(store))["revenue_ytd_yuan"] == shown   # kept again


def test_the_alerts_of_a_period_compute_did_not_store_are_kept_until_the_data_change(store, monkeypatch):
    """``compute`` stores the alerts of its period; another period's are computed once per data key
    and kept (the load test computed them again after every import)."""
    import chainbrain.analytics.alerts as alerts_mod

    calls, real = [], alerts_mod.alerts
    monkeypatch.setattr(alerts_mod, "alerts", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    label = latest_period(store)
    _fresh(store)
    first = model.period_alerts(store, label)
    assert first["alerts_source"] == "computed" and len(calls) == 1
    _fresh(store)
    assert model.period_alerts(store, label) == first and len(calls) == 1           # read as kept
    assert model.period_alerts(store, label, keep=False) == first and len(calls) == 1
    with store.engine.begin() as c:                                                  # a correction
        row = c.execute(sa.text("SELECT enterprise_id, year, month FROM monthly_report ORDER BY enterprise_id DESC, "
                                "year, month LIMIT 1")).one()
        c.execute(sa.text("DELETE FROM monthly_report WHERE enterprise_id = :e AND year = :y AND month = :m"),
                  {"e": row[0], "y": row[1], "m": row[2]})
    _fresh(store)
    assert model.period_alerts(store, label)["alerts"] == real(store, label) and len(calls) == 2


def test_only_plain_data_is_kept(store):
    import numpy as np

    assert figures.plain({"a": [1, 2.5, None, "x", True, float("nan")]})
    assert not figures.plain({"a": (1, 2)}) and not figures.plain({"a": np.int64(3)})
    assert not figures.save(store, ("test", "tuple"), "k", {"a": (1, 2)})
    assert figures.load(store, ("test", "tuple"), "k") is None


def test_statement_memo_per_data_version(store):
    _fresh(store)
    label = latest_period(store)
    assert existing(store, RESULTS) is None                   # off unless turned on
    memo = remember_results(store)
    first = kpi(store, label)
    misses = memo.misses
    assert misses > 0 and memo.hits == 0
    assert kpi(store, label) == first                          # every statement from memory
    assert memo.misses == misses and memo.hits == misses
    version_of(store).bump()                                   # the data moved on: run again
    assert kpi(store, label) == first and memo.misses == 2 * misses
    hits = memo.hits
    assert latest_period(store) == label and latest_period(store) == label   # a look-up remembered too
    assert memo.hits == hits + 1


def test_presence_computed_once_per_data_version_each_caller_its_own_copy(store):
    """A chain's segment presence and ranked enterprises are the same for every viewer: computed once
    per data version (``indicators.SHARED``), each caller gets records it may change."""
    from chainbrain.analytics import presence
    from chainbrain.analytics.indicators import SHARED

    _fresh(store)
    label = latest_period(store)
    live = presence.segment_presence(store, "EI", label)          # memo off: computed each time
    ranked = presence.key_enterprises(store, "EI", label)
    assert live and ranked and existing(store, SHARED) is None
    remember_results(store)
    memo = existing(store, SHARED)
    mine = presence.segment_presence(store, "EI", label)
    assert mine == live and (memo.misses, memo.hits) == (1, 0)
    mine[0]["revenue_ytd_yuan"] = None                            # one viewer's suppression, on its copy
    assert presence.segment_presence(store, "EI", label) == live and memo.hits == 1
    assert presence.key_enterprises(store, "EI", label) == ranked and memo.misses == 2
    presence.key_enterprises(store, "EI", label)[0]["revenue_ytd_yuan"] = None
    assert presence.key_enterprises(store, "EI", label) == ranked and memo.hits == 3
    version_of(store).bump()                                      # the data moved on: computed again
    assert presence.segment_presence(store, "EI", label) == live and memo.misses == 3
