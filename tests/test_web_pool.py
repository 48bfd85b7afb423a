"""Computations of different requests run at once, each on its own pool connection (#20, web/pool.py).

With the old single analytics lock every test here fails: the cheap uncached request waits for the
held computation; the same-key requests are computed once (single flight); an import writes while
reads hold their connections; answers computed concurrently equal the ones computed one at a time.
"""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

import web_fixture as W
from chainbrain.web import create_app

#: as many as one caller may have computed at once (admission: CHAINBRAIN_COMPUTE_PER_USER, default 4)
URLS = [("/api/kpi", {"period": "2025-04"}), ("/api/chains", {"period": "2025-06"}),
        ("/api/kpi", {"period": "2025-05"}), ("/api/regions/360100", {"period": "2025-06"})]


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def client(request, tmp_path_factory):
    if request.param == "duckdb":
        db = str(tmp_path_factory.mktemp("pool") / "pool.duckdb")
    else:
        db = request.getfixturevalue("pg_server").create_database("web_pool")
    W.build(db, tasks=False)
    with TestClient(create_app(db, public_aggregates=True)) as c:
        yield c


def _fresh(st) -> None:
    st.cache.clear()
    st.versions.bump()


def test_a_cheap_answer_while_slow_computations_run(client):
    """Another user's computations hold connections; an uncached request is computed meanwhile,
    and answers computed at the same time equal the ones computed one at a time."""
    st = client.app.state.web
    _fresh(st)
    sequential = [client.get(u, params=p).json() for u, p in URLS]
    _fresh(st)
    with W.computations_held(st, st.pool.size - 1) as lent:
        assert lent == st.pool.size - 1
        r = W.answered_while(lambda: client.get("/api/kpi", params={"period": "2025-04"}))
        assert r.status_code == 200 and r.json() == sequential[0]
    assert st.pool.most_lent >= st.pool.size and st.pool.lent == 0
    _fresh(st)
    out: dict = {}
    threads = [threading.Thread(target=lambda i=i, u=u, p=p: out.update({i: client.get(u, params=p)}))
               for i, (u, p) in enumerate(URLS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert [out[i].status_code for i in range(len(URLS))] == [200] * len(URLS)
    assert [out[i].json() for i in range(len(URLS))] == sequential


def test_the_pool_is_bounded_and_cached_answers_need_none(client):
    """With every place of computation taken, a cached answer is served at once, a sign-in is
    answered on a spare connection, and an uncached answer waits for a place."""
    st = client.app.state.web
    assert client.get("/api/kpi", params={"period": "2025-06"}).status_code == 200     # cached now
    _fresh_key = ("/api/kpi", {"period": "2025-03"})
    with W.computations_held(st) as lent:
        assert lent == st.pool.size
        r = W.answered_while(lambda: client.get("/api/kpi", params={"period": "2025-06"}), 10)
        assert r.status_code == 200
        # short work under st.lock outside a computation (a sign-in's counters) has spare connections
        login = W.answered_while(lambda: TestClient(client.app).post(
            "/api/login", json={"username": "viewer", "password": W.password("viewer")}), 10)
        assert login.status_code == 200, login.text
        out = {}
        waiting = threading.Thread(target=lambda: out.update(r=client.get(_fresh_key[0], params=_fresh_key[1])))
        waiting.start()
        waiting.join(1.0)
        assert "r" not in out, "computed without a connection of the pool"
    waiting.join(60)
    assert out["r"].status_code == 200 and out["r"].json()["period"] == "2025-03"


def test_the_same_answer_is_computed_once(client):
    st = client.app.state.web
    calls, gate = [], threading.Event()

    def compute():
        calls.append(1)
        gate.wait(10)
        return {"n": len(calls)}

    joined = st.flights.joined
    got = []
    threads = [threading.Thread(target=lambda: got.append(st.cached(("single flight",), compute))) for _ in range(3)]
    for th in threads:
        th.start()
    while len(st.flights.running) < 1:
        pass
    threading.Timer(0.3, gate.set).start()
    for th in threads:
        th.join(20)
    assert calls == [1] and got == [{"n": 1}] * 3 and st.flights.joined - joined == 2


def test_an_application_write_while_reads_hold_connections(client):
    """A write through the application (a work-system write, an import: ``st.store.begin()``) commits
    while other computations are in the middle of their reads, and its figures show at once."""
    import pyarrow as pa

    st = client.app.state.web
    before = client.get("/api/kpi", params={"period": "2025-06"}).json()["revenue_ytd_yuan"]
    with W.computations_held(st, st.pool.size - 1):
        def write():
            with st.lock, st.store.begin() as conn:
                rev = conn.exec_driver_sql("SELECT MAX(revision) FROM monthly_report WHERE enterprise_id = 5 "
                                           "AND year = 2025 AND month = 6").scalar()
                st.store.bulk_insert(conn, "monthly_report", pa.table({
                    "enterprise_id": [5], "year": [2025], "month": [6], "revenue_ytd": [99.0 * 1e8],
                    "revenue_ytd_prev": pa.array([None], pa.float64()), "batch_id": [1], "revision": [rev + 1]}))
            st.invalidate()
            return True
        assert W.answered_while(write)
        after = W.answered_while(lambda: client.get("/api/kpi", params={"period": "2025-06"}).json())
    assert after["revenue_ytd_yuan"] != before and after["revenue_ytd_yuan"] is not None


def test_a_computation_asking_for_its_own_key_does_not_wait_for_itself(client):
    """The warm-up computing the cockpit asks for the cockpit's parts under the same key (found
    by the kill test: the warm-up hung waiting for its own flight)."""
    st = client.app.state.web
    key = ("nested flight", id(st))

    def outer():
        return {"inner": st.cached(key, lambda: 1)}

    def warm():                                 # as the warm-up does: a flight, no connection lent
        return st.flights.run((st.versions.current(), key), outer)

    assert W.answered_while(warm, 10) == {"inner": 1}


def test_the_search_index_rebuild_reuses_initials_of_known_names(tmp_path, monkeypatch):
    """After a change only new names are spelled out (pinyin was 16 s of the province's rebuild, during
    which searches waited); a renamed firm is found under its new initials, not its old ones."""
    import sqlalchemy as sa

    from chainbrain.analytics import search_index as SI
    from chainbrain.store import open_store
    from chainbrain.web import search as S

    with open_store(W.build(tmp_path / "ix.duckdb", tasks=False)) as store:
        ix = S.SearchIndex()
        ix.build(store, version=1)
        first = {i: (n, ini) for i, n, _, ini in ix.rows}
        assert all(ini == S.initials(n) for n, ini in first.values())
        with store.begin() as conn:
            conn.execute(sa.text("UPDATE enterprise SET name = '赣江新材料有限公司' WHERE id = 1"))
        spelled, real = [], SI.initials
        monkeypatch.setattr(SI, "initials", lambda n: spelled.append(n) or real(n))   # counts, then spells
        ix.build(store, version=2)
        assert spelled == ["赣江新材料有限公司"]
        assert ix.match("gjxcl") == [1] and {i: (n, ini) for i, n, _, ini in ix.rows if i != 1} == \
            {i: v for i, v in first.items() if i != 1}


def test_the_compute_pool_and_the_orm_pool_are_separate_settings(monkeypatch):
    """``serve --pool N`` travels as CHAINBRAIN_COMPUTE_POOL; CHAINBRAIN_POOL_SIZE stays the ORM pool of
    ``[store] pool_size`` (they once shared the name: ``--pool 3`` also resized the ORM pool)."""
    from chainbrain.config import load_settings
    from chainbrain.web.pool import DEFAULT_SIZE, pool_size

    monkeypatch.delenv("CHAINBRAIN_COMPUTE_POOL", raising=False)
    monkeypatch.setenv("CHAINBRAIN_POOL_SIZE", "7")
    assert pool_size() == DEFAULT_SIZE and load_settings().pool_size == 7
    monkeypatch.setenv("CHAINBRAIN_COMPUTE_POOL", "3")
    monkeypatch.delenv("CHAINBRAIN_POOL_SIZE")
    assert pool_size() == 3 and load_settings().pool_size == 5


def test_a_bad_compute_pool_value_is_refused_not_ignored(monkeypatch):
    """A compute pool that is not a whole number ≥ 0 was once silently replaced by the default: now
    ``pool_size`` and the settings refuse it in one bilingual line; 0 means the default."""
    import pytest

    from chainbrain.config import ConfigError, load_settings
    from chainbrain.web.pool import DEFAULT_SIZE, pool_size

    for bad in ("three", "-1", "2.5"):
        monkeypatch.setenv("CHAINBRAIN_COMPUTE_POOL", bad)
        with pytest.raises(ConfigError, match=r"compute_pool .*（?compute_pool 的取值无效"):
            pool_size()
        with pytest.raises(ConfigError, match="compute_pool"):
            load_settings()
    monkeypatch.setenv("CHAINBRAIN_COMPUTE_POOL", "0")
    assert pool_size() == DEFAULT_SIZE and load_settings().compute_pool == 0
    monkeypatch.setenv("CHAINBRAIN_COMPUTE_POOL", "1")
    assert pool_size() == 1 and load_settings().compute_pool == 1
