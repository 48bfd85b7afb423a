"""Load test (#20): 50 signed-in users, open loop with a 2 s think time, on DuckDB and PostgreSQL.

Set-up: the demo province at ``scale`` — on DuckDB a copy of the cached store
(:func:`benchmarks.data.demo_store`, migrated to the newest schema); on PostgreSQL a
throw-away server (``tests/pgserver.py``) into which ``chainbrain demo build`` builds the
same province; then ``chainbrain compute`` (stored indicators, disclosure patterns, the cockpit's
figures of every period × region), as an operator runs it after a build. The demo accounts (one per role, :func:`chainbrain.web.demo_users.create_demo_users`)
are created afresh and their passwords used to sign in. The server is ``chainbrain serve``'s
application (no public aggregates: every user signs in) under uvicorn, one worker, in a
SEPARATE process, with the default admission bounds (``web/admission.py``: 4 uncached
computations per session, 16 in all) and the full start-up warm-up, waited for.

Clients: one asyncio process (this one), one ``httpx.AsyncClient`` (own session cookie)
per user. Open loop: a user sends its next request 1–3 s (uniform, mean 2 s) after it
SENT the previous one, whether or not that one was answered — a slow server gets the same
offered load (about 25 requests/s for 50 users), and a user may have several requests in
flight. Users and what they ask for:

- ``LIGHT`` (5) viewers: only the cached reads (province cockpit, KPI, chain list);
- ``USERS − LIGHT − 1`` mixed users, signed in as the demo admin, chain office, city,
  county, enterprise and viewer in turn, each request drawn as
  cached read 40 % (the default period's cockpit, KPI, chain list, a chain page, a city page
  in scope — the answers the warm-up prepared), uncached read 25 % (KPI or cockpit of a
  random month of the last ``PERIODS`` months and a random city or county in scope: drawn
  from some thousands of combinations, so nearly all are computed), search 15 % (a random
  two-character fragment of an enterprise name or a city name), profile view 20 % (a random
  enterprise in scope; a viewer, who sees no profile, searches instead);
- one importer (the demo admin): one import at a time — upload a 3-row enterprise CSV,
  confirm, poll until it ended, wait ``IMPORT_GAP_S``, again. The imports alternate a *change*
  (one enterprise's employee count corrected: the data change, every cached answer is computed
  again, the figures kept by ``compute`` are no longer current) and the *same* file again (rows as
  stored: the server carries its answers over): :func:`_csvs`; ``imports`` records which.
  ``CHAINBRAIN_BENCH_IMPORTS=same`` (every import as stored: the load test before the twenty-second
  session) or ``change`` records under ``load_50_users_<backend>_<mode>_imports``.

Phases: ``light`` — the light users alone for ``LIGHT_S`` s; ``load`` — everyone for
``LOAD_S`` s. The interference check compares the light users' p95 in the two phases
(issue goal: not more than doubled). Errors are answers other than 200 (and transport
errors / timeouts after ``TIMEOUT`` s), except 429 and 503 from the admission bounds,
which are counted apart (``refused_429`` / ``refused_503``): they are the designed answer
to a session with more than 4 uncached computations queued, or 16 in all.

Recorded per backend (``load_50_users_duckdb`` / ``load_50_users_postgres``):
``ours_s`` = the light users' p95 under load, ``baseline_s`` = their p95 alone, so
``ratio`` = alone / loaded (≥ 0.5 meets the interference goal); per route and per kind
(cached, uncached, search, profile, import) ``p95_ms``, ``p50_ms``, counts, errors and
refusals; the goals; the 1-, 5- and 15-minute load averages before and after (the machine is
shared); ``peak_mb`` = the server process's peak resident set size.

Answers served from before an import (``X-ChainBrain-Stale``, :mod:`chainbrain.web.stale`) are
200s, counted apart too: ``stale`` per route, ``stale_answers`` in all; per route also the p95 of
the fresh 200s and of the refusals.

Run: ``python -m benchmarks.run_one load_50_users province`` (both backends; about 25 min,
most of it the PostgreSQL demo build and the warm-ups); DuckDB only:
``CHAINBRAIN_BENCH_BACKENDS=duckdb python -m benchmarks.run_one load_50_users province``.
Profile the server during the load phase: ``CHAINBRAIN_BENCH_PROFILE=/tmp/load.txt`` (py-spy, see
:func:`_profile`); ``CHAINBRAIN_BENCH_LOG=/tmp/load.log`` writes the server's log of disclosure
patterns not found in memory (what each cost: read from the store, joint universe built, solved)
and of the warm-up (its jobs of a second or more, each pass after a data change);
``CHAINBRAIN_BENCH_ROWS=/tmp/rows.jsonl`` every request (:func:`_dump`).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time

import numpy as np

from benchmarks.bench_api import Server
from benchmarks.harness import record

USERS = 50
LIGHT = 5
THINK_S = (1.0, 3.0)       # uniform: mean 2 s
LIGHT_S = 60.0
LOAD_S = 150.0
TIMEOUT = 60.0
IMPORT_GAP_S = 60.0
PERIODS = 24
ROLES = ["admin", "chain", "city", "county", "enterprise", "viewer"]
MIX = [("cached", 40), ("uncached", 25), ("search", 15), ("profile", 20)]
GOALS_MS = {"uncached": 300, "cached": 100}
ENT_HEAD = ["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "成立日期", "从业人员", "主要产品"]


# ---------------------------------------------------------------- server process
def serve(db: str, port: int) -> None:
    """The server process: ``chainbrain serve``'s application (signed-in aggregates) under uvicorn;
    prints ``WARM <seconds>`` when the start-up warm-up has finished."""
    from benchmarks.bench_api import serve as serve_app

    log_to = os.environ.get("CHAINBRAIN_BENCH_LOG", "").strip()
    if log_to:                      # the disclosure patterns not found in memory, with their cost
        import logging

        handler = logging.FileHandler(log_to)
        handler.setFormatter(logging.Formatter("%(asctime)s %(threadName)s %(message)s"))
        logger = logging.getLogger("chainbrain.web")      # and the warm-up's slow jobs (web/state.py)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        _log_collections(logger)

    serve_app(db, port, public_aggregates=False)


def _log_collections(logger, slow_s: float = 0.05) -> None:
    """Log every garbage collection of the server process taking ``slow_s`` or more (generation, objects
    collected, seconds): a full collection stops every thread, requests included."""
    import gc

    began = {}

    def timed(phase, info):
        if phase == "start":
            began["t"] = time.perf_counter()
        elif "t" in began:
            took = time.perf_counter() - began.pop("t")
            if took >= slow_s:
                logger.info("garbage collection: generation %s, %s collected, %.3f s",
                            info.get("generation"), info.get("collected"), took)
    gc.callbacks.append(timed)


# ---------------------------------------------------------------- what the users ask for
def _plan(db: str) -> dict:
    """Demo accounts (fresh passwords) and the samples the users draw from, per role."""
    import sqlalchemy as sa

    from chainbrain.store import open_store
    from chainbrain.web.demo_users import create_demo_users

    with open_store(db) as s:
        creds = {u[len("demo_"):]: {"user": u, "password": p, "role": r, "scope": sc}
                 for u, p, r, sc in create_demo_users(s)}
        with s.engine.connect() as c:
            q = lambda sql, **kw: [r[0] for r in c.execute(sa.text(sql), kw)]  # noqa: E731
            periods = [f"{y}-{m:02d}" for y, m in c.execute(sa.text(
                "SELECT DISTINCT year, month FROM monthly_report ORDER BY year DESC, month DESC LIMIT :n"),
                {"n": PERIODS})]
            cities = q("SELECT code FROM region WHERE level = 'prefecture' ORDER BY code")
            counties = q("SELECT code FROM region WHERE level = 'county' ORDER BY code")
            chains = q("SELECT code FROM chain ORDER BY code")
            names = q("SELECT name FROM enterprise ORDER BY id LIMIT 2000")
            city_of = dict(c.execute(sa.text("SELECT code, prefecture_code FROM region WHERE level = 'county'")).all())
            usccs = {}
            usccs["all"] = q("SELECT uscc FROM enterprise WHERE uscc IS NOT NULL ORDER BY id LIMIT 3000")
            chain = creds["chain"]["scope"].split(":")[1]
            usccs["chain"] = q("SELECT DISTINCT e.uscc FROM enterprise e JOIN enterprise_segment es "
                               "ON es.enterprise_id = e.id JOIN segment_chain sc ON sc.segment_code = es.segment_code "
                               "WHERE sc.chain_code = :c AND e.uscc IS NOT NULL ORDER BY e.uscc LIMIT 2000", c=chain)
            city = creds["city"]["scope"].split(":")[1]
            county = creds["county"]["scope"].split(":")[1]
            usccs["city"] = q("SELECT e.uscc FROM enterprise e JOIN region r ON r.code = e.region_code "
                              "WHERE r.prefecture_code = :c AND e.uscc IS NOT NULL ORDER BY e.id LIMIT 2000", c=city)
            usccs["county"] = q("SELECT uscc FROM enterprise WHERE region_code = :c AND uscc IS NOT NULL "
                                "ORDER BY id LIMIT 2000", c=county)
            usccs["enterprise"] = [creds["enterprise"]["scope"].split(":")[1]]
            imported = [list(r) for r in c.execute(sa.text(
                "SELECT uscc, name, region_code, industry_code, CAST(founded_on AS VARCHAR), employees, "
                "main_products FROM enterprise WHERE uscc IS NOT NULL AND region_code IS NOT NULL "
                "ORDER BY id LIMIT 3"))]
    usccs["admin"] = usccs["viewer"] = usccs["all"]
    words = sorted({n[i:i + 2] for n in names for i in (0, 2, 4) if len(n) > i + 1})
    regions = {"all": cities + counties, "city": [city] + [k for k, v in city_of.items() if v == city],
               "county": [county]}
    regions["admin"] = regions["viewer"] = regions["chain"] = regions["enterprise"] = regions["all"]
    return {"creds": creds, "periods": periods, "cities": cities, "chains": chains, "words": words,
            "usccs": usccs, "regions": regions, "chain": chain, "city": city, "county": county,
            "import_rows": imported}


def _request(plan: dict, role: str, kind: str, rng: random.Random) -> tuple[str, str]:
    """(route name, path) of one request of ``kind`` for a user of ``role``."""
    regions = plan["regions"][role]
    if kind == "cached":
        route = rng.choice(["cockpit", "kpi", "chains", "chain_page", "region_page"])
        if route == "chain_page":
            return route, f"/api/chains/{plan['chain'] if role == 'chain' else rng.choice(plan['chains'])}"
        if route == "region_page":
            code = {"city": plan["city"], "county": plan["county"]}.get(role) or rng.choice(plan["cities"])
            return route, f"/api/regions/{code}"
        return route, {"cockpit": "/api/cockpit", "kpi": "/api/kpi", "chains": "/api/chains"}[route]
    if kind == "uncached":
        period, region = rng.choice(plan["periods"][1:]), rng.choice(regions)
        if rng.random() < 0.5:
            return "kpi_period_region", f"/api/kpi?period={period}&region={region}"
        return "cockpit_period_region", f"/api/cockpit?period={period}&region={region}"
    if kind == "search" or role == "viewer":           # a viewer sees no enterprise profile (404 by design)
        return "search", "/api/search?q=" + rng.choice(plan["words"])
    return "profile", "/api/enterprises/" + rng.choice(plan["usccs"][role])


# ---------------------------------------------------------------- the clients
class Tally:
    def __init__(self):
        self.rows: list[tuple] = []      # (phase, user kind, route, kind, seconds, status, stale, sent at, path)

    def add(self, *row):
        self.rows.append(row)


async def _sign_in(client, cred) -> str:
    for attempt in range(5):
        r = await client.post("/api/login", json={"username": cred["user"], "password": cred["password"]})
        if r.status_code == 200:
            return r.json()["csrf_token"]
        await asyncio.sleep(1 + attempt)
    raise RuntimeError(f"sign-in of {cred['user']} failed: {r.status_code} {r.text[:200]}")


async def _timed(client, tally, phase, who, route, kind, method, path, **kw):
    t0 = time.perf_counter()
    try:
        r = await client.request(method, path, **kw)
        status = r.status_code
    except Exception as exc:          # transport error or timeout: an error
        r, status = None, type(exc).__name__
    stale = r is not None and "x-chainbrain-stale" in r.headers       # the answer from before an import (web/stale.py)
    tally.add(phase, who, route, kind, time.perf_counter() - t0, status, stale, t0, path)
    return r


async def _user(client, plan, role, who, kinds, weights, phase_of, stop_at, tally, seed):
    rng = random.Random(seed)
    inflight: set = set()
    await asyncio.sleep(rng.uniform(*THINK_S))
    while time.perf_counter() < stop_at():
        kind = rng.choices(kinds, weights)[0]
        route, path = _request(plan, role, kind, rng)
        task = asyncio.create_task(_timed(client, tally, phase_of(), who, route, kind, "GET", path))
        inflight.add(task)
        task.add_done_callback(inflight.discard)
        await asyncio.sleep(rng.uniform(*THINK_S))
    if inflight:
        await asyncio.wait(inflight, timeout=TIMEOUT + 5)


async def _importer(client, csrf, bodies, phase_of, stop_at, tally, done: list):
    """One import at a time, the files of :func:`_csvs` in turn."""
    i = 0
    while time.perf_counter() < stop_at():
        what, csv_bytes = bodies[i % len(bodies)]
        i += 1
        t0 = time.perf_counter()
        r = await _timed(client, tally, phase_of(), "importer", "import_upload", "import", "POST", "/api/imports",
                         data={"kind": "enterprises", "csrf_token": csrf},
                         files={"file": ("负载测试企业.csv", csv_bytes, "text/csv")})
        if r is None or r.status_code != 200:
            done.append({"status": "upload failed", "kind": what})
            await asyncio.sleep(IMPORT_GAP_S)
            continue
        job = r.json()["id"]
        r = await _timed(client, tally, phase_of(), "importer", "import_confirm", "import", "POST",
                         f"/api/imports/{job}/confirm", data={"csrf_token": csrf})
        state = {"status": "confirm failed"}
        while r is not None and r.status_code == 200 and time.perf_counter() - t0 < 300:
            await asyncio.sleep(0.5)
            s = await _timed(client, tally, phase_of(), "importer", "import_status", "import", "GET",
                             f"/api/imports/{job}")
            if s is not None and s.status_code == 200:
                state = s.json()
                if state["status"] not in ("importing", "valid", "validating"):
                    break
        done.append({"status": state.get("status"), "kind": what, "s": round(time.perf_counter() - t0, 2)})
        await asyncio.sleep(IMPORT_GAP_S)


def _csvs(plan) -> list[tuple[str, bytes]]:
    """The importer's files in turn: ``change`` — three enterprises of the store, the first with one
    more employee than stored (a correction: the data change, every cached answer is computed again
    and the figures kept by ``compute`` are no longer the current ones); ``same`` — that file again
    (rows as stored: a write that changes nothing, after which the server carries its answers over,
    web/state.py ``carry_over``); then the same two with the stored employee count. So the imports
    of a run alternate change, same, change …: before the twenty-second session every import was of
    rows as stored, and measured the re-warm only because the server did not tell the two apart."""
    import csv
    import io

    def body(extra: int) -> bytes:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(ENT_HEAD)
        for n, row in enumerate(plan["import_rows"]):
            row = ["" if v is None else v for v in row]
            if n == 0 and extra:                  # as stored otherwise: an empty count stays empty
                row[5] = str(int(float(row[5] or 0)) + extra)
            w.writerow(row)
        return buf.getvalue().encode()

    plus, stored = body(1), body(0)
    return {"alternate": [("change", plus), ("same", plus), ("change", stored), ("same", stored)],
            "same": [("same", stored)],
            "change": [("change", plus), ("change", stored)]}[imports_mode()]


def imports_mode() -> str:
    """``CHAINBRAIN_BENCH_IMPORTS``: ``alternate`` (default: change, same, change …), ``same`` (every import
    of rows as stored, as the load test's imports were until the twenty-second session) or ``change``
    (every import a change)."""
    mode = os.environ.get("CHAINBRAIN_BENCH_IMPORTS", "").strip() or "alternate"
    if mode not in ("alternate", "same", "change"):
        raise SystemExit(f"CHAINBRAIN_BENCH_IMPORTS must be alternate, same or change, not {mode!r}")
    return mode


async def _drive(base: str, plan: dict) -> tuple[Tally, list]:
    import httpx

    tally, imports = Tally(), []
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=20)
    mk = lambda: httpx.AsyncClient(base_url=base, timeout=TIMEOUT, limits=limits)  # noqa: E731
    light = [mk() for _ in range(LIGHT)]
    mixed_roles = [ROLES[i % len(ROLES)] for i in range(USERS - LIGHT - 1)]
    mixed = [mk() for _ in mixed_roles]
    importer = mk()
    for c in light:                                   # sign-ins one after another, untimed
        await _sign_in(c, plan["creds"]["viewer"])
    for c, role in zip(mixed, mixed_roles):
        await _sign_in(c, plan["creds"][role])
    csrf = await _sign_in(importer, plan["creds"]["admin"])
    clock = {"phase": "light", "light_end": time.perf_counter() + LIGHT_S}
    clock["load_end"] = clock["light_end"] + LOAD_S
    phase_of = lambda: "light" if time.perf_counter() < clock["light_end"] else "load"  # noqa: E731
    tasks = [_user(c, plan, "viewer", "light", ["cached"], [1], phase_of, lambda: clock["load_end"], tally, i)
             for i, c in enumerate(light)]

    async def later():
        await asyncio.sleep(LIGHT_S)
        kinds, weights = [k for k, _ in MIX], [w for _, w in MIX]
        await asyncio.gather(
            _importer(importer, csrf, _csvs(plan), phase_of, lambda: clock["load_end"], tally, imports),
            *[_user(c, plan, role, "mixed", kinds, weights, phase_of, lambda: clock["load_end"], tally, 100 + i)
              for i, (c, role) in enumerate(zip(mixed, mixed_roles))])

    await asyncio.gather(*tasks, later())
    for c in [*light, *mixed, importer]:
        await c.aclose()
    return tally, imports


# ---------------------------------------------------------------- summary
def _ms(v, q):
    return round(float(np.percentile(v, q)) * 1000, 1) if v else None


def _summary(rows, key) -> dict:
    groups: dict = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    out = {}
    for k, rs in sorted(groups.items()):
        ok = [r[4] for r in rs if r[5] == 200]
        out[k] = {"n": len(rs), "p50_ms": _ms(ok, 50), "p95_ms": _ms(ok, 95), "max_ms": _ms(ok, 100),
                  "stale": sum(bool(r[6]) for r in rs),
                  "fresh_p95_ms": _ms([r[4] for r in rs if r[5] == 200 and not r[6]], 95),
                  "refused_p95_ms": _ms([r[4] for r in rs if r[5] in (429, 503)], 95),
                  "errors": sum(r[5] not in (200, 429, 503) for r in rs),
                  "refused_429": sum(r[5] == 429 for r in rs), "refused_503": sum(r[5] == 503 for r in rs)}
    return out


def _windows(load_rows, width: float = 10.0) -> dict:
    """The load phase's cached reads by ``width``-second window of when they were sent (p50 / p95 of
    the 200s, ms) and when each import was confirmed, in seconds from the phase's start: shows whether
    the slow cached answers follow the imports (the re-warm) or are spread (the steady state)."""
    if not load_rows:
        return {}
    start = min(r[7] for r in load_rows)
    by: dict = {}
    for r in load_rows:
        if r[3] == "cached" and r[5] == 200:
            by.setdefault(int((r[7] - start) // width), []).append(r[4])
    return {"width_s": width,
            "imports_confirmed_at_s": [round(r[7] - start, 1) for r in load_rows if r[2] == "import_confirm"],
            "cached": [{"from_s": k * width, "n": len(v), "p50_ms": _ms(v, 50), "p95_ms": _ms(v, 95)}
                       for k, v in sorted(by.items())]}


def _slowest(load_rows, n: int = 10) -> list:
    """The ``n`` slowest answered or failed requests of the load phase: when sent (s from the phase's
    start), route, path, ms, status, whether stale."""
    if not load_rows:
        return []
    start = min(r[7] for r in load_rows)
    rows = sorted((r for r in load_rows if r[5] not in (429, 503)), key=lambda r: -r[4])[:n]
    return [{"at_s": round(r[7] - start, 1), "route": r[2], "path": r[8], "ms": round(r[4] * 1000),
             "status": r[5], "stale": bool(r[6])} for r in rows]


def _error_kinds(rows) -> dict:
    kinds: dict = {}
    for r in rows:
        if r[5] not in (200, 429, 503):
            kinds[f"{r[2]}:{r[5]}"] = kinds.get(f"{r[2]}:{r[5]}", 0) + 1
    return kinds


def _profile(pid: int):
    """With ``CHAINBRAIN_BENCH_PROFILE=FILE``: py-spy (``CHAINBRAIN_PY_SPY``, default ``py-spy`` on the
    path; not a dependency) samples the server's threads during the load phase, collapsed stacks
    to FILE (``--gil`` too with ``CHAINBRAIN_BENCH_PROFILE_GIL=1``: only the thread holding the
    interpreter lock). A diagnostic: the figures of a profiled run are not comparable. The thread
    started, or None."""
    import threading

    out = os.environ.get("CHAINBRAIN_BENCH_PROFILE", "").strip()
    if not out:
        return None
    cmd = [os.environ.get("CHAINBRAIN_PY_SPY", "py-spy"), "record", "--pid", str(pid), "--rate", "50",
           "--duration", str(int(LOAD_S - 10)), "--format", "raw", "--nonblocking", "-o", out]
    if os.environ.get("CHAINBRAIN_BENCH_PROFILE_GIL") == "1":
        cmd.append("--gil")

    def run():
        time.sleep(LIGHT_S + 5)
        print(f"profiling the load phase: {' '.join(cmd)}", flush=True)
        subprocess.run(cmd, check=False)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def _dump(rows) -> None:
    """``CHAINBRAIN_BENCH_ROWS=path``: every request as a JSON line (phase, user kind, route, kind,
    seconds, status, stale, sent at, path) — for reading a run's tail beyond ``windows``/``slowest``."""
    path = os.environ.get("CHAINBRAIN_BENCH_ROWS", "").strip()
    if path:
        with open(path, "w") as f:
            for row in rows:
                f.write(json.dumps(list(row), ensure_ascii=False) + "\n")


def measure(db: str, backend: str, scale: str) -> dict:
    plan = _plan(db)
    before = [round(x, 2) for x in os.getloadavg()]
    srv = Server(db, {"CHAINBRAIN_WEB_WARMUP": "full", "CHAINBRAIN_COMPUTE_PER_USER": "",
                      "CHAINBRAIN_COMPUTE_TOTAL": ""}, module="benchmarks.bench_load")
    try:
        warm_s = srv.wait_warm()
        t0 = time.perf_counter()
        profiler = _profile(srv.proc.pid)
        tally, imports = asyncio.run(_drive(srv.base, plan))
        if profiler is not None:
            profiler.join()
        wall = time.perf_counter() - t0
        peak = srv.peak_mb() or 0.0
    finally:
        srv.stop()
    after = [round(x, 2) for x in os.getloadavg()]
    rows = tally.rows
    _dump(rows)
    light_alone = [r[4] for r in rows if r[1] == "light" and r[0] == "light" and r[5] == 200]
    light_loaded = [r[4] for r in rows if r[1] == "light" and r[0] == "load" and r[5] == 200]
    load_rows = [r for r in rows if r[0] == "load"]
    routes = _summary(load_rows, lambda r: r[2])
    kinds = _summary(load_rows, lambda r: r[3])
    a95, l95 = _ms(light_alone, 95), _ms(light_loaded, 95)
    mode = imports_mode()
    return record(f"load_50_users_{backend}" + ("" if mode == "alternate" else f"_{mode}_imports"), scale, (l95 or 0) / 1000, (a95 or 0) / 1000, peak,
                  backend=backend, users=USERS, light_users=LIGHT, think_s="uniform 1–3 (mean 2), open loop",
                  light_s=LIGHT_S, load_s=LOAD_S, import_mode=mode, wall_s=round(wall, 1), warmup_s=round(warm_s, 1),
                  requests=len(rows), errors=sum(v["errors"] for v in routes.values()),
                  error_kinds=_error_kinds(rows),
                  refused_429=sum(v["refused_429"] for v in routes.values()),
                  refused_503=sum(v["refused_503"] for v in routes.values()),
                  stale_answers=sum(v["stale"] for v in routes.values()),
                  light_p95_alone_ms=a95, light_p95_loaded_ms=l95,
                  interference=round(l95 / a95, 2) if a95 and l95 else None,
                  p95_ms={k: v["p95_ms"] for k, v in routes.items()}, routes=routes, kinds=kinds,
                  imports=imports, windows=_windows(load_rows), slowest=_slowest(load_rows),
                  goal_ms={**GOALS_MS, "interference_max": 2.0},
                  server="separate process (uvicorn, 1 worker, full warm-up, default admission 4/16)",
                  load_before=before, load_after=after)


def _compute(db: str) -> None:
    """``chainbrain compute`` as an operator runs it after a build or a batch of imports: the stored
    indicators, disclosure patterns and the cockpit's figures of every period × region (web/kept.py)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "chainbrain", "compute", "--db", db], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"chainbrain compute took {time.perf_counter() - t0:.0f} s", flush=True)


def _duckdb(scale: str) -> dict:
    from benchmarks.data import demo_copy

    with demo_copy(scale, "bench-load-") as db:
        _compute(db)
        return measure(db, "duckdb", scale)


def _postgres(scale: str) -> dict:
    from benchmarks.bench_postgres import build_demo, start_server

    srv = start_server()
    try:
        url = srv.create_database("load")
        build_s = build_demo(url, scale)
        print(f"PostgreSQL demo built in {build_s:.0f} s", flush=True)
        _compute(url)
        return measure(url, "postgres", scale)
    finally:
        srv.stop()


def run(scale: str = "province", backends: tuple | None = None) -> list[dict]:
    """Both backends, or those named in ``CHAINBRAIN_BENCH_BACKENDS`` (e.g. ``duckdb``)."""
    if backends is None:
        env = os.environ.get("CHAINBRAIN_BENCH_BACKENDS", "").strip()
        backends = tuple(b.strip() for b in env.split(",") if b.strip()) if env else ("duckdb", "postgres")
    out = []
    for b in backends:
        e = (_duckdb if b == "duckdb" else _postgres)(scale)
        print(json.dumps({k: e[k] for k in ("name", "errors", "refused_429", "refused_503", "stale_answers",
                                            "light_p95_alone_ms",
                                            "light_p95_loaded_ms", "kinds")}, ensure_ascii=False), flush=True)
        out.append(e)
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        scale = sys.argv[1] if len(sys.argv) > 1 else "province"
        backends = tuple(sys.argv[2].split(",")) if len(sys.argv) > 2 else ("duckdb", "postgres")
        for e in run(scale, backends):
            print(json.dumps(e, ensure_ascii=False, indent=1))
