"""The department's indicator set (migration 0007_indicator_set): fields of the bureau's forms.

Columns added to ``monthly_report`` (all nullable: old files and the demo's
older rows simply lack them). Flows are 1–M月累计 (YTD) in yuan; balance-sheet
items are period-end stocks in yuan; ``*_prev`` is the 上年同期 the form
reports next to each figure (for stocks: the balance at the same month-end a
year earlier).

| column | form field |
| gross_output_ytd / _prev | 工业总产值(当年价格) |
| sales_output_ytd / _prev | 工业销售产值(当年价格) |
| main_business_revenue_ytd / _prev | 主营业务收入 (its own field, not 营业收入) |
| cost_ytd / _prev | 营业成本 |
| export_ytd_prev | 出口交货值 上年同期 |
| assets / assets_prev | 资产总计 (期末) |
| liabilities / liabilities_prev | 负债合计 (期末) |
| receivables / receivables_prev | 应收账款 (期末) |
| finished_goods / finished_goods_prev | 产成品存货 (期末) |
| employees_avg / employees_avg_prev | 从业人员平均人数 (persons; not the period-end headcount ``employees``) |

``annual_report`` gains ``main_business_revenue`` and ``employees_avg``.
``power_use``: the grid company's monthly industrial electricity per
enterprise (当月, kWh), a separate import kind (``power``).
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import Money, annual_report, metadata, monthly_report

MONTHLY_COLUMNS = (
    ("gross_output_ytd", Money), ("gross_output_ytd_prev", Money),
    ("sales_output_ytd", Money), ("sales_output_ytd_prev", Money),
    ("main_business_revenue_ytd", Money), ("main_business_revenue_ytd_prev", Money),
    ("cost_ytd", Money), ("cost_ytd_prev", Money),
    ("export_ytd_prev", Money),
    ("assets", Money), ("assets_prev", Money),
    ("liabilities", Money), ("liabilities_prev", Money),
    ("receivables", Money), ("receivables_prev", Money),
    ("finished_goods", Money), ("finished_goods_prev", Money),
    ("employees_avg", sa.Integer), ("employees_avg_prev", sa.Integer),
)
ANNUAL_COLUMNS = (("main_business_revenue", Money), ("employees_avg", sa.Integer))

for _name, _type in MONTHLY_COLUMNS:
    monthly_report.append_column(sa.Column(_name, _type))
for _name, _type in ANNUAL_COLUMNS:
    annual_report.append_column(sa.Column(_name, _type))

power_use = sa.Table(
    "power_use", metadata,
    sa.Column("enterprise_id", sa.BigInteger, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("month", sa.Integer, primary_key=True),            # the calendar month (当月), 1–12
    sa.Column("kwh", sa.Double, nullable=False),                 # industrial electricity of the month, kWh
    sa.Column("batch_id", sa.BigInteger, nullable=False),
    sa.Column("revision", sa.Integer, primary_key=True, server_default="1"),
    sa.Index("ix_power_use_ent", "enterprise_id"),
)
