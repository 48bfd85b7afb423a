"""Published disclosure patterns kept between runs (migration 0015_disclosure_patterns).

``disclosure_pattern``: one row per linked family of a month (the labels of its periods, e.g.
``2021-10,…,2026-10``), viewer scope (the JSON of ``web.policy.disclosure_key``) and minimum cell
size — the cells withheld from that viewer in every period of the family, zlib-compressed JSON
(:mod:`chainbrain.store.patterns`), with the data key they were computed at (a digest of the
store's data counters: a pattern of other data is never used) and when. Written by
``chainbrain compute`` and by the first request that computes one; the audit that makes a pattern
costs tens of seconds at province scale (docs/web.md, "Disclosure").
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import metadata

disclosure_pattern = sa.Table(
    "disclosure_pattern", metadata,
    sa.Column("family", sa.String(400), primary_key=True),
    sa.Column("viewer", sa.String(200), primary_key=True),
    sa.Column("min_cell", sa.Integer, primary_key=True),
    sa.Column("data_key", sa.String(64), nullable=False),
    sa.Column("patterns", sa.LargeBinary, nullable=False),
    sa.Column("computed_at", sa.DateTime, nullable=False),
)

# Cockpit figures kept between runs (migration 0025_cockpit_figures): the analytics results the
# cockpit shows before disclosure control — one row per figure (its name: what, period, region,
# scope), plain data as zlib-compressed JSON, with the data key it was computed at
# (:mod:`chainbrain.store.figures`). Written by ``chainbrain compute`` and by the first request
# (or the server's warm-up after an import) that computes the default period's cockpit.
cockpit_figure = sa.Table(
    "cockpit_figure", metadata,
    sa.Column("name", sa.String(400), primary_key=True),
    sa.Column("data_key", sa.String(64), nullable=False),
    sa.Column("figures", sa.LargeBinary, nullable=False),
    sa.Column("computed_at", sa.DateTime, nullable=False),
)
