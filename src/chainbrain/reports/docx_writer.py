"""Word (.docx) in the layout of Chinese official documents (GB/T 9704-2012), with python-docx.

- A4 (210 × 297 mm); margins top 37 mm, bottom 35 mm, left (binding side) 28 mm, right 26 mm
  (the standard's 版心 156 × 225 mm);
- title 2号 (22 pt) in the title font, centred; text 3号 (16 pt) in the body font, first line
  indented two characters, exact line spacing 28 pt (22 lines a page);
- headings 一、 in 黑体 (Heading 1), （一） in 楷体 (Heading 2), 1. in the body font bold
  (Heading 3), （1） in the body font (Heading 4) — Word's built-in heading styles, so the
  navigation pane and a table of contents see the levels;
- the East-Asian font is set explicitly (``w:eastAsia`` on every style and run; python-docx
  sets only ``w:ascii`` / ``w:hAnsi``), fonts chosen by :mod:`chainbrain.reports.fonts`;
- page numbers in the footer, 4号, ``— 1 —``, centred (a PAGE field);
- tables with a numbered title and their unit, 10.5 pt, the source id below; charts as PNG.
"""

from __future__ import annotations

import io

from docx import Document as NewDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from chainbrain.reports.fonts import SIZE, fonts

MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
LINE_PT = 28


def east_asia(font_owner_element, name: str) -> None:
    """Set ``w:rFonts`` ascii, hAnsi and eastAsia of a style's or run's ``w:rPr`` to ``name``."""
    rpr = font_owner_element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _style(doc, name: str, font: str, size: float, bold: bool = False) -> None:
    st = doc.styles[name]
    st.font.name, st.font.size, st.font.bold = font, Pt(size), bold
    st.font.color.rgb = RGBColor(0, 0, 0)
    st.font.italic = False
    east_asia(st.element, font)
    pf = st.paragraph_format
    pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PT)
    pf.space_before = pf.space_after = Pt(0)


def _run(par, text: str, font: str, size: float, bold: bool = False):
    r = par.add_run(text)
    r.font.name, r.font.size, r.font.bold = font, Pt(size), bold
    east_asia(r._element, font)
    return r


def _page_number(section, font: str) -> None:
    par = section.footer.paragraphs[0]
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(par, "— ", font, SIZE["page"])
    r = _run(par, "", font, SIZE["page"])
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        r._element.append(el)
    _run(par, " —", font, SIZE["page"])


def _table(doc, t, f: dict) -> None:
    cap = doc.add_paragraph()
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(cap, f"{t.id}  {t.title}（单位：{t.unit}）", f["heading1"], SIZE["table"] + 1)
    table = doc.add_table(rows=1, cols=len(t.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, col in zip(table.rows[0].cells, t.columns):
        cell.text = ""
        _run(cell.paragraphs[0], col.header, f["heading1"], SIZE["table"])
    for row in t.rows:
        cells = table.add_row().cells
        for cell, col in zip(cells, t.columns):
            cell.text = ""
            par = cell.paragraphs[0]
            par.alignment = WD_ALIGN_PARAGRAPH.LEFT if col.kind == "text" else WD_ALIGN_PARAGRAPH.RIGHT
            _run(par, t.cell(row, col), f["body"], SIZE["table"])
    for r in table.rows:
        for c in r.cells:
            for par in c.paragraphs:
                par.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                par.paragraph_format.first_line_indent = Pt(0)
    if t.source:
        note = doc.add_paragraph()
        _run(note, f"资料来源：附表1 {t.source}", f["body"], SIZE["table"])


def write_docx(doc, model, out) -> None:
    """Write :class:`~chainbrain.reports.document.Document` ``doc`` to ``out`` (path or binary file)."""
    f = fonts()
    d = NewDocument()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    sec.left_margin, sec.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    sec.footer_distance = Mm(18)
    _style(d, "Normal", f["body"], SIZE["body"])
    d.styles["Normal"].paragraph_format.first_line_indent = Pt(2 * SIZE["body"])
    _style(d, "Title", f["title"], SIZE["title"])
    for level, (font, bold) in {1: (f["heading1"], False), 2: (f["heading2"], False), 3: (f["body"], True),
                                4: (f["body"], False)}.items():
        _style(d, f"Heading {level}", font, SIZE["heading"], bold)
        d.styles[f"Heading {level}"].paragraph_format.first_line_indent = Pt(2 * SIZE["body"])
    d.core_properties.title = doc.title
    d.core_properties.subject = model.subject_zh
    d.core_properties.keywords = f"period={model.period}; data={model.data_version.get('batch_id')}"

    title = d.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    title.paragraph_format.line_spacing = Pt(36)
    _run(title, doc.title, f["title"], SIZE["title"])
    sub = d.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.paragraph_format.first_line_indent = Pt(0)
    _run(sub, doc.subtitle, f["heading2"], SIZE["body"])
    for line in doc.cover_lines:
        par = d.add_paragraph()
        _run(par, line, f["heading2"], SIZE["table"] + 1.5)
    for b in doc.blocks:
        if b.kind == "heading":
            par = d.add_paragraph(style=f"Heading {b.level}")
            font = {1: f["heading1"], 2: f["heading2"]}.get(b.level, f["body"])
            _run(par, b.text, font, SIZE["heading"], bold=b.level == 3)
        elif b.kind == "para":
            par = d.add_paragraph()
            _run(par, b.text, f["body"], SIZE["body"])
        elif b.kind == "table":
            _table(d, b.table, f)
        elif b.kind == "chart":
            d.add_picture(io.BytesIO(b.chart["png"]), width=Mm(150))
            d.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            d.paragraphs[-1].paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            cap = d.add_paragraph()
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(cap, b.chart["title"], f["body"], SIZE["table"] + 1)
    _page_number(sec, f["body"])
    d.save(out)
