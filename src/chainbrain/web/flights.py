"""Computations in flight (#20): a second request for the same answer at the same data version waits for
the first one's answer instead of computing it again (*single flight*, :meth:`chainbrain.web.state.WebState.cached`)."""

from __future__ import annotations

import threading

from chainbrain.web.admission import Busy


class Flights:
    """Computations in flight by (data version, key): a second caller waits for the first's answer.

    A caller that finds the first one failed computes on its own (the failure may be the first
    caller's: its client left and its statement was cancelled)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running: dict = {}
        self.joined = 0                          # callers served by another's computation (tests)
        self._local = threading.local()

    def run(self, ident: tuple, work, join: bool = True):
        """``work()``'s value, or the value of the same ``ident``'s computation in flight. A thread
        already inside a flight never waits for another (it could be waiting for itself: the warm-up
        computing the cockpit asks for the cockpit's parts; or for a thread waiting for it)."""
        if not join or getattr(self._local, "depth", 0):
            return self._inside(work)
        import concurrent.futures as cf

        with self.lock:
            fut = self.running.get(ident)
            mine = fut is None
            if mine:
                fut = self.running[ident] = cf.Future()
        if not mine:
            from chainbrain.web.admission import deadline

            try:                                 # a request waits at most CHAINBRAIN_QUEUE_WAIT_S (503)
                value = fut.result(timeout=deadline())
            except Exception:
                if not fut.done():               # still computing past the deadline
                    raise Busy(503) from None
                return self._inside(work)
            with self.lock:
                self.joined += 1
            return value
        try:
            value = self._inside(work)
        except BaseException as exc:
            fut.set_exception(exc)
            raise
        else:
            fut.set_result(value)
            return value
        finally:
            with self.lock:
                if self.running.get(ident) is fut:
                    del self.running[ident]

    def _inside(self, work):
        self._local.depth = getattr(self._local, "depth", 0) + 1
        try:
            return work()
        finally:
            self._local.depth -= 1
