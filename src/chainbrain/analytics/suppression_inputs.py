"""What a month family's suppression universe is read from, fingerprinted in the database (issue #20).

A family's joint universe (:func:`chainbrain.analytics.suppression_periods.joint`) is built from
these rows and columns only (:data:`SOURCES`):

- ``monthly_report`` rows of the family's month — enterprise, year, month, revision, revenue and
  its reported 上年同期 (the samples and their values, the revised enterprises, the base year's
  sample, and :func:`~chainbrain.analytics.suppression_periods.family` itself: the years with
  reports for the month);
- ``enterprise_attr`` rows of ``region_code`` and ``industry_code`` (where and in which class each
  enterprise is on a date), ``industry`` (code → section: the industry scope), ``region`` (cities,
  counties: the relations);
- ``enterprise_segment``, ``segment``, ``segment_chain`` (chains and segments on a date);
- ``target`` (the growth target's base year).

The fingerprint is, per source, the row count, the XOR and the sum of a 64-bit hash of each row
(:func:`chainbrain.store.content.fingerprint_sql`) — one statement, a fraction of a second at
province scale, where building the universe takes ≈ 9 s alone and 15–35 s under load. Equal
:func:`key` (same fingerprint, family, viewer, minimum cell size and ChainBrain version) means
equal universes and therefore equal patterns, so the patterns kept before an import that touched
none of these (an enterprise's employee count, another month's reports) move to the new data key
without the universe being built. A column the universe reads and this list missed would move a
pattern that is no longer right: ``tests/test_suppression_inputs.py`` changes every column of
every table of the tiny demo in turn and checks that whenever a family's universe changes, so
does its fingerprint. A change the fingerprint sees but the universe does not (a revision with the
same value) costs only the build: the universe's own digest
(:mod:`chainbrain.analytics.suppression_digest`) still carries the patterns then.
"""

from __future__ import annotations

import hashlib

#: (table, columns, rows): the rows and columns a family's universe reads; ``{month}`` is the family's month
SOURCES = (
    ("monthly_report", "enterprise_id, year, month, revision, revenue_ytd, revenue_ytd_prev", "month = {month}"),
    ("enterprise_attr", "enterprise_id, attr, attr_value, revision, valid_from, valid_to",
     "attr IN ('region_code', 'industry_code')"),
    ("industry", "code, section", None),
    ("region", "code, level, prefecture_code", None),
    ("enterprise_segment", "enterprise_id, segment_code, revision, valid_from, valid_to", None),
    ("segment", "code, level, parent_code", None),
    ("segment_chain", "segment_code, chain_code", None),
    ("target", "*", None),
)


def sources(month: int) -> list[str]:
    """One sub-select per :data:`SOURCES` entry for a family of ``month`` (1–12)."""
    from chainbrain.store.content import sub_selects

    month = int(month)
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1–12, not {month} (月份须为 1–12)")
    return sub_selects(SOURCES, month=month)


def fingerprint(store, month: int) -> str | None:
    """The fingerprint of what the universes of ``month``'s family are built from (one statement,
    :func:`chainbrain.store.content.sources_key`); None on an engine without row hashes."""
    from chainbrain.store.content import sources_key

    return sources_key(store, sources(month))


def key(parts, family: tuple, visible, min_cell: int) -> str:
    """SHA-256 (hex) of a :func:`fingerprint`, the family's labels, the viewer's ``visible``
    enterprises (None: all) and ``min_cell`` — what a viewer's patterns of the family are a function of."""
    import chainbrain
    from chainbrain.analytics.suppression_digest import ids_bytes

    h = hashlib.sha256()
    h.update(repr((chainbrain.__version__, tuple(family), int(min_cell), parts)).encode())
    h.update(b"visible:" + (b"all" if visible is None else ids_bytes(visible)))
    return h.hexdigest()


__all__ = ["SOURCES", "fingerprint", "key", "sources"]
