"""The command line beside a running server on the same DuckDB file (issue #20): a real
``chainbrain serve`` process holds the file; ``kpi``, ``db stats``, ``import`` and ``users disable``
run through its control socket (``<db>.sock``, mode 0600) with the command's own validation, audit
and exit status. Without a server, a held file gives one bilingual line, never a traceback."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

import handmade
import web_fixture as W
from test_ingest_core import ENT_HEAD, ENTS, write_csv

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict:
    env = {**os.environ, "CHAINBRAIN_WEB_WARMUP": "off", "PYTHONPATH": str(ROOT / "src")}
    env.pop("PYTEST_CURRENT_TEST", None)
    env.pop("CHAINBRAIN_DB", None)
    return env


def cli(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chainbrain", *args], cwd=cwd, env=_env(), capture_output=True,
                          text=True, timeout=180)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(work dir, db path, base URL, server process): the handmade store served on a free port,
    started over a stale socket left by a killed server (it must be replaced)."""
    work = tmp_path_factory.mktemp("served")
    db = work / "demo.duckdb"
    W.build(db)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(db) + ".sock")                         # bound, never listened on, left behind
    stale.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(work / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "chainbrain", "serve", "--db", "demo.duckdb", "--port", str(port)],
                            cwd=work, env=_env(), stdout=log, stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"{base}/api/live", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail((work / "serve.log").read_text())
    yield work, db, base, proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


def _no_traceback(r):
    assert "Traceback" not in r.stdout + r.stderr


def test_socket_is_private_and_commands_read_through_it(served):
    work, db, base, proc = served
    sock = Path(str(db) + ".sock")
    assert stat.S_ISSOCK(sock.stat().st_mode) and stat.S_IMODE(sock.stat().st_mode) == 0o600
    # kpi from another directory (a relative --db): the server's own connection answers
    r = cli("kpi", "--db", f"{work.name}/demo.duckdb", "-p", "2025-06", "-f", "json", cwd=work.parent)
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    admin = httpx.Client(base_url=base)
    assert admin.post("/api/login", json={"username": "admin", "password": W.password("admin")}).status_code == 200
    web = admin.get("/api/kpi", params={"period": "2025-06"}).json()
    assert rec["revenue_ytd_yuan"] == web["revenue_ytd_yuan"] > 0
    # a second server on the same file refuses cleanly
    again = cli("serve", "--db", str(db), "--port", "1", cwd=work)
    assert again.returncode == 2 and "already served" in again.stderr and f"PID {proc.pid}" in again.stderr
    _no_traceback(again)


def test_imports_through_the_server_all_or_nothing(served):
    work, db, base, proc = served
    write_csv(work / "bad.csv", [ENT_HEAD, ENTS[0], ["123", "", "999999", "x", "notadate", "-5", ""]])
    r = cli("import", "enterprises", "bad.csv", "--db", "demo.duckdb", "--errors", "bad-errors.xlsx", cwd=work)
    assert r.returncode == 2 and "rejected" in r.stderr and "数据未作任何改动" in r.stderr
    assert "row 3" in r.stderr and "invalid USCC" in r.stderr
    assert (work / "bad-errors.xlsx").exists()                 # the error file lands where the command said
    _no_traceback(r)
    write_csv(work / "ok.csv", [ENT_HEAD, *ENTS])
    ok = cli("import", "enterprises", "ok.csv", "--db", "demo.duckdb", cwd=work)
    assert ok.returncode == 0 and "loaded" in ok.stdout and "3 new" in ok.stdout, ok.stderr
    # the count of enterprises (the rejected file wrote nothing) is checked once the server stopped


def test_disabling_a_signed_in_user_ends_their_session(served):
    work, db, base, proc = served
    viewer = httpx.Client(base_url=base)
    assert viewer.post("/api/login", json={"username": "viewer", "password": W.password("viewer")}).status_code == 200
    assert viewer.get("/api/kpi", params={"period": "2025-06"}).status_code == 200
    r = cli("users", "disable", "viewer", "--db", str(db), cwd=work)
    assert r.returncode == 0 and "viewer disabled" in r.stdout, r.stderr
    assert viewer.get("/api/kpi", params={"period": "2025-06"}).status_code == 401
    assert viewer.get("/api/me").json() == {"signed_in": False}


def test_after_the_server_a_held_file_gives_one_line(served):
    """Last in the module: stops the server (socket removed), checks the audit, then holds the lock
    with a plain DuckDB connection of this process."""
    import pwd

    work, db, base, proc = served
    os.killpg(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=60) == 0                         # a stop asked for is a clean exit
    assert not Path(str(db) + ".sock").exists()               # removed on a clean shutdown
    con = duckdb.connect(str(db))
    try:
        user = pwd.getpwuid(os.getuid()).pw_name
        actors = {a for (a,) in con.execute("SELECT actor FROM audit_log WHERE detail LIKE '%disable%'").fetchall()}
        assert actors == {f"cli:{user}"}
        n = con.execute("SELECT count(*) FROM enterprise").fetchone()[0]
        assert n == len(handmade.ENTERPRISES) + len(ENTS)        # the valid import only
        r = cli("kpi", "--db", str(db), "-p", "2025-06", cwd=work)
    finally:
        con.close()
    assert r.returncode == 1 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and f"PID {os.getpid()}" in lines[0] and "no ChainBrain server answers" in lines[0]
    assert "数据库文件被另一进程" in lines[0]


def test_lock_message_socket_path_and_absolute_arguments(tmp_path):
    """In-process pieces: DuckDB's lock error parsed, the socket path for a long directory, and the
    file arguments a forwarded command carries (absolute: the server's working directory differs)."""
    from chainbrain.cli.remote import absolutize, command_words
    from chainbrain.store.lock import control_path, locked_error

    err = locked_error("x.duckdb", Exception('IO Error: Could not set lock on file "/d/x.duckdb": Conflicting '
                                             'lock is held in /usr/bin/python3.11 (PID 4242). See also https://…'))
    assert err.pid == 4242 and err.program == "/usr/bin/python3.11" and "(PID 4242, python3.11)" in err.message()
    assert locked_error("x.duckdb", Exception("Catalog Error: no such table")) is None
    assert control_path("/srv/cb/demo.duckdb") == Path("/srv/cb/demo.duckdb.sock")
    deep = "/" + "d" * 120 + "/demo.duckdb"
    long = control_path(deep)
    assert long.name.endswith(".sock") and len(str(long)) < 100 and long.parent.name == f"chainbrain-{os.getuid()}"
    argv = ["import", "monthly", "in/m.xlsx", "--db=data/demo.duckdb", "--errors", "e.xlsx", "--unit", "万元",
            "--json"]
    assert command_words(argv) == ("import", "monthly")
    assert absolutize(argv, "/w") == ["import", "monthly", "/w/in/m.xlsx", "--db=/w/data/demo.duckdb", "--errors",
                                      "/w/e.xlsx", "--unit", "万元", "--json"]
    assert absolutize(["users", "disable", "bob", "--db", "postgresql://h/cb"], "/w")[2:] == \
        ["bob", "--db", "postgresql://h/cb"]
