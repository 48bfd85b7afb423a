"""Registry enterprise → chain segments, decided after the main activity (``ingest.activity``).

Rules (mapping guide §2, the pack's catalog decides what a chain contains):

- the catalog's keyword and class matching (``ingest.mapping.Mapper``) sees only the
  main activity: for a producer the production items (their text and objects), for
  anyone else the object of the first item (a trader's later items are side lines); never
  the whole scope;
- an enterprise that is not industrial never sits in an *industrial-only* segment
  (every class of the segment in divisions 06–46: mining, manufacturing, utilities);
  it may sit in a segment with a non-industrial class (farming, wholesale of drugs,
  scrap trade 5191, software services) when its main activity matches it;
- a producer that no catalog keyword or class places gets the segment whose catalog text is
  most similar to its first production item (``classmatch.match_segment``), if similar enough;
- at most ``MAX_SEGMENTS`` (3) segments, strongest first;
- confidence = P(the chain is right): a logistic fit on the candidate's features
  (``chain_features``; since v5 also whether the firm's first-named product word is of this chain),
  then a Platt map fitted on out-of-fold scores (``labelled.train``);
- a segment under the model's ``auto_threshold`` (v5: 0.45, v6: 0.50, v7: 0.45, chosen by leave-one-part-out cross-validation)
  is not assigned but held (``Mapped.held``) as a suggestion for the review queue only;
- a firm that is not industrial sits only in a segment with a class of its own section; it is matched on
  its first item's object and whole text (v6), and an industrial-only sub-segment stands for a parent that
  has a class of its section (``_non_producer``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from chainbrain.ingest.activity import Activity, classify, load_model
from chainbrain.ingest.mapping import Candidate, default_mapper

MAX_SEGMENTS = 3
MIN_CONF = 0.0          # segments below this chain confidence are not assigned (0: all assigned; the review queue takes the doubtful)
SIMILAR_CONF = 0.40     # a segment found only by text similarity (classmatch.match_segment), before calibration


@lru_cache(maxsize=1)
def industrial_only() -> frozenset[str]:
    """Segments all of whose classes lie in divisions 06–46 (sections B, C, D)."""
    out = set()
    for code, seg in default_mapper().segments.items():
        classes = list(seg.industry_codes)
        if not classes and seg.parent_code:
            classes = list(default_mapper().segments[seg.parent_code].industry_codes)
        if classes and all("06" <= c[:2] <= "46" for c in classes):
            out.add(code)
    return frozenset(out)


_SECTIONS = (("A", 1, 5), ("B", 6, 12), ("C", 13, 43), ("D", 44, 46), ("E", 47, 50), ("F", 51, 52), ("G", 53, 60),
             ("H", 61, 62), ("I", 63, 65), ("J", 66, 69), ("K", 70, 70), ("L", 71, 72), ("M", 73, 75), ("N", 76, 79),
             ("O", 80, 82), ("P", 83, 83), ("Q", 84, 85), ("R", 86, 90), ("S", 91, 96))


def section_of_class(code: str) -> str | None:
    """GB/T 4754-2017 section letter of a class code (by its division, the standard's section ranges)."""
    d = int(code[:2]) if code[:2].isdigit() else -1
    return next((s for s, lo, hi in _SECTIONS if lo <= d <= hi), None)


@lru_cache(maxsize=1)
def segment_sections() -> dict[str, frozenset[str]]:
    """Sections of each segment's classes (a sub-segment without classes takes its parent's)."""
    segs = default_mapper().segments
    out = {}
    for code, seg in segs.items():
        classes = list(seg.industry_codes) or (list(segs[seg.parent_code].industry_codes) if seg.parent_code else [])
        out[code] = frozenset(filter(None, (section_of_class(c) for c in classes)))
    return out


SECTION_RULE = True


def section_fits(segment: str, section: str) -> bool:
    """A firm that is not industrial sits only in a segment with a class of its own main-activity section
    (a road builder, E, not in airports, G 5631; a pharmacy, F, not in herb farming, A) — mapping guide
    §2: the main activity decides; section L (no evidence of any section) is not restricted."""
    secs = segment_sections().get(segment)
    return not SECTION_RULE or section == "L" or not secs or section in secs


@dataclass
class Mapped:
    activity: Activity
    segments: list[Candidate]
    class_code: str | None = None          # GB/T 4754 class of the main activity, where the text allows
    class_similarity: float = 0.0
    held: list[Candidate] = field(default_factory=list)   # below MIN_CONF: not assigned, suggested to the review queue

    def chains(self) -> set[str]:
        segs = default_mapper().segments
        return {segs[c.segment].chain_code for c in self.segments}

    def held_chains(self) -> set[str]:
        segs = default_mapper().segments
        return {segs[c.segment].chain_code for c in self.held}


CHAIN_FEATURES = ("keyword_logit", "activity_logit", "from_name", "similarity", "class_only", "rank", "chains",
                  "industrial", "lead", "words", "first_item", "produce_share", "sub_segment", "first_word")
EXTRA_FEATURES = True      # v4: four more features (False: the nine of v3)
FIRST_WORD = True          # v5: whether the candidate's word is the first product word of the main text


def _logit(v: float) -> float:
    v = min(max(v, 1e-3), 1 - 1e-3)
    return float(np.log(v / (1 - v)))


def _first_chain(cands: list[Candidate], text: str, segs) -> str | None:
    """Chain of the product word that comes first in the main text (the firm's first-named product)."""
    best = None
    for c in cands:
        pos = [text.find(t) for t in c.terms if t and text.find(t) >= 0]
        if pos and (best is None or min(pos) < best[0]):
            best = (min(pos), segs[c.segment].chain_code)
    return best[1] if best else None


def chain_features(c: Candidate, act: Activity, rank: int, n_chains: int, lead: str = "",
                   first_chain: str | None = None, chain: str | None = None) -> list[float]:
    """What the chain confidence is fitted on: strength of the catalog match, of the main activity,
    where the match came from (name, text similarity, class only), its rank, how many chains compete
    and whether a matched word is in the lead text (first item and name)."""
    f = [_logit(c.confidence), _logit(act.confidence), float(any(e.startswith("name:") for e in c.evidence)),
         float(c.method == "text_similarity"), float(c.method == "industry_class"), float(rank),
         float(n_chains), float(act.industrial), float(c.method != "keyword" or any(t in lead for t in c.terms))]
    if EXTRA_FEATURES:     # how many words matched, one in the very first item, share of production items, a sub-segment
        first = act.items[0].text if act.items else ""
        f += [float(min(len(c.terms), 3)), float(any(t in first for t in c.terms)),
              float(act.features.get("produce_share", 0.0)), float(c.segment.count("-") > 1)]
    if FIRST_WORD:         # the first product word named in the main items is of this chain (or no word names any)
        f.append(float(first_chain is None or first_chain == chain))
    return f


def chain_confidence(model: dict, feats: list[float]) -> float:
    """P(the chain is right): a logistic fit on the tune part's out-of-fold candidates."""
    coef = model.get("chain_coef")
    if not coef:
        return float(np.exp(feats[0]) / (1 + np.exp(feats[0])))
    z = model["chain_intercept"] + sum(w * f for w, f in zip(coef, feats))
    return calibrate_chain(model, float(1 / (1 + np.exp(-z))))


def calibrate_chain(model: dict, s: float) -> float:
    """The calibration map fitted on out-of-fold scores (``labelled.chain_calibration``): isotonic
    (piecewise linear between its thresholds) or Platt (logistic in the score's log-odds)."""
    cal = model.get("chain_cal")
    if cal == "isotonic":
        return float(np.interp(s, model["chain_iso_x"], model["chain_iso_y"]))
    if cal == "platt":
        a, b = model["chain_platt"]
        return float(1 / (1 + np.exp(-(a + b * _logit(s)))))
    return s


def main_class(act: Activity, industry_code: str | None = None) -> tuple[str | None, float]:
    """The stated industry class, else the class matched from the producer's main item objects."""
    if industry_code:
        return industry_code, 1.0
    if not act.industrial:
        return None, 0.0
    from chainbrain.ingest.classmatch import match

    objs = [i.object for i in act.main_items() if i.role == "produce"]
    code, sim = match(objs[0]) if objs else (None, 0.0)
    if code is None and len(objs) > 1:
        code, sim = match("，".join(objs))
    lo, hi = {"B": ("06", "12"), "C": ("13", "43"), "D": ("44", "46")}.get(act.section, ("06", "46"))
    if code and not (lo <= code[:2] <= hi):                # a class of another section: only the section is known
        return None, sim
    return code, sim


LEAD_ONLY = True


def _lead_chains(cands: list[Candidate], act: Activity, name: str | None, mapper) -> list[Candidate]:
    """A producer's chains are those of its main product: when the name or the first production
    item places the firm in some chain, candidates of other chains found only in later items
    (a plastics maker's 模具, a spinner's 化纤) are side lines and dropped (mapping guide §2:
    only the main activity counts)."""
    first = next((i.text for i in act.items if i.role == "produce"), "")
    lead = first + (name or "")
    segs = mapper.segments
    chains = {segs[c.segment].chain_code for c in cands
              if c.method != "keyword" or any(t in lead for t in c.terms)}
    if not chains:
        return cands
    return [c for c in cands if segs[c.segment].chain_code in chains]


def _non_producer(cands: list[Candidate], section: str, segs) -> list[Candidate]:
    """A firm that is not industrial: no industrial-only segment, only segments with a class of its own
    section; an industrial-only sub-segment (纺织机械 TX-D7-1) of a segment that has a class of the firm's
    section (TX-D7, 5131 textile wholesale) stands for that segment — a trader of textile machinery sits in
    the trade part of the segment (v6, mapping guide §2: the main activity decides)."""
    only = industrial_only()
    out: dict[str, Candidate] = {}
    for c in cands:
        code = c.segment
        if code in only:
            parent = segs[code].parent_code
            if not parent or parent in only or not section_fits(parent, section) or section == "L":
                continue
            c = Candidate(parent, c.confidence, c.method, c.evidence + [f"parent_of:{code}"], c.terms)
        elif not section_fits(code, section):
            continue
        if c.segment not in out or out[c.segment].confidence < c.confidence:
            out[c.segment] = c
    return sorted(out.values(), key=lambda c: (-c.confidence, c.segment))


def segments_for(act: Activity, name: str | None, products: str | None = None, industry_code: str | None = None,
                 model: dict | None = None) -> list[Candidate]:
    return split_segments(act, name, products, industry_code, model)[0]


def split_segments(act: Activity, name: str | None, products: str | None = None, industry_code: str | None = None,
                   model: dict | None = None) -> tuple[list[Candidate], list[Candidate]]:
    """(assigned segments, segments held back for review: chain confidence < ``MIN_CONF``)."""
    model = model or load_model()
    mapper = default_mapper()
    main = act.main_items() if act.industrial else act.items[:1]   # not a producer: only its first item is its business
    objs = "，".join(i.object for i in main)
    # not a producer: the first item's whole text too, so that an activity word of the catalog (软件开发, 果树种植)
    # is found with its verb (v6); the section rule below keeps only segments of the firm's own section
    first_text = main[0].text if main and not act.industrial else ""
    prods = "，".join(p for p in (products, objs, first_text) if p)
    scope = "，".join(i.text for i in main if i.role == "produce") if act.industrial else ""
    cands = mapper.candidates(name, prods, scope, industry_code, act.section)
    if not cands and act.industrial:
        from chainbrain.ingest.classmatch import match_segment

        first = next((i.object for i in main if i.role == "produce"), "") or (main[0].object if main else "")
        code, sim = match_segment(first)
        if code:
            cands = [Candidate(code, SIMILAR_CONF, "text_similarity", [f"similar:{first}~{sim}"])]
    if not act.industrial:
        cands = _non_producer(cands, act.section, mapper.segments)
    elif LEAD_ONLY:
        cands = _lead_chains(cands, act, name, mapper)
    out, held = [], []
    cands = cands[:MAX_SEGMENTS]
    lead = (next((i.text for i in act.items if i.role == "produce"), "") if act.industrial
            else (act.items[0].text if act.items else "")) + (name or "")
    n_chains = len({mapper.segments[c.segment].chain_code for c in cands})
    first = _first_chain(cands, objs + "，" + (name or ""), mapper.segments) if n_chains > 1 else None
    for k, c in enumerate(cands):
        feats = chain_features(c, act, k, n_chains, lead, first, mapper.segments[c.segment].chain_code)
        conf = chain_confidence(model, feats) if c.method != "manual" else 1.0
        weak = conf < min_conf(model) and bool(model.get("chain_coef"))      # not assigned: for the review queue
        (held if weak else out).append(Candidate(c.segment, round(conf, 3), c.method,
                                                 c.evidence + [f"activity:{act.section}"], c.terms))
        (held if weak else out)[-1].features = feats
    return out, held


def min_conf(model: dict) -> float:
    """Calibrated chain confidence under which a segment is not assigned automatically (the model's
    ``auto_threshold``, chosen by cross-validation; else ``MIN_CONF``)."""
    return model.get("auto_threshold", MIN_CONF)


class KeptActivity:
    """The stored fields of a main activity, items and evidence already as JSON."""
    __slots__ = ("section", "industrial", "probability", "items_json", "evidence_json")

    def __init__(self, act: Activity):
        import json

        self.section, self.industrial, self.probability = act.section, act.industrial, act.probability
        self.items_json = json.dumps([it.as_dict() for it in act.items], ensure_ascii=False)
        self.evidence_json = json.dumps(act.evidence, ensure_ascii=False)


_NO_TERMS: frozenset = frozenset()


class Kept:
    """What an import keeps of a mapped firm until its rows are written: a 1 M-row import cannot
    hold every ``Mapped`` (~8 KB each); this keeps ~1–2 KB (stored fields, segments without their
    matched words and features)."""
    __slots__ = ("activity", "segments", "class_code", "held")

    def __init__(self, m: Mapped):
        self.activity, self.class_code = KeptActivity(m.activity), m.class_code
        self.segments = [Candidate(c.segment, c.confidence, c.method, c.evidence, _NO_TERMS, ()) for c in m.segments]
        self.held = [Candidate(c.segment, c.confidence, c.method, c.evidence, _NO_TERMS, ()) for c in m.held]


_MEMO: dict[tuple, Mapped | Kept] = {}     # an import's rows, mapped once in prepare and reused by the mapping step


def _key(name, entity_type, capital_yuan, scope, products, industry_code) -> tuple:
    cap = None if capital_yuan in (None, "") else round(float(capital_yuan), 2)
    return (name or "", entity_type or "", cap, scope or "", products or "", industry_code or "")


def remember(on: bool) -> None:
    """Keep (``True``) or forget and stop keeping (``False``) the results of :func:`map_firm`."""
    _MEMO.clear()
    _MEMO[("__on__",)] = on  # type: ignore[assignment]


def map_firm(name: str | None, entity_type: str | None = None, capital_yuan=None, scope: str | None = None,
             products: str | None = None, industry_code: str | None = None, model: dict | None = None) -> Mapped:
    if model is None and _MEMO.get(("__on__",)):
        k = _key(name, entity_type, capital_yuan, scope, products, industry_code)
        if k not in _MEMO:
            _MEMO[k] = _map_firm(name, entity_type, capital_yuan, scope, products, industry_code, None)
        return _MEMO[k]
    return _map_firm(name, entity_type, capital_yuan, scope, products, industry_code, model)


def _map_firm(name, entity_type, capital_yuan, scope, products, industry_code, model) -> Mapped:
    model = model or load_model()
    act = classify(name, entity_type, capital_yuan, scope, model)
    code, sim = main_class(act, industry_code)
    segs, held = split_segments(act, name, products, code, model)
    return Mapped(act, segs, code, sim, held)


def model_version(model: dict | None = None) -> str:
    import hashlib
    import json

    m = model or load_model()
    return f"lr{m.get('trained_on', 0)}-" + hashlib.sha256(json.dumps(m, sort_keys=True).encode()).hexdigest()[:8]


def write_activities(store, conn, acts: dict[int, Mapped], batch: int | None, fresh_from: int | None = None) -> None:
    """Replace the ``enterprise_activity`` rows of these enterprises (ids ≥ ``fresh_from`` are new: nothing to delete)."""
    import json

    import pyarrow as pa

    from chainbrain.ingest.mapping import older
    from chainbrain.store import schema as S

    t = S.metadata.tables["enterprise_activity"]
    ids = older(list(acts), fresh_from)
    for i in range(0, len(ids), 5000):
        conn.execute(t.delete().where(t.c.enterprise_id.in_(ids[i:i + 5000])))
    version = model_version()
    schema = pa.schema([
        ("enterprise_id", pa.int64()), ("section", pa.string()), ("class_code", pa.string()), ("industrial", pa.bool_()),
        ("probability", pa.float64()), ("items", pa.string()), ("evidence", pa.string()), ("model", pa.string()),
        ("batch_id", pa.int64())])
    items = list(acts.items())
    for i in range(0, len(items), 100_000):                       # in slices: a 1 M-firm import stays in memory
        rows = []
        for eid, m in items[i:i + 100_000]:
            a = m.activity
            kept = isinstance(a, KeptActivity)
            rows.append({"enterprise_id": eid, "section": a.section, "class_code": m.class_code,
                         "industrial": bool(a.industrial), "probability": round(a.probability, 4),
                         "items": a.items_json if kept else json.dumps([it.as_dict() for it in a.items], ensure_ascii=False),
                         "evidence": a.evidence_json if kept else json.dumps(a.evidence, ensure_ascii=False),
                         "model": version, "batch_id": batch})
        store.bulk_insert(conn, "enterprise_activity", pa.Table.from_pylist(rows, schema=schema))


def raw_chain_scores(act: Activity, name: str | None, model: dict) -> list[tuple[str, list[float]]]:
    """(segment, chain features) — used when fitting the chain confidence."""
    bare = dict(model, chain_coef=None)
    code, _ = main_class(act)
    segs, held = split_segments(act, name, None, code, bare)
    return [(c.segment, c.features) for c in segs + held]
