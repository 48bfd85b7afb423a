"""Analytics queries PostgreSQL plans well: each ``WITH`` step becomes an analyzed temporary table.

The analytics compile to one ``WITH a AS (…), b AS (…) SELECT …`` statement per
request (Ibis/SQLGlot). PostgreSQL estimates the rows of grouped and joined
intermediate results from column statistics it does not have for them (often
1 row), picks nested loops and then runs in time quadratic in the data: the
province KPI did not finish in 10 minutes. DuckDB needs nothing of this.

:class:`PlannedCursor` (the cursor class of ChainBrain's analytics connection)
runs such a statement as its steps, in one transaction (a savepoint inside an
open one)::

    CREATE TEMP TABLE a AS (…);  ANALYZE a;     -- real row counts and value statistics
    CREATE TEMP TABLE b AS (…);  ANALYZE b;     -- b may read a
    SELECT …                                     -- the final query over a, b
    COMMIT                                       -- the temporary tables go (ON COMMIT DROP)

so every join above a step is planned from the step's true size and
distribution (hash joins where they belong), without any planner switch. The
results are identical (same SQL, evaluated step by step); statements without
``WITH`` or with a single step run as they are.

A step that only filters and projects one stored table (e.g. a read of a
membership snapshot, :mod:`chainbrain.store.snapshots`) is not materialized: the
planner estimates it from the table's own statistics, so it stays a common table
expression in front of the steps and the final query that come after it —
copying it into a temporary table would cost more than it saves. Every other
step (joins, anti joins, groupings, aggregates, windows, DISTINCT) is. The split of a statement is
kept (LRU) so a repeated request parses nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import psycopg

#: statements whose split is kept (SQL text → (steps, final query) or None)
_SPLITS: OrderedDict = OrderedDict()
_SPLITS_SIZE = 256
_LOCK = threading.Lock()
#: histogram / most-common-values size of the steps' statistics: row counts and distinct counts are
#: what the plans need; 10 costs ~15 ms per ANALYZE where the default 100 cost ~120 ms (province cockpit:
#: 102 steps, 1.4 s instead of 12.4 s) and planned the final queries as well
STATISTICS_TARGET = 10


def _needs_stats(body) -> bool:
    """Whether a step is materialized: anything but a filter / projection of one stored table."""
    import sqlglot

    e = sqlglot.exp
    if len(list(body.find_all(e.Table))) != 1:
        return True
    return any(True for _ in body.find_all(e.Join, e.Exists, e.Subquery, e.Group, e.AggFunc, e.Window, e.Distinct,
                                           e.Union))


def split(sql: str) -> tuple[list[tuple[str, str, bool]], str] | None:
    """``([(step name, step query, materialize), …], final query)`` of a ``WITH`` statement of two or
    more steps, else None (run as it is)."""
    head = sql.lstrip()[:4].upper()
    if head != "WITH":
        return None
    with _LOCK:
        if sql in _SPLITS:
            _SPLITS.move_to_end(sql)
            return _SPLITS[sql]
    import sqlglot

    try:
        tree = sqlglot.parse_one(sql, read="postgres")
    except Exception:                        # not ours to plan: let PostgreSQL parse it
        tree = None
    out = None
    if tree is not None and isinstance(tree, (sqlglot.exp.Select, sqlglot.exp.SetOperation)):   # … UNION ALL …
        with_ = tree.args.get("with_") or tree.args.get("with")
        ctes = list(with_.expressions) if with_ is not None else []
        if len(ctes) >= 2 and not getattr(with_, "recursive", False) and not with_.args.get("recursive"):
            steps = [(c.alias, c.this.sql("postgres"), _needs_stats(c.this)) for c in ctes]
            final = tree.copy()
            final.set("with_" if "with_" in tree.args else "with", None)
            out = (steps, final.sql("postgres"))
    with _LOCK:
        _SPLITS[sql] = out
        while len(_SPLITS) > _SPLITS_SIZE:
            _SPLITS.popitem(last=False)
    return out


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PlannedCursor(psycopg.Cursor):
    """A psycopg cursor that runs multi-step ``WITH`` statements as analyzed temporary tables
    (module docstring). Parameters of such statements are not supported (the analytics compile
    their values into the SQL); a statement with parameters runs as it is."""

    def execute(self, query, params=None, **kwargs):
        plan = split(query) if isinstance(query, str) and params is None else None
        if plan is None:
            return super().execute(query, params, **kwargs)
        steps, final = plan
        inline: list[str] = []                          # steps kept as CTEs (module docstring)

        def with_inline(body: str) -> str:
            if not inline:
                return body
            return f"WITH {', '.join(inline)} SELECT * FROM ({body}) AS \"_cb_step\""

        with self.connection.transaction():             # a savepoint inside an open transaction
            super().execute(f"SET LOCAL default_statistics_target = {STATISTICS_TARGET}")
            for name, body, materialize in steps:
                q = _quote(name)
                if not materialize:
                    inline.append(f"{q} AS ({body})")
                    continue
                super().execute(f"DROP TABLE IF EXISTS pg_temp.{q}")
                super().execute(f"CREATE TEMP TABLE {q} ON COMMIT DROP AS {with_inline(body)}")
                super().execute(f"ANALYZE {q}")
            return super().execute(with_inline(final), **kwargs)   # rows stay with the cursor after COMMIT
