"""Enterprise → chain segment mapping by industry class and product keywords, with evidence.

Rules (catalog data only: each segment's GB/T 4754 classes and keywords from the pack):

- keyword in the enterprise name → confidence 0.85; in main products → 0.80;
  in the business scope (经营范围) → 0.60, only for industrial units and only in
  the part of the scope before trading/service phrases is not distinguished —
  so scope hits are weaker evidence;
- the enterprise's industry class is one of the segment's classes → 0.50 when
  at most three top-level segments share the class (0.35 otherwise), and it
  raises a keyword match to max(conf) + 0.10 (cap 0.98);
- class-only candidates are kept only when no keyword matched anything;
- a matched sub-segment replaces its parent segment;
- manual overrides (``segment_override``: add/remove) apply last with
  confidence 1.0 and survive re-imports.

``method`` is ``keyword``, ``industry_class`` or ``manual``; ``evidence`` lists
every matched rule, e.g. ``name:铜箔; class:3985``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from chainbrain.catalog.pack import load_pack
from chainbrain.store import schema as S

SOURCES = (("name", 0.85), ("products", 0.80), ("scope", 0.60))
SCOPE_LATE = 0.45          # a scope hit far into the scope (secondary business)
SCOPE_LEAD = 40            # characters of the production part of the scope counted as "leading"
INDUSTRIAL = ("B", "C", "D")
NO_CHAIN_SECTIONS = ("J", "K", "H")     # finance, real estate, hotels: no keyword mapping at all
OWN_METHODS = ("keyword", "industry_class", "manual", "text_similarity")
# a scope clause with these words and no production verb describes trade or services
_TRADE = re.compile(r"(销售|批发|零售|经销|代理|代购|代销|购销|进出口|贸易|租赁|维修|修理|回收利用咨询|咨询|技术服务|运输|仓储|安装|施工|经营部)")
_PROD = re.compile(r"(生产|制造|加工|研发|研制|冶炼|开采|采选|养殖|种植|饲养|精选|提取|织造|来料)")
_CLAUSE = re.compile(r"[；;。，,\n]|（[^）]*）|\([^)]*\)")

# Generic product words the catalog keywords do not cover, added while tuning on the
# labelled sample (tune half only): word → segment. They are weaker than catalog
# keywords only in that they name the segment's product family, not a product.
def extra_keywords(pack=None) -> dict[str, str]:
    """Generic product words → segment, beside the catalog's own keywords: the pack's
    ``registry_keywords`` file (keyword, segment_code, source, note), each with where it came from."""
    pack = pack or load_pack()
    return {r["keyword"]: r["segment_code"] for r in pack.registry_keywords}


_GROUP = re.compile(r"^.*?集团(?:有限公司|股份有限公司|有限责任公司)?\s*(?:[（(][^）)]*[)）])?")


def own_name(name: str | None) -> str:
    """The enterprise's own part of its name: "江西铜业集团(德兴)橡胶实业有限公司" → "橡胶实业有限公司".

    A group's name in a subsidiary's name says nothing about the subsidiary's products;
    a name that is only the group's ("江西明恒纺织集团有限公司") is kept whole.
    """
    s = name or ""
    m = _GROUP.match(s)
    if m:
        rest = s[m.end():]
        if re.sub(r"(有限|责任|股份|公司|分公司)", "", rest).strip():
            return rest
    return s


@dataclass
class Candidate:
    segment: str
    confidence: float
    method: str
    evidence: list[str] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)       # matched words (for cross-chain echoes)
    features: list = field(default_factory=list)     # chain-confidence features (ingest.chainmap)


class Mapper:
    def __init__(self, pack=None, extra: dict[str, str] | None = None):
        pack = pack or load_pack()
        self.segments = {s.code: s for s in pack.segments}
        self.kw: dict[str, set[str]] = {}
        for s in pack.segments:
            for k in {*s.keywords, s.name_zh}:
                k = k.strip()
                if len(k) >= 2:
                    self.kw.setdefault(k, set()).add(s.code)
        for k, code in (extra_keywords(pack) if extra is None else extra).items():
            if code in self.segments:
                self.kw.setdefault(k, set()).add(code)
        self.regex = re.compile("|".join(re.escape(k) for k in sorted(self.kw, key=len, reverse=True)))
        lens: dict[str, set[int]] = {}
        for k in self.kw:
            lens.setdefault(k[0], set()).add(len(k))
        self._lens = {c: tuple(sorted(v, reverse=True)) for c, v in lens.items()}
        self._also: dict[str, frozenset[str]] = {}
        self.by_class: dict[str, set[str]] = {}
        for s in pack.segments:
            if s.level == "segment":
                for c in s.industry_codes:
                    self.by_class.setdefault(c, set()).add(s.code)

    def also(self, code: str) -> frozenset[str]:
        """Chains a segment (or its parent) is cross-listed in."""
        if code not in self._also:
            seg = self.segments[code]
            out = set(seg.also_chains)
            if seg.parent_code and seg.parent_code in self.segments:
                out |= set(self.segments[seg.parent_code].also_chains)
            self._also[code] = frozenset(out)
        return self._also[code]

    def find(self, text: str) -> list[tuple[int, str]]:
        """(start, keyword) of the catalog keywords in ``text``: leftmost, longest first, not
        overlapping — what ``self.regex.finditer`` finds, by a lookup on each character
        (a large regex alternation is slow: every keyword is tried at every position)."""
        out, i, n, kw, lens = [], 0, len(text), self.kw, self._lens
        while i < n:
            for L in lens.get(text[i], ()):
                if text[i:i + L] in kw:
                    out.append((i, text[i:i + L]))
                    i += L
                    break
            else:
                i += 1
        return out

    @staticmethod
    def scope_text(scope: str) -> str:
        """The production part of a scope: clauses that name production, or no trade/service at all.

        Clauses are split at ；;。，, and bracketed remarks are dropped; an enumeration
        "A、B、C销售" is one clause, so its items are dropped with its verb.
        """
        keep = []
        for part in _CLAUSE.split(scope or ""):
            part = (part or "").strip()
            if not part or (_TRADE.search(part) and not _PROD.search(part)):
                continue
            keep.append(part)
        return "，".join(keep)

    def candidates(self, name: str | None, products: str | None, scope: str | None,
                   industry_code: str | None, section: str | None = None) -> list[Candidate]:
        found: dict[str, Candidate] = {}
        industrial = section in INDUSTRIAL if section else True
        if section in NO_CHAIN_SECTIONS:
            name = products = scope = None
        texts = {"name": own_name(name), "products": products or "",
                 "scope": self.scope_text(scope) if industrial else ""}
        for src, conf in SOURCES:
            for start, word in self.find(texts[src]):
                c_ = conf if src != "scope" or start < SCOPE_LEAD else SCOPE_LATE
                for code in self.kw[word]:
                    c = found.setdefault(code, Candidate(code, 0.0, "keyword"))
                    c.confidence = max(c.confidence, c_)
                    c.terms.add(word)
                    ev = f"{src}:{word}"
                    if ev not in c.evidence:
                        c.evidence.append(ev)
        self._drop_weak(found)
        cls = self.by_class.get(industry_code or "", set())
        for code in list(found):
            seg = self.segments[code]
            top = seg.parent_code or seg.code
            if top in cls or (industry_code and industry_code in seg.industry_codes):
                found[code].confidence = min(0.98, found[code].confidence + 0.10)
                found[code].evidence.append(f"class:{industry_code}")
        if not found and cls:
            conf = 0.50 if len(cls) <= 3 else 0.35
            for code in sorted(cls):
                found[code] = Candidate(code, conf, "industry_class", [f"class:{industry_code}"])
        # a sub-segment replaces its parent
        for code in list(found):
            parent = self.segments[code].parent_code
            if parent and parent in found:
                p = found.pop(parent)
                c = found[code]
                c.confidence = max(c.confidence, p.confidence)
                c.evidence += [e for e in p.evidence if e not in c.evidence]
        return sorted(found.values(), key=lambda c: (-c.confidence, c.segment))

    def _drop_weak(self, found: dict[str, Candidate]) -> None:
        """Drop cross-chain echoes and late scope-only hits in other chains.

        - Echo: a candidate in chain Y all of whose words also hit a segment of a chain
          X it is cross-listed in (``also_chains``) is dropped when that segment is not
          cross-listed back in Y, or chain X has more matched words than Y
          (电机 → EQ-U3, not also ST-D3, which is listed one way only).
        - A chain found in the name keeps the others only if they have two or more words;
          a chain with one word beside a chain with three or more is a side line.
        - Late scope hits: a chain whose best evidence is a hit far into the scope
          (confidence ``SCOPE_LATE``) is dropped when another chain has stronger evidence.
        - Mutual cross-listings are kept: a segment whose words all hit a kept segment of a
          chain it is cross-listed with, and which lists it back, stays (the product is in both).
        """
        if len({self.segments[c].chain_code for c in found}) < 2:
            return
        words: dict[str, set[str]] = {}
        for code, c in found.items():
            words.setdefault(self.segments[code].chain_code, set()).update(c.terms)
        drop = set()
        for code, c in found.items():
            y = self.segments[code].chain_code
            for x in self.also(code) - {y}:
                cover = [o for o in found if self.segments[o].chain_code == x and found[o].terms & c.terms]
                if cover and c.terms <= words[x] and any(y not in self.also(o) for o in cover):
                    drop.add(code)
                    break
        # a chain named in the name needs no company: another chain needs two scope words
        named = {self.segments[code].chain_code for code, c in found.items()
                 if code not in drop and any(e.startswith("name:") for e in c.evidence)}
        if named:
            for ch, ws in words.items():
                if ch not in named and len(ws) < 2:
                    drop |= {code for code in found if self.segments[code].chain_code == ch}
        # a chain with a single word beside a chain with three or more: a side line
        most = max(len(ws) for ws in words.values())
        if most >= 3:
            for ch, ws in words.items():
                if len(ws) == 1 and ch not in named:
                    drop |= {code for code in found if self.segments[code].chain_code == ch}
        best: dict[str, float] = {}
        for code, c in found.items():
            if code not in drop:
                ch = self.segments[code].chain_code
                best[ch] = max(best.get(ch, 0.0), c.confidence)
        top = max(best.values(), default=0.0)
        for ch, b in best.items():
            if b <= SCOPE_LATE < top:
                drop |= {code for code in found if self.segments[code].chain_code == ch}
        # a product the catalog lists in two chains that name each other (电线电缆 in NF-D1 and
        # EQ-M2) belongs to both: a dropped segment whose words all hit a kept, mutually
        # cross-listed segment comes back (mapping guide §2: the catalog decides)
        for code in [d for d in drop if found[d].terms]:
            y = self.segments[code].chain_code
            if any(o not in drop and self.segments[o].chain_code in self.also(code) and y in self.also(o)
                   and found[code].terms <= found[o].terms for o in found):
                drop.discard(code)
        for code in drop:
            found.pop(code, None)


@lru_cache(maxsize=1)
def default_mapper() -> Mapper:
    return Mapper()


def _apply_overrides(cands: list[Candidate], overrides: list[tuple[str, str, str]]) -> list[Candidate]:
    out = {c.segment: c for c in cands}
    for seg, action, note in overrides:
        if action == "remove":
            out.pop(seg, None)
        else:
            out[seg] = Candidate(seg, 1.0, "manual", [f"manual:{note or 'override'}"])
    return sorted(out.values(), key=lambda c: (-c.confidence, c.segment))


def compute(store, conn, ids: list[int], activities: dict | None = None,
            fresh_from: int | None = None) -> dict[int, list[Candidate]]:
    """Segments of ``ids``; firms with a business scope go through the main activity first
    (``ingest.chainmap``), whose result is put in ``activities`` (id → ``chainmap.Mapped``).
    Ids ≥ ``fresh_from`` were created in this transaction: they have no overrides to read."""
    if not ids:
        return {}
    from chainbrain.ingest.chainmap import map_firm

    mapper = default_mapper()
    out: dict[int, list[Candidate]] = {}
    ov: dict[int, list] = {}
    for chunk in range(0, len(ids), 5000):
        part = ids[chunk:chunk + 5000]
        rows = conn.execute(sa.select(S.enterprise.c.id, S.enterprise.c.name, S.enterprise.c.main_products,
                                      S.enterprise.c.business_scope, S.enterprise.c.industry_code,
                                      S.enterprise.c.guessed_section, S.enterprise.c.entity_type,
                                      S.enterprise.c.registered_capital).where(S.enterprise.c.id.in_(part))).fetchall()
        old = older(part, fresh_from)
        for eid, seg, action, note in (conn.execute(sa.select(
                S.segment_override.c.enterprise_id, S.segment_override.c.segment_code, S.segment_override.c.action,
                S.segment_override.c.note).where(S.segment_override.c.enterprise_id.in_(old))) if old else []):
            ov.setdefault(int(eid), []).append((seg, action, note))
        for eid, name, products, scope, ind, sec, etype, cap in rows:
            if scope and scope.strip():
                m = map_firm(name, etype, cap, scope, products, ind)
                if activities is not None:
                    activities[int(eid)] = m
                cands = m.segments
            else:
                cands = mapper.candidates(name, products, scope, ind, sec)
            out[int(eid)] = _apply_overrides(cands, ov.get(int(eid), []))
    return out


def older(ids: list[int], fresh_from: int | None) -> list[int]:
    """The ids made before this transaction (``fresh_from`` = first id it created; None: all)."""
    return list(ids) if fresh_from is None else [i for i in ids if i < fresh_from]


def map_enterprises(store, conn, ids: list[int], batch: int, fresh_from: int | None = None) -> dict:
    """Recompute the mapping of ``ids`` (rows of other methods, e.g. ``demo``, are left alone).
    Firms created in this transaction (id ≥ ``fresh_from``) have no stored mapping to delete first."""
    acts: dict = {}
    result = compute(store, conn, ids, acts, fresh_from)
    if acts:
        from chainbrain.ingest.chainmap import write_activities
        from chainbrain.ingest.review import refresh

        write_activities(store, conn, acts, batch, fresh_from)
        refresh(store, conn, acts, batch, fresh_from=fresh_from)
    old = older(ids, fresh_from)
    for chunk in range(0, len(old), 5000):
        part = old[chunk:chunk + 5000]
        conn.execute(S.enterprise_segment.delete().where(S.enterprise_segment.c.enterprise_id.in_(part)
                                                         & S.enterprise_segment.c.method.in_(OWN_METHODS)))
    rows = [{"enterprise_id": eid, "segment_code": c.segment, "method": c.method, "confidence": round(c.confidence, 3),
             "evidence": "; ".join(c.evidence), "batch_id": batch, "revision": 1}
            for eid, cands in result.items() for c in cands]
    if rows:
        store.bulk_insert(conn, "enterprise_segment", pa.Table.from_pylist(rows, schema=pa.schema([
            ("enterprise_id", pa.int64()), ("segment_code", pa.string()), ("method", pa.string()),
            ("confidence", pa.float64()), ("evidence", pa.string()), ("batch_id", pa.int64()), ("revision", pa.int32())])))
    return {"enterprises": len(result), "mapped": sum(1 for c in result.values() if c), "links": len(rows)}


def enterprise_id(conn, uscc: str) -> int | None:
    from chainbrain.catalog.uscc import normalize
    v = conn.execute(sa.select(S.enterprise.c.id).where(S.enterprise.c.uscc == normalize(uscc))).scalar()
    return None if v is None else int(v)


def explain(store, uscc: str) -> dict | None:
    """The stored mapping of one enterprise, the inputs and every matched rule."""
    with store.engine.connect() as conn:
        eid = enterprise_id(conn, uscc)
        if eid is None:
            return None
        e = conn.execute(sa.select(S.enterprise).where(S.enterprise.c.id == eid)).mappings().one()
        stored = [dict(r) for r in conn.execute(sa.select(
            S.enterprise_segment.c.segment_code, S.enterprise_segment.c.method, S.enterprise_segment.c.confidence,
            S.enterprise_segment.c.evidence).where(S.enterprise_segment.c.enterprise_id == eid)
            .order_by(S.enterprise_segment.c.confidence.desc())).mappings()]
        overrides = [dict(r) for r in conn.execute(sa.select(S.segment_override).where(
            S.segment_override.c.enterprise_id == eid)).mappings()]
        ta = S.metadata.tables["enterprise_activity"]
        act = conn.execute(sa.select(ta).where(ta.c.enterprise_id == eid)).mappings().first()
        tr = S.metadata.tables["mapping_review"]
        review = conn.execute(sa.select(tr.c.status, tr.c.suggested, tr.c.confidence)
                              .where(tr.c.enterprise_id == eid)).mappings().first()
    segs = default_mapper().segments
    for s in stored:
        seg = segs.get(s["segment_code"])
        s["name_zh"] = seg.name_zh if seg else ""
        s["chain_code"] = seg.chain_code if seg else ""
    return {"uscc": e["uscc"], "name": e["name"], "industry_code": e["industry_code"],
            "guessed_section": e["guessed_section"], "main_products": e["main_products"],
            "business_scope": e["business_scope"], "segments": stored, "held": _held(e, stored),
            "review": dict(review) if review else None, "activity": _activity_info(act),
            "overrides": [{k: (str(v) if isinstance(v, dt.datetime) else v) for k, v in o.items()} for o in overrides]}


def _held(e, stored: list[dict]) -> list[dict]:
    """Segments held back under the model's auto threshold (not assigned, in no chain figure; suggested
    to the review queue), recomputed from the stored inputs with the shipped model."""
    if not (e["business_scope"] or "").strip():
        return []
    from chainbrain.ingest.chainmap import map_firm

    m = map_firm(e["name"], e["entity_type"], e["registered_capital"], e["business_scope"], e["main_products"],
                 e["industry_code"])
    have = {s["segment_code"] for s in stored}
    segs = default_mapper().segments
    return [{"segment_code": c.segment, "name_zh": segs[c.segment].name_zh, "chain_code": segs[c.segment].chain_code,
             "method": c.method, "confidence": c.confidence, "evidence": "; ".join(c.evidence)}
            for c in m.held if c.segment not in have]


def _activity_info(act) -> dict | None:
    """The stored main activity: parsed items, section/class, P(industrial), evidence."""
    if act is None:
        return None
    import json

    from chainbrain.ingest.activity import LABELS_ZH

    return {"section": act["section"], "class_code": act["class_code"], "industrial": bool(act["industrial"]),
            "probability": act["probability"],
            "confidence": act["probability"] if act["industrial"] else 1 - act["probability"],
            "items": json.loads(act["items"] or "[]"),
            "evidence": [{"feature": k, "label_zh": LABELS_ZH.get(k, k), "pull": v} for k, v in json.loads(act["evidence"] or "[]")],
            "model": act["model"]}


def set_override(store, uscc: str, segment: str, action: str = "add", note: str = "", actor: str = "cli") -> bool:
    if action not in ("add", "remove"):
        raise ValueError(action)
    if segment not in default_mapper().segments:
        raise KeyError(segment)
    with store.begin() as conn:
        eid = enterprise_id(conn, uscc)
        if eid is None:
            return False
        conn.execute(S.segment_override.delete().where((S.segment_override.c.enterprise_id == eid)
                                                       & (S.segment_override.c.segment_code == segment)))
        conn.execute(S.segment_override.insert().values(enterprise_id=eid, segment_code=segment, action=action,
                                                        note=note, actor=actor, created_at=dt.datetime.now()))
        batch = store.next_id(conn, "import_batch")
        conn.execute(S.import_batch.insert().values(id=batch, kind="map_override", source=uscc, created_at=dt.datetime.now(),
                                                     row_count=1, status="loaded", note=f"{action} {segment}"))
        map_enterprises(store, conn, [eid], batch)
    return True


def segments_frame(store) -> pd.DataFrame:
    with store.engine.connect() as conn:
        r = conn.execute(sa.text("SELECT enterprise_id, segment_code, confidence FROM enterprise_segment"))
        return pd.DataFrame(r.fetchall(), columns=["enterprise_id", "segment_code", "confidence"])
