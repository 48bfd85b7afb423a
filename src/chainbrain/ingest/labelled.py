"""Labelled registry rows (mapping guide) → training the main-activity model, and honest evaluation.

Files ``tests/fixtures/registry/labelled/{tune,heldout}.csv``: ``uscc, name, entity_type,
capital, business_scope, industrial (0/1), main_activity, segments (|-joined), ambiguous,
note, labeller, source`` (source = export file and line). ``tune`` trains and calibrates;
``heldout`` is drawn afresh after the model was frozen and is used only by ``evaluate``.

Training (``train``): logistic regression (scikit-learn, L2, C = ``C``) on the standardised
features of ``activity.FEATURES``; 5-fold out-of-fold probabilities (fixed seed) fit the
isotonic calibration of P(industrial); the same out-of-fold activities give the chain
candidates whose features (``chainmap.chain_features``) fit the chain confidence (logistic).

Metrics (``evaluate``):

- industrial precision / recall of the flag (P(industrial) ≥ 0.5);
- ``nonmfg_in_mfg`` = share of rows labelled not industrial that get any industrial-only
  segment (``chainmap.industrial_only``);
- chain precision = correct (row, chain) predictions / all predictions, chain recall =
  found (row, chain) labels / all labels — on rows not marked ambiguous ("clear");
  per chain where the part has ≥ 20 labelled rows of it;
- ECE (expected calibration error, 10 equal-width bins): Σ_b n_b/N·|accuracy_b − mean
  confidence_b|, for the industrial decision (confidence = max(p, 1−p)) and for the
  predicted chains (confidence of the chain; right when the chain is labelled).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chainbrain.ingest.activity import FEATURES, THRESHOLD, featurize
from chainbrain.ingest.registry import parse_capital

C = 1.0
SEED = 20261205
MIN_PER_CHAIN = 20


@dataclass
class Labelled:
    uscc: str
    name: str
    entity_type: str
    capital: str
    scope: str
    industrial: int
    main_activity: str
    segments: tuple[str, ...]
    ambiguous: int
    note: str = ""

    @property
    def chains(self) -> set[str]:
        return {s.split("-")[0] for s in self.segments}

    @property
    def capital_yuan(self):
        return parse_capital(self.capital)[0]


def load(path: str | Path) -> list[Labelled]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [Labelled(r["uscc"], r["name"], r.get("entity_type", ""), r.get("capital", ""), r["business_scope"],
                         int(r["industrial"]), r["main_activity"], tuple(s for s in r["segments"].split("|") if s),
                         int(r["ambiguous"]), r.get("note", "")) for r in csv.DictReader(f)]


def matrix(rows: list[Labelled]) -> np.ndarray:
    feats = [featurize(r.name, r.entity_type, r.capital_yuan, r.scope)[0] for r in rows]
    return np.array([[f[k] for k in FEATURES] for f in feats], dtype=float)


def _fit(X, y):
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=C, max_iter=2000).fit((X - mean) / scale, y)
    return lr, mean, scale


def train(rows: list[Labelled]) -> dict:
    """The model dictionary (coefficients, isotonic maps) from labelled tune rows."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.model_selection import StratifiedKFold

    from chainbrain.ingest.activity import Activity, section_of
    from chainbrain.ingest.chainmap import raw_chain_scores
    from chainbrain.ingest.mapping import default_mapper

    X = matrix(rows)
    y = np.array([r.industrial for r in rows])
    oof = np.zeros(len(rows))
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=SEED).split(X, y):
        lr, m, s = _fit(X[tr], y[tr])
        oof[te] = lr.predict_proba((X[te] - m) / s)[:, 1]
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(oof, y)
    lr, mean, scale = _fit(X, y)
    xs = [float(v) for v in iso.X_thresholds_]
    ys = [float(v) for v in iso.y_thresholds_]
    model = {"features": list(FEATURES), "intercept": float(lr.intercept_[0]),
             "coef": {k: float(v) for k, v in zip(FEATURES, lr.coef_[0])},
             "mean": {k: float(v) for k, v in zip(FEATURES, mean)}, "scale": {k: float(v) for k, v in zip(FEATURES, scale)},
             "isotonic_x": xs, "isotonic_y": ys, "chain_intercept": 0.0, "chain_coef": None,
             "trained_on": len(rows), "C": C, "seed": SEED}
    # chain calibration from out-of-fold activities
    segs = default_mapper().segments
    raws, hits = [], []
    for r, p_raw in zip(rows, oof):
        f, items, words = featurize(r.name, r.entity_type, r.capital_yuan, r.scope)
        p = float(np.interp(p_raw, xs, ys))
        ind = p >= THRESHOLD
        act = Activity(items, f, p, float(p_raw), ind, section_of(ind, items, words, r.name), [], words)
        for seg, raw in raw_chain_scores(act, r.name, model):
            raws.append(raw)
            hits.append(float(segs[seg].chain_code in r.chains))
    if raws and len(set(hits)) == 2:
        from sklearn.linear_model import LogisticRegression

        cl = LogisticRegression(C=1.0, max_iter=2000).fit(np.asarray(raws), hits)
        model["chain_intercept"] = float(cl.intercept_[0])
        model["chain_coef"] = [float(v) for v in cl.coef_[0]]
    return model


def save(model: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def ece(conf: list[float], right: list[float], bins: int = 10) -> float | None:
    if not conf:
        return None
    c, r = np.asarray(conf, float), np.asarray(right, float)
    idx = np.minimum((c * bins).astype(int), bins - 1)
    return float(sum(abs(r[idx == b].mean() - c[idx == b].mean()) * (idx == b).sum() for b in range(bins)
                     if (idx == b).any()) / len(c))


def _pr(tp, fp, fn):
    return (tp / (tp + fp) if tp + fp else None), (tp / (tp + fn) if tp + fn else None)


def evaluate(rows: list[Labelled], model: dict | None = None) -> dict:
    from chainbrain.ingest.chainmap import industrial_only, map_firm

    only = industrial_only()
    preds = [map_firm(r.name, r.entity_type, r.capital_yuan, r.scope, model=model) for r in rows]
    tp = sum(1 for r, p in zip(rows, preds) if r.industrial and p.activity.industrial)
    fp = sum(1 for r, p in zip(rows, preds) if not r.industrial and p.activity.industrial)
    fn = sum(1 for r, p in zip(rows, preds) if r.industrial and not p.activity.industrial)
    prec, rec = _pr(tp, fp, fn)
    non = [(r, p) for r, p in zip(rows, preds) if not r.industrial]
    nonmfg = sum(1 for r, p in non if any(c.segment in only for c in p.segments))
    out = {"rows": len(rows), "industrial_labelled": tp + fn, "industrial_precision": prec, "industrial_recall": rec,
           "nonmfg_in_mfg": nonmfg / len(non) if non else None, "non_industrial_rows": len(non),
           "ece_industrial": ece([p.activity.confidence for p in preds],
                                 [float(p.activity.industrial == bool(r.industrial)) for r, p in zip(rows, preds)])}
    for tag, sel in (("clear", [i for i, r in enumerate(rows) if not r.ambiguous]), ("all", list(range(len(rows))))):
        ctp = cfp = cfn = 0
        per: dict[str, list[int]] = {}
        conf, right = [], []
        for i in sel:
            r, p = rows[i], preds[i]
            pc = p.chains()
            ctp += len(pc & r.chains)
            cfp += len(pc - r.chains)
            cfn += len(r.chains - pc)
            for ch in r.chains | pc:
                v = per.setdefault(ch, [0, 0, 0, 0])     # tp, fp, fn, labelled rows
                v[0] += ch in pc and ch in r.chains
                v[1] += ch in pc and ch not in r.chains
                v[2] += ch in r.chains and ch not in pc
                v[3] += ch in r.chains
            best: dict[str, float] = {}
            segs = {c.segment: c for c in p.segments}
            from chainbrain.ingest.mapping import default_mapper
            for code, c in segs.items():
                ch = default_mapper().segments[code].chain_code
                best[ch] = max(best.get(ch, 0.0), c.confidence)
            for ch, cf in best.items():
                conf.append(cf)
                right.append(float(ch in r.chains))
        cp, cr = _pr(ctp, cfp, cfn)
        out[tag] = {"rows": len(sel), "chain_labels": ctp + cfn, "chain_precision": cp, "chain_recall": cr,
                    "ece_chain": ece(conf, right), "chain_predictions": len(conf),
                    "per_chain": {ch: {"n": v[3], "precision": _pr(v[0], v[1], v[2])[0], "recall": _pr(v[0], v[1], v[2])[1]}
                                  for ch, v in sorted(per.items()) if v[3] >= MIN_PER_CHAIN}}
    return out


def errors(rows: list[Labelled], model: dict | None = None) -> list[tuple[Labelled, object]]:
    from chainbrain.ingest.chainmap import map_firm

    out = []
    for r in rows:
        p = map_firm(r.name, r.entity_type, r.capital_yuan, r.scope, model=model)
        if p.activity.industrial != bool(r.industrial) or p.chains() != r.chains:
            out.append((r, p))
    return out
