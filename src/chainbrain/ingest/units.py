"""Money units of imported files: 元, 千元, 万元, 亿元 (never guessed).

A file states its unit by the ``--unit`` option, a ``unit`` column, or the unit in
a header such as ``营业收入(千元)``. Values are converted to yuan exactly
(decimal arithmetic): yuan = value × factor.
"""

from __future__ import annotations

import re

FACTORS = {"元": 1, "千元": 1_000, "万元": 10_000, "亿元": 100_000_000}

SYNONYMS = {
    "元": "元", "yuan": "元", "cny": "元", "rmb": "元", "人民币元": "元",
    "千元": "千元", "thousandyuan": "千元", "kyuan": "千元", "1000yuan": "千元",
    "万元": "万元", "tenthousandyuan": "万元", "10kyuan": "万元", "wanyuan": "万元", "万": "万元",
    "亿元": "亿元", "hundredmillionyuan": "亿元", "100myuan": "亿元", "yiyuan": "亿元", "亿": "亿元",
}

_HEADER_UNIT = re.compile(r"[（(]\s*(元|千元|万元|亿元)\s*[)）]\s*$")


def normalize_unit(text: str | None) -> str | None:
    """The canonical unit name for ``text`` or None when it is not a known unit."""
    if text is None:
        return None
    key = re.sub(r"[\s_\-]", "", str(text)).lower()
    return SYNONYMS.get(key)


def header_unit(header: str) -> str | None:
    """The unit stated inside a header, e.g. ``营业收入(千元)`` → ``千元``."""
    m = _HEADER_UNIT.search(header or "")
    return m[1] if m else None


def strip_header_unit(header: str) -> str:
    return _HEADER_UNIT.sub("", header or "").strip()
