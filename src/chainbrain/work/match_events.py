"""融通 match events: what happened to a proposed match, entered by the chain office (SQLAlchemy Core,
DuckDB and PostgreSQL; table ``match_event``, migration 0016).

A match is a need × supplier pair; each event records the stage it reached on a day
(:data:`~chainbrain.store.schema_cultivation.MATCH_STAGES`: proposed → contacted → trial_order →
supplier, or declined). :func:`summary` counts, per chain, the pairs by their latest stage (the event
with the latest day, then the latest id). Bad input raises ``ValueError`` with a bilingual message.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store.schema import enterprise
from chainbrain.store.schema_cultivation import MATCH_STAGES, match_event as E


def _firm(conn, uscc: str, role: str) -> int:
    row = conn.execute(sa.select(enterprise.c.id).where(enterprise.c.uscc == uscc)).first()
    if row is None:
        raise ValueError(f"{role} {uscc}: not in the library (不在企业库中)")
    return int(row[0])


def record(store, need_id: str, buyer_uscc: str, supplier_uscc: str, stage: str, day: dt.date,
           actor: str, chain: str | None = None, note: str | None = None) -> int:
    """Write one event; its id."""
    if stage not in MATCH_STAGES:
        raise ValueError(f"stage must be one of {', '.join(MATCH_STAGES)} (阶段须为 {'/'.join(MATCH_STAGES)}): {stage}")
    if not need_id:
        raise ValueError("need id is empty (需求编号不能为空)")
    with store.begin() as conn:
        buyer, supplier = _firm(conn, buyer_uscc, "buyer"), _firm(conn, supplier_uscc, "supplier")
        if buyer == supplier:
            raise ValueError("buyer and supplier are the same enterprise (需求方与供应方相同)")
        new_id = store.next_id(conn, "match_event")
        conn.execute(sa.insert(E).values(id=new_id, need_id=need_id, chain_code=chain, buyer_id=buyer,
                                         supplier_id=supplier, stage=stage, occurred_on=day, note=note,
                                         actor=actor, created_at=dt.datetime.now().replace(microsecond=0)))
    return new_id


def summary(store, chain: str | None = None) -> list[dict]:
    """Per chain: pairs (need × supplier) and how many are at each latest stage."""
    q = sa.select(E.c.id, E.c.need_id, E.c.chain_code, E.c.supplier_id, E.c.stage, E.c.occurred_on)
    if chain:
        q = q.where(E.c.chain_code == chain)
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
    latest: dict = {}
    for r in rows:
        key = (r.need_id, r.supplier_id)
        if key not in latest or (r.occurred_on, r.id) > (latest[key].occurred_on, latest[key].id):
            latest[key] = r
    out: dict = {}
    for r in latest.values():
        c = out.setdefault(r.chain_code, {"chain_code": r.chain_code, "pairs": 0, **{s: 0 for s in MATCH_STAGES}})
        c["pairs"] += 1
        c[r.stage] += 1
    return sorted(out.values(), key=lambda c: c["chain_code"] or "")
