"""Open a store from ``--db``: a DuckDB file path or a ``postgresql://`` URL.

One :class:`Store` gives three views of the same database:
- ``engine``: SQLAlchemy (schema, migrations, small writes);
- ``ibis()``: an Ibis backend for analytics (same code on every engine);
- ``bulk_insert``: fast columnar loads (DuckDB: Arrow scan; PostgreSQL: COPY).

DuckDB allows one configuration per file per process, so the Store opens a
single DuckDB connection and hands cursors of it to SQLAlchemy and Ibis.
Only DuckDB's built-in extensions are used; nothing is downloaded.

PostgreSQL: both the ORM pool and the analytics connection are opened from the
whole URL (``sslmode``, a Unix-socket ``host=``, ``application_name`` … reach
both) and libpq's ``PG*`` environment variables and pgpass file fill what the
URL leaves out; ``application_name`` defaults to ``chainbrain`` and every
statement runs under ``statement_timeout`` (:func:`statement_timeout_ms`). A
connection lost to a server restart is replaced: the pool pings before use and
the analytics connection is checked by :meth:`Store.ensure_connected`.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from chainbrain.config import Settings, default_db, load_settings


def is_postgres(db: str) -> bool:
    return db.startswith(("postgresql://", "postgresql+psycopg://", "postgres://"))


def _sa_pg_url(db: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if db.startswith(prefix):
            return "postgresql+psycopg://" + db[len(prefix):]
    raise ValueError(db)


def libpq_url(db: str) -> str:
    """The URL as libpq reads it (``postgresql://…``, every query parameter kept)."""
    return "postgresql://" + _sa_pg_url(db)[len("postgresql+psycopg://"):]


def redact(db: str) -> str:
    """``db`` fit to print: a PostgreSQL URL's password becomes ``***`` (DuckDB paths unchanged)."""
    if not is_postgres(db):
        return db
    try:
        url = sa.engine.make_url(_sa_pg_url(db))
    except Exception:                        # not parseable: print nothing of it after the scheme
        return db.split("://", 1)[0] + "://***"
    if url.password is None:
        return db
    return libpq_url(url.render_as_string(hide_password=True))


#: default statement timeout (seconds) of PostgreSQL connections (0 = none)
STATEMENT_TIMEOUT_S = Settings.statement_timeout_s
#: PostgreSQL's autovacuum defaults (``autovacuum_analyze_threshold`` = 50, ``autovacuum_analyze_scale_factor``
#: = 0.1; PostgreSQL documentation, "The Autovacuum Daemon"): an import of fewer rows than these into a
#: table leaves its statistics to autovacuum (:meth:`Store.analyze`)
ANALYZE_MIN_ROWS, ANALYZE_SHARE = 50, 0.1


def statement_timeout_ms() -> int:
    """The statement timeout in milliseconds: ``CHAINBRAIN_STATEMENT_TIMEOUT`` (seconds), else the
    configuration file's ``[store] statement_timeout_s``, else :data:`STATEMENT_TIMEOUT_S`."""
    return int(load_settings().statement_timeout_s * 1000)


def pg_connect_args(db: str) -> dict:
    """Session settings added to every PostgreSQL connection, unless the URL or ``PG*`` sets them:
    ``application_name=chainbrain`` and ``options=-c statement_timeout=… -c work_mem=… -c jit=off``.

    ``work_mem`` (``[store] work_mem_mb``, default 64 MB): the analytics sort and hash a province's
    reports; at PostgreSQL's default 4 MB they spill to disk. ``jit=off``: compiling a statement
    costs 100–150 ms, more than it saves on statements of this size (measured on the province demo)."""
    query = sa.engine.make_url(_sa_pg_url(db)).query
    out = {}
    if "application_name" not in query and not os.environ.get("PGAPPNAME"):
        out["application_name"] = "chainbrain"
    timeout = statement_timeout_ms()
    if "options" not in query and not os.environ.get("PGOPTIONS"):
        out["options"] = (f"-c statement_timeout={timeout} -c work_mem={load_settings().work_mem_mb}MB "
                          "-c jit=off")
    return out


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
            cfg = load_settings()
            self.engine = sa.create_engine(_sa_pg_url(db), pool_pre_ping=True, connect_args=pg_connect_args(db),
                                           pool_size=cfg.pool_size, max_overflow=cfg.max_overflow)

    # ------------------------------------------------------------------ views
    def ibis(self):
        """The Ibis backend over this store (created once)."""
        if self._ibis is None:
            import ibis

            from chainbrain.store.compiled import remember

            if self.kind == "duckdb":
                self._ibis = remember(ibis.duckdb.from_connection(self._raw))
            else:           # the whole URL as libpq reads it; None leaves a setting to the URL / PG*
                from chainbrain.store.pgplan import PlannedCursor

                self._ibis = remember(ibis.postgres.connect(conninfo=libpq_url(self.db), host=None, port=None,
                                                            user=None, password=None, database=None,
                                                            cursor_factory=PlannedCursor, **pg_connect_args(self.db)))
        return self._ibis

    def ensure_connected(self) -> None:
        """PostgreSQL: replace the analytics connection if the server dropped it (a restart)."""
        if self.kind != "postgres" or self._ibis is None:
            return
        con = self._ibis.con
        try:
            if con.closed:
                raise ConnectionError("closed")
            con.execute("SELECT 1")
        except Exception:
            with contextlib.suppress(Exception):
                con.close()
            self._ibis.reconnect()

    def cancel(self) -> None:
        """Cancel what the analytics connection is running (shutdown; from any thread)."""
        with contextlib.suppress(Exception):
            if self.kind == "postgres" and self._ibis is not None:
                self._ibis.con.cancel_safe(timeout=5)
            elif self._raw is not None:
                self._raw.interrupt()

    def ping(self) -> str | None:
        """None when the database answers, else the reason (one line)."""
        try:
            if self.kind == "duckdb":                # embedded: answers while open (own cursor, no lock)
                cur = self._raw.cursor()
                try:
                    cur.execute("SELECT 1")
                finally:
                    cur.close()
                return None
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            self.ensure_connected()
        except Exception as exc:                     # report, never raise: health checks call this
            return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
        return None

    def table(self, name: str):
        return self.ibis().table(name)

    @contextlib.contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        """A transaction: everything inside commits together or not at all. On PostgreSQL the
        membership snapshots' fingerprint is re-read afterwards (:mod:`chainbrain.store.snapshots`)."""
        try:
            with self.engine.begin() as conn:
                yield conn
        finally:
            if self.kind == "postgres":
                from chainbrain.store import snapshots

                snapshots.forget(self)

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

    def analyze(self, table: str | None = None, rows: int | None = None) -> bool:
        """Refresh the planner's statistics after a load (PostgreSQL ``ANALYZE``, ≈ 1.6 s for the province
        demo's 3 M rows; autovacuum would wait for its thresholds, and plans made from stale counts
        run in quadratic time). DuckDB keeps its statistics itself. With ``rows`` written to ``table``
        (an import), only when they reach autovacuum's own analyze threshold at once: at least
        :data:`ANALYZE_MIN_ROWS` + :data:`ANALYZE_SHARE` × the table's row estimate (``reltuples``), or
        any rows into a table the planner takes for empty (never analyzed, or empty when last). A
        smaller import is left to autovacuum: the whole ANALYZE took 6 s of the server after an import
        of three enterprises at province scale, while every user's reads waited (load test, #20).
        True when it ran."""
        if self.kind != "postgres":
            return False
        from chainbrain.store import snapshots

        snapshots.forget(self)                  # the membership snapshots' fingerprint is re-read
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if table is not None and rows is not None:
                est = conn.execute(sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"),
                                   {"t": table}).scalar()
                est = float(est) if est is not None else 0.0
                if est >= 1 and rows < ANALYZE_MIN_ROWS + ANALYZE_SHARE * est:
                    return False
            conn.execute(sa.text("ANALYZE"))
        return True

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


class StoreMissing(Exception):
    """A DuckDB file that does not exist, opened by a command that needs an existing store."""

    def __init__(self, db: str):
        self.db = db
        super().__init__(f"{db}: no such store (DuckDB file); check the path, or create one with "
                         f"`chainbrain db init --db …` or `chainbrain demo build --db …` "
                         f"(数据库文件不存在：请检查路径，或先用 db init / demo build 创建)")


#: whether :func:`open_store` may create a DuckDB file that does not exist. The command line
#: (:func:`chainbrain.cli.main`) turns it off for every command but the ones that create a store
#: (``db init``, ``demo build``), so a mistyped ``--db`` is refused instead of backed up, verified
#: or reported as an empty store.
CREATE_MISSING = True


def open_store(db: str | None = None, read_only: bool = False, must_exist: bool | None = None) -> Store:
    """Open the store named by ``db`` (default: ``$CHAINBRAIN_DB`` or data/chainbrain.duckdb).

    A DuckDB file another process holds raises :class:`~chainbrain.store.lock.StoreLocked`; inside a
    server running a command for the command line, its own store is handed out
    (:func:`chainbrain.store.lock.hosted`). A DuckDB file that does not exist is created, unless
    ``must_exist`` (default: not :data:`CREATE_MISSING`) — then :class:`StoreMissing`."""
    from chainbrain.store.lock import hosted, locked_error

    db = db or default_db()
    own = hosted(db)
    if own is not None:
        return own
    if must_exist is None:
        must_exist = not CREATE_MISSING
    if must_exist and not is_postgres(db) and db != ":memory:" and not Path(db).exists():
        raise StoreMissing(db)
    try:
        return Store(db, read_only=read_only)
    except Exception as exc:
        locked = locked_error(db, exc)
        if locked is None:
            raise
        raise locked from None
