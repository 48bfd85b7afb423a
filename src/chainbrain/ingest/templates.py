"""Fill-in templates for every import kind (.xlsx or .csv).

Row 1: Chinese names; row 2: English keys (recognised and skipped on import);
an .xlsx template also has a sheet ``说明 / fields`` explaining every field,
its type, unit and rules. A filled-in template imports unchanged.
"""

from __future__ import annotations

import csv
from pathlib import Path

from chainbrain.ingest.headers import KINDS

TYPE_DOC = {
    "uscc": ("18位统一社会信用代码", "18-char unified social credit code"),
    "text": ("文本", "text"), "region": ("区划代码或名称", "region code or name"),
    "industry": ("行业小类代码", "industry class code"), "date": ("日期 YYYY-MM-DD", "date YYYY-MM-DD"),
    "int": ("整数", "integer"), "money": ("金额（单位见 unit 列或 --unit）", "money (unit from the unit column or --unit)"),
    "number": ("数值", "number"), "period": ("报告期", "period"), "year": ("年度 YYYY", "year YYYY"),
    "enum": ("取值见说明", "see notes"), "province": ("省份名称或代码", "province name or code"),
    "unit": ("元/千元/万元/亿元", "元/千元/万元/亿元"),
    "segment": ("产业链环节代码或名称", "chain segment code or name"),
}


def write_template(kind: str, out: str | Path) -> Path:
    if kind not in KINDS:
        raise KeyError(kind)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fields = KINDS[kind]
    if out.suffix.lower() == ".csv":
        with open(out, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow([fl.zh for fl in fields])
            w.writerow([fl.key for fl in fields])
        return out
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(out))
    ws = wb.add_worksheet("数据 data")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    req = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    key = wb.add_format({"italic": True, "font_color": "#666666"})
    text = wb.add_format({"num_format": "@"})
    for j, fl in enumerate(fields):
        ws.write(0, j, fl.zh, req if fl.required else head)
        ws.write(1, j, fl.key, key)
        ws.set_column(j, j, max(12, len(fl.zh) * 2 + 2), text if fl.kind in ("uscc", "region", "industry", "period") else None)
        ws.write_comment(0, j, f"{fl.doc_zh or TYPE_DOC[fl.kind][0]}\n{fl.doc_en or TYPE_DOC[fl.kind][1]}")
    ws.freeze_panes(2, 0)
    doc = wb.add_worksheet("说明 fields")
    cols = ["字段 key", "中文名", "必需列 required", "类型 type", "说明", "notes", "同义列名 synonyms"]
    for j, c in enumerate(cols):
        doc.write(0, j, c, head)
    for i, fl in enumerate(fields, start=1):
        doc.write_row(i, 0, [fl.key, fl.zh, "是 yes" if fl.required else "否 no", fl.kind,
                             fl.doc_zh or TYPE_DOC[fl.kind][0], fl.doc_en or TYPE_DOC[fl.kind][1],
                             "、".join(fl.synonyms)])
    notes = [
        "第1行为中文列名，第2行为英文字段名（导入时自动跳过），从第3行起填写数据。",
        "Row 1: Chinese names; row 2: English keys (skipped on import); data from row 3.",
        "金额须注明单位：unit 列或命令行 --unit（元/千元/万元/亿元），系统不会猜测单位。",
        "Money needs a unit: the unit column or --unit (元/千元/万元/亿元); it is never guessed.",
        "导入为全有或全无：任何错误都不会改动数据；--skip-invalid 只导入正确的行。",
        "Imports are all-or-nothing; --skip-invalid loads only the valid rows.",
    ]
    for k, line in enumerate(notes):
        doc.write(len(fields) + 2 + k, 0, line)
    doc.set_column(0, 6, 22)
    wb.close()
    return out
