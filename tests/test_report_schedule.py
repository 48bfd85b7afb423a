"""Scheduled report sets (migration 0020_report_schedule) on DuckDB and PostgreSQL, and the CLI.

Due rules (:mod:`chainbrain.reports.schedule`) at their boundaries: ``day`` is due on its day of
the month and not the day before, once per calendar month; ``data`` once per period and data
batch (again after a new batch); a failed run is recorded with its error and not retried by itself.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

import web_fixture
from chainbrain.cli import report as report_cli
from chainbrain.reports import schedule
from chainbrain.reports.archive import content, listing
from chainbrain.reports.viewer import ReportError
from chainbrain.store import open_store
from chainbrain.store.schema_reports import report_run

P = "2025-06"


def first_chain(store):
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT code FROM chain ORDER BY seq LIMIT 1")).scalar()


def store_regions(store):
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT code FROM region WHERE level = 'prefecture' AND status = 'current' "
                                    "ORDER BY code")).mappings().all()                    # the hand-made data's newest month


def test_migration_0020_up_down_up(db_any):
    from alembic import command

    from chainbrain.store.migrate import alembic_config, current_revision, upgrade

    cols = sa.text("SELECT table_name, COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                   "AND (table_name IN ('report_schedule', 'report_run') OR (table_name = 'report_file' "
                   "AND column_name = 'run_id')) GROUP BY table_name ORDER BY table_name")
    store = open_store(db_any)
    try:
        upgrade(store, "0019_library")
        with store.engine.connect() as conn:
            assert conn.execute(cols).all() == []
        upgrade(store, "0020_report_schedule")
        assert current_revision(store) == "0020_report_schedule"
        with store.engine.connect() as conn:
            assert [tuple(r) for r in conn.execute(cols)] == [("report_file", 1), ("report_run", 10),
                                                              ("report_schedule", 10)]
        command.downgrade(alembic_config(store), "0019_library")
        with store.engine.connect() as conn:
            assert conn.execute(cols).all() == []
        upgrade(store, "0020_report_schedule")
        assert current_revision(store) == "0020_report_schedule"
    finally:
        store.close()


@pytest.fixture
def hand(db_any):
    web_fixture.build(db_any, tasks=False)
    store = open_store(db_any)
    yield store
    store.close()


def test_schedules_due_run_and_fail(hand):
    store = hand
    # ---- checks: one bilingual error each
    for kw, zh in [({"units": "province,towns"}, "报告范围"), ({"formats": "odt"}, "格式"),
                   ({"trigger": "hourly"}, "触发方式"), ({"trigger": "day", "day_of_month": 29}, "1 至 28"),
                   ({"trigger": "day", "day_of_month": 0}, "1 至 28"), ({"trigger": "day"}, "1 至 28"),
                   ({"day_of_month": 5}, "仅按日"), ({"as_user": "nobody"}, "未知用户")]:
        with pytest.raises(ReportError, match=zh):
            schedule.add(store, "bad", **kw)
    monthly = schedule.add(store, "monthly", units="province", formats="xlsx")
    with pytest.raises(ReportError, match="已存在"):
        schedule.add(store, "monthly")
    day = schedule.add(store, "day10", units="province", formats="xlsx", trigger="day", day_of_month=10,
                       as_user="nc_city")
    assert schedule.add(store, "day28", units="province", formats="xlsx", trigger="day", day_of_month=28)
    with store.engine.connect() as conn:
        batch = conn.execute(sa.text("SELECT MAX(batch_id) FROM monthly_report WHERE year = 2025 AND month = 6")).scalar()
    # ---- due: data at once; day10 on the 10th, not on the 9th; day28 on the 28th (its boundary)
    names = lambda today: [(s["name"], p, b) for s, p, b in schedule.due(store, today)]      # noqa: E731
    assert names(dt.date(2026, 3, 9)) == [("monthly", P, batch)]
    assert names(dt.date(2026, 3, 10)) == [("monthly", P, batch), ("day10", P, batch)]
    assert names(dt.date(2026, 3, 27)) == [("monthly", P, batch), ("day10", P, batch)]
    assert names(dt.date(2026, 3, 28)) == [("monthly", P, batch), ("day10", P, batch), ("day28", P, batch)]
    schedule.remove(store, "day28")
    with pytest.raises(ReportError, match="没有名为"):
        schedule.remove(store, "day28")
    # ---- run what is due on the 10th of this month: the province (1 file) and the cities as nc_city
    today = dt.date.today().replace(day=10)
    done = schedule.run_due(store, today)
    assert [(r["schedule"], r["status"], r["files"]) for r in done] == [("monthly", "done", 1), ("day10", "done", 1)]
    cities = [(None, r["code"]) for r in store_regions(store)]
    assert schedule.units_of(store, {"units": "chains,cities,province"})[:2] == [(None, None), (first_chain(store), None)]
    assert schedule.units_of(store, {"units": "cities"}) == cities and len(cities) > 1
    kept = listing(store, P, run_id=done[0]["id"])
    assert [(k["chain_code"], k["region_code"], k["format"], k["viewer"], k["data_batch_id"]) for k in kept] == \
        [(None, None, "xlsx", "operator", batch)]
    assert content(store, kept[0]["id"])[:2] == b"PK"
    assert {k["viewer"] for k in listing(store, P, run_id=done[1]["id"])} == {"nc_city"}
    # nothing due any more this month; data is due again after a new data batch of the period
    assert schedule.due(store, today) == []
    with store.begin() as conn:
        conn.execute(report_run.update().where(report_run.c.id == done[0]["id"]).values(data_batch_id=batch - 1))
    assert names(today) == [("monthly", P, batch)]
    # ---- a failed run is recorded with its error and not retried by itself
    with store.begin() as conn:
        conn.execute(report_run.delete())
        conn.execute(sa.text("UPDATE user_account SET disabled = TRUE WHERE username = 'nc_city'"))
    failed = schedule.run_due(store, today)
    assert [(r["schedule"], r["status"]) for r in failed] == [("monthly", "done"), ("day10", "failed")]
    assert "已停用" in failed[1]["error"]
    assert schedule.due(store, today) == []
    last = schedule.runs(store)
    assert (last[0]["name"], last[0]["status"], last[0]["files"]) == ("day10", "failed", 0)
    assert last[0]["finished_at"] is not None and "已停用" in last[0]["error"]
    assert schedule.run_due(store, force="day10")[0]["status"] == "failed"
    assert day and monthly


def test_schedule_cli(tmp_path):
    db = web_fixture.build(tmp_path / "cli.duckdb", tasks=False)
    root = typer.Typer()
    root.add_typer(report_cli.app, name="report")
    run = lambda *a: CliRunner().invoke(root, ["report", "schedule", *a])            # noqa: E731
    r = run("add", "prov", "--db", db, "--units", "province", "--formats", "xlsx")
    assert r.exit_code == 0 and "schedule #1 prov" in r.output, r.output
    bad = run("add", "x", "--db", db, "--trigger", "day", "--day", "31")
    assert bad.exit_code == 2 and "1 至 28" in bad.output
    r = run("list", "--db", db, "-f", "csv")
    assert r.output.splitlines()[1] == "1,prov,province,xlsx,data,,,True"
    r = run("run", "--db", db)
    assert r.exit_code == 0 and f"prov {P}: done, 1 files" in r.output, r.output
    assert "nothing due" in run("run", "--db", db).output
    r = run("run", "--db", db, "--force", "prov")
    assert r.exit_code == 0 and "done, 1 files" in r.output
    r = run("list", "--db", db, "--runs", "-f", "csv")
    assert [ln.split(",")[2] for ln in r.output.splitlines()[1:]] == ["manual", "data"]
    assert run("run", "--db", db, "--force", "nope").exit_code == 2
    assert run("remove", "prov", "--db", db).exit_code == 0
    with open_store(db) as store:
        assert len(listing(store, P)) == 2


def test_the_server_runs_due_schedules_in_the_background(tmp_path):
    """The web server's schedule thread (its own connection, not the analytics lock) runs what is due."""
    import threading
    import time

    from chainbrain.web import create_app
    from chainbrain.web.report_jobs import start_scheduler

    db = web_fixture.build(tmp_path / "bg.duckdb", tasks=False)
    app = create_app(db)
    st = app.state.web
    schedule.add(st.store, "bg", units="province", formats="xlsx")
    stop = threading.Event()
    with st.lock:                                  # held by "another request" the whole time
        thread = start_scheduler(st, stop, every=0.2)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 120 and not [r for r in schedule.runs(st.store) if r["status"] != "running"]:
            time.sleep(0.2)
    stop.set()
    thread.join(10)
    runs = schedule.runs(st.store)
    assert [(r["name"], r["trigger"], r["status"], r["files"]) for r in runs] == [("bg", "data", "done", 1)]
    assert not thread.is_alive()
    st.store.close()
