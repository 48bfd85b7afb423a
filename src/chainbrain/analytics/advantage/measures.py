"""Location quotients, cluster strength and shift-share on a region × segment long table.

Location quotient (Isard 1960; Florence 1939), revenue- or employment-based:
    LQ_rs = (x_rs / x_r) / (x_s / x)
with x_r the region's total, x_s the reference total of segment s and x the
reference grand total.  The reference is the province (the sum over all
regions of the table) unless a reference table by segment is given (e.g. a
national table: its shares x_s / x replace the province's).

Cluster strength in the style of the U.S. Cluster Mapping Project (Delgado,
Porter & Stern 2016, "Defining clusters of related industries", J. Econ.
Geography 16:1; clustermapping.us "strong clusters"): a region × segment is
*strong* when its employment LQ is in the top quartile of the regions that
have the segment, LQ ≥ 1, and it clears size floors (employees and
enterprises; defaults 100 employees and 3 enterprises — the latter also the
statistical confidentiality floor).  EU cluster stars (European Cluster
Observatory, Ketels & Protsiv 2014): one star each for *size* (the region's
share of the segment's employment in the top 10 % of cells), *specialisation*
(LQ ≥ 2) and *focus* (the segment's share of the region's employment in the
top 10 % of cells).

Shift-share (Dunn 1960; Esteban-Marquillas 1972 notation): for region r,
segment s, base year 0 and final year 1,
    Δx_rs = x0_rs · G            (reference growth: the reference total's rate)
          + x0_rs · (G_s − G)    (industry mix: the segment's rate over the reference)
          + x0_rs · (g_rs − G_s) (competitive effect: the region beats its segment)
with g_rs = x1_rs / x0_rs − 1, G_s the reference segment rate and G the
reference total rate.  The reference is the province by default; a table of
reference rates by segment (``reference``: segment → G_s, plus the total
rate ``reference_total``) replaces it.  Cells new in year 1 (x0 = 0) are
pure competitive effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def location_quotient(df: pd.DataFrame, value: str = "revenue", region: str = "region",
                      segment: str = "segment", reference: pd.Series | None = None) -> pd.Series:
    """LQ per row of the long table (aligned with ``df``)."""
    x = df[value].astype(float)
    xr = x.groupby(df[region]).transform("sum")
    if reference is None:
        xs = x.groupby(df[segment]).transform("sum")
        share = xs / x.sum()
    else:
        ref = reference.astype(float)
        share = df[segment].map(ref / ref.sum()).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x / xr) / share


def cluster_strength(df: pd.DataFrame, region: str = "region", segment: str = "segment",
                     employees: str = "employees", enterprises: str = "enterprises",
                     min_employees: float = 100, min_enterprises: int = 3, quantile: float = 0.75,
                     reference: pd.Series | None = None) -> pd.DataFrame:
    """Adds ``lq``, ``top_quartile``, ``strong`` and EU ``stars`` (0–3) columns."""
    out = df.copy()
    out["lq"] = location_quotient(out, employees, region, segment, reference)
    has = out[employees] > 0
    cut = out[has].groupby(out[segment])["lq"].transform(lambda s: s.quantile(quantile))
    out["top_quartile"] = (out["lq"] >= cut.reindex(out.index)).fillna(False)
    out["strong"] = (out["top_quartile"] & (out["lq"] >= 1) & (out[employees] >= min_employees)
                     & (out[enterprises] >= min_enterprises))
    e = out[employees].astype(float)
    size = e / e.groupby(out[segment]).transform("sum")
    focus = e / e.groupby(out[region]).transform("sum")
    out["star_size"] = size >= size[has].quantile(0.9)
    out["star_specialisation"] = out["lq"] >= 2
    out["star_focus"] = focus >= focus[has].quantile(0.9)
    out["stars"] = out[["star_size", "star_specialisation", "star_focus"]].sum(axis=1).astype(int)
    return out


def shift_share(base: pd.DataFrame, final: pd.DataFrame, value: str = "revenue", region: str = "region",
                segment: str = "segment", reference: pd.Series | None = None,
                reference_total: float | None = None) -> pd.DataFrame:
    """(region, segment, x0, x1, change, reference_growth, industry_mix, competitive)."""
    a = base.groupby([region, segment])[value].sum().rename("x0")
    b = final.groupby([region, segment])[value].sum().rename("x1")
    t = pd.concat([a, b], axis=1).fillna(0.0).reset_index()
    if reference is None:
        s0 = t.groupby(segment)["x0"].transform("sum")
        s1 = t.groupby(segment)["x1"].transform("sum")
        with np.errstate(divide="ignore", invalid="ignore"):
            gs = (s1 / s0 - 1).where(s0 > 0, 0.0)
        G = t["x1"].sum() / t["x0"].sum() - 1
    else:
        gs = t[segment].map(reference).astype(float).fillna(0.0)
        if reference_total is None:
            raise ValueError("reference_total (the reference's overall growth rate) is required with reference")
        G = float(reference_total)
    x0 = t["x0"]
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (t["x1"] / x0 - 1).where(x0 > 0, 0.0)
    t["change"] = t["x1"] - x0
    t["reference_growth"] = x0 * G
    t["industry_mix"] = x0 * (gs - G)
    t["competitive"] = np.where(x0 > 0, x0 * (g - gs), t["x1"])
    return t
