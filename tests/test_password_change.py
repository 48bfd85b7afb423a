"""A reset password must be changed at the next sign-in, and a user changes its own password (#20).

Store part on DuckDB and PostgreSQL (migration 0029's column, reset, the change's checks); the web
part on DuckDB through the app (the gate over pages and the API, CSRF, audit, sessions). Argon2
checks cost about half a second each here, so the tests keep them few.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from chainbrain.store import open_store
from chainbrain.store.admin import init_store
from chainbrain.web import create_app
from chainbrain.web.password_gate import MESSAGE
from chainbrain.web.users import UserError, WrongPassword, add_user, change_password, reset_password

NEW = "amber-kettle-2031"


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    from conftest import new_db

    s = open_store(new_db(request.param, tmp_path, request))
    init_store(s)
    yield s
    s.close()


def flag(store, name: str):
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT must_change_password FROM user_account WHERE username = :u"),
                            {"u": name}).scalar()


def test_reset_marks_the_account_and_only_a_valid_new_password_clears_it(store):
    with store.engine.connect() as conn:                       # migration 0029 ran on this engine
        cols = {c["name"] for c in sa.inspect(conn).get_columns("user_account")}
    assert "must_change_password" in cols
    u = add_user(store, "li.na", "first-secret-2026", "viewer")
    assert not u.must_change and flag(store, "li.na") is False
    once = reset_password(store, "li.na")
    assert flag(store, "li.na") is True
    with pytest.raises(WrongPassword, match=r"\(当前密码不正确\)"):
        change_password(store, u.id, "first-secret-2026", NEW)             # the old password is gone
    with pytest.raises(UserError, match=r"^the new password must differ .*\(新密码不能与当前密码相同\)$"):
        change_password(store, u.id, once, once)                           # the reset one again
    with pytest.raises(UserError, match=r"\(密码过于常见"):
        change_password(store, u.id, once, "Password2024!")                # policy
    assert flag(store, "li.na") is True                                     # nothing changed so far
    changed = change_password(store, u.id, once, NEW)
    assert changed.username == "li.na" and not changed.must_change and flag(store, "li.na") is False


def test_a_change_cannot_go_back_to_one_of_the_last_n_passwords(store, monkeypatch):
    """Migration 0035's history: with ``password_history = 2`` the password before a reset and the one
    before that are refused (at the boundary: the third-last is allowed again), on both stores."""
    monkeypatch.setenv("CHAINBRAIN_PASSWORD_HISTORY", "2")
    with store.engine.connect() as conn:
        assert "password_history" in sa.inspect(conn).get_table_names()
    first, second = "first-secret-2026", "second-secret-2026"
    u = add_user(store, "wu.lei", first, "viewer")
    change_password(store, u.id, first, second)                        # history: first
    once = reset_password(store, "wu.lei")                             # history: second, first
    with pytest.raises(UserError, match=r"last 2 .*\(新密码与最近 2 次用过的密码之一相同"):
        change_password(store, u.id, once, first)                      # the one before the reset's predecessor
    with pytest.raises(UserError, match=r"\(新密码与最近 2 次"):
        change_password(store, u.id, once, second)                     # the one the reset replaced
    change_password(store, u.id, once, NEW)                            # history: once, second (first dropped)
    with store.engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT count(*) FROM password_history WHERE user_id = :u"), {"u": u.id}).scalar()
    assert kept == 2
    change_password(store, u.id, NEW, first)                           # third-last: allowed again


# ---------------------------------------------------------------- web
@pytest.fixture(scope="module")
def app(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("pwchange") / "pw.duckdb")
    with open_store(path) as s:
        init_store(s)
        add_user(s, "admin", "admin-pass-2026-x", "province_admin")
        add_user(s, "zhao", "zhao-pass-2026-x", "viewer")
    return create_app(path)


def rows(app, sql: str, **params) -> list:
    with app.state.web.store.engine.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def test_after_a_reset_only_the_change_page_answers_until_a_new_password_is_set(app):
    store = app.state.web.store
    with app.state.web.lock:
        once = reset_password(store, "zhao")
    c = TestClient(app, client=("198.51.100.7", 4000))
    r = c.post("/api/login", json={"username": "zhao", "password": once})
    assert r.status_code == 200 and r.json()["must_change_password"] is True
    csrf = r.json()["csrf_token"]
    old_cookie = c.cookies.get("cb_session")
    for path in ("/", "/chains", "/search?q=x", "/enterprises"):
        g = c.get(path, follow_redirects=False)
        assert g.status_code == 303 and g.headers["location"] == "/password", path
    for method, path in (("GET", "/api/chains"), ("GET", "/api/search?q=x"), ("POST", "/api/requests")):
        a = c.request(method, path, headers={"X-CSRF-Token": csrf})
        assert a.status_code == 403 and a.json() == {"detail": MESSAGE}, (method, path)
    page = c.get("/password")
    assert page.status_code == 200 and 'data-testid="password-forced"' in page.text
    assert 'data-testid="nav-chains"' not in page.text                         # no way elsewhere
    body = {"current_password": once, "new_password": NEW}
    assert c.post("/api/password", json=body).status_code == 403                # CSRF token needed
    bad = c.post("/api/password", json={**body, "current_password": "not-the-one-2026"},
                 headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 400 and bad.json() == {"detail": "the current password is wrong (当前密码不正确)"}
    same = c.post("/api/password", json={**body, "new_password": once}, headers={"X-CSRF-Token": csrf})
    assert same.status_code == 400 and "(新密码不能与当前密码相同)" in same.json()["detail"]
    ok = c.post("/api/password", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200 and ok.json()["changed"] is True and ok.json()["csrf_token"] != csrf
    assert c.cookies.get("cb_session") != old_cookie
    assert c.get("/api/search?q=x").status_code == 200 and c.get("/search?q=x").status_code == 200
    assert c.get("/api/me").json()["must_change_password"] is False
    stale = TestClient(app, cookies={"cb_session": old_cookie})                 # the old session ended
    assert stale.get("/api/me").json() == {"signed_in": False}
    again = TestClient(app, client=("198.51.100.8", 4000))
    assert again.post("/api/login", json={"username": "zhao", "password": once}).status_code == 401
    audit = [(r.action, json.loads(r.detail)) for r in rows(app, "SELECT action, detail FROM audit_log "
                                                              "WHERE actor = 'zhao' AND action LIKE 'password%' "
                                                              "ORDER BY id")]
    assert [a for a, _ in audit] == ["password_change_failed", "password_change_failed", "password_changed"]
    assert "wrong" in audit[0][1]["reason"] and audit[2][1]["forced"] is True


def test_a_signed_in_user_changes_its_own_password_by_the_form(app):
    c = TestClient(app, client=("198.51.100.9", 4000))
    r = c.post("/api/login", json={"username": "admin", "password": "admin-pass-2026-x"})
    assert r.status_code == 200 and r.json()["must_change_password"] is False
    assert c.get("/search?q=x").status_code == 200                              # no gate without a reset
    page = c.get("/password")
    assert page.status_code == 200 and 'data-testid="password-forced"' not in page.text
    form = {"current_password": "admin-pass-2026-x", "new_password": "violet-harbor-2040",
            "confirm_password": "violet-harbor-2040"}
    assert c.post("/password", data=form, follow_redirects=False).status_code == 403          # no CSRF token
    token = r.json()["csrf_token"]
    differ = c.post("/password", data={**form, "confirm_password": "violet-harbor-2041", "csrf_token": token})
    assert differ.status_code == 400 and "(两次输入的新密码不一致)" in differ.text
    done = c.post("/password", data={**form, "csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/password/done"
    assert 'data-testid="password-done"' in c.get("/password/done").text
    changed = rows(app, "SELECT detail FROM audit_log WHERE actor = 'admin' AND action = 'password_changed'")
    assert [json.loads(r.detail)["forced"] for r in changed] == [False]


def test_users_commands_mark_and_clear_a_temporary_password(app):
    from typer.testing import CliRunner

    from chainbrain.cli.users import app as users_app

    db = app.state.web.store.db                                            # the CLI beside the app, as in test_signin
    run = CliRunner().invoke
    r = run(users_app, ["add", "--db", db, "--username", "sun", "--role", "viewer", "--temporary", "--password-stdin"],
            input="sun-first-pass-2026\n")
    assert r.exit_code == 0, r.output
    listed = run(users_app, ["list", "--db", db])
    assert listed.output.rstrip().endswith("(must change password)")
    assert run(users_app, ["passwd", "sun", "--db", db, "--password-stdin"], input=f"{NEW}\n").exit_code == 0
    assert flag(app.state.web.store, "sun") is False                      # an administrator's passwd: not temporary
    r = run(users_app, ["reset", "sun", "--db", db])
    assert r.exit_code == 0 and "to be changed at the next sign-in" in r.output
    assert flag(app.state.web.store, "sun") is True
