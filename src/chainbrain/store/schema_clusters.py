"""Cluster membership as data (migration 0018_clusters).

- ``cluster_info``: per cluster of the pack (``cluster``), its programme (``1269`` = the six of the
  "1269" plan, ``provincial`` = a provincial advanced manufacturing cluster, ``national`` = on MIIT's
  national list) and the year it was named. Catalog table, replaced with the pack.
- ``cluster_place``: the counties and parks listed for a cluster besides its cities
  (``cluster_city``). Catalog table, replaced with the pack.
- ``cluster_member``: designated member firms (imported by ``chainbrain clusters import-members``):
  members whatever their segment or place, from ``valid_from`` to ``valid_to`` (inclusive; NULL: open).

Membership rule: :mod:`chainbrain.analytics.cluster_members`.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema import metadata

cluster_info = sa.Table(
    "cluster_info", metadata,
    sa.Column("cluster_code", sa.String(16), primary_key=True),
    sa.Column("program", sa.String(16), nullable=False),        # 1269|provincial|national
    sa.Column("designated_year", sa.Integer),
)

cluster_place = sa.Table(
    "cluster_place", metadata,
    sa.Column("cluster_code", sa.String(16), primary_key=True),
    sa.Column("kind", sa.String(8), primary_key=True),          # county|park
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("source", sa.Text),
)

cluster_member = sa.Table(
    "cluster_member", metadata,
    sa.Column("cluster_code", sa.String(16), primary_key=True),
    sa.Column("enterprise_id", sa.BigInteger, primary_key=True),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_to", sa.Date),
    sa.Column("source", sa.Text),
    sa.Column("batch_id", sa.BigInteger, nullable=False),
)

#: catalog tables of this module, replaced with the pack (after ``schema.CATALOG_TABLES``)
CATALOG = ("cluster_info", "cluster_place")
