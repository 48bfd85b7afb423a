"""Labelled registry rows (mapping guide) → training the main-activity model, and honest evaluation.

Files ``tests/fixtures/registry/labelled/{tune,heldout1,…,heldout6}.csv``: ``uscc, name,
entity_type, capital, business_scope, industrial (0/1), main_activity, segments (|-joined),
ambiguous, note, labeller, source[, drawn]`` (source = export file and line). Model v7 is trained
on all seven (choices by leave-one-part-out cross-validation, ``ingest.crossval``, each part's chain ECE
judged against its noise floor, ``ece_noise``); a fresh held-out part, drawn after the model was frozen,
is used only by ``evaluate``.

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
    drawn: str = ""
    part: str = ""          # the label file's stem (tune, heldout1 …): calibration folds by part (v6)

    @property
    def chains(self) -> set[str]:
        return {s.split("-")[0] for s in self.segments}

    @property
    def capital_yuan(self):
        return parse_capital(self.capital)[0]


def load(path: str | Path) -> list[Labelled]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [Labelled(r["uscc"], r["name"], r.get("entity_type", ""), r.get("capital", ""), r["business_scope"],
                         int(r["industrial"]), r.get("main_activity") or "",
                         tuple(s.strip() for s in r["segments"].split("|") if s.strip()),
                         int(r["ambiguous"]), r.get("note", ""), r.get("drawn") or "", Path(path).stem)
                for r in csv.DictReader(f)]


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
    # chain confidence from out-of-fold activities: a logistic fit on the candidates' features, then a
    # calibration map (isotonic, or Platt) fitted on out-of-fold logistic scores of the (row, chain) pairs
    segs = default_mapper().segments
    raws, hits, keys = [], [], []
    for i, (r, p_raw) in enumerate(zip(rows, oof)):
        if r.ambiguous and CHAIN_CLEAR_ONLY:
            continue                # an ambiguous row's chain label is uncertain: not a calibration target
        f, items, words = featurize(r.name, r.entity_type, r.capital_yuan, r.scope)
        p = float(np.interp(p_raw, xs, ys))
        ind = p >= THRESHOLD
        act = Activity(items, f, p, float(p_raw), ind, section_of(ind, items, words, r.name), [], words)
        for seg, raw in raw_chain_scores(act, r.name, model):
            ch = segs[seg].chain_code
            raws.append(raw)
            hits.append(float(ch in r.chains))
            keys.append((i, ch))
    global LAST_CHAIN_SET
    LAST_CHAIN_SET = (raws, hits, keys, [rows[i].part for i, _ in keys])
    if raws and len(set(hits)) == 2:
        X, yh = np.asarray(raws), np.asarray(hits)
        cl = _chain_lr(X, yh)
        model["chain_intercept"] = float(cl.intercept_[0])
        model["chain_coef"] = [float(v) for v in cl.coef_[0]]
        parts = [rows[i].part for i, _ in keys]
        by_part = CAL_FOLDS == "part" and len(set(parts)) >= 3
        model.update(chain_calibration(X, yh, keys, parts if by_part else None))
        model["chain_cal_folds"] = "part" if by_part else "row"
        model["auto_threshold"] = AUTO_THRESHOLD
    return model


CHAIN_C = 1.0
LAST_CHAIN_SET = None     # (features, hits, (row, chain) keys, parts) of the last train(): for scripts/cv_chain_confidence.py
CHAIN_CLEAR_ONLY = True      # fit the chain confidence on rows not marked ambiguous
CALIBRATOR = "platt"         # "isotonic", "platt" or "none": the map from the chain logistic score to P(chain right)
CAL_FOLDS = "row"            # "row": the chain calibration map is fitted on 5-fold scores grouped by row (v4–v6);
                             # "part": on leave-one-part-out scores (tried for v6: pooled ECE 0.020 → 0.016 at 0.45,
                             # every part's ECE within ±0.006 of "row" — no gain beyond noise, not taken; docs/ingest.md)
AUTO_THRESHOLD = 0.45        # calibrated chain confidence under which a segment is not assigned but only suggested
                             # to the review queue (v5: 0.45, v6: 0.50, v7: 0.45 — the nested rule over seven parts picks
                             # 0.45 for every part; chosen by leave-one-part-out CV, crossval.nested_threshold —
                             # the grid value with the best min(chain P, R) on clear rows; docs/ingest.md; unsourced)


def _chain_lr(X, y):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=CHAIN_C, max_iter=2000).fit(X, y)


def chain_calibration(X: np.ndarray, y: np.ndarray, keys: list[tuple[int, str]], parts: list[str] | None = None) -> dict:
    """Calibration map of the chain confidence: out-of-fold logistic scores — 5 folds grouped by row, or
    (``parts`` given, v6) one fold per labelled part, each scored by a fit on the other parts — the best
    score per (row, chain) — what a firm's chain confidence is — against whether the chain is labelled;
    isotonic regression (or Platt: a logistic fit on the score's log-odds)."""
    if CALIBRATOR == "none":
        return {"chain_cal": None}
    from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

    oof = np.zeros(len(y))
    if parts is not None:
        splits = LeaveOneGroupOut().split(X, y, np.array(parts))
    else:
        splits = GroupKFold(5).split(X, y, np.array([k[0] for k in keys]))
    for tr, te in splits:
        if len(set(y[tr])) < 2:
            oof[te] = y[tr].mean()
            continue
        oof[te] = _chain_lr(X[tr], y[tr]).predict_proba(X[te])[:, 1]
    best: dict[tuple[int, str], list[float]] = {}
    for k, s, h in zip(keys, oof, y):
        v = best.setdefault(k, [0.0, h])
        v[0] = max(v[0], s)
    sc = np.array([v[0] for v in best.values()])
    hy = np.array([v[1] for v in best.values()])
    if CALIBRATOR == "platt":
        from sklearn.linear_model import LogisticRegression

        z = np.log(np.clip(sc, 1e-4, 1 - 1e-4) / (1 - np.clip(sc, 1e-4, 1 - 1e-4))).reshape(-1, 1)
        pl = LogisticRegression(C=1e4, max_iter=2000).fit(z, hy)
        return {"chain_cal": "platt", "chain_platt": [float(pl.intercept_[0]), float(pl.coef_[0][0])]}
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(sc, hy)
    return {"chain_cal": "isotonic", "chain_iso_x": [float(v) for v in iso.X_thresholds_],
            "chain_iso_y": [float(v) for v in iso.y_thresholds_]}


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


def predict(rows: list[Labelled], model: dict | None = None) -> list:
    from chainbrain.ingest.chainmap import map_firm

    return [map_firm(r.name, r.entity_type, r.capital_yuan, r.scope, model=model) for r in rows]


def evaluate_all(rows: list[Labelled], model: dict | None = None, preds: list | None = None) -> dict:
    """``evaluate`` on all rows, plus the same figures on the rows drawn at random (``drawn == random``)
    under ``"random"`` when the file has that column."""
    preds = predict(rows, model) if preds is None else preds
    out = evaluate(rows, preds=preds)
    sel = [i for i, r in enumerate(rows) if r.drawn == "random"]
    if sel:
        out["random"] = evaluate([rows[i] for i in sel], preds=[preds[i] for i in sel])
    return out


def evaluate(rows: list[Labelled], model: dict | None = None, preds: list | None = None) -> dict:
    """Metrics of the module docstring; ``preds`` (``chainmap.Mapped`` per row) when already mapped.

    A chain is *predicted* only when it is assigned automatically (confidence ≥ ``chainmap.MIN_CONF``);
    chains held back for the review queue (``Mapped.held``) count as not predicted — they are not in
    any chain figure until a reviewer decides. ``review_share`` = share of rows with a held chain and
    ``review_right`` = share of held (row, chain) pairs that are labelled (what review would confirm);
    ``recall_if_reviewed`` = recall if every held chain were accepted when right."""
    from chainbrain.ingest.chainmap import industrial_only
    from chainbrain.ingest.mapping import default_mapper

    only = industrial_only()
    segmap = default_mapper().segments
    preds = predict(rows, model) if preds is None else preds
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
        held_rows = held_pairs = held_right = held_found = 0
        for i in sel:
            r, p = rows[i], preds[i]
            pc = p.chains()
            ctp += len(pc & r.chains)
            cfp += len(pc - r.chains)
            cfn += len(r.chains - pc)
            hc = p.held_chains() - pc
            held_rows += bool(hc)
            held_pairs += len(hc)
            held_right += len(hc & r.chains)
            held_found += len((hc & r.chains) - pc)
            for ch in r.chains | pc:
                v = per.setdefault(ch, [0, 0, 0, 0])     # tp, fp, fn, labelled rows
                v[0] += ch in pc and ch in r.chains
                v[1] += ch in pc and ch not in r.chains
                v[2] += ch in r.chains and ch not in pc
                v[3] += ch in r.chains
            for ch, cf in _best_by_chain(p, segmap).items():
                conf.append(cf)
                right.append(float(ch in r.chains))
        cp, cr = _pr(ctp, cfp, cfn)
        out[tag] = {"rows": len(sel), "chain_labels": ctp + cfn, "chain_precision": cp, "chain_recall": cr,
                    "ece_chain": ece(conf, right), "chain_predictions": len(conf),
                    "review_share": held_rows / len(sel) if sel else None, "review_pairs": held_pairs,
                    "review_right": held_right / held_pairs if held_pairs else None,
                    "recall_if_reviewed": (ctp + held_found) / (ctp + cfn) if ctp + cfn else None,
                    "per_chain": {ch: {"n": v[3], "precision": _pr(v[0], v[1], v[2])[0], "recall": _pr(v[0], v[1], v[2])[1]}
                                  for ch, v in sorted(per.items()) if v[3] >= MIN_PER_CHAIN}}
    return out


def _best_by_chain(p, segmap) -> dict[str, float]:
    """chain → the highest confidence among the auto-mapped segments of ``p`` (a ``chainmap.Mapped``)."""
    best: dict[str, float] = {}
    for c in p.segments:
        ch = segmap[c.segment].chain_code
        best[ch] = max(best.get(ch, 0.0), c.confidence)
    return best


def errors(rows: list[Labelled], model: dict | None = None, preds: list | None = None) -> list[tuple[Labelled, object]]:
    """(row, mapping) of the rows whose industrial flag or auto-mapped chains differ from the label."""
    preds = predict(rows, model) if preds is None else preds
    return [(r, p) for r, p in zip(rows, preds) if p.activity.industrial != bool(r.industrial) or p.chains() != r.chains]


def chain_conf(rows: list[Labelled], preds: list, clear: bool = True) -> tuple[list[float], list[float]]:
    """(confidence, right) of every auto-mapped (row, chain) prediction — what the chain ECE is computed on."""
    from chainbrain.ingest.mapping import default_mapper

    segmap = default_mapper().segments
    conf, right = [], []
    for r, p in zip(rows, preds):
        if clear and r.ambiguous:
            continue
        for ch, cf in _best_by_chain(p, segmap).items():
            conf.append(cf)
            right.append(float(ch in r.chains))
    return conf, right


NOISE_DRAWS = 2000
NOISE_SEED = 20261207


def ece_noise(conf: list[float], observed: float | None = None, draws: int = NOISE_DRAWS, seed: int = NOISE_SEED,
              bins: int = 10) -> dict:
    """Noise floor of the ECE (v7): outcomes drawn from the confidences themselves (right with probability
    = confidence, i.e. a perfectly calibrated model with these confidences), ``draws`` times; the mean and
    90th percentile of their ECE, and (``observed`` given) the share of draws at or above it — a part's ECE
    is "inside its noise" when that share is not small. A small part (~130 predictions) has a floor of
    ~0.045 whatever the model."""
    c = np.asarray(conf, float)
    if not len(c):
        return {"mean": None, "p90": None, "p_at_least": None}
    y = (np.random.default_rng(seed).random((draws, len(c))) < c).astype(float)
    idx = np.minimum((c * bins).astype(int), bins - 1)
    tot = np.zeros(draws)
    for b in range(bins):
        m = idx == b
        if m.any():
            tot += np.abs(y[:, m].mean(axis=1) - c[m].mean()) * m.sum()
    e = tot / len(c)
    out = {"mean": float(e.mean()), "p90": float(np.quantile(e, 0.9))}
    out["p_at_least"] = None if observed is None else float((e >= observed - 1e-12).mean())
    return out


def reliability(rows: list[Labelled], preds: list, bins: int = 10, clear: bool = True) -> list[dict]:
    """Reliability table of the chain confidence: per equal-width confidence bin, the number of
    auto-mapped (row, chain) predictions, their mean confidence and the share that is labelled —
    confidence above the share is over-confidence, below it under-confidence."""
    conf, right = chain_conf(rows, preds, clear)
    c, y = np.asarray(conf, float), np.asarray(right, float)
    idx = np.minimum((c * bins).astype(int), bins - 1)
    return [{"bin": f"{b / bins:.1f}–{(b + 1) / bins:.1f}", "n": int((idx == b).sum()),
             "confidence": float(c[idx == b].mean()), "right": float(y[idx == b].mean())}
            for b in range(bins) if (idx == b).any()]
