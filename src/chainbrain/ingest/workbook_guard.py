"""Refuse a spreadsheet bomb before a reader unpacks it.

An .xlsx/.xlsm/.ods file is a zip archive. Before the workbook is opened, its
zip directory is read (no member is unpacked) and the sheets' sizes are
checked:

- compression ratio = Σ uncompressed size / Σ compressed size of the members;
  above :data:`MAX_RATIO` (100) the file is refused (ordinary workbooks are
  below 20: a 366 KiB file that unpacked to 91 MiB, ratio 254, took 72 s and
  2.7 GB, issue #20);
- cells: each worksheet's ``<dimension ref="A1:Z900"/>`` (read from the first
  64 KiB of the sheet) gives rows × columns; the sheet is then streamed and its
  ``<c`` elements counted (a dimension can lie), stopping at the limit. Above
  :data:`MAX_CELLS` (10 M) in all sheets together the file is refused.
  OpenDocument sheets count ``table:table-cell`` elements times their
  ``number-columns-repeated`` / ``number-rows-repeated``.

The member sizes in the zip directory are what the decompressor is held to:
reading stops after the declared size, so a member cannot unpack to more than
the directory says.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

MAX_RATIO = 100
MAX_CELLS = 10_000_000
_CHUNK = 1 << 20
_DIM = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?\"")
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*)>|<table:table-row\b([^>]*)>")
_REPEAT_COL = re.compile(rb"table:number-columns-repeated=\"(\d+)\"")
_REPEAT_ROW = re.compile(rb"table:number-rows-repeated=\"(\d+)\"")


class WorkbookRefused(ValueError):
    """The workbook is refused (bomb, too many cells, not a zip archive)."""


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _dimension_cells(head: bytes) -> int | None:
    m = _DIM.search(head)
    if not m or not m.group(3):
        return None
    c0, r0, c1, r1 = m.group(1) or b"A", int(m.group(2) or 1), m.group(3), int(m.group(4))
    return max(0, r1 - r0 + 1) * max(0, _col(c1) - _col(c0) + 1)


def _stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    """The member's bytes in chunks, with a 64-byte overlap so that no tag is cut in two."""
    tail = b""
    with zf.open(info) as f:
        while True:
            chunk = f.read(_CHUNK)
            if not chunk:
                return
            yield tail, chunk
            tail = chunk[-64:]


def _count_xlsx(zf, info, budget: int) -> int:
    n = 0
    for tail, chunk in _stream(zf, info):
        buf = tail + chunk
        # count only tags that start in this chunk (not inside the overlap)
        n += sum(1 for m in _CELL.finditer(buf) if m.start() >= len(tail))
        if n > budget:
            return n
    return n


def _count_ods(zf, info, budget: int) -> int:
    n, row_repeat = 0, 1
    for tail, chunk in _stream(zf, info):
        buf = tail + chunk
        for m in _ODS_CELL.finditer(buf):
            if m.start() < len(tail):
                continue
            if m.group(2) is not None:                   # a row: its repeat multiplies its cells
                r = _REPEAT_ROW.search(m.group(2))
                row_repeat = int(r.group(1)) if r else 1
                continue
            c = _REPEAT_COL.search(m.group(1))
            n += (int(c.group(1)) if c else 1) * row_repeat
        if n > budget:
            return n
    return n


def check_workbook(path: str | Path, name: str | None = None, max_ratio: float = MAX_RATIO,
                   max_cells: int = MAX_CELLS) -> None:
    """Raise :class:`WorkbookRefused` (bilingual, naming the file) for a bomb; else return."""
    path = Path(path)
    name = name or path.name
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise WorkbookRefused(f"{name}: not a valid Excel workbook (zip archive) ({name}：不是有效的 Excel 工作簿)") from e
    with zf:
        infos = zf.infolist()
        packed = sum(i.compress_size for i in infos)
        unpacked = sum(i.file_size for i in infos)
        ratio = unpacked / max(packed, 1)
        if ratio > max_ratio:
            raise WorkbookRefused(
                f"{name}: refused, the workbook unpacks to {unpacked / 2**20:.1f} MiB from "
                f"{packed / 2**20:.1f} MiB (compression ratio {ratio:.0f} > {max_ratio:g}) "
                f"({name}：工作簿解压后 {unpacked / 2**20:.1f} MiB，压缩比 {ratio:.0f} 超过 {max_ratio:g}，拒绝读取)")
        cells = 0
        try:
            for info in infos:
                fn = info.filename
                if fn.startswith("xl/worksheets/") and fn.endswith(".xml"):
                    with zf.open(info) as f:
                        declared = _dimension_cells(f.read(1 << 16))
                    if declared is not None and cells + declared > max_cells:
                        cells += declared
                        break
                    cells += _count_xlsx(zf, info, max_cells - cells)
                elif fn == "content.xml":
                    cells += _count_ods(zf, info, max_cells - cells)
                if cells > max_cells:
                    break
        except Exception as e:                           # BadZipFile, zlib.error, EOFError: a damaged member
            raise WorkbookRefused(f"{name}: the workbook is damaged ({name}：工作簿已损坏)") from e
        if cells > max_cells:
            raise WorkbookRefused(
                f"{name}: refused, the workbook holds more than {max_cells:,} cells "
                f"({name}：工作簿单元格超过 {max_cells:,} 个，拒绝读取)")
