"""Cluster strength by the European Cluster Observatory's star rule, per cluster category × city.

Source: European Cluster Observatory, "Evaluation of regional cluster strength"
(http://www.clusterobservatory.eu/index.php?id=49&nid=), the rule kept in the pack
(``clusters.toml`` ``[stars]``). For one cluster category c (the firms of the cluster's segments)
over the locations i (the province's cities), with x_ic the category's size in i and x_i the size
of all industry in i (employment; revenue where employment is missing):

- **size** star: x_ic is in the top ``top_share`` (10 %) of the locations of the same category;
- **specialisation** star: LQ_ic = (x_ic / x_i) / (X_c / X) ≥ ``lq_min`` (2), with X_c = Σ_i x_ic and
  X = Σ_i x_i (the province is the reference, as Europe is the Observatory's);
- **focus** star: the category's share of the location's industry, x_ic / x_i, is in the top
  ``top_share`` of the locations of the same category.

"Top 10 %" counting (not spelled out by the Observatory, marked ``cut_rule_sourced = false``): a
location is in the top share when fewer than ``top_share`` × n locations have a strictly larger
value (n = the locations with any industry figure, ties share the better rank); a zero value never
earns a star. With 11 cities: the 2 largest; with 10: the largest; with 20: the 2 largest.

Measure: employment when every reporting firm of the year reports its employees, revenue
otherwise (one measure for the whole table, so locations stay comparable).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

DEFAULT = {"top_share": 0.10, "lq_min": 2.0}


def in_top(values: pd.Series, share: float) -> pd.Series:
    """True where fewer than ``share`` × n values are strictly larger (and the value is positive)."""
    v = values.astype(float)
    n = int(v.notna().sum())
    larger = v.apply(lambda x: int((v > x).sum()) if not math.isnan(x) else n)
    return (larger < share * n) & (v > 0)


def stars(cells: pd.DataFrame, rule: dict | None = None) -> pd.DataFrame:
    """Stars of a long table (cluster, location, x, total): adds lq, share, star_size,
    star_specialisation, star_focus, stars. ``total`` is the location's all-industry size (the same
    for every cluster); every location of the table counts in n for each cluster."""
    rule = {**DEFAULT, **(rule or {})}
    out = cells.copy()
    out["x"] = out["x"].astype(float).fillna(0.0)
    out["total"] = out["total"].astype(float)
    grand = out.drop_duplicates("location")["total"].sum()
    xc = out.groupby("cluster")["x"].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(out["total"] > 0, out["x"] / out["total"], np.nan)
        ref = xc / grand if grand > 0 else np.nan
        out["lq"] = np.where((ref > 0) & (out["total"] > 0), out["share"] / ref, np.nan)
    out["star_size"] = out.groupby("cluster")["x"].transform(lambda s: in_top(s, rule["top_share"])).astype(bool)
    out["star_focus"] = out.groupby("cluster")["share"].transform(
        lambda s: in_top(s, rule["top_share"])).astype(bool)
    # LQ ≥ 2 with a tolerance of 1e-9 (LQ is a ratio of ratios: an exact 2 may come out as 1.9999999999)
    out["star_specialisation"] = (out["lq"] >= rule["lq_min"] - 1e-9).fillna(False).astype(bool)
    out["stars"] = out[["star_size", "star_specialisation", "star_focus"]].sum(axis=1).astype(int)
    return out


def star_table(frames: dict, rule: dict | None = None) -> tuple[pd.DataFrame, str]:
    """The star table of :func:`chainbrain.analytics.cluster_figures.category_frame`'s frames:
    (cluster, location, x, total, firms, lq, share, stars…) over every (cluster × city), and the
    measure used (``employees`` or ``revenue``)."""
    cells, totals = frames["cells"], frames["totals"]
    measure = "employees" if len(totals) and totals["employees"].notna().all() else "revenue"
    ids = lambda s: sorted(int(i) for i in set(s))             # noqa: E731 — the firms of a cell (disclosure)
    tot = totals.groupby("city").agg(total=(measure, "sum"), total_firms=("enterprise_id", "nunique"),
                                     total_ids=("enterprise_id", ids))
    tot = tot.reset_index().rename(columns={"city": "location"})
    agg = cells.groupby(["cluster_code", "city"]).agg(x=(measure, "sum"), firms=("enterprise_id", "nunique"),
                                                      ids=("enterprise_id", ids))
    agg = agg.reset_index().rename(columns={"cluster_code": "cluster", "city": "location"})
    clusters = sorted(set(cells["cluster_code"]))
    grid = pd.DataFrame([(c, loc) for c in clusters for loc in tot["location"]], columns=["cluster", "location"])
    grid = grid.merge(tot, on="location").merge(agg, on=["cluster", "location"], how="left")
    grid["firms"] = grid["firms"].fillna(0).astype(int)
    grid["ids"] = grid["ids"].apply(lambda v: v if isinstance(v, list) else [])
    if grid.empty:
        return grid.assign(x=[], lq=[], share=[], star_size=[], star_specialisation=[], star_focus=[], stars=[]), measure
    return stars(grid, rule), measure
