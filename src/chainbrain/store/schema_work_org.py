"""The chain-leader organisation (链长制) of the work system (migration ``0009_work_tasks``).

policy-facts §1.8: the governor is 总链长, provincial leaders are chain leaders, the industry
department is the single lead unit; four working modes (链长+链主, 链长+园区, 链主+基金,
链主+平台); chain leaders and chain masters interact regularly.

- ``work_org_member``: who is who for a chain — ``role`` one of
  :data:`chainbrain.work.organisation.ROLES` (总链长 with no chain, 链长, 副链长, 牵头单位,
  成员单位, 专班负责人, 专班成员), person or unit name, title, unit.
- ``work_relation``: a working-mode relationship (``mode``) between a chain leader and a chain
  master, a park, a fund or a platform (``enterprise_id`` when the party is an enterprise).
- ``work_interaction``: the interaction log between chain leaders and chain masters (visits,
  talks, commitments), optionally followed up by a task.
Chain masters themselves come from the designations (``designation.kind = 'chain_master'``).
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import metadata
from chainbrain.store.schema_work_common import stamp as _stamp

work_org_member = sa.Table(
    "work_org_member", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("chain_code", sa.String(8)),                        # NULL: every chain (总链长)
    sa.Column("role", sa.String(24), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("title", sa.String(64)),
    sa.Column("unit", sa.String(128)),
    *_stamp(),
)

work_relation = sa.Table(
    "work_relation", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("chain_code", sa.String(8), nullable=False),
    sa.Column("mode", sa.String(24), nullable=False),
    sa.Column("leader", sa.String(128), nullable=False),          # the chain leader / chain master side
    sa.Column("enterprise_id", sa.BigInteger),                    # a chain master, when one is a party
    sa.Column("partner", sa.String(200)),                         # park, fund or platform
    sa.Column("since", sa.Date),
    sa.Column("note", sa.Text),
    *_stamp(),
)

work_interaction = sa.Table(
    "work_interaction", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("chain_code", sa.String(8), nullable=False),
    sa.Column("held_on", sa.Date, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),             # visit|talk|commitment|meeting
    sa.Column("leader", sa.String(128), nullable=False),
    sa.Column("enterprise_id", sa.BigInteger),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("commitment", sa.Text),
    sa.Column("task_id", sa.BigInteger),
    *_stamp(),
)

SEQUENCES = ("work_org_member", "work_relation", "work_interaction")
