"""Readers: CSV (UTF-8 or GB18030), XLSX (python-calamine) and Parquet → a table of strings.

Every reader returns :class:`RawTable`: the header cells, one Arrow string column
per file column, and the source row number of every data row (1-based, as the
user sees it in Excel or a text editor; for Parquet the record number). Values
are kept as text here; parsing and checks happen in :mod:`chainbrain.ingest.rules`
so that every problem can be reported with the original value.

- CSV: encoding is detected (UTF-8, with or without BOM, else GB18030, the
  superset of GBK/GB2312 used by Chinese Excel); parsing is pyarrow's
  multithreaded reader with every column typed as string. Rows with the wrong
  number of fields become issues, not silent drops.
  UTF-16 and binary files (NUL bytes) are refused with one message.
- XLSX/XLS/ODS: python-calamine (Rust), after :mod:`chainbrain.ingest.workbook_guard` has
  refused a zip bomb (compression ratio > 100, > 10 M cells); the header row is searched in the first
  ten rows (statistics extracts often start with a title); numbers are written
  as Excel shows them (15 significant digits), dates as ``YYYY-MM-DD``.
- Parquet: pyarrow; non-string columns are cast to their text form.
"""

from __future__ import annotations

import codecs
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from chainbrain.ingest.headers import is_key_row, match_headers


class ReadError(ValueError):
    """The file cannot be read at all (format, encoding, empty)."""


@dataclass
class RawTable:
    file: str
    sheet: str
    headers: list[str]
    columns: list[pa.ChunkedArray]                       # one string column per header
    rownum: np.ndarray                                   # source row number of each data row
    read_issues: list[tuple[int, str]] = field(default_factory=list)   # (row, reason)

    @property
    def num_rows(self) -> int:
        return len(self.rownum)


def detect_encoding(path: Path, probe: int = 1 << 20) -> str:
    """``utf-8`` when the first MiB decodes as UTF-8 (an incomplete last character is fine), else ``gb18030``."""
    with open(path, "rb") as f:
        head = f.read(probe)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _first_record(path: Path, encoding: str) -> list[str]:
    import csv
    import io

    with open(path, "rb") as f:
        raw = f.read(1 << 16)
    text = raw.decode(encoding, errors="ignore").lstrip("\ufeff")
    for rec in csv.reader(io.StringIO(text)):
        return rec
    return []


def _text_or_refuse(path: Path) -> None:
    """A UTF-16/UTF-32 or binary file (NUL bytes in its first 64 KiB) is not a CSV this reader takes."""
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        what = "UTF-16/UTF-32 text" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or \
            head[1::2].count(0) > len(head) // 4 else "binary data"
        raise ReadError(f"{path.name}: the file holds {what}, not CSV text in UTF-8 or GB18030; "
                        f"in Excel save it as \"CSV UTF-8\" "
                        f"({path.name}：文件不是 UTF-8 或 GB18030 编码的 CSV 文本，请在 Excel 中另存为“CSV UTF-8”)")


def read_csv(path: Path, kind: str) -> RawTable:
    _text_or_refuse(path)
    enc = detect_encoding(path)
    header = _first_record(path, enc)
    if not header:
        raise ReadError(f"{path.name}: empty file (文件为空)")
    n = len(header)
    names = [f"f{i}" for i in range(n)]
    bad: list[tuple[int, str]] = []

    def on_invalid(row):
        bad.append((row.number or 0, f"expected {row.expected_columns} fields, got {row.actual_columns}"))
        return "skip"

    try:
        t = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=enc, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True,
                                                 null_values=[""]),
        )
    except pa.ArrowInvalid as e:
        raise ReadError(f"{path.name}: cannot parse CSV (无法解析CSV): {e}") from e
    cols = [t.column(i) for i in range(n)]
    rownum = _line_numbers(path, t.num_rows)
    raw = RawTable(str(path), "", header, cols, rownum, bad)
    return _drop_key_row(raw, kind)


def _line_numbers(path: Path, n_rows: int) -> np.ndarray:
    """Line number (1-based, as an editor shows it) of each data record.

    The reader skips blank lines, so numbering records 2, 3, … would shift every
    row after a blank line. When the file has blank lines, records are numbered by
    the non-blank lines that hold them (the first non-blank line is the header).
    Records with newlines inside quotes make that count differ; then the plain
    sequence is used (such files rarely have blank lines too).
    """
    plain = np.arange(2, n_rows + 2, dtype=np.int64)
    data = path.read_bytes()
    if not (b"\n\n" in data or b"\n\r\n" in data or data[:1] in (b"\n", b"\r")):
        return plain
    buf = np.frombuffer(data, dtype=np.uint8)
    nl = np.flatnonzero(buf == 10)
    starts = np.concatenate([[0], nl + 1])
    ends = np.concatenate([nl, [len(buf)]])
    length = ends - starts
    # a line holding only "\r" is blank as well
    cr_only = (length == 1) & (buf[np.minimum(starts, len(buf) - 1)] == 13)
    nonblank = np.flatnonzero((length > 0) & ~cr_only) + 1          # 1-based line numbers
    if len(nonblank) - 1 != n_rows:
        return plain
    return nonblank[1:].astype(np.int64)


def _drop_key_row(raw: RawTable, kind: str) -> RawTable:
    if raw.num_rows and is_key_row(kind, [c[0].as_py() for c in raw.columns]):
        raw.columns = [c.slice(1) for c in raw.columns]
        raw.rownum = raw.rownum[1:]
    return raw


def _cell_text(v) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e16:
            return str(int(v))
        return format(v, ".15g")
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    s = str(v).strip()
    return s or None


def read_excel(path: Path, kind: str, sheet: str | None = None) -> RawTable:
    from python_calamine import CalamineWorkbook

    from chainbrain.ingest.workbook_guard import WorkbookRefused, check_workbook

    if path.suffix.lower() in (".xlsx", ".xlsm", ".xlsb", ".ods"):
        try:
            check_workbook(path)                     # a bomb is refused before calamine unpacks it
        except WorkbookRefused as e:
            raise ReadError(str(e)) from e
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types
        raise ReadError(f"{path.name}: cannot open workbook (无法打开工作簿): {e}") from e
    names = [sheet] if sheet else list(wb.sheet_names)
    best = None
    for name in names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for i, row in enumerate(rows[:10]):
            score = len(match_headers(kind, [_cell_text(c) or "" for c in row]).columns)
            if score and (best is None or score > best[0]):
                best = (score, name, i, rows)
        if best and not match_headers(kind, [_cell_text(c) or "" for c in best[3][best[2]]]).missing:
            break
    if best is None:
        if not names:
            raise ReadError(f"{path.name}: no sheets (没有工作表)")
        rows = wb.get_sheet_by_name(names[0]).to_python(skip_empty_area=False)
        best = (0, names[0], 0, rows)
    _, name, hi, rows = best
    header = [_cell_text(c) or "" for c in rows[hi]]
    while header and not header[-1]:
        header.pop()
    n = len(header)
    body = rows[hi + 1:]
    text = [[_cell_text(c) for c in r[:n]] + [None] * (n - len(r)) for r in body]
    nums = np.arange(hi + 2, hi + 2 + len(text), dtype=np.int64)
    keep = np.array([any(v is not None for v in r) for r in text], dtype=bool) if text else np.zeros(0, bool)
    text = [r for r, k in zip(text, keep) if k]
    cols = [pa.chunked_array([pa.array([r[j] for r in text], type=pa.string())]) for j in range(n)]
    raw = RawTable(str(path), name, header, cols, nums[keep])
    return _drop_key_row(raw, kind)


def read_parquet(path: Path, kind: str) -> RawTable:
    try:
        t = pq.read_table(path)
    except Exception as e:
        raise ReadError(f"{path.name}: cannot read Parquet (无法读取Parquet): {e}") from e
    cols = []
    for c in t.columns:
        if pa.types.is_string(c.type) or pa.types.is_large_string(c.type):
            cols.append(c.cast(pa.string()))
        elif pa.types.is_floating(c.type):
            cols.append(pc.cast(c, pa.string()))
        else:
            cols.append(pc.cast(c, pa.string()))
    return RawTable(str(path), "", list(t.column_names), cols, np.arange(1, t.num_rows + 1, dtype=np.int64))


def read_table(path: str | Path, kind: str, sheet: str | None = None) -> RawTable:
    """Read ``path`` by its suffix (.csv/.txt, .xlsx/.xlsm/.xls/.ods, .parquet)."""
    p = Path(path)
    if not p.exists():
        raise ReadError(f"{p}: file not found (文件不存在)")
    suffix = p.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(p, kind)
    if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        return read_excel(p, kind, sheet)
    if suffix in (".parquet", ".pq"):
        return read_parquet(p, kind)
    raise ReadError(f"{p.name}: unsupported format {suffix!r}; use CSV, XLSX or Parquet (不支持的文件格式)")
