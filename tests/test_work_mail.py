"""E-mail copies of inbox notifications, against a REAL SMTP server started here
(``smtp_receiver.py``), on DuckDB and PostgreSQL; users' e-mail addresses (validation, CLI).

Fixture: the hand-made web dataset (web_fixture, no tasks). ``lx_county`` (county 360402) gets
the address lx@county.example; an enterprise request of ent3 for 要素保障 is routed to county
360402, so it notifies exactly one user — lx_county — and must give exactly one mail.
"""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import web_fixture as W
from chainbrain.cli import app as cli_app
from chainbrain.store import open_store
from chainbrain.store.schema_work import inbox_message as im
from chainbrain.web import create_app
from chainbrain.web.users import UserError, check_email, lookup, set_email
from chainbrain.work import inbox, mail
from smtp_receiver import SMTPReceiver

ADDRESS = "lx@county.example"
REQUEST = {"title": "用电增容", "category": "要素保障", "description": "新产线需要增容 2000 千伏安"}


def _mail_env(monkeypatch, port: int, enabled: bool = True) -> None:
    monkeypatch.setenv("CHAINBRAIN_MAIL_ENABLED", "true" if enabled else "false")
    monkeypatch.setenv("CHAINBRAIN_MAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("CHAINBRAIN_MAIL_PORT", str(port))
    monkeypatch.setenv("CHAINBRAIN_MAIL_STARTTLS", "false")
    monkeypatch.setenv("CHAINBRAIN_MAIL_FROM", "chainbrain@prov.example")
    monkeypatch.setenv("CHAINBRAIN_MAIL_BASE_URL", "https://cb.prov.example/")
    monkeypatch.setenv("CHAINBRAIN_MAIL_TIMEOUT", "5")


def _free_port() -> int:
    """A port nobody listens on (bound, then released): connecting to it is refused."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def db(db_any, monkeypatch):
    for k in ("CHAINBRAIN_CONFIG", "CHAINBRAIN_MAIL_ENABLED"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.chdir(W.__file__.rsplit("/", 1)[0])          # no chainbrain.toml here
    W.build(db_any, tasks=False)
    store = open_store(db_any)
    try:
        assert set_email(store, "lx_county", ADDRESS)
    finally:
        store.close()
    return db_any


def _submit(db_path):
    app = create_app(db_path)
    with TestClient(app) as c:
        r = c.post("/api/login", json={"username": "ent3", "password": W.password("ent3")})
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        r = c.post("/api/requests", json=REQUEST)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    store = open_store(db_path)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(sa.select(im).where(im.c.entity == "request", im.c.entity_id == rid)).all()
    finally:
        store.close()
    return rid, rows


def test_one_notification_one_mail(db, monkeypatch):
    with SMTPReceiver() as rx:
        _mail_env(monkeypatch, rx.port)
        rid, rows = _submit(db)
    assert len(rows) == 1                                         # lx_county only
    assert len(rx.messages) == 1
    sender, rcpts, msg = rx.messages[0]
    assert (sender, rcpts, msg["To"]) == ("chainbrain@prov.example", [ADDRESS], ADDRESS)
    assert msg["Subject"] == f"【产业链大脑】新诉求 #{rid}：用电增容"
    body = msg.get_content()
    assert f"新诉求 #{rid}：用电增容" in body and f"查看详情：https://cb.prov.example/requests/{rid}" in body
    row = rows[0]
    assert (row.mail_state, row.mail_error) == ("sent", None) and row.mail_sent_at is not None


def test_disabled_sends_nothing(db, monkeypatch):
    with SMTPReceiver() as rx:
        _mail_env(monkeypatch, rx.port, enabled=False)
        _, rows = _submit(db)
        monkeypatch.setenv("CHAINBRAIN_MAIL_ENABLED", "true")    # enabling later does not mail old notices
        store = open_store(db)
        try:
            assert mail.dispatch(store) == {"sent": 0, "failed": 0}
        finally:
            store.close()
    assert rx.messages == []
    assert [(r.mail_state, r.mail_error) for r in rows] == [(None, None)]


def test_server_down_request_succeeds_and_error_is_recorded(db, monkeypatch):
    _mail_env(monkeypatch, _free_port())
    _, rows = _submit(db)                                         # 201 checked inside
    assert [r.mail_state for r in rows] == ["failed"]
    assert "ConnectionRefusedError" in rows[0].mail_error and rows[0].mail_sent_at is None


def test_nothing_is_sent_from_a_rolled_back_transaction(db, monkeypatch):
    store = open_store(db)
    uid = lookup(store, "lx_county").id
    try:
        with SMTPReceiver() as rx:
            _mail_env(monkeypatch, rx.port)
            with pytest.raises(RuntimeError), store.begin() as conn:
                assert inbox.notify(conn, "回滚的通知", "/tasks/1", user=uid) == 1
                raise RuntimeError("the work write fails after notifying")
            assert mail.dispatch(store) == {"sent": 0, "failed": 0}
            with store.begin() as conn:
                inbox.notify(conn, "提交的通知 / committed", "/tasks/1", user=uid)
                if store.kind != "duckdb":          # (DuckDB: one connection, no second transaction beside it)
                    assert mail.dispatch(store) == {"sent": 0, "failed": 0}     # not yet committed: not visible
            assert mail.dispatch(store) == {"sent": 1, "failed": 0}
            assert mail.dispatch(store) == {"sent": 0, "failed": 0}         # never twice
        assert [m[2]["Subject"] for m in rx.messages] == ["【产业链大脑】提交的通知"]
    finally:
        store.close()


@pytest.mark.parametrize("value,ok", [
    ("a@b.cn", True), ("first.last+tag@mail.gov.cn", True), (" lx@county.example ", True),
    ("", True), (None, True),
    ("plainaddress", False), ("a@b", False), ("a@@b.cn", False), (".a@b.cn", False), ("a..b@c.cn", False),
    ("a b@c.cn", False), ("a@-b.cn", False), ("a@b.cn.", False), ("x" * 65 + "@b.cn", False),
    ("a@" + "b" * 250 + ".cn", False)])
def test_email_validation(value, ok):
    if ok:
        assert check_email(value) == (value.strip() if value and value.strip() else None)
    else:
        with pytest.raises(UserError, match=r"is not a valid e-mail address \(.*不是有效的电子邮件地址\)"):
            check_email(value)


def test_users_cli_email(tmp_path):
    db = W.build(tmp_path / "cli.duckdb", tasks=False)
    run = CliRunner().invoke
    r = run(cli_app, ["users", "add", "--db", db, "--username", "mailer", "--role", "viewer",
                      "--password", "pw-mailer-12345", "--email", "not-an-address"])
    assert r.exit_code == 2 and "not a valid e-mail address" in r.output and "不是有效的电子邮件地址" in r.output
    r = run(cli_app, ["users", "add", "--db", db, "--username", "mailer", "--role", "viewer",
                      "--password", "pw-mailer-12345", "--email", "m@prov.example"])
    assert r.exit_code == 0, r.output
    r = run(cli_app, ["users", "set", "mailer", "--db", db, "--email", "bad@"])
    assert r.exit_code == 2 and "不是有效的电子邮件地址" in r.output
    r = run(cli_app, ["users", "set", "nobody", "--db", db, "--email", "n@prov.example"])
    assert r.exit_code == 2 and "无此用户" in r.output
    r = run(cli_app, ["users", "list", "--db", db, "--json"])
    assert {u["username"]: u["email"] for u in __import__("json").loads(r.output)}["mailer"] == "m@prov.example"
    assert run(cli_app, ["users", "set", "mailer", "--db", db, "--email", ""]).exit_code == 0
    store = open_store(db)
    try:
        assert lookup(store, "mailer").email is None
    finally:
        store.close()


def test_settings_from_the_file_and_password_from_the_named_variable(db, monkeypatch, tmp_path):
    """[mail] read from chainbrain.toml (off unless enabled); the password comes from the variable the
    file names, and a missing variable fails the sending with the error recorded."""
    from chainbrain.config import load_settings

    for k in ("HOST", "PORT", "STARTTLS", "FROM", "BASE_URL", "TIMEOUT"):
        monkeypatch.delenv(f"CHAINBRAIN_MAIL_{k}", raising=False)
    f = tmp_path / "chainbrain.toml"
    monkeypatch.setenv("CHAINBRAIN_CONFIG", str(f))
    f.write_text("[mail]\nhost = \"127.0.0.1\"\n", encoding="utf-8")
    assert (load_settings().mail_enabled, mail.enabled()) == (False, False)          # off by default
    store = open_store(db)
    uid = lookup(store, "lx_county").id
    try:
        with SMTPReceiver() as rx:
            f.write_text(f"[mail]\nenabled = true\nhost = \"127.0.0.1\"\nport = {rx.port}\nstarttls = false\n"
                         "username = \"cb\"\npassword_env = \"CB_TEST_SMTP_PW\"\nfrom = \"产业链大脑 <cb@prov.example>\"\n",
                         encoding="utf-8")
            monkeypatch.delenv("CB_TEST_SMTP_PW", raising=False)
            with store.begin() as conn:
                inbox.notify(conn, "第一条", "/tasks/1", user=uid)
            assert mail.dispatch(store) == {"sent": 0, "failed": 1}
            monkeypatch.setenv("CB_TEST_SMTP_PW", "s3cret-pw")
            with store.begin() as conn:
                inbox.notify(conn, "第二条", None, user=uid)
            assert mail.dispatch(store) == {"sent": 1, "failed": 0}
        with store.engine.connect() as conn:
            rows = conn.execute(sa.select(im.c.text, im.c.mail_state, im.c.mail_error)
                                .where(im.c.user_id == uid, im.c.mail_state.isnot(None)).order_by(im.c.id)).all()
    finally:
        store.close()
    assert rx.logins == [("cb", "s3cret-pw")]
    assert rows[0].mail_state == "failed" and "CB_TEST_SMTP_PW is not set" in rows[0].mail_error
    assert (rows[1].text, rows[1].mail_state) == ("第二条", "sent")
    (_, rcpts, msg), = rx.messages
    assert rcpts == [ADDRESS] and msg["From"].addresses[0].addr_spec == "cb@prov.example"
    assert "查看详情" not in msg.get_content()                             # no link, no link line


def test_work_tick_mails_its_reminders_after_its_jobs(tmp_path, monkeypatch):
    """``chainbrain work tick``: task #1 of web_fixture (unit P-FIN, due 2026-10-30) is overdue on
    2026-11-20; the overdue reminder to fin_unit (fin@unit.example) is mailed, the summary says so."""
    import json

    monkeypatch.delenv("CHAINBRAIN_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    db = W.build(tmp_path / "tick.duckdb")
    with open_store(db) as store:
        set_email(store, "fin_unit", "fin@unit.example")
    with SMTPReceiver() as rx:
        _mail_env(monkeypatch, rx.port)
        r = CliRunner().invoke(cli_app, ["work", "tick", "--db", db, "--today", "2026-11-20"])
        assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    fin = [m for m in rx.messages if m[1] == ["fin@unit.example"]]
    assert out["mail"] == {"sent": len(rx.messages), "failed": 0} and len(fin) >= 1
    assert any(m[2]["Subject"].startswith("【产业链大脑】逾期提醒：设立链上企业专项信贷产品") for m in fin)


@pytest.mark.parametrize("text,subject", [
    ("新任务：甲（完成时限 2026-10-30） / New task: 甲 (due 2026-10-30)", "【产业链大脑】新任务：甲（完成时限 2026-10-30）"),
    ("\n第二行才有字\n第三行", "【产业链大脑】第二行才有字"),
    (" / English only", "【产业链大脑】工作通知"), ("", "【产业链大脑】工作通知"),
    ("长" * 81, "【产业链大脑】" + "长" * 79 + "…"), ("长" * 80, "【产业链大脑】" + "长" * 80)])
def test_subject_is_the_chinese_first_line_at_most_80(text, subject, monkeypatch):
    monkeypatch.delenv("CHAINBRAIN_CONFIG", raising=False)
    msg = mail.compose(text, "/tasks/1", "a@b.cn", mail.settings())
    assert msg["Subject"] == subject and "查看详情：/tasks/1" in msg.get_content()
