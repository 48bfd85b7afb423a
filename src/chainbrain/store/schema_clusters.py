"""Cluster membership as data (migration 0018_clusters).

- ``cluster_info``: per cluster of the pack (``cluster``), its programme (``1269`` = the six of the
  "1269" plan, ``provincial`` = a provincial advanced manufacturing cluster, ``national`` = on MIIT's
  national list) and the year it was named. Catalog table, replaced with the pack.
- ``cluster_place``: the counties and parks listed for a cluster besides its cities
  (``cluster_city``). Catalog table, replaced with the pack.
- ``cluster_member``: designated member firms (imported by ``chainbrain clusters import-members``):
  members whatever their segment or place, from ``valid_from`` to ``valid_to`` (inclusive; NULL: open).

- ``cluster_progress``: the annual cluster progress report (集群年度进展报告) of a city for a cluster
  and year — drafted by the city's bureau (a ``city`` user), submitted, then approved or returned by
  the province (:mod:`chainbrain.work.cluster_progress`); ``figures`` is the JSON of the store's
  figures as the drafter saw them when submitting. Ids from ``cluster_progress_id_seq``.

Membership rule: :mod:`chainbrain.analytics.cluster_members`.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import metadata

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

cluster_progress = sa.Table(
    "cluster_progress", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("cluster_code", sa.String(16), nullable=False),
    sa.Column("city_code", sa.String(6), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),          # draft|submitted|returned|approved
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("figures", sa.Text),
    sa.Column("review_note", sa.Text),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False),
    sa.Column("submitted_at", sa.DateTime),
    sa.Column("reviewed_at", sa.DateTime),
    sa.Column("reviewed_by", sa.String(64)),
    sa.UniqueConstraint("cluster_code", "city_code", "year", name="uq_cluster_progress"),
)

#: catalog tables of this module, replaced with the pack (after ``schema.CATALOG_TABLES``)
CATALOG = ("cluster_info", "cluster_place")
