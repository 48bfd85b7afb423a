"""``digital-scenarios`` import kind (一链一场景): which firm adopted which transformation scenario of a chain.

Columns ``uscc, chain_code, scenario, adopted_on`` (required) and ``provider`` (the service provider of
the project), ``provider_uscc`` (its USCC — a provider of the register, rule ``provider_unknown``; the name
is taken from the register when the file leaves it empty) and ``rating`` (the firm's rating of the project,
an integer on the pack's ``[provider]`` scale, 1–5: rule ``digital_rating``), all optional. The chain must be one of the pack's chains (rule ``chain_unknown``); the
scenario name at most 100 characters (``too_long``); the date not after today (``digital_future``); the
enterprise registered (``not_registered``); a key (firm, chain, scenario, date) twice in the file is a
``duplicate``. All-or-nothing, stored as revisions (same values → unchanged, other values → a new
revision), like every import (:mod:`chainbrain.ingest.load`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import sqlalchemy as sa

from chainbrain.ingest import digital as _digital  # noqa: F401  (registers the digital_* messages)
from chainbrain.ingest import rules as R

MAX_NAME = 100


def check_digital_scenarios(store, conn, p, ids, today: dt.date | None = None) -> dict:
    from chainbrain.ingest.checks import _duplicates, _hdr, _registered

    if p.issues.fatal():
        return {}
    rn = p.raw.rownum
    eid = _registered(p, "uscc", ids)
    chains = {r[0] for r in conn.execute(sa.text("SELECT code FROM chain"))}
    code = np.array([None if c is None else c.strip().upper() for c in R.to_np_str(p.cols["chain_code"])], dtype=object)
    p.issues.add_mask(np.array([c is not None and c not in chains for c in code]), "chain_unknown", rownum=rn,
                      column=_hdr(p, "chain_code"), values=code, detail=code)
    name = np.array([None if s is None else s.strip() for s in R.to_np_str(p.cols["scenario"])], dtype=object)
    p.issues.add_mask(np.array([s is not None and len(s) > MAX_NAME for s in name]), "too_long", rownum=rn,
                      column=_hdr(p, "scenario"), detail=MAX_NAME)
    dates = p.cols["adopted_on"].to_pylist()
    today = today or dt.date.today()
    p.issues.add_mask(np.array([d is not None and d > today for d in dates]), "digital_future", rownum=rn,
                      column=_hdr(p, "adopted_on"), values=[str(d) for d in dates])
    prov = R.to_np_str(p.cols["provider"]) if "provider" in p.cols else np.full(p.n, None, dtype=object)
    prov = np.array([None if v is None or not v.strip() else v.strip()[:200] for v in prov], dtype=object)
    puscc = R.to_np_str(p.cols["provider_uscc"]) if "provider_uscc" in p.cols else np.full(p.n, None, dtype=object)
    register = {u: n for u, n in conn.execute(sa.text(
        "SELECT uscc, name FROM digital_provider p WHERE revision = (SELECT MAX(revision) FROM digital_provider q "
        "WHERE q.uscc = p.uscc)"))}
    p.issues.add_mask(np.array([u is not None and u not in register for u in puscc]), "provider_unknown", rownum=rn,
                      column=_hdr(p, "provider_uscc"), values=puscc, detail=puscc)
    prov = np.array([register.get(u) if v is None and u is not None else v for v, u in zip(prov, puscc)], dtype=object)
    rating = np.full(p.n, None, dtype=object)
    if "rating" in p.cols:
        from chainbrain.analytics.digital_rules import rules
        lo, hi = rules()["rating"]
        rating = np.array([None if v is None else int(v) for v in p.cols["rating"].to_pylist()], dtype=object)
        p.issues.add_mask(np.array([v is not None and not lo <= v <= hi for v in rating]), "digital_rating",
                          rownum=rn, column=_hdr(p, "rating"), values=[str(v) for v in rating],
                          detail=f"{lo}–{hi}")
    _duplicates(p, [eid, code, name, np.array([str(d) for d in dates], dtype=object)], _hdr(p, "uscc"))
    return {"eid": eid, "chain": code, "scenario": name, "dates": dates, "provider": prov, "provider_uscc": puscc,
            "rating": rating}


def write_digital_scenarios(store, conn, p, keep, batch, ctx, res):
    from chainbrain.store.schema_digital import digital_adoption as T

    if not len(keep):
        return
    eids = sorted({int(ctx["eid"][i]) for i in keep})
    latest: dict[tuple, tuple] = {}
    for row in conn.execute(sa.select(T.c.enterprise_id, T.c.chain_code, T.c.scenario, T.c.adopted_on, T.c.provider,
                                      T.c.provider_uscc, T.c.rating, T.c.revision).where(T.c.enterprise_id.in_(eids))):
        k = (int(row.enterprise_id), row.chain_code, row.scenario, row.adopted_on)
        if k not in latest or row.revision > latest[k][-1]:
            latest[k] = (row.provider, row.provider_uscc, row.rating, row.revision)
    rows = []
    for i in keep:
        k = (int(ctx["eid"][i]), str(ctx["chain"][i]), str(ctx["scenario"][i]), ctx["dates"][i])
        vals = (ctx["provider"][i], ctx["provider_uscc"][i], ctx["rating"][i])
        old = latest.get(k)
        if old is not None and old[:3] == vals:
            res.unchanged += 1
            continue
        res.new += old is None
        res.updated += old is not None
        rows.append({"enterprise_id": k[0], "chain_code": k[1], "scenario": k[2], "adopted_on": k[3],
                     "provider": vals[0], "provider_uscc": vals[1], "rating": vals[2], "batch_id": batch,
                     "revision": 1 if old is None else old[-1] + 1})
    if rows:
        conn.execute(T.insert(), rows)
