"""Working days (工作日) for the work system's clocks.

A day is a working day when the official calendar says so: the State Council's
yearly holiday notice (国务院办公厅关于部分节假日安排的通知) gives the public
holidays and the make-up working days (调休上班, often a Saturday or Sunday).
Sources, first match wins:

1. the pack override ``packs/<pack>/work/calendar.toml`` (years the package
   lacks, corrections of single days), source ``pack``;
2. the maintained ``chinese_calendar`` package (2004–2026 in the installed
   version; it raises ``NotImplementedError`` for later years), source
   ``chinese_calendar``;
3. otherwise Monday–Friday, source ``fallback`` — marked: the year's
   holidays are not known until its notice is entered in the pack.

Counting rule: ``add_working_days(d, n)`` is the n-th working day after ``d``
(``d`` itself not counted; n = 0 gives ``d``); ``working_days_between(a, b)``
counts the working days ``x`` with ``a < x <= b`` (negative when ``b < a``), so
``working_days_between(d, add_working_days(d, n)) == n``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import lru_cache
from pathlib import Path

import chinese_calendar

PACKAGE, PACK, FALLBACK = "chinese_calendar", "pack", "fallback"


class WorkCalendar:
    """Working days from a pack override, the ``chinese_calendar`` package, and a weekend fallback."""

    def __init__(self, override: dict | None = None):
        self.holidays: dict[int, set[dt.date]] = {}
        self.workdays: dict[int, set[dt.date]] = {}
        self.sources: dict[int, str] = {}
        for year, spec in ((override or {}).get("years") or {}).items():
            y = int(year)
            self.holidays[y] = {dt.date.fromisoformat(str(d)) for d in spec.get("holidays", [])}
            self.workdays[y] = {dt.date.fromisoformat(str(d)) for d in spec.get("workdays", [])}
            self.sources[y] = str(spec.get("source", ""))
        self._cache: dict[dt.date, bool] = {}

    @classmethod
    def from_file(cls, path: Path | str | None) -> "WorkCalendar":
        if path is None or not Path(path).exists():
            return cls()
        with open(path, "rb") as f:
            return cls(tomllib.load(f))

    def source(self, day: dt.date) -> str:
        """Where the answer for ``day`` comes from: ``pack``, ``chinese_calendar`` or ``fallback``."""
        if day in self.holidays.get(day.year, ()) or day in self.workdays.get(day.year, ()):
            return PACK
        try:
            chinese_calendar.is_workday(day)
            return PACKAGE
        except NotImplementedError:
            return PACK if day.year in self.sources else FALLBACK

    def is_working_day(self, day: dt.date) -> bool:
        hit = self._cache.get(day)
        if hit is not None:
            return hit
        if day in self.holidays.get(day.year, ()):
            out = False
        elif day in self.workdays.get(day.year, ()):
            out = True
        else:
            try:
                out = bool(chinese_calendar.is_workday(day))
            except NotImplementedError:
                out = day.weekday() < 5         # pack year without this day listed, or the marked fallback
        self._cache[day] = out
        return out

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``n`` ≥ 0; 0 → ``day``)."""
        if n < 0:
            raise ValueError("n must be ≥ 0 (工作日数不能为负)")
        d = day
        while n > 0:
            d += dt.timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days ``x`` with ``a < x <= b`` (negative when ``b < a``)."""
        if b < a:
            return -self.working_days_between(b, a)
        n, d = 0, a
        while d < b:
            d += dt.timedelta(days=1)
            n += self.is_working_day(d)
        return n


def override_path(pack: str | None = None) -> Path:
    from chainbrain.catalog.pack import load_pack

    return load_pack(pack).path / "work" / "calendar.toml"


@lru_cache(maxsize=8)
def default_calendar(pack: str | None = None) -> WorkCalendar:
    """The calendar of ``pack`` (default: the installed default pack), loaded once."""
    return WorkCalendar.from_file(override_path(pack))


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def add_working_days(day, n: int) -> dt.date:
    """The ``n``-th working day after ``day`` on the default calendar."""
    return default_calendar().add_working_days(_as_date(day), n)


def working_days_between(a, b) -> int:
    """Working days in ``(a, b]`` on the default calendar."""
    return default_calendar().working_days_between(_as_date(a), _as_date(b))


def is_working_day(day) -> bool:
    return default_calendar().is_working_day(_as_date(day))
