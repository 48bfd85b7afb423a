"""Model v7's yardstick (#19): chain-confidence variants compared by leave-one-part-out over the spent parts.

    PYTHONPATH=src python scripts/cv_chain_confidence.py [PARTS…]      (default: tune heldout1 … heldout6)

For each part, the WHOLE model is retrained without it (``labelled.train``, rows sharing a USCC, name or scope
with the part left out — ``crossval.out_of_part``), the part is mapped with auto threshold 0 (every candidate
kept, with its chain features), and the chain training set of that fit (``labelled.LAST_CHAIN_SET``) is kept.
Each variant refits only the chain confidence on that training set and scores the held part's candidates, so
the candidate segments are the same in every variant (they do not depend on the confidence); a chain is
auto-mapped when its best segment's confidence ≥ the threshold. Printed per variant: pooled chain P / R / ECE
(clear rows, auto-mapped chains), each part's ECE with its noise floor (``labelled.ece_noise``: mean and 90th
percentile of the ECE of outcomes drawn from the part's own confidences) and the share of draws at or above it,
per-part P / R, and the log-loss and Brier score of every chain candidate (clear rows, whatever the threshold). Then a drift test on the v6 recipe's out-of-part
confidences of every chain candidate: a logistic recalibration (intercept + slope on the log-odds) against one
with an intercept per part (likelihood ratio, 6 df) — does a part need its own map?
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.stats import chi2
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

from chainbrain.ingest import labelled as L
from chainbrain.ingest.chainmap import _map_firm
from chainbrain.ingest.crossval import groups
from chainbrain.ingest.mapping import default_mapper

LAB = Path("tests/fixtures/registry/labelled")


def collect(names):
    parts = {p: L.load(LAB / f"{p}.csv") for p in names}
    segs = default_mapper().segments
    rows = [r for p in names for r in parts[p]]
    part_of = [p for p in names for _ in parts[p]]
    g = groups(rows)
    out = {}
    for test in names:
        tg = {g[i] for i, p in enumerate(part_of) if p == test}
        model = L.train([r for i, r in enumerate(rows) if part_of[i] != test and g[i] not in tg])
        X, y, keys, kparts = L.LAST_CHAIN_SET
        model["auto_threshold"] = 0.0
        test_rows = []
        for r in parts[test]:
            m = _map_firm(r.name, r.entity_type, r.capital_yuan, r.scope, None, None, model)
            test_rows.append({"ambiguous": r.ambiguous, "chains": r.chains,
                              "cands": [(segs[c.segment].chain_code, np.asarray(c.features, float), c.confidence)
                                        for c in m.segments + m.held]})
        out[test] = {"train": (np.asarray(X, float), np.asarray(y, float), keys, kparts), "test": test_rows}
        print(f"  {test}: trained on the other parts, {len(test_rows)} rows mapped", file=sys.stderr, flush=True)
    return out


def _lg(v):
    v = np.clip(np.asarray(v, float), 1e-4, 1 - 1e-4)
    return np.log(v / (1 - v))


def _best(keys, s, y):
    best: dict = {}
    for k, v, h in zip(keys, s, y):
        b = best.setdefault(k, [0.0, h])
        b[0] = max(b[0], v)
    return np.array([b[0] for b in best.values()]), np.array([b[1] for b in best.values()])


def lr(cols=None, C=1.0):
    def fit(X, y):
        m = LogisticRegression(C=C, max_iter=3000).fit(X if cols is None else X[:, cols], y)
        return lambda Z: m.predict_proba(Z if cols is None else Z[:, cols])[:, 1]
    return fit


def calibrator(kind, s, y, nb=10):
    if kind == "none":
        return lambda z: np.asarray(z)
    if kind == "platt":
        pl = LogisticRegression(C=1e4, max_iter=2000).fit(_lg(s).reshape(-1, 1), y)
        return lambda z: pl.predict_proba(_lg(z).reshape(-1, 1))[:, 1]
    if kind == "isotonic":
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(s, y)
        return lambda z: iso.predict(np.asarray(z))
    if kind == "hist":                  # histogram binning (Zadrozny & Elkan 2001), nb equal-mass bins
        qs = np.quantile(s, np.linspace(0, 1, nb + 1)[1:-1])
        idx = np.searchsorted(qs, s, side="right")
        vals = np.array([y[idx == b].mean() if (idx == b).any() else 0.5 for b in range(nb)])
        return lambda z: vals[np.searchsorted(qs, np.asarray(z), side="right")]
    raise ValueError(kind)


def variant(fit, cal="platt", folds="row", nb=10):
    """Chain confidence: ``fit`` on the training candidates, then a calibration map fitted on out-of-fold
    scores (folds grouped by row — v4–v6 — or one fold per part), best score per (row, chain)."""
    def conf(D, p):
        X, y, keys, kparts = D[p]["train"]
        f = fit(X, y)
        c = lambda z: z  # noqa: E731
        if cal != "none":
            o = np.zeros(len(y))
            sp = (LeaveOneGroupOut().split(X, y, np.array(kparts)) if folds == "part"
                  else GroupKFold(5).split(X, y, np.array([k[0] for k in keys])))
            for tr, te in sp:
                o[te] = fit(X[tr], y[tr])(X[te])
            c = calibrator(cal, *_best(keys, o, y), nb=nb)
        return [list(c(f(np.array([cd[1] for cd in r["cands"]])))) if r["cands"] else [] for r in D[p]["test"]]
    return conf


def evidence_class(m=10):
    """Confidence by evidence class (how the chain was found), each class's rate shrunk to its parent's."""
    def cls(f):   # chain_features: 2 from_name 3 similarity 4 class_only 6 chains 7 industrial 8 lead 10 first_item 13 first_word
        if not f[7]:
            return "non-producer", "non-producer"
        if f[3] or f[4]:
            return "fallback", "similarity" if f[3] else "class"
        if not f[8]:
            return "later item", "later item"
        if f[6] > 1 and not f[13]:
            return "lead", "second chain"
        return "lead", f"name{int(f[2])}-first{int(f[10])}"

    def conf(D, p):
        X, y, _, _ = D[p]["train"]
        n: dict = {}
        for f, h in zip(X, y):
            a, b = cls(f)
            for k in (a, (a, b)):
                v = n.setdefault(k, [0.0, 0])
                v[0] += h
                v[1] += 1
        g = y.mean()

        def rate(f):
            a, b = cls(f)
            pa = (n.get(a, [0, 0])[0] + m * g) / (n.get(a, [0, 0])[1] + m)
            v = n.get((a, b), [0, 0])
            return (v[0] + m * pa) / (v[1] + m)
        return [[rate(cd[1]) for cd in r["cands"]] for r in D[p]["test"]]
    return conf


def shipped(D, p):
    return [[cd[2] for cd in r["cands"]] for r in D[p]["test"]]


def chains_at(rows, confs, t):
    tp = fp = fn = 0
    C, R = [], []
    for r, cf in zip(rows, confs):
        if r["ambiguous"]:
            continue
        best: dict = {}
        for cd, c in zip(r["cands"], cf):
            best[cd[0]] = max(best.get(cd[0], 0.0), c)
        pc = {ch for ch, c in best.items() if c >= t}
        tp += len(pc & r["chains"])
        fp += len(pc - r["chains"])
        fn += len(r["chains"] - pc)
        C += [best[ch] for ch in pc]
        R += [float(ch in r["chains"]) for ch in pc]
    return tp, fp, fn, C, R


def report(D, name, conf, t):
    TP = FP = FN = 0
    CC, RR, line1, line2, A, AY = [], [], [], [], [], []
    for p in D:
        cf = conf(D, p)
        tp, fp, fn, C, R = chains_at(D[p]["test"], cf, t)
        _, _, _, a, ay = chains_at(D[p]["test"], cf, 0.0)
        A, AY = A + a, AY + ay
        TP, FP, FN, CC, RR = TP + tp, FP + fp, FN + fn, CC + C, RR + R
        e = L.ece(C, R)
        fl = L.ece_noise(C, e)
        line1.append(f"{p}: {e:.3f} ({fl['mean']:.3f}/{fl['p90']:.3f}, {fl['p_at_least']:.2f})")
        line2.append(f"{p}: {tp / (tp + fp):.2f}/{tp / (tp + fn):.2f}")
    a, ay = np.clip(np.array(A), 1e-4, 1 - 1e-4), np.array(AY)
    ll = float(-np.mean(ay * np.log(a) + (1 - ay) * np.log(1 - a)))
    print(f"{name} @ {t:.2f}: pooled P {TP / (TP + FP):.3f} R {TP / (TP + FN):.3f} ECE {L.ece(CC, RR):.3f}; every chain "
          f"candidate (threshold-free): log-loss {ll:.4f}, Brier {float(np.mean((a - ay) ** 2)):.4f}")
    print("   ECE (floor mean/p90, share of draws ≥):", "; ".join(line1))
    print("   P/R:", "; ".join(line2))


def drift(D):
    C, Y, P = [], [], []
    for p in D:
        for r, cf in zip(D[p]["test"], shipped(D, p)):
            if r["ambiguous"]:
                continue
            best: dict = {}
            for cd, c in zip(r["cands"], cf):
                best[cd[0]] = max(best.get(cd[0], 0.0), c)
            for ch, c in best.items():
                C.append(c)
                Y.append(float(ch in r["chains"]))
                P.append(p)
    z, Y, P = _lg(C), np.array(Y), np.array(P)

    def nll(X, icpt=True):
        m = LogisticRegression(C=1e6, max_iter=10000, fit_intercept=icpt).fit(X, Y)
        q = np.clip(m.predict_proba(X)[:, 1], 1e-9, 1 - 1e-9)
        return -np.sum(Y * np.log(q) + (1 - Y) * np.log(1 - q)), m
    d = [(P == p).astype(float) for p in D]
    l0, m0 = nll(z.reshape(-1, 1))
    l1, m1 = nll(np.column_stack([z] + d), False)
    l2, _ = nll(np.column_stack(d + [z * x for x in d]), False)
    k = len(D) - 1
    print(f"drift test, {len(Y)} chain candidates (clear rows), shipped recipe's out-of-part confidences: recalibration "
          f"intercept {m0.intercept_[0]:+.2f}, slope {m0.coef_[0][0]:.2f}; an intercept per part: LR {2 * (l0 - l1):.1f} "
          f"({k} df, p {chi2.sf(2 * (l0 - l1), k):.2f}; offsets "
          + " ".join(f"{v - m0.intercept_[0]:+.2f}" for v in m1.coef_[0][1:])
          + f"); intercept and slope per part: LR {2 * (l0 - l2):.1f} ({2 * k} df, p {chi2.sf(2 * (l0 - l2), 2 * k):.2f})")


def main(names):
    D = collect(names)
    drift(D)
    runs = [("shipped recipe (14-feature logistic, Platt on row-grouped 5-fold scores)", shipped)]
    for t in (0.45, 0.50):
        for name, conf in runs:
            report(D, name, conf, t)
    for name, conf in [("Platt on part-out scores", variant(lr(), "platt", "part")),
                       ("isotonic, row folds", variant(lr(), "isotonic", "row")),
                       ("isotonic, part-out scores", variant(lr(), "isotonic", "part")),
                       *[(f"histogram binning {nb} bins, part-out", variant(lr(), "hist", "part", nb)) for nb in (5, 8, 10, 15)],
                       ("no calibration map", variant(lr(), "none")),
                       ("logistic C=0.1 + Platt", variant(lr(C=0.1))),
                       ("8 features + Platt", variant(lr([0, 2, 3, 4, 7, 8, 10, 13]))),
                       ("9 features of v3 + Platt", variant(lr([0, 1, 2, 3, 4, 5, 6, 7, 8]))),
                       ("evidence class, shrunk to parent (m=10)", evidence_class())]:
        report(D, name, conf, 0.45)


if __name__ == "__main__":
    main(sys.argv[1:] or ["tune"] + [f"heldout{i}" for i in range(1, 7)])
