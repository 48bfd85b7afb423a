"""Key projects (重点项目) of the work system (migration ``0009_work_tasks``).

- ``work_project``: an investment project of a chain (and segment) in a county: investor,
  total planned investment (yuan, NUMERIC(20,2)), ``stage`` (洽谈 negotiating → 签约 signed →
  开工 started → 投产 operating → 达产 full_output, :mod:`chainbrain.work.projects`), the 招商
  lead it came from — ``lead_id``, a reference to ``attraction_lead.id`` (migration
  ``0013_work_links``), and the older free-text ``lead_source`` kept for existing data —, dates,
  ``version``.
- ``work_project_month``: planned and actual investment of a project in a calendar month
  (yuan; ``actual`` NULL until reported). Completion rate = Σ actual ÷ Σ planned over the
  months reported.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import Money, metadata
from chainbrain.store.schema_work_common import stamp as _stamp

work_project = sa.Table(
    "work_project", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("chain_code", sa.String(8), nullable=False),
    sa.Column("segment_code", sa.String(32)),
    sa.Column("region_code", sa.String(6), nullable=False),
    sa.Column("investor", sa.String(200), nullable=False),
    sa.Column("enterprise_id", sa.BigInteger),                     # the investor when it is a known enterprise
    sa.Column("amount", Money, nullable=False),                    # total planned investment, yuan
    sa.Column("stage", sa.String(16), nullable=False),
    sa.Column("lead_source", sa.String(200)),                      # the 招商 lead as free text (old field)
    sa.Column("lead_id", sa.BigInteger),                           # attraction_lead.id it came from (0013)
    sa.Column("signed_on", sa.Date),
    sa.Column("started_on", sa.Date),
    sa.Column("operating_on", sa.Date),
    sa.Column("full_output_on", sa.Date),
    *_stamp(),
)

work_project_month = sa.Table(
    "work_project_month", metadata,
    sa.Column("project_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("month", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("planned", Money, nullable=False),
    sa.Column("actual", Money),
)

SEQUENCES = ("work_project",)
