"""Year-to-date ↔ single-month conversion for monthly reports (DESIGN.md §4 conventions).

Reports are YTD (1–M月累计). January is published with February, so the first value
of a year is month 2 and covers Jan–Feb; ``months`` says how many calendar months a
monthly value spans (2 for Jan–Feb, more when a month is missing from the series).

- ``ytd_to_month``: value(M) = YTD(M) − YTD(previous reported month of the same year);
  the first reported month of a year keeps its YTD (it covers 1..M).
- ``month_to_ytd``: the running sum within (key, year); the inverse of the above.

Both take plain arrays (any order) and return arrays aligned with the input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def ytd_to_month(key, year, month, ytd) -> tuple[np.ndarray, np.ndarray]:
    """(monthly values, months covered) for YTD values."""
    df = pd.DataFrame({"k": np.asarray(key), "y": np.asarray(year, np.int64), "m": np.asarray(month, np.int64),
                       "v": np.asarray(ytd, dtype=float), "i": np.arange(len(year))})
    if df.duplicated(["k", "y", "m"]).any():
        raise ValueError("duplicate (key, year, month)")
    if ((df.m < 2) | (df.m > 12)).any():
        raise ValueError("months must be 2..12 (January is reported with February)")
    df = df.sort_values(["k", "y", "m"])
    g = df.groupby(["k", "y"], sort=False)
    prev_v = g["v"].shift(1)
    prev_m = g["m"].shift(1)
    df["out"] = np.where(prev_v.isna(), df.v, df.v - prev_v)
    df["months"] = np.where(prev_m.isna(), df.m, df.m - prev_m).astype(np.int64)
    df = df.sort_values("i")
    return df["out"].to_numpy(), df["months"].to_numpy()


def month_to_ytd(key, year, month, value) -> np.ndarray:
    """YTD values from monthly values (the value of month 2 covers Jan–Feb)."""
    df = pd.DataFrame({"k": np.asarray(key), "y": np.asarray(year, np.int64), "m": np.asarray(month, np.int64),
                       "v": np.asarray(value, dtype=float), "i": np.arange(len(year))})
    if ((df.m < 2) | (df.m > 12)).any():
        raise ValueError("months must be 2..12 (January is reported with February)")
    df = df.sort_values(["k", "y", "m"])
    df["out"] = df.groupby(["k", "y"], sort=False)["v"].cumsum()
    return df.sort_values("i")["out"].to_numpy()
