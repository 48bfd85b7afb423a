"""Safe sign-in (#20): attempts counted before the password check, back-off per pair, address and
user, rate-limited audit of refusals, trusted proxies, password policy, rehash, the users
commands, and the security headers and cookies.

The store is a bare one (catalog only) with three accounts; argon2 checks cost about half a
second each here, so the HTTP tests keep them few and the throttle's arithmetic is tested on
the store directly, at fixed times.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import json
import os
import stat
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chainbrain.store import open_store
from chainbrain.store.admin import init_store
from chainbrain.web import create_app, throttle
from chainbrain.web.passwords import problem
from chainbrain.web.proxies import client_address, parse
from chainbrain.web.users import UserError, add_user

PW = {"admin": "admin-pass-2026-x", "victim": "victim-pass-2026-x", "owner": "owner-pass-2026-x"}
PROXY = "10.0.0.0/8"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("signin") / "signin.duckdb")
    with open_store(path) as store:
        init_store(store)
        add_user(store, "admin", PW["admin"], "province_admin")
        add_user(store, "victim", PW["victim"], "viewer")
        add_user(store, "owner", PW["owner"], "viewer")
    return path


@pytest.fixture(scope="module")
def app(db):
    return create_app(db, trusted_proxies=(PROXY,))


def rows(app, sql: str, **params) -> list:
    with app.state.web.store.engine.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def client(app, ip: str, **kw) -> TestClient:
    return TestClient(app, client=(ip, 40000), **kw)


# ---------------------------------------------------------------- policy
def test_password_policy_at_its_boundaries():
    assert problem("kite-lamp-91") is None                                     # 12 characters
    assert "at least 12" in problem("kite-lamp-9")                             # 11
    assert "at most 200" in problem("k" * 150 + "-lamp-" + "9" * 45)           # 201
    assert problem("x" * 194 + "-lamp9") is None                               # 200
    assert "too common" in problem("qwertyuiop123")                            # the list (Royce Williams)
    assert "too common" in problem("Password2024!")                            # its core: "password"
    assert "too common" in problem("ChainBrain-2026")                          # the service's name
    assert "too common" in problem("woaini1314520")                            # common in China
    assert "user name" in problem("zhang.wei.2026", "zhang.wei.2026")
    assert "user name" in problem("Zhang.Wei-123456", "zhang.wei")            # the name with digits around it
    assert "repeats" in problem("zqxzqxzqxzqx")                                # three different characters
    assert problem("zqxvzqxvzqxv") is None                                     # four
    with pytest.raises(UserError, match=r"\(密码至少 12 位\)"):
        add_user(None, "someone", "short-pass", "viewer")                   # refused before the store is touched


# ---------------------------------------------------------------- throttle arithmetic
def test_back_off_doubles_from_the_free_failures_and_is_capped():
    pair = throttle.RULES[0]
    assert (pair.kind, pair.free) == ("pair", 5)
    assert [throttle.pause(n, pair) for n in (4, 5, 6, 7)] == [0, 60, 120, 240]
    assert throttle.pause(11, pair) == 3600 and throttle.pause(500, pair) == 3600
    t0 = dt.datetime(2026, 1, 1, 12)
    row = SimpleNamespace(failures=5, updated_at=t0, pending=0, reserved_at=None, blocked_until=None)
    assert throttle.settle(row, pair, t0 + dt.timedelta(seconds=899)) == (5, t0)          # 15 min: one forgotten
    assert throttle.settle(row, pair, t0 + dt.timedelta(seconds=900)) == (4, t0 + dt.timedelta(seconds=900))
    assert throttle.settle(row, pair, t0 + dt.timedelta(hours=5))[0] == 0
    busy = SimpleNamespace(failures=4, updated_at=t0, pending=1, reserved_at=t0, blocked_until=None)
    assert throttle.refusal(busy, pair, t0) is not None                                  # 4 + 1 in flight = 5
    assert throttle.refusal(busy, pair, t0 + throttle.STALE) is None                     # a stale reservation
    assert throttle.refusal(SimpleNamespace(**{**vars(busy), "failures": 3}), pair, t0) is None


def _fail(store, user, ip, now, n=1):
    for _ in range(n):
        v = throttle.reserve(store, user, ip, now)
        assert v.allowed, v
        throttle.release(store, user, ip, False, now)


def test_pair_address_and_user_limits(app):
    store = app.state.web.store
    t0 = dt.datetime(2026, 3, 1, 9)
    _fail(store, "alice", "198.51.100.1", t0, 5)                               # five free failures
    v = throttle.reserve(store, "alice", "198.51.100.1", t0)
    assert (v.allowed, v.rule, v.retry_after, v.audit) == (False, "pair", 60, True)
    assert throttle.reserve(store, "alice", "198.51.100.1", t0 + dt.timedelta(seconds=30)).audit is False
    assert throttle.reserve(store, "alice", "198.51.100.2", t0).allowed                  # the owner elsewhere
    throttle.release(store, "alice", "198.51.100.2", True, t0)
    t1 = t0 + dt.timedelta(seconds=60)                                         # the pause is over: one probe
    assert throttle.reserve(store, "alice", "198.51.100.1", t1).allowed
    assert not throttle.reserve(store, "alice", "198.51.100.1", t1).allowed    # ... at a time
    throttle.release(store, "alice", "198.51.100.1", False, t1)
    v = throttle.reserve(store, "alice", "198.51.100.1", t1 + dt.timedelta(seconds=119))
    assert (v.allowed, v.retry_after, v.audit) == (False, 1, True)             # 120 s now, a new pause audited
    t2 = t1 + dt.timedelta(seconds=120)
    assert throttle.reserve(store, "alice", "198.51.100.1", t2).allowed
    throttle.release(store, "alice", "198.51.100.1", True, t2)                 # a success forgets the pair
    _fail(store, "alice", "198.51.100.1", t2, 4)
    assert throttle.reserve(store, "alice", "198.51.100.1", t2).allowed       # 4 failures since: the 5th allowed
    throttle.release(store, "alice", "198.51.100.1", True, t2)
    # one address, many names: the 20th failure pauses the address for every name (and only there)
    _seed(store, "addr:198.51.100.99", 18, t2)                                # as after 18 failures
    _fail(store, "spray18", "198.51.100.99", t2)
    assert throttle.reserve(store, "spray19", "198.51.100.99", t2).allowed    # 19: still allowed
    throttle.release(store, "spray19", "198.51.100.99", False, t2)
    v = throttle.reserve(store, "someone-else", "198.51.100.99", t2)
    assert (v.allowed, v.rule, v.retry_after) == (False, "addr", 60)
    assert throttle.reserve(store, "someone-else", "198.51.100.98", t2).allowed
    # one name, many addresses: the 50th failure pauses the name everywhere, for 30 s
    _seed(store, "user:bob", 48, t2)
    _fail(store, "bob", "203.0.113.1", t2)
    assert throttle.reserve(store, "bob", "192.0.2.77", t2).allowed           # 49 failures: still allowed
    throttle.release(store, "bob", "192.0.2.77", False, t2)
    v = throttle.reserve(store, "bob", "192.0.2.78", t2)
    assert (v.allowed, v.rule, v.retry_after) == (False, "user", 30)
    assert throttle.reserve(store, "bob", "192.0.2.78", t2 + dt.timedelta(seconds=30)).allowed


def _seed(store, key, failures, now):
    """A key as ``failures`` failures at ``now`` leave it (the arithmetic is the same for each)."""
    with store.begin() as conn:
        conn.execute(sa.text("INSERT INTO login_throttle (key, failures, pending, updated_at) VALUES (:k, :n, 0, :t)"),
                     {"k": key, "n": failures, "t": now})


# ---------------------------------------------------------------- over HTTP
def test_thirty_concurrent_wrong_passwords_reach_the_check_five_times(app):
    """The issue's attack: 30 at once, from one address (X-Forwarded-For forged with a new address
    each time, from a peer that is not a trusted proxy), then the owner from another address."""
    def attempt(i):
        c = client(app, "127.0.0.1")
        r = c.post("/api/login", json={"username": "victim", "password": f"guess-number-{i:03d}"},
                   headers={"X-Forwarded-For": f"192.0.2.{i}"})
        return r.status_code, r.headers.get("retry-after"), r.json()["detail"]

    with cf.ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(attempt, range(30)))
    codes = sorted(a[0] for a in answers)
    assert (codes.count(401), codes.count(429)) == (5, 25), codes
    assert all(int(a[1]) >= 1 and "Too many attempts" in a[2] for a in answers if a[0] == 429)
    checked = rows(app, "SELECT ok FROM login_attempt WHERE username = 'victim'")
    assert len(checked) == codes.count(401) and not any(r.ok for r in checked)
    blocked = rows(app, "SELECT detail FROM audit_log WHERE action = 'login_blocked' AND actor = 'victim'")
    assert len(blocked) == 1 and json.loads(blocked[0].detail)["client"] == "127.0.0.1"
    # the pair is paused: even the right password waits, from that address
    r = client(app, "127.0.0.1").post("/api/login", json={"username": "victim", "password": PW["victim"]})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 1
    assert len(rows(app, "SELECT 1 FROM audit_log WHERE action = 'login_blocked' AND actor = 'victim'")) == 1
    # the owner, elsewhere, is not locked out
    r = client(app, "198.51.100.9").post("/api/login", json={"username": "victim", "password": PW["victim"]})
    assert r.status_code == 200 and r.json()["username"] == "victim"


def test_forwarded_for_is_read_only_from_a_trusted_proxy(app):
    r = client(app, "10.1.2.3").post("/api/login", json={"username": "owner", "password": PW["owner"]},
                                     headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.50, 10.9.9.9"})
    assert r.status_code == 200
    detail = rows(app, "SELECT detail FROM audit_log WHERE action = 'login' AND actor = 'owner' ORDER BY id DESC")
    assert json.loads(detail[0].detail)["client"] == "203.0.113.50"       # rightmost hop not a trusted proxy
    nets = parse(["10.0.0.0/8", "::1"])
    assert client_address("127.0.0.1", ["1.2.3.4"], ()) == "127.0.0.1"     # none configured: the peer
    assert client_address("127.0.0.1", ["1.2.3.4"], nets) == "127.0.0.1"   # the peer is not trusted
    assert client_address("::1", ["[2001:db8::7]:443"], nets) == "2001:db8::7"
    assert client_address("10.0.0.1", ["10.0.0.2"], nets) == "10.0.0.2"    # every hop trusted: the first
    with pytest.raises(ValueError, match="not an IP address or CIDR"):
        parse(["10.0.0.0/33"])


def test_trusted_proxies_are_configured_explicitly(monkeypatch):
    from chainbrain.config import ConfigError, load_settings

    monkeypatch.delenv("CHAINBRAIN_TRUSTED_PROXIES", raising=False)
    monkeypatch.setenv("CHAINBRAIN_CONFIG", os.devnull)
    assert load_settings().trusted_proxies == ()                             # localhost is not trusted
    monkeypatch.setenv("CHAINBRAIN_TRUSTED_PROXIES", "10.0.0.0/8, ::1")
    assert load_settings().trusted_proxies == ("10.0.0.0/8", "::1")
    monkeypatch.setenv("CHAINBRAIN_TRUSTED_PROXIES", "10.0.0.0/8,proxy.local")
    with pytest.raises(ConfigError, match=r"'proxy.local' is not an IP address.*\(可信代理"):
        load_settings()


def test_old_hash_parameters_are_replaced_at_sign_in(app):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PW["admin"])
    with app.state.web.store.begin() as conn:
        conn.execute(sa.text("UPDATE user_account SET password_hash = :h WHERE username = 'admin'"), {"h": weak})
    r = client(app, "198.51.100.20").post("/api/login", json={"username": "admin", "password": PW["admin"]})
    assert r.status_code == 200
    new = rows(app, "SELECT password_hash FROM user_account WHERE username = 'admin'")[0].password_hash
    assert new != weak and new.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


# ---------------------------------------------------------------- commands
def test_users_passwd_reset_and_password_stdin(db, app, tmp_path):
    from chainbrain.cli.users import app as users_app

    run = CliRunner().invoke
    r = run(users_app, ["add", "--db", db, "--username", "newbie", "--role", "viewer", "--password-stdin"],
            input="newbie-pass-2026\n")
    assert r.exit_code == 0, r.output
    r = run(users_app, ["passwd", "newbie", "--db", db, "--password-stdin"], input="password12345\n")
    assert r.exit_code == 2 and r.output.strip().splitlines() == ["error: password is too common: choose another "
                                                                  "(密码过于常见，请换一个)"]
    r = run(users_app, ["passwd", "newbie", "--db", db, "--password", "x", "--password-stdin"], input="y\n")
    assert r.exit_code == 2 and "not both" in r.output
    r = run(users_app, ["passwd", "nobody", "--db", db], input="fresh-secret-2026\nfresh-secret-2026\n")
    assert r.exit_code == 2 and "no user 'nobody'" in r.output
    _seed(app.state.web.store, "user:newbie", 60, dt.datetime.now())             # paused everywhere ...
    _seed(app.state.web.store, "pair:198.51.100.30|newbie", 9, dt.datetime.now())
    r = run(users_app, ["reset", "newbie", "--db", db])
    assert r.exit_code == 0, r.output                                             # ... until reset
    assert rows(app, "SELECT key FROM login_throttle WHERE key LIKE '%newbie%'") == []
    once = r.output.strip().rsplit(" ", 1)[1]
    out = tmp_path / "newbie.txt"
    r = run(users_app, ["reset", "newbie", "--db", db, "--output", str(out)])
    assert r.exit_code == 0 and str(out) in r.output and once not in r.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    written = out.read_text().strip()
    assert problem(written, "newbie") is None and written != once
    r = run(users_app, ["reset", "newbie", "--db", db, "--output", str(out)])          # never over a file
    assert r.exit_code == 2 and "cannot create" in r.output and out.read_text().strip() == written
    c = client(app, "198.51.100.30")
    assert c.post("/api/login", json={"username": "newbie", "password": once}).status_code == 401
    assert c.post("/api/login", json={"username": "newbie", "password": written}).status_code == 200
    ops = [json.loads(r.detail)["op"] for r in rows(app, "SELECT detail FROM audit_log WHERE actor LIKE 'cli:%' "
                                                        "AND detail LIKE '%newbie%' ORDER BY id")]
    assert ops == ["add", "reset", "reset"]


# ---------------------------------------------------------------- headers and cookies
def test_csp_no_store_and_secure_host_cookies(db, app):
    plain = client(app, "198.51.100.40")
    page = plain.get("/login")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store" and "strict-transport-security" not in page.headers
    assert plain.get("/api/me").headers["cache-control"] == "no-store"
    assert "cache-control" not in plain.get("/static/app.css").headers
    assert "<script>" not in page.text and " onclick=" not in page.text
    secure = create_app(db, secure_cookies=True)
    c = client(secure, "198.51.100.41", base_url="https://testserver")
    page = c.get("/login")
    assert page.headers["strict-transport-security"] == "max-age=31536000"
    assert page.headers["set-cookie"].startswith("__Host-cb_csrf=") and "secure" in page.headers["set-cookie"].lower()
    r = c.post("/api/login", json={"username": "owner", "password": PW["owner"]})
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("__Host-cb_session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    assert c.get("/api/me").json()["username"] == "owner"
    assert c.get("/search", params={"period": "2025-06"}).headers["set-cookie"].startswith("__Host-cb_period=2025-06")
    forged = client(secure, "198.51.100.42", base_url="https://testserver")
    forged.cookies.set("cb_session", c.cookies.get("__Host-cb_session"))
    assert forged.get("/api/me").json() == {"signed_in": False}                  # only the __Host- name counts
    out = c.post("/api/logout", headers={"X-CSRF-Token": r.json()["csrf_token"]})
    assert out.headers["set-cookie"].startswith("__Host-cb_session=\"\"") or \
        out.headers["set-cookie"].startswith("__Host-cb_session=;")


@pytest.mark.postgres
def test_reservations_are_atomic_between_processes_on_postgresql(tmp_path, request):
    """Worker processes share no lock: three stores (three connection pools, as three workers
    have) reserve 30 attempts at once on one PostgreSQL database; the rows' locks let five through."""
    from conftest import new_db

    db = new_db("postgres", tmp_path, request)
    stores = [open_store(db) for _ in range(3)]
    try:
        from chainbrain.store.schema_users import login_throttle

        login_throttle.create(stores[0].engine)               # the one table needed (migrations: test_store)
        now = dt.datetime(2026, 3, 2, 9)
        with cf.ThreadPoolExecutor(max_workers=30) as pool:
            verdicts = list(pool.map(lambda i: throttle.reserve(stores[i % 3], "carol", "198.51.100.5", now),
                                     range(30)))
        assert sum(v.allowed for v in verdicts) == 5
        assert sum(v.audit for v in verdicts) == 1                          # one audit row for the refusals
        with stores[1].engine.connect() as conn:
            pending = conn.execute(sa.text("SELECT pending FROM login_throttle WHERE key LIKE 'pair:%'")).scalar()
        assert pending == 5
    finally:
        for s in stores:
            s.close()
