"""Sample-page images of the monthly report's Word and Excel files for docs/reports.md.

No office suite (LibreOffice, Word) is installed on the build machine, so these are *not* an
office program's rendering. They are the files as read back — the Word file with python-docx
(its page size and margins, each paragraph's style with the style's East-Asian font, size,
bold, indent and line spacing, the runs' text, the tables, the embedded charts), the workbook
with openpyxl (each cell's value shown through its own number format, column widths, bold) —
laid out in HTML and drawn by Chromium (Playwright). What they show is what the files hold;
the line breaks and glyph spacing are Chromium's, not Word's or Excel's.

    PYTHONPATH=src python scripts/report_samples.py --db tiny.duckdb --period 2026-10 --out docs/images
"""

from __future__ import annotations

import argparse
import base64
import html
import io
from pathlib import Path

EMU_PER_MM = 36000


def _east_asia(style) -> str | None:
    from docx.oxml.ns import qn

    rpr = style.element.rPr
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def docx_html(body: bytes) -> str:
    """The Word file's first pages as HTML (module docstring)."""
    import docx
    from docx.oxml.ns import qn

    d = docx.Document(io.BytesIO(body))
    sec = d.sections[0]
    mm = lambda v: v / EMU_PER_MM                                        # noqa: E731
    css = [f"@page {{ size: {mm(sec.page_width):.0f}mm {mm(sec.page_height):.0f}mm; }}",
           f".page {{ width: {mm(sec.page_width):.0f}mm; min-height: {mm(sec.page_height):.0f}mm; box-sizing: border-box;"
           f" padding: {mm(sec.top_margin):.0f}mm {mm(sec.right_margin):.0f}mm {mm(sec.bottom_margin):.0f}mm "
           f"{mm(sec.left_margin):.0f}mm; background: white; }}",
           "body { margin: 0; background: #888; } p { margin: 0; } table { border-collapse: collapse; margin: 6pt 0; }"
           " td { border: 0.5pt solid black; padding: 1pt 4pt; }"]
    for st in d.styles:
        if st.type != 1 or st.font is None:                              # paragraph styles
            continue
        cls = "s-" + st.name.replace(" ", "_")
        font = _east_asia(st) or st.font.name
        rules = [f"font-family: '{font}'" if font else None,
                 f"font-size: {st.font.size.pt}pt" if st.font.size else None,
                 "font-weight: bold" if st.font.bold else None]
        pf = st.paragraph_format
        if pf.first_line_indent is not None:
            rules.append(f"text-indent: {pf.first_line_indent.pt}pt")
        if pf.line_spacing is not None and hasattr(pf.line_spacing, "pt"):
            rules.append(f"line-height: {pf.line_spacing.pt}pt")
        css.append(f".{cls} {{ {'; '.join(r for r in rules if r)} }}")
    parts = []
    rels = d.part.related_parts
    for el in d.element.body.iterchildren():
        if el.tag == qn("w:p"):
            p = docx.text.paragraph.Paragraph(el, d)
            blips = el.findall(".//" + qn("a:blip"))
            if blips:
                for b in blips:
                    blob = rels[b.get(qn("r:embed"))].blob
                    parts.append(f'<p style="text-align:center"><img style="width:150mm" '
                                 f'src="data:image/png;base64,{base64.b64encode(blob).decode()}"></p>')
                continue
            align = {1: "center", 2: "right"}.get(p.alignment if p.alignment is None else int(p.alignment), "left")
            runs = "".join(
                f'<span style="{"font-family:" + repr(r.font.name) + ";" if r.font.name else ""}'
                f'{"font-size:" + str(r.font.size.pt) + "pt;" if r.font.size else ""}'
                f'{"font-weight:bold;" if r.font.bold else ""}">{html.escape(r.text)}</span>' for r in p.runs)
            parts.append(f'<p class="s-{p.style.name.replace(" ", "_")}" style="text-align:{align}">{runs or "&nbsp;"}</p>')
        elif el.tag == qn("w:tbl"):
            t = docx.table.Table(el, d)
            rows = "".join("<tr>" + "".join(
                f'<td style="font-family:\'{_east_asia(d.styles["Normal"])}\';font-size:10.5pt">'
                f"{html.escape(c.text)}</td>" for c in r.cells) + "</tr>" for r in t.rows)
            parts.append(f"<table>{rows}</table>")
    return f"<html><head><meta charset='utf-8'><style>{' '.join(css)}</style></head><body><div class='page'>" \
           f"{''.join(parts)}</div></body></html>"


def _shown(cell) -> str:
    """A cell's value through its number format (the formats the workbook uses: 0.00, 0.0%, #,##0)."""
    v, f = cell.value, cell.number_format or "General"
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if "%" in f:
            digits = len(f.split(".")[1].rstrip("%")) if "." in f else 0
            return f"{v * 100:.{digits}f}%"
        if "0.0" in f:
            digits = len(f.split(".")[1].rstrip(";_)").split(";")[0])
            return f"{v:,.{digits}f}" if "," in f else f"{v:.{digits}f}"
        if "#,##0" in f:
            return f"{v:,.0f}"
    return str(v)


def xlsx_html(body: bytes, sheet_index: int) -> tuple[str, str]:
    """(sheet name, HTML) of one worksheet as a grid with Excel-like row and column headers."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(io.BytesIO(body))
    ws = wb.worksheets[sheet_index]
    ncol = ws.max_column
    widths = [(ws.column_dimensions[get_column_letter(i)].width or 8.43) * 7 for i in range(1, ncol + 1)]
    head = "<tr><th></th>" + "".join(f"<th style='width:{w:.0f}px'>{get_column_letter(i + 1)}</th>"
                                     for i, w in enumerate(widths)) + "</tr>"
    rows = []
    for r in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 30)):
        cells = "".join(
            f"<td style='{'font-weight:bold;' if c.font and c.font.b else ''}"
            f"text-align:{'right' if isinstance(c.value, (int, float)) else 'left'}'>{html.escape(_shown(c))}</td>"
            for c in r)
        rows.append(f"<tr><th>{r[0].row}</th>{cells}</tr>")
    tabs = "".join(f"<span class='{'on' if i == sheet_index else ''}'>{html.escape(n)}</span>"
                   for i, n in enumerate(wb.sheetnames))
    css = ("body { margin: 0; font: 11pt 'Noto Sans CJK SC'; background: white; } table { border-collapse: collapse;"
           " table-layout: fixed; } td, th { border: 1px solid #d4d4d4; padding: 1px 4px; white-space: nowrap;"
           " overflow: hidden; height: 20px; } th { background: #efefef; font-weight: normal; color: #444; }"
           " .tabs span { display: inline-block; padding: 3px 10px; border: 1px solid #ccc; margin-right: 2px; }"
           " .tabs .on { background: white; border-bottom: 2px solid #217346; font-weight: bold; } .tabs { background: #f3f3f3;"
           " padding: 4px; }")
    return ws.title, f"<html><head><meta charset='utf-8'><style>{css}</style></head><body><table>{head}" \
                     f"{''.join(rows)}</table><div class='tabs'>{tabs}</div></body></html>"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--period", required=True)
    ap.add_argument("--out", default="docs/images")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from chainbrain.reports import write
    from chainbrain.reports.gather import gather
    from chainbrain.store import open_store

    with open_store(a.db) as store:
        m = gather(store, a.period)
    bodies = {}
    for fmt in ("docx", "xlsx"):
        buf = io.BytesIO()
        write(m, fmt, buf)
        bodies[fmt] = buf.getvalue()
    out = Path(a.out)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        pg = b.new_page(viewport={"width": 800, "height": 1130}, device_scale_factor=1)
        pg.set_content(docx_html(bodies["docx"]))
        pg.screenshot(path=str(out / "report-docx-page1.png"), clip={"x": 0, "y": 0, "width": 794, "height": 1123})
        pg.set_viewport_size({"width": 1200, "height": 560})
        import openpyxl

        names = openpyxl.load_workbook(io.BytesIO(bodies["xlsx"])).sheetnames
        idx = next((i for i, n in enumerate(names) if "产业链" in n or "表3" in n), 1)
        _, page = xlsx_html(bodies["xlsx"], idx)
        pg.set_content(page)
        pg.screenshot(path=str(out / "report-xlsx-sheet.png"), full_page=True)
        b.close()
    print(out / "report-docx-page1.png", out / "report-xlsx-sheet.png")


if __name__ == "__main__":
    main()
