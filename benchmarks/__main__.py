"""Run the benchmarks: ``python -m benchmarks --scale province [--scale national] [--only NAME]``."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from benchmarks import registry


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("--scale", action="append", choices=["province", "national"])
    ap.add_argument("--only", action="append", help="benchmark name(s)")
    args = ap.parse_args()
    scales = args.scale or ["province"]
    failed = 0
    for scale in scales:
        for name in registry.NAMES:
            if args.only and name not in args.only:
                continue
            print(f"== {name} @ {scale}", flush=True)
            proc = subprocess.run([sys.executable, "-m", "benchmarks.run_one", name, scale])
            failed += proc.returncode != 0
    from benchmarks.harness import RESULTS
    if RESULTS.exists():
        for r in json.loads(RESULTS.read_text()):
            print(f"{r['name']:<28} {r['scale']:<9} ours {r['ours_s']:>9.3f} s  baseline {r['baseline_s']:>9.3f} s"
                  f"  ratio {r['ratio']:>7}  peak {r['peak_mb']:>8.1f} MB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
