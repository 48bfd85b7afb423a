"""Investment-attraction leads (招商线索), migration ``0011_attraction``.

- ``attraction_lead``: a ranked target (an out-of-province enterprise for a
  chain and segment, optionally for a city or county to land in) that the
  office follows up: ``status`` lead → followed_up → signed → landed, or
  dropped (:mod:`chainbrain.work.attract_leads`), who owns it, the score and
  its basis (the TOPSIS components and the weights' version, JSON) when it
  was marked, the dates of each step, ``version`` (optimistic lock) and the
  stamp of every work item.  Every change also writes ``work_audit``.

Ids come from the sequence ``attraction_lead_id_seq``.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import Code, metadata
from chainbrain.store.schema_work_common import stamp as _stamp

SEQUENCES = ("attraction_lead",)

attraction_lead = sa.Table(
    "attraction_lead", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("enterprise_id", sa.BigInteger, nullable=False),       # the candidate (outside the province)
    sa.Column("chain_code", sa.String(8), nullable=False),
    sa.Column("segment_code", Code),
    sa.Column("region_code", sa.String(6)),                          # where it should land (NULL: the province)
    sa.Column("status", sa.String(16), nullable=False),              # lead|followed_up|signed|landed|dropped
    sa.Column("owner", sa.String(64)),                               # who follows it up
    sa.Column("note", sa.Text),
    sa.Column("year", sa.Integer, nullable=False),                   # the data year of the ranking it came from
    sa.Column("score", sa.Double),                                   # TOPSIS closeness when marked
    sa.Column("score_basis", sa.Text),                               # JSON: components, weights and their version
    sa.Column("followed_up_on", sa.Date),
    sa.Column("signed_on", sa.Date),
    sa.Column("landed_on", sa.Date),
    *_stamp(),
    sa.Index("ix_attraction_lead_chain", "chain_code"),
    sa.Index("ix_attraction_lead_ent", "enterprise_id"),
)
