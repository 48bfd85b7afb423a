"""Per-application state: the open store, the analytics lock and deployment settings.

The store is opened once per application. Its DuckDB connection is shared,
and Ibis queries on one connection are not thread-safe, so every analytics
call runs under :attr:`WebState.lock` (endpoints are plain ``def`` functions,
which FastAPI runs in a thread pool). Answers are reused while the store's
data is unchanged (:mod:`chainbrain.web.cache`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from fastapi import Request

from chainbrain.web.cache import ResultCache


def _jobs():
    from chainbrain.web.imports import Jobs
    return Jobs()


def _index():
    from chainbrain.web.search import SearchIndex
    return SearchIndex()


@dataclass
class WebState:
    store: object
    public_aggregates: bool = False
    min_cell: int = 3
    lock: threading.Lock = field(default_factory=threading.Lock)
    cache: ResultCache = field(default_factory=ResultCache)
    secure_cookies: bool = False
    jobs: object = field(default_factory=_jobs)
    search_index: object = field(default_factory=_index)

    def cached(self, key: tuple, compute):
        """``compute()`` under the lock, reusing the answer while the data is unchanged."""
        with self.lock:
            return self.cache.get(self.store, key, compute)


def get_state(request: Request) -> WebState:
    return request.app.state.web
