"""Statistical reports of the demo province: sample membership, annual and monthly (YTD) reports.

- ``enterprise_scale``: one row per enterprise and year it existed (2020–2026),
  ``above_scale`` = in that year's direct-reporting sample.
- ``annual_report`` (2020–2025): every enterprise that operated through the
  year, above- and below-scale; revenue is the simulated revenue in cents.
- ``monthly_report`` (2021-02 … 2026-10): sample members only, year-to-date
  cumulative, January published with February (no month-1 row). A year's
  revenue is split over the months the enterprise operated by the pack's
  seasonal shares (Spring Festival dip) with ±5% noise, in integer cents:
  YTD_m = round(R · W_m), W the cumulative normalised weights with W = 1 from
  the last operating month on — so YTD never decreases and the December YTD
  equals the annual report exactly. ``revenue_ytd_prev`` (上年同期) is the
  enterprise's own YTD for the same months a year earlier, also for
  enterprises that were below scale last year, NULL for enterprises founded
  this year, and withheld (NULL) on ~10% of reports where the enterprise's
  own report a year earlier exists, so readers must fall back to it.
  Profit, value added, exports and R&D are the enterprise's yearly ratios
  times YTD revenue (profit gets a small in-year wobble that vanishes in
  December). The bureau's form fields (cost, output, balance sheet, average
  employees, each with its 上年同期) and ``power_use``: :mod:`chainbrain.demo.forms`.

Work is done per block of enterprises (``BLOCK``), so a national-scale build
never holds all monthly rows of all enterprises at once; the draws of a block
depend only on (seed, year, block), so output is the same in any order.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pyarrow as pa

from chainbrain.demo.dynamics import Paths
from chainbrain.demo.forms import FormLevels, form_columns, power_table
from chainbrain.demo.spec import ANNUAL_YEARS, MONTHLY_YEARS, SCALE_YEARS, SIM_YEARS, last_month, year_index
from chainbrain.demo.traits import Traits, year_draws

BLOCK = 200_000
NULL_PREV = 0.125          # of reports with an own report a year earlier → ~10% of all reports
MONTHS = np.arange(1, 13)


def _money(cents: np.ndarray) -> pa.Array:
    return pa.array(cents / 100.0, type=pa.float64())


def _money_or_null(cents: np.ndarray, valid: np.ndarray) -> pa.Array:
    return pa.array(cents / 100.0, type=pa.float64(), mask=~valid)


def operating_months(firms, paths: Paths, year: int, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    first = np.where(firms.birth_year[idx] == year, firms.birth_month[idx], 1)
    last = np.where(paths.death_year[idx] == year, paths.death_month[idx] - 1, 12)
    return first, last


def scale_table(paths: Paths, ids: np.ndarray, batch: int) -> pa.Table:
    cols = {"enterprise_id": [], "year": [], "above_scale": []}
    for y in SCALE_YEARS:
        j = year_index(y)
        ex = np.flatnonzero(paths.exists[:, j])
        cols["enterprise_id"].append(ids[ex])
        cols["year"].append(np.full(ex.size, y, dtype=np.int32))
        cols["above_scale"].append(paths.member[ex, j])
    t = {k: np.concatenate(v) for k, v in cols.items()}
    return pa.table({**t, "batch_id": np.full(t["year"].size, batch, dtype=np.int64),
                     "revision": np.ones(t["year"].size, dtype=np.int32)})


class _Year:
    """One year of one block: YTD revenue and profit in cents, and the year's ratios."""

    def __init__(self, firms, paths, traits, season, seed, year, block, idx):
        d = year_draws(idx.size, seed, year * 1000 + block)
        j = year_index(year)
        self.cents = np.round(paths.rev[idx, j] * 100)
        first, last = operating_months(firms, paths, year, idx)
        on = (MONTHS[None, :] >= first[:, None]) & (MONTHS[None, :] <= last[:, None])
        w = np.where(on, season[None, :] * np.exp(d["season"]), 0.0)
        tot = w.sum(axis=1, keepdims=True)
        cw = np.cumsum(w, axis=1) / np.where(tot > 0, tot, 1.0)
        cw = np.where(MONTHS[None, :] >= last[:, None], 1.0, cw)
        self.ytd = np.round(self.cents[:, None] * cw)
        self.first, self.last = first, last
        self.margin = traits.margin[idx] + d["margin"]
        wobble = d["profit_month"] * ((12 - MONTHS) / 11.0)[None, :]
        self.profit = np.round(self.ytd * (self.margin[:, None] + wobble))
        ratio = 1 + d["ratio"]
        self.va = traits.va_rate[idx] * ratio
        self.export = np.where(traits.exporter[idx], traits.export_share[idx], 0.0) * ratio
        self.rd = traits.rd_int[idx] * ratio
        self.staff = np.maximum(3, np.round(paths.rev[idx, j] / traits.productivity[idx])).astype(np.int64)
        self.staff_month = np.maximum(3, np.round(self.staff[:, None] * (1 + d["staff"] * ((12 - MONTHS) / 11.0))))
        self.energy = paths.rev[idx, j] * traits.energy_int[idx]
        self.null_draw = d["null_prev"]
        self.forms = FormLevels(seed, block, year, idx.size, self.margin)      # the bureau's form fields


def _annual(firms, paths, cur: _Year, year, idx, ids, batch) -> pa.Table | None:
    j = year_index(year)
    keep = paths.exists[idx, j] & (paths.death_year[idx] != year)
    if not keep.any():
        return None
    c = cur.cents[keep]
    return pa.table({
        "enterprise_id": ids[idx[keep]], "year": np.full(c.size, year, dtype=np.int32),
        "revenue": _money(c), "profit": _money(cur.profit[keep, 11]),
        "value_added": _money(np.round(c * cur.va[keep])), "export_value": _money(np.round(c * cur.export[keep])),
        "rd_expense": _money(np.round(c * cur.rd[keep])), "energy_tce": np.round(cur.energy[keep], 1),
        "employees": cur.staff[keep], "batch_id": np.full(c.size, batch, dtype=np.int64),
        "revision": np.ones(c.size, dtype=np.int32)})


def _monthly(firms, paths, cur: _Year, prev: _Year, year, idx, ids, batch) -> pa.Table | None:
    j = year_index(year)
    lm = last_month(year)
    mem = paths.member[idx, j]
    rows = mem[:, None] & (MONTHS[None, :] >= np.maximum(cur.first, 2)[:, None]) \
        & (MONTHS[None, :] <= np.minimum(cur.last, lm)[:, None])
    r, m = np.nonzero(rows)
    if r.size == 0:
        return None
    ytd = cur.ytd[r, m]
    has_prev = firms.birth_year[idx[r]] < year
    own_prev = paths.member[idx[r], j - 1] & (m + 1 >= np.maximum(prev.first[r], 2)) & (m + 1 <= prev.last[r]) \
        & (year - 1 >= MONTHLY_YEARS[0])
    withheld = own_prev & (cur.null_draw[r, m] < NULL_PREV)
    pv = has_prev & ~withheld
    return pa.table({
        "enterprise_id": ids[idx[r]], "year": np.full(r.size, year, dtype=np.int32),
        "month": (m + 1).astype(np.int32),
        "revenue_ytd": _money(ytd), "revenue_ytd_prev": _money_or_null(prev.ytd[r, m], pv),
        "profit_ytd": _money(cur.profit[r, m]), "profit_ytd_prev": _money_or_null(prev.profit[r, m], pv),
        "value_added_ytd": _money(np.round(ytd * cur.va[r])), "export_ytd": _money(np.round(ytd * cur.export[r])),
        "rd_expense_ytd": _money(np.round(ytd * cur.rd[r])), "employees": cur.staff_month[r, m].astype(np.int64),
        **form_columns(cur, prev, r, m, pv),
        "batch_id": np.full(r.size, batch, dtype=np.int64), "revision": np.ones(r.size, dtype=np.int32)})


def report_tables(firms, paths: Paths, traits: Traits, season: np.ndarray, ids: np.ndarray, batch: int,
                  seed: int) -> Iterator[tuple[str, pa.Table]]:
    """Yield ("annual_report" | "monthly_report" | "power_use", table) pieces, block by block, year by year."""
    for b, start in enumerate(range(0, firms.n, BLOCK)):
        idx = np.arange(start, min(start + BLOCK, firms.n))
        prev = None
        for year in SIM_YEARS[1:]:          # 2019 revenue only decided the 2020 sample
            cur = _Year(firms, paths, traits, season, seed, year, b, idx)
            if year in ANNUAL_YEARS:
                t = _annual(firms, paths, cur, year, idx, ids, batch)
                if t is not None:
                    yield "annual_report", t
            if year in MONTHLY_YEARS:
                t = _monthly(firms, paths, cur, prev, year, idx, ids, batch)
                if t is not None:
                    yield "monthly_report", t
                t = power_table(cur, paths.member[idx, year_index(year)], year, last_month(year), ids[idx],
                                traits.energy_int[idx], batch)
                if t is not None:
                    yield "power_use", t
            prev = cur
