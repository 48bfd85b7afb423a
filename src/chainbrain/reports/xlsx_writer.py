"""Excel (.xlsx) workbook of every table of a report, with number formats and units (openpyxl).

Sheet 封面 (cover: title, scope, data version, view); one sheet per table (表1 …, 附表1), its
title and unit in the first row, headers in the second (each with its unit), the values below
as numbers: money in 亿元 (yuan / 10⁸, format ``#,##0.00``), rates as fractions (``0.0%``),
percentage points (``0.00``), counts (``#,##0``); a withheld figure is an empty cell with the
comment-free marker ``—`` (text), as in the Word and PDF tables.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from chainbrain.reports.fonts import font
from chainbrain.reports.text import WITHHELD, YI

FORMAT = {"money": "#,##0.00", "rate": "0.0%", "ratio": "0.0%", "pp": "0.00", "int": "#,##0"}


def _value(v, kind: str):
    if v is None:
        return WITHHELD if kind != "text" else None
    if kind == "money":
        return v / YI
    if kind == "int":
        return int(v)
    return v


def write_xlsx(doc, model, out) -> None:
    wb = Workbook()
    body = Font(name=font("body"))
    bold = Font(name=font("heading1"), bold=True)
    ws = wb.active
    ws.title = "封面"
    ws.append([doc.title])
    ws["A1"].font = Font(name=font("title"), size=16, bold=True)
    ws.append([doc.subtitle])
    for line in doc.cover_lines:
        ws.append([line])
    ws.append(["数字格式：金额单位亿元（两位小数），增速为百分数，拉动为百分点；“—”表示按统计法规定不予公布。"])
    ws.column_dimensions["A"].width = 100
    for t in doc.tables:
        sh = wb.create_sheet(t.id)
        sh.append([f"{t.id}  {t.title}（单位：{t.unit}）"])
        sh["A1"].font = bold
        sh.append([c.header for c in t.columns])
        for cell in sh[2]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in t.rows:
            sh.append([_value(row.get(c.key), c.kind) for c in t.columns])
        for j, col in enumerate(t.columns, 1):
            letter = sh.cell(row=2, column=j).column_letter
            sh.column_dimensions[letter].width = 14 if col.kind != "text" else (60 if col.key == "query" else 18)
            for i in range(3, sh.max_row + 1):
                c = sh.cell(row=i, column=j)
                c.font = body
                if col.kind in FORMAT and not isinstance(c.value, str):
                    c.number_format = FORMAT[col.kind]
        if t.source:
            sh.append([f"资料来源：附表1 {t.source}"])
        sh.freeze_panes = "B3"
    wb.properties.title = doc.title
    wb.properties.keywords = f"period={model.period}; data={model.data_version.get('batch_id')}"
    wb.save(out)
