"""Cached answers, valid for one *data version* of the store.

Figures change only when data is written, so pages keep the answers they
have assembled and reuse them while the store's data version stays the same.

The data version (:class:`~chainbrain.store.version.DataVersion`) is what writers leave behind: every
import through :func:`chainbrain.ingest.load.import_file` (CLI or the web
import flow) adds an ``import_batch`` row, ``chainbrain compute`` adds a
``compute_run`` row, and direct corrections change the row counts of the fact
tables (DuckDB) or PostgreSQL's trigger-kept change counter
(:func:`chainbrain.store.changes.data_sql`). Checking costs one small
query, so it runs at most once per :data:`TTL` seconds (on its own DuckDB
cursor, never under the analytics lock): a write by another process shows
within ``TTL``. Writes the web application performs itself (its import
flow) call :meth:`DataVersion.bump`, which invalidates at once.

:class:`ResultCache` is a thread-safe LRU of answers tagged with the version
they were computed at; a lookup never waits for the analytics lock. Answers
are shared, not copied: callers treat them as read-only (build new dicts
when they need to add something).

``keep_previous`` (the web's answer cache): when the version moves on, the answers of the
version before are kept as one *previous generation* (:meth:`ResultCache.previous`) instead of
dropped, so a request can be answered with the data from before an import, labelled, while the
fresh answer is computed (:meth:`chainbrain.web.state.WebState.cached`, #20): for each key the
newest answer of an earlier version, with that version. A lookup never returns an earlier answer
as a current one.

Segmented LRU (#20): answers asked once (*probation*, :attr:`ResultCache.items`) and answers asked
again or prepared by the warm-up (*protected*, :attr:`ResultCache.hot`, at most three quarters of
``size``) share ``size`` places, in each generation; the protected answer least recently used goes
back to probation. An answer asked once is evicted before a protected one: in the load test
(one cache of 512), the one-off period × region answers of 60 seconds pushed every warmed chain and
city page out of both generations, so the pages asked after the second and third import had no
earlier answer to be served while their fresh ones computed (10–17 s under load instead of a
labelled answer at once).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Callable

from chainbrain.store.version import (COMPUTE_SQL, TTL, VERSION_SQL, DataVersion, _per_store,  # noqa: F401
                                      data_version, per_store, version_of)

MISSING = object()
BODIES = 128            # encoded answers kept by :meth:`ResultCache.encoded`


def cache_enabled() -> bool:
    """``CHAINBRAIN_WEB_CACHE=off`` (also ``0``/``false``/``no``) turns the answer cache off: every
    request computes its answer (benchmarks' uncached baseline, debugging)."""
    return os.environ.get("CHAINBRAIN_WEB_CACHE", "").strip().lower() not in ("0", "off", "false", "no")


class ResultCache:
    """Least-recently-used answers keyed by request parameters, valid for one data version.

    ``enabled=False`` (default: :func:`cache_enabled`) keeps nothing: every lookup misses.
    """

    def __init__(self, size: int = 512, enabled: bool | None = None, keep_previous: bool = False):
        self.size = size
        self.hot_size = max(1, size * 3 // 4)
        self.keep_previous = keep_previous
        self.previous_version: tuple | None = None
        self.previous_items: OrderedDict = OrderedDict()     # key → (version, answer): asked once
        self.previous_hot: OrderedDict = OrderedDict()       # key → (version, answer): protected
        self.enabled = cache_enabled() if enabled is None else enabled
        self.version: tuple | None = None
        self.items: OrderedDict = OrderedDict()              # probation: asked once
        self.hot: OrderedDict = OrderedDict()                # protected: asked again, or warmed
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.derived_items: OrderedDict = OrderedDict()      # key → value derived from an answer
        self.bodies: OrderedDict = OrderedDict()             # id(answer) → (answer, its encoding)

    def __len__(self) -> int:
        return len(self.items) + len(self.hot)

    def lookup(self, version: tuple, key: tuple):
        """The answer for ``key`` at ``version``, or :data:`MISSING`. A second hit protects it."""
        with self.lock:
            if version != self.version:
                if self.keep_previous and version == self.previous_version:
                    # a caller still at the version before (it read the version before a change)
                    got = self._earlier(key)
                    return got[1] if got is not MISSING and got[0] == version else MISSING
                self._rotate(version)
            value = self.hot.get(key, MISSING)
            if value is not MISSING:
                self.hot.move_to_end(key)
            else:
                value = self.items.pop(key, MISSING)
                if value is not MISSING:                     # asked again: protected from now on
                    self._protect(key, value)
            if value is MISSING:
                self.misses += 1
            else:
                self.hits += 1
            return value

    def put(self, version: tuple, key: tuple, value, hot: bool = False) -> None:
        """Keep ``value`` unless the data moved on while it was computed; ``hot``: protected at once
        (the warm-up's answers)."""
        if not self.enabled:
            return
        with self.lock:
            if self.keep_previous and version == self.previous_version and version != self.version:
                # computed at the version before: still that one's
                self._keep_earlier(key, (version, value), hot or key in self.previous_hot)
                return
            if self.version is None:
                self.version = version
            if version != self.version:
                return
            if hot or key in self.hot:
                self.items.pop(key, None)
                self._protect(key, value)
            else:
                self.items[key] = value
                self.items.move_to_end(key)
                self._trim(self.hot, self.items)

    def _protect(self, key, value) -> None:
        """``key`` into the protected LRU. Under :attr:`lock`."""
        self.hot[key] = value
        self.hot.move_to_end(key)
        self._trim(self.hot, self.items)

    def _trim(self, hot: OrderedDict, cold: OrderedDict) -> None:
        """The protected segment's least recently used entries beyond :attr:`hot_size` back to
        probation (as its most recent), then probation's oldest beyond the ``size`` places left."""
        while len(hot) > self.hot_size:
            old, entry = hot.popitem(last=False)
            cold[old] = entry
        while cold and len(cold) + len(hot) > self.size:
            cold.popitem(last=False)

    def _earlier(self, key):
        """``(version, answer)`` of ``key`` in the earlier generation, or :data:`MISSING`. Under :attr:`lock`."""
        got = self.previous_hot.get(key, MISSING)
        return got if got is not MISSING else self.previous_items.get(key, MISSING)

    def _keep_earlier(self, key, entry, hot: bool) -> None:
        """``entry`` as ``key``'s newest earlier answer (each key in one segment). Under :attr:`lock`."""
        keep, other = (self.previous_hot, self.previous_items) if hot else (self.previous_items, self.previous_hot)
        other.pop(key, None)
        keep[key] = entry
        keep.move_to_end(key)
        self._trim(self.previous_hot, self.previous_items)

    def _rotate(self, version) -> None:
        """The data moved on to ``version`` (None: not known yet): the current answers join the
        earlier ones (``keep_previous``, each in its segment) or are dropped. Under :attr:`lock`."""
        if self.keep_previous:
            if self.version is not None:
                for segment, hot in ((self.items, False), (self.hot, True)):
                    for key, value in segment.items():
                        self._keep_earlier(key, (self.version, value), hot)
                self.previous_version = self.version
            self.items, self.hot = OrderedDict(), OrderedDict()
        else:
            self.items.clear()
            self.hot.clear()
        self.derived_items.clear()
        self.version = version

    def previous(self, key: tuple, current: tuple):
        """``(version, answer)``: the newest answer of ``key`` computed at an earlier version than
        ``current`` (the version a caller just read), or :data:`MISSING` (none kept, or the cache is
        not at ``current``). Usually the version directly before; older when the key was not asked
        again in between (two imports in quick succession)."""
        with self.lock:
            if not self.keep_previous or self.version not in (current, None):
                return MISSING
            return self._earlier(key)

    def adopt(self, old: tuple, new: tuple, only: Callable[[tuple], bool] | None = None) -> int:
        """The answers computed at ``old`` are the answers at ``new`` too (the warm-up found that nothing
        any answer reads changed between them: :meth:`chainbrain.web.state.WebState.carry_over`): the
        earlier generation's answers of ``old`` become current at ``new``, each in its segment, unless a
        fresh one is in already; with ``only``, the answers whose key it accepts (the families whose
        declared inputs did not change: :mod:`chainbrain.web.answer_inputs`). Nothing when the cache has
        moved on to a third version. The number adopted."""
        with self.lock:
            if not self.keep_previous or self.version not in (None, old, new):
                return 0
            if self.version != new:
                self._rotate(new)
            n = 0
            for segment, hot in ((self.previous_items, False), (self.previous_hot, True)):
                for key, (version, value) in list(segment.items()):
                    if version != old or key in self.hot or key in self.items or (only and not only(key)):
                        continue
                    if hot:
                        self._protect(key, value)
                    else:
                        self.items[key] = value
                        self._trim(self.hot, self.items)
                    n += 1
            return n

    def outdate(self) -> None:
        """The application wrote: the current answers are no longer valid (kept as the previous
        generation when ``keep_previous``, for answers labelled as from before the write)."""
        with self.lock:
            self._rotate(None)

    def forget_earlier(self) -> None:
        """Forget the earlier generation only."""
        with self.lock:
            self.previous_items.clear()
            self.previous_hot.clear()

    def clear(self) -> None:
        """Forget every answer, the earlier generation included."""
        with self.lock:
            self.items.clear()
            self.hot.clear()
            self.previous_items.clear()
            self.previous_hot.clear()
            self.derived_items.clear()
            self.bodies.clear()
            self.previous_version = None
            self.version = None

    def derived(self, version: tuple, key: tuple, make: Callable[[], object]):
        """A value derived from cached answers (e.g. an answer's encoded JSON body), kept for
        ``version`` alongside them; not counted as a hit or miss. ``make()`` runs without any lock
        (it must be cheap to repeat: two threads may both make it). A value made from an answer
        served from before a data change (:mod:`chainbrain.web.stale`) is not kept: it would be
        given, unlabelled, for ``version`` after the fresh answer is in (found in the twentieth
        session: a page's JSON twin showed the data from before an import until the next one)."""
        from chainbrain.web import stale

        with self.lock:
            if version == self.version:
                value = self.derived_items.get(key, MISSING)
                if value is not MISSING:
                    self.derived_items.move_to_end(key)
                    return value
        served = len(stale.served())
        value = make()
        if self.enabled and len(stale.served()) == served:
            with self.lock:
                if version == self.version:
                    self.derived_items[key] = value
                    while len(self.derived_items) > self.size:
                        self.derived_items.popitem(last=False)
        return value

    def encoded(self, answer, encode: Callable[[object], bytes]) -> bytes:
        """``encode(answer)``, once per answer object (answers are shared and never changed, so the same
        object has the same encoding): an answer served from before a data change is not kept by
        :meth:`derived`, and the load test encoded the same earlier chain page again for every request
        answered with it (5 % of the interpreter after an import). The last :data:`BODIES` answers."""
        with self.lock:
            got = self.bodies.get(id(answer))
            if got is not None and got[0] is answer:
                self.bodies.move_to_end(id(answer))
                return got[1]
        body = encode(answer)
        if self.enabled:
            with self.lock:
                self.bodies[id(answer)] = (answer, body)       # the answer held: its id is not reused
                self.bodies.move_to_end(id(answer))
                while len(self.bodies) > BODIES:
                    self.bodies.popitem(last=False)
        return body

    def get(self, store, key: tuple, compute: Callable[[], object]):
        """Compatibility: the answer at the store's current version, computed when missing."""
        version = data_version(store)
        value = self.lookup(version, key)
        if value is MISSING:
            value = compute()
            self.put(version, key, value)
        return value

