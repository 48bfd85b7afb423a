"""A bounded pool of analytics connections, one borrowed per computation (#20).

Ibis on one connection is not thread-safe, so the web application used to run every
computation under one lock. Now ``with st.lock:`` (a :class:`Lease`) borrows one
*member* of the pool for the current thread — re-entrant: a computation nested in
another keeps its connection — and :class:`PooledStore` (``st.store``) answers every
attribute (``ibis()``, ``table()``, ``engine``, ``_raw``, …) from the member this thread
holds, or from the store the application opened when it holds none. Code written for
one store runs unchanged, on as many connections as the pool has.

Members:

- **DuckDB**: a cursor of the one database instance (its own connection, its own Ibis
  backend and SQLAlchemy engine: :func:`side_store`). DuckDB runs
  reads of several connections in parallel (MVCC; a reader sees what was committed
  when its statement started).
- **PostgreSQL**: a :class:`~chainbrain.store.engine.Store` sharing the application
  store's SQLAlchemy pool, with an Ibis backend (one libpq connection) of its own.

Size: ``serve --pool N`` or ``CHAINBRAIN_COMPUTE_POOL`` (default :data:`DEFAULT_SIZE`) computations
of answers at once (:meth:`chainbrain.web.state.WebState.cached` holds one of ``N`` places while it
computes), plus :data:`SPARE` members for the short work views do directly under ``st.lock``
(a sign-in's counters, a work-system write, a small look-up), so that those never queue behind
``N`` long computations. Members are made on first need; a thread asking when all are lent waits
for one.

Writes the application performs through ``st.store.begin()`` take :attr:`Pool.write_lock`
too: one application write at a time, as before (DuckDB would refuse two transactions
changing the same rows; PostgreSQL would make one wait), while reads go on.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading

#: computations at once by default: one per core, at least 2 (a cheap answer beside a heavy one), at
#: most 4. DuckDB already runs one statement on every core, so more concurrent heavy statements than
#: cores add no throughput, only memory: the 50-user load test with 4 on 2 shared cores peaked at
#: 9.4 GB (4.2 GB with the one lock) and timed out cached reads (docs/web.md).
DEFAULT_SIZE = max(2, min(4, os.cpu_count() or 2))
#: members beyond the computations' ``size``, for short work under ``st.lock`` outside a computation
SPARE = 2


def pool_size(value: int | None = None) -> int:
    """``value``, else ``CHAINBRAIN_COMPUTE_POOL`` (``[server] compute_pool``; 0 or unset: the default),
    else :data:`DEFAULT_SIZE` (at least 1). A value that is not a whole number ≥ 0 is a
    :class:`~chainbrain.config.ConfigError` (``serve`` refuses it in one line before starting)."""
    if value is None:
        raw = os.environ.get("CHAINBRAIN_COMPUTE_POOL", "").strip()
        try:
            value = int(raw) if raw else 0
            if value < 0:
                raise ValueError
        except ValueError:
            from chainbrain.config import ConfigError

            raise ConfigError(f"CHAINBRAIN_COMPUTE_POOL: {raw!r} is not a valid compute_pool "
                              f"(compute_pool 的取值无效)") from None
        value = value or DEFAULT_SIZE
    return max(1, int(value))


def member(store):
    """A new connection to ``store``'s database for one pool member (module docstring)."""
    from chainbrain.store.engine import Store

    if store.kind == "duckdb":
        return side_store(store)
    side = Store.__new__(Store)
    side.db, side.kind, side._ibis, side._raw = store.db, store.kind, None, None
    side.engine = store.engine              # thread-safe pool, shared; the Ibis connection is the member's own
    side.shared_engine = True
    return side


def close_member(side) -> None:
    if getattr(side, "shared_engine", False):
        with contextlib.suppress(Exception):
            if side._ibis is not None:
                side._ibis.disconnect()
        return
    with contextlib.suppress(Exception):
        side.close()


class Pool:
    """Up to ``size`` + :data:`SPARE` members of ``primary``'s database, lent one per thread; ``size``
    computations at once (:attr:`computing`)."""

    def __init__(self, primary, size: int | None = None):
        self.primary = primary
        self.size = pool_size(size)
        self.members = self.size + SPARE
        self.computing = threading.BoundedSemaphore(self.size)   # places of computations (WebState.cached)
        self.write_lock = threading.RLock()
        self._free: queue.LifoQueue = queue.LifoQueue()
        self._made: list = []
        self._lock = threading.Lock()
        self._local = threading.local()
        self.closed = False
        self.lent = 0                   # members lent now (tests, the load benchmark)
        self.most_lent = 0              # the most lent at once since start

    def current(self):
        """The member this thread holds, or None."""
        return getattr(self._local, "store", None)

    def depth(self) -> int:
        return getattr(self._local, "depth", 0)

    def borrow(self, timeout: float | None = None):
        """A free member (made when fewer than :attr:`members` exist), waiting up to ``timeout`` s; None on timeout."""
        try:
            side = self._free.get_nowait()
        except queue.Empty:
            side = None
            with self._lock:
                if len(self._made) < self.members and not self.closed:
                    side = member(self.primary)
                    self._made.append(side)
            if side is None:
                try:
                    side = self._free.get(timeout=timeout)
                except queue.Empty:
                    return None
        with self._lock:
            self.lent += 1
            self.most_lent = max(self.most_lent, self.lent)
        return side

    def give_back(self, side) -> None:
        with self._lock:
            self.lent -= 1
        self._free.put(side)

    def drain(self, timeout: float) -> bool:
        """Wait until no member is lent (shutdown); False when some still are after ``timeout`` s."""
        import time

        end = time.monotonic() + timeout
        while self.lent > 0 and time.monotonic() < end:
            time.sleep(0.02)
        return self.lent == 0

    def cancel(self) -> None:
        """Cancel what every member runs (shutdown)."""
        for side in list(self._made):
            side.cancel()

    def close(self) -> None:
        with self._lock:
            self.closed, made, self._made = True, self._made, []
        for side in made:
            close_member(side)


class Lease:
    """``with st.lock:`` — a pool member for this thread for the block (re-entrant per thread).

    Keeps the lock's old interface (``acquire``/``release``/``_is_owned``) for callers that
    used :class:`threading.RLock`."""

    def __init__(self, pool: Pool):
        self.pool = pool

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        loc = self.pool._local
        depth = getattr(loc, "depth", 0)
        if depth == 0:
            wait = None if blocking and timeout < 0 else (timeout if blocking else 0.0)
            side = self.pool.borrow(wait)
            if side is None:
                return False
            loc.store = side
        loc.depth = depth + 1
        return True

    def release(self) -> None:
        loc = self.pool._local
        loc.depth -= 1
        if loc.depth == 0:
            side, loc.store = loc.store, None
            self.pool.give_back(side)

    def _is_owned(self) -> bool:
        return self.pool.depth() > 0

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class PooledStore:
    """``st.store``: the store of this thread's pool member, else the application's store.

    Attribute reads go to that store; :meth:`begin` also takes the pool's write lock; the
    object itself is one per application, so per-store memos (data version, statement
    results, search index) are shared by all members."""

    def __init__(self, pool: Pool):
        object.__setattr__(self, "pool", pool)

    def _now(self):
        return self.pool.current() or self.pool.primary

    def __getattr__(self, name):
        return getattr(self._now(), name)

    @property
    def _raw(self):
        """DuckDB: the opened connection, from which callers make cursors of their own (audit, the
        session reader, the data version): they outlive any lent member."""
        return self.pool.primary._raw

    def __setattr__(self, name, value):          # settings made on the store go to the opened one
        setattr(self.pool.primary, name, value)

    @contextlib.contextmanager
    def begin(self):
        """A transaction on this thread's connection, one application write at a time."""
        with self.pool.write_lock:
            try:
                with self._now().begin() as conn:
                    yield conn
            finally:
                if self.pool.primary.kind == "postgres":
                    from chainbrain.store import snapshots

                    snapshots.forget(self)

    def close(self) -> None:
        self.pool.close()
        self.pool.primary.close()

    def __repr__(self) -> str:
        return f"PooledStore({self.pool.primary.kind}, size={self.pool.size})"


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
