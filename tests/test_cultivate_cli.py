"""``chainbrain cultivate assess``: CSV in, one row per case_id out; bad input → one bilingual error, exit 2."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

from chainbrain.analytics.cultivate_assess import OUTPUT
from chainbrain.cli import app
from cultivate_cases import BASE, firm
from chainbrain.ingest.cultivate_csv import NAMES

REQUIRED = ["case_id", "innovative_score", "innov_innovation_pts", "innov_growth_pts", "innov_specialisation_pts",
            "innovative_qualifies", "innovative_reason", "srdi_gates_met", "srdi_failed_gate", "srdi_score_known",
            "srdi_score_max", "size_class"]


def write(path, rows, names=NAMES):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=names, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def invoke(*args):
    return CliRunner().invoke(app, ["cultivate", "assess", *map(str, args)])


def test_assess_csv(tmp_path):
    rows = [firm(case_id="F1", has_hightech_cert=1, employees=20, revenue_prev_year_wan=300),
            firm(case_id="F2", years_in_niche=2, rd_expense_prev_year_wan=100, rd_ratio_pct=3,
                 rd_expense_2y_avg_wan=1000, employees=19),
            firm(case_id="F3", revenue_prev_year_wan="", rd_ratio_pct="", years_in_niche="")]
    src, out = write(tmp_path / "in.csv", rows), tmp_path / "out.csv"
    res = invoke("--input", src, "--output", out)
    assert res.exit_code == 0, res.output
    assert "3 firms assessed" in res.output
    got = list(csv.DictReader(open(out, encoding="utf-8")))
    assert list(got[0]) == OUTPUT and set(REQUIRED) <= set(OUTPUT)
    assert [r["case_id"] for r in got] == ["F1", "F2", "F3"]
    assert [r["innovative_qualifies"] for r in got] == ["1", "0", "0"]
    assert [r["srdi_gates_met"] for r in got] == ["0", "1", "0"]
    assert got[0]["srdi_failed_gate"] == "G1_niche_years;G2_rd;G3_revenue;G4_score_or_alt"   # revenue 300 < 1000
    # F3: G1 and G3 undecided (empty), G2 fails (R&D 5 万元 < 100), so not listed: G1, G3
    assert (got[2]["srdi_failed_gate"], got[2]["srdi_unknown_gate"]) == ("G2_rd;G4_score_or_alt",
                                                                       "G1_niche_years;G3_revenue")
    assert [r["size_class"] for r in got] == ["small", "micro", ""]
    # F3: + years (5) + R&D, whose ratio is unknown (10 − 0 by amount): 30 + 5 + 10
    assert [r["srdi_score_max"] for r in got] == ["30", "30", "45"]


def test_assess_xlsx(tmp_path):
    import openpyxl

    src, out = write(tmp_path / "in.csv", [firm(case_id="F1")]), tmp_path / "out.xlsx"
    assert invoke("--input", src, "--output", out).exit_code == 0
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[1]] == OUTPUT and ws["A2"].value == "F1"


BAD = [
    (dict(debt_ratio_pct="abc"), "row 3, field debt_ratio_pct", "不是数字"),
    (dict(ip_class="III"), "row 3, field ip_class", "取值须为"),
    (dict(sei_field="2"), "row 3, field sei_field", "须为 0 或 1"),
    (dict(digital_level="5"), "row 3, field digital_level", "1–4"),
    (dict(quality_items="1.5"), "row 3, field quality_items", "0–4"),
    (dict(employees="12.5"), "row 3, field employees", "须为整数"),
    (dict(main_business_share_pct="100.5"), "row 3, field main_business_share_pct", "不得大于"),
    (dict(equity_financing_2y_wan="-1"), "row 3, field equity_financing_2y_wan", "不得为负"),
    (dict(st_award_rank="0"), "row 3, field st_award_rank", "名次"),
    (dict(case_id="A"), "row 3, field case_id", "重复"),
    (dict(case_id=""), "row 3, field case_id", "为空"),
]


@pytest.mark.parametrize("over,where,zh", BAD)
def test_bad_input(tmp_path, over, where, zh):
    src = write(tmp_path / "bad.csv", [firm(case_id="A"), firm(**{"case_id": "B", **over})])
    out = tmp_path / "out.csv"
    res = invoke("--input", src, "--output", out)
    assert res.exit_code == 2
    assert f"{src}: {where}" in res.output and zh in res.output
    assert "Traceback" not in res.output
    assert not out.exists()                     # all-or-nothing


def test_missing_column_and_missing_file(tmp_path):
    src = write(tmp_path / "bad.csv", [firm()], names=[n for n in NAMES if n != "net_margin_pct"])
    res = invoke("--input", src, "--output", tmp_path / "o.csv")
    assert res.exit_code == 2 and f"{src}: row 1, field net_margin_pct" in res.output and "缺少必需列" in res.output
    res = invoke("--input", tmp_path / "nope.csv", "--output", tmp_path / "o.csv")
    assert res.exit_code == 2 and "文件不存在" in res.output


def test_none_reads_as_empty_in_number_columns():
    from cultivate_cases import one

    a = one(st_award_rank="none", equity_financing_3y_wan="None", net_margin_pct="none")
    b = one(st_award_rank="", equity_financing_3y_wan="", net_margin_pct="")
    assert a == b and a["srdi_score_max"] == 40            # net margin not reported: +10


def test_extra_columns_ignored_and_bom(tmp_path):
    path = tmp_path / "in.csv"
    names = ["name", *NAMES]
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.DictWriter(f, fieldnames=names)
        w.writeheader()
        w.writerow({"name": "某公司", **BASE})
    assert invoke("--input", path, "--output", tmp_path / "o.csv").exit_code == 0


def test_unreadable_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(",".join(NAMES) + "\n" + ",".join(BASE[n] for n in NAMES[:-2]) + "\n", encoding="utf-8")
    latin = tmp_path / "latin.csv"
    latin.write_bytes((",".join(NAMES) + "\n").encode() + b"\xff\xfe," * 5 + b"\n")
    for path in (empty, ragged, latin):
        res = invoke("--input", path, "--output", tmp_path / "o.csv")
        assert res.exit_code == 2, (path, res.output)
        assert f"{path}: " in res.output and "(" in res.output and "Traceback" not in res.output
    assert "Empty CSV file" in invoke("--input", empty, "--output", tmp_path / "o.csv").output
    # the short row is named with the first field it lacks
    assert f"{ragged}: row 2, field {NAMES[-2]}: 22 fields where the header has 24 (字段数 22 与表头 24 不符)" in \
        invoke("--input", ragged, "--output", tmp_path / "o.csv").output
    assert "UTF-8" in invoke("--input", latin, "--output", tmp_path / "o.csv").output
