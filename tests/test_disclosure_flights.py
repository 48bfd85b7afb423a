"""A family's joint universe and a scope's patterns are built once however many callers ask at once
(``web.disclosure.one_at_a_time``), and ``chainbrain compute`` keeps the patterns of the enterprise
accounts most recently signed in (``web.disclosure.scopes``) — the load test's log showed two
requests solving the same enterprise scope's family at once, 50–115 s each (#20)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import sqlalchemy as sa

from chainbrain.analytics import suppression_periods
from chainbrain.analytics.kpi import latest_period
from chainbrain.store import open_store
from chainbrain.web import disclosure
from chainbrain.web.policy import cell_rule, disclosure_key
from chainbrain.web.users import add_user, set_disabled

pytestmark = pytest.mark.slow

PASSWORD = "a long enough passphrase 42"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    from chainbrain.demo import build_demo
    from chainbrain.web.demo_users import create_demo_users

    path = str(tmp_path_factory.mktemp("flights") / "tiny.duckdb")
    with open_store(path) as store:
        build_demo(store, scale="tiny", seed=2023)
        create_demo_users(store)
    return path


def _signed_in(store, username: str, at: dt.datetime, ok: bool = True) -> None:
    """A sign-in as ``web.throttle`` records it."""
    from chainbrain.store.schema_users import login_attempt

    with store.begin() as conn:
        conn.execute(login_attempt.insert().values(id=store.next_id(conn, "login_attempt"), username=username,
                                                   client="127.0.0.1", attempted_at=at, ok=ok))


def test_compute_keeps_the_enterprise_accounts_most_recently_signed_in(db, monkeypatch):
    with open_store(db) as store:
        with store.engine.connect() as c:
            demo = c.execute(sa.text("SELECT uscc FROM user_account WHERE role = 'enterprise'")).scalar()
            usccs = [r[0] for r in c.execute(sa.text(
                "SELECT uscc FROM enterprise WHERE uscc IS NOT NULL AND uscc <> :d ORDER BY id LIMIT 4"), {"d": demo})]
        users = [add_user(store, f"firm{i}", PASSWORD, "enterprise", uscc=u) for i, u in enumerate(usccs)]
        t = dt.datetime(2026, 12, 1, 9)
        _signed_in(store, "firm2", t + dt.timedelta(hours=2))
        _signed_in(store, "firm0", t + dt.timedelta(hours=1))
        _signed_in(store, "firm1", t + dt.timedelta(hours=3), ok=False)    # a failed attempt is no sign-in
        _signed_in(store, "firm3", t + dt.timedelta(hours=4))
        set_disabled(store, "firm3")                                        # disabled: never kept

        def kept(n):
            monkeypatch.setenv("CHAINBRAIN_KEEP_ENTERPRISE_SCOPES", str(n))
            return [k for k in disclosure.scopes(store) if k[0] == "enterprise"]

        key = {u.username: disclosure_key(u) for u in users}
        assert kept(0) == []
        assert kept(1) == [key["firm2"]]
        assert kept(2) == [key["firm2"], key["firm0"]]
        # then the accounts never signed in, oldest first: the demo's, then firm1
        assert kept(3)[2][1] == demo and kept(4)[3] == key["firm1"]
        assert len(kept(100)) == 4
        assert ("anon",) in disclosure.scopes(store)
        monkeypatch.delenv("CHAINBRAIN_KEEP_ENTERPRISE_SCOPES")
        assert len([k for k in disclosure.scopes(store) if k[0] == "enterprise"]) == 4    # default 10


def test_two_callers_of_one_family_and_scope_build_and_solve_it_once(db, monkeypatch):
    from chainbrain.web.pool import side_store
    from chainbrain.web.users import _row_user, lookup

    with open_store(db) as store:
        user = _row_user(lookup(store, "demo_enterprise"))
        label = latest_period(store)
        with store.engine.begin() as c:
            c.execute(sa.text("DELETE FROM disclosure_pattern"))
        disclosure._CACHES.clear()
        joints, solves = [], []
        real_joint, real_solve = suppression_periods.joint, suppression_periods.patterns_of_joint

        def joint(*a, **k):
            joints.append(threading.current_thread().name)
            # let the other caller arrive and wait (at most 5 s: nothing makes it wait without the lock)
            until = time.monotonic() + 5
            while time.monotonic() < until and not any(e[1] >= 2 for e in list(disclosure._FLIGHTS.values())):
                time.sleep(0.01)
            return real_joint(*a, **k)

        monkeypatch.setattr(suppression_periods, "joint", joint)
        monkeypatch.setattr(suppression_periods, "patterns_of_joint",
                            lambda *a, **k: solves.append(1) or real_solve(*a, **k))
        got = {}
        others = [side_store(store) for _ in range(2)]        # a connection per thread, as the server's

        def ask(name, conn):
            got[name] = cell_rule(conn, user, 3).pattern(label).hidden

        threads = [threading.Thread(target=ask, args=(f"caller{i}", others[i]), name=f"caller{i}") for i in range(2)]
        try:
            for th in threads:
                th.start()
            for th in threads:
                th.join(120)
        finally:
            for o in others:
                o.close()
        assert len(got) == 2 and got["caller0"] == got["caller1"] and got["caller0"]
        assert len(joints) == 1 and len(solves) == 1
        assert disclosure._FLIGHTS == {}                   # nothing left behind


def test_a_request_waits_for_anothers_build_at_most_its_queue_wait(monkeypatch):
    from chainbrain.web.admission import CALLER, Busy

    monkeypatch.setenv("CHAINBRAIN_QUEUE_WAIT_S", "0.05")
    held, release = threading.Event(), threading.Event()

    def builder():
        with disclosure.one_at_a_time(("test", "family")):
            held.set()
            release.wait(10)

    th = threading.Thread(target=builder)
    th.start()
    try:
        assert held.wait(10)
        token = CALLER.set("addr:test")
        try:
            with pytest.raises(Busy) as err:
                with disclosure.one_at_a_time(("test", "family")):
                    pass
            assert err.value.status == 503
        finally:
            CALLER.reset(token)
    finally:
        release.set()
        th.join(10)
    with disclosure.one_at_a_time(("test", "family")):     # free again, and the server's own work waits
        assert disclosure._FLIGHTS[("test", "family")][1] == 1
    assert disclosure._FLIGHTS == {}
