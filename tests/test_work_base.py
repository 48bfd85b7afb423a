"""The work system's base: working-day calendar, workflow refusals, version conflicts, audit
trail, inbox and the ``unit`` role — on DuckDB and PostgreSQL (``store_any``)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from chainbrain.store.schema_work import work_request_group
from chainbrain.web.users import UserError, add_user
from chainbrain.work import inbox, records
from chainbrain.work.calendar import FALLBACK, PACK, PACKAGE, WorkCalendar, default_calendar
from chainbrain.work.workflow import Refused, Workflow

D = dt.date


# ---------------------------------------------------------------- calendar
def test_official_holiday_and_make_up_saturday():
    cal = WorkCalendar()
    assert not cal.is_working_day(D(2026, 10, 1))            # 国庆节 (Thursday)
    assert not cal.is_working_day(D(2026, 10, 7))            # 国庆节 (Wednesday)
    assert cal.is_working_day(D(2026, 10, 10))               # 调休上班 (Saturday)
    assert cal.is_working_day(D(2026, 9, 20))                # 调休上班 (Sunday)
    assert not cal.is_working_day(D(2026, 10, 11))           # ordinary Sunday
    assert cal.source(D(2026, 10, 1)) == PACKAGE
    # 30 Sep (Wed) + 1 working day → 8 Oct (1–7 Oct off); + 3 → the make-up Saturday 10 Oct
    assert cal.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert cal.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert cal.add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)
    assert cal.add_working_days(D(2026, 9, 30), 0) == D(2026, 9, 30)
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert cal.working_days_between(D(2026, 10, 10), D(2026, 9, 30)) == -3
    assert cal.working_days_between(D(2026, 10, 1), D(2026, 10, 7)) == 0


def test_year_beyond_the_package_uses_pack_override_then_marked_fallback():
    cal = WorkCalendar({"years": {"2027": {"source": "test notice", "holidays": ["2027-01-01", "2027-01-04"],
                                           "workdays": ["2027-01-09"]}}})
    assert not cal.is_working_day(D(2027, 1, 1))             # Friday, holiday from the pack
    assert not cal.is_working_day(D(2027, 1, 4))             # Monday, holiday from the pack
    assert cal.is_working_day(D(2027, 1, 9))                 # Saturday, make-up day from the pack
    assert cal.is_working_day(D(2027, 1, 5))                 # Tuesday, not listed: weekday rule
    assert cal.source(D(2027, 1, 1)) == PACK and cal.source(D(2027, 1, 5)) == PACK
    # 31 Dec 2026 (Thu) + 1 → 5 Jan 2027 (1 Jan holiday, 2–3 weekend, 4 Jan holiday)
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 5)
    assert cal.working_days_between(D(2027, 1, 1), D(2027, 1, 10)) == 5     # 5,6,7,8 Jan + Sat 9 Jan
    # no data anywhere: weekends only, and marked as a fallback
    plain = WorkCalendar()
    assert plain.source(D(2028, 5, 1)) == FALLBACK
    assert plain.is_working_day(D(2028, 5, 1))               # a Monday (Labour Day in reality: unknown here)
    assert not plain.is_working_day(D(2028, 5, 6))           # Saturday
    assert plain.add_working_days(D(2028, 5, 5), 1) == D(2028, 5, 8)


def test_pack_override_file_is_read_and_wins_over_the_package(tmp_path):
    f = tmp_path / "calendar.toml"
    f.write_text('[years.2026]\nsource = "correction"\nworkdays = ["2026-10-11"]\n', encoding="utf-8")
    cal = WorkCalendar.from_file(f)
    assert cal.is_working_day(D(2026, 10, 11)) and cal.source(D(2026, 10, 11)) == PACK
    assert not cal.is_working_day(D(2026, 10, 1))            # the rest still from the package
    assert default_calendar().is_working_day(D(2026, 10, 10))   # the installed pack's file loads


def test_add_working_days_rejects_negative():
    with pytest.raises(ValueError):
        WorkCalendar().add_working_days(D(2026, 1, 5), -1)


# ---------------------------------------------------------------- workflow
FLOW = Workflow(("request", "诉求"), ["submitted", "accepted", "closed"],
                [("accept", "submitted", "accepted"), ("close", "accepted", "closed"),
                 ("reopen", "closed", "accepted")],
                {"submitted": "已提交", "accepted": "已受理", "closed": "已销号", "close": "销号"})


def test_workflow_allows_and_refuses_with_one_bilingual_message():
    assert FLOW.next_state("submitted", "accept") == "accepted"
    assert FLOW.next_state("closed", "reopen") == "accepted"
    assert FLOW.allowed("accepted") == ["close"]
    with pytest.raises(Refused) as exc:
        FLOW.next_state("submitted", "close")
    assert str(exc.value) == "cannot close a request that is submitted (「已提交」状态的诉求不能执行「销号」)"
    with pytest.raises(Refused):
        FLOW.next_state("submitted", "no_such_action")
    with pytest.raises(Refused):
        FLOW.next_state("no_such_state", "accept")


# ---------------------------------------------------------------- records (both engines)
def _group(conn, gid, title="t"):
    conn.execute(work_request_group.insert().values(id=gid, title=title, created_by="a",
                                                    created_at=records.now(), version=1))


def test_version_conflict_and_audit_trail(store_any):
    ent = ("request group", "诉求组")
    with store_any.begin() as conn:
        gid = records.new_id(conn, "work_request_group")
        assert records.new_id(conn, "work_request_group") == gid + 1      # a sequence: never reused
        _group(conn, gid)
    with store_any.begin() as conn:
        assert records.update_versioned(conn, work_request_group, gid, 1, {"title": "new"}, ent) == 2
        records.trail(conn, "alice", "request_group", gid, "edit", {"title": "t"}, {"title": "new"})
    with pytest.raises(records.Conflict) as exc, store_any.begin() as conn:      # a stale version: nothing written
        records.update_versioned(conn, work_request_group, gid, 1, {"title": "lost"}, ent)
    assert "now version 2, yours 1" in str(exc.value) and "请刷新后重试" in str(exc.value)
    with pytest.raises(records.Missing), store_any.begin() as conn:
        records.update_versioned(conn, work_request_group, gid + 100, 1, {"title": "x"}, ent)
    with store_any.engine.connect() as conn:
        row = conn.execute(sa.select(work_request_group).where(work_request_group.c.id == gid)).one()
        assert (row.title, row.version) == ("new", 2)
        hist = records.history(conn, "request_group", gid)
    assert [(h["actor"], h["actor_role"], h["action"], h["before"], h["after"]) for h in hist] == \
        [("alice", "system", "edit", {"title": "t"}, {"title": "new"})]


def test_require_version():
    assert records.require_version(3) == 3 and records.require_version("4") == 4
    for bad in (None, "", "x", True, "1.5"):
        with pytest.raises(records.Invalid):
            records.require_version(bad)


def test_unit_role_and_inbox(store_any):
    u = add_user(store_any, "drc", "nf-work-pass-2026", "unit", unit="P-DRC")
    assert u.scope == "unit:P-DRC"
    with pytest.raises(UserError, match="unit code"):
        add_user(store_any, "nobody", "nf-work-pass-2026", "unit", unit="NOPE")
    c = add_user(store_any, "county", "nf-work-pass-2026", "county", region="360102")
    add_user(store_any, "other", "nf-work-pass-2026", "county", region="360402")
    with store_any.begin() as conn:
        assert inbox.notify(conn, "new request", "/requests/1", unit="P-DRC", region="360102") == 2
        assert inbox.notify(conn, "nobody", region="369999") == 0
        assert inbox.unread_count(conn, u.id) == 1 and inbox.unread_count(conn, c.id) == 1
        msgs = inbox.messages(conn, c.id)
        assert [(m["text"], m["link"], m["read"]) for m in msgs] == [("new request", "/requests/1", False)]
        assert inbox.mark_read(conn, c.id) == 1
        assert inbox.unread_count(conn, c.id) == 0 and inbox.unread_count(conn, u.id) == 1


def test_attachment_limits_and_storage(duck_store, tmp_path, monkeypatch):
    from chainbrain.work import files

    monkeypatch.setenv("CHAINBRAIN_FILES_DIR", str(tmp_path / "store-files"))
    pdf = b"%PDF-1.4\n%test\n"
    with duck_store.begin() as conn:
        saved = files.save(conn, duck_store, "request", 7, "../../etc/报告.pdf", pdf, "ent")
        row = files.find(conn, saved["id"])
        assert files.listing(conn, "request", 7)[0]["name"] == "报告.pdf"
    assert row.stored_name != "报告.pdf" and len(row.stored_name) == 32 + 4 and row.stored_name.endswith(".pdf")
    assert files.path_of(duck_store, row).read_bytes() == pdf
    assert files.path_of(duck_store, row).parent == tmp_path / "store-files"
    for name, content, why in [("x.exe", b"MZ", "not accepted"), ("x.pdf", b"MZ\x90", "not .pdf"),
                               ("x.txt", b"a\x00b", "not .txt"), ("x.png", b"", "empty"),
                               ("", b"abc", "file name")]:
        with pytest.raises(records.Invalid, match=why):
            files.check(name, content)
    monkeypatch.setenv("CHAINBRAIN_WORK_MAX_FILE_MB", "0.001")            # 1048 bytes
    files.check("ok.txt", b"a" * 1048)
    with pytest.raises(records.Invalid, match="exceeds the limit of 1048 bytes"):
        files.check("big.txt", b"a" * 1049)


@pytest.mark.postgres
def test_concurrent_edits_on_postgresql_never_overwrite(pg_server):
    """Two writers read version 1; the first commits while the second's UPDATE waits on the row lock;
    the second then finds version 2 and gets a Conflict, not a silent overwrite."""
    import threading

    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    store = open_store(pg_server.create_database("cb_work_concurrent"))
    try:
        init_store(store)
        ent = ("request group", "诉求组")
        with store.begin() as conn:
            _group(conn, 1)
        out = {}
        first = store.engine.connect()
        tx = first.begin()
        records.update_versioned(first, work_request_group, 1, 1, {"title": "first"}, ent)   # holds the row lock

        def second():
            try:
                with store.begin() as conn:
                    records.update_versioned(conn, work_request_group, 1, 1, {"title": "second"}, ent)
                out["result"] = "written"
            except records.Conflict as exc:
                out["result"] = str(exc)
        t = threading.Thread(target=second)
        t.start()
        t.join(0.5)
        assert t.is_alive()                       # waiting for the first writer
        tx.commit()
        first.close()
        t.join(10)
        assert "now version 2, yours 1" in out["result"]
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(work_request_group.c.title, work_request_group.c.version)).one() == ("first", 2)
    finally:
        store.close()
