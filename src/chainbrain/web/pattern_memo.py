"""Kept disclosure patterns decoded once per content (#20).

A family's patterns for one viewer are kept as one compressed JSON row
(:mod:`chainbrain.store.patterns`): at province scale 0.1–1.5 MB of JSON each, 73 MB for the 55
rows ``chainbrain compute`` keeps. Decoding a row and turning it into
:class:`~chainbrain.analytics.suppression.Pattern` objects holds the interpreter lock throughout,
and it was done again after every import: the import moves the unchanged rows to the new data
key (:func:`chainbrain.store.patterns.rekey`) and the answer cache starts empty. Under the 50-user
load test that was 15 % of the server's interpreter time (py-spy, 2026-12-07).

:func:`kept` remembers the decoded patterns by the SHA-256 of the row's bytes: the same bytes are
the same patterns whatever data key they are kept under, so the memo can never answer with the
patterns of other data — the row is still read, and only a row kept at the current key is used.
Bounded by the rows' compressed size (:data:`MEMO_BYTES`), least recently used first out.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

#: compressed bytes of kept rows whose decoded patterns are remembered (≈ 6.7 MB at province scale)
MEMO_BYTES = 32 * 2**20

_MEMO: OrderedDict = OrderedDict()          # digest → (compressed size, {label: Pattern})
_LOCK = threading.Lock()
_SIZE = [0]
decoded = [0]                               # rows decoded since start (tests)


def kept(store, family: tuple, viewer: tuple, min_cell: int, key: str) -> dict | None:
    """{label: Pattern} kept for (family, viewer, min_cell) at data key ``key``, else None."""
    from chainbrain.analytics.suppression_periods import from_plain
    from chainbrain.store import patterns

    blob = patterns.load_blob(store, family, viewer, min_cell, key)
    if blob is None:
        return None
    digest = hashlib.sha256(blob).digest()
    with _LOCK:
        got = _MEMO.get(digest)
        if got is not None:
            _MEMO.move_to_end(digest)
            return dict(got[1])
    pats = {label: from_plain(x) for label, x in patterns.decode(blob).items()}
    with _LOCK:
        decoded[0] += 1
        if digest not in _MEMO and len(blob) <= MEMO_BYTES:
            _MEMO[digest] = (len(blob), pats)
            _SIZE[0] += len(blob)
            while _SIZE[0] > MEMO_BYTES:
                _SIZE[0] -= _MEMO.popitem(last=False)[1][0]
    return dict(pats)


def clear() -> None:
    with _LOCK:
        _MEMO.clear()
        _SIZE[0] = 0
