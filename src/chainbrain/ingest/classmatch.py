"""Production item objects → a GB/T 4754-2017 class of sections B, C, D by text similarity.

Rule: each class of sections B–D is a document made of its name and the key products
that 《战略性新兴产业分类(2018)》 lists for it (``catalog/data``); words are cut by jieba
(its bundled dictionary, offline) with the generic words of ``STOP`` removed, weighted
by TF-IDF (scikit-learn). The objects of a producer's main items are the query; the
most similar class is its class when the cosine similarity is at least ``MIN_SIM``
(0.35, chosen on the labelled tune part; unsourced) and clearly ahead of the next
class of another division (margin ``MARGIN``). Otherwise only the section is known.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import numpy as np

MIN_SIM = 0.35
MARGIN = 0.05
STOP = {"制造", "加工", "生产", "开采", "采选", "其他", "及", "和", "与", "的", "产品", "制品", "系列", "用", "、", "，", "（", "）",
        "业", "类", "各种", "设备", "专用", "相关", "服务", "销售", "等", "含", "不含", "除外"}


def _cut(text: str) -> list[str]:
    import jieba

    return [w for w in jieba.lcut(re.sub(r"[\s\d]", "", text or "")) if w not in STOP and len(w.strip()) > 0]


@lru_cache(maxsize=1)
def _index():
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer

    from chainbrain.catalog.industries import DATA, _read, industries

    jieba.setLogLevel(logging.WARNING)
    extra: dict[str, list[str]] = {}
    for r in _read("sei_2018_to_4754.csv"):
        extra.setdefault(r["industry_code"], []).append(r.get("key_products") or "")
    codes, docs = [], []
    for c in industries():
        if c.level == "class" and c.section in ("B", "C", "D"):
            codes.append(c.code)
            docs.append(" ".join([c.name, c.name, *extra.get(c.code, [])]))
    vec = TfidfVectorizer(tokenizer=_cut, token_pattern=None, lowercase=False, sublinear_tf=True)
    mat = vec.fit_transform(docs).tocsc()
    del DATA
    return vec, mat, codes


def _query(vec, tokens: list[str]):
    """The TF-IDF row of ``tokens`` as (column indices, l2-normalised weights) — what
    ``vec.transform`` computes (sublinear tf × idf, l2), without its per-call overhead."""
    counts: dict[int, int] = {}
    for tok in tokens:
        j = vec.vocabulary_.get(tok)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    if not counts:
        return None, None
    cols = np.fromiter(counts, dtype=np.int64)
    w = (1.0 + np.log(np.fromiter(counts.values(), dtype=float))) * vec.idf_[cols]
    return cols, w / np.linalg.norm(w)


def _sims(mat, cols, w):
    return np.asarray(mat[:, cols] @ w).ravel()


@lru_cache(maxsize=200_000)
def match(objects: str) -> tuple[str | None, float]:
    """(class code or None, cosine similarity of the best class); objects repeat across firms, so cached."""
    if not (objects or "").strip():
        return None, 0.0
    vec, mat, codes = _index()
    cols, w = _query(vec, _cut(objects))
    if cols is None:
        return None, 0.0
    sims = _sims(mat, cols, w)
    order = np.argsort(-sims)
    best = order[0]
    s0 = float(sims[best])
    other = next((float(sims[i]) for i in order[1:] if codes[i][:2] != codes[best][:2]), 0.0)
    if s0 >= MIN_SIM and s0 - other >= MARGIN:
        return codes[best], round(s0, 3)
    return None, round(s0, 3)


# ---------------------------------------------------------------- segments of the catalog
SEG_MIN_SIM = 0.30      # unsourced; chosen on the labelled tune rows (tune + first held-out part, v2)


def _grams(text: str) -> list[str]:
    """jieba words and the character bigrams of each word (塑料包装袋 → 塑料, 包装袋, 塑料, 料包, 包装, 装袋)."""
    out = []
    for w in _cut(text):
        out.append(w)
        out += [w[i:i + 2] for i in range(len(w) - 1)] if len(w) > 2 else []
    return out


@lru_cache(maxsize=1)
def _seg_index():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from chainbrain.ingest.mapping import default_mapper

    segs = [s for s in default_mapper().segments.values() if s.level == "segment"]
    docs = [" ".join([s.name_zh, s.name_zh, *s.keywords]) for s in segs]
    vec = TfidfVectorizer(tokenizer=_grams, token_pattern=None, lowercase=False, sublinear_tf=True)
    return vec, vec.fit_transform(docs).tocsc(), [s.code for s in segs]


@lru_cache(maxsize=100_000)
def match_segment(objects: str, allowed: frozenset | None = None) -> tuple[str | None, float]:
    """The catalog segment (top level) whose name and keywords are most similar to ``objects``.

    Rule: TF-IDF over jieba words and their character bigrams; the best segment when the
    cosine similarity is at least ``SEG_MIN_SIM``; ``allowed`` restricts the candidates.
    """
    if not (objects or "").strip():
        return None, 0.0
    vec, mat, codes = _seg_index()
    cols, w = _query(vec, _grams(objects))
    if cols is None:
        return None, 0.0
    sims = _sims(mat, cols, w)
    order = [i for i in np.argsort(-sims) if allowed is None or codes[i] in allowed]
    if not order:
        return None, 0.0
    best = order[0]
    s0 = float(sims[best])
    return (codes[best] if s0 >= SEG_MIN_SIM else None), round(s0, 3)
