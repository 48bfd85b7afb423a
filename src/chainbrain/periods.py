"""Reporting periods of the monthly industrial statistics (domain vocabulary, below ``analytics``
and ``ingest``, which both use it).

- ``YYYY-MM``: year-to-date through month MM (1–MM 月累计). January is
  published together with February, so ``YYYY-01`` does not exist and
  ``YYYY-02`` covers Jan–Feb.
- ``YYYY-Qn``: year-to-date through the quarter's last month (一季度, 上半年,
  前三季度, 全年 are all cumulative figures).
- ``YYYY``: the full year, i.e. YTD through December.

Labels as the bureau writes them are accepted too (imports and the command
line), all cumulative from January:

- ``2024年1-2月``, ``2024年1—2月``, ``2024年1–10月``, ``2024年1~10月``,
  ``2024年1至10月`` (any dash, ``至`` or ``~`` between the months; the range
  must start at month 1: ``2024年3-5月`` is not a YTD period and is refused)
  and ``2024年10月`` / ``2024/10`` / ``2024.10`` (month M = Jan–M);
- ``2024年一季度`` / ``2024年第一季度`` / ``2024年1季度`` →
  ``2024-Q1``; ``2024年上半年`` → ``2024-Q2``; ``2024年前三季度`` →
  ``2024-Q3``; ``2024年全年`` / ``2024年`` → ``2024``.

The parsed :class:`Period` carries the canonical label (``2024-02``,
``2024-Q1``, ``2024``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    label: str
    year: int
    month: int          # last month covered (YTD through it)

    @property
    def end_date(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def ytd_label(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def shifted(self, years: int) -> "Period":
        return Period(f"{self.year + years}-{self.month:02d}", self.year + years, self.month)

    def describe_zh(self) -> str:
        return f"{self.year}年1–{self.month}月累计" if self.month > 2 else f"{self.year}年1–2月累计"

    def describe_en(self) -> str:
        return f"{calendar.month_abbr[1]}–{calendar.month_abbr[self.month]} {self.year} (YTD)"


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")


_DASH = "-‐‑‒–—―~～至到"
_RANGE = re.compile(rf"^(\d{{4}})年?(\d{{1,2}})月?\s*[{_DASH}]+\s*(\d{{1,2}})月(?:累计)?$")
_ZH_MONTH = re.compile(r"^(\d{4})(?:年|/|\.)(\d{1,2})月?(?:累计)?$")
_ZH_Q = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_ZH_QUARTER = re.compile(r"^(\d{4})年?第?([一二三四1-4])季度(?:累计)?$")
_ZH_NAMED = {"上半年": "Q2", "前三季度": "Q3", "全年": "", "": ""}
_ZH_YEAR = re.compile(r"^(\d{4})年(上半年|前三季度|全年|)$")


def _canonical(s: str) -> str:
    """The bureau's way of writing a period (module docstring) → ``YYYY-MM`` / ``YYYY-Qn`` / ``YYYY``;
    anything else unchanged."""
    t = re.sub(r"\s+", "", s)
    if m := _RANGE.match(t):
        year, first, last = m[1], int(m[2]), int(m[3])
        if first != 1:
            raise PeriodError(f"{s}: a period runs from January (1–N月累计); {first}–{last}月 is not one "
                              f"(期间须为1月至N月累计，{first}–{last}月不是累计期间)")
        return f"{year}-{last:02d}"
    if m := _ZH_MONTH.match(t):
        return f"{m[1]}-{int(m[2]):02d}"
    if m := _ZH_QUARTER.match(t):
        return f"{m[1]}-Q{_ZH_Q[m[2]]}"
    if m := _ZH_YEAR.match(t):
        tail = _ZH_NAMED[m[2]]
        return f"{m[1]}-{tail}" if tail else m[1]
    return s


#: years a period may name (the statistics system's monthly reports start in the 1950s; targets end by 2100)
MIN_YEAR, MAX_YEAR = 1949, 2100


def parse_period(text: str) -> Period:
    """Parse ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``, or the bureau's labels (see module docstring);
    the year must lie in :data:`MIN_YEAR`–:data:`MAX_YEAR`."""
    p = _parse_period(text)
    if not MIN_YEAR <= p.year <= MAX_YEAR:
        raise PeriodError(f"{p.label}: the year must be {MIN_YEAR}–{MAX_YEAR} (期间年份应在 {MIN_YEAR}–{MAX_YEAR} 之间)")
    return p


def _parse_period(text: str) -> Period:
    s = _canonical((text or "").strip())
    if m := _MONTH.match(s):
        year, month = int(m[1]), int(m[2])
        if month == 1:
            raise PeriodError(f"{s}: January is published together with February; use {year}-02 "
                              f"(1月数据与2月合并发布，请使用 {year}-02)")
        if not 2 <= month <= 12:
            raise PeriodError(f"{s}: month must be 02–12 (月份应为02–12)")
        return Period(s, year, month)
    if m := _QUARTER.match(s):
        return Period(s.upper(), int(m[1]), 3 * int(m[2]))
    if m := _YEAR.match(s):
        return Period(s, int(m[1]), 12)
    raise PeriodError(f"{s!r}: expected YYYY-MM, YYYY-Qn, YYYY or e.g. 2024年1-2月 / 2024年一季度 "
                      f"(期间格式应为 YYYY-MM、YYYY-Qn、YYYY 或 2024年1-2月、2024年一季度)")
