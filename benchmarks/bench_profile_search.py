"""Search and enterprise profiles, per request and uncached, at province scale (#20).

Set-up: the demo province (``demo_copy``: a migrated copy of the cached DuckDB store; on
PostgreSQL a database given by ``CHAINBRAIN_BENCH_PG``, already holding a demo), the web
application in this process (FastAPI ``TestClient``, warm-up off, answer cache on), one
``province_admin`` and one ``county`` account. Every request asks something not asked before
(a new query, a new enterprise), so no answer comes from the cache.

Measured (milliseconds, p50 / p95 of each list):

- ``search``: 80 queries (name fragments, whole and partial USCCs, pinyin initials, two-word
  queries) as the admin and as the county account, one at a time; ``search_8x``: the same
  queries sent by 8 threads at once (the cost under concurrency: time spent holding the GIL);
- ``profile_index`` / ``profile_db``: 60 profiles (``/api/enterprises/{uscc}``) from the
  profile index and from the database (the path while the index is rebuilt after an import);
- after an import (one new firm written, the application invalidated): the first search's time,
  whether it answered from the previous index, and the seconds until the new firm is found;
  the search index's first read (every name spelled) and its update (only new names).

Baselines, measured in the same run on the same requests:

- search: the former index (web/search.py before #20, reproduced in :class:`TupleIndex`): a
  list of Python tuples scanned in a Python loop per query, rebuilt under a lock that every
  search waited for;
- profile: a plain pandas lookup of the same rows (``pandas.read_sql`` of each part's rows of
  the enterprise, latest revision by ``sort_values`` + ``drop_duplicates``), without page building.

Recorded: ``ours_s`` = p95 of uncached searches + p95 of profiles from the database (the slower
of our two profile paths), ``baseline_s`` = the same p95s of the baselines.
"""

from __future__ import annotations

import os
import random
import threading
import time

import numpy as np

from benchmarks.data import demo_copy
from benchmarks.harness import peak_mb, record

ADMIN, COUNTY, PASSWORD = "bench_admin", "bench_county", "bench-password-0001"
QUERIES, PROFILES, THREADS = 80, 60, 8


def _pct(xs) -> dict:
    a = np.asarray(xs) * 1000
    return {"p50_ms": round(float(np.percentile(a, 50)), 1), "p95_ms": round(float(np.percentile(a, 95)), 1),
            "n": len(xs)}


class TupleIndex:
    """The former search index: (id, name, USCC, initials) tuples, matched in a Python loop."""

    def __init__(self, rows):
        self.rows = rows

    def match(self, q: str) -> list[int]:
        from chainbrain.analytics.search_index import reference_match

        return reference_match(self.rows, q)

    @staticmethod
    def rebuild_s(store, memo: dict) -> float:
        """Seconds of the former rebuild after an import (initials of known names reused): every
        search waited for it."""
        import sqlalchemy as sa

        t0 = time.perf_counter()
        with store.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, name, uscc FROM enterprise")).all()
        [(int(i), n or "", (u or "").upper(), memo.get(n or "", "")) for i, n, u in rows]
        return time.perf_counter() - t0


def _pandas_profile(store, eid: int) -> dict:
    """Baseline: each part's rows of one enterprise with pandas, latest revision per key."""
    import pandas as pd
    import sqlalchemy as sa

    parts = {"monthly_report": ["year", "month"], "annual_report": ["year"], "enterprise_scale": ["year"],
             "enterprise_segment": ["segment_code", "valid_from"], "designation": ["kind", "level", "chain_code"]}
    out = {}
    with store.engine.connect() as conn:
        out["enterprise"] = pd.read_sql(sa.text("SELECT * FROM enterprise WHERE id = :e"), conn, params={"e": eid})
        for table, key in parts.items():
            df = pd.read_sql(sa.text(f"SELECT * FROM {table} WHERE enterprise_id = :e"), conn, params={"e": eid})
            out[table] = df.sort_values("revision").drop_duplicates(key, keep="last")
        df = pd.read_sql(sa.text("SELECT s.*, p.uscc, p.name FROM supply_link s JOIN enterprise p ON p.id = "
                                 "CASE WHEN s.supplier_id = :e THEN s.buyer_id ELSE s.supplier_id END "
                                 "WHERE s.supplier_id = :e OR s.buyer_id = :e"), conn, params={"e": eid})
        out["supply_link"] = df.sort_values("revision").drop_duplicates(["supplier_id", "buyer_id", "year"],
                                                                        keep="last")
    return out


def _client(app, user):
    from fastapi.testclient import TestClient

    c = TestClient(app)
    r = c.post("/api/login", json={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def _timed(c, url, params=None):
    t0 = time.perf_counter()
    r = c.get(url, params=params)
    dt = time.perf_counter() - t0
    assert r.status_code == 200, (url, params, r.status_code, r.text[:200])
    return dt, r


def _sample(store, seed=7):
    import sqlalchemy as sa

    from chainbrain.analytics.search_index import initials

    rnd = random.Random(seed)
    with store.engine.connect() as conn:
        ents = conn.execute(sa.text("SELECT id, uscc, name, region_code FROM enterprise WHERE uscc IS NOT NULL "
                                    "ORDER BY id")).all()
        busy = [int(r[0]) for r in conn.execute(sa.text(
            "SELECT supplier_id FROM supply_link GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 5"))]
        county = conn.execute(sa.text("SELECT e.region_code FROM enterprise e JOIN region r ON r.code = "
                                      "e.region_code WHERE r.level = 'county' GROUP BY 1 ORDER BY COUNT(*) DESC, 1 "
                                      "LIMIT 1")).scalar()
    picks = rnd.sample(ents, QUERIES * 2 + PROFILES)
    queries = []
    for i, e in enumerate(picks[:QUERIES * 2]):
        kind = i % 5
        name = e.name.replace("（演示）", "")
        if kind == 0:
            queries.append(name[2:6])                         # a fragment of a name
        elif kind == 1:
            queries.append(e.uscc)                            # a whole USCC
        elif kind == 2:
            queries.append(e.uscc[:8 + i % 6])                # a USCC prefix
        elif kind == 3:
            queries.append(initials(name)[:4 + i % 3])        # pinyin initials
        else:
            queries.append(f"{name[:2]} {name[2:4]}")         # two words
    by_id = {int(e.id): e for e in ents}
    prof = [e.uscc for e in picks[QUERIES * 2:]] + [by_id[b].uscc for b in busy if b in by_id]
    return list(dict.fromkeys(queries)), prof, county


def measure(db: str) -> dict:
    os.environ["CHAINBRAIN_WEB_WARMUP"] = "off"
    import sqlalchemy as sa

    from chainbrain.store import open_store
    from chainbrain.web import create_app, profiles
    from chainbrain.web.auth import read_store
    from chainbrain.web.users import add_user

    with open_store(db) as s:
        queries, prof, county = _sample(s)
        with s.engine.connect() as conn:
            taken = {r[0] for r in conn.execute(sa.text("SELECT username FROM user_account"))}
        if ADMIN not in taken:
            add_user(s, ADMIN, PASSWORD, "province_admin")
            add_user(s, COUNTY, PASSWORD, "county", region=county)
    app = create_app(db)
    st = app.state.web
    admin, cty = _client(app, ADMIN), _client(app, COUNTY)
    out: dict = {"engine": st.store.kind}
    reader = read_store(st.store)

    t0 = time.perf_counter()
    st.search_index.build(reader, st.versions.current())
    out["search_index_first_read_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    profiles.build(st)
    out["profile_index_read_s"] = round(time.perf_counter() - t0, 2)

    def searches(clients):
        ts = []
        for i, q in enumerate(queries):
            ts.append(_timed(clients[i % 2], "/api/search", {"q": q})[0])
        return ts

    # --- search, one at a time: ours, then the former index on the same (uncached) queries
    for q in ("赣州", "9136", "gz", "南昌 电子"):                # first use of each code path (not timed)
        _timed(admin, "/api/search", {"q": q})
    ours = searches((admin, cty))
    index = st.search_index.kept.index
    old = TupleIndex(index.rows())
    mismatch = sum(old.match(q) != index.match(q) for q in queries)
    real_match = st.search_index.match
    st.search_index.match = old.match                         # the former matching, same requests
    st.cache.clear()
    base = searches((admin, cty))
    st.search_index.match = real_match
    out["search"], out["search_baseline"] = _pct(ours), _pct(base)
    out["search_match_mismatches"] = mismatch

    # --- search under concurrency: 8 threads, each its own share of the queries
    def threaded(match):
        st.search_index.match = match
        st.cache.clear()
        getattr(st.search_index, "_memo", {}).clear()          # the matches remembered by the first pass
        ts, lock = [], threading.Lock()

        def worker(k):
            c = (admin, cty)[k % 2]
            for q in queries[k::THREADS]:
                dt, _ = _timed(c, "/api/search", {"q": q})
                with lock:
                    ts.append(dt)
        th = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
        t0 = time.perf_counter()
        for t in th:
            t.start()
        for t in th:
            t.join()
        st.search_index.match = real_match
        return ts, time.perf_counter() - t0
    ts, wall = threaded(real_match)
    out["search_8x"] = _pct(ts) | {"wall_s": round(wall, 2)}
    ts, wall = threaded(old.match)
    out["search_8x_baseline"] = _pct(ts) | {"wall_s": round(wall, 2)}

    # --- profiles: from the index, from the database, and the pandas baseline
    half = len(prof) // 2
    _timed(admin, f"/api/enterprises/{prof[-1]}")             # first use (not timed)
    out["profile_index"] = _pct([_timed(admin, f"/api/enterprises/{u}")[0] for u in prof[:half]])
    h = profiles.holder(st)
    saved = h.index, h.enabled
    h.index, h.enabled = None, False                          # as while the index is rebuilt after an import
    out["profile_db"] = _pct([_timed(admin, f"/api/enterprises/{u}")[0] for u in prof[half:]])
    h.index, h.enabled = saved
    with st.store.engine.connect() as conn:
        ids = {u: int(i) for u, i in conn.execute(sa.text("SELECT uscc, id FROM enterprise WHERE uscc IN ("
                                                          + ", ".join(f"'{u}'" for u in prof) + ")"))}
    pd_ts = []
    for u in prof:
        t0 = time.perf_counter()
        _pandas_profile(reader, ids[u])
        pd_ts.append(time.perf_counter() - t0)
    out["profile_baseline_pandas"] = _pct(pd_ts)

    # --- after an import: one new firm; the first search, and when the firm is found
    memo = dict(zip(index.names.to_pylist(), index.inits.to_pylist()))
    out["search_rebuild_former_s"] = round(TupleIndex.rebuild_s(reader, memo), 2)
    with st.store.begin() as conn:
        new_id = int(conn.execute(sa.text("SELECT MAX(id) + 1 FROM enterprise")).scalar())
        conn.execute(sa.text("INSERT INTO enterprise (id, uscc, name, province_code, region_code, batch_id) "
                             "VALUES (:i, NULL, '基准新锐测试科技有限公司', '360000', :c, 1)"), {"i": new_id, "c": county})
    st.invalidate()
    t0 = time.perf_counter()
    dt, r = _timed(admin, "/api/search", {"q": "基准新锐"})
    first = r.json()
    found_after = None
    while time.perf_counter() - t0 < 60:
        if [e["id"] for e in admin.get("/api/search", params={"q": "基准新锐"}).json()["enterprises"]] == [new_id]:
            found_after = time.perf_counter() - t0
            break
        time.sleep(0.05)
    out["after_import"] = {"first_search_ms": round(dt * 1000, 1), "answered_from": first.get("search_index", "current"),
                           "found_after_s": None if found_after is None else round(found_after, 2),
                           "names_spelled": st.search_index.kept.index.spelled}
    with st.store.begin() as conn:
        conn.execute(sa.text("DELETE FROM enterprise WHERE id = :i"), {"i": new_id})
    admin.close()
    cty.close()
    return out


def run(scale: str) -> dict:
    t0 = time.perf_counter()
    with demo_copy(scale, "cb-bench-profile-search-") as db:
        duck = measure(db)
    pg = None
    url = os.environ.get("CHAINBRAIN_BENCH_PG")
    if url:
        pg = measure(url)
    ours = duck["search"]["p95_ms"] + duck["profile_db"]["p95_ms"]
    base = duck["search_baseline"]["p95_ms"] + duck["profile_baseline_pandas"]["p95_ms"]
    return record("profile_search_uncached", scale, ours / 1000, base / 1000, peak_mb(),
                  duckdb=duck, postgres=pg, postgres_scale=os.environ.get("CHAINBRAIN_BENCH_PG_SCALE"),
                  wall_s=round(time.perf_counter() - t0, 1))


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else "province"), ensure_ascii=False, indent=2))
