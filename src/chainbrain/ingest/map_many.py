"""Map many registry rows at once: each distinct firm once, over worker processes.

``map_all`` fills the import memo of ``chainmap.map_firm`` so that the validation step and the
segment step of an import reuse one result per row. Rows are deduplicated by the memo key
(name, type, capital, scope, …); with ``WORKERS_MIN_ROWS`` rows or more the distinct rows are
split into chunks of ``CHUNK`` mapped in forked worker processes (one per core, at most
``MAX_WORKERS``), which inherit the loaded model, catalog and text indexes; progress is reported
per chunk as stage ``map``.
"""

from __future__ import annotations

import os

from chainbrain.ingest import chainmap

CHUNK = 2000
WORKERS_MIN_ROWS = 20_000
MAX_WORKERS = 4


def _work(chunk: list[tuple]) -> list:
    return [chainmap._map_firm(*k, None) for k in chunk]


def workers() -> int:
    env = os.environ.get("CHAINBRAIN_MAP_WORKERS")
    if env:
        return max(1, int(env))
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def map_all(rows: list[tuple], step=None) -> None:
    """Map ``rows`` of (name, entity_type, capital_yuan, scope, products, industry_code) into the memo."""
    step = step or (lambda stage, done=None, total=None: None)
    memo = chainmap._MEMO
    todo = list(dict.fromkeys(k for k in (chainmap._key(*r) for r in rows) if k not in memo))
    n, k = len(todo), workers()
    step("map", 0, n)
    if not todo:
        return
    chainmap._map_firm(*todo[0], None)                      # load model and indexes before forking
    chunks = [todo[i:i + CHUNK] for i in range(0, n, CHUNK)]
    done = 0
    if k > 1 and n >= WORKERS_MIN_ROWS:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(k) as pool:
            for chunk, out in zip(chunks, pool.imap(_work, chunks)):
                memo.update(zip(chunk, out))
                done += len(chunk)
                step("map", done, n)
        return
    for chunk in chunks:
        memo.update(zip(chunk, _work(chunk)))
        done += len(chunk)
        step("map", done, n)
