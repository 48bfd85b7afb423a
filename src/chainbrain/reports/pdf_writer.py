"""PDF of a report: an HTML rendering of the same document, laid out by WeasyPrint.

The page follows the Word layout (GB/T 9704): A4, margins 37 / 35 / 28 / 26 mm (top, bottom,
left, right), page number ``— n —`` centred in the footer, title 22 pt, text 16 pt with a
two-character indent and 28 pt lines, headings in 黑体 / 楷体 / the text font. Fonts are the
ones the Word file names (:func:`chainbrain.reports.fonts.css_stack`: the installed GB/T 9704
font, else the Noto CJK fallback — never a missing name, which fontconfig would answer with its
default substitute, possibly Noto's Japanese face), so the file renders offline on a machine
with only ``fonts-noto-cjk``. Charts are the
same PNGs, embedded as data URIs.
"""

from __future__ import annotations

import base64

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from chainbrain.reports.fonts import SIZE, css_stack
from chainbrain.reports.docx_writer import LINE_PT, MARGINS_MM


def html(doc, model) -> str:
    env = Environment(loader=PackageLoader("chainbrain.reports", "templates"), autoescape=select_autoescape())
    env.filters["b64"] = lambda b: base64.b64encode(b).decode()
    return env.get_template("report.html").render(
        doc=doc, model=model, m=MARGINS_MM, size=SIZE, line=LINE_PT,
        # CSS inside <style> is not HTML-decoded: the quoted font names go in as they are
        fonts={r: Markup(css_stack(r)) for r in ("title", "body", "heading1", "heading2")})


def write_pdf(doc, model, out) -> None:
    from weasyprint import HTML

    HTML(string=html(doc, model)).write_pdf(out)
