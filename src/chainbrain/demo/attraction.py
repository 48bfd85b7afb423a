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
