"""Grouped k-fold cross-validation of the main-activity and chain model on labelled rows (#19).

Rule: rows are grouped so that one firm never sits in a training and a test fold at once (the
group is the USCC, joined with every other row of the same name or the same business scope — a
branch or a re-registration); ``K`` folds (``GroupKFold`` after a seeded shuffle of the groups).
In each fold the whole model — activity logistic + isotonic, chain logistic and its calibration
map — is trained on the other folds only (``labelled.train``), and the held fold is mapped with
it; the metrics (``labelled.evaluate``) are computed once on the pooled out-of-fold mappings, so
the cross-validated ECE is that of a calibrator that never saw the rows it is judged on.

Leave-one-part-out (``by_part``, since v5): the labelled parts were drawn and labelled one after
another, each after the previous model was frozen; training on all parts but one and testing on
it (grouped: a firm of the test part that also sits in a training part is left out of training)
repeats what a fresh held-out part measures, including the drift between parts that a random
k-fold split hides. v5 reports that figure as the expected one.
"""

from __future__ import annotations

import numpy as np

from chainbrain.ingest import labelled as L

K = 5
SEED = 20261206          # shuffle of the groups before GroupKFold (``seed`` to vary the split)


def groups(rows: list[L.Labelled]) -> np.ndarray:
    parent = list(range(len(rows)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for i, r in enumerate(rows):
        for key in (("uscc", r.uscc), ("name", r.name.strip()), ("scope", r.scope.strip())):
            if not key[1]:
                continue
            j = first.setdefault(key, i)
            parent[find(i)] = find(j)
    return np.array([find(i) for i in range(len(rows))])


def out_of_fold(rows: list[L.Labelled], k: int = K, seed: int = SEED, threshold: float | None = None) -> list:
    """The mapping of every row by a model trained without its fold (``threshold``: the auto threshold
    written into each fold's model, None: the module default)."""
    from sklearn.model_selection import GroupKFold

    from chainbrain.ingest.chainmap import _map_firm

    g = groups(rows)
    uniq = np.unique(g)
    perm = dict(zip(uniq, np.random.default_rng(seed).permutation(len(uniq))))
    gs = np.array([perm[v] for v in g])
    preds: list = [None] * len(rows)
    for tr, te in GroupKFold(k).split(np.zeros(len(rows)), groups=gs):
        model = L.train([rows[i] for i in tr])
        if threshold is not None:
            model["auto_threshold"] = threshold
        for i in te:
            r = rows[i]
            preds[i] = _map_firm(r.name, r.entity_type, r.capital_yuan, r.scope, None, None, model)
    return preds


def cross_validate(rows: list[L.Labelled], k: int = K, seed: int = SEED, threshold: float | None = None) -> dict:
    preds = out_of_fold(rows, k, seed, threshold)
    return L.evaluate(rows, preds=preds)


def out_of_part(parts: dict[str, list[L.Labelled]], threshold: float | None = None) -> dict[str, list]:
    """Per part, the mapping of its rows by a model trained on the other parts only (rows of a training
    part that share a group — USCC, name or scope — with a row of the test part are left out)."""
    from chainbrain.ingest.chainmap import _map_firm

    names = list(parts)
    rows = [r for p in names for r in parts[p]]
    part_of = [p for p in names for _ in parts[p]]
    g = groups(rows)
    out: dict[str, list] = {}
    for test in names:
        test_groups = {g[i] for i, p in enumerate(part_of) if p == test}
        model = L.train([r for i, r in enumerate(rows) if part_of[i] != test and g[i] not in test_groups])
        if threshold is not None:
            model["auto_threshold"] = threshold
        out[test] = [_map_firm(r.name, r.entity_type, r.capital_yuan, r.scope, None, None, model) for r in parts[test]]
    return out


def leave_one_part_out(parts: dict[str, list[L.Labelled]], threshold: float | None = None) -> dict:
    """Metrics pooled over the parts, each mapped by a model that never saw it (``out_of_part``), and per
    part under ``"parts"`` — with (v7) each part's chain-ECE noise floor (``labelled.ece_noise``) under
    ``["clear"]["ece_floor"]``: a part's ECE is judged against what a perfectly calibrated model with the same
    confidences would show on it."""
    preds = out_of_part(parts, threshold)
    rows = [r for p in parts for r in parts[p]]
    res = L.evaluate_all(rows, preds=[m for p in parts for m in preds[p]])
    res["parts"] = {p: L.evaluate(parts[p], preds=preds[p]) for p in parts}
    for p, v in res["parts"].items():       # v7: each part's chain ECE next to its own noise floor
        conf, _ = L.chain_conf(parts[p], preds[p])
        v["clear"]["ece_floor"] = L.ece_noise(conf, v["clear"]["ece_chain"])
    return res


GRID = (0.45, 0.50, 0.55, 0.60, 0.63, 0.65, 0.70)


def _at(preds: list, t: float) -> list:
    """The mappings as a model with auto threshold ``t`` gives them (the confidences do not depend on it)."""
    from dataclasses import replace

    out = []
    for m in preds:
        every = [*m.segments, *m.held]
        out.append(replace(m, segments=[c for c in every if c.confidence >= t or c.method == "manual"],
                           held=[c for c in every if c.confidence < t and c.method != "manual"]))
    return out


def _score(res: dict) -> float:
    """What a threshold is chosen for: the smaller of chain precision and recall on clear rows."""
    c = res["clear"]
    return min(c["chain_precision"] or 0.0, c["chain_recall"] or 0.0)


def nested_threshold(parts: dict[str, list[L.Labelled]], grid=GRID) -> dict:
    """Leave-one-part-out with the auto threshold chosen without the test part: for each part, the
    threshold of ``grid`` with the best ``_score`` on the other parts' out-of-part mappings, then applied
    to the test part. Returns the pooled metrics, the threshold chosen per part and the metrics of every
    fixed threshold (``by_threshold``). (The other parts' mappings come from models that saw the test
    part in training; only its labels are kept out of the choice.)"""
    preds = out_of_part(parts, threshold=0.0)
    names = list(parts)
    by_t = {t: {p: _at(preds[p], t) for p in names} for t in grid}
    chosen, pooled_rows, pooled_preds = {}, [], []
    for test in names:
        others = [p for p in names if p != test]
        rows_o = [r for p in others for r in parts[p]]
        best = max(grid, key=lambda t: (_score(L.evaluate(rows_o, preds=[m for p in others for m in by_t[t][p]])), -abs(t - 0.6)))
        chosen[test] = best
        pooled_rows += parts[test]
        pooled_preds += by_t[best][test]
    res = L.evaluate_all(pooled_rows, preds=pooled_preds)
    res["chosen"] = chosen
    every = [r for p in names for r in parts[p]]
    res["by_threshold"] = {t: L.evaluate(every, preds=[m for p in names for m in by_t[t][p]]) for t in grid}
    return res
