"""Coverage on hand-made data (tests/digital_cases.py), worked out by hand, on DuckDB and PostgreSQL.

2025-06 (end 2025-06-30), reporting E1 E2 E3 E5 E6; levels: E1 2 (L1 2022-edition, then L2 2024-edition;
its GB/T L3 of 2025-07-15 comes after), E2 1 (its latest 2022-edition result, revised from 2 to 1,
not its older L3), E3 2 (dated the period's last day), E5 none (assessed the day after), E6 none;
E4 (L4) exited. Counties: 360102 {E1, E5}, 360103 {E2, E6}, 360402 {E3}. Chains: EI {E1, E2, E5},
NF {E3}. SRDI on 2025-06-30: E2 only (E3's 小巨人 ended 2024-06-30).
2024-06: reporting E1 E2 E4; E1 1 (2023), E2 1 (2024-06-01, revised), E4 4 → 3 firms, 3 assessed, 1 at ≥ 2.
Transformed (a completed project on or before the end): 2025-06 E1 (2024-03-01), E2 (2025-02-01), E3
(2024-05-01), not E5 (2025-07-02, after the period); 2024-06 only E1 of E1 E2 E4.
"""
from __future__ import annotations

import pytest

import digital_cases as C
import web_fixture as W
from chainbrain.analytics.digital_coverage import coverage, firms_to_reach, levels_on
from chainbrain.analytics.digital_report import targets_answer
from chainbrain.store import open_store


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("digital-cov")
    if request.param == "duckdb":
        db = str(tmp / "d.duckdb")
    else:
        db = request.getfixturevalue("pg_server").create_database("digital_cov")
    st = open_store(W.build(db, tasks=False))
    C.load(st, tmp)
    yield st
    st.close()


def _pick(rows, key):
    r = next(x for x in rows if x["key"] == key)
    return r["firms"], r["assessed"], r["level2_plus"], r["assessed_share"], r["level2_plus_share"]


def test_province(store):
    assert coverage(store, "2025-06", "province") == [
        {"key": "360000", "name": "江西省", "firms": 5, "assessed": 3, "transformed": 3, "level2_plus": 2,
         "assessed_share": 0.6, "transformed_share": 0.6, "level2_plus_share": 0.4}]


def test_transformed(store):
    """已完成改造: a completed project on or before the period's end, counted like the other measures."""
    def tf(rows, key):
        r = next(x for x in rows if x["key"] == key)
        return r["firms"], r["transformed"], r["transformed_share"]
    county = coverage(store, "2025-06", "county")
    assert [tf(county, k) for k in ("360102", "360103", "360402", "360403")] == \
        [(2, 1, 0.5), (2, 1, 0.5), (1, 1, 1.0), (0, 0, None)]          # E5's project is after the period
    chain = coverage(store, "2025-06", "chain")
    assert (tf(chain, "EI"), tf(chain, "NF")) == ((3, 2, 2 / 3), (1, 1, 1.0))
    assert tf(coverage(store, "2024-06", "province"), "360000") == (3, 1, 1 / 3)   # E2's project came in 2025
    assert tf(coverage(store, "2025-06", "province", pop="srdi"), "360000") == (1, 1, 1.0)
    assert firms_to_reach(store, "2025-06", "transformed")["enterprise_id"].tolist() == [5, 6]
    assert firms_to_reach(store, "2024-06", "transformed")["enterprise_id"].tolist() == [2, 4]


def test_counties_cities_chains(store):
    county = coverage(store, "2025-06", "county")
    assert _pick(county, "360102") == (2, 1, 1, 0.5, 0.5)
    assert _pick(county, "360103") == (2, 1, 0, 0.5, 0.0)
    assert _pick(county, "360402") == (1, 1, 1, 1.0, 1.0)            # E4 exited: not counted
    assert _pick(county, "360403") == (0, 0, 0, None, None)          # no firm: listed, shares null
    city = coverage(store, "2025-06", "city")
    assert _pick(city, "360100") == (4, 2, 1, 0.5, 0.25)
    assert _pick(city, "360400") == (1, 1, 1, 1.0, 1.0)
    assert len(city) == 11
    chain = coverage(store, "2025-06", "chain")
    assert [r["key"] for r in chain][:3] == ["EI", "NF", "EQ"]       # the pack's order
    assert _pick(chain, "EI") == (3, 2, 1, 2 / 3, 1 / 3)
    assert _pick(chain, "NF") == (1, 1, 1, 1.0, 1.0)
    assert sum(r["firms"] for r in chain) == 4                        # E6 is in no chain


def test_filters(store):
    assert [_pick(coverage(store, "2025-06", "county", region="360100"), k) for k in ("360102", "360103")] == \
        [(2, 1, 1, 0.5, 0.5), (2, 1, 0, 0.5, 0.0)]
    assert {r["key"] for r in coverage(store, "2025-06", "county", region="360100")} <= \
        {"360102", "360103", "360104", "360111", "360112", "360113", "360121", "360123", "360124"}
    assert _pick(coverage(store, "2025-06", "province", chain="EI"), "360000") == (3, 2, 1, 2 / 3, 1 / 3)
    assert _pick(coverage(store, "2025-06", "province", pop="srdi"), "360000") == (1, 1, 0, 1.0, 0.0)
    # one row named after the region filtered to
    assert [(r["key"], r["name"], r["firms"]) for r in coverage(store, "2025-06", "province", region="360100")] == \
        [("360100", "南昌市", 4)]


def test_earlier_period_entries_exits_reassessment(store):
    assert _pick(coverage(store, "2024-06", "province"), "360000") == (3, 3, 1, 1.0, 1 / 3)


def test_levels_on_dates(store):
    import datetime as dt

    def lv(day):
        df = levels_on(store, day).execute()
        return {int(r.enterprise_id): int(r.level) for r in df.itertuples()}
    assert lv(dt.date(2025, 6, 30)) == {1: 2, 2: 1, 3: 2, 4: 4}
    assert lv(dt.date(2025, 6, 29)) == {1: 2, 2: 1, 4: 4}             # E3 assessed the next day
    assert lv(dt.date(2025, 7, 15)) == {1: 3, 2: 1, 3: 2, 4: 4, 5: 2}  # E1's GB/T L3 now counts (highest)
    assert lv(dt.date(2023, 5, 1)) == {1: 1, 2: 3}                     # E2's older L3 before its re-assessment


def test_firms_to_reach(store):
    f = firms_to_reach(store, "2025-06", "level2_plus")
    assert f["enterprise_id"].tolist() == [5, 6, 2]                  # unassessed first (by USCC), then level 1
    assert f["level"].isna().tolist() == [True, True, False]
    assert firms_to_reach(store, "2025-06", "assessed")["enterprise_id"].tolist() == [5, 6]
    assert firms_to_reach(store, "2025-06", "level2_plus", region="360402").empty


def test_targets(store):
    t = {x["code"]: x for x in targets_answer(store, "2025-06", None, None, lambda ids: set(ids))["targets"]}
    p = t["plan_full_coverage"]               # 5 firms, 3 transformed, share 1.0 → 5 required, 2 remaining
    assert (p["firms"], p["achieved"], p["required"], p["remaining"], p["status"]) == (5, 3, 5, 2, "open")
    assert p["days_left"] == 549 and p["per_month"] == 2 / 18          # 2025-06-30 → 2026-12-31: 18 months
    assert [f["enterprise_id"] for f in p["to_reach"]] == [5, 6]
    prov = coverage(store, "2025-06", "province")[0]                  # the same firms as the coverage query
    assert (p["measure"], p["firms"], p["achieved"]) == ("transformed", prov["firms"], prov["transformed"])
    s = t["miit_2027_srdi"]
    srdi = coverage(store, "2025-06", "province", pop="srdi")[0]
    assert (s["firms"], s["achieved"]) == (srdi["firms"], srdi["transformed"])
    assert (s["firms"], s["achieved"], s["remaining"], s["status"]) == (1, 1, 0, "met")
    j = t["jiujiang_2026_level2"]             # in 九江: E3 at level 2 → ⌈0.9 × 1⌉ = 1 required, met
    assert (j["region"], j["firms"], j["achieved"], j["required"], j["status"]) == ("360400", 1, 1, 1, "met")
    only = targets_answer(store, "2025-06", "360102", None, lambda ids: {5} & set(ids))["targets"]
    assert [x["code"] for x in only] == ["plan_full_coverage", "jx_2027_above_scale", "miit_2027_srdi"]
    assert only[0]["to_reach_total"] == 1 and [f["enterprise_id"] for f in only[0]["to_reach"]] == [5]
    # 2024-06: the 改造 targets count projects (E1 only), not assessments (E1, E2, E4 all assessed)
    t = {x["code"]: x for x in targets_answer(store, "2024-06", None, None, lambda ids: set(ids))["targets"]}
    assert [(t[c]["firms"], t[c]["achieved"]) for c in ("plan_full_coverage", "jx_2027_above_scale")] == [(3, 1)] * 2
    assert [f["enterprise_id"] for f in t["jx_2027_above_scale"]["to_reach"]] == [2, 4]


@pytest.mark.parametrize("share, firms, achieved, deadline, required, remaining, status", [
    (0.9, 10, 9, "2026-12-31", 9, 0, "met"),          # 0.9 × 10 is exactly 9 (no float round-up to 10)
    (0.9, 10, 8, "2026-12-31", 9, 1, "open"),
    (0.9, 11, 9, "2026-12-31", 10, 1, "open"),        # 9.9 → 10
    (1.0, 5, 5, "2020-01-01", 5, 0, "met"),           # met stays met after the deadline
    (1.0, 5, 4, "2025-06-30", 5, 1, "open"),          # deadline = period end: still open
    (1.0, 5, 4, "2025-06-29", 5, 1, "overdue"),       # a day before: overdue
    (1.0, 0, 0, "2026-12-31", 0, 0, "met"),
])
def test_progress_bounds(share, firms, achieved, deadline, required, remaining, status):
    import datetime as dt

    from chainbrain.analytics.digital_report import progress
    p = progress(share, firms, achieved, dt.date.fromisoformat(deadline), dt.date(2025, 6, 30))
    assert (p["required"], p["remaining"], p["status"]) == (required, remaining, status)


def test_migration_0017_up_down_up(db_any):
    """``digital_assessment`` comes with 0017 and goes with its downgrade, on DuckDB and PostgreSQL."""
    import sqlalchemy as sa
    from alembic import command

    from chainbrain.store.migrate import alembic_config, current_revision, upgrade

    has = sa.text("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                  "AND table_name = 'digital_assessment'")
    st = open_store(db_any)
    try:
        upgrade(st, "0016_cultivation")
        with st.engine.connect() as conn:
            assert conn.execute(has).scalar() == 0
        upgrade(st, "0017_digital")
        assert current_revision(st) == "0017_digital"
        with st.engine.connect() as conn:
            assert conn.execute(has).scalar() == 8
            assert conn.execute(sa.text(str(has).replace("digital_assessment", "digital_adoption"))).scalar() == 7
        command.downgrade(alembic_config(st), "0016_cultivation")
        with st.engine.connect() as conn:
            assert conn.execute(has).scalar() == 0
            assert conn.execute(sa.text(str(has).replace("digital_assessment", "digital_adoption"))).scalar() == 0
        upgrade(st, "0017_digital")
        with st.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO digital_assessment (enterprise_id, scheme, assessed_on, level, source, "
                                 "batch_id) VALUES (1, 'gbt39116', DATE '2025-01-02', 3, 'self', 1)"))
            assert conn.execute(sa.text("SELECT revision FROM digital_assessment")).scalar() == 1
    finally:
        st.close()


def test_benchmarks_and_configured_candidates(store):
    """E1 holds a 标杆 title on 2025-06-30 (E5's lighthouse starts the day after). Candidates only once the
    pack sets min_level; the bound includes itself (E3 at level 2 qualifies for min_level 2)."""
    import copy

    from chainbrain.analytics import digital_rules as R
    from chainbrain.analytics.digital_benchmarks import benchmarks

    b = benchmarks(store, "2025-06")
    assert b["designated"]["enterprise_id"].tolist() == [1] and b["designated"]["titles"].tolist() == ["省级数字化转型标杆"]
    assert (b["configured"], len(b["candidates"])) == (False, 0)

    def with_min(level):
        raw = copy.deepcopy(R.rules()["raw"])
        raw["benchmark"]["min_level"] = level
        return benchmarks(store, "2025-06", r=R._checked(raw))["candidates"]["enterprise_id"].tolist()
    assert with_min(2) == [3]
    assert with_min(3) == []
    assert with_min(1) == [3, 2]                       # level 2, then level 1; E1 holds the title already
    assert benchmarks(store, "2025-06", region="360100", r=None)["designated"]["enterprise_id"].tolist() == [1]


def test_scenarios_catalogue(store):
    import datetime as dt

    from chainbrain.analytics.digital_scenarios import adoptions, catalogue

    day = dt.date(2025, 6, 30)
    assert catalogue(adoptions(store, day)) == [
        {"chain_code": "EI", "scenario": "智能排产", "firms": 2, "providers": 2,
         "first_adopted": "2024-03-01", "last_adopted": "2025-02-01"},
        {"chain_code": "NF", "scenario": "能耗监测", "firms": 1, "providers": 0,
         "first_adopted": "2024-05-01", "last_adopted": "2024-05-01"}]
    assert [r["scenario"] for r in catalogue(adoptions(store, dt.date(2025, 7, 2), chain="EI"))] == ["智能排产", "设备联网"]
    assert [(r["scenario"], r["firms"]) for r in catalogue(adoptions(store, day, region="360402"))] == [("能耗监测", 1)]
    assert adoptions(store, day, region="360100")["enterprise_id"].tolist() == [1, 2]


def test_migration_0027_up_down_up(db_any):
    """``digital_provider`` and the projects' provider_uscc / rating come with 0027 and go with its downgrade."""
    import sqlalchemy as sa
    from alembic import command

    from chainbrain.store.migrate import alembic_config, upgrade

    cols = sa.text("SELECT table_name, COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                   "AND table_name IN ('digital_provider', 'digital_adoption') GROUP BY table_name")
    st = open_store(db_any)
    try:
        upgrade(st, "0020_report_schedule")
        with st.engine.connect() as conn:
            assert dict(conn.execute(cols).fetchall()) == {"digital_adoption": 7}
        upgrade(st, "0027_digital_providers")
        with st.engine.connect() as conn:
            assert dict(conn.execute(cols).fetchall()) == {"digital_adoption": 9, "digital_provider": 8}
        command.downgrade(alembic_config(st), "0020_report_schedule")
        with st.engine.connect() as conn:
            assert dict(conn.execute(cols).fetchall()) == {"digital_adoption": 7}
        upgrade(st, "0027_digital_providers")
        with st.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO digital_provider (uscc, name, batch_id) VALUES ('X', '甲', 1)"))
            assert conn.execute(sa.text("SELECT revision FROM digital_provider")).scalar() == 1
    finally:
        st.close()


def test_providers_register_projects_and_ratings(store):
    """On both stores: 甲 (P1) has E1's project by name and E5's by USCC (after 2025-06-30); 丙 none."""
    import datetime as dt

    from chainbrain.analytics.digital_providers import providers, providers_of_firms

    def rows(day, **kw):
        return {r["name"]: (r["projects"], r["firms"], r["rated"], r["rating"], r["chains"])
                for r in providers(store, day, **kw)}
    assert rows(dt.date(2025, 7, 2)) == {"甲数字科技": (2, 2, 2, 3.5, ["EI"]), "乙工业互联网": (1, 1, 1, 4.0, ["EI", "NF"]),
                                         "丙智造服务": (0, 0, 0, None, ["NF"])}
    assert rows(dt.date(2025, 6, 30), chain="NF") == {"乙工业互联网": (0, 0, 1, 4.0, ["EI", "NF"]),
                                                      "丙智造服务": (0, 0, 0, None, ["NF"])}
    assert rows(dt.date(2025, 6, 30))["甲数字科技"][:4] == (1, 1, 1, 5.0)
    assert providers_of_firms(store, dt.date(2025, 6, 30), {1, 2, 3}) == {1: [(C.PROVIDER[1], "甲数字科技")],
                                                                         2: [(C.PROVIDER[2], "乙工业互联网")]}


def test_cli_providers_json_xlsx_and_bad_options(store, tmp_path):
    import json

    from typer.testing import CliRunner

    from chainbrain.cli import app

    run = CliRunner()
    r = run.invoke(app, ["digital", "providers", "--db", store.db, "--date", "2025-07-02", "--chain", "EI"])
    assert r.exit_code == 0, r.output
    got = {p["name"]: (p["projects"], p["rating"]) for p in json.loads(r.output)["providers"]}
    assert got == {"甲数字科技": (2, 3.5), "乙工业互联网": (1, 4.0)}
    r = run.invoke(app, ["digital", "providers", "--db", store.db, "--format", "xlsx", "--out", str(tmp_path / "p.xlsx")])
    assert r.exit_code == 0 and (tmp_path / "p.xlsx").read_bytes()[:2] == b"PK"
    for args, msg in ((["--date", "2025-02-30"], "YYYY-MM-DD"), (["--chain", "ZZ"], "unknown chain"),
                      (["--provider", "X"], "not in the register")):
        r = run.invoke(app, ["digital", "providers", "--db", store.db, *args])
        assert r.exit_code == 2 and msg in r.output and "Traceback" not in r.output, r.output
