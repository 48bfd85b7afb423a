"""The office's Excel task list: a realistic file imports, the export imports back unchanged
(round trip), and bad files are refused whole with errors naming file, row and field."""

from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter

import web_fixture as W
from chainbrain.ingest.work_tasks import TaskFileError, read_tasks
from chainbrain.store import open_store
from chainbrain.web.users import lookup, verify
from chainbrain.work.task_import import export_tasks, import_tasks
from chainbrain.work.tasks import list_tasks

TODAY = dt.date(2025, 3, 3)
HEAD = ["序号", "工作任务", "责任单位", "责任人", "配合单位", "产业链", "地区", "完成时限", "进展情况", "状态"]
ROWS = [
    ["1", "推动链主企业年产50万台智能终端项目竣工投产", "南昌市工信局", "刘伟", "江西省发展和改革委员会、国网江西省电力有限公司",
     "电子信息", "南昌市东湖区", "2025年6月底", "主体厂房已封顶", "推进中"],
    ["2", "编制电子信息产业链补链招商目录", "省工信厅", "陈静", "", "EI", "", "2025-09-30", "", ""],
    ["3", "组织链上企业开展供需对接活动", "江西省商务厅", "", "省工信厅", "电子信息产业链", "南昌市", "2025/5/20",
     "已举办两场", "已办结"],
]


def write(path, rows, head=HEAD, title=True):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("2025年任务")
    r0 = 0
    if title:
        ws.write(0, 0, "2025年电子信息产业链重点工作任务清单")
        r0 = 1
    ws.write_row(r0, 0, head)
    for i, row in enumerate(rows, start=r0 + 1):
        ws.write_row(i, 0, row)
    wb.close()
    return path


@pytest.fixture(autouse=True)
def _files_in_tmp(tmp_path, monkeypatch):
    """The web fixture's request file goes to the test's folder, not ./data/files."""
    monkeypatch.setenv("CHAINBRAIN_FILES_DIR", str(tmp_path / "files"))


@pytest.fixture
def store_users(db_any):
    W.build(db_any, tasks=False)
    store = open_store(db_any)
    yield store, {n: verify(store, n, W.password(n), lookup(store, n)) for n in ("admin", "ei_office", "lx_county")}
    store.close()


def test_import_then_export_round_trip(store_users, tmp_path):
    store, u = store_users
    ids = import_tasks(store, u["ei_office"], write(tmp_path / "tasks.xlsx", ROWS), TODAY)
    assert len(ids) == 3
    items = {t["seq"]: t for t in list_tasks(store, u["ei_office"], TODAY)["items"]}
    t1, t2, t3 = items["1"], items["2"], items["3"]
    assert (t1["region_code"], t1["chain_code"], t1["deadline"], t1["status"]) == ("360102", "EI", "2025-06-30", "in_progress")
    assert t1["coop_units"] == sorted(["江西省发展和改革委员会", "国网江西省电力有限公司"])
    assert t1["progress_note"] == "主体厂房已封顶" and t1["lead_person"] == "刘伟"
    assert (t2["region_code"], t2["status"], t2["coop_units"]) == ("360000", "assigned", [])
    assert (t3["region_code"], t3["deadline"], t3["status"]) == ("360100", "2025-05-20", "closed")
    assert {t["source"] for t in items.values()} == {"import"}
    first = export_tasks(store, u["ei_office"], TODAY)
    (tmp_path / "export.xlsx").write_bytes(first)
    back = read_tasks(tmp_path / "export.xlsx")
    key = lambda r: (r.seq, r.title, r.lead_unit, r.lead_person, sorted(r.coop_units), r.chain_code,  # noqa: E731
                     r.region_code, r.deadline, r.progress_note, r.status)
    assert sorted(map(key, back)) == sorted(map(key, read_tasks(tmp_path / "tasks.xlsx")))
    # importing the export into another store reproduces the same list
    ids2 = import_tasks(store, u["ei_office"], tmp_path / "export.xlsx", TODAY)
    assert len(ids2) == 3 and len(list_tasks(store, u["ei_office"], TODAY)["items"]) == 6


def test_bad_file_is_refused_whole_with_row_and_field(store_users, tmp_path):
    store, u = store_users
    bad = [ROWS[0], ["2", "", "省工信厅", "", "", "电子信息", "", "2025-13-01", "", "差不多了"],
           ["3", "任务", "省工信厅", "", "", "光伏", "火星市", "下个月", "", ""]]
    with pytest.raises(TaskFileError) as e:
        import_tasks(store, u["ei_office"], write(tmp_path / "bad.xlsx", bad), TODAY)
    msg = str(e.value)
    assert "bad.xlsx" in msg and "nothing imported" in msg and "未导入任何任务" in msg
    found = {(i.row, i.column, i.rule) for i in e.value.issues}
    assert found == {(4, "工作任务", "required"), (4, "完成时限", "date"), (4, "状态", "task_status"),
                     (5, "产业链", "chain_unknown"), (5, "地区", "region_unknown"), (5, "完成时限", "date")}
    assert "row 4 完成时限: invalid date (expected YYYY-MM-DD) (日期无效（应为 YYYY-MM-DD）)" in msg
    assert list_tasks(store, u["admin"], TODAY)["total"] == 0                 # all or nothing


def test_missing_column_and_out_of_scope_rows(store_users, tmp_path):
    store, u = store_users
    with pytest.raises(TaskFileError) as e:
        import_tasks(store, u["ei_office"], write(tmp_path / "cols.xlsx", [r[:7] for r in ROWS], HEAD[:7]), TODAY)
    assert [(i.rule, i.column) for i in e.value.issues] == [("missing_column", "完成时限")]
    # a county bureau may import only its own county's tasks; an empty 地区 is its county
    rows = [["1", "铜冶炼技改", "九江市工信局", "", "", "有色金属", "", "2025-08-31", "", ""],
            ["2", "别县任务", "九江市工信局", "", "", "有色金属", "南昌市东湖区", "2025-08-31", "", ""]]
    with pytest.raises(TaskFileError) as e:
        import_tasks(store, u["lx_county"], write(tmp_path / "scope.xlsx", rows), TODAY)
    assert [(i.row, i.rule) for i in e.value.issues] == [(4, "out_of_scope")]
    assert import_tasks(store, u["lx_county"], write(tmp_path / "ok.xlsx", rows[:1]), TODAY)
    assert [t["region_code"] for t in list_tasks(store, u["lx_county"], TODAY)["items"]] == ["360402"]


def test_unreadable_file(tmp_path):
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"not a workbook")
    with pytest.raises(TaskFileError, match="x.xlsx"):
        read_tasks(p)


def test_cli_import_refuses_bad_file_then_imports_and_exports(tmp_path):
    from typer.testing import CliRunner

    from chainbrain.cli import app

    db = W.build(tmp_path / "cli.duckdb", tasks=False)
    run = CliRunner().invoke
    bad = write(tmp_path / "bad.xlsx", [["1", "任务", "省工信厅", "", "", "电子信息", "", "下个月", "", ""]])
    r = run(app, ["work", "tasks-import", str(bad), "--as", "ei_office", "--db", db])
    assert r.exit_code == 1 and "bad.xlsx[2025年任务] row 3 完成时限 = '下个月': [date]" in r.output
    r = run(app, ["work", "tasks-import", str(write(tmp_path / "ok.xlsx", ROWS)), "--as", "ei_office", "--db", db])
    assert r.exit_code == 0 and "imported 3 tasks" in r.output, r.output
    assert run(app, ["work", "tasks-import", str(bad), "--as", "nobody", "--db", db]).exit_code == 2
    out = tmp_path / "out.xlsx"
    r = run(app, ["work", "tasks-export", str(out), "--as", "ei_office", "--status", "closed", "--db", db])
    assert r.exit_code == 0 and [t.title for t in read_tasks(out)] == ["组织链上企业开展供需对接活动"]
