"""Map many registry rows at once: each distinct firm once, with progress.

``map_rows`` maps each distinct row once and returns one compact result per row (``chainmap.Kept``,
shared by equal rows); the import keeps them with its rows and writes new firms' mappings from them.
``map_all`` fills the import memo of ``chainmap.map_firm`` so that the validation step and the
segment step of an import reuse one result per row, kept compact (``chainmap.Kept``: the stored
fields only — a full result per firm would not fit a 1 M-row import in memory). Rows are deduplicated by the memo key
(name, type, capital, scope, …) and mapped in chunks of ``CHUNK``; progress is reported per
chunk as stage ``map``.

One process: forked workers were tried and were slower on this machine (2 shared cores) —
unpickling a mapped firm (~0.22 ms) costs about as much as mapping it (~0.27 ms).
"""

from __future__ import annotations

from chainbrain.ingest import chainmap

CHUNK = 5000


def map_all(rows: list[tuple], step=None) -> int:
    """Map ``rows`` of (name, entity_type, capital_yuan, scope, products, industry_code) into the
    import memo; returns how many distinct firms were mapped."""
    step = step or (lambda stage, done=None, total=None: None)
    memo = chainmap._MEMO
    todo = list(dict.fromkeys(k for k in (chainmap._key(*r) for r in rows) if k not in memo))
    n = len(todo)
    step("map", 0, n)
    for i in range(0, n, CHUNK):
        for k in todo[i:i + CHUNK]:
            memo[k] = chainmap.Kept(chainmap._map_firm(*k, None))
        step("map", min(n, i + CHUNK), n)
    return n


def map_rows(rows: list[tuple], step=None) -> list:
    """``chainmap.Kept`` of each row of (name, entity_type, capital_yuan, scope, products, industry_code):
    each distinct row mapped once (in chunks of ``CHUNK``, progress as :func:`map_all` reports it) and
    equal rows sharing one result; the import memo is not filled (see :func:`remember_rows`)."""
    step = step or (lambda stage, done=None, total=None: None)
    first: dict[tuple, int] = {}
    at = [first.setdefault(chainmap._key(*r), len(first)) for r in rows]
    todo = list(first)
    del first
    n = len(todo)
    out: list = [None] * n
    step("map", 0, n)
    for i in range(0, n, CHUNK):
        for j in range(i, min(n, i + CHUNK)):
            out[j] = chainmap.Kept(chainmap._map_firm(*todo[j], None))
            todo[j] = None                              # the key's strings are not kept
        step("map", min(n, i + CHUNK), n)
    return [out[j] for j in at]


def remember_rows(rows, kept) -> None:
    """Put the results ``kept`` of ``rows`` into the import memo, where ``mapping.compute`` finds them."""
    for r, k in zip(rows, kept):
        chainmap._MEMO[chainmap._key(*r)] = k
