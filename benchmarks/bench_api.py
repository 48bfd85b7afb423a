"""API latency: p95 of each main endpoint with 20 concurrent clients on loopback.

Set-up: the demo province at ``scale`` is copied to a temporary file, migrated
to the newest schema, and given one ``province_admin`` account. The server runs
in a SEPARATE process (``python -m benchmarks.bench_api serve``: uvicorn with the
application of ``chainbrain serve --public-aggregates``, one worker) on a free
loopback port, with the full start-up warm-up (``CHAINBRAIN_WEB_WARMUP=full``:
the precomputed aggregates the issue allows); the server process reports when
its warm-up has finished and the benchmark waits for that before measuring.

Load: this process runs ``CLIENTS`` (20) threads, each with its own
``httpx.Client`` pair (anonymous, and signed in as the admin through
``POST /api/login`` — the sign-ins are made one after another before the
clock starts: concurrent sign-ins currently fail on the shared DuckDB
connection, see ``login_errors``), cycling through :data:`ENDPOINTS` — cockpit, KPI, chain
list, a chain page, a city page, a search, and an enterprise profile (signed
in; a different enterprise per request, from a fixed sample) — until each
client has sent ``REQUESTS`` requests or ``TIME_LIMIT`` seconds have passed.
Every latency (request sent → body read) is recorded; every non-200 answer or
exception counts as an error. Before the timed run each endpoint is requested
once (not timed).

Baseline: the same endpoints, the same 20 clients and the same server command
with the answer cache turned off (``CHAINBRAIN_WEB_CACHE=off``, no warm-up):
every request computes its answer. It sends ``BASELINE_REQUESTS`` per client
(fewer: uncached answers cost up to seconds each) within the same time limit.

Recorded (``record``): ``ours_s`` = Σ over endpoints of the p95 with the cache,
``baseline_s`` = the same Σ without it, ``ratio`` = baseline / ours; per
endpoint ``p95_ms``, ``p50_ms``, ``errors`` and the baseline's
``baseline_p95_ms`` / ``baseline_errors``; request counts, wall times, the
warm-up time, the 1-minute load average before and after, and ``peak_mb`` =
the server process's peak resident set size (VmHWM), the cached run's.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from benchmarks.data import demo_store
from benchmarks.harness import record

CLIENTS = 20
REQUESTS = 70            # per client, cached run (10 rounds of the 7 endpoints)
BASELINE_REQUESTS = 7    # per client, uncached run (one round)
TIME_LIMIT = 240.0       # seconds per run
CLIENT_TIMEOUT = 120.0   # seconds per request (a request taking longer counts as an error)
WARM_LIMIT = 1800.0      # seconds to wait for the server's warm-up
ADMIN, ADMIN_PASSWORD = "bench_admin", "bench-admin-password-1"
ENTERPRISES = 40         # sample of enterprise profiles requested
ENDPOINTS = {
    "cockpit": "/api/cockpit",
    "kpi": "/api/kpi",
    "chains": "/api/chains",
    "chain_EI": "/api/chains/EI",
    "region_city": "/api/regions/360100",
    "search": "/api/search?q=南昌",
    "enterprise": "/api/enterprises/{uscc}",      # signed in as province_admin
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- server process
def serve(db: str, port: int, public_aggregates: bool = True) -> None:
    """The server process: the app of ``chainbrain serve [--public-aggregates]`` under uvicorn;
    prints ``WARM <seconds>`` on stdout when the start-up warm-up has finished."""
    import uvicorn

    from chainbrain.web import create_app

    app = create_app(db, public_aggregates=public_aggregates)
    t0 = time.perf_counter()

    def report():
        app.state.web.warmed.wait()
        print(f"WARM {time.perf_counter() - t0:.2f}", flush=True)

    threading.Thread(target=report, daemon=True).start()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


class Server:
    """``python -m <module> serve DB PORT`` (this module's :func:`serve` by default) in a subprocess,
    with ``env`` added."""

    def __init__(self, db: str, env: dict, module: str = "benchmarks.bench_api"):
        self.port = _port()
        self.base = f"http://127.0.0.1:{self.port}"
        # the 20 clients share one address (anonymous) and queue uncached work on purpose: no 429/503
        # bounds here (web/admission.py), the latency of every request is what is measured
        full_env = {**os.environ, "CHAINBRAIN_COMPUTE_PER_USER": "1000", "CHAINBRAIN_COMPUTE_TOTAL": "1000",
                    **env, "PYTHONUNBUFFERED": "1"}
        full_env.pop("PYTEST_CURRENT_TEST", None)
        root = str(Path(__file__).resolve().parent.parent)
        full_env["PYTHONPATH"] = root + os.pathsep + full_env.get("PYTHONPATH", "")
        self.log = tempfile.TemporaryFile(mode="w+")   # the server's stderr (a pipe could fill up)
        self.proc = subprocess.Popen([sys.executable, "-m", module, "serve", db, str(self.port)],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=root,
                                     env=full_env)
        self.warm_s: float | None = None

    def wait_warm(self, limit: float = WARM_LIMIT) -> float:
        t0 = time.perf_counter()
        line = self.proc.stdout.readline()           # blocks until the server reports (or dies)
        if not line.startswith("WARM"):
            self.log.seek(0)
            raise RuntimeError(f"server failed: {line!r} {self.log.read()[-2000:]}")
        self.warm_s = float(line.split()[1])
        import httpx

        while time.perf_counter() - t0 < limit:      # and until it accepts connections
            try:
                if httpx.get(self.base + "/api/health", timeout=5).status_code == 200:
                    return self.warm_s
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not answer in time")

    def peak_mb(self) -> float | None:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
        except OSError:
            return None
        return None

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# ---------------------------------------------------------------- load
def _prepare(scale: str) -> tuple[Path, str, list[str]]:
    from chainbrain.store import open_store
    from chainbrain.store.migrate import upgrade
    from chainbrain.web.users import add_user

    src = demo_store(scale)
    src_path = src.db
    src.close()
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    db = str(tmp / "api.duckdb")
    shutil.copy(src_path, db)
    with open_store(db) as s:
        upgrade(s)
        add_user(s, ADMIN, ADMIN_PASSWORD, "province_admin")
        rows = s._raw.execute(
            "SELECT uscc FROM enterprise WHERE uscc IS NOT NULL ORDER BY hash(id) LIMIT ?", [ENTERPRISES]).fetchall()
    return tmp, db, [r[0] for r in rows]


def _sign_in(base: str):
    """An ``httpx.Client`` signed in as the admin, or None (sign-ins are made one at a time, untimed:
    concurrent sign-ins are not what is measured — see the module docstring)."""
    import httpx

    c = httpx.Client(base_url=base, timeout=CLIENT_TIMEOUT)
    for _ in range(3):
        try:
            if c.post("/api/login", json={"username": ADMIN, "password": ADMIN_PASSWORD}).status_code == 200:
                return c
        except httpx.HTTPError:
            pass
    c.close()
    return None


def drive(base: str, usccs: list[str], per_client: int, limit: float) -> dict:
    """``CLIENTS`` threads against ``base``: latencies and errors per endpoint, requests sent, wall time."""
    import httpx

    names = list(ENDPOINTS)
    lat: dict[str, list[float]] = {k: [] for k in names}
    errors: dict[str, int] = {k: 0 for k in names}
    guard = threading.Lock()
    clock = [0.0, 0.0]                                # start, deadline: set as the clients are released
    start = threading.Barrier(CLIENTS + 1, action=lambda: clock.__setitem__(
        slice(None), [time.perf_counter(), time.perf_counter() + limit]))
    admins = [_sign_in(base) for _ in range(CLIENTS)]
    login_errors = sum(a is None for a in admins)

    def path_of(name: str, i: int, j: int) -> str:
        p = ENDPOINTS[name]
        return p.format(uscc=usccs[(i * 7 + j) % len(usccs)]) if "{uscc}" in p else p

    def client(i: int):
        admin = admins[i] or httpx.Client(base_url=base, timeout=CLIENT_TIMEOUT)   # unsigned: its answers fail
        anon = httpx.Client(base_url=base, timeout=CLIENT_TIMEOUT)
        try:
            start.wait(timeout=120)
            for j in range(per_client):
                if time.perf_counter() > clock[1]:
                    break
                name = names[(i + j) % len(names)]
                c = admin if name == "enterprise" else anon
                t0 = time.perf_counter()
                try:
                    ok = c.get(path_of(name, i, j)).status_code == 200
                except Exception:
                    ok = False
                dt = time.perf_counter() - t0
                with guard:
                    lat[name].append(dt)
                    errors[name] += 0 if ok else 1
        except threading.BrokenBarrierError:
            pass
        finally:
            anon.close()
            admin.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    start.wait(timeout=120)
    for t in threads:
        t.join()
    wall = time.perf_counter() - clock[0]
    return {"lat": lat, "errors": errors, "wall_s": round(wall, 2), "login_errors": login_errors,
            "requests": sum(len(v) for v in lat.values())}


def _warm_each(base: str, usccs: list[str]) -> None:
    import httpx

    with httpx.Client(base_url=base, timeout=600) as anon, httpx.Client(base_url=base, timeout=600) as admin:
        admin.post("/api/login", json={"username": ADMIN, "password": ADMIN_PASSWORD})
        for name, p in ENDPOINTS.items():
            (admin if name == "enterprise" else anon).get(p.format(uscc=usccs[0]) if "{uscc}" in p else p)


def _pct(v: list[float], q: float) -> float | None:
    return round(float(np.percentile(v, q)) * 1000, 1) if v else None


def run(scale: str = "province") -> dict:
    tmp, db, usccs = _prepare(scale)
    load_before = round(os.getloadavg()[0], 2)
    try:
        srv = Server(db, {"CHAINBRAIN_WEB_WARMUP": "full"})
        try:
            warm_s = srv.wait_warm()
            _warm_each(srv.base, usccs)
            ours = drive(srv.base, usccs, REQUESTS, TIME_LIMIT)
            peak = srv.peak_mb() or 0.0
        finally:
            srv.stop()
        srv = Server(db, {"CHAINBRAIN_WEB_WARMUP": "off", "CHAINBRAIN_WEB_CACHE": "off"})
        try:
            srv.wait_warm()
            base = drive(srv.base, usccs, BASELINE_REQUESTS, TIME_LIMIT)
        finally:
            srv.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = round(os.getloadavg()[0], 2)

    p95 = {k: _pct(v, 95) for k, v in ours["lat"].items()}
    p50 = {k: _pct(v, 50) for k, v in ours["lat"].items()}
    b95 = {k: _pct(v, 95) for k, v in base["lat"].items()}
    return record("api_latency_p95", scale, sum(v or 0 for v in p95.values()) / 1000,
                  sum(v or 0 for v in b95.values()) / 1000, peak,
                  p95_ms=p95, p50_ms=p50, errors=ours["errors"], baseline_p95_ms=b95,
                  baseline_errors=base["errors"], login_errors=[ours["login_errors"], base["login_errors"]],
                  clients=CLIENTS, requests=ours["requests"],
                  baseline_requests=base["requests"], wall_s=ours["wall_s"], baseline_wall_s=base["wall_s"],
                  warmup_s=round(warm_s, 1), goal_ms=100, server="separate process (uvicorn, 1 worker)",
                  load_1min_before=load_before, load_1min_after=load_after)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else "tiny"), ensure_ascii=False, indent=1))
