"""Open a store from ``--db``: a DuckDB file path or a ``postgresql://`` URL.

One :class:`Store` gives three views of the same database:
- ``engine``: SQLAlchemy (schema, migrations, small writes);
- ``ibis()``: an Ibis backend for analytics (same code on every engine);
- ``bulk_insert``: fast columnar loads (DuckDB: Arrow scan; PostgreSQL: COPY).

DuckDB allows one configuration per file per process, so the Store opens a
single DuckDB connection and hands cursors of it to SQLAlchemy and Ibis.
Only DuckDB's built-in extensions are used; nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from chainbrain.config import default_db


def is_postgres(db: str) -> bool:
    return db.startswith(("postgresql://", "postgresql+psycopg://", "postgres://"))


def _sa_pg_url(db: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if db.startswith(prefix):
            return "postgresql+psycopg://" + db[len(prefix):]
    raise ValueError(db)


class Store:
    """A connection to one ChainBrain database (DuckDB file or PostgreSQL)."""

    def __init__(self, db: str, read_only: bool = False):
        self.db = db
        self.kind = "postgres" if is_postgres(db) else "duckdb"
        self._ibis = None
        self._raw = None
        if self.kind == "duckdb":
            import duckdb
            import duckdb_engine

            if db != ":memory:":
                Path(db).parent.mkdir(parents=True, exist_ok=True)
            self._raw = duckdb.connect(db, read_only=read_only)
            raw = self._raw
            self.engine = sa.create_engine(
                "duckdb://",
                creator=lambda: duckdb_engine.ConnectionWrapper(raw.cursor()),
                poolclass=StaticPool,
            )
        else:
            self.engine = sa.create_engine(_sa_pg_url(db), pool_pre_ping=True)

    # ------------------------------------------------------------------ views
    def ibis(self):
        """The Ibis backend over this store (created once)."""
        if self._ibis is None:
            import ibis

            if self.kind == "duckdb":
                self._ibis = ibis.duckdb.from_connection(self._raw)
            else:
                url = self.engine.url
                self._ibis = ibis.postgres.connect(
                    host=url.host, port=url.port, user=url.username,
                    password=url.password, database=url.database,
                )
        return self._ibis

    def table(self, name: str):
        return self.ibis().table(name)

    @contextlib.contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        """A transaction: everything inside commits together or not at all."""
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()
        if self._ibis is not None and self.kind == "postgres":
            self._ibis.disconnect()
        if self._raw is not None:
            self._raw.close()
            self._raw = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ writes
    def bulk_insert(self, conn: sa.Connection, table: str, data: pa.Table) -> int:
        """Append an Arrow table to ``table`` inside the caller's transaction.

        Columns are matched by name; the schema's column types apply.
        """
        if data.num_rows == 0:
            return 0
        cols = ", ".join(f'"{c}"' for c in data.column_names)
        dbapi = conn.connection.driver_connection
        if self.kind == "duckdb":
            view = f"_cb_bulk_{table}"
            dbapi.register(view, data)
            try:
                dbapi.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM "{view}"')
            finally:
                dbapi.unregister(view)
        else:
            buf = io.BytesIO()
            pacsv.write_csv(data, buf, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
            with dbapi.cursor() as cur:
                with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN (FORMAT csv)') as copy:
                    view = buf.getbuffer()
                    step = 1 << 20
                    for i in range(0, len(view), step):
                        copy.write(view[i:i + step])
        return data.num_rows

    def next_id(self, conn: sa.Connection, table: str, column: str = "id") -> int:
        return int(conn.execute(sa.text(f'SELECT COALESCE(MAX("{column}"), 0) + 1 FROM "{table}"')).scalar())


def fetch_arrow(conn: sa.Connection, sql: str, chunk_rows: int = 100_000) -> pa.Table:
    """The result of ``sql`` (no parameters) as an Arrow table: DuckDB hands its columns over
    directly; other engines stream the rows (a server-side cursor), ``chunk_rows`` at a time into
    Arrow (types inferred per chunk, then widened to one: a NULL-only chunk takes the others' type,
    decimals the widest precision), so memory holds one chunk of Python rows at a time."""
    if conn.dialect.name == "duckdb":
        return conn.connection.driver_connection.execute(sql).to_arrow_table()
    res = conn.execute(sa.text(sql).execution_options(stream_results=True, yield_per=chunk_rows))
    cols = list(res.keys())
    parts = [pa.table({c: [r[i] for r in rows] for i, c in enumerate(cols)}) for rows in res.partitions()]
    if not parts:
        return pa.table({c: [] for c in cols})
    return pa.concat_tables(parts, promote_options="permissive") if len(parts) > 1 else parts[0]


def open_store(db: str | None = None, read_only: bool = False) -> Store:
    """Open the store named by ``db`` (default: ``$CHAINBRAIN_DB`` or data/chainbrain.duckdb)."""
    return Store(db or default_db(), read_only=read_only)
