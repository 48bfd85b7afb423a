"""The demo's pool of out-of-province enterprises as investment-attraction candidates (精准招商).

The demo's out-of-province enterprises (supply partners, :mod:`chainbrain.demo.partners`:
province, segment, industry class) get what a national list would bring
(``import external`` revenue and ``import designations``): revenue for the last
two annual years (lognormal, median 1.5亿元, σ 1.2; growth normal around 6 %,
σ 15 %, at least −50 %), and designations valid from a year between 2019 and
2024 — 专精特新“小巨人” 5 %, 专精特新中小企业 8 %, 制造业单项冠军 1 %, 上市企业 4 %,
高新技术企业 20 % (national level). Own random stream (``seed`` + 13), so the rest
of the demo is unchanged. All synthetic, like every demo row.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from chainbrain.demo.spec import ANNUAL_YEARS

SHARES = {"little_giant": 0.05, "srdi": 0.08, "single_champion": 0.01, "listed": 0.04, "high_tech": 0.20}


def write_pool(store, seed: int, batch: int, home: str) -> dict[str, int]:
    """Annual revenue (two years) and designations of the demo's out-of-province enterprises."""
    rng = np.random.default_rng(seed + 13)
    with store.begin() as conn:
        ids = np.array([r[0] for r in conn.execute(sa.text(
            "SELECT id FROM enterprise WHERE is_demo AND province_code <> :h ORDER BY id"), {"h": home})],
            dtype=np.int64)
        n = ids.size
        if not n:
            return {"annual_report": 0, "designation": 0}
        y1 = ANNUAL_YEARS[-1]
        rev1 = np.round(1.5e8 * np.exp(rng.normal(0, 1.2, n)), 2)
        growth = np.maximum(rng.normal(0.06, 0.15, n), -0.5)
        rev0 = np.round(rev1 / (1 + growth), 2)
        k = 2 * n
        rows = store.bulk_insert(conn, "annual_report", pa.table({
            "enterprise_id": np.concatenate([ids, ids]),
            "year": pa.array(np.concatenate([np.full(n, y1 - 1), np.full(n, y1)]).astype(np.int32)),
            "revenue": pa.array(np.concatenate([rev0, rev1]), pa.float64()).cast(pa.decimal128(20, 2)),
            "batch_id": np.full(k, batch, dtype=np.int64), "revision": np.ones(k, dtype=np.int32)}))
        ent, kind, start = [], [], []
        for name, share in SHARES.items():
            pick = ids[rng.random(n) < share]
            ent.append(pick)
            kind += [name] * pick.size
            start.append(rng.integers(2019, 2025, pick.size))
        ent_a = np.concatenate(ent)
        years = np.concatenate(start)
        m = ent_a.size
        drows = store.bulk_insert(conn, "designation", pa.table({
            "enterprise_id": ent_a, "kind": pa.array(kind, pa.string()),
            "level": pa.array(["national"] * m, pa.string()),
            "chain_code": pa.array([None] * m, pa.string()),
            "valid_from": pa.array([dt.date(int(y), 1, 1) for y in years], pa.date32()),
            "valid_to": pa.nulls(m, pa.date32()),
            "batch_id": np.full(m, batch, dtype=np.int64), "revision": np.ones(m, dtype=np.int32)}))
    return {"annual_report": int(rows), "designation": int(drows)}


REFERENCE_NAME = "demo-national-synthetic"


def write_reference(store, pack, batch: int) -> int:
    """The pack's synthetic national reference by industry class (``reference_national_synthetic.csv``,
    labelled synthetic row by row) stored as ``advantage_reference`` set ``demo-national-synthetic``, so the
    province-level location quotient of the gaps has a reference; replaces an earlier demo copy."""
    from chainbrain.analytics.advantage import reference as R

    path = pack.path / "reference_national_synthetic.csv"
    if not path.exists() or not R.has_table(store):
        return 0
    ref = R.read_reference(path)
    rows = R.to_rows(ref, REFERENCE_NAME)
    rows["source"] = "demo build: " + path.name
    rows["batch_id"], rows["revision"] = batch, 1
    with store.begin() as conn:
        conn.execute(sa.text("DELETE FROM advantage_reference WHERE name = :n"), {"n": REFERENCE_NAME})
        return int(store.bulk_insert(conn, R.TABLE, pa.Table.from_pandas(rows, preserve_index=False)))


def write_leads(store, seed: int, home: str) -> int:
    """A few demo leads in every state (chain EI, out-of-province firms of its segments), with their trail."""
    from chainbrain.web.users import User
    from chainbrain.work import attract_leads as L

    rng = np.random.default_rng(seed + 17)
    actor = User(0, "demo", "province_admin")
    with store.begin() as conn:
        cands = [int(r[0]) for r in conn.execute(sa.text(
            "SELECT DISTINCT e.id FROM enterprise e JOIN enterprise_segment es ON es.enterprise_id = e.id "
            "JOIN segment_chain sc ON sc.segment_code = es.segment_code "
            "WHERE e.is_demo AND e.province_code <> :h AND sc.chain_code = 'EI' ORDER BY e.id"), {"h": home})]
        if len(cands) < 6:
            return 0
        seg_of = dict(conn.execute(sa.text(
            "SELECT es.enterprise_id, MIN(COALESCE(s.parent_code, s.code)) FROM enterprise_segment es "
            "JOIN segment s ON s.code = es.segment_code GROUP BY es.enterprise_id")).all())
        pick = rng.choice(cands, size=6, replace=False)
        courses = [[], [], ["follow_up"], ["follow_up", "sign"], ["follow_up", "sign", "land"], ["drop"]]
        n = 0
        for eid, course in zip(pick, courses):
            seg = seg_of.get(int(eid))
            ok = conn.execute(sa.text("SELECT 1 FROM segment_chain WHERE segment_code = :s AND chain_code = 'EI'"),
                              {"s": seg}).first()
            lead = L.mark(conn, actor, {"enterprise_id": int(eid), "chain_code": "EI",
                                        "segment_code": seg if ok else None, "year": ANNUAL_YEARS[-1],
                                        "note": "演示线索 / demo lead", "is_demo": True}, home)
            v = 1
            for step in course:
                L.move(conn, actor, lead["id"], step, v)
                v += 1
            n += 1
    return n
