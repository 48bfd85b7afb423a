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


def forget(store) -> int:
    """Delete every kept figure (benchmarks, tests); how many rows were deleted."""
    with store.engine.begin() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(T)).scalar()
        conn.execute(sa.delete(T))
    return int(n)


__all__ = ["forget", "load", "plain", "same", "save"]
