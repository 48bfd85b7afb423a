"""A digest of everything a viewer's suppression pattern is computed from (issue #20).

A family's patterns for a viewer (:func:`chainbrain.analytics.suppression_periods.patterns_of_joint`)
are a function of the family's joint universe (its cells, their enterprises and values, the
relations in their order, the revised enterprises, the parts and the target base year), the
enterprises the viewer sees individually and the minimum cell size — nothing else. Equal digests
therefore mean equal patterns (values compared to the fen, :func:`_cost`): after an
import that leaves a family's universe as it was (e.g. three enterprises re-imported as they are),
the patterns kept before can be moved to the new data key instead of solved again (tens of seconds per viewer and family at province scale). Any
difference — one enterprise moved, one value revised — changes the digest (SHA-256). The values are
only the solve's costs (``suppression.py`` / ``suppression_audit.py`` pick the cheapest cell to
withhold by them), not what makes a pattern safe.
"""

from __future__ import annotations

import hashlib

import numpy as np


def ids_bytes(ids) -> bytes:
    """The enterprise ids ``ids`` as sorted 64-bit integers (what the digests hash)."""
    a = np.fromiter((int(x) for x in ids), dtype=np.int64, count=len(ids))
    a.sort()
    return a.tobytes()


def _cost(v):
    """A cell's value rounded to the fen: the values are sums of amounts in fen that the engine adds
    in no fixed order, so two computations on the same data differ in the last bits (measured on
    PostgreSQL: 24,095 of a province family's cells, all far below half a fen)."""
    return None if v is None else repr(round(float(v), 2))


def digest(u, visible, min_cell: int) -> str:
    """SHA-256 (hex) of joint universe ``u`` (a linked :class:`~chainbrain.analytics.suppression_cells.Universe`),
    the viewer's ``visible`` enterprises (None: all) and ``min_cell``."""
    import chainbrain

    h = hashlib.sha256()
    h.update(repr((chainbrain.__version__, u.period, u.base_year, int(min_cell))).encode())
    h.update(b"visible:" + (b"all" if visible is None else ids_bytes(visible)))
    for cell in sorted(set(u.sets) | set(u.values), key=repr):
        h.update(repr((cell, _cost(u.values.get(cell)))).encode())
        h.update(ids_bytes(u.sets.get(cell, ())))
    for r in u.relations:                          # in their order: the solve reads them in order
        h.update(repr((r.parent, r.children)).encode())
        h.update(ids_bytes(r.residual))
    h.update(b"revised:" + ids_bytes(u.revised))
    for label in sorted(u.revised_by):
        h.update(repr(label).encode() + ids_bytes(u.revised_by[label]))
    for label in sorted(u.parts):
        h.update(repr((label, u.parts[label])).encode())
    return h.hexdigest()


__all__ = ["digest", "ids_bytes"]
