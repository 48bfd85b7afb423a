"""The store's *data version*: what writers leave behind, read cheaply (one small query at most
every :data:`TTL` seconds), for memos that are valid while the data stay the same.

Every import through :func:`chainbrain.ingest.load.import_file` adds an ``import_batch`` row,
``chainbrain compute`` adds a ``compute_run`` row, and direct corrections change the row counts
of the fact tables (DuckDB) or the change counter its triggers keep (PostgreSQL, migration
0038_change_counter) — :func:`chainbrain.store.changes.data_sql` then :data:`COMPUTE_SQL` are
read. A process that writes itself calls :meth:`DataVersion.bump`, which invalidates at once.
Used by the web's answer cache (:mod:`chainbrain.web.cache`) and the analytics' statement memo
(:func:`chainbrain.analytics.indicators._run`).
"""

from __future__ import annotations

import threading
import time
import weakref

import sqlalchemy as sa

from chainbrain.store.changes import data_sql
from chainbrain.store.patterns import DATA_SQL

TTL = 1.0                     # seconds a checked data version is trusted

VERSION_SQL = DATA_SQL.rstrip() + "{extra}\n"          # the data counters, then the computed ones (no counter)
#: done runs only: a run that starts (committed ``running`` first), fails or dies changes no result
COMPUTE_SQL = (", (SELECT MAX(id) FROM compute_run WHERE status = 'done'), "
               "(SELECT COUNT(*) FROM monitor_alert)")


class DataVersion:
    """The store's data version, re-read at most every ``ttl`` seconds, plus the application's writes.

    :meth:`current` returns ``(bumps, counters)``: ``bumps`` counts the application's writes to the
    *database* in this process (:func:`bump_database`), the same for every connection to it — the
    caches shared by the connections (:func:`chainbrain.web.disclosure._cache_of`) start afresh when a
    caller comes with another version, and a count per connection (as before) made the warm-up's and
    the readers' versions differ after the first write, so that those caches were cleared again at
    nearly every look-up under load (found while looking for the load test's regression since 2bee6d8;
    it is not the whole of it: docs/web.md).
    """

    def __init__(self, store, ttl: float = TTL):
        self.store = store
        self.ttl = ttl
        self._db = _ident(store)
        self._lock = threading.Lock()
        self._value: tuple | None = None
        self._checked = float("-inf")
        self._cursor = None
        self._sql: str | None = None
        self.queries = 0                       # how often the counters were read (tests, benchmarks)

    def _read(self) -> tuple:
        self.queries += 1
        base = data_sql(self.store).rstrip()
        if self._sql is None:
            self._sql = base + COMPUTE_SQL + "\n"
        try:
            return self._execute(self._sql)
        except Exception:                      # a store without the monitoring tables (old schema)
            if self._sql == base + "\n":
                raise
            self._sql = base + "\n"
            self._cursor = None
            return self._execute(self._sql)

    def _execute(self, sql: str) -> tuple:
        raw = getattr(self.store, "_raw", None)
        if self.store.kind == "duckdb" and raw is not None:
            if self._cursor is None:           # its own connection to the database: no app lock needed
                self._cursor = raw.cursor()
            return tuple(self._cursor.execute(sql).fetchone())
        with self.store.engine.connect() as conn:
            return tuple(conn.execute(sa.text(sql)).one())

    def current(self) -> tuple:
        value, checked = self._value, self._checked
        if value is not None and time.monotonic() - checked < self.ttl:
            return value
        with self._lock:
            if time.monotonic() - self._checked >= self.ttl or self._value is None:
                started = time.monotonic()
                bumps = _BUMPS.get(self._db, 0)
                counters = self._read()
                self._value = (bumps, counters)
                self._checked = started
            return self._value

    def refresh(self) -> None:
        """Re-read the counters at the next check (another process may have written)."""
        with self._lock:
            self._checked = float("-inf")
            self._value = None

    def bump(self) -> None:
        """The application has written: every connection's version of the database moves now
        (:func:`bump_database`)."""
        bump_database(self.store)

    def close(self) -> None:
        with self._lock:
            if self._cursor is not None:
                try:
                    self._cursor.close()
                except Exception:
                    pass
                self._cursor = None


_per_store: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()   # store → {name: object}
_per_store_lock = threading.Lock()


def per_store(store, name: str, make):
    """The object ``name`` of ``store``, made by ``make()`` on first use: one per open store and
    process (data version, reader pool, session memo, profile cache), gone with the store."""
    with _per_store_lock:
        objects = _per_store.get(store)
        if objects is None:
            objects = _per_store[store] = {}
        if name not in objects:
            objects[name] = make()
        return objects[name]


def version_of(store) -> DataVersion:
    """The :class:`DataVersion` of ``store`` (one per open store)."""
    return per_store(store, "version", lambda: DataVersion(store))


def _ident(store) -> tuple:
    return (getattr(store, "kind", None), str(getattr(store, "db", "")))


_BUMPS: dict = {}            # (kind, db) → the application's writes to that database in this process


def bump_database(store) -> None:
    """An application write to ``store``'s database: the count of writes moves once for every open
    store of that database (the server's warm-up and reader connections have their own
    :class:`DataVersion`), and each re-reads its counters at its next check. Without it a side
    connection's version lagged up to :data:`TTL` behind the write, and what is cached per version
    (the data key of the kept figures and patterns) was read for the old data: the warm-up then
    computed an answer from the figures kept before the write and cached it under the new version."""
    ident = _ident(store)
    with _per_store_lock:
        _BUMPS[ident] = _BUMPS.get(ident, 0) + 1
        versions = [objects["version"] for s, objects in list(_per_store.items())
                    if "version" in objects and _ident(s) == ident]
    for v in versions:
        v.refresh()


def data_version(store) -> tuple:
    """The store's data version (cheap: re-read at most every :data:`TTL` seconds)."""
    return version_of(store).current()


def existing(store, name: str):
    """The object ``name`` of ``store`` if :func:`per_store` made one, else None (nothing is made)."""
    with _per_store_lock:
        objects = _per_store.get(store)
        return None if objects is None else objects.get(name)
