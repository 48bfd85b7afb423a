"""Half-up (四舍五入) decimal rounding, the bureau's rule, shared by analytics (money in JSON to the fen)
and pages (亿元, percent).

A float is taken as the decimal Python prints for it (``repr``: 0.0905, not the
binary 0.09049999…), scaled exactly and rounded with ``ROUND_HALF_UP`` (half away
from zero): 0.0905 → 0.091 at three places; 1,234,567,500,000 yuan → 12,345.68
亿元. Binary formatting (``f"{x:.1f}"``) rounds half to even on the binary value.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def half_up(value, places: int, scale: int = 0) -> Decimal:
    """``value`` × 10^``scale`` rounded half up to ``places`` decimals, exactly."""
    d = value if isinstance(value, Decimal) else Decimal(repr(float(value)) if isinstance(value, float) else str(value))
    return d.scaleb(scale).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) + 0   # + 0: no "-0.0"


def fen(value) -> float | None:
    """Yuan rounded half up to the fen (0.01 yuan), as a number (JSON, Excel); None when missing."""
    return None if missing(value) else float(half_up(value, 2))
