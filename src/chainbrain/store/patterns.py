"""Keep and find published disclosure patterns (table ``disclosure_pattern``,
:mod:`chainbrain.store.schema_disclosure`).

A pattern is plain data here — label → {field: value}, cell keys as lists — compressed JSON; the
analytics turn it into :class:`~chainbrain.analytics.suppression.Pattern`
(:func:`chainbrain.analytics.suppression_periods.to_plain` / ``from_plain``). :func:`data_key` is
the digest of the store's data (:mod:`chainbrain.store.content`): a kept pattern is used only while
it matches.
"""

from __future__ import annotations

import datetime as dt
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


#: the entries of a kept row holding the digest of the patterns' joint universe
#: (:mod:`chainbrain.analytics.suppression_digest`) and the key of the rows it was built from
#: (:mod:`chainbrain.analytics.suppression_inputs`) — not period labels
DIGEST = "_inputs_digest"
INPUTS = "_inputs_key"


def data_key(store) -> str:
    """The digest of the data the figures are computed from (:func:`chainbrain.store.content.data_key`):
    the same while the data stay the same, whatever was imported or written meanwhile."""
    from chainbrain.store.content import data_key as key

    return key(store)


def _viewer(key: tuple) -> str:
    return json.dumps(list(key), ensure_ascii=False)


def load(store, family: tuple, viewer: tuple, min_cell: int, key: str) -> dict | None:
    """The kept patterns (label → plain pattern) of ``family`` for ``viewer``, if computed at data
    key ``key``; None otherwise (or when the store has no such table: an old schema)."""
    blob = load_blob(store, family, viewer, min_cell, key)
    return None if blob is None else decode(blob)


def load_blob(store, family: tuple, viewer: tuple, min_cell: int, key: str) -> bytes | None:
    """:func:`load`'s row as kept (compressed JSON), undecoded: the same bytes are the same patterns
    whatever data key they are kept under (web/pattern_memo.py decodes each once)."""
    try:
        with store.engine.connect() as conn:
            row = conn.execute(sa.select(T.c.data_key, T.c.patterns).where(
                T.c.family == ",".join(family), T.c.viewer == _viewer(viewer), T.c.min_cell == int(min_cell))).first()
    except sa.exc.DBAPIError:
        return None
    if row is None or row.data_key != key:
        return None
    return bytes(row.patterns)


def decode(blob: bytes) -> dict:
    """label → plain pattern of a kept row's bytes (:func:`load_blob`)."""
    out = json.loads(zlib.decompress(blob))
    out.pop(DIGEST, None)
    out.pop(INPUTS, None)
    return out


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


def _blob(patterns: dict) -> bytes:
    return zlib.compress(json.dumps(patterns, ensure_ascii=False, separators=(",", ":")).encode(), 6)


def save(store, family: tuple, viewer: tuple, min_cell: int, key: str, patterns: dict,
         digest: str | None = None, inputs: str | None = None) -> None:
    """Keep ``patterns`` (label → plain pattern), replacing what was kept for the same family,
    viewer and minimum cell size (one transaction); ``digest``: of their joint universe, ``inputs``:
    the key of the rows it was built from (:func:`rekey`)."""
    if digest is not None:
        patterns = {**patterns, DIGEST: digest}
    if inputs is not None:
        patterns = {**patterns, INPUTS: inputs}
    blob = _blob(patterns)
    where = sa.and_(T.c.family == ",".join(family), T.c.viewer == _viewer(viewer), T.c.min_cell == int(min_cell))
    with store.engine.begin() as conn:
        conn.execute(sa.delete(T).where(where))
        conn.execute(sa.insert(T).values(family=",".join(family), viewer=_viewer(viewer), min_cell=int(min_cell),
                                         data_key=key, patterns=blob, computed_at=dt.datetime.now()))


def _entry(raw: bytes, name: str) -> str | None:
    """The string value of the top-level entry ``name`` (:data:`DIGEST`, :data:`INPUTS`: hex digests, written
    after the patterns by :func:`save`) of a kept row's JSON, found without parsing the rest (up to 1.6 MB
    at province scale: 25–60 ms, and many times that under load, for every pattern moved after a change).
    ``"name":"`` cannot occur inside a JSON string (its quotes would be escaped), so the last occurrence is
    the entry. None when absent."""
    mark = b'"' + name.encode() + b'":"'
    at = raw.rfind(mark)
    if at < 0:
        return None
    start = at + len(mark)
    end = raw.find(b'"', start)
    return raw[start:end].decode() if end > start else None


def rekey(store, family: tuple, viewer: tuple, min_cell: int, old: str, new: str, digest: str | None = None,
          inputs: str | None = None) -> bool:
    """Move the patterns kept for (family, viewer, min_cell) from data key ``old`` to ``new`` when they
    were computed from the same rows (``inputs``, :mod:`chainbrain.analytics.suppression_inputs`) or
    from a joint universe of digest ``digest`` (:mod:`chainbrain.analytics.suppression_digest`), both
    kept in the same row by :func:`save`; True when moved. Moved by the digest, the row keeps the new
    ``inputs`` (the next import that leaves those rows alone moves it without the universe). One
    transaction."""
    where = sa.and_(T.c.family == ",".join(family), T.c.viewer == _viewer(viewer), T.c.min_cell == int(min_cell),
                    T.c.data_key == old)
    with store.engine.begin() as conn:
        row = conn.execute(sa.select(T.c.patterns).where(where)).first()
        if row is None:
            return False
        raw = zlib.decompress(bytes(row.patterns))
        same_rows = inputs is not None and _entry(raw, INPUTS) == inputs
        values = {"data_key": new}
        if not same_rows:
            kept = json.loads(raw)
            if digest is None or kept.get(DIGEST) != digest:
                return False
            if inputs is not None:
                values["patterns"] = _blob({**kept, INPUTS: inputs})
        conn.execute(sa.update(T).where(where).values(**values))
    return True


__all__ = ["data_key", "decode", "load", "load_any", "load_blob", "rekey", "save"]
