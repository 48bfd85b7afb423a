"""Statistical disclosure control for aggregates shown to anonymous viewers.

Rule (DESIGN.md §4, Statistics Law): an aggregate cell built from fewer than
``min_cell`` (3) enterprises is withheld wherever the viewer could not see
those enterprises individually. Until sign-in exists every viewer is
anonymous, so every public figure passes through :func:`protect`.

Each KPI field is built from a known set of enterprises:

- current sample (``above_scale_count``): revenue_ytd_yuan;
- base-year sample (``target_base_count``) and current sample together:
  target_path_yuan, target_ratio, target_status;
- previous-year sample (``prev_count``): revenue_ytd_prev_yuan; yoy_naive
  needs both samples;
- comparable sample (``comparable_count``): comparable_current_yuan,
  comparable_base_yuan, yoy_comparable.

Withheld fields become ``None`` and are listed in ``suppressed``; counts of
enterprises are not confidential and stay.
"""

from __future__ import annotations

MIN_CELL = 3

CURRENT = ("revenue_ytd_yuan",)
PATH = ("target_path_yuan", "target_ratio", "target_status")
PREVIOUS = ("revenue_ytd_prev_yuan",)
NAIVE = ("yoy_naive",)
COMPARABLE = ("comparable_current_yuan", "comparable_base_yuan", "yoy_comparable")


def withheld(rec: dict, min_cell: int = MIN_CELL) -> list[str]:
    """The fields of a KPI record that must be withheld from an anonymous viewer."""
    if min_cell <= 1:
        return []

    def small(n) -> bool:
        return 0 < int(n or 0) < min_cell

    out: list[str] = []
    cur, prev, comp = (rec.get("above_scale_count"), rec.get("prev_count"), rec.get("comparable_count"))
    if small(cur):
        out += CURRENT
    if small(cur) or small(rec.get("target_base_count")):
        out += PATH
    if small(prev):
        out += PREVIOUS
    if small(cur) or small(prev):
        out += NAIVE
    if small(comp):
        out += COMPARABLE
    return [f for f in out if f in rec]


def protect(rec: dict, min_cell: int = MIN_CELL) -> dict:
    """A copy of ``rec`` with withheld fields set to None and listed in ``suppressed``."""
    fields = withheld(rec, min_cell)
    out = dict(rec)
    for f in fields:
        out[f] = None
    out["suppressed"] = fields
    return out
