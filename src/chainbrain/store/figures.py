"""Keep and find the cockpit's figures (table ``cockpit_figure``, :mod:`chainbrain.store.schema_disclosure`).

A figure is plain data — dicts, lists, strings, numbers, booleans, None — kept as compressed JSON
under a name (a tuple of strings and None: what, period, region, scope, …) with the data key it
was computed at (:func:`chainbrain.store.patterns.data_key`): it is found only while the key
matches. Floats round-trip exactly (JSON writes the shortest repr); values that JSON would change
(tuples, NumPy integers, dates) are refused by :func:`plain`, so what is found is what was computed.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import zlib

import sqlalchemy as sa

from chainbrain.store.schema_disclosure import cockpit_figure as T

def plain(value) -> bool:
    """Whether ``value`` comes back from JSON equal and of the same types (NaN counts as equal)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    # a float subclass (NumPy's float64) is written as its float: the same value comes back
    return type(value) in (str, int, bool, type(None)) or isinstance(value, float)


def same(a, b) -> bool:
    """``a == b`` with NaN equal to NaN (a figure may be NaN: a growth rate without a base)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return type(a) is type(b) and a == b


def _name(name: tuple) -> str:
    return json.dumps(list(name), ensure_ascii=False, separators=(",", ":"))


def load(store, name: tuple, key: str):
    """The figure kept as ``name`` if computed at data key ``key``; None otherwise (or without the table)."""
    try:
        with store.engine.connect() as conn:
            row = conn.execute(sa.select(T.c.data_key, T.c.figures).where(T.c.name == _name(name))).first()
    except sa.exc.DBAPIError:
        return None
    if row is None or row.data_key != key:
        return None
    return json.loads(zlib.decompress(bytes(row.figures)))


def load_any(store, name: tuple) -> tuple[str, object] | None:
    """``(data key, value)`` of the figure kept as ``name`` whatever its key; None if none (or no table).
    Only for comparing with the current data (:mod:`chainbrain.analytics.kpi_rekey`), never to serve."""
    try:
        with store.engine.connect() as conn:
            row = conn.execute(sa.select(T.c.data_key, T.c.figures).where(T.c.name == _name(name))).first()
    except sa.exc.DBAPIError:
        return None
    return None if row is None else (row.data_key, json.loads(zlib.decompress(bytes(row.figures))))


def key_of(store, name: tuple) -> str | None:
    """The data key the figure ``name`` was kept at, or None (not kept)."""
    with store.engine.connect() as conn:
        return conn.execute(sa.select(T.c.data_key).where(T.c.name == _name(name))).scalar()


def save(store, name: tuple, key: str, value) -> bool:
    """Keep ``value`` as ``name`` at data key ``key`` (replacing what was kept); False when ``value``
    is not :func:`plain` (nothing kept)."""
    if not plain(value):
        return False
    blob = zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), 6)
    with store.engine.begin() as conn:
        conn.execute(sa.delete(T).where(T.c.name == _name(name)))
        conn.execute(sa.insert(T).values(name=_name(name), data_key=key, figures=blob, computed_at=dt.datetime.now()))
    return True


def save_many(store, figures: dict, key: str, replace: tuple[str, ...] = ()) -> int:
    """Keep every ``{name: value}`` of ``figures`` at data key ``key`` in ONE transaction (the stored
    figures of every period, :mod:`chainbrain.analytics.kpi_stored`): first the rows whose name starts
    with one of the ``replace`` prefixes (a name tuple's head, e.g. ``(version, "kpi")``) and those
    named in ``figures`` are deleted, then all are bulk-inserted. Values must be :func:`plain`
    (ValueError otherwise: nothing is written). How many were kept."""
    bad = [n for n, v in figures.items() if not plain(v)]
    if bad:
        raise ValueError(f"figure {bad[0]} is not plain data (不是纯数据，无法保存)")
    now = dt.datetime.now()
    rows = [{"name": _name(n), "data_key": key, "computed_at": now,
             "figures": zlib.compress(json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode(), 6)}
            for n, v in figures.items()]
    with store.engine.begin() as conn:
        for head in replace:                      # '["0.1.0","kpi"' matches '["0.1.0","kpi",…' only
            conn.execute(sa.delete(T).where(T.c.name.startswith(_name(head)[:-1] + ",", autoescape=True)))
        names = [r["name"] for r in rows]
        for i in range(0, len(names), 1000):
            conn.execute(sa.delete(T).where(T.c.name.in_(names[i:i + 1000])))
        if not rows:
            return 0
        if store.kind == "duckdb":
            import pyarrow as pa

            store.bulk_insert(conn, T.name, pa.Table.from_pylist(rows, schema=pa.schema([
                ("name", pa.string()), ("data_key", pa.string()), ("computed_at", pa.timestamp("us")),
                ("figures", pa.binary())])))
        else:
            conn.execute(sa.insert(T), rows)
    return len(rows)


def forget(store) -> int:
    """Delete every kept figure (benchmarks, tests); how many rows were deleted."""
    with store.engine.begin() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(T)).scalar()
        conn.execute(sa.delete(T))
    return int(n)


__all__ = ["forget", "key_of", "load", "load_any", "plain", "same", "save", "save_many"]
