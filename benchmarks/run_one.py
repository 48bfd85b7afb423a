"""Run one benchmark in this (fresh) process: ``python -m benchmarks.run_one NAME SCALE``."""

from __future__ import annotations

import sys

from benchmarks import registry

if __name__ == "__main__":
    name, scale = sys.argv[1], sys.argv[2]
    entry = registry.BENCHMARKS[name](scale)
    print(entry, flush=True)
