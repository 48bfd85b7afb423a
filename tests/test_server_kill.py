"""SIGKILL of a real ``chainbrain serve`` in the middle of a confirmed web import (#20): nothing is
half-written, the restarted server's job list says the import died, and the same file imports
again. The import is held inside its open transaction by the ``CHAINBRAIN_INGEST_PAUSE`` hook."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
import sqlalchemy as sa

import web_fixture as W
from chainbrain.store import open_store
from test_cli_server import _env
from test_ingest_core import ENT_HEAD, ENTS, write_csv


def _serve(work, db, extra: dict):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(work / f"serve-{port}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "chainbrain", "serve", "--db", str(db), "--port", str(port)],
                            cwd=work, env={**_env(), **extra}, stdout=log, stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"{base}/api/live", timeout=5).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail((work / f"serve-{port}.log").read_text())


def _admin(base) -> tuple[httpx.Client, str]:
    c = httpx.Client(base_url=base, timeout=60)
    r = c.post("/api/login", json={"username": "admin", "password": W.password("admin")})
    assert r.status_code == 200, r.text
    return c, r.json()["csrf_token"]


def _upload(c, csrf, path) -> dict:
    r = c.post("/api/imports", data={"kind": "enterprises", "csrf_token": csrf},
               files={"file": (path.name, path.read_bytes(), "text/csv")})
    assert r.status_code == 200 and r.json()["status"] == "valid", r.text
    return r.json()


def _counts(db) -> tuple[int, int]:
    with open_store(str(db)) as store, store.engine.connect() as conn:
        return (conn.execute(sa.text("SELECT COUNT(*) FROM enterprise")).scalar(),
                conn.execute(sa.text("SELECT COUNT(*) FROM import_batch")).scalar())


def test_sigkill_during_a_web_import_then_restart(tmp_path):
    db = tmp_path / "kill.duckdb"
    W.build(db)
    before = _counts(db)
    f = write_csv(tmp_path / "新企业.csv", [ENT_HEAD, *ENTS])
    marker = tmp_path / "paused"
    proc, base = _serve(tmp_path, db, {"CHAINBRAIN_INGEST_PAUSE": str(marker), "CHAINBRAIN_INGEST_PAUSE_S": "120"})
    try:
        c, csrf = _admin(base)
        job = _upload(c, csrf, f)
        r = c.post(f"/api/imports/{job['id']}/confirm", data={"csrf_token": csrf})
        assert r.status_code == 200, r.text
        deadline = time.time() + 60
        while not marker.exists() and time.time() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the import never reached its write"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)                 # the server dies inside the import's transaction
        proc.wait(30)
    assert _counts(db) == before                            # nothing half-written
    proc, base = _serve(tmp_path, db, {})
    try:
        c, csrf = _admin(base)
        jobs = c.get("/api/imports").json()["jobs"]
        dead = next(j for j in jobs if j["id"] == job["id"])
        assert dead["status"] == "died" and dead["filename"] == "新企业.csv" and dead["message"], dead
        page = c.get("/import").text
        assert "中断（服务重启）" in page                        # the page says it in words
        again = _upload(c, csrf, f)                          # the same file imports again
        assert c.post(f"/api/imports/{again['id']}/confirm", data={"csrf_token": csrf}).status_code == 200
        deadline = time.time() + 60
        while time.time() < deadline:
            state = c.get(f"/api/imports/{again['id']}").json()
            if state["status"] not in ("importing", "valid"):
                break
            time.sleep(0.2)
        assert state["status"] == "done", state
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    assert _counts(db) == (before[0] + len(ENTS), before[1] + 1)


def test_sigkill_during_the_warm_up_after_a_web_import(tmp_path):
    """The import is done; the server re-warms its answers for the new data (held half-way by the
    ``CHAINBRAIN_WARM_PAUSE`` hook) and is killed there: the import stays whole and listed as done,
    requests during the re-warm already answered from the new data, no compute run is left open."""
    db = tmp_path / "warm.duckdb"
    W.build(db)
    before = _counts(db)
    f = write_csv(tmp_path / "新企业.csv", [ENT_HEAD, *ENTS])
    marker = tmp_path / "warm-paused"
    proc, base = _serve(tmp_path, db, {"CHAINBRAIN_WEB_WARMUP": "essential", "CHAINBRAIN_PUBLIC_AGGREGATES": "true",
                                       "CHAINBRAIN_WARM_PAUSE": str(marker),
                                       "CHAINBRAIN_WARM_PAUSE_S": "120"})
    try:
        c, csrf = _admin(base)
        job = _upload(c, csrf, f)
        assert c.post(f"/api/imports/{job['id']}/confirm", data={"csrf_token": csrf}).status_code == 200
        deadline = time.time() + 60
        while not marker.exists() and time.time() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the re-warm never started"
        while time.time() < deadline and c.get(f"/api/imports/{job['id']}").json()["status"] == "importing":
            time.sleep(0.1)
        assert c.get(f"/api/imports/{job['id']}").json()["status"] == "done"
        hits = c.get("/api/search", params={"q": ENTS[0][1]}).json()       # the warm-up is held: still new data
        assert [e["name"] for e in hits["enterprises"]] == [ENTS[0][1]], hits
    finally:
        os.killpg(proc.pid, signal.SIGKILL)                 # the server dies half-way through the re-warm
        proc.wait(30)
    assert _counts(db) == (before[0] + len(ENTS), before[1] + 1)
    proc, base = _serve(tmp_path, db, {})
    try:
        c, _ = _admin(base)
        listed = next(j for j in c.get("/api/imports").json()["jobs"] if j["id"] == job["id"])
        assert listed["status"] == "done" and listed["filename"] == "新企业.csv", listed
        hits = c.get("/api/search", params={"q": ENTS[0][1]}).json()
        assert [e["name"] for e in hits["enterprises"]] == [ENTS[0][1]], hits
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    with open_store(str(db)) as store, store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM compute_run WHERE status = 'running'")).scalar() == 0
