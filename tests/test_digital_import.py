"""``chainbrain import digital``: all-or-nothing, one bilingual error naming file, row and field; revisions."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

import digital_cases as C
import web_fixture as W
from chainbrain.ingest.load import import_file
from chainbrain.store import open_store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("digital-import")
    st = open_store(W.build(tmp / "d.duckdb", tasks=False))
    yield st
    st.close()


def _rows(store):
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT enterprise_id, scheme, assessed_on, level, score, source, revision "
                                    "FROM digital_assessment ORDER BY 1, 2, 3, 7")).fetchall()


def _import(store, tmp_path, rows, name="a.csv", header=None):
    f = tmp_path / name
    text = C.csv_text(rows)
    if header:
        text = header + "\n" + text.split("\n", 1)[1]
    f.write_text(text, encoding="utf-8")
    return import_file(store, "digital", f)


def test_load_then_revise(store, tmp_path):
    res = _import(store, tmp_path, C.FIRST)
    assert (res.status, res.new, res.updated, res.unchanged) == ("loaded", 8, 0, 0)
    res = _import(store, tmp_path, C.CORRECTION)
    assert (res.status, res.new, res.updated, res.unchanged) == ("loaded", 0, 1, 0)
    rows = _rows(store)
    e2 = [r for r in rows if r.enterprise_id == 2 and r.assessed_on == dt.date(2024, 6, 1)]
    assert [(r.level, r.revision) for r in e2] == [(2, 1), (1, 2)]          # history kept, newest counts
    e1 = [r for r in rows if r.enterprise_id == 1]
    assert [(r.scheme, r.level, r.score, r.source) for r in e1] == [
        ("gbt39116", 3, None, "third_party"), ("miit_sme_2022", 1, 25.0, "third_party"),
        ("miit_sme_2024", 2, None, "self")]
    res = _import(store, tmp_path, C.CORRECTION)
    assert (res.new, res.updated, res.unchanged) == (0, 0, 1)


GOOD = (2, "miit_sme_2022", 2, "2024-05-01", "", "")


@pytest.mark.parametrize("bad, rule, field", [
    ((1, "miit_sme_2023", 2, "2024-05-01", "", ""), "digital_scheme", "scheme"),
    ((1, "miit_sme_2022", 5, "2024-05-01", "", ""), "digital_level", "level"),       # 2022: 1–4
    ((1, "miit_sme_2022", 0, "2024-05-01", "", ""), "digital_level", "level"),
    ((1, "gbt39116", 6, "2024-05-01", "", ""), "digital_level", "level"),            # GB/T 39116: 1–5
    ((1, "gbt39116", "2.5", "2024-05-01", "", ""), "integer", "level"),
    ((1, "gbt39116", 2, "2024-02-30", "", ""), "date", "assessed_on"),
    ((1, "miit_sme_2024", 2, "2024-09-03", "", ""), "digital_edition", "assessed_on"),  # before 2024-09-04
    ((1, "miit_sme_2022", 2, "2024-05-01", "39.99", ""), "digital_score", "level"),  # 39.99 → L1
    ((1, "miit_sme_2022", 1, "2024-05-01", "19.99", ""), "digital_score", "level"),  # below 20: no level
    ((1, "miit_sme_2022", 4, "2024-05-01", "100.5", ""), "digital_score_range", "score"),
    ((1, "miit_sme_2022", 2, "2024-05-01", "", "专家"), "digital_source", "source"),
    ((1, "miit_sme_2022", 2, "2024-05-02", "", ""), None, None),                       # placeholder: duplicate below
])
def test_bad_row_rejects_the_file(store, tmp_path, bad, rule, field):
    before = _rows(store)
    rows = [GOOD, bad] if rule else [GOOD, GOOD]
    res = _import(store, tmp_path, rows, name="bad.csv")
    assert res.status == "rejected"
    errs = res.issues.errors
    assert len(errs) == 1, [e.line() for e in errs]
    line = errs[0].line()
    assert line.startswith("bad.csv row 3 "), line                   # header is row 1, the bad row is row 3
    assert f"[{rule or 'duplicate'}]" in line and " / " in line     # bilingual
    assert f" {field or 'uscc'}" in line
    assert _rows(store) == before                                    # all-or-nothing


@pytest.mark.parametrize("row", [
    (1, "miit_sme_2024", 2, "2024-09-04", "", ""),      # the 2024 edition's first day
    (1, "gbt39116", 5, "2024-05-01", "", ""),           # the top of GB/T 39116
    (1, "miit_sme_2022", 2, "2024-05-03", "40", ""),    # 40 opens L2
    (1, "miit_sme_2022", 1, "2024-05-04", "39.99", "自评"),
    (1, "miit_sme_2022", 4, "2024-05-05", "80", ""),    # 80 opens L4
])
def test_boundary_rows_load(store, tmp_path, row):
    res = _import(store, tmp_path, [row], name="ok.csv")
    assert res.status == "loaded" and res.new == 1, [e.line() for e in res.issues.errors]


def test_future_date_and_unknown_firm(store, tmp_path):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    res = _import(store, tmp_path, [(1, "gbt39116", 2, tomorrow, "", "")], name="f.csv")
    assert res.status == "rejected" and res.issues.errors[0].rule == "digital_future"
    f = tmp_path / "u.csv"
    from chainbrain.catalog.uscc import make
    f.write_text(f"uscc,scheme,level,assessed_on\n{make('360102', 1234)},gbt39116,2,2024-01-01\n", encoding="utf-8")
    res = import_file(store, "digital", f)
    assert res.status == "rejected" and [e.rule for e in res.issues.errors] == ["not_registered"]


def test_missing_column_and_chinese_headers(store, tmp_path):
    f = tmp_path / "m.csv"
    f.write_text(f"uscc,scheme,assessed_on\n{W.USCC[1]},gbt39116,2024-01-01\n", encoding="utf-8")
    res = import_file(store, "digital", f)
    assert res.status == "rejected" and [e.rule for e in res.issues.errors] == ["missing_column"]
    f = tmp_path / "zh.csv"
    f.write_text(f"统一社会信用代码,评测体系,等级,评测日期\n{W.USCC[2]},gbt39116,3,2024-02-01\n", encoding="utf-8")
    res = import_file(store, "digital", f)
    assert res.status == "loaded" and res.new == 1


def test_cli_import_and_xlsx(tmp_path):
    from typer.testing import CliRunner

    from chainbrain.cli import app

    db = W.build(tmp_path / "cli.duckdb", tasks=False)
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["uscc", "scheme", "level", "assessed_on"])
    ws.append([W.USCC[3], "miit_sme_2024", 2, "2025-06-30"])
    ws.append([W.USCC[3], "gbt39116", 9, "2025-06-30"])
    wb.save(tmp_path / "d.xlsx")
    r = CliRunner().invoke(app, ["import", "digital", str(tmp_path / "d.xlsx"), "--db", db])
    assert r.exit_code == 2
    assert "d.xlsx" in r.output and "row 3" in r.output and "level" in r.output and "等级超出该评测的范围" in r.output
    ws.delete_rows(3)
    wb.save(tmp_path / "d.xlsx")
    r = CliRunner().invoke(app, ["import", "digital", str(tmp_path / "d.xlsx"), "--db", db])
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("row, rule, field", [
    ((1, "XX", "智能排产", "2024-03-01", ""), "chain_unknown", "chain_code"),
    ((1, "EI", "智能排产", (dt.date.today() + dt.timedelta(days=1)).isoformat(), ""), "digital_future", "adopted_on"),
    ((1, "EI", "场" * 101, "2024-03-01", ""), "too_long", "scenario"),
    ((1, "EI", "智能排产", "2024-03-01", ""), "duplicate", "uscc"),
])
def test_scenario_rows_refused_naming_row_and_field(store, tmp_path, row, rule, field):
    f = tmp_path / "s.csv"
    good = (2, "EI", "智能排产", "2024-03-01", "")
    rows = [good, row] if rule != "duplicate" else [row, row]
    f.write_text(C.scenarios_csv(rows), encoding="utf-8")
    res = import_file(store, "digital-scenarios", f)
    assert res.status == "rejected" and len(res.issues.errors) == 1, [e.line() for e in res.issues.errors]
    line = res.issues.errors[0].line()
    assert line.startswith("s.csv row 3 ") and f"[{rule}]" in line and f" {field}" in line, line
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM digital_adoption")).scalar() == 0


def _providers(store):
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT uscc, name, region_code, chains, scenarios, listed_on, revision "
                                    "FROM digital_provider ORDER BY uscc, revision")).fetchall()


def test_providers_register_load_and_revise(store, tmp_path):
    """服务商名录: chains by code or Chinese name, any of ; ； , 、 as separator; a change is a new revision."""
    f = tmp_path / "p.csv"
    f.write_text(C.providers_csv(C.PROVIDERS), encoding="utf-8")
    res = import_file(store, "digital-providers", f)
    assert (res.status, res.new, res.updated, res.unchanged) == ("loaded", 3, 0, 0), [e.line() for e in res.issues.errors]
    got = {r.uscc: r for r in _providers(store)}
    p2 = got[C.PROVIDER[2]]
    assert (p2.chains, p2.scenarios, p2.region_code, p2.listed_on) == ("EI;NF", "智能排产;能耗监测", None, None)
    assert (got[C.PROVIDER[1]].scenarios, got[C.PROVIDER[1]].region_code) == ("智能排产;设备联网", "360102")
    f.write_text("统一社会信用代码,服务商名称,服务产业链,服务场景\n"
                 f"{C.PROVIDER[3]},丙智造服务,新能源;EI,能耗监测\n", encoding="utf-8")
    with store.engine.connect() as conn:
        nf = conn.execute(sa.text("SELECT name_zh FROM chain WHERE code = 'NF'")).scalar()
    f.write_text(f.read_text(encoding="utf-8").replace("新能源", nf), encoding="utf-8")
    res = import_file(store, "digital-providers", f)
    assert (res.status, res.new, res.updated) == ("loaded", 0, 1), [e.line() for e in res.issues.errors]
    p3 = [r for r in _providers(store) if r.uscc == C.PROVIDER[3]]
    assert [(r.chains, r.region_code, r.revision) for r in p3] == [("NF", "360103", 1), ("NF;EI", None, 2)]


@pytest.mark.parametrize("cells, rule, field", [
    ("{u},丁服务,XX,,,", "chain_unknown", "chains"),
    ("{u},丁服务,EI,{long},,", "too_long", "scenarios"),
    ("{u},丁服务,EI,,,{tomorrow}", "digital_future", "listed_on"),
    ("{u},丁服务,EI,,999999,", "region_unknown", "region"),
    ("{bad},丁服务,EI,,,", "uscc", "uscc"),
    ("{u0},丁服务,EI,,,", "duplicate", "uscc"),
])
def test_provider_rows_refused(store, tmp_path, cells, rule, field):
    from chainbrain.catalog.uscc import make

    before = _providers(store)
    u = make("360102", 7100)
    row = cells.format(u=u, u0=make("360102", 7099), long="场" * 101, bad=u[:-1] + ("0" if u[-1] != "0" else "1"),
                       tomorrow=(dt.date.today() + dt.timedelta(days=1)).isoformat())
    f = tmp_path / "p.csv"
    f.write_text(f"uscc,name,chains,scenarios,region,listed_on\n{make('360102', 7099)},戊服务,EI,,,\n{row}\n",
                 encoding="utf-8")
    res = import_file(store, "digital-providers", f)
    assert res.status == "rejected" and len(res.issues.errors) == 1, [e.line() for e in res.issues.errors]
    line = res.issues.errors[0].line()
    assert line.startswith("p.csv row 3 ") and f"[{rule}]" in line and f" {field}" in line and " / " in line, line
    assert _providers(store) == before                                  # all-or-nothing


@pytest.mark.parametrize("rating, provider, rule, field", [
    (0, 2, "digital_rating", "rating"), (6, 2, "digital_rating", "rating"),      # the scale is 1–5
    ("4.5", 2, "integer", "rating"), (3, "unregistered", "provider_unknown", "provider_uscc")])
def test_project_rating_and_provider_refused(store, tmp_path, rating, provider, rule, field):
    from chainbrain.catalog.uscc import make

    pu = make("360102", 7200) if provider == "unregistered" else C.PROVIDER[provider]
    f = tmp_path / "s.csv"
    f.write_text("uscc,chain_code,scenario,adopted_on,provider_uscc,rating\n"
                 f"{W.USCC[2]},EI,智能排产,2024-03-01,,\n{W.USCC[1]},EI,智能排产,2024-03-01,{pu},{rating}\n",
                 encoding="utf-8")
    res = import_file(store, "digital-scenarios", f)
    assert res.status == "rejected" and len(res.issues.errors) == 1, [e.line() for e in res.issues.errors]
    line = res.issues.errors[0].line()
    assert line.startswith("s.csv row 3 ") and f"[{rule}]" in line and f" {field}" in line, line


def test_scenarios_load_and_revise(store, tmp_path):
    f = tmp_path / "s.csv"
    f.write_text(C.scenarios_csv(C.SCENARIOS), encoding="utf-8")
    res = import_file(store, "digital-scenarios", f)
    assert (res.status, res.new, res.updated, res.unchanged) == ("loaded", 4, 0, 0)
    f.write_text(C.scenarios_csv([(3, "NF", "能耗监测", "2024-05-01", "丙服务商")]), encoding="utf-8")
    res = import_file(store, "digital-scenarios", f)
    assert (res.new, res.updated, res.unchanged) == (0, 1, 0)
    with store.engine.connect() as conn:       # the name comes from the register when only the USCC is given
        got = conn.execute(sa.text("SELECT provider, provider_uscc, rating FROM digital_adoption WHERE enterprise_id = 5"
                                   )).fetchall()
    assert [tuple(r) for r in got] == [("甲数字科技", C.PROVIDER[1], 2)]
    for rating in (1, 5):                      # the scale's bounds load
        f.write_text(C.scenarios_csv([(2, "EI", "智能排产", "2025-02-01", "乙工业互联网", 2, rating)]), encoding="utf-8")
        res = import_file(store, "digital-scenarios", f)
        assert (res.status, res.updated) == ("loaded", 1), [e.line() for e in res.issues.errors]
