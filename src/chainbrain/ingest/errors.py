"""Import issues (file, sheet, row, column, value, rule, message zh+en) and the error file.

An *error* rejects its row (and, without ``--skip-invalid``, the whole import);
a *warning* is reported but the row loads (e.g. a USCC that was trimmed and
upper-cased, a retired region code mapped to its successor). The error file has
the rejected rows exactly as read, in the same columns, plus ``错误说明 / errors``
so users can fix it and re-submit it unchanged.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ERROR_COLUMN = "错误说明/errors"

RULES: dict[str, tuple[str, str]] = {
    "read":            ("文件无法读取：{d}", "cannot read the file: {d}"),
    "columns":         ("字段数不符：{d}", "wrong number of fields: {d}"),
    "missing_column":  ("缺少必需列「{d}」", "required column {d!s} is missing"),
    "duplicate_column": ("列「{d}」出现两次", "column {d!s} appears twice"),
    "unit_missing":    ("金额文件必须注明计量单位（--unit 或 unit 列，元/千元/万元/亿元）",
                        "a money file must state its unit (--unit or a unit column: 元/千元/万元/亿元)"),
    "unit_unknown":    ("无法识别的计量单位「{d}」（应为 元/千元/万元/亿元）", "unknown unit {d!r} (expected 元/千元/万元/亿元)"),
    "unit_conflict":   ("计量单位冲突：{d}", "conflicting units: {d}"),
    "required":        ("必填项为空", "required value is empty"),
    "uscc":            ("统一社会信用代码无效（长度/字符/校验位，GB 32100）：{d}", "invalid USCC: {d}"),
    "uscc_normalized": ("统一社会信用代码已去空格并转为大写", "USCC was trimmed and upper-cased"),
    "region_unknown":  ("未知的行政区划「{d}」", "unknown region {d!r}"),
    "region_retired":  ("已撤销的区划代码，已换为 {d}", "retired region code, mapped to {d}"),
    "industry_unknown": ("未知的国民经济行业小类代码「{d}」", "unknown GB/T 4754 class code {d!r}"),
    "number":          ("不是数字", "not a number"),
    "integer":         ("不是整数", "not an integer"),
    "too_large":       ("数值过大", "value too large"),
    "negative":        ("不能为负数", "must not be negative"),
    "date":            ("日期无效（应为 YYYY-MM-DD）", "invalid date (expected YYYY-MM-DD)"),
    "date_order":      ("有效期至早于认定日期", "valid_to is before valid_from"),
    "year":            ("年度无效", "invalid year"),
    "period":          ("报告期无效：{d}", "invalid period: {d}"),
    "duplicate":       ("文件内重复（与第 {d} 行相同的键）", "duplicate key in the file (same key as row {d})"),
    "ytd_decrease":    ("本年累计营业收入比更早月份的累计值小：{d}", "YTD revenue is below an earlier month's YTD: {d}"),
    "unit_suspect":    ("数值约为该企业历史的 {d} 倍，可能是计量单位错误", "value is about {d}× this enterprise's history; likely a unit mistake"),
    "not_registered":  ("企业不在企业库中（请先导入企业名录）", "enterprise not in the registry (import it first)"),
    "enum":            ("无法识别的取值「{d}」", "unrecognised value {d!r}"),
    "partner":         ("缺少信用代码时须填写名称和省份", "without a USCC, name and province are required"),
    "province":        ("无法识别的省份「{d}」", "unknown province {d!r}"),
    "province_home":   ("本省企业请用企业名录或登记数据导入（省外企业名单不能是本省 {d}）",
                        "an in-province enterprise belongs in the enterprise list or registry import (not external; {d})"),
    "segment_unknown": ("未知的产业链环节「{d}」", "unknown chain segment {d!r}"),
    "year_missing":    ("填写营业收入时须填写年度", "a revenue needs its year"),
    "uscc_region":     ("信用代码第 3–8 位（{d}）不是省级行政区划，请填写该伙伴所在省份",
                        "USCC characters 3–8 ({d}) name no province; give the partner's province"),
    "month":           ("月份应为 1–12", "month must be 1–12"),
    "month_mix":       ("同一供需双方同一年度不能既有全年金额又有月度金额", "a pair and year has both a yearly and monthly amounts"),
    "self_link":       ("供方与需方相同", "supplier and buyer are the same"),
    "capital":         ("注册资金无法解析：{d}", "registered capital not understood: {d}"),
    "currency":        ("注册资金为外币（{d}），未换算", "registered capital in a foreign currency ({d}); not converted"),
    "share_range":     ("占比应为 0–1 之间的小数（如 0.35，不是 35）", "a share is a fraction 0–1 (0.35, not 35)"),
    "sei_not_partial": ("该行业在战略性新兴产业目录中不是“部分属于”（{d}）", "class is not flagged partial in the SEI catalogue ({d})"),
    "division_unknown": ("未知的国民经济行业大类代码「{d}」（应为两位，如 39）", "unknown GB/T 4754 division {d!r} (2 digits, e.g. 39)"),
    "ppi_range":       ("价格指数应在 50–200 之间（上年同期=100）", "a price index lies in 50–200 (previous year = 100)"),
    "region_guess":    ("区县未能确定，仅定位到 {d}", "county not determined; located at {d} only"),
    # task lists (chainbrain.ingest.work_tasks)
    "chain_unknown":   ("未知的产业链「{d}」", "unknown chain {d!r}"),
    "task_status":     ("无法识别的任务状态「{d}」（应为 已交办/推进中/待核验/已核验/已办结）",
                        "unknown task status {d!r} (assigned/in progress/awaiting verification/verified/closed)"),
    "too_long":        ("内容过长（最多 {d} 个字符）", "text too long (at most {d} characters)"),
    "out_of_scope":    ("不在您的管理范围内：{d}", "outside the tasks you manage: {d}"),
}


@dataclass
class Issue:
    file: str
    sheet: str
    row: int | None          # source row number (1-based) or None for file-level issues
    column: str              # header as in the file, or the field key
    value: str | None
    rule: str
    message_zh: str
    message_en: str
    severity: str = "error"  # error|warning
    index: int | None = None  # data row index (internal)

    def line(self) -> str:
        where = Path(self.file).name + (f"[{self.sheet}]" if self.sheet else "")
        at = f" row {self.row}" if self.row is not None else ""
        col = f" {self.column}" if self.column else ""
        val = f" = {self.value!r}" if self.value not in (None, "") else ""
        return f"{where}{at}{col}{val}: [{self.rule}] {self.message_zh} / {self.message_en}"


def message(rule: str, detail="") -> tuple[str, str]:
    zh, en = RULES[rule]
    return zh.format(d=detail), en.format(d=detail)


class Issues:
    """Collects issues for one file."""

    def __init__(self, file: str, sheet: str = ""):
        self.file, self.sheet = file, sheet
        self.items: list[Issue] = []

    def add(self, rule: str, *, row=None, column="", value=None, detail="", severity="error", index=None):
        zh, en = message(rule, detail)
        self.items.append(Issue(self.file, self.sheet, None if row is None else int(row), column,
                                None if value is None else str(value), rule, zh, en, severity,
                                None if index is None else int(index)))

    def add_mask(self, mask: np.ndarray, rule: str, *, rownum, column: str, values=None,
                 detail=None, severity="error"):
        """One issue per True in ``mask``; ``values``/``detail`` are per-row sequences or scalars."""
        idx = np.flatnonzero(mask)
        for i in idx:
            v = values[i] if values is not None else None
            d = detail[i] if isinstance(detail, (list, np.ndarray)) else (detail or "")
            self.add(rule, row=rownum[i], column=column, value=v, detail=d, severity=severity, index=i)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.items if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.items if i.severity == "warning"]

    def fatal(self) -> bool:
        """An error not tied to a row (missing column, unit missing...)."""
        return any(i.index is None for i in self.errors)

    def bad_rows(self, n: int) -> np.ndarray:
        mask = np.zeros(n, dtype=bool)
        for i in self.errors:
            if i.index is not None:
                mask[i.index] = True
        return mask

    def summary(self) -> dict:
        return {"errors": len(self.errors), "warnings": len(self.warnings),
                "by_rule": dict(Counter(i.rule for i in self.items))}

    def as_dicts(self) -> list[dict]:
        return [asdict(i) for i in self.items]


def write_error_file(path: str | Path, raw, issues: Issues, rows: np.ndarray | None = None) -> int:
    """Write the rows with errors (or ``rows``) as read, plus the error column; .xlsx or .csv.

    File-level issues (no row) are written as a first line without data.
    Returns the number of data rows written.
    """
    path = Path(path)
    per_row: dict[int, list[str]] = {}
    file_level: list[str] = []
    for it in issues.items:
        text = f"{it.column}: {it.message_zh} / {it.message_en}" if it.column else f"{it.message_zh} / {it.message_en}"
        if it.severity == "warning":
            text = "[警告/warning] " + text
        if it.index is None:
            file_level.append(text)
        else:
            per_row.setdefault(it.index, []).append(text)
    if rows is None:
        rows = np.array(sorted(i for i, texts in per_row.items()
                               if any(not t.startswith("[警告") for t in texts)), dtype=np.int64)
    headers = list(raw.headers) + ["源行号/source_row", ERROR_COLUMN]
    take = [c.take(rows).to_pylist() if len(rows) else [] for c in raw.columns]
    body = []
    for j, i in enumerate(rows):
        body.append([col[j] for col in take] + [int(raw.rownum[i]), "；".join(per_row.get(int(i), []))])
    lead = [[None] * (len(headers) - 1) + ["；".join(file_level)]] if file_level else []
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
        ws = wb.add_worksheet("errors")
        bold = wb.add_format({"bold": True})
        red = wb.add_format({"font_color": "#C00000"})
        ws.write_row(0, 0, headers, bold)
        for r, rec in enumerate(lead + body, start=1):
            for c, v in enumerate(rec):
                if v is not None:
                    ws.write(r, c, v, red if c == len(headers) - 1 else None)
        ws.freeze_panes(1, 0)
        wb.close()
    else:
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(headers)
            for rec in lead + body:
                w.writerow(["" if v is None else v for v in rec])
    return len(body)
