"""Per-application state: the open store, the analytics lock, the answer cache and settings.

The store is opened once per application. Its DuckDB connection is shared,
and Ibis queries on one connection are not thread-safe, so every analytics
*computation* runs under :attr:`WebState.lock` (endpoints are plain ``def``
functions, which FastAPI runs in a thread pool). Answers are kept in
:attr:`WebState.cache` for the store's current data version
(:mod:`chainbrain.web.cache`); serving a cached answer takes neither the
analytics lock nor a query (the data version is re-checked at most once per
second, on its own cursor).

Writes the application performs itself call :meth:`WebState.invalidate`
(the import flow does so through its jobs, :class:`chainbrain.web.imports.Jobs`), so their
effect shows at once; writes by other processes (``chainbrain import``,
``chainbrain compute``) show within :data:`chainbrain.web.cache.TTL`.

At start-up :meth:`WebState.start_warmup` precomputes, in a background
thread, the answers most requests ask for (cockpit, KPI, chains, city pages
for anonymous and public viewers, default period) so the first visitors do
not wait (:func:`chainbrain.web.api.warm_up`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from fastapi import Request

from chainbrain.web.cache import MISSING, ResultCache, version_of
from chainbrain.web.pending import PAGE_WAIT, Background

log = logging.getLogger("chainbrain.web")


#: seconds between checks of the data version by the warm-up thread (a command-line import)
REWARM_S = 5.0


def _index():
    from chainbrain.web.search import SearchIndex

    class MemoSearchIndex(SearchIndex):
        """The search index, with the matches of recent queries remembered per index version."""

        def __init__(self):
            super().__init__()
            self._memo: dict = {}
            self._memo_version = None

        def match(self, q: str) -> list[int]:
            if self._memo_version != self.version:
                self._memo, self._memo_version = {}, self.version
            hits = self._memo.get(q)
            if hits is None:
                hits = super().match(q)
                if len(self._memo) > 1024:
                    self._memo.clear()
                self._memo[q] = hits
            return hits

    return MemoSearchIndex()


@dataclass
class WebState:
    store: object
    public_aggregates: bool = False
    min_cell: int = 3
    lock: threading.RLock = field(default_factory=threading.RLock)
    cache: ResultCache = field(default_factory=ResultCache)
    secure_cookies: bool = False
    jobs: object = None
    search_index: object = field(default_factory=_index)
    warm: bool = True

    def __post_init__(self):
        if self.jobs is None:                  # the store's import jobs (web/imports.py)
            from chainbrain.web.imports import Jobs

            self.jobs = Jobs(self.store, on_write=self.invalidate, lock=self.lock)
        self.versions = version_of(self.store)
        if self.cache.enabled:                 # with answers cached, statements are remembered too
            from chainbrain.analytics.indicators import remember_results

            remember_results(self.store)
        from chainbrain.web.admission import Admission

        self.admission = Admission()           # bounds on queued uncached work (web/admission.py)
        self.background = Background()         # page computations past the page's wait (web/pending.py)
        self._stop = threading.Event()
        self._changed = threading.Event()
        self.running = None                    # the request token computing under the lock, if any
        self.warm_passes = 0                   # completed warm-up passes (first + after each data change)
        self._warm_thread: threading.Thread | None = None
        self.warmed = threading.Event()

    def cached(self, key: tuple, compute):
        """The answer for ``key`` at the current data version; ``compute()`` (under the lock) if missing.

        A hit takes no lock. On a miss, the analytics lock is taken and the cache
        looked at again (another request may just have computed it).
        """
        version = self.versions.current()
        value = self.cache.lookup(version, key)
        if value is not MISSING:
            return value
        wait = PAGE_WAIT.get()
        if wait and not self.lock._is_owned():    # a page: "计算中" past the wait (web/pending.py)
            return self.background.wait((version, key), lambda: self.cached(key, compute), wait)
        with self.admission.admit(), self.lock:   # 429/503 when a caller or the server has too much queued
            version = self.versions.current()
            value = self.cache.lookup(version, key)
            if value is MISSING:
                value = self._compute(compute)
                self.cache.put(version, key, value)
        return value

    def _compute(self, compute):
        """``compute()`` on a live connection: PostgreSQL's analytics connection is checked first
        (replaced after a server restart) and a computation that lost its connection midway runs
        once more on a new one."""
        from chainbrain.web.disconnect import REQUEST

        self.running = REQUEST.get()           # whose computation holds the connection (disconnect)
        try:
            ensure = getattr(self.store, "ensure_connected", None)
            if ensure is None:
                return compute()
            ensure()
            try:
                return compute()
            except Exception as exc:
                if not connection_lost(exc):
                    raise
                ensure()
                return compute()
        finally:
            self.running = None

    def invalidate(self) -> None:
        """The application wrote data: drop every cached answer now (and warm up again)."""
        self.versions.bump()
        self.cache.clear()
        self._changed.set()

    # ------------------------------------------------------------ warm-up
    def start_warmup(self, jobs) -> None:
        """Precompute in the background: ``jobs(store)`` returns ``[(key, compute), …]``.

        The warm-up works on its own connection to the database (:func:`side_store`),
        so it neither waits for nor disturbs requests on the application's connection.
        It then stays: whenever the data change — an import through the web at once, a
        command-line import when the data version moves (checked every :data:`REWARM_S`
        seconds) — the same answers are computed again in the background, so the first
        visitor after an import does not wait for them.
        """
        if not self.warm:
            self.warmed.set()
            return

        def one_pass(own) -> None:
            for key, compute in jobs(own):
                if self._stop.is_set():
                    return
                version = self.versions.current()
                if self.cache.lookup(version, key) is not MISSING:
                    continue
                try:
                    self.cache.put(version, key, compute())
                except Exception as exc:          # a page that cannot be built is built on request
                    if self._stop.is_set():       # cancelled by the shutdown: nothing went wrong
                        return
                    log.warning("warm-up of %s failed: %s", key, exc)

        def work():
            own = None
            try:
                own = self._warm_store = side_store(self.store)
                if self.cache.enabled:
                    from chainbrain.analytics.indicators import remember_results

                    remember_results(own)
                warmed_at = self.versions.current()
                one_pass(own)
                self.warmed.set()
                self.warm_passes += 1
                while not self._stop.is_set():
                    self._changed.wait(REWARM_S)
                    self._changed.clear()
                    if self._stop.is_set():
                        break
                    now = self.versions.current()
                    if now != warmed_at:
                        warmed_at = now
                        one_pass(own)
                        self.warm_passes += 1
            except Exception as exc:
                log.warning("warm-up failed: %s", exc)
            finally:
                if own is not None and own is not self.store:
                    own.close()
                self.warmed.set()

        self._warm_thread = threading.Thread(target=work, daemon=True, name="chainbrain-warmup")
        self._warm_thread.start()

    def stop_warmup(self, timeout: float = 10.0) -> None:
        """Stop the warm-up: its running query is cancelled, then the thread is waited for."""
        self._stop.set()
        self._changed.set()
        own = getattr(self, "_warm_store", None)
        if own is not None and self._warm_thread is not None and self._warm_thread.is_alive():
            own.cancel()
        if self._warm_thread is not None:
            self._warm_thread.join(timeout)
        self.background.close()
        self.versions.close()


def side_store(store):
    """A second connection to the same database, for work outside the analytics lock.

    DuckDB: a cursor of the store's connection (same database instance, its own
    connection and Ibis backend). PostgreSQL: a new :class:`~chainbrain.store.engine.Store`.
    """
    from chainbrain.store.engine import Store

    if store.kind != "duckdb":
        return Store(store.db)
    import duckdb_engine
    import sqlalchemy as sa
    from sqlalchemy.pool import StaticPool

    side = Store.__new__(Store)
    side.db, side.kind, side._ibis = store.db, store.kind, None
    side._raw = raw = store._raw.cursor()
    side.engine = sa.create_engine("duckdb://", creator=lambda: duckdb_engine.ConnectionWrapper(raw.cursor()),
                                   poolclass=StaticPool)
    return side


def connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the database connection is gone (server restart, network), as opposed
    to an error of the query itself."""
    import psycopg
    import sqlalchemy as sa

    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, psycopg.OperationalError) and not isinstance(orig, psycopg.errors.QueryCanceled)


def get_state(request: Request) -> WebState:
    return request.app.state.web
