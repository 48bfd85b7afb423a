"""A hand-made dataset for KPI tests, with every expected figure worked out by hand.

Amounts are in 亿元 (×1e8 yuan). Period under test: 2025-06 (YTD Jan–Jun).

| ent | county  | class | segment | 2022-06 | 2024-06 | 2025-06 (rev) | 上年同期 on 2025 report |
| E1  | 360102 南昌东湖 | 3922 C | EI-D1 | 80   | 100 | 120 (r1), 125 (r2) | 100 |
| E2  | 360103 南昌西湖 | 3982 C | EI-M1 | 31.5 | 50  | 40                 | — (falls back to own 2024: 50) |
| E3  | 360402 九江濂溪 | 3211 C | NF-M1 | —    | —   | 200                | 180 (scale-up: no 2024 report) |
| E4  | 360402 九江濂溪 | 3211 C | NF-M1 | 260  | 70  | — (exited)         | |
| E5  | 360102 南昌东湖 | 3922 C | EI-D1 | —    | —   | 30                 | — (new firm: no prior value) |
| E6  | 360103 南昌西湖 | 4411 D | —     | —    | —   | 10                 | 8 |

Province, scope all, 2025-06:
  count 5; revenue 125+40+200+30+10 = 405; previous sample 100+50+70 = 220 (3 firms)
  comparable: E1 125/100, E2 40/50, E3 200/180, E6 10/8 → 375 / 338 (E5 left out)
  yoy_naive = 405/220 − 1; yoy_comparable = 375/338 − 1
  target path = (80+31.5+260) × 1.09³ = 371.5 × 1.295029 → 405/481.103 → red
EI chain: revenue 125+40+30 = 195, path (80+31.5)×1.09³ = 144.396 → green
County 360103 (E2, E6): revenue 50; path (31.5)×1.09³ = 40.793 → green
Manufacturing scope drops E6.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

YI = 100_000_000  # yuan per 亿元

ENTERPRISES = [
    # id, uscc-less name, county, class, segment
    (1, "手工样例手机整机公司", "360102", "3922", "EI-D1"),
    (2, "手工样例电路板公司", "360103", "3982", "EI-M1"),
    (3, "手工样例铜冶炼公司", "360402", "3211", "NF-M1"),
    (4, "手工样例退出铜企", "360402", "3211", "NF-M1"),
    (5, "手工样例新设终端公司", "360102", "3922", "EI-D1"),
    (6, "手工样例供电公司", "360103", "4411", None),
]

# (enterprise, year, month, revenue_ytd 亿元, revenue_ytd_prev 亿元 or None, revision)
REPORTS = [
    (1, 2022, 6, 80, None, 1), (2, 2022, 6, 31.5, None, 1), (4, 2022, 6, 260, None, 1),
    (1, 2024, 6, 100, None, 1), (2, 2024, 6, 50, None, 1), (4, 2024, 6, 70, None, 1),
    (1, 2025, 6, 120, 100, 1), (1, 2025, 6, 125, 100, 2),
    (2, 2025, 6, 40, None, 1), (3, 2025, 6, 200, 180, 1), (5, 2025, 6, 30, None, 1),
    (6, 2025, 6, 10, 8, 1),
]


def load(store) -> None:
    """Write the dataset into an initialised store (one import batch)."""
    with store.begin() as conn:
        store.bulk_insert(conn, "import_batch", pa.table({
            "id": [1], "kind": ["fixture"], "source": ["tests/handmade.py"],
            "created_at": [dt.datetime(2025, 7, 15)], "row_count": [len(REPORTS)], "status": ["loaded"]}))
        store.bulk_insert(conn, "enterprise", pa.table({
            "id": [e[0] for e in ENTERPRISES], "uscc": pa.array([None] * len(ENTERPRISES), pa.string()),
            "name": [e[1] for e in ENTERPRISES], "province_code": ["360000"] * len(ENTERPRISES),
            "region_code": [e[2] for e in ENTERPRISES], "industry_code": [e[3] for e in ENTERPRISES],
            "is_industrial": [True] * len(ENTERPRISES), "is_demo": [False] * len(ENTERPRISES),
            "batch_id": [1] * len(ENTERPRISES), "revision": [1] * len(ENTERPRISES)}))
        attrs = [(e[0], "region_code", e[2]) for e in ENTERPRISES] + \
                [(e[0], "industry_code", e[3]) for e in ENTERPRISES]
        store.bulk_insert(conn, "enterprise_attr", pa.table({
            "enterprise_id": [a[0] for a in attrs], "attr": [a[1] for a in attrs],
            "attr_value": [a[2] for a in attrs],
            "valid_from": pa.array([None] * len(attrs), pa.date32()),
            "valid_to": pa.array([None] * len(attrs), pa.date32()),
            "batch_id": [1] * len(attrs), "revision": [1] * len(attrs)}))
        segs = [(e[0], e[4]) for e in ENTERPRISES if e[4]]
        store.bulk_insert(conn, "enterprise_segment", pa.table({
            "enterprise_id": [s[0] for s in segs], "segment_code": [s[1] for s in segs],
            "method": ["manual"] * len(segs), "confidence": [1.0] * len(segs),
            "valid_from": pa.array([None] * len(segs), pa.date32()),
            "valid_to": pa.array([None] * len(segs), pa.date32()),
            "batch_id": [1] * len(segs), "revision": [1] * len(segs)}))
        store.bulk_insert(conn, "monthly_report", pa.table({
            "enterprise_id": [r[0] for r in REPORTS], "year": [r[1] for r in REPORTS],
            "month": [r[2] for r in REPORTS],
            "revenue_ytd": pa.array([r[3] * YI for r in REPORTS], pa.float64()),
            "revenue_ytd_prev": pa.array([None if r[4] is None else r[4] * YI for r in REPORTS], pa.float64()),
            "batch_id": [1] * len(REPORTS), "revision": [r[5] for r in REPORTS]}))


def fresh_process(store) -> None:
    """What a new process starts with: no disclosure pattern, data version or data key of ``store`` in memory."""
    from chainbrain.store import content
    from chainbrain.web import cache, disclosure

    disclosure._CACHES.clear()
    content._MEMO.clear()
    cache._per_store.pop(store, None)


def store_url(request, tmp_path_factory, name: str) -> str:
    """For a fixture parametrized ``duckdb`` / ``postgres``: a new store (a DuckDB file, or a database of
    the session's throw-away PostgreSQL server) named ``name``, initialised, holding the dataset."""
    if request.param == "duckdb":
        return build(tmp_path_factory.mktemp(name) / "hand.duckdb")
    return build(request.getfixturevalue("pg_server").create_database(name))


def build(path) -> str:
    """A store at ``path`` (a DuckDB file or a database URL), initialised, holding the dataset; its path."""
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    store = open_store(str(path))
    try:
        init_store(store)
        load(store)
    finally:
        store.close()
    return str(path)
