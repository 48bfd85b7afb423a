"""The warm-up keeps the signed-in scopes' default answers ready (#20, web/viewers.py, web/warmup.py):
every account's scope at start-up, a scope first seen signed in at once, and all of them again
after a data change — in the load test a signed-in user's first cockpit after an import had no
answer and was refused."""

from __future__ import annotations

import time

import pyarrow as pa
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.config import ConfigError
from chainbrain.web import create_app
from chainbrain.web.cache import MISSING
from chainbrain.web.policy import disclosure_key, scope_key
from chainbrain.web.users import User
from chainbrain.web.viewers import Viewers, limit

YI = 1e8


def _cockpit_key(user):
    return ("json", "cockpit+", None, None, "all", disclosure_key(user), scope_key(user))


def _wait(cond, timeout=120.0):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.1)
    return False


def _defaults(c):
    for path in ("/api/cockpit", "/api/kpi", "/api/chains"):
        r = c.get(path)
        assert r.status_code == 200, (path, r.text)
    return c.get("/api/cockpit").json()


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINBRAIN_WEB_WARMUP", "essential")
    app = create_app(W.build(tmp_path / "warm.duckdb", tasks=False), public_aggregates=False)
    with TestClient(app):                         # the lifespan: the warm-up starts
        yield app


def test_every_account_scope_is_warmed_at_start_up(app):
    st = app.state.web
    assert st.warmed.wait(120)
    version = st.versions.current()
    seen = {scope_key(u) for u in st.viewers.recent()}
    assert ("city", "360100", None, None) in seen and ("enterprise", None, None, W.USCC[3]) not in seen
    city = next(u for u in st.viewers.recent() if u.role == "city")
    assert st.cache.lookup(version, _cockpit_key(city)) is not MISSING
    c = W.signed_in(app, "nc_city")
    c.get("/api/chains")                          # the session's first request (sign-in reads)
    misses = st.cache.misses
    body = _defaults(c)
    assert st.cache.misses == misses, "a signed-in city user's default answers were computed on request"
    assert body["kpi"]["above_scale_count"] > 0


def test_a_new_scope_is_warmed_when_first_seen_and_again_after_a_change(app):
    st = app.state.web
    assert st.warmed.wait(120)
    ent = User(id=0, username="ent3", role="enterprise", uscc=W.USCC[3])
    assert st.cache.lookup(st.versions.current(), _cockpit_key(ent)) is MISSING
    c = W.signed_in(app, "ent3")
    c.get("/api/health")                          # a signed-in request: the scope is noted
    assert _wait(lambda: st.cache.lookup(st.versions.current(), _cockpit_key(ent)) is not MISSING), \
        "the enterprise user's cockpit was not warmed after its first request"
    misses = st.cache.misses
    before = _defaults(c)
    assert st.cache.misses == misses
    city = W.signed_in(app, "nc_city")
    city.get("/api/health")
    passes = st.warm_passes
    with st.lock, st.store.begin() as conn:       # a correction: E5's revenue of 2025-06 up by 10 亿元
        st.store.bulk_insert(conn, "monthly_report", pa.table({
            "enterprise_id": [5], "year": [2025], "month": [6], "revenue_ytd": [50.0 * YI],
            "revenue_ytd_prev": pa.array([None], pa.float64()), "batch_id": [1], "revision": [3]}))
    st.invalidate()                               # after the commit, as the import jobs do
    assert _wait(lambda: st.warm_passes > passes), "no re-warm after the change"
    time.sleep(1.5)                               # the data version's counters are re-read within 1 s
    for client, user in ((c, ent), (city, st.viewers.recent()[0])):
        assert _wait(lambda: st.cache.lookup(st.versions.current(), _cockpit_key(user)) is not MISSING), user
        misses = st.cache.misses
        after = client.get("/api/cockpit")
        assert after.status_code == 200 and "X-ChainBrain-Stale" not in after.headers
        assert st.cache.misses == misses, f"{user.username}'s cockpit was not re-warmed"
    now = c.get("/api/cockpit").json()["kpi"]
    assert now != before["kpi"], {k: (before["kpi"][k], now[k]) for k in now}      # the fresh figures


def test_a_change_that_changed_nothing_read_keeps_every_answer(app):
    """A write that changed nothing any answer reads (an import of rows as stored: an import batch) moves
    the data version, yet the warm-up carries the answers over (web/state.py ``carry_over``): the same
    answer objects at the new version, no request answered from before the change, nothing recomputed.
    A change of a table other answers read (electricity use) carries only the cockpit, KPI, chain and
    city answers (web/answer_inputs.py); a revenue correction carries nothing over."""
    from chainbrain.ingest.batch import log_batch, new_batch_id

    st = app.state.web
    assert st.warmed.wait(120)
    city = W.signed_in(app, "nc_city")
    city.get("/api/health")
    _defaults(city)
    user = next(u for u in st.viewers.recent() if u.username == "nc_city")
    key = _cockpit_key(user)
    old_version = st.versions.current()
    answer = st.cache.lookup(old_version, key)
    assert answer is not MISSING

    def write(sql=None):
        passes = st.warm_passes
        with st.lock, st.store.engine.begin() as conn:
            log_batch(st.store, conn, new_batch_id(st.store, conn), "enterprises", "test_warm", 0, "done")
            if sql:
                conn.execute(sa.text(sql))
        st.invalidate()
        assert _wait(lambda: st.warm_passes > passes), "no warm-up pass after the change"

    carried = st.carried
    write()
    now = st.versions.current()
    assert now != old_version and st.carried > carried
    assert st.cache.lookup(now, key) is answer            # the same answer, not recomputed
    misses = st.cache.misses
    r = city.get("/api/cockpit")
    assert r.status_code == 200 and "X-ChainBrain-Stale" not in r.headers and st.cache.misses == misses

    carried = st.carried
    health = ("json", "health")
    before_health = st.cache.lookup(now, health)
    assert before_health is not MISSING
    write("INSERT INTO power_use (enterprise_id, year, month, kwh, batch_id) VALUES (1, 2025, 6, 1000, 1)")
    assert st.carried > carried                           # read by other answers, not by the cockpit's
    assert st.cache.lookup(st.versions.current(), key) is answer          # web/answer_inputs.py
    got = st.cache.lookup(st.versions.current(), health)
    assert got is not MISSING and got is not before_health                # not one of those: computed again

    carried = st.carried
    write("UPDATE monthly_report SET revenue_ytd = revenue_ytd + 1000 "
          "WHERE enterprise_id = (SELECT min(enterprise_id) FROM monthly_report)")
    assert st.carried == carried                          # the cockpit's inputs changed: nothing carried over
    got = st.cache.lookup(st.versions.current(), key)
    assert got is not answer and got is not MISSING       # re-warmed: computed again


def test_after_a_change_rekeying_lasts_while_the_figures_are_kept(app, monkeypatch):
    """After a data change the warm-up keeps the KPI and alert figures first; ``st.rekeying`` (kept-figure
    answers are the earlier ones meanwhile, web/state.py) is set while those two jobs run and cleared
    for the rest of the pass; a change that changed nothing read sets it not at all."""
    import threading

    from chainbrain.analytics import alerts_stored, kpi_stored
    from chainbrain.ingest.batch import log_batch, new_batch_id
    from chainbrain.web import model

    st = app.state.web
    assert st.warmed.wait(120)
    seen = []

    def spy(name, real):
        def run(*a, **k):
            if threading.current_thread().name == "chainbrain-warmup":
                seen.append((name, st.rekeying))
            return real(*a, **k)
        return run
    monkeypatch.setattr(kpi_stored, "keep", spy("kpi", kpi_stored.keep))
    monkeypatch.setattr(alerts_stored, "keep", spy("alerts", alerts_stored.keep))
    monkeypatch.setattr(model, "monitoring", spy("monitoring", model.monitoring))

    def change(rows: bool):
        passes = st.warm_passes
        with st.lock, st.store.engine.begin() as conn:
            log_batch(st.store, conn, new_batch_id(st.store, conn), "monthly", "test_warm", 0, "done")
            if rows:
                conn.execute(sa.text("UPDATE monthly_report SET revenue_ytd = revenue_ytd * 1.5 "
                                     "WHERE year = 2025 AND month = 6"))
        st.invalidate()
        assert _wait(lambda: st.warm_passes > passes), "no warm-up pass after the change"

    change(rows=True)
    assert ("kpi", True) in seen and ("alerts", True) in seen, seen
    assert ("monitoring", False) in seen and ("monitoring", True) not in seen, seen
    assert st.rekeying is False
    seen.clear()
    change(rows=False)                                    # nothing read changed: carried over
    assert all(not flag for _, flag in seen), seen


def test_a_re_warm_waits_for_the_requests_computing(app, monkeypatch):
    """After a change the re-warm keeps the figures at once, then starts each of its other jobs only when
    no request is computing (or after ``WARM_YIELD_S``): their earlier answers are served meanwhile, the
    requests have nothing to serve (web/state.py ``_yield_to_requests``)."""
    import threading

    from chainbrain.ingest.batch import log_batch, new_batch_id
    from chainbrain.web import state as state_mod

    st = app.state.web
    assert st.warmed.wait(120)
    monkeypatch.setattr(state_mod, "WARM_YIELD_S", 60.0)
    started = []
    real = st._warm_one

    def spy(version, key, compute):
        started.append((key[0], st.admission.running))
        return real(version, key, compute)
    monkeypatch.setattr(st, "_warm_one", spy)
    with st.admission._lock:                              # a request computing …
        st.admission.running += 1

    def done():                                           # … until both figure jobs have started, and 3 s more
        _wait(lambda: len({n for n, _ in started} & set(state_mod.FIGURE_JOBS)) == 2, 60)
        time.sleep(3.0)
        with st.admission._lock:
            st.admission.running -= 1
    passes = st.warm_passes
    with st.lock, st.store.engine.begin() as conn:                  # a monthly import that changed figures
        log_batch(st.store, conn, new_batch_id(st.store, conn), "monthly", "test_warm", 0, "done")
        conn.execute(sa.text("UPDATE monthly_report SET revenue_ytd = revenue_ytd * 1.5 WHERE year = 2025 AND month = 6"))
    st.invalidate()
    threading.Thread(target=done).start()
    assert _wait(lambda: st.warm_passes > passes), "no warm-up pass after the change"
    figures = [i for i, (n, _) in enumerate(started) if n in state_mod.FIGURE_JOBS]
    assert len(figures) == 2 and all(started[i][1] == 1 for i in figures), started    # not held back
    rest = started[figures[-1] + 1:]
    assert rest and all(running == 0 for _, running in rest), rest                   # held back until done


def test_the_warm_up_freezes_what_it_leaves_behind(tmp_path, monkeypatch):
    """``CHAINBRAIN_GC_FREEZE`` (web/admission.py ``freeze_heap``): after the warm-up's pass the objects
    it left are in the collector's permanent generation; off under pytest unless set, and ``off``."""
    import gc

    from chainbrain.web.admission import freeze_heap, heap_freeze

    assert not heap_freeze()                              # under pytest: off unless set
    monkeypatch.setenv("CHAINBRAIN_GC_FREEZE", "off")
    assert not heap_freeze() and not freeze_heap()
    monkeypatch.setenv("CHAINBRAIN_GC_FREEZE", "on")
    monkeypatch.setenv("CHAINBRAIN_WEB_WARMUP", "essential")
    monkeypatch.setenv("CHAINBRAIN_GC_YOUNG", "20000")
    gc.unfreeze()
    thresholds = gc.get_threshold()
    try:
        app = create_app(W.build(tmp_path / "freeze.duckdb", tasks=False), public_aggregates=False)
        with TestClient(app):
            assert app.state.web.warmed.wait(120)
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold() == (20000,) + thresholds[1:]   # young collections 20,000 allocations apart
    finally:
        gc.unfreeze()                                     # the test process's objects back to the collector
        gc.set_threshold(*thresholds)


def test_the_young_generation_threshold_is_checked(monkeypatch):
    """``CHAINBRAIN_GC_YOUNG`` (web/admission.py ``tune_collector``): a whole number of at least 700 (Python's
    default), refused before the server starts otherwise; not set under pytest unless the freeze is on."""
    import gc

    from chainbrain.web.admission import check_environment, tune_collector

    thresholds = gc.get_threshold()
    assert tune_collector() is None and gc.get_threshold() == thresholds
    for bad in ("699", "-1", "lots", "1e9"):
        monkeypatch.setenv("CHAINBRAIN_GC_YOUNG", bad)
        with pytest.raises(ConfigError, match="CHAINBRAIN_GC_YOUNG"):
            check_environment()
    monkeypatch.setenv("CHAINBRAIN_GC_YOUNG", "700")
    monkeypatch.setenv("CHAINBRAIN_GC_FREEZE", "on")
    try:
        check_environment()
        assert tune_collector() == (700,) + thresholds[1:]
    finally:
        gc.set_threshold(*thresholds)


def test_the_viewers_kept_are_bounded_most_recent_first(monkeypatch):
    a, b, d = (User(id=i, username=n, role="county", region_code=r)
               for i, n, r in ((1, "a", "360102"), (2, "b", "360402"), (3, "d", "360103")))
    v = Viewers(size=2)
    assert v.touch(a) and v.touch(b) and not v.touch(a)            # a seen again: not new
    assert [u.username for u in v.recent()] == ["a", "b"]
    assert v.touch(d) and [u.username for u in v.recent()] == ["d", "a"]     # b, the oldest, dropped
    assert not v.touch(User(id=4, username="viewer", role="viewer"))   # the anonymous scope: warmed anyway
    v.seed([b])                                                     # start-up accounts never push out the seen
    assert [u.username for u in v.recent()] == ["d", "a"]
    assert not Viewers(size=0).touch(a)
    monkeypatch.setenv("CHAINBRAIN_WARM_VIEWERS", "0")
    assert limit() == 0
    for bad in ("-1", "x", "1.5"):
        monkeypatch.setenv("CHAINBRAIN_WARM_VIEWERS", bad)
        with pytest.raises(ConfigError, match="CHAINBRAIN_WARM_VIEWERS"):
            limit()
