"""The data key by content (``store/content.py``, issue #20): what the kept figures and disclosure
patterns are valid for. On the hand-made dataset, DuckDB and PostgreSQL:

- a new enterprise moves the key; an import of it exactly as stored moves the data counters (a new import batch) and the
  web's data version, but not the data key — so the kept figures are still found;
- an import that changes one enterprise's field (no row count changes) moves the key;
- a new revision of a report (a row added) moves it;
- the fingerprint is read once per move of the counters, not at every call.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import handmade
from chainbrain.ingest.load import import_file
from chainbrain.store import content, open_store
from chainbrain.store.changes import data_sql
from chainbrain.store.patterns import data_key

HEAD = "统一社会信用代码,企业名称,行政区划代码,行业代码,成立日期,从业人员,主要产品\n"


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path_factory):
    with open_store(handmade.store_url(request, tmp_path_factory, "data_key")) as s:
        content._MEMO.clear()
        yield s


def _counters(store) -> tuple:
    with store.engine.connect() as c:
        return tuple(c.execute(sa.text(data_sql(store))).one())


def _import(store, tmp_path, name: str, product: str) -> tuple:
    f = tmp_path / f"{name}-{product}.csv"
    f.write_text(HEAD + f"91360402MA00000D1M,手工样例键值公司,360402,3211,2020-01-02,120,{product}\n", encoding="utf-8")
    res = import_file(store, "enterprises", f)
    assert res.status == "loaded", res
    return res.new, res.updated, res.unchanged


def _fingerprints(store) -> list:
    seen = []

    @sa.event.listens_for(store.engine, "before_cursor_execute")
    def spy(conn, cursor, statement, *a):
        if "bit_xor" in statement:
            seen.append(statement)
    return seen


def test_the_key_follows_the_content_not_the_writes(store, tmp_path):
    seen = _fingerprints(store)
    k0 = data_key(store)
    assert _import(store, tmp_path, "first", "阴极铜") == (1, 0, 0)    # a new enterprise
    k1, c1 = data_key(store), _counters(store)
    assert k1 != k0
    assert data_key(store) == k1 and len(seen) == 2             # read once while the counters stay

    assert _import(store, tmp_path, "again", "阴极铜") == (0, 0, 1)    # the same row again: no change
    assert _counters(store) != c1                               # a write (the import batch) …
    assert data_key(store) == k1                                # … but the same data
    assert len(seen) == 3

    assert _import(store, tmp_path, "changed", "铜杆") == (0, 1, 0)    # one field: no row count changes
    k2 = data_key(store)
    assert k2 != k1

    with store.engine.begin() as c:                             # a new revision of a report
        c.execute(sa.text("INSERT INTO monthly_report (enterprise_id, year, month, revenue_ytd, revenue_ytd_prev, "
                          "batch_id, revision) VALUES (3, 2025, 6, 1, 1, 1, 3)"))
    assert data_key(store) not in (k1, k2)


def test_a_fresh_process_computes_the_same_key(store, tmp_path):
    _import(store, tmp_path, "x", "阴极铜")
    k = data_key(store)
    handmade.fresh_process(store)
    assert data_key(store) == k


def test_the_disclosure_cache_keeps_its_universes_across_an_import_that_changed_nothing(store, tmp_path,
                                                                                         monkeypatch):
    """In one process (the server): after an import of rows as stored the data version moves, but the
    in-memory universes and patterns are still used (web/disclosure.cache_version); after a change
    they are built again."""
    from chainbrain.analytics import suppression
    from chainbrain.web.cache import version_of
    from chainbrain.web.disclosure import cache_version
    from chainbrain.web.policy import cell_rule

    built = []
    real = suppression.universe
    monkeypatch.setattr(suppression, "universe", lambda *a, **k: built.append(a[1]) or real(*a, **k))
    _import(store, tmp_path, "first", "阴极铜")
    handmade.fresh_process(store)
    first = cell_rule(store, None, 3).pattern("2025-06")
    assert built and cell_rule(store, None, 3).pattern("2025-06") is first
    n, key = len(built), cache_version(store)

    _import(store, tmp_path, "again", "阴极铜")                 # nothing changes …
    version_of(store).bump()                                    # … as the web's import flow tells it
    assert cache_version(store) == key
    assert cell_rule(store, None, 3).pattern("2025-06").hidden == first.hidden and len(built) == n

    _import(store, tmp_path, "changed", "铜杆")                 # a change: built again
    version_of(store).bump()
    assert cache_version(store) != key
    assert cell_rule(store, None, 3).pattern("2025-06").hidden == first.hidden and len(built) > n


def test_the_kpis_statistical_inputs_are_part_of_the_key(store, tmp_path):
    """The KPI panel reads the bureau's deflators (``price_index``) and SEI shares (``sei_share``):
    an import of either changes real growth or the SEI share of the kept figures, so it moves the
    key — before, the key covered the fact tables only and the figures kept before such an import
    were served after it (found in the twenty-second session)."""
    k0 = data_key(store)
    f = tmp_path / "ppi.csv"
    f.write_text("行业大类代码,报告期,PPI\n32,2025年1-6月,98.7\n", encoding="utf-8")
    assert import_file(store, "deflators", f).status == "loaded"
    k1 = data_key(store)
    assert k1 != k0
    f = tmp_path / "sei.csv"
    f.write_text("行业代码,年度,占比\n3985,2025,0.35\n", encoding="utf-8")
    assert import_file(store, "sei-shares", f).status == "loaded"
    assert data_key(store) not in (k0, k1)
    f = tmp_path / "ppi2.csv"                                    # a revision of the same index: no row count moves
    f.write_text("行业大类代码,报告期,PPI\n32,2025年1-6月,99.1\n", encoding="utf-8")
    k2 = data_key(store)
    assert import_file(store, "deflators", f).status == "loaded"
    assert data_key(store) != k2


def test_the_answers_key_covers_what_answers_read_beyond_the_data(store, tmp_path):
    """``answers_key`` (what the web carries its answers over on, web/state.py ``carry_over``): the same
    after an import of rows as stored (its import batch and audit rows are not read by any answer);
    moved by a table outside the data key that answers read (electricity use: the operations page)."""
    from chainbrain.store.content import answers_key

    _import(store, tmp_path, "first", "阴极铜")
    a0, k0 = answers_key(store), data_key(store)
    assert a0 is not None and a0 != k0
    _import(store, tmp_path, "again", "阴极铜")                 # rows as stored: a batch, audit rows
    assert answers_key(store) == a0
    with store.engine.begin() as c:
        c.execute(sa.text("INSERT INTO power_use (enterprise_id, year, month, kwh, batch_id) "
                          "VALUES (1, 2025, 6, 1000, 1)"))
    assert data_key(store) == k0                                # not a figure's input …
    assert answers_key(store) != a0                             # … but read by an answer


def test_declared_sources_are_fingerprinted_on_every_engine(store, tmp_path):
    """The rows each kept result declares it reads (disclosure universe of a month, KPI figures,
    alerts) get a fingerprint on both engines (``content.sources_key`` answers None when a source
    cannot be read, which would silently carry nothing): the same twice, moved by an enterprise's
    name for the alerts only, by neither for the employee count."""
    from chainbrain.analytics import alerts_stored, kpi_rekey, suppression_inputs

    declared = {"universe": suppression_inputs.sources(6), "kpi": list(kpi_rekey.SOURCES),
                "alerts": list(alerts_stored.SOURCES)}

    def keys():
        return {k: content.sources_key(store, v) for k, v in declared.items()}

    first = keys()
    assert None not in first.values() and keys() == first
    with store.engine.begin() as c:
        c.execute(sa.text("UPDATE enterprise SET employees = coalesce(employees, 0) + 1"))
    assert keys() == first
    with store.engine.begin() as c:
        c.execute(sa.text("UPDATE enterprise SET name = name || '（更名）'"))
    moved = keys()
    assert moved["alerts"] != first["alerts"] and moved["kpi"] == first["kpi"] and moved["universe"] == first["universe"]


def test_requests_after_a_change_read_the_fingerprint_once(store, tmp_path, monkeypatch):
    """After a change, every request of the server needs the new key at once: one of them reads the
    fingerprint, the others wait for it (single flight). In the load test ten threads read it together,
    ten scans of 0.43 s on two cores, and every one of their answers came 2–3 s late."""
    import threading
    import time

    from chainbrain.web.pool import side_store

    data_key(store)
    _import(store, tmp_path, "first", "阴极铜")
    read = "digest_parts" if content.has_digest(store) else "fingerprint_sql"     # PostgreSQL: the digest's sums
    real, scans = getattr(content, read), []
    monkeypatch.setattr(content, read, lambda *a: scans.append(a) or time.sleep(0.3) or real(*a))   # slow, counted
    sides = [side_store(store) for _ in range(4)]                   # the server's connections
    start, keys = threading.Barrier(4), []

    def ask(side):
        start.wait()
        keys.append(data_key(side))
    threads = [threading.Thread(target=ask, args=(side,)) for side in sides]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for side in sides:
        side.close()
    assert len(keys) == 4 and len(set(keys)) == 1 and keys[0] == data_key(store)
    assert len(scans) == 1                                          # read once, by one of them


def test_inputs_keys_take_their_whole_tables_from_the_data_keys_read(store, tmp_path):
    """An inputs key (``content.sources_key``) equals the one-statement scan of its sources, before and after
    an import; on DuckDB its whole tables of ``content.TABLES`` come from the data key's read at the same
    counters (the KPI, alert and answer inputs declare ``monthly_report`` whole: a scan each, three per
    change, before), so only the other sources are scanned — and after an import, once the data key's
    new read is in."""
    import hashlib

    from chainbrain.analytics import kpi_rekey

    src = list(kpi_rekey.SOURCES) + ["(SELECT id, name FROM enterprise)"]

    def scanned():
        with store.engine.connect() as c:
            row = c.execute(sa.text(content.fingerprint_sql(store.kind, src))).one()
        return hashlib.sha256(repr((tuple(src), tuple(str(x) for x in row))).encode()).hexdigest()

    seen = _fingerprints(store)
    first = content.sources_key(store, src)
    assert first == scanned()
    _import(store, tmp_path, "renamed", "铜箔")                       # the counters move
    assert content.sources_key(store, src) == scanned()
    with store.engine.begin() as c:                                   # a counted change of a whole table
        c.execute(sa.text("DELETE FROM monthly_report WHERE enterprise_id = (SELECT min(enterprise_id) FROM monthly_report)"))
    data_key(store)
    seen.clear()
    moved = content.sources_key(store, src)
    scans = list(seen)
    assert moved != first and moved == scanned()
    if not content.has_digest(store):                               # DuckDB: the whole tables not scanned again
        assert len(scans) == 1 and "FROM industry" in scans[0], scans
        assert "FROM monthly_report" not in scans[0] and "FROM enterprise_attr" not in scans[0], scans
        with store.engine.connect() as c:
            assert content.tables_at(store, c)["monthly_report"][0] == str(c.execute(sa.text(
                "SELECT count(*) FROM monthly_report")).scalar())
