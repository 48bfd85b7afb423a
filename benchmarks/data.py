"""Benchmark inputs: demo provinces built once and cached under ``data/cache``."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.harness import CACHE
from chainbrain.store import open_store


def demo_store(scale: str, seed: int = 2023):
    """An open store holding the demo province at ``scale`` (built on first use)."""
    path = CACHE / f"bench-{scale}-{seed}.duckdb"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = Path(str(path) + ".building")
        tmp.unlink(missing_ok=True)
        subprocess.run([sys.executable, "-m", "chainbrain", "demo", "build", "--db", str(tmp),
                        "--scale", scale, "--seed", str(seed)], check=True)
        tmp.rename(path)
    return open_store(str(path))


@contextlib.contextmanager
def demo_copy(scale: str, prefix: str):
    """A throw-away copy of :func:`demo_store`'s file, migrated to the newest schema: its path
    (deleted afterwards), for benchmarks that write."""
    from chainbrain.store.migrate import upgrade

    src = demo_store(scale)
    src_path = src.db
    src.close()
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        db = str(tmp / "copy.duckdb")
        shutil.copy(src_path, db)
        with open_store(db) as s:
            upgrade(s)
        yield db
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
