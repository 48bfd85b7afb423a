"""A killed import leaves the data as it was: the process is killed inside the open transaction."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import sqlalchemy as sa

from chainbrain.store import open_store

from test_ingest_core import ENT_HEAD, ENTS, data_counts, write_csv

SCRIPT = """
import sys, typer
from chainbrain.cli import ingest
root = typer.Typer(); root.add_typer(ingest.import_app, name="import")
root(sys.argv[1:])
"""


def test_kill_mid_write(store_any, tmp_path):
    db = store_any.db
    before = data_counts(store_any)
    store_any.close()
    marker = tmp_path / "paused"
    env = dict(os.environ, CHAINBRAIN_INGEST_PAUSE=str(marker), CHAINBRAIN_INGEST_PAUSE_S="120")
    f = write_csv(tmp_path / "e.csv", [ENT_HEAD, *ENTS])
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, "import", "enterprises", str(f), "--db", db],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while not marker.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), proc.communicate()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with open_store(db) as store:
        assert data_counts(store) == before
        with store.engine.connect() as c:
            assert c.execute(sa.text("SELECT COUNT(*) FROM import_batch")).scalar() == 0
