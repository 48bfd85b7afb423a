"""Grouped k-fold cross-validation of the main-activity and chain model on labelled rows (#19).

Rule: rows are grouped so that one firm never sits in a training and a test fold at once (the
group is the USCC, joined with every other row of the same name or the same business scope — a
branch or a re-registration); ``K`` folds (``GroupKFold`` after a seeded shuffle of the groups).
In each fold the whole model — activity logistic + isotonic, chain logistic and its calibration
map — is trained on the other folds only (``labelled.train``), and the held fold is mapped with
it; the metrics (``labelled.evaluate``) are computed once on the pooled out-of-fold mappings, so
the cross-validated ECE is that of a calibrator that never saw the rows it is judged on.
"""

from __future__ import annotations

import numpy as np

from chainbrain.ingest import labelled as L

K = 5
SEED = int(__import__("os").environ.get("CV_SEED", 20261206))


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
