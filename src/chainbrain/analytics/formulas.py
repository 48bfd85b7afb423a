"""Indicator values from raw sums, for many keys at once (the formulas of :mod:`indicators`).

Input: one row per key with the raw sums of
:func:`chainbrain.analytics.indicators.aggregate_many` (``m``, ``m_n``,
``m_prev``, ``m_prev_n``, comparable ``m_cc`` / ``m_cb`` / ``m_cn``, counts,
SEI value added, R&D and export bases), the parent's and the province's sums
(one row each) and, per row, the sums of the province's chain it belongs to.
Output: one column per indicator of the registry and its ``_n`` companion.

Rules (column-wise, NaN meaning "no value"):
- a sum over no reporter is no value: ``m`` needs ``m_n > 0``, ``m_prev``
  needs ``m_prev_n > 0``, comparable sums need ``m_cn > 0``;
- ``ratio(a, b)`` is a / b when both exist and b > 0 (b ≠ 0 for contributions,
  whose parent increment may be negative); growth = ratio − 1;
- contribution ΔC_g / ΔC_parent and pull 100·ΔC_g / Σ_C prior_parent with
  ΔC = Σ_C current − Σ_C prior;
- value added at constant prices (可比价): ``value_added_yoy_real = Σ_C VA_e(t)/(PPI_d(e)/100) /
  Σ_C VA_e(t−1) − 1`` — each comparable enterprise's current value deflated by its division's YTD
  PPI (previous year = 100) before summing; no value unless the deflators cover all of C (YTD only);
- SEI share (VA_true + Σ s·VA_shared + w·VA_partial) / VA with bounds w = 0 and w = 1: partial
  classes with a loaded share s count at s in both bounds, the others (VA_partial) at 0 and 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MONEY = ("revenue", "profit", "value_added", "export", "rd_expense")          # flows, yuan
MEASURES = MONEY + ("employees",)                                               # + a stock, persons


def _source(src, name: str, n: int) -> np.ndarray:
    """Column ``name`` of ``src`` as n floats (NaN: no value): ``src`` is a DataFrame aligned with the
    rows, a dict (one row, broadcast) or None."""
    if src is None:
        return np.full(n, np.nan)
    if isinstance(src, dict):
        v = src.get(name)
        return np.full(n, np.nan if v is None or v != v else float(v))
    if name not in src.columns:
        return np.full(n, np.nan)
    return pd.to_numeric(src[name], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def values_frame(df: pd.DataFrame, parent, province, chains, partial_weight: float) -> dict[str, np.ndarray]:
    """Indicator values for every row of ``df`` (module docstring): ``{column: array}``, floats with NaN
    for no value, counts as int64. ``parent`` and ``province`` are one row (a dict) or aligned with
    ``df`` (a DataFrame); ``chains`` is aligned with ``df`` (the province chain's sums of each row's
    chain, NaN where it has none) or None."""
    n = len(df)

    def col(name, src=df):
        return _source(src, name, n)

    def cnt(name):
        return np.nan_to_num(col(name)).astype(np.int64)

    def ratio(num, den, positive=True):
        ok = ~np.isnan(num) & ~np.isnan(den) & ((den > 0) if positive else (den != 0))
        out = np.full(n, np.nan)
        np.divide(num, den, out=out, where=ok)
        return out

    def only(x, cond):
        return np.where(cond, x, np.nan)

    v: dict[str, np.ndarray] = {}
    for k in ("above_scale_count", "scale_ups", "exits", "loss_making_count", "sei_partial_count"):
        v[k] = cnt(k)
    c = v["above_scale_count"]
    v["scale_ups_n"], v["above_scale_count_n"], v["loss_making_count_n"] = c, c, c
    v["exits_n"] = cnt("prev_count")
    pr = cnt("profit_reporters")
    v["loss_share"], v["loss_share_n"] = ratio(v["loss_making_count"].astype(float), pr.astype(float)), pr
    prp = cnt("profit_reporters_prev")
    v["loss_share_prev"], v["loss_share_prev_n"] = ratio(col("loss_making_prev"), prp.astype(float)), prp
    for m in MEASURES:
        mn, pn, cn = cnt(f"{m}_n"), cnt(f"{m}_prev_n"), cnt(f"{m}_cn")
        cur, prev = only(col(m), mn > 0), only(col(f"{m}_prev"), pn > 0)
        cc, cb = only(col(f"{m}_cc"), cn > 0), only(col(f"{m}_cb"), cn > 0)
        v |= {m: cur, f"{m}_n": mn, f"{m}_prev": prev, f"{m}_prev_n": pn,
              f"{m}_yoy": ratio(cc, cb) - 1, f"{m}_yoy_n": cn, f"{m}_comparable_current": cc,
              f"{m}_comparable_base": cb, f"{m}_yoy_naive": ratio(cur, prev) - 1,
              f"{m}_yoy_naive_n": np.minimum(mn, pn)}
    # constant prices (可比价): every comparable firm deflated by its division's PPI, else no value
    cnr, ccr = cnt("value_added_cnr"), col("value_added_ccr")
    full = (v["value_added_yoy_n"] > 0) & (cnr == v["value_added_yoy_n"])
    v["value_added_yoy_real"] = ratio(only(ccr, full), v["value_added_comparable_base"]) - 1
    v["value_added_yoy_real_n"] = np.where(full, cnr, 0)
    for m in ("revenue", "value_added"):
        d = only(np.nan_to_num(v[f"{m}_comparable_current"]) - np.nan_to_num(v[f"{m}_comparable_base"]),
                 v[f"{m}_yoy_n"] > 0)
        has = np.nan_to_num(col(f"{m}_cn", parent)) > 0
        p_cc, p_cb = col(f"{m}_cc", parent), col(f"{m}_cb", parent)
        v[f"{m}_contribution"] = ratio(d, only(np.nan_to_num(p_cc) - np.nan_to_num(p_cb), has), positive=False)
        v[f"{m}_pull"] = 100 * ratio(d, only(p_cb, has))
        v[f"{m}_contribution_n"] = v[f"{m}_pull_n"] = v[f"{m}_yoy_n"]
    v["share_of_province"] = ratio(v["revenue"], col("revenue", province))
    v["share_of_province_prev"] = ratio(v["revenue_prev"], col("revenue_prev", province))
    v["share_of_chain"] = ratio(v["revenue"], col("revenue", chains))
    v["share_of_chain_prev"] = ratio(v["revenue_prev"], col("revenue_prev", chains))
    v["share_of_province_n"] = v["share_of_chain_n"] = v["revenue_n"]
    v["share_of_province_prev_n"] = v["share_of_chain_prev_n"] = v["revenue_prev_n"]
    va = v["value_added"]
    t, pa_ = np.nan_to_num(col("sei_va_true")), np.nan_to_num(col("sei_va_partial"))
    t = t + np.nan_to_num(col("sei_va_shared"))          # partial classes with a loaded share: s·VA, known
    v["sei_va_share"] = ratio(t + partial_weight * pa_, va)
    v["sei_va_share_low"] = ratio(t, va)
    v["sei_va_share_high"] = ratio(t + pa_, va)
    v["sei_partial_count_n"] = c
    v["sei_va_share_n"] = v["sei_va_share_low_n"] = v["sei_va_share_high_n"] = v["value_added_n"]
    v["rd_intensity"], v["rd_intensity_n"] = ratio(v["rd_expense"], col("rd_base")), v["rd_expense_n"]
    v["export_share"], v["export_share_n"] = ratio(v["export"], col("export_base")), v["export_n"]
    return v


def records(values: dict[str, np.ndarray]) -> list[dict]:
    """Rows of :func:`values_frame` as dicts of Python numbers, None for no value."""
    names = list(values)
    cols = []
    for k in names:
        a = values[k]
        cols.append(a.tolist() if a.dtype.kind in "iu" else [None if x != x else x for x in a.tolist()])
    return [dict(zip(names, row)) for row in zip(*cols)]
