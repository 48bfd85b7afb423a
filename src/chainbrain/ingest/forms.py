"""Checks and writers for the bureau's form fields (issue 12) and the grid company's electricity.

Balance-sheet consistency of a monthly report row (one error per offending
cell, bilingual, naming file, row and column — :mod:`chainbrain.ingest.errors`):

- 应收账款 (``receivables``) and 产成品存货 (``finished_goods``) are parts of
  资产总计: each must not exceed ``assets`` on the same row (and the same for
  the 上年同期末 columns). 负债合计 may exceed 资产总计 (an insolvent firm), so it
  is not checked against it.
- 工业销售产值 may exceed 工业总产值 (sales out of inventory: 产销率 > 100 %),
  营业成本 may exceed 营业收入 (a loss): neither is an error.

``power`` import kind (:data:`chainbrain.ingest.headers.KINDS`): the grid
company's industrial electricity per enterprise and calendar month
(统一社会信用代码, 月份 YYYY-MM, 工业用电量 kWh; January and February are two
rows). Decision (documented in docs/ingest.md and docs/monitoring.md): the
data are taken **per enterprise**, matched by USCC — the department's
"电力看经济" exchange with the grid company keys accounts to the enterprise
list — so electricity is summed over exactly the enterprises of a figure
(scope, region, chain, division) and energy intensity has the same
numerator and denominator sample; per-region totals from the grid cannot be
split by chain or division and include non-above-scale users. Key:
enterprise × year × month; a re-import of the same month is a new revision.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chainbrain.ingest import errors as E
from chainbrain.ingest.batch import cents

E.RULES.setdefault("exceeds_assets", ("{d}大于资产总计", "{d} exceeds total assets (资产总计)"))

#: (part, its total) on one row: a part of the balance sheet cannot exceed total assets
PARTS_OF_ASSETS = (("receivables", "assets"), ("finished_goods", "assets"),
                   ("receivables_prev", "assets_prev"), ("finished_goods_prev", "assets_prev"))
MONTHLY_FORM_MONEY = ("gross_output_ytd", "gross_output_ytd_prev", "sales_output_ytd", "sales_output_ytd_prev",
                      "main_business_revenue_ytd", "main_business_revenue_ytd_prev", "cost_ytd", "cost_ytd_prev",
                      "export_ytd_prev", "assets", "assets_prev", "liabilities", "liabilities_prev",
                      "receivables", "receivables_prev", "finished_goods", "finished_goods_prev")
MONTHLY_FORM_INT = ("employees_avg", "employees_avg_prev")
ANNUAL_FORM_MONEY = ("main_business_revenue",)
ANNUAL_FORM_INT = ("employees_avg",)


def check_balance(p) -> None:
    """Row errors ``exceeds_assets`` for parts of the balance sheet larger than 资产总计."""
    from chainbrain.ingest.checks import _hdr
    from chainbrain.ingest.headers import KINDS

    zh = {f.key: f.zh for f in KINDS[p.kind]}
    for part, total in PARTS_OF_ASSETS:
        if part not in p.cols or total not in p.cols:
            continue
        a, t = cents(p.cols[part]), cents(p.cols[total])
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(a) & ~np.isnan(t) & (a > t)
        p.issues.add_mask(bad, "exceeds_assets", rownum=p.raw.rownum, column=_hdr(p, part),
                          values=[None if np.isnan(x) else f"{x / 100:.2f}" for x in a], detail=zh[part])


def check_power(store, conn, p, ids) -> dict:
    from chainbrain.ingest.checks import _duplicates, _hdr, _registered

    if p.issues.fatal():
        return {}
    eid = _registered(p, "uscc", ids)
    _duplicates(p, [eid, p.cols["year"], p.cols["month"]], _hdr(p, "uscc"))
    return {"eid": eid}


def write_power(store, conn, p, keep, batch, ctx, res):
    from chainbrain.ingest.write import _take, write_revisioned

    cols = {"enterprise_id": pa.array(ctx["eid"][keep]), "year": pa.array(p.cols["year"][keep].astype(np.int32)),
            "month": pa.array(p.cols["month"][keep].astype(np.int32)),
            "kwh": pc.cast(_take(p.cols["kwh"], keep), pa.float64())}
    write_revisioned(store, conn, "power_use", ["enterprise_id", "year", "month"], {"kwh": "float"},
                     pa.table(cols), batch, res, p.present)
