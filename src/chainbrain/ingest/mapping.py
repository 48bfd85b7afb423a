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
INDUSTRIAL = ("B", "C", "D")
OWN_METHODS = ("keyword", "industry_class", "manual")
# words that make a keyword hit in the scope refer to trade/service, not production
_TRADE = re.compile(r"(销售|批发|零售|经销|代理|进出口|贸易|租赁|维修|回收|咨询|技术服务|运输|仓储)")


@dataclass
class Candidate:
    segment: str
    confidence: float
    method: str
    evidence: list[str] = field(default_factory=list)


class Mapper:
    def __init__(self, pack=None):
        pack = pack or load_pack()
        self.segments = {s.code: s for s in pack.segments}
        self.kw: dict[str, set[str]] = {}
        for s in pack.segments:
            for k in {*s.keywords, s.name_zh}:
                k = k.strip()
                if len(k) >= 2:
                    self.kw.setdefault(k, set()).add(s.code)
        self.regex = re.compile("|".join(re.escape(k) for k in sorted(self.kw, key=len, reverse=True)))
        self.by_class: dict[str, set[str]] = {}
        for s in pack.segments:
            if s.level == "segment":
                for c in s.industry_codes:
                    self.by_class.setdefault(c, set()).add(s.code)

    def _scope_text(self, scope: str) -> str:
        """Clauses of the scope that describe production (drop pure trading/service clauses)."""
        parts = re.split(r"[；;。，,、]", scope or "")
        keep = []
        for part in parts:
            if _TRADE.search(part) and not re.search(r"(生产|制造|加工|研发|研制)", part):
                continue
            keep.append(part)
        return "，".join(keep)

    def candidates(self, name: str | None, products: str | None, scope: str | None,
                   industry_code: str | None, section: str | None = None) -> list[Candidate]:
        found: dict[str, Candidate] = {}
        industrial = section in INDUSTRIAL if section else True
        texts = {"name": name or "", "products": products or "",
                 "scope": self._scope_text(scope) if industrial else ""}
        for src, conf in SOURCES:
            for m in self.regex.finditer(texts[src]):
                for code in self.kw[m.group(0)]:
                    c = found.setdefault(code, Candidate(code, 0.0, "keyword"))
                    c.confidence = max(c.confidence, conf)
                    ev = f"{src}:{m.group(0)}"
                    if ev not in c.evidence:
                        c.evidence.append(ev)
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


def compute(store, conn, ids: list[int]) -> dict[int, list[Candidate]]:
    if not ids:
        return {}
    mapper = default_mapper()
    out: dict[int, list[Candidate]] = {}
    ov: dict[int, list] = {}
    for chunk in range(0, len(ids), 5000):
        part = ids[chunk:chunk + 5000]
        rows = conn.execute(sa.select(S.enterprise.c.id, S.enterprise.c.name, S.enterprise.c.main_products,
                                      S.enterprise.c.business_scope, S.enterprise.c.industry_code,
                                      S.enterprise.c.guessed_section).where(S.enterprise.c.id.in_(part))).fetchall()
        for eid, seg, action, note in conn.execute(sa.select(
                S.segment_override.c.enterprise_id, S.segment_override.c.segment_code, S.segment_override.c.action,
                S.segment_override.c.note).where(S.segment_override.c.enterprise_id.in_(part))):
            ov.setdefault(int(eid), []).append((seg, action, note))
        for eid, name, products, scope, ind, sec in rows:
            out[int(eid)] = _apply_overrides(mapper.candidates(name, products, scope, ind, sec), ov.get(int(eid), []))
    return out


def map_enterprises(store, conn, ids: list[int], batch: int) -> dict:
    """Recompute the mapping of ``ids`` (rows of other methods, e.g. ``demo``, are left alone)."""
    result = compute(store, conn, ids)
    for chunk in range(0, len(ids), 5000):
        part = ids[chunk:chunk + 5000]
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
    segs = default_mapper().segments
    for s in stored:
        seg = segs.get(s["segment_code"])
        s["name_zh"] = seg.name_zh if seg else ""
        s["chain_code"] = seg.chain_code if seg else ""
    return {"uscc": e["uscc"], "name": e["name"], "industry_code": e["industry_code"],
            "guessed_section": e["guessed_section"], "main_products": e["main_products"],
            "business_scope": e["business_scope"], "segments": stored,
            "overrides": [{k: (str(v) if isinstance(v, dt.datetime) else v) for k, v in o.items()} for o in overrides]}


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
