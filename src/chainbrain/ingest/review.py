"""The chain offices' review queue of registry firms whose chain mapping is doubtful (#19).

Rules:

- after every mapping of firms with a business scope, a firm whose best chain confidence lies
  in ``[LOWER, UPPER)`` (0.30–0.75; unsourced, set where the calibrated confidence says the
  chain is right only 30–75 % of the time — docs/ingest.md) waits as ``pending`` with its
  suggested segments and the chain of the best one; a firm leaving the band leaves the queue;
- a decision — ``accept`` (the suggested segments), ``change`` (the given segments instead),
  ``reject`` (none of the suggested) — is written as ``segment_override`` rows (``add`` /
  ``remove``), which every later mapping applies last, so it survives re-imports; the review
  row keeps status, decided segments, actor, time and note and is never put back to pending;
  each decision is a line of ``audit_log`` (action ``library_review``);
- decided rows are labelled data for the next training run (:func:`reviewed_rows`).
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from chainbrain.store import audit

from chainbrain.store import schema as S

LOWER = 0.30
UPPER = 0.75
ACTIONS = ("accept", "change", "reject")


def _t():
    return S.metadata.tables["mapping_review"]


def refresh(store, conn, mapped: dict, batch: int | None, lower: float = LOWER, upper: float = UPPER,
            fresh_from: int | None = None) -> int:
    """Queue (or drop) the firms of ``mapped`` (id → ``chainmap.Mapped``) by their best chain confidence
    (firms created in this transaction, id ≥ ``fresh_from``, have no queue rows yet)."""
    from chainbrain.ingest.mapping import default_mapper, older

    t = _t()
    ids = older(list(mapped), fresh_from)
    decided = set()
    for i in range(0, len(ids), 5000):
        decided |= {int(r[0]) for r in conn.execute(sa.select(t.c.enterprise_id).where(
            t.c.enterprise_id.in_(ids[i:i + 5000]) & (t.c.status != "pending")))}
    old = [e for e in ids if e not in decided]
    for i in range(0, len(old), 5000):
        conn.execute(t.delete().where(t.c.enterprise_id.in_(old[i:i + 5000]) & (t.c.status == "pending")))
    todo = [e for e in mapped if e not in decided]
    segs = default_mapper().segments
    rows = []
    for eid in todo:
        m = mapped[eid]      # assigned segments and those held back (below the auto threshold: in no chain figure yet)
        cands = [c for c in (*m.segments, *getattr(m, "held", ())) if c.method != "manual"]
        if not cands:
            continue
        best = max(cands, key=lambda c: c.confidence)
        if lower <= best.confidence < upper:
            rows.append({"enterprise_id": eid, "chain_code": segs[best.segment].chain_code, "status": "pending",
                         "suggested": "|".join(c.segment for c in cands), "confidence": best.confidence,
                         "batch_id": batch})
    if rows:
        import pyarrow as pa

        store.bulk_insert(conn, "mapping_review", pa.Table.from_pylist(rows, schema=pa.schema([
            ("enterprise_id", pa.int64()), ("chain_code", pa.string()), ("status", pa.string()),
            ("suggested", pa.string()), ("confidence", pa.float64()), ("batch_id", pa.int64())])))
    return len(rows)


def queue(store, chain: str | None = None, status: str = "pending", limit: int = 200, visible=None) -> list[dict]:
    """Queued firms (most doubtful first): scope items, main activity and suggested segments."""
    from chainbrain.ingest.mapping import default_mapper

    t, ta, e = _t(), S.metadata.tables["enterprise_activity"], S.enterprise
    q = (sa.select(t, e.c.uscc, e.c.name, e.c.business_scope, ta.c.section, ta.c.class_code, ta.c.probability,
                   ta.c["items"], ta.c.industrial)
         .join(e, e.c.id == t.c.enterprise_id).join(ta, ta.c.enterprise_id == t.c.enterprise_id, isouter=True)
         .where(t.c.status == status if status != "decided" else t.c.status != "pending"))
    if chain:
        q = q.where(t.c.chain_code == chain)
    q = q.order_by(sa.func.abs(t.c.confidence - 0.5), t.c.enterprise_id).limit(limit)
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    if visible is not None:
        ok = visible([r["enterprise_id"] for r in rows])
        rows = [r for r in rows if r["enterprise_id"] in ok]
    segs = default_mapper().segments
    for r in rows:
        r["items"] = json.loads(r["items"] or "[]")
        r["suggested_segments"] = [{"code": s, "name_zh": segs[s].name_zh, "chain_code": segs[s].chain_code}
                                   for s in (r["suggested"] or "").split("|") if s in segs]
        r["decided_segments"] = [s for s in (r["decided"] or "").split("|") if s]
    return rows


def counts(store, visible_chain: str | None = None) -> list[dict]:
    """Per chain: pending and reviewed (decided) firms."""
    t = _t()
    q = sa.select(t.c.chain_code, t.c.status, sa.func.count()).group_by(t.c.chain_code, t.c.status)
    if visible_chain:
        q = q.where(t.c.chain_code == visible_chain)
    out: dict[str, dict] = {}
    with store.engine.connect() as conn:
        for ch, status, n in conn.execute(q):
            d = out.setdefault(ch, {"chain_code": ch, "pending": 0, "reviewed": 0})
            d["pending" if status == "pending" else "reviewed"] += int(n)
    return [out[k] for k in sorted(out)]


def row(store, eid: int) -> dict | None:
    """The review row of one enterprise (any status), or None."""
    t = _t()
    with store.engine.connect() as conn:
        r = conn.execute(sa.select(t).where(t.c.enterprise_id == eid)).mappings().first()
    return dict(r) if r else None


class ReviewError(ValueError):
    """Bad decision input (bilingual message)."""


def decide(store, eid: int, action: str, segments: list[str] | None, actor: str, note: str = "") -> dict:
    """Record a decision for enterprise ``eid``; returns the review row after it. KeyError: not queued."""
    from chainbrain.ingest.mapping import default_mapper, map_enterprises

    if action not in ACTIONS:
        raise ReviewError(f"action must be accept, change or reject (操作须为 accept、change 或 reject): {action!r}")
    known = default_mapper().segments
    segments = [s.strip() for s in (segments or []) if s and s.strip()]
    bad = [s for s in segments if s not in known]
    if bad:
        raise ReviewError(f"unknown segment {bad[0]} (未知环节 {bad[0]})")
    if action == "change" and not segments:
        raise ReviewError("change needs at least one segment (修改时须给出至少一个环节)")
    t, o = _t(), S.segment_override
    now = dt.datetime.now().replace(microsecond=0)
    with store.begin() as conn:
        row = conn.execute(sa.select(t).where(t.c.enterprise_id == eid)).mappings().first()
        if row is None:
            raise KeyError(eid)
        suggested = [s for s in (row["suggested"] or "").split("|") if s]
        keep = suggested if action == "accept" else segments if action == "change" else []
        drop = [s for s in suggested if s not in keep]
        touched = keep + drop
        if touched:
            conn.execute(o.delete().where((o.c.enterprise_id == eid) & o.c.segment_code.in_(touched)))
        ov = ([{"enterprise_id": eid, "segment_code": s, "action": "add"} for s in keep]
              + [{"enterprise_id": eid, "segment_code": s, "action": "remove"} for s in drop])
        if ov:
            conn.execute(o.insert(), [dict(r, note=f"review {action}: {note}"[:500], actor=actor[:64], created_at=now)
                                      for r in ov])
        conn.execute(t.update().where(t.c.enterprise_id == eid).values(
            status={"accept": "accepted", "change": "changed", "reject": "rejected"}[action],
            decided="|".join(keep), actor=actor[:64], decided_at=now, note=note or None))
        batch = store.next_id(conn, "import_batch")
        conn.execute(S.import_batch.insert().values(id=batch, kind="map_review", source=str(eid), created_at=now,
                                                     row_count=1, status="loaded", note=f"{action} {'|'.join(keep)}"))
        map_enterprises(store, conn, [eid], batch)
        out = dict(conn.execute(sa.select(t).where(t.c.enterprise_id == eid)).mappings().one())
    audit.append(store, actor, "library_review", f"enterprise:{eid}", enterprise_id=eid, action=action,
                 suggested=suggested, decided=keep, note=note)     # the hash chain (store.audit), once committed
    return out


def reviewed_rows(store) -> list[dict]:
    """Decided firms in the labelled-data columns (``ingest.labelled``), for the next training run."""
    t, ta, e = _t(), S.metadata.tables["enterprise_activity"], S.enterprise
    q = (sa.select(e.c.uscc, e.c.name, e.c.entity_type, e.c.registered_capital_text, e.c.business_scope,
                   ta.c.industrial, ta.c.section, ta.c.class_code, t.c.decided, t.c.status, t.c.note, t.c.actor)
         .join(e, e.c.id == t.c.enterprise_id).join(ta, ta.c.enterprise_id == t.c.enterprise_id, isouter=True)
         .where(t.c.status != "pending").order_by(e.c.id))
    with store.engine.connect() as conn:
        return [{"uscc": r.uscc or "", "name": r.name, "entity_type": r.entity_type or "",
                 "capital": r.registered_capital_text or "", "business_scope": r.business_scope or "",
                 "industrial": int(bool(r.industrial)), "main_activity": (r.section or "") + (r.class_code or ""),
                 "segments": r.decided or "", "ambiguous": 0, "note": f"review {r.status}: {r.note or ''}",
                 "labeller": r.actor or "", "source": "review queue"} for r in conn.execute(q)]
