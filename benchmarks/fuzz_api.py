"""Schemathesis over the whole API by hand, longer than CI's run (issue #20):
``python -m benchmarks.fuzz_api [--examples 50] [--seed 20] [--only /api/imports] [--db FILE --login name=password …]``.

By default the hand-made store of the web tests (tests/web_fixture.py: one user per role) is built
in a temporary folder and every operation of the OpenAPI document gets ``--examples`` cases
(schemathesis's valid and invalid ones), sent in turn as anonymous and as each role
(tests/fuzz_kit.py). With ``--db`` an existing store is fuzzed (a copy is advisable: the
cases write) as the users given with ``--login``. The rules: no 5xx, no 422, every 4xx of the
API ``{"detail": "English (中文)"}``. Prints progress and a summary, writes every finding to
test-artifacts/fuzz_api.json and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.fuzz_api")
    ap.add_argument("--examples", type=int, default=50, help="cases per operation (default 50)")
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--only", help="only operations whose path contains this")
    ap.add_argument("--db", help="an existing store (default: the web tests' hand-made store, built here)")
    ap.add_argument("--login", action="append", default=[], help="name=password of a user to fuzz as")
    args = ap.parse_args(argv)
    os.environ.setdefault("CHAINBRAIN_WEB_WARMUP", "off")

    import fuzz_kit
    import web_fixture as W
    from chainbrain.web import create_app

    tmp = tempfile.mkdtemp(prefix="chainbrain-fuzz-")
    os.environ.setdefault("CHAINBRAIN_FILES_DIR", str(Path(tmp) / "files"))
    os.environ.setdefault("CHAINBRAIN_IMPORT_DIR", str(Path(tmp) / "imports"))
    if args.db:
        db = args.db
        passwords = dict(x.split("=", 1) for x in args.login)
        roles = [None] + list(passwords)
    else:
        t = time.perf_counter()
        db = W.build(Path(tmp) / "fuzz.duckdb")
        print(f"built the hand-made store in {time.perf_counter() - t:.1f} s", flush=True)
        passwords, roles = None, fuzz_kit.ROLES
    app = create_app(db, public_aggregates=True)

    def progress(i, n, method, path, rep):
        print(f"[{i + 1}/{n}] {method} {path}  (requests {rep.requests}, findings {len(rep.findings)})", flush=True)

    rep = fuzz_kit.fuzz(app, examples=args.examples, roles=roles, seed=args.seed, only=args.only,
                        passwords=passwords, progress=progress)
    print(f"\n{rep.requests} requests in {rep.seconds:.0f} s; statuses {dict(sorted(rep.statuses.items()))}; "
          f"{rep.unsendable} cases the client could not encode")
    for took, method, url in rep.slowest[:5]:
        print(f"  slow: {took:.2f} s {method} {url}")
    for op, took in sorted(rep.per_operation.items(), key=lambda x: -x[1])[:10]:
        print(f"  operation: {took:.2f} s {op}")
    out = ROOT / "test-artifacts" / "fuzz_api.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps([f.__dict__ for f in rep.findings], ensure_ascii=False, indent=1))
    seen = set()
    for f in rep.findings:
        key = (f.rule, f.method, f.url.split("?")[0])
        if key not in seen:
            seen.add(key)
            print(f)
    print(f"{len(rep.findings)} findings ({len(seen)} distinct) → {out}")
    return 1 if rep.findings else 0


if __name__ == "__main__":
    sys.exit(main())
