"""The task list offices keep in Excel (项目化清单式): read it into tasks, write it back.

Template columns (row 1 Chinese, an optional English key row, a title row above is fine —
the reader looks for the header in the first ten rows, :func:`chainbrain.ingest.readers.read_table`):
序号, 工作任务, 责任单位, 责任人, 配合单位, 产业链, 地区, 完成时限, 进展情况, 状态
(fields and synonyms: ``KINDS["tasks"]`` in :mod:`chainbrain.ingest.headers`).

- 配合单位: several units separated by 、，,；; or a new line.
- 产业链: the chain's name (电子信息, 电子信息产业链) or code (EI); empty: not chain-specific.
- 地区: a city or county name (南昌市, 南昌市东湖区, 东湖区) or GB/T 2260 code; empty or 全省: the province.
- 完成时限: a date (2025-06-30, 2025/6/30, 2025年6月30日, an Excel date) or a month end
  (2025年6月底, 2025年6月, 2025-06).
- 状态: :data:`chainbrain.work.task_states.SYNONYMS`; empty: 已交办.

All or nothing: :func:`read_tasks` returns the rows only when no row has an error; otherwise
:class:`TaskFileError` lists every problem with file, row and field in both languages.
:func:`write_tasks` writes the same columns (xlsxwriter), so an exported list imports unchanged.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from chainbrain.catalog.pack import load_pack
from chainbrain.ingest.errors import Issues
from chainbrain.ingest.headers import KINDS, match_headers
from chainbrain.ingest.readers import ReadError, read_table
from chainbrain.ingest.rules import parse_date_text
from chainbrain.work.task_states import label, state_of

KIND = "tasks"
COLUMNS = [f.key for f in KINDS[KIND]]
HEADERS = [f.zh for f in KINDS[KIND]]
LIMITS = {"seq": 16, "title": 500, "lead_unit": 128, "lead_person": 64}
_SPLIT = re.compile(r"[、，,；;\n]+")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*(底|末)?$")


class TaskFileError(ValueError):
    """The file has errors: nothing was imported. ``issues``: every problem found."""

    def __init__(self, file: str, issues: list):
        self.file, self.issues = file, issues
        first = "; ".join(_text(i) for i in issues[:5])
        more = f" … (+{len(issues) - 5})" if len(issues) > 5 else ""
        super().__init__(f"{Path(file).name}: {len(issues)} error(s), nothing imported — {first}{more} "
                         f"（{len(issues)} 处错误，未导入任何任务）")


def _text(i) -> str:
    at = f"row {i.row} " if i.row is not None else ""
    return f"{at}{i.column}: {i.message_en} ({i.message_zh})" + (f" [{i.value}]" if i.value else "")


@dataclass
class TaskRow:
    row: int
    seq: str | None
    title: str
    lead_unit: str
    lead_person: str | None
    coop_units: list[str]
    chain_code: str | None
    region_code: str
    deadline: dt.date
    progress_note: str | None
    status: str
    extra: dict = field(default_factory=dict)


def parse_deadline(text: str) -> dt.date | None:
    """A date, or the last day of a month written as 2025年6月底 / 2025年6月 / 2025-06."""
    d = parse_date_text(text)
    if d is not None:
        return d
    m = _MONTH.match(text.strip())
    if m and 1 <= int(m[2]) <= 12 and 1900 <= int(m[1]) <= 2100:
        y, mo = int(m[1]), int(m[2])
        return dt.date(y, mo, calendar.monthrange(y, mo)[1])
    return None


class Lookups:
    """Chain and region names of the pack → codes."""

    def __init__(self, pack=None):
        p = pack or load_pack()
        self.province = p.province_code
        self.chains: dict[str, str] = {}
        for c in p.chains:
            for k in (c.code, c.name_zh, c.name_zh + "产业链", c.name_en.lower()):
                self.chains[k] = c.code
        self.chain_name = {c.code: c.name_zh for c in p.chains}
        self.regions: dict[str, list[str]] = {}
        self.region_name: dict[str, str] = {}
        index = p.region_index
        for r in p.regions:
            if r.status != "current":
                continue
            names = {r.code, r.name}
            if r.level == "county":
                city = index.get(r.parent_code)
                full = (city.name if city else "") + r.name
                names.add(full)
                self.region_name[r.code] = full
            else:
                self.region_name[r.code] = "全省" if r.level == "province" else r.name
            for n in names:
                self.regions.setdefault(n, []).append(r.code)
        for n in ("全省", "省本级", "省级"):
            self.regions[n] = [self.province]

    def chain(self, text: str) -> str | None:
        return self.chains.get(text.strip()) or self.chains.get(text.strip().lower())

    def region(self, text: str) -> str | None:
        codes = self.regions.get(text.strip())
        return codes[0] if codes and len(set(codes)) == 1 else None


def read_tasks(path: str | Path, lookups: Lookups | None = None,
               allowed: Callable[[str | None, str], str | None] | None = None,
               default_region: str | None = None) -> list[TaskRow]:
    """The task rows of the workbook (or CSV) at ``path``; raises :class:`TaskFileError` (nothing
    imported) when any row has an error; an empty 地区 is ``default_region`` (else the province).
    ``allowed(chain, region)`` returns a reason when the
    importing office may not assign such a task (reported as an error of that row)."""
    lk = lookups or Lookups()
    name = Path(path).name
    try:
        raw = read_table(path, KIND)
    except ReadError as e:
        iss = Issues(name)
        iss.add("read", detail=str(e))
        raise TaskFileError(name, iss.items) from e
    iss = Issues(name, raw.sheet)
    m = match_headers(KIND, raw.headers)
    for f in m.missing:
        iss.add("missing_column", column=f.zh, detail=f.zh)
    for key in m.duplicate:
        iss.add("duplicate_column", column=key, detail=key)
    if iss.items:
        raise TaskFileError(name, iss.items)
    header = {k: raw.headers[i] for k, i in m.columns.items()}
    cols = {k: raw.columns[i].to_pylist() for k, i in m.columns.items()}
    out: list[TaskRow] = []
    for j in range(raw.num_rows):
        row = int(raw.rownum[j])
        cell = {k: (v[j].strip() if isinstance(v[j], str) else v[j]) for k, v in cols.items()}
        bad = False

        def err(rule, key, detail="", value=None):
            nonlocal bad
            bad = True
            iss.add(rule, row=row, column=header.get(key, key), value=value if value is not None else cell.get(key),
                    detail=detail, index=j)

        for key in ("title", "lead_unit"):
            if not cell.get(key):
                err("required", key)
        for key, n in LIMITS.items():
            if cell.get(key) and len(cell[key]) > n:
                err("too_long", key, n)
        chain = None
        if cell.get("chain"):
            chain = lk.chain(cell["chain"])
            if chain is None:
                err("chain_unknown", "chain", cell["chain"])
        region = default_region or lk.province
        if cell.get("region"):
            region = lk.region(cell["region"])
            if region is None:
                err("region_unknown", "region", cell["region"])
        deadline = None
        if not cell.get("deadline"):
            err("required", "deadline")
        else:
            deadline = parse_deadline(cell["deadline"])
            if deadline is None:
                err("date", "deadline")
        status = state_of(cell.get("status"))
        if status is None:
            err("task_status", "status", cell.get("status"))
        if not bad and allowed is not None:
            why = allowed(chain, region)
            if why:
                err("out_of_scope", "chain" if chain else "region", why)
        if bad:
            continue
        coop = [u.strip() for u in _SPLIT.split(cell.get("coop_units") or "") if u.strip()]
        out.append(TaskRow(row, cell.get("seq"), cell["title"], cell["lead_unit"], cell.get("lead_person") or None,
                           list(dict.fromkeys(coop)), chain, region, deadline, cell.get("progress") or None, status))
    if iss.errors:
        raise TaskFileError(name, iss.errors)
    if not out:
        iss.add("required", column=HEADERS[1], detail="", value="(no rows 无数据行)")
        raise TaskFileError(name, iss.items)
    return out


def write_tasks(tasks: list[dict], title: str = "", lookups: Lookups | None = None) -> bytes:
    """The tasks as the office's workbook: a title row, the Chinese header, one row a task.

    ``tasks``: dicts with the keys of :class:`TaskRow` (``coop_units`` a list,
    ``deadline`` a date, ``status`` a state code)."""
    import xlsxwriter

    lk = lookups or Lookups()
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet("任务清单 tasks")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    cap = wb.add_format({"bold": True, "font_size": 14})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    ws.write(0, 0, title or "重点工作任务清单", cap)
    for c, h in enumerate(HEADERS):
        ws.write(1, c, h, head)
    widths = [6, 40, 18, 10, 24, 12, 14, 12, 40, 10]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w, wrap)
    for r, t in enumerate(tasks, start=2):
        values = [t.get("seq") or "", t["title"], t["lead_unit"], t.get("lead_person") or "",
                  "、".join(t.get("coop_units") or []),
                  lk.chain_name.get(t.get("chain_code") or "", ""),
                  lk.region_name.get(t["region_code"], t["region_code"]),
                  t["deadline"].isoformat(), t.get("progress_note") or "", label(t["status"])]
        for c, v in enumerate(values):
            ws.write_string(r, c, str(v))
    ws.freeze_panes(2, 0)
    wb.close()
    return buf.getvalue()
