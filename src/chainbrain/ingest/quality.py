"""Mapping quality on a labelled sample of real registry rows (chain level).

The sample (``tests/fixtures/registry/labels.csv``: ``uscc,name,business_scope,
label_segment,label_chain,note``) was cut from real Jiangxi registry exports and
labelled by hand from name + 经营范围 against the segment catalog, before the
rules were tuned. ``label_chain`` is ``none`` (not in any of the chains) or one
or more chain codes joined by ``|``: the first is the main chain, the others are
also acceptable (a copper-foil maker is EI and NF).

Split: a row is *held out* when the first byte of SHA-256(uscc) is odd, else it
is in the *tune* half — deterministic and independent of the content.

A row is mapped exactly as a registry import maps it: section guessed from name
and scope, no industry class, no main products.

Metrics per chain ``c`` (P = predicted chain set, L = acceptable label chains):

- precision(c) = #rows with c ∈ P and c ∈ L / #rows with c ∈ P;
- recall(c) = #rows whose main label chain is c and P ∩ L ≠ ∅ / #rows whose main
  label chain is c;
- overall precision = Σ correct chain predictions / Σ chain predictions;
  overall recall = #labelled rows (not ``none``) with P ∩ L ≠ ∅ / #labelled rows;
  ``none_fp`` = share of ``none`` rows given any chain.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Row:
    uscc: str
    name: str
    scope: str
    segment: str
    chains: tuple[str, ...]        # () for none
    note: str = ""

    @property
    def main(self) -> str:
        return self.chains[0] if self.chains else "none"


def load_labels(path: str | Path) -> list[Row]:
    out = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            chains = tuple(c for c in r["label_chain"].split("|") if c and c != "none")
            out.append(Row(r["uscc"], r["name"], r["business_scope"], r["label_segment"], chains, r.get("note", "")))
    return out


def held_out(uscc: str) -> bool:
    return hashlib.sha256(uscc.encode()).digest()[0] % 2 == 1


def split(rows: list[Row]) -> tuple[list[Row], list[Row]]:
    """(tune, held_out)."""
    return [r for r in rows if not held_out(r.uscc)], [r for r in rows if held_out(r.uscc)]


def predict(rows: list[Row], mapper=None) -> list[set[str]]:
    from chainbrain.ingest.mapping import default_mapper
    from chainbrain.ingest.registry import guess_section

    m = mapper or default_mapper()
    out = []
    for r in rows:
        cands = m.candidates(r.name, None, r.scope, None, guess_section(r.name, r.scope) or None)
        out.append({m.segments[c.segment].chain_code for c in cands})
    return out


def evaluate(rows: list[Row], preds: list[set[str]] | None = None) -> dict:
    preds = predict(rows) if preds is None else preds
    chains = sorted({c for r in rows for c in r.chains} | {c for p in preds for c in p})
    per = {}
    for c in chains:
        pred_c = [(r, p) for r, p in zip(rows, preds) if c in p]
        tp = sum(1 for r, _ in pred_c if c in r.chains)
        actual = [(r, p) for r, p in zip(rows, preds) if r.main == c]
        found = sum(1 for r, p in actual if p & set(r.chains))
        per[c] = {"n": len(actual), "predicted": len(pred_c), "tp": tp,
                  "precision": tp / len(pred_c) if pred_c else None,
                  "recall": found / len(actual) if actual else None}
    n_pred = sum(len(p) for p in preds)
    correct = sum(len(p & set(r.chains)) for r, p in zip(rows, preds))
    labelled = [(r, p) for r, p in zip(rows, preds) if r.chains]
    nones = [p for r, p in zip(rows, preds) if not r.chains]
    return {
        "rows": len(rows), "labelled": len(labelled), "none": len(nones), "per_chain": per,
        "precision": correct / n_pred if n_pred else None,
        "recall": sum(1 for r, p in labelled if p & set(r.chains)) / len(labelled) if labelled else None,
        "none_fp": sum(1 for p in nones if p) / len(nones) if nones else None,
    }


def errors(rows: list[Row], preds: list[set[str]] | None = None) -> list[tuple[Row, set[str]]]:
    """Rows where the prediction differs from the label (a wrong chain or a miss)."""
    preds = predict(rows) if preds is None else preds
    return [(r, p) for r, p in zip(rows, preds) if (p - set(r.chains)) or (r.chains and not (p & set(r.chains)))]


def table(res: dict) -> str:
    f = lambda v: "   —" if v is None else f"{v:5.2f}"  # noqa: E731
    lines = [f"{'chain':<6}{'n':>4}{'pred':>6}{'prec':>7}{'recall':>8}"]
    for c, v in res["per_chain"].items():
        lines.append(f"{c:<6}{v['n']:>4}{v['predicted']:>6}{f(v['precision']):>7}{f(v['recall']):>8}")
    lines.append(f"{'all':<6}{res['labelled']:>4}{'':>6}{f(res['precision']):>7}{f(res['recall']):>8}"
                 f"   (none rows {res['none']}, given a chain: {f(res['none_fp']).strip()})")
    return "\n".join(lines)
