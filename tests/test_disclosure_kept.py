"""Published disclosure patterns kept in the store (``store/patterns.py``, table
``disclosure_pattern``): ``chainbrain compute`` computes them for the anonymous viewer and every
account's scope, a new process uses them while the data are the same, and never once they moved."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from chainbrain.analytics import suppression_periods
from chainbrain.analytics.kpi import latest_period
from chainbrain.store import open_store
from chainbrain.store import patterns as kept
from chainbrain.web import disclosure
from chainbrain.web.policy import cell_rule, visible_set
from chainbrain.web.users import lookup

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    from chainbrain.demo import build_demo

    path = str(tmp_path_factory.mktemp("kept") / "tiny.duckdb")
    from chainbrain.web.demo_users import create_demo_users

    with open_store(path) as store:
        build_demo(store, scale="tiny", seed=2023)
        create_demo_users(store)
    return path


def _fresh_process():
    """What a new process starts with: no pattern in memory."""
    disclosure._CACHES.clear()


def _county(store):
    from chainbrain.web.users import _row_user

    return _row_user(lookup(store, "demo_county"))


def test_compute_keeps_every_scope_and_a_new_process_uses_them(db):
    from chainbrain.cli import app

    res = CliRunner().invoke(app, ["compute", "--db", db, "--no-index", "--no-alerts", "--operations", "off",
                                 "--no-cockpit"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout[res.stdout.index("{"):])
    with open_store(db) as store:
        label = latest_period(store)
        viewers = {row["viewer"] for row in out["disclosure"]}
        assert "anon" in viewers and any(v.startswith("county:") for v in viewers)
        # every month's family (February–December; the newest period of each), per scope: every
        # period on file is then served without a solve
        newest = suppression_periods.every_family(store)
        assert sorted({row["period"] for row in out["disclosure"]}) == newest and label in newest
        assert len(newest) == 11 and {p[5:] for p in newest} == {f"{m:02d}" for m in range(2, 13)}
        assert all(row["hidden"] > 0 for row in out["disclosure"] if row["period"] == label)
        assert len(out["disclosure"]) == len(newest) * len(viewers)
        with store.engine.connect() as c:
            assert c.execute(sa.text("SELECT COUNT(*) FROM disclosure_pattern")).scalar() == len(newest) * len(viewers)
        user = _county(store)
        vis = visible_set(store, user)
        direct = suppression_periods.linked_pattern(store, label, vis)       # computed here, not kept
        _fresh_process()
        guard = cell_rule(store, user, 3)
        fam = tuple(p.ytd_label for p in suppression_periods.family(store, label))
        plain = kept.load(store, fam, guard.key, 3, kept.data_key(store))
        assert plain is not None and label in plain
        december = f"{int(label[:4]) - 1}-12"
        dfam = tuple(p.ytd_label for p in suppression_periods.family(store, december))
        assert december in kept.load(store, dfam, guard.key, 3, kept.data_key(store))
        assert guard.pattern(label).hidden == direct.hidden


def test_a_kept_pattern_is_used_only_for_the_same_data(db):
    with open_store(db) as store:
        label = latest_period(store)
        guard = disclosure.Guard(store, frozenset(), 3)
        computed = guard.pattern(label)
        fam = tuple(p.ytd_label for p in suppression_periods.family(store, label))
        # a marker kept at the current data: a new process uses it (it comes from the store)
        marker = {lb: {**suppression_periods.to_plain(computed), "period": lb, "hidden": [["revenue", None, None, "all"]]}
                  for lb in fam}
        kept.save(store, fam, ("anon",), 3, kept.data_key(store), marker)
        _fresh_process()
        assert disclosure.Guard(store, frozenset(), 3).pattern(label).hidden == {("revenue", None, None, "all")}
        # the data move on (a manual segment override counts): the kept marker no longer applies
        before = kept.data_key(store)
        with store.engine.begin() as c:
            eid, seg = c.execute(sa.text("SELECT enterprise_id, segment_code FROM enterprise_segment LIMIT 1")).one()
            c.execute(sa.text("INSERT INTO segment_override (enterprise_id, segment_code, action, note, created_at) "
                              "VALUES (:e, :s, 'remove', 'test', now())"), {"e": eid, "s": seg})
        assert kept.data_key(store) != before
        _fresh_process()
        from chainbrain.web.cache import version_of
        version_of(store).bump()
        again = disclosure.Guard(store, frozenset(), 3).pattern(label)
        assert ("revenue", None, None, "all") not in again.hidden and len(again.hidden) > 1


def test_a_pattern_as_kept_at_an_earlier_key_is_read_once(db, monkeypatch):
    """The answers from before an import read the viewer's pattern as kept at the earlier data key
    (web/stale.py): read and decoded once, found or not — every record of a page asked again."""
    from chainbrain.periods import parse_period
    from chainbrain.web.kept import NotKept

    with open_store(db) as store:
        label = latest_period(store)
        fam = tuple(p.ytd_label for p in suppression_periods.family(store, label))
        computed = disclosure.Guard(store, frozenset(), 3).pattern(label)
        marker = {lb: {**suppression_periods.to_plain(computed), "period": lb, "hidden": [["cur", None, "X", "all"]]}
                  for lb in fam}
        kept.save(store, fam, ("anon",), 3, "an-earlier-key", marker)
        calls, real = [], kept.load_blob
        monkeypatch.setattr(kept, "load_blob", lambda *a, **k: calls.append(a[-1]) or real(*a, **k))
        p = parse_period(label)
        first = disclosure._pattern_as_of(store, p, ("anon",), 3, "an-earlier-key")
        assert first.hidden == {("cur", None, "X", "all")}
        assert disclosure._pattern_as_of(store, p, ("anon",), 3, "an-earlier-key") is first
        for _ in range(2):
            with pytest.raises(NotKept):
                disclosure._pattern_as_of(store, p, ("anon",), 3, "a-key-nothing-was-kept-at")
        assert calls == ["an-earlier-key", "a-key-nothing-was-kept-at"]


def test_a_kept_row_is_decoded_once_whatever_key_it_moves_to(db):
    """An import moves unchanged kept patterns to the new data key (``patterns.rekey``): the server
    decodes the same bytes once (web/pattern_memo.py); other bytes at the same key are decoded anew,
    and a key the row has left finds nothing."""
    from chainbrain.web import pattern_memo

    with open_store(db) as store:
        label = latest_period(store)
        fam = tuple(p.ytd_label for p in suppression_periods.family(store, label))
        computed = disclosure.Guard(store, frozenset(), 3).pattern(label)

        def marker(cell):
            return {lb: {**suppression_periods.to_plain(computed), "period": lb, "hidden": [cell]} for lb in fam}
        viewer = ("memo-test",)
        kept.save(store, fam, viewer, 3, "key-1", marker(["cur", None, "A", "all"]))
        pattern_memo.clear()
        n = pattern_memo.decoded[0]
        first = pattern_memo.kept(store, fam, viewer, 3, "key-1")
        assert first[label].hidden == {("cur", None, "A", "all")} and pattern_memo.decoded[0] == n + 1
        with store.engine.begin() as c:                    # what rekey does: the same bytes, a new key
            c.execute(sa.text("UPDATE disclosure_pattern SET data_key = 'key-2' WHERE viewer = :v"),
                      {"v": json.dumps(list(viewer))})
        assert pattern_memo.kept(store, fam, viewer, 3, "key-1") is None
        moved = pattern_memo.kept(store, fam, viewer, 3, "key-2")
        assert moved[label] is first[label] and pattern_memo.decoded[0] == n + 1
        kept.save(store, fam, viewer, 3, "key-2", marker(["cur", None, "B", "all"]))
        other = pattern_memo.kept(store, fam, viewer, 3, "key-2")
        assert other[label].hidden == {("cur", None, "B", "all")} and pattern_memo.decoded[0] == n + 2
        with store.engine.begin() as c:
            c.execute(sa.text("DELETE FROM disclosure_pattern WHERE viewer = :v"), {"v": json.dumps(list(viewer))})


def test_a_read_only_store_computes_and_keeps_nothing(db, tmp_path):
    import shutil

    copy = str(tmp_path / "ro.duckdb")
    shutil.copy(db, copy)
    with open_store(copy) as store:
        with store.engine.begin() as c:
            c.execute(sa.text("DELETE FROM disclosure_pattern"))
    _fresh_process()
    with open_store(copy, read_only=True) as store:
        label = latest_period(store)
        pat = disclosure.Guard(store, frozenset(), 3).pattern(label)
        assert pat.hidden
        with store.engine.connect() as c:
            assert c.execute(sa.text("SELECT COUNT(*) FROM disclosure_pattern")).scalar() == 0


def test_the_full_warm_up_keeps_every_scope(db, tmp_path, monkeypatch):
    """A server started on data nobody ran ``compute`` on computes each account's pattern in the
    background and keeps it, so that the next process finds them."""
    import shutil

    from fastapi.testclient import TestClient

    from chainbrain.web.app import create_app

    copy = str(tmp_path / "warm.duckdb")
    shutil.copy(db, copy)
    with open_store(copy) as store:
        with store.engine.begin() as c:
            c.execute(sa.text("DELETE FROM disclosure_pattern"))
        keys = {json.dumps(list(k), ensure_ascii=False) for k in disclosure.scopes(store)}
        fam = ",".join(p.ytd_label for p in suppression_periods.family(store, latest_period(store)))
    assert len(keys) >= 3                           # the anonymous viewer and the demo's scoped accounts
    _fresh_process()
    monkeypatch.setenv("CHAINBRAIN_WEB_WARMUP", "full")
    app = create_app(copy, public_aggregates=True)
    with TestClient(app):
        assert app.state.web.warmed.wait(300)
    with open_store(copy) as store:
        with store.engine.connect() as c:
            kept_now = {r[0] for r in c.execute(sa.text("SELECT viewer FROM disclosure_pattern WHERE family = :f"),
                                                  {"f": fam})}
    assert kept_now == keys                         # (the pages' other periods may keep patterns of their own)


def test_migration_0015_up_down_up(db_any):
    """``disclosure_pattern`` comes with 0015 and goes with its downgrade, on DuckDB and PostgreSQL;
    what is kept survives nothing but its own table."""
    from alembic import command

    from chainbrain.store.migrate import alembic_config, current_revision, upgrade

    has = sa.text("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                  "AND table_name = 'disclosure_pattern'")
    store = open_store(db_any)
    try:
        upgrade(store, "0014_reports")
        with store.engine.connect() as conn:
            assert conn.execute(has).scalar() == 0
        upgrade(store, "0015_disclosure_patterns")
        assert current_revision(store) == "0015_disclosure_patterns"
        with store.engine.connect() as conn:
            assert conn.execute(has).scalar() == 6
        kept.save(store, ("2025-06",), ("anon",), 3, "k", {"2025-06": {"hidden": [["cur", None, "X", "all"]]}})
        kept.save(store, ("2025-06",), ("anon",), 3, "k2", {"2025-06": {"hidden": []}})       # replaces
        assert kept.load(store, ("2025-06",), ("anon",), 3, "k") is None                       # other data
        assert kept.load(store, ("2025-06",), ("anon",), 3, "k2") == {"2025-06": {"hidden": []}}
        command.downgrade(alembic_config(store), "0014_reports")
        with store.engine.connect() as conn:
            assert conn.execute(has).scalar() == 0
        assert kept.load(store, ("2025-06",), ("anon",), 3, "k2") is None                      # no table: none
        upgrade(store, "0015_disclosure_patterns")
    finally:
        store.close()
