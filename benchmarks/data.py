"""Benchmark inputs: demo provinces built once and cached under ``data/cache``."""

from __future__ import annotations

import subprocess
import sys
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
