"""Demo 融通 needs and outcomes: each chain master asks for suppliers of two of its chain's segments.

For every chain master (designation ``chain_master`` without end), two segments of its chain other
than its own first one — the ones with the most small firms, so the page shows proposals — with the
segment's name as the product words (示例); the first need of each chain prefers the master's city,
the other any. The needs are stored as the import would store them (:func:`chainbrain.work.match_needs`),
then matched (:func:`chainbrain.analytics.cultivate_match.match`, on the build date) and the first
proposals of some needs get outcomes over the last months (contacted, trial order, supplier, declined)
through :func:`chainbrain.work.match_events.record`. Deterministic for a seed and a build date.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa

from chainbrain.store.schema_cultivation import match_need

OUTCOMES = (("contacted",), ("contacted", "trial_order"), ("contacted", "trial_order", "supplier"),
            ("contacted", "declined"))


def write_needs(store, seed: int, today: dt.date | None = None) -> dict:
    """Write the demo needs and events; ``{"match_need": n, "match_event": m}``."""
    from chainbrain.analytics.cultivate_match import match
    from chainbrain.work.match_events import record

    today = today or dt.date.today()
    rng = np.random.default_rng(seed + 15)
    with store.engine.connect() as conn:
        masters = conn.execute(sa.text(
            "SELECT DISTINCT d.chain_code, e.id, e.uscc, r.prefecture_code FROM designation d "
            "JOIN enterprise e ON e.id = d.enterprise_id JOIN region r ON r.code = e.region_code "
            "WHERE d.kind = 'chain_master' AND d.valid_to IS NULL AND e.uscc IS NOT NULL "
            "ORDER BY d.chain_code, e.id")).all()
        busy = conn.execute(sa.text(
            "SELECT s.code, s.chain_code, s.name_zh, COUNT(*) AS n FROM segment s "
            "JOIN enterprise_segment es ON es.segment_code = s.code AND es.valid_to IS NULL "
            "WHERE s.level = 'segment' GROUP BY s.code, s.chain_code, s.name_zh ORDER BY n DESC, s.code")).all()
    segs: dict = {}
    for code, chain, name, _n in busy:
        segs.setdefault(chain, []).append((code, name))
    rows, seen = [], set()
    when = dt.datetime.combine(today, dt.time(9, 0))
    for chain, eid, uscc, city in masters:
        k = sum(1 for r in rows if r["chain_code"] == chain)
        if (chain, eid) in seen or k >= 4:                  # at most two masters (four needs) a chain
            continue
        seen.add((chain, eid))
        for j, (code, name) in enumerate(segs.get(chain, [])[k % 3:k % 3 + 2]):
            rows.append({"need_id": f"DEMO-{chain}-{k + j + 1}", "buyer_id": int(eid), "segment_code": code,
                         "chain_code": chain, "product": f"{name}（示例）", "city": city if j == 0 else None,
                         "status": "open", "entered_by": f"demo_office_{chain}", "entered_at": when,
                         "_uscc": uscc})
    if not rows:
        return {"match_need": 0, "match_event": 0}
    with store.begin() as conn:
        conn.execute(match_need.delete().where(match_need.c.need_id.like("DEMO-%")))
        conn.execute(match_need.insert(), [{k: v for k, v in r.items() if k != "_uscc"} for r in rows])
    needs = pd.DataFrame([{"need_id": r["need_id"], "buyer_uscc": r["_uscc"], "segment_code": r["segment_code"],
                           "product": r["product"], "city": r["city"] or ""} for r in rows])
    proposals = match(store, needs, today, top=3)
    uscc = {r["need_id"]: (r["_uscc"], r["chain_code"]) for r in rows}
    events = 0
    for i, p in enumerate(x for x in proposals if x["rank"] == 1 and x["uscc"]):
        if rng.random() < 0.3:
            continue                                        # not followed up yet
        steps = OUTCOMES[i % len(OUTCOMES)]
        day = today - dt.timedelta(days=int(rng.integers(120, 150)))
        buyer, chain = uscc[p["need_id"]]
        for st in ("proposed",) + steps:
            record(store, p["need_id"], buyer, p["uscc"], st, day, f"demo_office_{chain}", chain, "示例")
            events += 1
            day += dt.timedelta(days=int(rng.integers(7, 30)))
    return {"match_need": len(rows), "match_event": events}
