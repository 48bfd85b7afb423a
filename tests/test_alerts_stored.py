"""The alerts of every period at once (``analytics/alerts_stored.py``), kept by ``chainbrain compute``
and the server's warm-up, read by the pages (issue #20).

The batch's alerts are the live call's, period by period (types included), on the monitoring
dataset (DuckDB and PostgreSQL; three rules fire there) and on the province demo (≈ 1,000 alerts
over 64 periods); kept, a page reads them without computing; a change of the data makes them
stale (never served) and the warm-up keeps them again."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

import handmade
from chainbrain.analytics import alerts as alerts_mod
from chainbrain.analytics import alerts_stored, kpi_stored
from chainbrain.cli import monitor
from chainbrain.store import figures
from chainbrain.web import model
from test_monitor_data import load


@pytest.fixture
def mstore(store_any, tmp_path):
    load(store_any, tmp_path)
    return store_any


def _differences(live: dict[str, list], batch: dict[str, list]) -> list[str]:
    return [label for label in live if not figures.same(live[label], batch.get(label))]


def test_every_period_equals_the_live_alerts_period_by_period(mstore, monkeypatch):
    monkeypatch.setitem(alerts_mod.RULES, "city_share_shrinking", {"pp": 1.0, "min_n": 1})   # fire here
    monkeypatch.setitem(alerts_mod.RULES, "loss_share_rising", {"pp": -100.0, "min_n": 1})
    labels = kpi_stored.periods_on_file(mstore)
    batch = alerts_stored.every_period(mstore)
    assert list(batch) == labels and len(labels) >= 6
    live = {label: alerts_mod.alerts(mstore, label) for label in labels}
    assert _differences(live, batch) == []
    rules = Counter(a["rule"] for rows in batch.values() for a in rows)
    # every rule but below_path compared here (no base-year data: no target path; the province test has it)
    assert set(rules) == set(alerts_mod.RULES) - {"below_path"}, rules
    assert alerts_stored.every_period(mstore, labels[-2:]) == {k: batch[k] for k in labels[-2:]}


@pytest.mark.slow
def test_every_period_equals_the_live_alerts_on_the_province_demo(province):
    labels = kpi_stored.periods_on_file(province)
    batch = alerts_stored.every_period(province)
    assert list(batch) == labels
    rules = Counter(a["rule"] for rows in batch.values() for a in rows)
    assert set(rules) == set(alerts_mod.RULES), rules
    sample = labels[:2] + [x for x in labels if x.endswith("-02")][1:3] + labels[-3:]     # year starts, newest
    live = {label: alerts_mod.alerts(province, label) for label in sample}
    assert sum(map(len, live.values())) > 50
    assert _differences(live, batch) == []
    drops = [[(int(a["subject"]), a["figures"][0]["chain"]) for a in rows if a["rule"] == "chain_master_drop"]
             for rows in batch.values()]
    assert sum(map(len, drops)) > 10 and all(d == sorted(d) for d in drops)    # by enterprise, not row order


@pytest.mark.slow
def test_a_periods_chain_master_alerts_do_not_follow_the_engines_row_order(province, monkeypatch):
    import ibis.expr.types as ir

    from chainbrain.periods import parse_period

    label = max((k for k, rows in alerts_stored.every_period(province).items()
                 if sum(a["rule"] == "chain_master_drop" for a in rows) > 2), default=None)
    assert label is not None
    p = parse_period(label)
    first = alerts_mod.chain_master_drop(province, p)
    real = ir.Table.execute
    monkeypatch.setattr(ir.Table, "execute", lambda self, *a, **k: real(self, *a, **k).iloc[::-1])  # rows reversed
    assert alerts_mod.chain_master_drop(province, p) == first


def test_kept_alerts_are_read_by_the_pages_until_the_data_change(mstore, monkeypatch):
    labels = kpi_stored.periods_on_file(mstore)
    assert alerts_stored.kept_at(mstore) is None
    done = alerts_stored.keep(mstore)
    assert done["computed"] and done["periods"] == len(labels)
    assert alerts_stored.kept_at(mstore)["alerts"] == done["alerts"]
    assert alerts_stored.keep(mstore, force=False)["computed"] is False        # the warm-up: nothing to do
    expected = {label: alerts_mod.alerts(mstore, label) for label in labels}
    handmade.fresh_process(mstore)
    calls = []
    real = alerts_mod.alerts
    monkeypatch.setattr(alerts_mod, "alerts", lambda *a, **k: calls.append(str(getattr(a[1], "label", a[1])))
                        or real(*a, **k))
    for label in labels:
        got = model.period_alerts(mstore, label)
        assert got["alerts_source"] == "computed" and figures.same(got["alerts"], expected[label])
    assert calls == []                                                       # every period read as kept
    with mstore.engine.begin() as c:                                         # a correction
        row = c.execute(sa.text("SELECT enterprise_id, year, month FROM monthly_report "
                                "ORDER BY year DESC, month DESC, enterprise_id LIMIT 1")).one()
        c.execute(sa.text("DELETE FROM monthly_report WHERE enterprise_id = :e AND year = :y AND month = :m"),
                  {"e": row[0], "y": row[1], "m": row[2]})
    handmade.fresh_process(mstore)                                           # a direct write: re-read the key
    assert alerts_stored.kept_at(mstore) is None                             # stale: not served
    model.period_alerts(mstore, labels[-1])
    assert calls == [labels[-1]]                                             # computed on the new data
    assert alerts_stored.keep(mstore, force=False)["computed"] is True       # the warm-up keeps them again


def test_compute_keeps_the_alerts_of_every_period_unless_no_alerts(mstore):
    root = typer.Typer()
    monitor.register(root)
    db = mstore.db
    labels = kpi_stored.periods_on_file(mstore)
    args = ["compute", "--db", db, "--no-disclosure", "--operations", "off", "--no-index"]
    r = CliRunner().invoke(root, args + ["--no-alerts"])
    assert r.exit_code == 0, r.output
    assert "alerts of every period" not in {row["region"] for row in json.loads(r.output)["cockpit"]}
    assert alerts_stored.kept_at(mstore) is None
    r = CliRunner().invoke(root, args)
    assert r.exit_code == 0, r.output
    row = next(x for x in json.loads(r.output)["cockpit"] if x["region"] == "alerts of every period")
    assert row["figures"] == len(labels)
    assert alerts_stored.kept_at(mstore) is not None
    import chainbrain
    from chainbrain.store.patterns import data_key

    first = labels[0]
    assert figures.load(mstore, (chainbrain.__version__, "alerts", first), data_key(mstore)) == \
        json.loads(json.dumps(alerts_mod.alerts(mstore, first)))

