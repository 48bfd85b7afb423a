"""Ibis compilation remembered per expression, per backend (#20).

Turning an Ibis expression into SQL (``Backend.compile``: rewrites, sqlglot, deep copies) is pure
Python and holds the interpreter lock; at province scale it is ~50–150 ms for the queries of a chain
page, and more than the query itself. Under the 50-user load test it was 12 % of the server's
interpreter time (py-spy, 2026-12-07): the same pages, hence the same expressions, are computed
again after every import. :func:`remember` wraps one backend's ``compile`` with a memo keyed by the
expression's node and the row limit: Ibis nodes are immutable and compared by structure (the tables'
names and schemas and every literal are part of the node), so an equal node is the same SQL text,
which the database runs afresh each time — the memo never holds data, only text. Compilations with
``params`` or ``pretty`` are not remembered. Per backend (the dialect, and the memo goes with the
connection), :data:`SIZE` entries, least recently used first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

#: expressions remembered per backend
SIZE = 1024


def remember(backend):
    """Wrap ``backend.compile`` with the memo (module docstring); returns ``backend``. A miss calls the
    backend class's ``compile`` as it is at that moment (a patched class method is seen)."""
    def original(expr, **kwargs):
        return type(backend).compile(backend, expr, **kwargs)
    memo: OrderedDict = OrderedDict()
    lock = threading.Lock()

    def compile(expr, /, *, limit=None, params=None, pretty=False, **kwargs):
        if params or pretty or kwargs:
            return original(expr, limit=limit, params=params, pretty=pretty, **kwargs)
        key = (expr.op(), limit)
        with lock:
            sql = memo.get(key)
            if sql is not None:
                memo.move_to_end(key)
                return sql
        sql = original(expr, limit=limit)
        with lock:
            memo[key] = sql
            while len(memo) > SIZE:
                memo.popitem(last=False)
        return sql

    compile.memo = memo                     # tests
    backend.compile = compile
    return backend
