"""SME tier rules (优质中小企业梯度培育) as pack data, and the band arithmetic they share.

The rules live in the province pack's ``cultivation.toml`` (scheme 工信部企业〔2022〕63号,
edition, valid from/to, every indicator with its source tag from policy-facts.md §3 and
its boundary reading).  This module loads them, checks that each indicator's bands
partition its domain with exactly one band owning every boundary, and evaluates bands on
numpy arrays.

Band reading (issue #15): a band ``{lo, hi}`` holds ``lo ≤ x < hi`` unless it says
otherwise — ``lo_incl = false`` makes it ``x > lo`` (a printed "> b" band) and
``hi_incl = true`` makes it ``x ≤ hi`` (the band just before a "> b" band includes b).
A missing ``lo``/``hi`` is −∞/+∞.  A missing value (NaN) falls in no band: NaN points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from chainbrain.catalog.pack import load_pack


class RuleError(ValueError):
    """The pack's rule data is inconsistent (bands that overlap or leave a gap)."""


@dataclass(frozen=True)
class Band:
    lo: float
    hi: float
    lo_incl: bool
    hi_incl: bool
    points: float
    printed: str
    reading: str

    def holds(self, x: np.ndarray) -> np.ndarray:
        lo = x >= self.lo if self.lo_incl else x > self.lo
        hi = x <= self.hi if self.hi_incl else x < self.hi
        return lo & hi


def bands(spec: list[dict], where: str = "") -> list[Band]:
    """The bands of one indicator, ordered from the lowest, checked to partition (−∞, +∞)."""
    out = [Band(float(b.get("lo", -math.inf)), float(b.get("hi", math.inf)), bool(b.get("lo_incl", True)),
                bool(b.get("hi_incl", False)), float(b["points"]), str(b.get("printed", "")),
                str(b.get("reading", ""))) for b in spec]
    out.sort(key=lambda b: b.lo)
    if not out or out[0].lo != -math.inf or out[-1].hi != math.inf:
        raise RuleError(f"{where}: the bands must cover −∞ … +∞ (分档须覆盖全部取值)")
    for a, b in zip(out, out[1:]):
        if a.hi != b.lo or a.hi_incl == b.lo_incl:
            raise RuleError(f"{where}: bands {a.printed!r} and {b.printed!r} must meet at one bound owned by "
                            f"exactly one of them (相邻分档须在同一界值相接，且界值只属于其中一档)")
    return out


def band_points(x: np.ndarray, bs: list[Band]) -> np.ndarray:
    """Points of each value (NaN where the value is missing)."""
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape, np.nan)
    for b in bs:
        out = np.where(b.holds(x), b.points, out)
    return out


def band_targets(bs: list[Band]) -> list[tuple[float, bool, float]]:
    """(bound, reached-inclusively, points) for each band that has a finite lower bound (for what-ifs)."""
    return [(b.lo, b.lo_incl, b.points) for b in bs if b.lo != -math.inf]


def level_points(values: np.ndarray, levels: dict) -> np.ndarray:
    """Points of a class-valued input (``levels`` maps the class, as text, to points); NaN if unlisted.
    A numeric input (flags, levels) is compared with the keys read as numbers; NaN stays NaN."""
    v = np.asarray(values)
    numeric = v.dtype.kind in "fiu"
    out = np.full(v.shape, np.nan)
    for k, p in levels.items():
        out = np.where(v == (float(k) if numeric else str(k)), float(p), out)
    return out


def rules(pack=None) -> dict:
    """The pack's cultivation rules, with every band list checked (raises :class:`RuleError`)."""
    if pack is None:
        return _default()
    return _checked(pack._toml("cultivation"))


@lru_cache(maxsize=1)
def _default() -> dict:
    return _checked(load_pack()._toml("cultivation"))


def _checked(r: dict) -> dict:
    for scheme in ("innovative", "srdi"):
        for name, ind in r[scheme]["indicators"].items():
            for key in ("bands", "ratio_bands"):
                if key in ind:
                    ind[f"_{key}"] = bands(ind[key], f"{scheme}.{name}.{key}")
    return r


def unapplied(r: dict) -> list[tuple[str, dict]]:
    """The 专精特新 indicators kept but not applied ([I] recalled, or the province's 特色化 ones)."""
    return [(k, v) for k, v in r["srdi"]["indicators"].items() if not v.get("applied", False)]
