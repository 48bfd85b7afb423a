"""A command on a store that has no ChainBrain tables (a new or never-initialised database) says so in
one bilingual line with exit status 2 — never a traceback — on DuckDB and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys

from test_cli_server import _env


def test_a_store_without_tables_is_one_line(db_any, tmp_path):
    if not db_any.startswith("postgresql"):           # an empty DuckDB file (a missing one is refused earlier:
        import duckdb                                  # test_kill_compute_backup.py)

        duckdb.connect(db_any).close()
    r = subprocess.run([sys.executable, "-m", "chainbrain", "kpi", "--db", db_any, "-p", "2025-06"],
                       cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=180)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr and r.stdout == ""
    assert "the store has no table '" in lines[0] and "db init" in lines[0] and "请先运行 db init" in lines[0]
