"""Bound the uncached work one caller, and everyone together, can queue (#20).

Cached answers take no lock and are never refused. A request whose answer must be
computed is admitted only while

- its caller (a signed-in session, else the client address) has fewer than
  ``per_caller`` computations waiting or running — else **429** ``Too Many Requests``;
- fewer than ``total`` computations wait or run in this process — else **503**
  ``Service Unavailable``;

both with ``Retry-After`` and one bilingual message. Work of the server itself (the
warm-up, report schedules, the control socket) has no caller and is always admitted; a
computation nested in an admitted one is not counted again. Limits:
``CHAINBRAIN_COMPUTE_PER_USER`` (default 4: a page and its chart fetches) and
``CHAINBRAIN_COMPUTE_TOTAL`` (default 16).

Worker threads: FastAPI runs every plain ``def`` endpoint and dependency on AnyIO's worker
threads, 40 by default. A request waiting for a computation (its place in the pool, a single
flight, a search) holds its thread while it waits, so under the 50-user load test the 40 filled
and a cached answer or a refusal queued for a thread (p95 ≈ 1.3 s). :func:`widen_worker_threads`
(at start-up) raises the limit to ``CHAINBRAIN_WEB_THREADS`` (default :data:`WORKER_THREADS`): a
waiting thread costs a little memory and no CPU, and what runs at once is bounded here and by
the pool, not by the thread count.

The interpreter lock: the threads computing answers (and the warm-up) run Python too (pandas,
records, JSON), and a thread that wants the lock waits up to the interpreter's switch interval
(5 ms) each time — the event loop and every request thread many times per request. Measured on
this 2-core machine: cached /api/kpi answers (10 concurrent clients) while three threads run
Python, p50 / p95 600–790 / 1,080–1,400 ms at 5 ms, 150 / 350–450 ms at 0.5 ms.
:func:`widen_worker_threads` sets it to ``CHAINBRAIN_GIL_SWITCH_MS`` (default :data:`SWITCH_MS`).
"""

from __future__ import annotations

import contextvars
import hashlib
import threading
from collections import Counter
from contextlib import contextmanager

from chainbrain.config import env_number

#: who the request's work is for: ``session:<digest>`` or ``addr:<ip>``; None for the server's own work
CALLER: contextvars.ContextVar = contextvars.ContextVar("chainbrain_caller", default=None)
_ADMITTED: contextvars.ContextVar = contextvars.ContextVar("chainbrain_admitted", default=False)

#: worker threads for endpoints (AnyIO's default is 40): module docstring. 256 was measured once under
#: the load test and was worse (more requests running Python at once); 64 leaves room for the admission
#: bound's 16 computations and the requests joining them, while keeping Python work at once moderate
WORKER_THREADS = 64

#: the interpreter's thread switch interval, ms (Python's default is 5): module docstring
SWITCH_MS = 0.5

RETRY_AFTER = 5          # seconds: an uncached answer takes about that long at province scale

#: seconds a request waits for a computation's place, or for the same answer computed by another
#: request, before it is refused with 503 (``CHAINBRAIN_QUEUE_WAIT_S``): in the load test, requests
#: admitted at the back of a queue of 16 waited past the clients' 60 s and ended as timeouts
QUEUE_WAIT_S = 20.0


class Busy(Exception):
    """Refused for now: ``status`` 429 (this caller) or 503 (the server), retry after ``retry_after`` s."""

    def __init__(self, status: int, retry_after: int = RETRY_AFTER):
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after

    def message(self) -> str:
        if self.status == 429:
            return ("too many of your requests are being computed; try again in a few seconds "
                    "(您的请求正在计算中，请几秒后再试)")
        return "the server is busy computing other requests; try again in a few seconds (服务器繁忙，请几秒后再试)"


def _limit(name: str, default: int) -> int:
    """A whole number ≥ 1 from the environment variable ``name`` (unset: ``default``); anything else is
    a :class:`~chainbrain.config.ConfigError` (``serve`` refuses it in one line: :func:`check_environment`)."""
    return env_number(name, default, int, 1)


def _switch_ms() -> float:
    return env_number("CHAINBRAIN_GIL_SWITCH_MS", SWITCH_MS, float, 0, above=True)


def heap_freeze() -> bool:
    """``CHAINBRAIN_GC_FREEZE`` (on unless ``off``/``0``/``false``/``no``; off under pytest unless set):
    whether the warm-up moves the objects it leaves behind out of the garbage collector's reach
    (:func:`freeze_heap`)."""
    import os

    raw = os.environ.get("CHAINBRAIN_GC_FREEZE", "").strip().lower()
    if not raw:
        return "PYTEST_CURRENT_TEST" not in os.environ
    return raw not in ("0", "off", "false", "no")


def freeze_heap() -> bool:
    """After a warm-up pass: every object the process holds now goes into the collector's permanent
    generation (``gc.freeze``), which its full collections do not scan. The warmed server holds
    millions of long-lived objects (the search and profile indexes, the answers, the memos); a full
    collection scanned them all while every thread, requests included, stood still — in the load
    test 0.3–0.4 s, every one to two seconds while pages were computed (found in the twenty-second
    session by logging each collection). Objects frozen are still freed when no longer referenced;
    only reference cycles among them wait for :func:`gc.unfreeze`. Done when :func:`heap_freeze`."""
    if not heap_freeze():
        return False
    import gc

    gc.freeze()
    return True


#: allocations between two young collections in the server (Python's default is 700): :func:`tune_collector`
YOUNG = 50_000


def tune_collector() -> tuple | None:
    """In the server (when :func:`heap_freeze`): the young generation's threshold to
    ``CHAINBRAIN_GC_YOUNG`` (default :data:`YOUNG`, at least 700), so that young collections — and the full
    collections counted in them, each a pause of every thread — come that many times less often. After a
    change in the load test, with the heap frozen by the pass before, full collections of 50–150 ms came
    every 0.6 s while the re-warm and the first requests computed (63 in 40 s, 8.4 s of standstill):
    CPython collects the oldest generation once a quarter as many objects as survived its last full
    collection have been promoted, and after a freeze that is a small number. The thresholds set, or
    None (not the server)."""
    if not heap_freeze():
        return None
    import gc

    _, middle, old = gc.get_threshold()
    gc.set_threshold(gc_young(), middle, old)
    return gc.get_threshold()


def gc_young() -> int:
    """``CHAINBRAIN_GC_YOUNG`` (default :data:`YOUNG`): a whole number ≥ 700 (Python's default)."""
    return env_number("CHAINBRAIN_GC_YOUNG", YOUNG, int, 700)


def queue_wait_s() -> float:
    """``CHAINBRAIN_QUEUE_WAIT_S`` (default :data:`QUEUE_WAIT_S`): a number of seconds > 0."""
    return env_number("CHAINBRAIN_QUEUE_WAIT_S", QUEUE_WAIT_S, float, 0, above=True)


#: set in a background computation started for a request (web/pending.py): it keeps the request's
#: place but waits its turn, however long — nobody waits for it past the request's own wait
_PATIENT: contextvars.ContextVar = contextvars.ContextVar("chainbrain_patient", default=False)


def patient() -> None:
    """The current context's computations wait for a place without a deadline (:func:`deadline`)."""
    _PATIENT.set(True)


def deadline() -> float | None:
    """How long the current request may wait for a place or another's computation (s); None for the
    server's own work (the warm-up, page computations in the background), which waits its turn."""
    return None if CALLER.get() is None or _PATIENT.get() else queue_wait_s()


def check_environment() -> None:
    """Refuse a bad admission, threading or warm-up variable before the server starts (``serve``)."""
    from chainbrain.web.disclosure import enterprise_scopes
    from chainbrain.web.viewers import limit

    enterprise_scopes()
    for name in ("CHAINBRAIN_COMPUTE_PER_USER", "CHAINBRAIN_COMPUTE_TOTAL", "CHAINBRAIN_WEB_THREADS"):
        _limit(name, 1)
    _switch_ms()
    queue_wait_s()
    gc_young()
    limit()


class Admission:
    """Counts of computations waiting or running, per caller and in all."""

    def __init__(self, per_caller: int | None = None, total: int | None = None):
        self.per_caller = per_caller or _limit("CHAINBRAIN_COMPUTE_PER_USER", 4)
        self.total = total or _limit("CHAINBRAIN_COMPUTE_TOTAL", 16)
        self.counts: Counter = Counter()
        self.running = 0
        self._lock = threading.Lock()

    @contextmanager
    def admit(self, light: bool = False):
        """Hold a place for one computation of the current caller, or raise :class:`Busy`.
        ``light``: cheap work that takes no analytics lock (a search): bounded per caller only,
        neither refused by nor counted in the server's total."""
        caller = CALLER.get()
        if caller is None or _ADMITTED.get():
            yield
            return
        with self._lock:
            if self.counts[caller] >= self.per_caller:
                raise Busy(429)
            if self.running >= self.total and not light:
                raise Busy(503)
            self.counts[caller] += 1
            self.running += 0 if light else 1
        token = _ADMITTED.set(True)
        try:
            yield
        finally:
            _ADMITTED.reset(token)
            with self._lock:
                self.counts[caller] -= 1
                if self.counts[caller] <= 0:
                    del self.counts[caller]
                self.running -= 0 if light else 1


def caller_of(scope, networks=()) -> str:
    """The caller of an ASGI request: its session cookie (hashed) when it has one, else its client
    address (``X-Forwarded-For`` believed from the trusted proxies only: :mod:`chainbrain.web.proxies`)."""
    from chainbrain.web.proxies import client_address

    forwarded = []
    for name, value in scope.get("headers") or ():
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key in ("cb_session", "__Host-cb_session") and val:
                    return "session:" + hashlib.sha256(val.encode()).hexdigest()[:16]
        elif name == b"x-forwarded-for":
            forwarded.append(value.decode("latin-1"))
    client = scope.get("client")
    return "addr:" + client_address(client[0] if client else "?", forwarded, tuple(networks or ()))


def widen_worker_threads() -> int:
    """Raise the running event loop's worker-thread limit to ``CHAINBRAIN_WEB_THREADS`` (default
    :data:`WORKER_THREADS`; never below AnyIO's 40) and set the interpreter's switch interval to
    ``CHAINBRAIN_GIL_SWITCH_MS`` (default :data:`SWITCH_MS`, 0.1–5), and the collector's young threshold
    (:func:`tune_collector`). Call from the application's lifespan."""
    import sys

    import anyio.to_thread

    sys.setswitchinterval(min(5.0, max(0.1, _switch_ms())) / 1000)
    tune_collector()

    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = max(int(limiter.total_tokens), _limit("CHAINBRAIN_WEB_THREADS", WORKER_THREADS))
    return int(limiter.total_tokens)
