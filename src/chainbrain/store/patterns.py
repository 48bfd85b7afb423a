"""Keep and find published disclosure patterns (table ``disclosure_pattern``,
:mod:`chainbrain.store.schema_disclosure`).

A pattern is plain data here — label → {field: value}, cell keys as lists — compressed JSON; the
analytics turn it into :class:`~chainbrain.analytics.suppression.Pattern`
(:func:`chainbrain.analytics.suppression_periods.to_plain` / ``from_plain``). :func:`data_key` is
the digest of the store's data counters (the same counters as the web's data version, without the
computed tables): a kept pattern is used only while it matches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib

import sqlalchemy as sa

from chainbrain.store.schema_disclosure import disclosure_pattern as T

DATA_SQL = """
SELECT (SELECT COUNT(*) FROM monthly_report), (SELECT COUNT(*) FROM enterprise_attr),
       (SELECT COUNT(*) FROM enterprise_segment), (SELECT COUNT(*) FROM enterprise),
       (SELECT COUNT(*) FROM target), (SELECT MAX(id) FROM import_batch), (SELECT COUNT(*) FROM import_batch),
       (SELECT MAX(loaded_at) FROM pack_meta), (SELECT COUNT(*) FROM designation),
       (SELECT COUNT(*) FROM annual_report), (SELECT COUNT(*) FROM segment_override),
       (SELECT COUNT(*) FROM supply_link), (SELECT COUNT(*) FROM enterprise_scale)
"""


def data_key(store) -> str:
    """SHA-256 (hex) of the data counters: changes with every import, correction and pack load."""
    with store.engine.connect() as conn:
        row = tuple(conn.execute(sa.text(DATA_SQL)).one())
    return hashlib.sha256(repr(tuple(str(x) for x in row)).encode()).hexdigest()


def _viewer(key: tuple) -> str:
    return json.dumps(list(key), ensure_ascii=False)


def load(store, family: tuple, viewer: tuple, min_cell: int, key: str) -> dict | None:
    """The kept patterns (label → plain pattern) of ``family`` for ``viewer``, if computed at data
    key ``key``; None otherwise (or when the store has no such table: an old schema)."""
    try:
        with store.engine.connect() as conn:
            row = conn.execute(sa.select(T.c.data_key, T.c.patterns).where(
                T.c.family == ",".join(family), T.c.viewer == _viewer(viewer), T.c.min_cell == int(min_cell))).first()
    except sa.exc.DBAPIError:
        return None
    if row is None or row.data_key != key:
        return None
    return json.loads(zlib.decompress(bytes(row.patterns)))


def load_any(store, family: tuple, viewer: tuple, min_cell: int) -> tuple[str, dict] | None:
    """``(data key, patterns)`` kept for (family, viewer, min_cell) whatever the key; None if none.
    Only to compare with the current data (:func:`rekey`), never to serve."""
    try:
        with store.engine.connect() as conn:
            row = conn.execute(sa.select(T.c.data_key).where(
                T.c.family == ",".join(family), T.c.viewer == _viewer(viewer), T.c.min_cell == int(min_cell))).first()
    except sa.exc.DBAPIError:
        return None
    return None if row is None else (row.data_key, {})


def save(store, family: tuple, viewer: tuple, min_cell: int, key: str, patterns: dict) -> None:
    """Keep ``patterns`` (label → plain pattern), replacing what was kept for the same family,
    viewer and minimum cell size (one transaction)."""
    blob = zlib.compress(json.dumps(patterns, ensure_ascii=False, separators=(",", ":")).encode(), 6)
    where = sa.and_(T.c.family == ",".join(family), T.c.viewer == _viewer(viewer), T.c.min_cell == int(min_cell))
    with store.engine.begin() as conn:
        conn.execute(sa.delete(T).where(where))
        conn.execute(sa.insert(T).values(family=",".join(family), viewer=_viewer(viewer), min_cell=int(min_cell),
                                         data_key=key, patterns=blob, computed_at=dt.datetime.now()))


def rekey(store, family: tuple, viewer: tuple, min_cell: int, old: str, new: str, digest: str) -> bool:
    """Move the patterns kept for (family, viewer, min_cell) from data key ``old`` to ``new`` when they
    were computed from inputs of digest ``digest`` (:mod:`chainbrain.analytics.suppression_digest`,
    kept beside them by :func:`save_digest`); True when moved. One transaction."""
    from chainbrain.store import figures

    name = _digest_name(family, viewer, min_cell)
    kept = figures.load_any(store, name)
    if kept is None or kept[0] != old or kept[1] != digest:
        return False
    where = sa.and_(T.c.family == ",".join(family), T.c.viewer == _viewer(viewer), T.c.min_cell == int(min_cell),
                    T.c.data_key == old)
    with store.engine.begin() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(T).where(where)).scalar() != 1:
            return False
        conn.execute(sa.update(T).where(where).values(data_key=new))
        conn.execute(sa.update(figures.T).where(figures.T.c.name == figures._name(name),
                                                figures.T.c.data_key == old).values(data_key=new))
    return True


def _digest_name(family: tuple, viewer: tuple, min_cell: int) -> tuple:
    import chainbrain

    return (chainbrain.__version__, "pattern digest", ",".join(family), _viewer(viewer), int(min_cell))


def save_digest(store, family: tuple, viewer: tuple, min_cell: int, key: str, digest: str) -> None:
    """Keep the digest of the inputs of the patterns just saved at data key ``key``."""
    from chainbrain.store import figures

    figures.save(store, _digest_name(family, viewer, min_cell), key, digest)


__all__ = ["data_key", "load", "rekey", "save", "save_digest"]
