"""Worker processes for the pure-Python part of the disclosure audit (#20).

The firm-level audit's exact reduction (:func:`chainbrain.analytics.gf_reduce.firm_solutions`) is
pure Python: ≈ 75 % of a restricted viewer's pattern (≈ 18 of 24 s per month family at province
scale). In the server it would hold the interpreter lock, in slices of the switch interval, from
every request for as long — the load test's "no user's p95 doubled by another's heavy requests".
With :func:`start` (the server does it at start-up when configured) it runs in worker processes instead: the block
goes there as two integer arrays and comes back as the few solutions found, so the server's threads
keep the lock. Without workers (the command line, tests that do not start them) it runs in-process;
the answer is the same either way (tested).

``CHAINBRAIN_SOLVER_PROCESSES``: worker processes of the server (default 0: in-process). Measured
in the 50-user load test on the 2-core machine (docs/web.md): with one worker the light users' p95
under load was 266 ms and every route had stalls of up to 5 s, against 119 ms and none in-process —
on two cores the worker takes the second core from the database and the server's other threads.
Use it on a machine with cores to spare. Processes are
started by *spawn* (the server has threads and open database connections: a fork would copy them).
A broken pool (a worker killed) is logged and the work done in-process from then on; a worker
ends when the server process is gone. Spawn imports the main module in the worker: ``chainbrain
serve``, ``python -m chainbrain`` and uvicorn are safe; a script of one's own that creates and
serves the application needs the ``if __name__ == "__main__":`` guard (or
``CHAINBRAIN_SOLVER_PROCESSES=0``).
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)

_POOL = None
_LOCK = threading.Lock()
done_remote = 0            # tasks solved in a worker process (tests, /metrics-like counts)


def processes() -> int:
    """``CHAINBRAIN_SOLVER_PROCESSES``: a whole number ≥ 0, default 0 (module docstring)."""
    from chainbrain.config import env_number

    return env_number("CHAINBRAIN_SOLVER_PROCESSES", 0, int, 0)


def start(n: int | None = None) -> int:
    """Start ``n`` worker processes (default :func:`processes`); the number running."""
    global _POOL
    import concurrent.futures as cf
    import multiprocessing as mp

    n = processes() if n is None else n
    with _LOCK:
        if _POOL is None and n > 0:
            _POOL = cf.ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("spawn"),
                                           initializer=_watch_parent, initargs=(os.getpid(),))
        return 0 if _POOL is None else n


def _watch_parent(ppid: int) -> None:
    """In a worker: end when the server process is gone (a SIGKILL leaves no one to shut the pool
    down, and an orphaned worker would wait for work forever)."""
    import time

    def watch():
        while os.getppid() == ppid:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="chainbrain-solver-watch").start()


def stop() -> None:
    """Shut the workers down (the server's shutdown)."""
    global _POOL
    with _LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def run(fn, *args):
    """``fn(*args)`` in a worker process when they are started, else here. ``fn`` must be a
    module-level function of plain arguments (it is pickled by name)."""
    global _POOL, done_remote
    pool = _POOL
    if pool is None:
        return fn(*args)
    try:
        value = pool.submit(fn, *args).result()
    except Exception as exc:                     # noqa: BLE001 — a broken pool: in-process from now on
        from concurrent.futures.process import BrokenProcessPool

        if not isinstance(exc, BrokenProcessPool):
            raise
        log.warning("disclosure solver workers stopped (%s): solving in-process", exc)
        with _LOCK:
            if _POOL is pool:
                _POOL = None
        return fn(*args)
    done_remote += 1
    return value


__all__ = ["processes", "run", "start", "stop"]
