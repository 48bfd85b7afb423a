"""Demo values for the bureau's form fields (migration 0007) and the grid company's electricity.

Plausible, mutually consistent figures derived from each report's YTD revenue
and profit (so the core figures and their calibration are untouched), with
per-enterprise levels drawn from a stream of their own (seeded by seed and
block, plus a small yearly wobble by year):

- 营业成本 = revenue × (0.92 − margin ± 2 %): with the demo's ~5–6 % margins
  每百元营业收入中的成本 ≈ 85–87 元 (national 2024: 85.4 元);
- 工业总产值 = revenue × (1 ± 3 %), 工业销售产值 = 工业总产值 × (97.5 ± 1.5 %) (产销率);
  主营业务收入 = revenue × (95 ± 2 %);
- month-end stocks from the year's revenue: 资产总计 = revenue × 1.3·e^{N(0,0.3)}
  (≈ 77 元 revenue per 100 元 assets), 负债合计 = assets × (57 ± 10 %) (资产负债率
  ≈ 57 %), 应收账款 = revenue × (62 ± 15 days)/365, 产成品存货 = cost × (19 ± 6 days)/365
  — so the turnover days come out near the NBS levels (应收账款平均回收期 ~60–67 天,
  产成品存货周转天数 ~19–20 天);
- 从业人员平均人数 = the mean of the monthly headcounts so far;
- every 上年同期 is the same enterprise's value a year earlier, NULL exactly where
  ``revenue_ytd_prev`` is (new firms, withheld forms);
- electricity (``power_use``, 2024 on, calendar months incl. January): the month's
  revenue × the enterprise's energy intensity (tce per yuan) × 1,500 kWh per tce
  (electricity's part of industrial energy use), ≈ 1,000–1,500 kWh per 万元 of
  value added in the province.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

MONTHS = np.arange(1, 13)
KWH_PER_TCE = 1500.0
POWER_FROM = 2024


class FormLevels:
    """Per-enterprise levels of one block and year (cost, output and balance-sheet ratios)."""

    def __init__(self, seed: int, block: int, year: int, n: int, margin: np.ndarray):
        g0 = np.random.default_rng([seed, 12, block])           # the enterprise's own levels, every year
        g = np.random.default_rng([seed, 13, block, year])      # a small wobble by year
        lvl = {k: g0.normal(0, 1, n) for k in ("cost", "go", "sales", "mbr", "assets", "debt", "ar", "fg")}
        w = g.normal(0, 0.25, (8, n))
        self.cost_rate = np.clip(0.92 - margin + 0.02 * (lvl["cost"] + w[0]), 0.5, 1.2)
        self.go_rate = np.clip(1.0 + 0.03 * (lvl["go"] + w[1]), 0.85, 1.15)
        self.sales_rate = np.clip(0.975 + 0.015 * (lvl["sales"] + w[2]), 0.9, 1.04)
        self.mbr_rate = np.clip(0.95 + 0.02 * (lvl["mbr"] + w[3]), 0.8, 1.0)
        self.asset_ratio = np.clip(1.3 * np.exp(0.3 * lvl["assets"] + 0.05 * w[4]), 0.4, 5.0)
        self.debt_ratio = np.clip(0.57 + 0.10 * (lvl["debt"] + w[5]), 0.15, 0.98)
        self.ar_days = np.clip(62 + 15 * (lvl["ar"] + w[6]), 5, 200)
        self.fg_days = np.clip(19 + 6 * (lvl["fg"] + w[7]), 1, 90)
        # receivables and finished goods are parts of total assets (the importer's balance-sheet rule)
        self.asset_ratio = np.maximum(self.asset_ratio, (self.ar_days + self.fg_days * self.cost_rate) / 365.0 + 0.2)


def _money(cents, valid=None) -> pa.Array:
    return pa.array(np.round(cents) / 100.0, type=pa.float64(), mask=None if valid is None else ~valid)


def form_columns(cur, prev, r: np.ndarray, m: np.ndarray, pv: np.ndarray) -> dict[str, pa.Array]:
    """The form fields of the monthly rows (block rows ``r``, month indexes ``m``); ``cur`` / ``prev`` are
    the :class:`chainbrain.demo.reports._Year` of this and last year (with ``forms`` levels)."""
    out: dict[str, pa.Array] = {}
    for tag, y, valid in (("", cur, None), ("_prev", prev, pv)):
        if y is None:                                             # first monthly year: no 上年同期 at all
            y, valid = cur, np.zeros(r.size, bool)
        f = y.forms
        ytd = y.ytd[r, m]
        cost = ytd * f.cost_rate[r]
        gross = ytd * f.go_rate[r]
        annual = y.cents[r]
        grow = 1 + 0.03 * (m + 1) / 12.0                          # stocks build up a little over the year
        assets = annual * f.asset_ratio[r] * grow
        staff = np.cumsum(y.staff_month, axis=1) / MONTHS[None, :]
        emp_avg = np.round(staff[r, m]).astype(np.int64)
        sfx = "_ytd" if tag == "" else "_ytd_prev"
        out |= {
            f"gross_output{sfx}": _money(gross, valid), f"sales_output{sfx}": _money(gross * f.sales_rate[r], valid),
            f"main_business_revenue{sfx}": _money(ytd * f.mbr_rate[r], valid), f"cost{sfx}": _money(cost, valid),
            f"assets{tag}": _money(assets, valid), f"liabilities{tag}": _money(assets * f.debt_ratio[r], valid),
            f"receivables{tag}": _money(annual * f.ar_days[r] / 365.0 * grow, valid),
            f"finished_goods{tag}": _money(annual * f.cost_rate[r] * f.fg_days[r] / 365.0 * grow, valid),
            f"employees_avg{tag}": pa.array(emp_avg, pa.int64(), mask=None if valid is None else ~valid),
        }
        if tag == "_prev":
            out["export_ytd_prev"] = _money(np.round(ytd * y.export[r]), valid)
    return out


def power_table(cur, mem: np.ndarray, year: int, lm: int, ids_rows: np.ndarray, energy_int: np.ndarray,
                batch: int) -> pa.Table | None:
    """``power_use`` rows of one block and year: sample members, every operating calendar month ≤ lm."""
    if year < POWER_FROM:
        return None
    rows = mem[:, None] & (MONTHS[None, :] >= cur.first[:, None]) & (MONTHS[None, :] <= np.minimum(cur.last, lm)[:, None])
    r, m = np.nonzero(rows)
    if r.size == 0:
        return None
    month_cents = np.diff(cur.ytd, axis=1, prepend=0.0)[r, m]
    kwh = np.round(np.maximum(month_cents, 0) / 100.0 * energy_int[r] * KWH_PER_TCE, 1)
    return pa.table({"enterprise_id": ids_rows[r], "year": np.full(r.size, year, dtype=np.int32),
                     "month": (m + 1).astype(np.int32), "kwh": kwh,
                     "batch_id": np.full(r.size, batch, dtype=np.int64), "revision": np.ones(r.size, dtype=np.int32)})
