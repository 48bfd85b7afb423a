"""融通 matching (analytics/cultivate_match.py, `chainbrain cultivate match`) on the web fixture.

Added: annual figures of scaleup_cases.py; E3 专精特新 from 2025-01-01 (valid on 2025-12-31); E4's 2025
annual report at exactly the large-firm bounds (1000 employees, 400,000,000.00 yuan: large, not proposed).
Hand-worked on 2025-12-31 (weights: pack scaleup.toml [matching]):
- N1: E1 buys EI-M1 "电路板" → E2 only (EI-M1): exact 3 + same city 南昌 2 + "电路板" in its name 2 = 7;
  E2 already supplies E1 (supply link 2025) → existing.
- N2: E1 buys NF-M1 "铜 箔" preferring 九江 (360400) → E3: exact 3 + 九江 2 + "铜" 2 + 专精特新 2 = 9;
  E4 is large (both bounds reached) → left out.
Per chain: EI 1 need, 1 matched, 1 proposal, 1 existing; NF 1, 1, 1, 0.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pyarrow as pa
import pytest

import scaleup_cases as C
import web_fixture as W
from chainbrain.analytics.cultivate_match import _library, counts, match
from chainbrain.store import open_store

DAY = dt.date(2025, 12, 31)
NEEDS = pd.DataFrame([
    {"need_id": "N1", "buyer_uscc": W.USCC[1], "segment_code": "EI-M1", "product": "电路板", "city": ""},
    {"need_id": "N2", "buyer_uscc": W.USCC[1], "segment_code": "NF-M1", "product": "铜 箔", "city": "360400"}])


def _build(path, e4_employees: int = 1000) -> str:
    db = W.build(path, tasks=False)
    with open_store(db) as s:
        C.add(s)
        with s.begin() as conn:
            s.bulk_insert(conn, "annual_report", pa.table({
                "enterprise_id": [4], "year": [2025], "revenue": pa.array([400_000_000.00], pa.float64()),
                "employees": [e4_employees], "batch_id": [1], "revision": [1]}))
            s.bulk_insert(conn, "designation", pa.table({
                "enterprise_id": [3], "kind": ["srdi"], "level": ["provincial"],
                "chain_code": pa.array([None], pa.string()), "valid_from": [dt.date(2025, 1, 1)],
                "valid_to": pa.array([None], pa.date32()), "batch_id": [1], "revision": [1]}))
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("match") / "m.duckdb")


def _short(rows):
    return [(r["need_id"], r["supplier_id"], r["points"], r["existing"], r["rank"]) for r in rows]


def test_matches_points_and_reasons(db):
    with open_store(db) as s:
        rows = match(s, NEEDS, DAY)
        seg = s.table("segment").select("code", "chain_code").execute()
    assert _short(rows) == [("N1", 2, 7, True, 1), ("N2", 3, 9, False, 1)]
    assert rows[0]["reasons"] == "环节 EI-M1 +3; 同城 360100 +2; 产品“电路板” +2; 已是其供应商"
    assert rows[1]["tier"] == "srdi" and "专精特新中小企业 +2" in rows[1]["reasons"]
    per = counts(rows, NEEDS, dict(zip(seg["code"], seg["chain_code"])))
    assert [(c["chain_code"], c["needs"], c["needs_matched"], c["proposals"], c["existing"]) for c in per] == \
        [("EI", 1, 1, 1, 1), ("NF", 1, 1, 1, 0)]


def test_large_firm_bounds(tmp_path):
    with open_store(_build(tmp_path / "a.duckdb", 999)) as s:       # 999 employees: an SME whatever its revenue
        lib = _library(s, DAY).set_index("enterprise_id")
        assert not lib.at[4, "large"]
        assert _short(match(s, NEEDS, DAY))[1:] == [("N2", 3, 9, False, 1), ("N2", 4, 7, False, 2)]
    with open_store(_build(tmp_path / "b.duckdb", 1000)) as s:
        assert _library(s, DAY).set_index("enterprise_id").at[4, "large"]   # 1000 and 40000万: both reached


def test_bad_needs(db):
    with open_store(db) as s:
        with pytest.raises(ValueError, match="未知环节"):
            match(s, NEEDS.assign(segment_code="XX-1"), DAY)
        with pytest.raises(ValueError, match="不在企业库"):
            match(s, NEEDS.assign(buyer_uscc="9" * 18), DAY)


@pytest.mark.postgres
def test_same_matches_on_postgres(db, pg_server):
    pg = _build(pg_server.create_database("match"))
    with open_store(pg) as p, open_store(db) as d:
        assert match(p, NEEDS, DAY) == match(d, NEEDS, DAY)


def test_cli_match(db, tmp_path):
    from typer.testing import CliRunner

    from chainbrain.cli import app

    f = tmp_path / "needs.csv"
    NEEDS.to_csv(f, index=False)
    run = lambda *a: CliRunner().invoke(app, ["cultivate", "match", "--db", db, *a])  # noqa: E731
    res = run("--needs", str(f), "--date", "2025-12-31")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert _short(out["rows"]) == [("N1", 2, 7, True, 1), ("N2", 3, 9, False, 1)]
    res = run("--needs", str(f), "--date", "2025-12-31", "--format", "xlsx", "--out", str(tmp_path / "m.xlsx"))
    assert res.exit_code == 0 and (tmp_path / "m.xlsx").stat().st_size > 0
    bad = tmp_path / "bad.csv"
    for text, msg in (("need_id,buyer_uscc\nN1,x\n", "缺少列 segment_code"),
                      (f"need_id,buyer_uscc,segment_code\nN1,123,EI-M1\n", "row 2, field buyer_uscc"),
                      (f"need_id,buyer_uscc,segment_code\nN1,{W.USCC[1]},EI-M1\nN1,{W.USCC[1]},EI-M1\n",
                       "row 3, field need_id"),
                      (f"need_id,buyer_uscc,segment_code\nN1,{W.USCC[1]},\n", "row 2, field segment_code")):
        bad.write_text(text, encoding="utf-8")
        res = run("--needs", str(bad))
        assert res.exit_code == 2 and msg in res.output, (text, res.output)
    res = run("--needs", str(f), "--top", "0")
    assert res.exit_code == 2


def test_match_events_by_latest_stage(db_any):
    """Events on DuckDB and PostgreSQL: the pairs counted by the stage of their latest day (then id)."""
    from chainbrain.work.match_events import record, summary

    db = W.build(db_any, tasks=False)
    D = dt.date
    with open_store(db) as s:
        ev = [("N1", 1, 2, "proposed", D(2025, 1, 5), "EI"), ("N1", 1, 2, "contacted", D(2025, 2, 1), "EI"),
              ("N1", 1, 2, "trial_order", D(2025, 3, 1), "EI"), ("N2", 1, 3, "proposed", D(2025, 1, 5), "NF"),
              ("N2", 1, 3, "declined", D(2025, 2, 10), "NF"), ("N2", 1, 4, "contacted", D(2025, 2, 1), "NF"),
              ("N2", 1, 4, "proposed", D(2025, 1, 10), "NF")]          # entered late, dated earlier: not the latest
        ids = [record(s, n, W.USCC[b], W.USCC[x], st, d, "ei_office", ch) for n, b, x, st, d, ch in ev]
        assert ids == list(range(1, 8))
        got = {r["chain_code"]: r for r in summary(s)}
        assert (got["EI"]["pairs"], got["EI"]["trial_order"], got["EI"]["contacted"]) == (1, 1, 0)
        assert (got["NF"]["pairs"], got["NF"]["declined"], got["NF"]["contacted"], got["NF"]["proposed"]) == (2, 1, 1, 0)
        assert [r["chain_code"] for r in summary(s, "EI")] == ["EI"]
        for args, msg in ((("N1", W.USCC[1], W.USCC[2], "won"), "阶段须为"),
                          (("N1", W.USCC[1], "9" * 18, "contacted"), "不在企业库"),
                          (("N1", W.USCC[1], W.USCC[1], "contacted"), "相同"),
                          (("", W.USCC[1], W.USCC[2], "contacted"), "不能为空")):
            with pytest.raises(ValueError, match=msg):
                record(s, *args, D(2025, 4, 1), "ei_office")
        assert len(summary(s)) == 2                                     # nothing written by the refusals


def test_cli_match_event(tmp_path):
    from typer.testing import CliRunner

    from chainbrain.cli import app

    db = W.build(tmp_path / "e.duckdb", tasks=False)
    run = lambda *a: CliRunner().invoke(app, ["cultivate", *a, "--db", db])  # noqa: E731
    res = run("match-event", "--need", "N1", "--buyer", W.USCC[1], "--supplier", W.USCC[2], "--stage", "supplier",
              "--date", "2025-05-01", "--chain", "EI")
    assert res.exit_code == 0 and "match event #1" in res.output, res.output
    out = json.loads(run("match-events").output)
    assert out["rows"] == [{"chain_code": "EI", "pairs": 1, "proposed": 0, "contacted": 0, "trial_order": 0,
                            "supplier": 1, "declined": 0}]
    for args, msg in ((("--stage", "won"), "阶段须为"), (("--stage", "supplier", "--chain", "XX"), "未知产业链"),
                      (("--stage", "supplier", "--date", "May 1"), "日期格式")):
        res = run("match-event", "--need", "N1", "--buyer", W.USCC[1], "--supplier", W.USCC[2], *args)
        assert res.exit_code == 2 and msg in res.output, (args, res.output)
