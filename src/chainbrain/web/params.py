"""Bounds on every query and path parameter, checked before a route runs (issue #20).

:func:`check_params` is a dependency of the whole application. It answers 400
with one bilingual message naming the parameter when:

- a value (or a name) holds control characters (newline, NUL, …) or is longer than
  :data:`MAX_LEN` characters (``q``: :data:`MAX_QUERY`); more than :data:`MAX_PARAMS` are sent;
- ``period`` is not a period of :func:`chainbrain.periods.parse_period` (years 1949–2100:
  ``period=9999-12`` once asked for a negative projection horizon);
- ``year`` is not a whole number in :data:`YEARS` (a focus ``year`` of −1 or 10²⁰);
- ``table`` (the Excel download's table) is not a plain identifier (letters, digits, ``_``, ``-``);
- ``limit``, ``offset``, ``top``, ``page``, ``month``, ``within_days`` are not whole numbers
  in 0–:data:`MAX_COUNT`;
- a path parameter (a code, a USCC, an id) is not printable ASCII of at most 64 characters
  (``/api/tasks/²/notices`` once reached ``int("²")``).

Routes check the meaning of their own values (which chain, which region) as before; this is
the floor under all of them.
"""

from __future__ import annotations

import re

from fastapi import Request

from chainbrain.periods import MAX_YEAR, MIN_YEAR, PeriodError, parse_period
from chainbrain.web.model import BadRequest

MAX_LEN = 256
MAX_QUERY = 200
MAX_PARAMS = 40
MAX_COUNT = 1_000_000
YEARS = (MIN_YEAR, MAX_YEAR)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TABLE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PATH = re.compile(r"^[\x21-\x7e]{1,64}$")
_COUNTS = ("limit", "offset", "top", "page", "month", "within_days")


def _bad(where: str, name: str, en: str, zh: str) -> BadRequest:
    shown = _CONTROL.sub("?", name)[:40].replace("(", "").replace(")", "")
    zh_where = "查询参数" if where == "query" else "路径参数"
    return BadRequest(f"Invalid {where} parameter '{shown}': {en} ({zh_where} {shown} 的值无效：{zh})")


def _whole(value: str, lo: int, hi: int) -> bool:
    v = value.strip()
    return bool(re.fullmatch(r"[+-]?\d{1,12}", v)) and lo <= int(v) <= hi


def check_value(where: str, name: str, value: str) -> None:
    """Raise :class:`BadRequest` when one parameter breaks the bounds of the module docstring."""
    limit = MAX_QUERY if name == "q" else MAX_LEN
    if _CONTROL.search(name) or len(name) > MAX_LEN:
        raise _bad(where, name, "the name is not allowed", "参数名无效")
    if len(value) > limit:
        raise _bad(where, name, f"at most {limit} characters", f"最多 {limit} 个字符")
    if _CONTROL.search(value):
        raise _bad(where, name, "control characters such as line breaks are not allowed", "不能含有换行等控制字符")
    if where == "path" and not _PATH.match(value):
        raise _bad(where, name, "expected a code or id of at most 64 letters, digits or ASCII signs",
                   "应为不超过 64 个字母、数字或 ASCII 符号的代码或编号")
    if where != "query" or value == "":
        return
    if name == "period":
        try:
            parse_period(value)
        except PeriodError as exc:                     # its own message: "English (中文)"
            raise BadRequest(f"Invalid query parameter 'period': {exc}") from None
    elif name == "year":
        if not _whole(value, *YEARS):
            raise _bad(where, name, f"expected a year {YEARS[0]}–{YEARS[1]}", f"应为 {YEARS[0]}–{YEARS[1]} 之间的年份")
    elif name == "table":
        if not _TABLE.match(value):
            raise _bad(where, name, "expected a table name of letters, digits, '_' or '-'",
                       "应为由字母、数字、下划线或连字符组成的表名")
    elif name in _COUNTS:
        if not _whole(value, 0, MAX_COUNT):
            raise _bad(where, name, f"expected a whole number 0–{MAX_COUNT}", f"应为 0–{MAX_COUNT} 之间的整数")


async def check_params(request: Request) -> None:
    """FastAPI dependency of every route: the bounds of the module docstring (cheap: run on the event
    loop, not on a worker thread — one thread hand-over fewer per request)."""
    items = request.query_params.multi_items()
    if len(items) > MAX_PARAMS:
        raise BadRequest(f"Too many query parameters: at most {MAX_PARAMS} (查询参数过多：最多 {MAX_PARAMS} 个)")
    for name, value in items:
        check_value("query", name, value)
    for name, value in request.path_params.items():
        check_value("path", name, str(value))
