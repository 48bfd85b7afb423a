"""Number formatting for pages: yuan → 亿元, fractions → percent, counts.

Display rules (DESIGN.md §4): money is stored in yuan and shown in 亿元
(1 亿元 = 10^8 yuan) with two decimals and the unit always next to it;
growth rates are fractions shown as percent with one decimal; a missing
value is an em dash "—", never 0.
"""

from __future__ import annotations

import math

YI = 100_000_000  # yuan per 亿元
DASH = "—"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def yi(value) -> str:
    """Yuan → 亿元 with 2 decimals and thousands separators, e.g. 4.05e10 → "405.00"."""
    if _missing(value):
        return DASH
    return f"{float(value) / YI:,.2f}"


def pct(value) -> str:
    """Fraction → percent with 1 decimal, e.g. 0.1095 → "10.9%"."""
    if _missing(value):
        return DASH
    return f"{float(value) * 100:.1f}%"


def count(value) -> str:
    """An integer count with thousands separators, e.g. 19234 → "19,234"."""
    if _missing(value):
        return DASH
    return f"{int(value):,d}"


def raw(value) -> str:
    """The exact number for a ``data-value`` attribute ("" when missing)."""
    if _missing(value):
        return ""
    return repr(float(value)) if isinstance(value, float) else str(value)
