"""SIGKILL of a real ``chainbrain compute`` and ``chainbrain db backup`` at their dangerous point (#20),
and a mistyped ``--db`` refused instead of created empty.

- compute: held inside its write transaction (old results deleted, new ones written, not committed)
  by the ``CHAINBRAIN_COMPUTE_PAUSE`` hook, then killed: the previous results are intact, the run
  list says the run died, a re-run is done.
- backup: held with its ``.part`` file half written (``CHAINBRAIN_BACKUP_PAUSE``), then killed: no
  backup file, ``db verify`` / ``db restore`` refuse the ``.part`` and a truncated backup in one
  bilingual line, a re-run succeeds and restores.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tarfile
import time

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import web_fixture as W
from chainbrain.analytics.aggregates import refresh
from chainbrain.cli import app as cli
from chainbrain.store import open_store
from chainbrain.store.backup import MANIFEST, table_digest
from test_cli_server import _env

runner = CliRunner()
RESULTS = ("indicator_value", "monitor_alert", "modernization_score")


def _killed_at_pause(args, cwd, hook: str, marker) -> None:
    """Run ``chainbrain ARGS`` with the pause hook ``hook``; SIGKILL it once it reached the hook."""
    env = {**_env(), hook: str(marker), hook + "_S": "120"}
    proc = subprocess.Popen([sys.executable, "-m", "chainbrain", *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.time() + 120
        while not marker.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert marker.exists(), f"never reached the hook: {proc.stderr.read().decode()[-2000:] if proc.poll() is not None else ''}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL


def _digests(db) -> dict:
    with open_store(str(db)) as store, store.engine.connect() as conn:
        return {t: table_digest(conn, t) for t in RESULTS}


def _one_line(r, *words):
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.output and lines[0].startswith("error: "), r.output
    for w in words:
        assert w in lines[0], lines[0]


def test_sigkill_during_compute_keeps_the_previous_results(tmp_path):
    db = W.build(tmp_path / "compute.duckdb", tasks=False)
    with open_store(db) as store:
        first = refresh(store, operations="off")
    before = _digests(db)
    assert before["indicator_value"][0] > 0                  # there are results to lose
    _killed_at_pause(["compute", "--db", db, "--no-disclosure", "--no-cockpit", "--operations", "off"],
                     tmp_path, "CHAINBRAIN_COMPUTE_PAUSE", tmp_path / "paused")
    assert _digests(db) == before                            # nothing of the killed run, nothing lost
    r = runner.invoke(cli, ["compute-runs", "--db", db, "--format", "json"])
    assert r.exit_code == 0, r.output
    runs = json.loads(r.output)
    assert [x["status"] for x in runs] == ["died", "done"] and runs[1]["id"] == first["run_id"]
    assert "previous results are unchanged" in runs[0]["message"] and runs[0]["pid"]
    with open_store(db) as store:                            # a re-run works and replaces the results
        with store.begin() as conn:
            conn.execute(sa.text("DELETE FROM indicator_value WHERE run_id = :r"), {"r": first["run_id"]})
        again = refresh(store, operations="off")
        with store.engine.connect() as conn:
            status = dict(conn.execute(sa.text("SELECT id, status FROM compute_run")).all())
    assert again["run_id"] > runs[0]["id"] and status[again["run_id"]] == "done"
    assert _digests(db)["indicator_value"][0] == before["indicator_value"][0]


def test_sigkill_during_backup_leaves_no_half_backup(tmp_path):
    db = W.build(tmp_path / "src.duckdb", tasks=False)
    out = tmp_path / "b.tar"
    _killed_at_pause(["db", "backup", "--db", db, "--out", str(out)], tmp_path, "CHAINBRAIN_BACKUP_PAUSE",
                     tmp_path / "paused")
    part = tmp_path / "b.tar.part"
    assert not out.exists() and part.exists() and part.stat().st_size > 0     # only the unfinished file
    for args in (["db", "verify", "--db", db, "--from", str(part)],
                 ["db", "restore", "--db", str(tmp_path / "r.duckdb"), "--from", str(part)]):
        _one_line(runner.invoke(cli, args), "unfinished backup", "未完成的备份文件")
    assert not (tmp_path / "r.duckdb").exists()
    r = runner.invoke(cli, ["db", "backup", "--db", db, "--out", str(out)])       # a re-run succeeds
    assert r.exit_code == 0, r.output
    assert out.exists() and not part.exists()
    whole = out.read_bytes()
    with tarfile.open(out) as tar:
        last = tar.getmember(MANIFEST)
    for cut in (len(whole) // 2, last.offset_data + last.size // 2):     # in a member; in the manifest (last)
        bad = tmp_path / f"cut{cut}.tar"
        bad.write_bytes(whole[:cut])
        for args in (["db", "verify", "--db", db, "--from", str(bad)],
                     ["db", "restore", "--db", str(tmp_path / "r.duckdb"), "--from", str(bad)]):
            _one_line(runner.invoke(cli, args), "truncated", "不完整")
        assert not (tmp_path / "r.duckdb").exists()
    r = runner.invoke(cli, ["db", "restore", "--db", str(tmp_path / "r.duckdb"), "--from", str(out)])
    assert r.exit_code == 0 and json.loads(r.output)["ok"], r.output


@pytest.mark.parametrize("args", [["db", "backup", "--out", "b.tar"], ["db", "verify", "--from", "b.tar"],
                                  ["kpi", "-p", "2025-06"], ["compute"], ["compute-runs"], ["db", "stats"]])
def test_a_missing_store_is_refused_not_created(tmp_path, monkeypatch, capsys, args):
    """The command line (``chainbrain.cli.main``) refuses a DuckDB file that does not exist."""
    from chainbrain import cli as cli_main
    from chainbrain.store import engine

    monkeypatch.setattr(engine, "CREATE_MISSING", True)       # main() sets it; restored afterwards
    monkeypatch.chdir(tmp_path)
    typo = tmp_path / "typo.duckdb"
    monkeypatch.setattr(sys, "argv", ["chainbrain", *args[:2], "--db", str(typo), *args[2:]]
                        if args[0] == "db" else ["chainbrain", args[0], "--db", str(typo), *args[1:]])
    with pytest.raises(SystemExit) as exc:
        cli_main.main()
    err = capsys.readouterr().err.strip().splitlines()
    assert exc.value.code == 2 and len(err) == 1, err
    assert "no such store" in err[0] and "数据库文件不存在" in err[0] and str(typo) in err[0]
    assert not typo.exists()


def test_db_init_still_creates_a_store(tmp_path, monkeypatch, capsys):
    from chainbrain import cli as cli_main
    from chainbrain.store import engine

    monkeypatch.setattr(engine, "CREATE_MISSING", True)
    new = tmp_path / "new.duckdb"
    monkeypatch.setattr(sys, "argv", ["chainbrain", "db", "init", "--db", str(new)])
    try:
        cli_main.main()
    except SystemExit as exc:
        assert not exc.code, capsys.readouterr().err
    assert new.exists() and "initialised" in capsys.readouterr().out
    assert cli_main.creates_store(["demo", "build", "--db", "x.duckdb"])
    assert not cli_main.creates_store(["db", "backup", "--db", "x.duckdb"])
