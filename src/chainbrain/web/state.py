"""Per-application state: the store and its pool of connections, the answer cache and settings.

The store is opened once per application; :attr:`WebState.store` is a
:class:`~chainbrain.web.pool.PooledStore` over it and :attr:`WebState.lock` a
:class:`~chainbrain.web.pool.Lease`: ``with st.lock:`` lends the thread one connection
of a bounded pool (``serve --pool``, ``CHAINBRAIN_COMPUTE_POOL``, default one per core, 2 to 4) for the block,
so computations of different requests run at once, each on its own connection
(Ibis on one connection is not thread-safe). Endpoints are plain ``def`` functions,
which FastAPI runs in a thread pool.

Answers are kept in :attr:`WebState.cache` for the store's current data version
(:mod:`chainbrain.web.cache`); serving a cached answer borrows no connection and runs
no query (the data version is re-checked at most once per second, on its own cursor).
A missing answer is computed once however many requests ask for it at the same
time (*single flight*: the others wait for the first one's answer), within the
admission bounds (:mod:`chainbrain.web.admission`).

Writes the application performs itself call :meth:`WebState.invalidate`
(the import flow does so through its jobs, :class:`chainbrain.web.imports.Jobs`), so their
effect shows at once; writes by other processes (``chainbrain import``,
``chainbrain compute``) show within :data:`chainbrain.web.cache.TTL`. An answer is never
served as current for other data than it was computed from; after a change, the answer from
before it may be served *labelled* while the fresh one computes (:mod:`chainbrain.web.stale`).

At start-up :meth:`WebState.start_warmup` precomputes, in a background
thread, the answers most requests ask for (cockpit, KPI, chains, city pages
for anonymous and public viewers, default period) so the first visitors do
not wait (:func:`chainbrain.web.api.warm_up`).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from fastapi import Request

from chainbrain.web import stale
from chainbrain.web.admission import Busy, freeze_heap
from chainbrain.web.cache import MISSING, ResultCache, version_of
from chainbrain.web.flights import Flights
from chainbrain.web.pending import PAGE_WAIT, Background, Pending
from chainbrain.web.pool import connection_lost, side_store

log = logging.getLogger("chainbrain.web")


#: seconds between checks of the data version by the warm-up thread (a command-line import)
REWARM_S = 5.0
#: the warm-up's jobs that keep the figures of every period × region (web/warmup.py): after a data change,
#: until they are done, the answers they give are the earlier ones (WebState.rekeying)
FIGURE_JOBS = ("kpi figures", "alerts figures")
#: the longest a re-warm's job waits for the requests computing to finish first (WebState._yield_to_requests)
WARM_YIELD_S = 2.0
#: answers the web's cache keeps per generation (web/cache.py: three quarters at most protected);
#: 512 in one LRU lost the warmed pages to the load test's one-off period × region answers
ANSWERS = 1024


def _index():
    from chainbrain.web.search import SearchIndex

    class MemoSearchIndex(SearchIndex):
        """The search index, with the matches of recent queries remembered per index version."""

        def __init__(self):
            super().__init__()
            self._memo: dict = {}
            self._memo_version = None
            self._memo_lock = threading.Lock()     # searches run in many threads at once

        def match(self, q: str) -> list[int]:
            version = self.version
            with self._memo_lock:
                if self._memo_version != version:
                    self._memo, self._memo_version = {}, version
                hits = self._memo.get(q)
            if hits is None:
                hits = super().match(q)
                with self._memo_lock:
                    if self._memo_version == version:   # not a match of an index replaced meanwhile
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
    pool_size: int | None = None           # connections lent to computations (web/pool.py)
    cache: ResultCache = field(default_factory=lambda: ResultCache(size=ANSWERS, keep_previous=True))
    secure_cookies: bool = False
    jobs: object = None
    search_index: object = field(default_factory=_index)
    warm: bool = True

    def __post_init__(self):
        from chainbrain.web.pool import Lease, Pool, PooledStore

        if not isinstance(self.store, PooledStore):
            self.pool = Pool(self.store, self.pool_size)
            self.store = PooledStore(self.pool)
        else:
            self.pool = self.store.pool
        self.pool_size = self.pool.size
        self.lock = Lease(self.pool)           # ``with st.lock:`` = a connection of the pool for this thread
        self.flights = Flights()
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
        # fresh answers of keys answered from before a data change meanwhile, one at a time, so that they
        # never hold every computation place while requests with no answer at all wait (web/stale.py)
        self.revalidation = Background(workers=1, name="cb-revalidate")
        self._stop = threading.Event()
        self._changed = threading.Event()
        self._running: dict = {}               # request token → the pool member computing for it
        self.warm_passes = 0                   # completed warm-up passes (first + after each data change)
        from chainbrain.web.viewers import Viewers

        self.viewers = Viewers()               # signed-in scopes the warm-up keeps ready (web/viewers.py)
        self._new_viewers: list = []           # … seen for the first time, to warm now
        self._warm_thread: threading.Thread | None = None
        self.warmed = threading.Event()
        from chainbrain.web.stale import stale_wait_s

        self.stale_wait = stale_wait_s()       # s to wait for a fresh answer before the previous one (web/stale.py)
        self.stale_served = 0                  # answers served from the previous data version
        self.carried = 0                       # answers carried over a change that changed nothing read
        # after a data change, until the warm-up has kept the figures of every period × region at the new
        # data (its jobs named in FIGURE_JOBS): kept-figure answers are the earlier ones meanwhile
        self.rekeying = False
        self._budget_lock = threading.Lock()
        self._budget_version, self._budget_started = None, {}   # key → when its first request began to wait

    def cached(self, key: tuple, compute, before=None):
        """The answer for ``key`` at the current data version; ``compute()`` (on a pool connection) if missing.

        A hit borrows nothing. On a miss, a request already computing ``key`` is waited for
        (single flight); else a connection is borrowed and the cache looked at again. A request
        that may be answered stale (:mod:`chainbrain.web.stale`) gets the answer from before the
        data changed when the fresh one takes longer than :attr:`stale_wait` or is refused: from
        memory, else ``before()`` — the answer computed from the figures and disclosure patterns
        kept at the earlier data key (:data:`chainbrain.web.kept.AS_OF`) — when given.
        """
        from chainbrain.web.kept import AS_OF, NotKept

        if AS_OF.get() is not None:               # an answer "as of" an earlier key uses kept figures only
            raise NotKept(key)
        version = self.versions.current()
        value = self.cache.lookup(version, key)
        if value is not MISSING:
            return value
        nested = self.lock._is_owned()
        if not nested and self.stale_wait is not None and stale.allowed():
            if before is not None and self.rekeying:  # the figures are being kept at the new data
                got = self._earlier_at_once(key, version, before)
                if got is not MISSING:
                    return got
            earlier = self.cache.previous(key, version)
            if earlier is not MISSING:            # the answer from before the data changed (web/stale.py)
                return self._fresh_or_before(version, key, compute, lambda: earlier, self.revalidation)
            if before is not None:                # … else from the figures kept before it changed
                return self._fresh_or_before(version, key, compute, lambda: self._as_kept_before(before))
        wait = PAGE_WAIT.get()
        if wait and not nested:                   # a page: "计算中" past the wait (web/pending.py)
            return self.background.wait((version, key), lambda: self.cached(key, compute), wait)
        with self.admission.admit():              # 429/503 when a caller or the server has too much queued
            # nested in a computation (holding a connection): compute here rather than wait for a
            # flight whose thread may itself be waiting for a connection (no deadlock on a full pool)
            return self.flights.run((version, key), lambda: self._fill(key, compute), join=not nested)

    def _fresh_or_before(self, version, key: tuple, compute, earlier, runner=None):
        """The fresh answer if it is computed within :attr:`stale_wait` s, else — or when the admission
        bound refuses to compute it now — ``earlier()`` (``(version, answer)`` from before the data
        changed, or :data:`MISSING`), labelled; the fresh computation goes on in the background
        (joined by whoever asks meanwhile). Without an earlier answer: refused, or waited for, as before.

        ``runner``: where the fresh computation runs — :attr:`revalidation` (one at a time) for a key
        with its earlier answer in memory, whose requests are answered meanwhile; else
        :attr:`background`. In the load test the fresh chain and city pages of every scope, started for
        requests answered stale after an import, held every computation place for 20–40 s while the
        period × region answers, which had no earlier answer, waited behind them and were refused."""
        runner = runner or self.background
        def fresh():
            stale.SERVED.set(None)                # the background computes the fresh answer, never stale
            return self.cached(key, compute)

        def wait(timeout):
            # the request's place under the admission bounds while it waits (the background computation
            # inherits it); a bounded number of fresh computations started for requests answered stale
            with self.admission.admit():
                running = [f for f in list(runner.running.values()) if not f.done()]
                if (version, key) not in runner.running and len(running) >= self.admission.total:
                    raise Busy(503)
                return runner.wait((version, key), fresh, timeout)
        try:
            return wait(self._budget_left(version, key))
        except (Pending, Busy) as exc:
            got = earlier()
            if got is MISSING:
                if isinstance(exc, Busy):
                    raise
                if PAGE_WAIT.get() is not None:  # a page: "计算中" past its wait (web/pending.py)
                    return wait(PAGE_WAIT.get())
                from chainbrain.web.admission import deadline

                try:                              # JSON: at most the queue wait, then 503 (the load test's
                    return wait(deadline())       # timeouts: JSON requests waited here without a bound)
                except Pending:
                    raise Busy(503) from None
            return self._serve_earlier(got)

    def _earlier_at_once(self, key: tuple, version, before):
        """While the warm-up keeps the figures of every period × region at the new data after a change
        (:attr:`rekeying`), an answer that the kept figures give (``before``: /api/kpi, /api/cockpit) is
        the earlier one, labelled, at once — from memory, else from the figures kept before — and no
        fresh computation starts: computed now it would be computed live (seconds, under load), a
        moment later from the new kept figures (milliseconds). In the load test, after an import that
        changed a row, every period × region request started such a live computation. :data:`MISSING`
        when there is no earlier answer (the request goes on as any other)."""
        got = self.cache.previous(key, version)
        if got is MISSING:
            got = self._as_kept_before(before)
        return MISSING if got is MISSING else self._serve_earlier(got)

    def _serve_earlier(self, got):
        """``got`` = ``(version, answer)`` from before a data change: the answer, labelled (web/stale.py)."""
        stale.note(got[0])
        self.stale_served += 1
        return got[1]

    def _budget_left(self, version, key: tuple) -> float:
        """What is left of :attr:`stale_wait` for ``key``'s fresh answer at ``version``, counted from the
        first request that waited for it: later requests for an answer already being computed longer
        than the budget get the earlier answer at once, not after another wait."""
        import time

        now = time.monotonic()
        with self._budget_lock:
            if self._budget_version != version:
                self._budget_version, self._budget_started = version, {}
            started = self._budget_started.setdefault(key, now)
        return max(0.0, self.stale_wait - (now - started))

    def _as_kept_before(self, before):
        """``(("kept", key), before())`` with figures and disclosure patterns read as kept at the key the
        figures of every period × region were last kept at, when that is not the current data key;
        :data:`MISSING` when it is, or when ``before()`` needs something not kept there."""
        from chainbrain.web import kept

        # a short read on a free connection of the pool; never wait for one (the load test: requests
        # waited here ~25 s for a connection before being refused)
        if not self.lock.acquire(timeout=0.05):
            return MISSING
        try:
            old = kept.before_key(self.store)
            if old is None or old == kept._data_key(self.store):
                return MISSING
            token = kept.AS_OF.set(old)
            try:
                return ("kept", old), before()
            except kept.NotKept:
                return MISSING
            finally:
                kept.AS_OF.reset(token)
        finally:
            self.lock.release()

    def _fill(self, key: tuple, compute):
        from chainbrain.web.admission import deadline

        # one of the pool's ``size`` places of computations (a nested one has its place already);
        # a request waits for it at most ``CHAINBRAIN_QUEUE_WAIT_S``, then 503 (web/admission.py)
        placed = not self.lock._is_owned()
        if placed and not self.pool.computing.acquire(timeout=deadline()):
            raise Busy(503)
        try:
            with self.lock:
                version = self.versions.current()
                value = self.cache.lookup(version, key)
                if value is MISSING:
                    value = self._compute(compute)
                    self.cache.put(version, key, value)
        finally:
            if placed:
                self.pool.computing.release()
        return value

    def _compute(self, compute):
        """``compute()`` on a live connection: PostgreSQL's analytics connection is checked first
        (replaced after a server restart) and a computation that lost its connection midway runs
        once more on a new one."""
        from chainbrain.web.disconnect import REQUEST

        token, side = REQUEST.get(), self.pool.current()
        if token is not None:
            self._running[token] = side        # whose computation holds which connection (disconnect)
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
            if token is not None and self._running.get(token) is side:
                self._running.pop(token, None)

    def cancel_request(self, token) -> bool:
        """Cancel the statement the request ``token``'s computation is running, if any (its client left)."""
        side = self._running.get(token)
        if side is None:
            return False
        side.cancel()
        return True

    def invalidate(self) -> None:
        """The application wrote data: every cached answer is outdated now (kept as the earlier generation
        for labelled answers from before the write, web/stale.py), and the warm-up runs again."""
        self.versions.bump()                   # every connection's version of the database (store.version)
        self.cache.outdate()
        self._changed.set()

    # ------------------------------------------------------------ warm-up
    def note_viewer(self, user) -> None:
        """A signed-in request of ``user``: its scope is kept ready by the warm-up from now on, and
        warmed at once when it is new (:mod:`chainbrain.web.viewers`)."""
        if self.warm and self.viewers.touch(user):
            with self._budget_lock:
                self._new_viewers.append(user)
            self._changed.set()

    def start_warmup(self, jobs, viewer_jobs=None) -> None:
        """Precompute in the background: ``jobs(store)`` returns ``[(key, compute), …]``;
        ``viewer_jobs(store, user)`` those of one signed-in scope, warmed when it is first seen.

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

        def one_pass(own, listed=None) -> None:
            paused = self.warm_passes == 0 or listed is not None   # the hook holds a re-warm only
            todo = list(jobs(own) if listed is None else listed)
            figures, ended = {key for key, _ in todo if key[0] in FIGURE_JOBS}, None
            for key, compute in todo:
                figures.discard(ended)            # the job before has ended (done, cached or failed)
                if not figures:
                    self.rekeying = False
                ended = key
                if self._stop.is_set():
                    return
                if not paused:
                    paused = _warm_pause()
                version = self.versions.current()
                if self.cache.lookup(version, key) is not MISSING:
                    continue
                if not figures and (self.warm_passes or listed is not None):
                    self._yield_to_requests()     # a re-warm: its answers' earlier ones are served meanwhile
                began = time.monotonic()
                try:                              # a request asking for it meanwhile joins (single flight)
                    self.flights.run((version, key), lambda: self._warm_one(version, key, compute))
                    if time.monotonic() - began >= 1.0:
                        log.info("warm-up: %s took %.1f s", key, time.monotonic() - began)
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
                basis = self._basis(own)
                freeze_heap()                     # what the pass left behind: out of the collector's scans
                self.warmed.set()
                self.warm_passes += 1
                while not self._stop.is_set():
                    self._changed.wait(REWARM_S)
                    self._changed.clear()
                    if self._stop.is_set():
                        break
                    now = self.versions.current()
                    with self._budget_lock:
                        new, self._new_viewers = self._new_viewers, []
                    if now != warmed_at:              # every scope, the new ones included
                        warmed_at = now
                        from chainbrain.store.version import version_of

                        version_of(own).refresh()     # a write by another process: own's counters re-read
                        # nothing read changed: the answers stay (none to re-warm); else the kept figures'
                        # answers are the earlier ones until the figures are kept at the new data
                        self.rekeying = not self.carry_over(own, basis)
                        began = time.monotonic()
                        try:
                            one_pass(own)
                        finally:
                            self.rekeying = False
                        log.info("warm-up after a data change: %.1f s", time.monotonic() - began)
                        basis = self._basis(own)
                        freeze_heap()
                        self.warm_passes += 1
                    elif viewer_jobs is not None:
                        for user in new:
                            one_pass(own, viewer_jobs(own, user))
            except Exception as exc:
                log.warning("warm-up failed: %s", exc)
            finally:
                if own is not None and own is not self.store:
                    own.close()
                self.warmed.set()

        self._warm_thread = threading.Thread(target=work, daemon=True, name="chainbrain-warmup")
        self._warm_thread.start()

    def _yield_to_requests(self) -> float:
        """Before a job of a re-warm (after the figure jobs): wait while requests are computing, at most
        :data:`WARM_YIELD_S` s, checked every 20 ms; the seconds waited. The re-warm recomputes answers
        whose earlier ones are served, labelled, meanwhile; the requests computing have nothing to
        serve. In the load test the re-warm after a change (35 s) took one of the two cores while the
        first requests of fifty users waited 2–12 s for theirs."""
        began = time.monotonic()
        while self.admission.running > 0 and not self._stop.is_set():
            if time.monotonic() - began >= WARM_YIELD_S:
                break
            time.sleep(0.02)
        return time.monotonic() - began

    def _basis(self, own):
        """``(version, answers key, inputs key)``: the data version, the content of everything a cached
        answer may read (:func:`chainbrain.store.content.answers_key`) and of what the carried families
        read (:func:`chainbrain.web.answer_inputs.key`), on the warm-up's connection ``own``, read with
        the version the same before and after; None when it moved meanwhile or cannot be read."""
        from chainbrain.store.content import answers_key
        from chainbrain.web import answer_inputs

        self.versions.refresh()
        before = self.versions.current()
        try:
            key, inputs = answers_key(own), answer_inputs.key(own)
        except Exception as exc:                  # noqa: BLE001 — no carry-over, the re-warm as before
            log.info("answers key not read: %s", exc)
            return None
        self.versions.refresh()
        return (before, key, inputs) if key is not None and self.versions.current() == before else None

    def carry_over(self, own, basis) -> int:
        """After a data change: when nothing any cached answer reads has changed since ``basis`` (the
        version and answers key of the last warm-up pass: :meth:`_basis`) — an import of rows exactly as
        stored, a command that wrote nothing an answer reads — the answers of that version are the current
        ones (:meth:`chainbrain.web.cache.ResultCache.adopt`): nothing is recomputed, and no request after
        it is answered from before the change. In the load test every import was of rows as stored and
        every cached answer of every scope was computed again after it. The number of answers carried over."""
        if basis is None:
            return 0
        now = self._basis(own)
        if now is None or now[0] == basis[0]:
            return 0
        if now[1] != basis[1]:
            self._carry_families(basis, now)
            return 0
        n = self.cache.adopt(basis[0], now[0])
        self.carried += n
        log.info("data version moved, nothing read changed: %d answers carried over", n)
        return n

    def _carry_families(self, basis, now) -> int:
        """Something an answer may read changed, but not what the cockpit, KPI, chain and city answers
        read (:mod:`chainbrain.web.answer_inputs`: an employee count, a supply link, a work-system
        row): those answers of ``basis``'s version are the current ones, the others are computed
        again. The figure jobs still run (``rekeying`` stays). The number carried over."""
        from chainbrain.web import answer_inputs

        if basis[2] is None or now[2] != basis[2]:
            return 0
        n = self.cache.adopt(basis[0], now[0], only=answer_inputs.carried)
        self.carried += n
        log.info("data version moved, the chain and city answers' inputs did not: %d answers carried over", n)
        return n

    def _warm_one(self, version, key, compute):
        value = self.cache.lookup(version, key)
        if value is MISSING:
            value = compute()
            self.cache.put(version, key, value, hot=True)     # prepared for many: protected (web/cache.py)
        return value

    def close(self, timeout: float = 10.0) -> bool:
        """Shutdown: cancel running statements, wait up to ``timeout`` s for lent connections, close them.
        False when some were still lent (their computations end on their own)."""
        self.pool.cancel()
        drained = self.pool.drain(timeout)
        if drained:
            self.pool.close()
        return drained

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
        self.revalidation.close()
        self.versions.close()


def _warm_pause() -> bool:
    """Test hook (kill tests): when ``CHAINBRAIN_WARM_PAUSE`` names a file, a re-warm after a data
    change writes the process id there before its first answer and sleeps ``CHAINBRAIN_WARM_PAUSE_S``
    seconds (default 60)."""
    import os
    import time

    path = os.environ.get("CHAINBRAIN_WARM_PAUSE")
    if path:
        with open(path, "w") as f:
            f.write(str(os.getpid()))
        time.sleep(float(os.environ.get("CHAINBRAIN_WARM_PAUSE_S", "60")))
    return True


def get_state(request: Request) -> WebState:
    return request.app.state.web
