"""How a report writes numbers (every format the same): money in 亿元, rates in %, changes in 百分点.

- money: yuan / 10⁸, two decimals, ``亿元`` (DESIGN.md §4: stored in yuan, shown with the unit);
- growth: ``增长 6.7%`` / ``下降 2.3%`` / ``持平`` (|g| < 0.05 %), one decimal;
- changes of a rate and pulls: percentage points, one or two decimals;
- a withheld figure (disclosure control) is ``—`` in tables; sentences that need it are not written.
"""

from __future__ import annotations

WITHHELD = "—"
YI = 1e8

STATUS_ZH = {"green": "达到序时进度", "yellow": "略低于序时进度", "red": "明显低于序时进度",
             "undetermined": "数据尚不足以判定"}
SHARE_STATUS_ZH = {"green": "已达到目标", "yellow": "接近目标", "red": "低于目标",
                   "undetermined": "估计区间跨越目标值，尚不能判定"}
STATUS_SHORT = {"green": "绿", "yellow": "黄", "red": "红", "undetermined": "待定"}
SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}


def missing(*values) -> bool:
    return any(v is None for v in values)


def yi(yuan: float | None, digits: int = 2) -> str:
    """``39959.83亿元``."""
    return WITHHELD if yuan is None else f"{yuan / YI:.{digits}f}亿元"


def pct(x: float | None, digits: int = 1) -> str:
    return WITHHELD if x is None else f"{x * 100:.{digits}f}%"


def growth(g: float | None) -> str:
    """``增长6.7%`` / ``下降2.3%`` / ``持平``."""
    if g is None:
        return WITHHELD
    if abs(g) < 0.0005:
        return "与上年同期持平"
    return f"增长{g * 100:.1f}%" if g > 0 else f"下降{-g * 100:.1f}%"


def pp(x: float | None, digits: int = 2) -> str:
    return WITHHELD if x is None else f"{x:.{digits}f}个百分点"


def change(now: float | None, before: float | None, label: str) -> str | None:
    """``增速比1—9月加快0.3个百分点`` (the difference of two shown rates, in points), or None."""
    if now is None or before is None:
        return None
    d = (now - before) * 100
    if abs(d) < 0.05:
        return f"增速与{label}持平"
    return f"增速比{label}{'加快' if d > 0 else '回落'}{abs(d):.1f}个百分点"


def names(items: list[str]) -> str:
    return "、".join(items)
