"""Print enterprise → chain mapping precision/recall per chain on the labelled registry sample.

    .venv/bin/python scripts/mapping_quality.py [--half held|tune|all] [--errors]

The sample is tests/fixtures/registry/labels.csv (real Jiangxi registry rows labelled by
hand); see ``chainbrain.ingest.quality`` for the split and the metrics.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from chainbrain.ingest import quality as Q

LABELS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "registry" / "labels.csv"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--half", choices=["held", "tune", "all"], default="held")
    ap.add_argument("--errors", action="store_true", help="list the rows mapped wrongly")
    ap.add_argument("--labels", default=str(LABELS))
    a = ap.parse_args()
    rows = Q.load_labels(a.labels)
    tune, held = Q.split(rows)
    sel = {"held": held, "tune": tune, "all": rows}[a.half]
    preds = Q.predict(sel)
    print(f"{a.half}: {len(sel)} rows (tune {len(tune)}, held-out {len(held)})")
    print(Q.table(Q.evaluate(sel, preds)))
    if a.errors:
        for r, p in Q.errors(sel, preds):
            print(f"  {r.main:<5} {'|'.join(r.chains) or 'none':<8} → {','.join(sorted(p)) or '—':<12} {r.name}")


if __name__ == "__main__":
    main()
