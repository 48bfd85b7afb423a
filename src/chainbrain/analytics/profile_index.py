"""Every enterprise's profile rows in memory, by enterprise id (the index behind 企业画像 pages).

Why: DuckDB keeps tables by column in compressed row groups. A point lookup
of one enterprise's rows costs 0.4–2 ms per table even through its ART
indexes (each matching row is fetched from every compressed column), and a
profile reads nine parts; under load, those milliseconds of database work
compete with every other request for the cores. The index reads each part's
table once — every revision, the fields of
:data:`chainbrain.analytics.profile.PARTS`, through the same SQL expressions
— sorted by enterprise id into Arrow tables; one enterprise's rows are then
the slice that a binary search on the sorted ids finds (``numpy.searchsorted``),
a few microseconds. The enterprise table is kept too (identity, USCC → id,
the partners' USCC and name).

Contract: :meth:`ProfileIndex.fetch` returns what :func:`~chainbrain.analytics.profile.fetch`
returns (same rows, fields and Python types), :meth:`ProfileIndex.enterprise`
what :func:`~chainbrain.analytics.profile.identity` reads, :meth:`ProfileIndex.resolve`
what :func:`chainbrain.web.policy.resolve_enterprise` answers; the tests check
all three on every enterprise of their datasets, on DuckDB and PostgreSQL.
The index is a snapshot: callers tag it with the data version it was read at
and stop using it when the version moves (:mod:`chainbrain.web.profiles`).

Size at the demo province (124k enterprises, 1.17 M monthly reports, 3.1 M
rows in all): ≈ 150 MB (integers narrowed to the smallest type that holds
them), read in ≈ 1 s. A rebuild after a change reads again only the tables
whose content moved (:meth:`ProfileIndex.build` with ``previous``).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from chainbrain.analytics.profile import PARTS, _connection, _plain, _SLOT, field_name, typed
from chainbrain.store.engine import fetch_arrow

_TABLES = ("enterprise", "monthly_report", "annual_report", "enterprise_scale", "enterprise_segment",
           "designation", "supply_link")


def part_sql(part: str) -> str:
    """Every row of a part (without the partner's fields), its enterprise as ``_key``, sorted by it."""
    pt = PARTS[part]
    cols = [f"CAST({typed(col, kind)} AS {_SLOT[kind][1]}) AS {field_name(col)}"
            for col, kind in (f.split(":") for f in pt.fields)]
    where = f" WHERE {pt.where}" if pt.where else ""
    return f"SELECT CAST({pt.key} AS BIGINT) AS _key, {', '.join(cols)} FROM {pt.table}{where} ORDER BY 1"


def _narrow(t: pa.Table) -> pa.Table:
    """Integer columns in the smallest signed type that holds their values (the values are unchanged)."""
    for i, f in enumerate(t.schema):
        if not pa.types.is_integer(f.type) or t.num_rows == 0:
            continue
        mm = pc.min_max(t.column(i)).as_py()
        if mm["min"] is None:
            continue
        for typ in (pa.int8(), pa.int16(), pa.int32()):
            info = np.iinfo(typ.to_pandas_dtype())
            if info.min <= mm["min"] and mm["max"] <= info.max:
                if typ.bit_width < f.type.bit_width:
                    t = t.set_column(i, f.name, t.column(i).cast(typ))
                break
    return t


def _keys(t: pa.Table, column: str) -> np.ndarray:
    if t.num_rows == 0:
        return np.empty(0, dtype=np.int64)
    return t.column(column).combine_chunks().to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def _table(part: str) -> str:
    return PARTS[part].table.split()[0]                 # "supply_link s" → supply_link


def _prepared_ent(t: pa.Table) -> tuple:
    """The enterprise table, its sorted ids, and USCC → id."""
    t = t.combine_chunks()
    ids = _keys(t, "id")
    return t, ids, {u: int(i) for u, i in zip(t.column("uscc").to_pylist(), ids) if u is not None}


def _prepared_part(name: str, t: pa.Table) -> tuple:
    """A part's sorted enterprise ids, its rows (integers narrowed), and its boolean fields."""
    t = t.combine_chunks()
    bools = tuple(field_name(c) for c, k in (f.split(":") for f in PARTS[name].fields) if k == "bool")
    return _keys(t, "_key"), _narrow(t.drop_columns(["_key"])), bools


def _marks(src, conn) -> dict:
    """Each table's fingerprint at ``conn``'s snapshot, from the data key's read; empty when unknown
    (PostgreSQL, a bare connection, or the counters moved since the data key was read)."""
    from chainbrain.store.content import tables_at

    if isinstance(src, sa.Connection) or getattr(src, "kind", None) != "duckdb":
        return {}
    try:
        return tables_at(src, conn) or {}
    except sa.exc.SQLAlchemyError:                     # an old schema: read everything
        return {}


class ProfileIndex:
    """The profile rows of every enterprise, read once (module docstring)."""

    def __init__(self, enterprises: pa.Table | tuple, parts: dict[str, pa.Table | tuple], marks: dict | None = None):
        """``enterprises`` and each part: the rows read, or an earlier index's prepared form of them
        (:meth:`build` reuses those whose table is unchanged); ``marks``: the fingerprint of each table
        at the snapshot read (:func:`chainbrain.store.content.tables_at`), or empty when unknown."""
        self._ent, self._ids, self._uscc = enterprises if isinstance(enterprises, tuple) else _prepared_ent(enterprises)
        self._parts = {name: t if isinstance(t, tuple) else _prepared_part(name, t) for name, t in parts.items()}
        self.marks = dict(marks or {})

    @classmethod
    def build(cls, src, previous: "ProfileIndex | None" = None) -> "ProfileIndex":
        """Read the enterprise table and every part from a store (or an open SQLAlchemy connection), in one
        transaction (one snapshot of every table; REPEATABLE READ on PostgreSQL). With ``previous`` (the
        index read at earlier data), a table whose fingerprint at this snapshot is the one ``previous``
        was read at is not read again: its prepared rows are reused (after a registry correction only
        the enterprise table is read: 0.17 s instead of 0.76 s at the demo province). The fingerprints are
        the data key's (:func:`~chainbrain.store.content.tables_at`), known on DuckDB only."""
        if getattr(src, "kind", None) == "duckdb":
            from chainbrain.store.content import data_key

            try:
                data_key(src)                          # its read at the current counters (usually in already)
            except sa.exc.SQLAlchemyError:             # an old schema: every table is read
                pass
        with _connection(src) as conn:
            if conn.in_transaction():
                return cls._read(src, conn, previous)
            if conn.dialect.name == "postgresql" and not isinstance(src, sa.Connection):
                conn.execution_options(isolation_level="REPEATABLE READ")    # our own pooled connection
            with conn.begin():
                return cls._read(src, conn, previous)

    @classmethod
    def _read(cls, src, conn, previous) -> "ProfileIndex":
        marks = _marks(src, conn)

        def kept(table: str) -> bool:
            return previous is not None and marks.get(table) is not None and previous.marks.get(table) == marks[table]

        ent = ((previous._ent, previous._ids, previous._uscc) if kept("enterprise")
               else fetch_arrow(conn, "SELECT * FROM enterprise ORDER BY id"))
        parts = {p: previous._parts[p] if kept(_table(p)) else fetch_arrow(conn, part_sql(p)) for p in PARTS}
        return cls(ent, parts, marks)

    @staticmethod
    def pays_off(store) -> bool:
        """Whether an index is worth its memory and reads on ``store``'s engine: on DuckDB (point lookups
        0.4–2 ms a table, module docstring), not on PostgreSQL, whose row store answers a whole profile
        by its indexes in 1.9 ms (p50; p95 3.9 ms) while reading the index took 12 s of Python (rows
        streamed through the driver), again after every import (demo province, measured for #20)."""
        return getattr(store, "kind", None) == "duckdb"

    @staticmethod
    def rows_to_read(src) -> int:
        """How many rows :meth:`build` would read (to decide whether an index fits in memory)."""
        sql = " + ".join(f"(SELECT COUNT(*) FROM {t})" for t in _TABLES)
        with _connection(src) as conn:
            return int(conn.execute(sa.text(f"SELECT {sql}")).scalar())

    # ------------------------------------------------------------ size
    @property
    def rows(self) -> int:
        return self._ent.num_rows + sum(t.num_rows for _, t, _ in self._parts.values())

    @property
    def nbytes(self) -> int:
        return (self._ent.nbytes + self._ids.nbytes
                + sum(k.nbytes + t.nbytes for k, t, _ in self._parts.values()))

    # ------------------------------------------------------------ lookups
    def _pos(self, eid: int) -> int | None:
        i = int(self._ids.searchsorted(eid))
        return i if i < len(self._ids) and self._ids[i] == eid else None

    def resolve(self, key: str) -> int | None:
        """Enterprise id for a USCC (any case), or for a numeric id of fewer than 18 digits that exists."""
        eid = self._uscc.get(key.upper())
        if eid is None and key.isdigit() and len(key) < 18 and self._pos(int(key)) is not None:
            eid = int(key)
        return eid

    def enterprise(self, eid: int) -> dict | None:
        """The enterprise row (every column; Decimal as float, dates as ISO text), or None."""
        i = self._pos(int(eid))
        if i is None:
            return None
        return {k: _plain(v) for k, v in self._ent.slice(i, 1).to_pylist()[0].items()}

    def fetch(self, enterprise_id: int, parts=tuple(PARTS)) -> dict[str, list[dict]]:
        """Every revision of the enterprise's rows of each part, as :func:`chainbrain.analytics.profile.fetch`."""
        e = int(enterprise_id)
        out: dict[str, list[dict]] = {}
        for part in parts:
            keys, t, bools = self._parts[part]
            lo, hi = int(keys.searchsorted(e, "left")), int(keys.searchsorted(e, "right"))
            rows = t.slice(lo, hi - lo).to_pylist() if hi > lo else []
            for b in bools:
                for r in rows:
                    if r[b] is not None:
                        r[b] = bool(r[b])
            partner = PARTS[part].partner
            if partner:
                col = field_name(partner)
                uscc, name = self._ent.column("uscc"), self._ent.column("name")
                for r in rows:
                    i = None if r[col] is None else self._pos(r[col])
                    r["uscc"], r["name"] = (None, None) if i is None else (uscc[i].as_py(), name[i].as_py())
            out[part] = rows
        return out
