"""Reporting periods of the monthly industrial statistics.

- ``YYYY-MM``: year-to-date through month MM (1–MM 月累计). January is
  published together with February, so ``YYYY-01`` does not exist and
  ``YYYY-02`` covers Jan–Feb.
- ``YYYY-Qn``: year-to-date through the quarter's last month (一季度, 上半年,
  前三季度, 全年 are all cumulative figures).
- ``YYYY``: the full year, i.e. YTD through December.
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


def parse_period(text: str) -> Period:
    """Parse ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY`` (see module docstring)."""
    s = (text or "").strip()
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
    raise PeriodError(f"{s!r}: expected YYYY-MM, YYYY-Qn or YYYY (期间格式应为 YYYY-MM、YYYY-Qn 或 YYYY)")
