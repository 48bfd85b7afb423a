"""Answers from before a data change, served labelled while the fresh ones compute (#20, web/stale.py).

The budget (``st.stale_wait``) is off under pytest; these tests switch it on. "The fresh answer
computes slowly" is made real by holding every computation place of the pool
(:func:`web_fixture.computations_held`), "the admission bound refuses" by filling its total.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.web.app import create_app
from chainbrain.web.cache import MISSING, ResultCache
from chainbrain.web.stale import HEADER, version_id

KPI = "/api/kpi"


def test_the_cache_keeps_the_newest_earlier_answer_of_each_key():
    c = ResultCache(size=4, keep_previous=True)
    c.put((0,), "a", 1)
    c.put((0,), "b", 1)
    assert c.lookup((1,), "a") is MISSING                 # the data moved on: no current answer …
    assert c.previous("a", (1,)) == ((0,), 1)             # … the one from before is kept, with its version
    c.put((1,), "a", 2)
    c.outdate()                                           # an application write (version not known yet)
    assert c.lookup((2,), "a") is MISSING
    assert c.previous("a", (2,)) == ((1,), 2)             # the newest earlier answer of each key …
    assert c.previous("b", (2,)) == ((0,), 1)             # … also when it was not asked in between
    assert c.previous("a", (1,)) is MISSING               # not for a caller at another version
    c.put((1,), "c", 3)                                   # computed at the version before, finished late
    assert c.previous("c", (2,)) == ((1,), 3) and c.lookup((2,), "c") is MISSING
    c.clear()                                             # forget: the earlier generation too
    assert c.previous("b", (2,)) is MISSING and c.lookup((2,), "c") is MISSING
    plain = ResultCache(size=4)
    plain.put((0,), "a", 1)
    assert plain.lookup((1,), "a") is MISSING and plain.previous("a", (1,)) is MISSING


def test_answers_asked_once_never_push_out_the_protected_ones():
    """Segmented LRU (web/cache.py): a warmed answer (``hot``) or one asked twice outlives any number of
    answers asked once, in the current generation and, after the data change, in the earlier one."""
    c = ResultCache(size=4, keep_previous=True)           # 3 protected places at most
    c.put((0,), "warmed", 1, hot=True)
    c.put((0,), "twice", 2)
    assert c.lookup((0,), "twice") == 2                   # asked again: protected
    for i in range(10):                                   # ten one-off answers through 2 places left
        c.put((0,), ("once", i), i)
    assert c.lookup((0,), "warmed") == 1 and c.lookup((0,), "twice") == 2
    assert c.lookup((0,), ("once", 0)) is MISSING and c.lookup((0,), ("once", 9)) == 9
    assert len(c) <= 4
    c.outdate()                                           # a write: every answer joins the earlier generation
    for i in range(10, 20):                               # … and one-off answers after it too
        c.put((1,), ("once", i), i)
    c.outdate()
    assert c.previous("warmed", (2,)) == ((0,), 1) and c.previous("twice", (2,)) == ((0,), 2)
    assert c.previous(("once", 19), (2,)) == ((1,), 19) and c.previous(("once", 10), (2,)) is MISSING
    for key in ("a", "b", "c", "d", "e"):                 # more protected answers than places: the oldest
        c.put((2,), key, key, hot=True)                   # goes back to probation, then out
    assert c.lookup((2,), "a") is MISSING and c.lookup((2,), "b") == "b" and len(c) <= 4
    c.forget_earlier()
    assert c.previous("warmed", (2,)) is MISSING


def test_answers_of_a_version_adopted_by_the_next_keep_their_segment():
    """``adopt(old, new)``: the warm-up found nothing read changed between the versions (web/state.py
    ``carry_over``): the earlier generation's answers of ``old`` are current at ``new``, a protected one
    still protected; an answer of an older version, or one computed fresh meanwhile, is not replaced;
    nothing when the cache has moved on to a third version."""
    c = ResultCache(size=8, keep_previous=True)
    c.put((0,), "old", "o")
    c.lookup((1,), "x")                                   # the data moved on to version 1
    c.put((1,), "once", 1)
    c.put((1,), "warmed", 1, hot=True)
    c.put((1,), "fresh", 1)
    c.outdate()                                           # the write: version not known yet
    c.put((2,), "fresh", 2)                               # computed at the new version meanwhile
    assert c.adopt((1,), (2,)) == 2
    assert c.lookup((2,), "once") == 1 and c.lookup((2,), "warmed") == 1 and "warmed" in c.hot
    assert c.lookup((2,), "fresh") == 2                   # not replaced by the earlier one
    assert c.lookup((2,), "old") is MISSING               # of a version before: not carried
    c.lookup((3,), "x")                                   # the data moved on again
    assert c.adopt((1,), (2,)) == 0 and c.lookup((3,), "once") is MISSING


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, tmp_path_factory):
    if request.param == "duckdb":
        db = str(tmp_path_factory.mktemp("stale") / "stale.duckdb")
    else:
        db = request.getfixturevalue("pg_server").create_database("web_stale")
    W.build(db, tasks=False)
    app = create_app(db, public_aggregates=True)
    with TestClient(app) as c:                            # one event loop (and worker-thread pool) for all
        app.state.shared_client = c
        yield app


def _client(app, name=None) -> TestClient:
    """Anonymous: the app's one client (its one event loop, as a server has); signed-in: a client of its own."""
    if not name:
        return app.state.shared_client
    c = TestClient(app)
    if name:
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        assert r.status_code == 200, r.text
    return c


def _change(st, factor: float, batch: bool = False) -> None:
    """A data change as the application's own writes make it: June's revenue × ``factor``, then invalidate.
    ``batch``: with an ``import_batch`` row, as an import writes one — the data counters move, so the
    data key is read again and figures kept at the earlier key are not used (store/content.py)."""
    from chainbrain.ingest.batch import log_batch, new_batch_id

    with st.store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE monthly_report SET revenue_ytd = revenue_ytd * :f WHERE year = 2025 AND month = 6"),
                     {"f": factor})
        if batch:
            log_batch(st.store, conn, new_batch_id(st.store, conn), "monthly", "test_web_stale", 0, "done")
    st.invalidate()


@pytest.fixture
def st(app):
    st = app.state.web
    st.stale_wait = 0.2
    yield st
    st.stale_wait = None
    st.admission.running = 0


def _wait_fresh(client, params, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r = client.get(KPI, params=params)
        if HEADER not in r.headers:
            return r
        time.sleep(0.05)
    raise AssertionError("the fresh answer never replaced the stale one")


def test_a_stale_answer_while_the_fresh_one_computes_then_the_fresh_one(app, st):
    anon = _client(app)
    params = {"period": "2025-06"}
    before = anon.get(KPI, params=params)
    assert before.status_code == 200 and HEADER not in before.headers
    old = st.versions.current()
    _change(st, 2.0)
    try:
        with W.computations_held(st):                     # the fresh answer cannot be computed now
            t0 = time.monotonic()
            r = anon.get(KPI, params=params)
            took = time.monotonic() - t0
            assert r.status_code == 200 and r.headers[HEADER] == version_id(old), r.headers
            assert r.json() == before.json()              # the previous version's answer, as it was
            assert took < 5, took                         # served after the budget, not after the computation
            # its fresh answer is computed on the one revalidation thread, not on the page threads that
            # answers with nothing to show meanwhile need (web/state.py: WebState.revalidation)
            now = st.versions.current()
            assert any(v == now for v, _ in st.revalidation.running)
            assert not any(v == now for v, _ in st.background.running)
        fresh = _wait_fresh(anon, params)                 # the background computation filled the cache
        assert before.json()["revenue_ytd_yuan"] > 0
        assert fresh.json()["revenue_ytd_yuan"] == pytest.approx(2 * before.json()["revenue_ytd_yuan"])
    finally:
        _change(st, 0.5)


@pytest.mark.parametrize("app", ["duckdb"], indirect=True)   # the store plays no part here
def test_at_the_admission_bound_stale_instead_of_503_and_503_without_one(app, st):
    anon = _client(app)
    city = {"period": "2025-06", "region": "360100"}
    assert anon.get(KPI, params=city).status_code == 200
    page = anon.get("/", params=city, headers={"accept": "text/html"})
    assert page.status_code == 200 and 'data-testid="stale-banner"' not in page.text
    _change(st, 3.0)
    try:
        st.stale_wait = 5.0                               # the refusal, not the budget, serves it
        st.admission.running = st.admission.total
        t0 = time.monotonic()
        r = anon.get(KPI, params=city)
        assert r.status_code == 200 and HEADER in r.headers and time.monotonic() - t0 < 3
        page = anon.get("/", params=city, headers={"accept": "text/html"})
        assert page.status_code == 200 and 'data-testid="stale-banner"' in page.text
        assert "数据更新中：显示的是导入前的数据" in page.text
        # never asked before the change: nothing to fall back on
        r = anon.get(KPI, params={"period": "2025-06", "region": "360400"})
        assert r.status_code == 503 and HEADER not in r.headers
        # an Excel download is never stale: refused like before
        x = anon.get("/", params={**city, "format": "xlsx"})
        assert x.status_code == 503 and HEADER not in x.headers
    finally:
        st.admission.running = 0
        _change(st, 1 / 3)


@pytest.mark.parametrize("app", ["duckdb"], indirect=True)   # the store plays no part here
def test_another_scope_never_gets_the_stale_answer(app, st):
    county, viewer = _client(app, "dh_county"), _client(app, "viewer")
    params = {"period": "2025-06", "region": "360102"}
    mine = county.get(KPI, params=params)
    assert mine.status_code == 200
    _change(st, 5.0)
    try:
        st.admission.running = st.admission.total
        again = county.get(KPI, params=params)
        assert again.status_code == 200 and HEADER in again.headers and again.json() == mine.json()
        other = viewer.get(KPI, params=params)            # another disclosure scope: no previous answer of its own
        assert other.status_code == 503 and HEADER not in other.headers
        st.admission.running = 0
        fresh = viewer.get(KPI, params=params)
        assert fresh.status_code == 200 and HEADER not in fresh.headers
    finally:
        st.admission.running = 0
        _change(st, 0.2)


@pytest.mark.parametrize("app", ["duckdb"], indirect=True)   # the store plays no part here
def test_without_an_earlier_answer_a_json_request_waits_at_most_the_queue_wait(app, st, monkeypatch):
    """After a change, a JSON request with nothing from before to fall back on (a key never asked) waits
    for its fresh answer at most ``CHAINBRAIN_QUEUE_WAIT_S``, then 503 — it used to wait without a bound
    (the load test's timeouts at 60 s); the computation goes on and answers the next request."""
    monkeypatch.setenv("CHAINBRAIN_QUEUE_WAIT_S", "1")
    anon = _client(app)
    params = {"period": "2025-05", "region": "360402"}
    _change(st, 2.0)
    try:
        with W.computations_held(st):
            t0 = time.monotonic()
            r = W.answered_while(lambda: anon.get(KPI, params=params), 20)
            assert r.status_code == 503 and HEADER not in r.headers and 1.0 <= time.monotonic() - t0 < 15
        end = time.monotonic() + 30
        while (r := anon.get(KPI, params=params)).status_code != 200 and time.monotonic() < end:
            time.sleep(0.1)
        assert r.status_code == 200 and HEADER not in r.headers
    finally:
        _change(st, 0.5)


@pytest.mark.parametrize("app", ["duckdb"], indirect=True)   # the store plays no part here
def test_no_stale_answers_when_the_budget_is_off(app, st):
    anon = _client(app)
    params = {"period": "2025-06", "region": "360402"}
    assert anon.get(KPI, params=params).status_code == 200
    _change(st, 2.0)
    try:
        st.stale_wait = None
        st.admission.running = st.admission.total
        assert anon.get(KPI, params=params).status_code == 503
    finally:
        st.admission.running = 0
        _change(st, 0.5)


@pytest.mark.parametrize("app", ["duckdb"], indirect=True)
def test_a_cached_answer_while_many_requests_wait_for_computations(app, st):
    """The load test's refused and cached answers took ~1.3 s: requests waiting for a computation
    each hold a worker thread, and a cached answer queued for one (AnyIO's default: 40 threads).
    With 48 requests waiting for one computation, a cached answer still comes back at once."""
    import threading

    from chainbrain.web.admission import Admission

    st.stale_wait = None                                  # every waiting request is an admitted one
    anon = _client(app)
    cached = {"period": "2025-06", "region": "360100"}
    assert anon.get(KPI, params=cached).status_code == 200
    waiting = {"period": "2025-06", "region": "360400", "scope": "manufacturing"}   # asked by no other test
    bound, st.admission = st.admission, Admission(per_caller=100, total=100)
    threads = []
    try:
        with W.computations_held(st):
            for _ in range(48):                           # one uncached answer: one waits for a place in
                th = threading.Thread(target=lambda: anon.get(KPI, params=waiting), daemon=True)   # the pool, 47 for it
                th.start()
                threads.append(th)
            end = time.monotonic() + 30
            while st.admission.running < 40 and time.monotonic() < end:
                time.sleep(0.05)
            assert st.admission.running >= 40, st.admission.running    # AnyIO's default: every thread taken
            t0 = time.monotonic()
            r = W.answered_while(lambda: anon.get(KPI, params=cached), 10)
            assert r.status_code == 200 and time.monotonic() - t0 < 2, time.monotonic() - t0
    finally:
        st.admission = bound
        for th in threads:
            th.join(60)


@pytest.mark.parametrize("app", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_after_an_import_the_figures_kept_before_it_answer_labelled(app, st):
    """No answer in memory (a new process, or never asked): the figures of every period × region and
    the viewer's disclosure pattern kept at the data key before the import give the answer, labelled;
    a viewer whose own pattern was not kept there gets none (503 at the bound)."""
    from chainbrain.analytics import kpi_stored
    from chainbrain.store.patterns import data_key
    from chainbrain.web.stale import version_id

    with st.lock:
        kept = kpi_stored.keep(st.store, monitoring=False)
        assert kept["data_key"] == data_key(st.store)
    anon, lx = _client(app), _client(app, "lx_county")
    params = {"period": "2025-06"}
    st.cache.clear()
    before = anon.get(KPI, params=params)                 # computed from the kept figures; its pattern kept too
    assert before.status_code == 200 and before.json()["revenue_ytd_yuan"] > 0
    with st.store.engine.begin() as conn:                 # an import: a new revision of E1's June report
        conn.execute(sa.text("INSERT INTO monthly_report (enterprise_id, year, month, revenue_ytd, revenue_ytd_prev, "
                             "batch_id, revision) VALUES (1, 2025, 6, 1.3e10, 1.0e10, 1, 3)"))
    st.invalidate()
    try:
        assert data_key(st.store) != kept["data_key"]
        st.cache.forget_earlier()                        # nothing in memory: only the store has the old figures
        st.admission.running = st.admission.total
        r = anon.get(KPI, params=params)
        assert r.status_code == 200 and r.headers[HEADER] == version_id(("kept", kept["data_key"])), r.headers
        assert r.json() == before.json()
        other = lx.get(KPI, params=params)                # its pattern was never kept at the old key
        assert other.status_code == 503 and HEADER not in other.headers
        st.admission.running = 0
        fresh = anon.get(KPI, params=params)              # the stale answer's background computation, or a new one
        fresh = _wait_fresh(anon, params)
        assert fresh.json()["revenue_ytd_yuan"] == pytest.approx(before.json()["revenue_ytd_yuan"] + 0.5e9)
    finally:
        st.admission.running = 0
        with st.store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM monthly_report WHERE enterprise_id = 1 AND year = 2025 AND month = 6 "
                                 "AND revision = 3"))
        st.invalidate()


@pytest.mark.parametrize("app", ["duckdb"], indirect=True)
def test_while_the_figures_are_kept_again_the_earlier_answer_at_once_and_nothing_computed(app, st):
    """``st.rekeying`` (the warm-up keeping the figures of every period × region at the new data after a
    change): a /api/kpi answer is the earlier one, labelled, without waiting the budget and without a
    fresh computation (computed live now it costs seconds; a moment later it comes from the new kept
    figures); an answer with nothing earlier is computed as any other; after it, the fresh answer."""
    anon = _client(app)
    params = {"period": "2025-06"}
    before = _wait_fresh(anon, params)                    # not itself an answer from before an earlier test's change
    assert before.status_code == 200
    old = st.versions.current()
    _change(st, 2.0, batch=True)                         # counted: kept figures of an earlier test are not current
    try:
        st.stale_wait = 5.0                               # a budget no request waits while rekeying
        st.rekeying = True
        misses, t0 = st.cache.misses, time.monotonic()
        r = anon.get(KPI, params=params)
        assert time.monotonic() - t0 < 2.5
        assert r.status_code == 200 and r.headers[HEADER] == version_id(old) and r.json() == before.json()
        now = st.versions.current()
        assert not any(v == now for v, _ in st.revalidation.running)      # no fresh computation started
        assert not any(v == now for v, _ in st.background.running)
        other = anon.get(KPI, params={"period": "2025-05", "region": "360100"})   # nothing earlier: computed
        assert other.status_code == 200 and HEADER not in other.headers and st.cache.misses > misses
        st.rekeying = False
        st.stale_wait = 0.2
        fresh = _wait_fresh(anon, params)
        assert fresh.json()["revenue_ytd_yuan"] == pytest.approx(2 * before.json()["revenue_ytd_yuan"])
    finally:
        st.rekeying = False
        _change(st, 0.5, batch=True)


@pytest.mark.parametrize("app", ["duckdb"], indirect=True)
def test_only_the_first_request_waits_the_budget(app, st):
    """Once a fresh answer has been computing longer than the budget, the next requests for it get
    the earlier answer at once."""
    anon = _client(app)
    params = {"period": "2025-06", "scope": "manufacturing"}
    assert anon.get(KPI, params=params).status_code == 200
    _change(st, 2.0)
    try:
        st.stale_wait = 1.0
        with W.computations_held(st):
            t0 = time.monotonic()
            first = anon.get(KPI, params=params)
            waited = time.monotonic() - t0
            t0 = time.monotonic()
            second = anon.get(KPI, params=params)
            again = time.monotonic() - t0
        assert HEADER in first.headers and HEADER in second.headers
        assert waited >= 1.0 and again < 0.5, (waited, again)
    finally:
        _change(st, 0.5)


def test_the_server_widens_threads_and_shortens_the_interpreter_switch(monkeypatch):
    import sys

    import anyio
    import anyio.to_thread

    from chainbrain.web.admission import WORKER_THREADS, widen_worker_threads

    before = sys.getswitchinterval()

    async def run():
        monkeypatch.setenv("CHAINBRAIN_GIL_SWITCH_MS", "0.5")
        assert widen_worker_threads() == WORKER_THREADS > 40
        assert anyio.to_thread.current_default_thread_limiter().total_tokens == WORKER_THREADS
        assert sys.getswitchinterval() == pytest.approx(0.0005)
        monkeypatch.setenv("CHAINBRAIN_WEB_THREADS", "10")          # never below AnyIO's 40
        assert widen_worker_threads() == WORKER_THREADS
    try:
        anyio.run(run)
    finally:
        sys.setswitchinterval(before)


def test_bad_tuning_variables_are_refused_not_ignored(monkeypatch):
    """The stale budget, the admission bounds, the worker threads and the switch interval: a value that is
    not valid is one bilingual ConfigError (``serve`` checks them before starting), never a silent default."""
    from chainbrain.config import ConfigError
    from chainbrain.web.admission import Admission, check_environment
    from chainbrain.web.stale import stale_wait_s

    monkeypatch.setenv("CHAINBRAIN_STALE_WAIT_MS", "soon")
    with pytest.raises(ConfigError, match="stale_wait_ms 的取值无效"):
        stale_wait_s()
    monkeypatch.setenv("CHAINBRAIN_STALE_WAIT_MS", "-1")
    assert stale_wait_s() is None
    monkeypatch.setenv("CHAINBRAIN_STALE_WAIT_MS", "0")
    assert stale_wait_s() == 0.0
    for name, bad, good in (("CHAINBRAIN_COMPUTE_TOTAL", "0", "1"), ("CHAINBRAIN_COMPUTE_PER_USER", "x", "3"),
                            ("CHAINBRAIN_WEB_THREADS", "-4", "64"), ("CHAINBRAIN_GIL_SWITCH_MS", "0", "0.1"),
                            ("CHAINBRAIN_QUEUE_WAIT_S", "0", "0.01"), ("CHAINBRAIN_WARM_VIEWERS", "-1", "0"),
                            ("CHAINBRAIN_KEEP_ENTERPRISE_SCOPES", "-1", "0")):
        monkeypatch.setenv(name, bad)
        with pytest.raises(ConfigError, match=f"{name} 的取值无效"):
            check_environment()
        monkeypatch.setenv(name, good)
        check_environment()
    assert (Admission().per_caller, Admission().total) == (3, 1)


@pytest.mark.parametrize("app", ["duckdb"], indirect=True)   # the store plays no part here
def test_a_stale_page_twin_is_not_kept_as_the_fresh_one(app, st, monkeypatch):
    """The JSON twins of pages (``/api/chains``, a chain, a region: ``views.chains.json_reply``) keep
    their encoded body beside the answer; a body encoded from an answer served stale is labelled and
    never kept as the current version's, so the fresh answer replaces it once computed. The earlier
    answer is encoded once however often it is served (``ResultCache.encoded``)."""
    from chainbrain.web.views import chains

    encodings = []
    monkeypatch.setattr(chains, "encode", lambda d, real=chains.encode: encodings.append(1) or real(d))
    anon = _client(app, "admin")                          # sees the chains' revenue (anonymous: suppressed)
    params = {"period": "2025-06"}
    before = anon.get("/api/chains", params=params)
    assert before.status_code == 200 and HEADER not in before.headers
    _change(st, 2.0, batch=True)
    try:
        with W.computations_held(st):
            r = anon.get("/api/chains", params=params)
            assert r.status_code == 200 and HEADER in r.headers and r.json() == before.json()
            encoded = len(encodings)
            again = anon.get("/api/chains", params=params)
            assert HEADER in again.headers and again.content == r.content and len(encodings) == encoded
        end = time.monotonic() + 30
        while HEADER in (r := anon.get("/api/chains", params=params)).headers and time.monotonic() < end:
            time.sleep(0.05)
        assert HEADER not in r.headers                    # the fresh answer: June's revenue doubled
        assert [c["revenue_ytd_yuan"] for c in r.json()["chains"]] == [
            2 * c["revenue_ytd_yuan"] for c in before.json()["chains"]] != [0.0] * len(r.json()["chains"])
    finally:
        _change(st, 0.5, batch=True)
