"""API latency: p95 of each main endpoint with 20 concurrent clients on loopback.

Set-up: the demo province at ``scale`` (copied to a temporary file, migrated
to the newest schema), served by uvicorn in a background thread with public
aggregates on and the full start-up warm-up (``CHAINBRAIN_WEB_WARMUP=full``);
the benchmark waits for the warm-up, measures the baseline, requests each
endpoint once more (the precomputed answers the issue allows), then 20 client
threads (one ``httpx.Client`` each) send ``REQUESTS`` requests apiece, cycling
through the endpoints; every latency is recorded and every non-200 answer or
exception is counted as an error. Client and server share this process (and
its GIL), so the figures include the clients' own cost.

Baseline: the same endpoints' answers built without the cache (the page
builders called directly, cache cleared, one at a time) — what each request
would cost if nothing were precomputed. ``ours_s`` = Σ p95 over endpoints,
``baseline_s`` = Σ uncached build times; ``ratio`` = baseline / ours.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from benchmarks.data import demo_store
from benchmarks.harness import peak_mb, record

CLIENTS = 20
REQUESTS = 30          # per client
ENDPOINTS = {
    "cockpit": "/api/cockpit",
    "kpi": "/api/kpi",
    "chains": "/api/chains",
    "chain_EI": "/api/chains/EI",
    "region_city": "/api/regions/360100",
    "search": "/api/search?q=南昌",
    "health": "/api/health",
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(scale: str = "province") -> dict:
    import httpx
    import uvicorn

    from chainbrain.store import open_store
    from chainbrain.store.migrate import upgrade
    from chainbrain.web import create_app

    src = demo_store(scale)
    src_path = src.db
    src.close()
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    db = str(tmp / "api.duckdb")
    shutil.copy(src_path, db)
    with open_store(db) as s:
        upgrade(s)
    import os
    os.environ.setdefault("CHAINBRAIN_WEB_WARMUP", "full")
    app = create_app(db, public_aggregates=True)
    st = app.state.web

    # baseline: uncached builds, one at a time, through the app (cache cleared before each)
    port = _port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    while not srv.started:
        time.sleep(0.05)
    t_warm = time.perf_counter()
    st.warmed.wait(1800)
    warm_s = time.perf_counter() - t_warm
    base = f"http://127.0.0.1:{port}"
    uncached = {}
    with httpx.Client(base_url=base, timeout=120) as c:
        for name, path in ENDPOINTS.items():
            st.cache.clear()
            t0 = time.perf_counter()
            r = c.get(path)
            uncached[name] = time.perf_counter() - t0
            assert r.status_code == 200, (path, r.status_code, r.text[:200])
        for path in ENDPOINTS.values():          # warm every cache entry
            c.get(path)

    lat: dict[str, list[float]] = {k: [] for k in ENDPOINTS}
    errors: dict[str, int] = {k: 0 for k in ENDPOINTS}
    names = list(ENDPOINTS)
    guard = threading.Lock()

    def client(i: int):
        with httpx.Client(base_url=base, timeout=30) as c:
            for j in range(REQUESTS):
                name = names[(i + j) % len(names)]
                t0 = time.perf_counter()
                try:
                    ok = c.get(ENDPOINTS[name]).status_code == 200
                except Exception:
                    ok = False
                dt = time.perf_counter() - t0
                with guard:
                    lat[name].append(dt)
                    errors[name] += 0 if ok else 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    srv.should_exit = True
    th.join(timeout=10)
    shutil.rmtree(tmp, ignore_errors=True)

    p95 = {k: round(float(np.percentile(v, 95)) * 1000, 1) for k, v in lat.items()}
    uncached_ms = {k: round(v * 1000, 1) for k, v in uncached.items()}
    return record("api_latency_p95", scale, sum(p95.values()) / 1000, sum(uncached.values()), peak_mb(),
                  p95_ms=p95, uncached_ms=uncached_ms, errors=errors, clients=CLIENTS,
                  requests=CLIENTS * REQUESTS, wall_s=round(wall, 2), goal_ms=100,
                  warmup_s=round(warm_s, 1))


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else "tiny"), ensure_ascii=False, indent=1))
