"""Bounds on queued uncached work (#20, web/admission.py): 429 for a caller with too much queued,
503 when the server has, both with Retry-After and one bilingual message; cached answers and the
server's own work are never refused."""

from __future__ import annotations

import re
import time
import threading

import pytest
from fastapi.testclient import TestClient

import handmade
import web_fixture as W
from chainbrain.store import open_store
from chainbrain.store.admin import init_store
from chainbrain.web.admission import CALLER, Admission, Busy, caller_of
from chainbrain.web.app import create_app

SHAPE = re.compile(r"^[^\u4e00-\u9fff]+ \(.*[\u4e00-\u9fff].*\)$")      # "English (中文)"


def _in_thread(adm: Admission, caller: str | None):
    """Try to be admitted as ``caller`` in another thread: the refusal's status, or None when admitted."""
    out = {}

    def run():
        CALLER.set(caller)
        try:
            with adm.admit():
                out["status"] = None
        except Busy as exc:
            out["status"] = exc.status

    th = threading.Thread(target=run)
    th.start()
    th.join(5)
    return out["status"]


def test_admission_bounds_per_caller_and_in_all():
    adm = Admission(per_caller=1, total=2)
    CALLER.set("session:a")
    with adm.admit():
        with adm.admit():                              # nested work of the same request: not counted again
            assert adm.counts["session:a"] == 1 and adm.running == 1
        assert _in_thread(adm, "session:a") == 429     # the same caller again: at its bound
        assert _in_thread(adm, None) is None           # the server's own work: always admitted
        held, release = threading.Event(), threading.Event()

        def hold_b():
            CALLER.set("session:b")
            with adm.admit():
                held.set()
                release.wait(5)

        th = threading.Thread(target=hold_b)
        th.start()
        assert held.wait(5) and adm.running == 2       # b admitted: 2 of 2
        assert _in_thread(adm, "session:c") == 503     # a third caller: the server is at its bound
        release.set()
        th.join(5)
        assert _in_thread(adm, "session:c") is None    # one left: c is admitted again
    assert adm.running == 0 and not adm.counts
    assert _in_thread(adm, "session:a") is None


def test_light_work_is_bounded_per_caller_only():
    """A search (``light``: no analytics lock) is admitted while the server is at its total, but not
    beyond its caller's bound; it takes no place of the total."""
    adm = Admission(per_caller=1, total=1)
    CALLER.set("session:a")
    with adm.admit():                                  # a at the total
        assert _in_thread(adm, "session:b") == 503
        out = {}

        def light(caller):
            CALLER.set(caller)
            try:
                with adm.admit(light=True):
                    out[caller] = adm.running
            except Busy as exc:
                out[caller] = exc.status

        for who in ("session:b", "session:a"):
            th = threading.Thread(target=light, args=(who,))
            th.start()
            th.join(5)
        assert out == {"session:b": 1, "session:a": 429}
    assert adm.running == 0 and not adm.counts


def test_the_caller_is_the_session_else_the_trusted_address():
    from chainbrain.web.proxies import parse

    cookie = {"type": "http", "client": ("10.0.0.9", 1), "headers": [(b"cookie", b"x=1; cb_session=tok")]}
    host = dict(cookie, headers=[(b"cookie", b"__Host-cb_session=tok")])
    assert caller_of(cookie) == caller_of(host) and caller_of(cookie).startswith("session:")
    fwd = {"type": "http", "client": ("10.0.0.9", 1), "headers": [(b"x-forwarded-for", b"203.0.113.7")]}
    assert caller_of(fwd) == "addr:10.0.0.9"                            # no trusted proxy: the peer
    assert caller_of(fwd, parse(["10.0.0.0/8"])) == "addr:203.0.113.7"   # behind a trusted proxy


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("admission") / "hand.duckdb")
    with open_store(db) as store:
        init_store(store)
        handmade.load(store)
    with TestClient(create_app(db, public_aggregates=True)) as c:
        yield c


def test_refusals_over_http_and_cached_answers_still_served(client):
    st = client.app.state.web
    st.admission = Admission(per_caller=1, total=3)
    me = "addr:testclient"
    assert client.get("/api/kpi", params={"period": "2025-05"}).status_code == 200      # now cached
    st.admission.counts[me] = 1                     # as if one computation of this caller were queued
    try:
        r = client.get("/api/kpi", params={"period": "2025-04"})                       # uncached: refused
        assert r.status_code == 429 and r.headers["Retry-After"] == "5"
        assert SHAPE.match(r.json()["detail"]), r.json()
        page = client.get("/", params={"period": "2025-03"}, headers={"accept": "text/html"})
        assert page.status_code == 429 and "请几秒后再试" in page.text and page.headers["Retry-After"] == "5"
        assert client.get("/api/kpi", params={"period": "2025-05"}).status_code == 200  # a cached answer
        st.admission.counts.clear()
        st.admission.running = 3                    # the server's bound reached by other callers
        r = client.get("/api/kpi", params={"period": "2025-04"})
        assert r.status_code == 503 and r.headers["Retry-After"] == "5" and SHAPE.match(r.json()["detail"])
    finally:
        st.admission.counts.clear()
        st.admission.running = 0
    assert client.get("/api/kpi", params={"period": "2025-04"}).status_code == 200


def test_a_search_waits_for_no_computation(client):
    """While computations hold every connection of the pool and the server is at its bound, a new
    search is answered (it reads on the lock-free reader; the load test found searches queued 30 s
    or refused)."""
    import sqlalchemy as sa

    st = client.app.state.web
    with st.store.engine.connect() as conn:
        name = conn.execute(sa.text("SELECT name FROM region WHERE level = 'prefecture' AND status = 'current' "
                                    "ORDER BY code LIMIT 1")).scalar()
    with W.computations_held(st):
        st.admission.running = st.admission.total          # every place of the server taken
        try:
            r = W.answered_while(lambda: client.get("/api/search", params={"q": name}), 20)
            assert r.status_code == 200 and r.json()["regions"], r.text
        finally:
            st.admission.running = 0


def test_a_request_waits_for_a_place_at_most_the_queue_wait(client, monkeypatch):
    """An admitted request whose computation finds no free place (others hold every one) is refused
    with 503 after ``CHAINBRAIN_QUEUE_WAIT_S``, instead of waiting past the client's patience (the load
    test's timeouts); the server's own work waits its turn."""
    monkeypatch.setenv("CHAINBRAIN_QUEUE_WAIT_S", "1")
    st = client.app.state.web
    with W.computations_held(st):
        t0 = time.perf_counter()
        r = W.answered_while(lambda: client.get("/api/kpi", params={"period": "2025-03", "scope": "manufacturing"}), 20)
        waited = time.perf_counter() - t0
        assert r.status_code == 503 and r.headers["Retry-After"] == "5" and SHAPE.match(r.json()["detail"])
        assert 1.0 <= waited < 15, waited
    assert client.get("/api/kpi", params={"period": "2025-03", "scope": "manufacturing"}).status_code == 200     # places free again


def test_joining_another_requests_computation_is_bounded_too(monkeypatch):
    """A request joining the same answer computed by another waits at most the queue wait (503); the
    computation goes on and its owner gets the answer; the server's own work joins without a bound."""
    from chainbrain.web.flights import Flights

    monkeypatch.setenv("CHAINBRAIN_QUEUE_WAIT_S", "0.5")
    flights, release, out = Flights(), threading.Event(), {}
    started = threading.Event()

    def owner():
        def work():
            started.set()
            release.wait(10)
            return 42
        out["owner"] = flights.run(("v", "k"), work)

    def joiner(caller, name):
        CALLER.set(caller)
        try:
            out[name] = flights.run(("v", "k"), lambda: -1)
        except Busy as exc:
            out[name] = exc.status

    th = threading.Thread(target=owner)
    th.start()
    assert started.wait(5)
    t0 = time.perf_counter()
    j = threading.Thread(target=joiner, args=("session:j", "request"))
    j.start()
    j.join(5)
    assert out["request"] == 503 and 0.5 <= time.perf_counter() - t0 < 5
    w = threading.Thread(target=joiner, args=(None, "server"))     # the warm-up: no caller, no bound
    w.start()
    time.sleep(0.8)
    assert "server" not in out
    release.set()
    th.join(5)
    w.join(5)
    assert out["owner"] == 42 and out["server"] == 42
