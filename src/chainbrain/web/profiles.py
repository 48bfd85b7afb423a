"""The application's profile index (:class:`chainbrain.analytics.profile_index.ProfileIndex`).

Enterprise pages read an enterprise's rows from the index instead of nine
point lookups in the database (a first view: ≈ 0.2 ms instead of ≈ 4 ms on
DuckDB), and resolve USCCs through it.

Lifecycle: the start-up warm-up builds it (:func:`build`, one of the jobs of
:func:`chainbrain.web.api.warm_up`), on its own connection; the index is
tagged with the data version read *before* it was read, so it is used only
while the store is at that version (:func:`current`; a write during the
build leaves it stale at once). After the data change, the first profile
request (or the re-warm) starts a rebuild in a background thread and is answered from the
database, as are all requests until the new index is in place; the rebuild reads again only the
tables that changed (after a registry correction, the enterprise table: 0.17 s instead of 0.76 s). No index
when the warm-up is off (tests, ``CHAINBRAIN_WEB_WARMUP=off``), when the
answer cache is off (``CHAINBRAIN_WEB_CACHE=off``: the uncached baseline),
when the store holds more than :data:`MAX_ROWS` rows of the profile
tables (memory: ≈ 50 bytes per row, ≈ 150 MB for the demo province's 3.1 M),
or on PostgreSQL (:meth:`ProfileIndex.pays_off`).
"""

from __future__ import annotations

import logging
import os
import threading
import time

from chainbrain.analytics.profile_index import ProfileIndex
from chainbrain.web.cache import per_store

log = logging.getLogger("chainbrain.web")

#: the index is built only for stores with at most this many rows in the profile tables
#: (env ``CHAINBRAIN_PROFILE_INDEX_ROWS``; 0 turns the index off)
MAX_ROWS = int(os.environ.get("CHAINBRAIN_PROFILE_INDEX_ROWS", "10000000"))
RETRY_S = 60.0                        # seconds before a failed rebuild is tried again


class Holder:
    """The index of one open store, the data version it was read at, and its rebuild thread."""

    def __init__(self):
        self.index: ProfileIndex | None = None
        self.version: tuple | None = None
        self.enabled = False                  # set by the first build (the warm-up)
        self.builds = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._failed_at = float("-inf")       # a failed rebuild is not retried for RETRY_S seconds

    def _build(self, st, store) -> dict:
        version = st.versions.current()
        if not ProfileIndex.pays_off(store):
            self.enabled = False
            return {"index": None, "engine": store.kind}
        rows = ProfileIndex.rows_to_read(store)
        if not st.cache.enabled or rows > MAX_ROWS:
            self.enabled = False
            return {"index": None, "rows": rows, "max_rows": MAX_ROWS, "cache": st.cache.enabled}
        self.enabled = True
        t0 = time.perf_counter()
        index = ProfileIndex.build(store, previous=self.index)          # unchanged tables not read again
        with self._lock:
            self.index, self.version = index, version
            self.builds += 1
        seconds = time.perf_counter() - t0
        log.info("profile index: %d rows, %.0f MB, read in %.2f s", index.rows, index.nbytes / 1e6, seconds)
        return {"index": True, "rows": index.rows, "mb": round(index.nbytes / 1e6, 1), "seconds": round(seconds, 2)}

    def _rebuild(self, st) -> None:
        from chainbrain.web.pool import side_store

        own = None
        try:
            own = side_store(st.store)
            self._build(st, own)
        except Exception as exc:                  # the pages keep reading from the database
            log.warning("profile index rebuild failed: %s", exc)
            self._failed_at = time.monotonic()
        finally:
            if own is not None and own is not st.store:
                own.close()
            with self._lock:
                self._thread = None

    def current(self, st) -> ProfileIndex | None:
        """The index if it was read at the store's current data version; else None (and a rebuild
        is started in the background if the index is enabled and none is running)."""
        index, version = self.index, self.version
        now = st.versions.current()
        if index is not None and version == now:
            return index
        if self.enabled and time.monotonic() - self._failed_at > RETRY_S:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._rebuild, args=(st,), daemon=True,
                                                    name="chainbrain-profile-index")
                    self._thread.start()
        return None

    def wait(self, timeout: float = 60.0) -> None:
        """Wait for a running rebuild (tests)."""
        th = self._thread
        if th is not None:
            th.join(timeout)


def holder(st) -> Holder:
    return per_store(st.store, "profile index", Holder)


def build(st, store=None) -> dict:
    """Read the index now (on ``store``, default the application's) and enable rebuilds; a summary."""
    return holder(st)._build(st, store or st.store)


def current(st) -> ProfileIndex | None:
    """The index valid for the current data, or None (read from the database)."""
    return holder(st).current(st)
