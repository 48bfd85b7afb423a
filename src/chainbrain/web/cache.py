"""A small cache of analytics results, dropped whenever the store's data changes.

Figures change only when data is written, so the cockpit keeps the answers
it has assembled and reuses them while the store's *data version* — row
counts of the fact tables and the newest import batch — stays the same.
Building one cockpit costs about a second, mostly Ibis compiling
expressions, whatever the data size; a cached one costs one cheap query.
Callers hold the application's lock, so no locking here.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Callable

import sqlalchemy as sa

VERSION_SQL = """
SELECT (SELECT COUNT(*) FROM monthly_report), (SELECT COUNT(*) FROM enterprise_attr),
       (SELECT COUNT(*) FROM enterprise_segment), (SELECT COUNT(*) FROM enterprise),
       (SELECT COUNT(*) FROM target), (SELECT MAX(id) FROM import_batch), (SELECT COUNT(*) FROM import_batch),
       (SELECT MAX(loaded_at) FROM pack_meta)
"""


def data_version(store) -> tuple:
    with store.engine.connect() as conn:
        return tuple(conn.execute(sa.text(VERSION_SQL)).one())


class ResultCache:
    """Least-recently-used answers keyed by request parameters, valid for one data version."""

    def __init__(self, size: int = 256):
        self.size = size
        self.version: tuple | None = None
        self.items: OrderedDict = OrderedDict()

    def get(self, store, key: tuple, compute: Callable[[], object]):
        version = data_version(store)
        if version != self.version:
            self.items.clear()
            self.version = version
        if key not in self.items:
            self.items[key] = compute()
            if len(self.items) > self.size:
                self.items.popitem(last=False)
        self.items.move_to_end(key)
        return copy.deepcopy(self.items[key])       # callers may change what they get
