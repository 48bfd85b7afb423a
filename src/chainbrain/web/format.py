"""Number formatting for pages: yuan → 亿元, fractions → percent, counts.

Display rules (DESIGN.md §4): money is stored in yuan and shown in 亿元
(1 亿元 = 10^8 yuan) with two decimals and the unit always next to it;
growth rates are fractions shown as percent with one decimal; a missing
value is an em dash "—", never 0.

Rounding is half up (四舍五入), in decimal: a value is taken as the decimal
Python prints for it (``repr``: 0.0905, not the binary 0.09049999…), scaled
exactly and rounded with ``ROUND_HALF_UP`` — 0.0905 → "9.1%",
1,234,567,500,000 yuan → "12,345.68" 亿元, -0.0905 → "-9.1%" (half away from
zero, as the bureau rounds); a value that rounds to zero shows no sign. Binary formatting (``f"{x:.1f}"``) rounds half to
even on the binary value and would give 9.0 % and 12,345.67.
"""

from __future__ import annotations

from chainbrain.rounding import fen, half_up, missing  # noqa: F401  (re-exported for pages)

YI = 100_000_000  # yuan per 亿元
DASH = "—"


_missing = missing


def yi(value) -> str:
    """Yuan → 亿元 with 2 decimals (half up) and thousands separators, e.g. 4.05e10 → "405.00"."""
    if _missing(value):
        return DASH
    return f"{half_up(value, 2, -8):,.2f}"


def pct(value) -> str:
    """Fraction → percent with 1 decimal (half up), e.g. 0.1095 → "11.0%", 0.0905 → "9.1%"."""
    if _missing(value):
        return DASH
    return f"{half_up(value, 1, 2):.1f}%"


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


def period_words(text: str | None, lang: str = "zh") -> str:
    """A period as the statistics bureau writes it: ``2026-10`` → "2026年1–10月",
    ``2026-02`` → "2026年1–2月" (January is published with February), ``2025-12`` or
    ``2025`` → "2025年", ``2026-Q2`` → "2026年二季度"; English "Jan–Oct 2026 (YTD)", "2025".
    Anything else is returned as given ("—" when empty)."""
    import calendar
    import re

    s = (text or "").strip()
    if not s:
        return DASH
    m = re.match(r"^(\d{4})-(\d{2})$", s)
    if m and 1 <= int(m.group(2)) <= 12:
        y, mo = m.group(1), max(2, int(m.group(2)))
        if mo == 12:
            return y if lang == "en" else f"{y}年"
        return f"Jan–{calendar.month_abbr[mo]} {y} (YTD)" if lang == "en" else f"{y}年1–{mo}月"
    m = re.match(r"^(\d{4})-Q([1-4])$", s, re.IGNORECASE)
    if m:
        q = int(m.group(2))
        return f"Q{q} {m.group(1)}" if lang == "en" else f"{m.group(1)}年{'一二三四'[q - 1]}季度"
    if re.match(r"^\d{4}$", s):
        return s if lang == "en" else f"{s}年"
    return s


def period_years(periods: list[str]) -> list[tuple[str, list[str]]]:
    """``YYYY-MM`` periods (newest first) grouped by year, for a selector with one group per year."""
    years: dict[str, list[str]] = {}
    for p in periods:
        years.setdefault(p[:4], []).append(p)
    return list(years.items())


def one_language(message: str | None, lang: str = "zh") -> str:
    """A bilingual note "English (中文)" in the page's language: the Chinese part on a Chinese page,
    the English part on an English one; a note in one language is shown as it is.

    >>> one_language("overdue: escalated (逾期，自动提级)")
    '逾期，自动提级'
    >>> one_language("overdue: escalated (逾期，自动提级)", "en")
    'overdue: escalated'
    >>> one_language("逾期 25 个工作日未办结 / 25 working days overdue")
    '逾期 25 个工作日未办结'
    >>> one_language("方案起草中")
    '方案起草中'
    """
    import re

    m = re.match(r"^(?P<en>.*?\S)\s*\((?P<zh>[^()]*[\u4e00-\u9fff][^()]*)\)$", message or "", re.S)
    if not m:           # "中文 / English", as automatic notices are written
        m = re.match(r"^(?P<zh>[^/]*[\u4e00-\u9fff][^/]*?)\s+/\s+(?P<en>[^\u4e00-\u9fff]+)$", message or "", re.S)
    if not m or not re.search(r"[A-Za-z]", m["en"]):
        return message or ""
    return m["en"] if lang == "en" else m["zh"]
