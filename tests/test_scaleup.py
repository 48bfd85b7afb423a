"""升规入统 / 退规 (analytics/scaleup*.py): the line's boundary, the Gibrat baseline, the lists, the CLI.

Expected values are worked by hand in scaleup_cases.py (and below for the pure functions).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import handmade
import scaleup_cases as C
from chainbrain.analytics import scaleup_model as M
from chainbrain.analytics.scaleup import score
from chainbrain.analytics.scaleup_data import load
from chainbrain.analytics.scaleup_report import answer
from chainbrain.analytics.scaleup_rules import rules, targets_for, threshold
from chainbrain.store import open_store
from chainbrain.store.admin import init_store

T = 20_000_000.0


def _load(db: str):
    s = open_store(db)
    init_store(s)
    handmade.load(s)
    C.add(s)
    return s


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = _load(str(tmp_path_factory.mktemp("scaleup") / "s.duckdb"))
    yield s
    s.close()


# ------------------------------------------------------------------ rules and pure functions
def test_line_is_sourced_and_inclusive():
    r = rules()
    assert threshold() == 20_000_000.0
    assert r["line"]["document"] == "国统字〔2010〕87号" and "≥ includes the bound" in r["line"]["reading"]
    t = targets_for(2026)
    assert t and all(x["source"] == "unsourced" for x in t)          # no sourced Jiangxi target: marked


def test_bands_include_lower_edge():
    edges = [0.25, 0.5, 0.75, 1.0, 1.5, 3.0]
    x = np.array([0.2499999, 0.25, 0.7499999, 0.75, 0.9999999995, 1.0, 1.5, 3.0, 10.0])
    assert M.band_of(x, edges).tolist() == [0, 1, 2, 3, 3, 4, 5, 6, 6]


def test_baseline_counts_growth_landing_exactly_on_the_line():
    # pool of one chain × band: 16,000,000 → ratios 1.0, 1.1, 1.25, 1.5 (band 3: 0.8 of the line)
    prev = np.full(4, 16e6)
    p = M.pools(prev, prev * np.array([1.0, 1.1, 1.25, 1.5]), np.array(["EI"] * 4), [0.25, 0.5, 0.75, 1.0], 1)
    got, n, _ = M.baseline(p, np.array([16e6, 16_000_000.01, 15_999_999.99, 20e6 / 1.1, 19e6]), np.array(["EI"] * 5))
    # 16,000,000 needs exactly 1.25 (included) → 2/4; 16,000,000.01 needs a bit less → 2/4;
    # 15,999,999.99 needs 1.25000000078 → only 1.5 → 1/4; 20e6/1.1 needs 1.1 → 3/4; 19e6 needs 1.0526 → 3/4
    assert got.tolist() == [0.5, 0.5, 0.25, 0.75, 0.75] and n.tolist() == [4] * 5


def test_baseline_small_cell_falls_back_to_the_band():
    prev = np.array([16e6, 16e6, 16e6])
    p = M.pools(prev, prev * np.array([1.3, 1.0, 1.0]), np.array(["EI", "NF", "NF"]), [0.75, 1.0], 2)
    got, n, level = M.baseline(p, np.array([16e6, 16e6]), np.array(["EI", "NF"]))
    # EI has 1 ratio (< min_pool 2): the band's 3 ratios → 1/3; NF has 2 ({1.0, 1.0}) → 0
    assert got[0] == pytest.approx(1 / 3) and got[1] == 0.0 and n.tolist() == [3, 2] and level.tolist() == [1, 0]


def test_baseline_prefers_segment_then_chain_then_band():
    # five firms at 16,000,000 (band 3 of edges 0.75, 1.0); segments S1 (2 ratios), S2 (1), S3 (2); chains A, A, B
    prev = np.full(5, 16e6)
    seg = np.array(["S1", "S1", "S2", "S3", "S3"])
    chain = np.array(["A", "A", "A", "B", "B"])
    p = M.pools(prev, prev * np.array([1.3, 1.3, 1.0, 1.0, 1.1]), [seg, chain], [0.75, 1.0], 2)
    got, n, level = M.baseline(p, np.full(4, 16e6), [np.array(["S1", "S2", "S3", "S9"]), np.array(["A", "A", "B", "C"])])
    # S1: its own 2 ratios {1.3, 1.3} → 1; S2 has 1 (< 2): chain A's 3 {1.3, 1.3, 1.0} → 2/3;
    # S3: {1.0, 1.1} → 0; S9 / chain C unknown: the band's 5 → 2/5 (need 1.25)
    assert got.tolist() == [1.0, pytest.approx(2 / 3), 0.0, 0.4] and n.tolist() == [2, 3, 2, 5]
    assert level.tolist() == [0, 1, 0, 2]


def test_learned_model_needs_history():
    X = np.random.default_rng(1).normal(size=(200, len(M.FEATURES)))
    y = (X[:, 0] > 0).astype(int)
    assert M.fit(X, y, np.full(200, 2023), 2, 20) is None                  # one year: nothing to calibrate on
    assert M.fit(X, np.zeros(200, int), np.r_[np.full(100, 2022), np.full(100, 2023)], 2, 20) is None
    m = M.fit(X, y, np.r_[np.full(100, 2022), np.full(100, 2023)], 2, 20)
    assert m is not None and m.fit_years == (2022,) and m.calibration_year == 2023
    p = m.predict(X)
    assert ((p >= 0) & (p <= 1)).all() and p[y == 1].mean() > p[y == 0].mean()


# ------------------------------------------------------------------ on the hand-made store
def test_sides_of_the_line_and_baseline(store):
    panel = load(store, 2024)
    ids = panel.firms["enterprise_id"].tolist()
    up, down = score(panel, 2024, "up"), score(panel, 2024, "down")
    up_ids = {ids[i]: k for k, i in enumerate(up.idx)}
    down_ids = {ids[i]: k for k, i in enumerate(down.idx)}
    assert set(up_ids) == {2, 3, 5, 6}                 # E6 at 19,999,999.99 is below the line
    assert set(down_ids) == {1, 4}                     # E4 at exactly 20,000,000.00 is above it
    assert up.model is None and down.model is None     # one year of history: baseline alone
    assert {e: up.p_baseline[k] for e, k in up_ids.items()} == {2: 0.5, 3: 0.5, 5: 0.0, 6: 0.5}
    assert {e: down.p_baseline[k] for e, k in down_ids.items()} == {1: 0.0, 4: 1.0}
    assert {e: int(up.outcome[k]) for e, k in up_ids.items()} == {2: 1, 3: 1, 5: 0, 6: -1}   # 20,000,000.00 crosses
    assert {e: int(down.outcome[k]) for e, k in down_ids.items()} == {1: 0, 4: 1}
    assert {e: int(up.entered[k]) for e, k in up_ids.items()} == {2: 2025, 3: 2025, 5: 0, 6: 0}


def test_answer_lists_counts_and_target(store):
    a = answer(store, 2024, lang="en")
    listed = {(r["direction"], r["enterprise_id"]): r for r in a["rows"]}
    assert set(listed) == {("up", 2), ("up", 3), ("up", 6), ("down", 4)}        # p ≥ 0.10
    e2 = listed[("up", 2)]
    assert (e2["p"], e2["crossed"], e2["entered_year"], e2["revenue_prev_yuan"]) == (0.5, 1, 2025, 16_000_000.0)
    assert listed[("up", 6)]["crossed"] is None and listed[("up", 6)]["entered_year"] is None
    assert "Gibrat baseline 50% (2 growth ratios of its province-wide size band)" in e2["reason_text"]
    counts = {(c["direction"], c["county"]): (c["firms"], c["expected"], c["crossed"], c["entered_next_year"])
              for c in a["counts"]}
    assert counts == {("up", "360103"): (2, 1.0, 1, 1), ("up", "360402"): (1, 0.5, 1, 1),
                      ("up", "360102"): (1, 0.0, 0, 0), ("down", "360402"): (1, 1.0, 1, None),
                      ("down", "360102"): (1, 0.0, 0, None)}
    assert a["targets"][0]["source"] == "unsourced" and a["targets"][0]["expected_entries"] == 1.5
    # ranks per county: E2 and E6 tie at 0.5 in 360103 → by enterprise id
    assert (listed[("up", 2)]["rank_in_county"], listed[("up", 6)]["rank_in_county"]) == (1, 2)


def test_answer_filters_region_chain_and_visibility(store):
    assert {r["enterprise_id"] for r in answer(store, 2024, region="360400")["rows"]} == {3, 4}
    assert {r["enterprise_id"] for r in answer(store, 2024, region="360103")["rows"]} == {2, 6}
    assert {r["enterprise_id"] for r in answer(store, 2024, chain="NF")["rows"]} == {3, 4}
    a = answer(store, 2024, visible=lambda ids: ids & {3})
    assert [r["enterprise_id"] for r in a["rows"]] == [3]
    assert {(c["direction"], c["county"]) for c in a["counts"]} == {("up", "360402")}   # counts from E3 alone
    assert a["targets"] == []                       # the province target is not set against a viewer's part
    assert answer(store, 2024, visible=lambda ids: ids)["targets"][0]["new_above_scale"] == 2000
    assert answer(store, 2024, region="360100")["targets"] == []        # the province target only province-wide


def test_future_year_has_no_outcomes(store):
    a = answer(store, 2025)
    assert a["rows"] and all(r["crossed"] is None for r in a["rows"])


@pytest.mark.postgres
def test_same_panel_and_lists_on_postgres(store, pg_server):
    pg = _load(pg_server.create_database("scaleup"))
    try:
        a, b = load(store, 2024), load(pg, 2024)
        assert a.firms["enterprise_id"].tolist() == b.firms["enterprise_id"].tolist()
        assert np.array_equal(np.nan_to_num(a.revenue, nan=-1), np.nan_to_num(b.revenue, nan=-1))
        assert answer(pg, 2024)["rows"] == answer(store, 2024)["rows"]
        from chainbrain.analytics.scaleup_kept import keep, kept
        from chainbrain.analytics.scaleup_report import score_year

        assert keep(pg, 2024, None, score_year(pg, 2024)) == 6
        assert keep(pg, 2024, None, score_year(pg, 2024)) == 6                   # replaces on PostgreSQL too
        k = kept(pg, 2024)
        assert dict(zip(k["enterprise_id"], k["p"])) == {2: 0.5, 3: 0.5, 5: 0.0, 6: 0.5, 1: 0.0, 4: 1.0}
        assert answer(pg, 2024)["tracking"]["crossed"] == 2
    finally:
        pg.close()


def test_cli_scale_up(tmp_path):
    from typer.testing import CliRunner

    from chainbrain.cli import app

    db = str(tmp_path / "cli.duckdb")
    _load(db).close()
    run = lambda *a: CliRunner().invoke(app, ["cultivate", "scale-up", "--db", db, *a])  # noqa: E731
    res = run("--year", "2024", "--region", "360400")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert {(r["direction"], r["enterprise_id"]) for r in out["rows"]} == {("up", 3), ("down", 4)}
    assert "tables" not in out
    res = run("--year", "2024", "--keep")
    assert res.exit_code == 0 and json.loads(res.stdout)["tracking"]["listed_then"] == 3, res.output
    res = run("--year", "2024", "--format", "xlsx", "--out", str(tmp_path / "s.xlsx"))
    assert res.exit_code == 0 and (tmp_path / "s.xlsx").stat().st_size > 0 and "3 candidates" in res.output
    for args, msg in ((("--year", "2024", "--chain", "XX"), "未知产业链"), (("--year", "2024", "--region", "999999"), "不是设区市"),
                      (("--year", "2024", "--format", "xlsx"), "--out"), (("--year", "2024", "--month", "1"), "2–12"),
                      (("--year", "1900",), "超出范围")):
        res = run(*args)
        assert res.exit_code == 2 and msg in res.output, (args, res.output)


# ------------------------------------------------------------------ backtest measures (hand-computed)
def test_brier_and_top_k_precision():
    from chainbrain.analytics.scaleup_backtest import brier, precision_at_k, reliability

    p = np.array([0.9, 0.6, 0.6, 0.1, 0.8, 0.2])
    y = np.array([1.0, 0.0, 1.0, 0.0, 0.0, 1.0])
    # (0.01 + 0.36 + 0.16 + 0.01 + 0.64 + 0.64) / 6 = 1.82 / 6
    assert brier(p, y) == pytest.approx(1.82 / 6)
    county = np.array(["A", "A", "A", "A", "B", "B"])
    ids = np.array([1, 3, 2, 4, 5, 6])
    # k = 2: A's top two are 0.9 (id 1, event) and the tie at 0.6 → smaller id 2 (event): 2/2;
    # B: both (0.8 no, 0.2 yes): 1/2 → pooled 3/4, county mean (1 + 0.5) / 2
    assert precision_at_k(p, y, county, ids, 2) == (0.75, 0.75)
    # k = 3: A 0.9, 0.6 (id 2), 0.6 (id 3) → 2/3; B both → 1/2: pooled 3/5, mean (2/3 + 1/2) / 2
    pooled, mean = precision_at_k(p, y, county, ids, 3)
    assert pooled == pytest.approx(0.6) and mean == pytest.approx((2 / 3 + 0.5) / 2)
    rel = {r["bin"]: (r["firms"], r["event_rate"]) for r in reliability(p, y)}
    assert rel == {"0.9–1.0": (1, 1.0), "0.6–0.7": (2, 0.5), "0.1–0.2": (1, 0.0), "0.8–0.9": (1, 0.0),
                   "0.2–0.3": (1, 1.0)}


def test_backtest_on_the_hand_made_history(store):
    from chainbrain.analytics.scaleup_backtest import backtest

    res = {(r["year"], r["direction"]): r for r in backtest(load(store, 2024), [2024], k=1)}
    up = res[(2024, "up")]
    # E2 (0.5, crossed), E3 (0.5, crossed), E5 (0, not); E6 has no 2024 report: left out
    assert (up["firms"], up["events"], up["model"]) == (3, 2, "baseline only")
    assert up["brier_baseline"] == pytest.approx((0.25 + 0.25 + 0) / 3, abs=1e-5)
    # constant = the history's rate: 2023 below-line firms E2, E3, E5, E6 (2022 < T), none reached T in 2023 → 0
    assert up["brier_constant"] == pytest.approx(2 / 3, abs=1e-5)
    # top-1 per county: 360103 E2 (crossed), 360402 E3 (crossed), 360102 E5 (not) → 2/3
    assert up["top1_precision_baseline"] == pytest.approx(2 / 3, abs=1e-4)
    down = res[(2024, "down")]
    assert (down["firms"], down["events"], down["brier_baseline"]) == (2, 1, 0.0)
    later = backtest(load(store, 2025), [2025])                  # no 2025 revenue yet: nothing compared, no NaN
    assert [(r["firms"], r["brier_constant"], "brier_baseline" in r) for r in later] == [(0, None, False)] * 2


# ------------------------------------------------------------------ kept assessments (migration 0016)
def test_keep_and_track(tmp_path):
    import datetime as dt

    from chainbrain.analytics.scaleup_kept import keep, kept
    from chainbrain.analytics.scaleup_report import score_year

    s = _load(str(tmp_path / "k.duckdb"))
    try:
        assert answer(s, 2024)["tracking"] is None                          # nothing kept yet
        n = keep(s, 2024, None, score_year(s, 2024), now=dt.datetime(2024, 1, 15))
        assert n == 6                                                       # 4 candidates + 2 at risk
        k = kept(s, 2024)
        assert dict(zip(k["enterprise_id"], k["p"])) == {2: 0.5, 3: 0.5, 5: 0.0, 6: 0.5, 1: 0.0, 4: 1.0}
        assert float(k.set_index("enterprise_id").loc[6, "revenue_prev"]) == 19_999_999.99
        a = answer(s, 2024)
        # kept candidates listed then (p ≥ 0.10): E2, E3, E6 → E2, E3 crossed, E6 unknown; E2, E3 entered 2025
        assert a["tracking"] == {"kept_at": "2024-01-15 00:00:00", "listed_then": 3, "crossed": 2,
                                 "not_crossed": 0, "entered_next_year": 2}
        assert {r["enterprise_id"]: r["p_kept"] for r in a["rows"]} == {2: 0.5, 3: 0.5, 6: 0.5, 4: 1.0}
        assert keep(s, 2024, None, score_year(s, 2024)) == 6 and len(kept(s, 2024)) == 6      # replaced
        assert len(kept(s, 2024, 6)) == 0 and len(kept(s, 2025)) == 0
    finally:
        s.close()


def test_migration_0016_up_down_up(db_any):
    """``scaleup_assessment`` and ``match_event`` (10 columns each) come with 0016 and go with its downgrade,
    on DuckDB and PostgreSQL."""
    import sqlalchemy as sa
    from alembic import command

    from chainbrain.store.migrate import alembic_config, current_revision, upgrade

    has = sa.text("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                  "AND table_name IN ('scaleup_assessment', 'match_event')")
    s = open_store(db_any)
    try:
        upgrade(s, "0015_disclosure_patterns")
        with s.engine.connect() as conn:
            assert conn.execute(has).scalar() == 0
        upgrade(s, "0016_cultivation")
        assert current_revision(s) == "0016_cultivation"
        with s.engine.connect() as conn:
            assert conn.execute(has).scalar() == 20
        command.downgrade(alembic_config(s), "0015_disclosure_patterns")
        with s.engine.connect() as conn:
            assert conn.execute(has).scalar() == 0
        upgrade(s, "0016_cultivation")
        with s.engine.connect() as conn:
            assert conn.execute(has).scalar() == 20
    finally:
        s.close()
