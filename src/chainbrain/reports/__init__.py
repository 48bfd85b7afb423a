"""Monthly analysis reports (月度产业链运行分析) in Word, PDF and Excel, written from the data.

Layers: :mod:`gather` collects every figure from the analytics engines through the viewer's
disclosure control into a plain :class:`~chainbrain.reports.gather.ReportModel`;
:mod:`narrative` writes the text from it by rules; :mod:`document` arranges headings,
paragraphs, tables and charts; the writers (:mod:`docx_writer`, :mod:`pdf_writer`,
:mod:`xlsx_writer`) only lay the document out. :func:`write` is the one entry point.
"""

from __future__ import annotations

FORMATS = ("docx", "pdf", "xlsx")


def write(model, fmt: str, out, charts: bool = True) -> None:
    """Write report ``model`` as ``fmt`` (docx, pdf, xlsx) to path or binary file ``out``."""
    from chainbrain.reports.document import compose

    doc = compose(model, charts=charts and fmt != "xlsx")
    if fmt == "docx":
        from chainbrain.reports.docx_writer import write_docx as w
    elif fmt == "pdf":
        from chainbrain.reports.pdf_writer import write_pdf as w
    elif fmt == "xlsx":
        from chainbrain.reports.xlsx_writer import write_xlsx as w
    else:
        raise ValueError(f"format {fmt!r}: must be one of {', '.join(FORMATS)} (格式应为 {' 或 '.join(FORMATS)})")
    w(doc, model, out)
