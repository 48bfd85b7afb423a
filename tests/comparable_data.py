"""Hand-made data where the level and the comparable verdicts of the +9 % target differ (issue #12).

Amounts in 亿元 (×1e8 yuan). Base year B = 2022, pack target +9 %/yr to T = 2026.

南昌 (360100): E1 (360102, ×1), E2 (360102, ×2), E3 (360103, ×1) grow alike; per unit:

| period  | YTD | 上年同期 | comparable growth |
| 2022-06 | 40  |          |                     |
| 2022-12 | 100 |          |                     |
| 2023-12 | 110 | 100      | 2023: +10 %          |
| 2024-06 | 50  | —        | (no prior: no 2024-06 link) |
| 2024-12 | 118.8 | 110    | 2024: +8 %           |
| 2025-06 | 56  | 50       | 2025 Jan–Jun: +12 %  |

Also 2025-04: 36 (上年同期 33) and 2025-05: 45 (上年同期 42) per unit, for the alert rule:
with the rate set to 10 %, I / 1.1³ = 1.188 × 36/33 / 1.331 = 0.973704 (04),
1.188 × 45/42 / 1.331 = 0.956316 (05), 1.33056 / 1.331 = 0.999669 (06): three periods
below the path → ``below_path`` (high: worst < 0.97); at +9 % 2025-06 is above → no alert.

E4 (360103, big, exits after 2022): 2022-06 200, 2022-12 500. E5 (360102, enters
2025-06): 30, no prior. All five are in chain EI (segments EI-D1 / EI-M1).

At 2025-06, 南昌 (or 南昌 × EI):
  level: actual 4×56 + 30 = 254; path (4×40 + 200) × 1.09³ = 360 × 1.295029 = 466.21044
         ratio 254 / 466.21044 = 0.544818 → red
  comparable: I = 1.10 × 1.08 × 1.12 = 1.33056; path 1.295029; ratio 1.027436 → green
  index count: min(3, 3, 3) = 3
  required growth to 2026: 1.09⁴ / 1.33056 − 1 = 1.41158161 / 1.33056 − 1 = 0.0608928
  rest of 2025: full-year 2024 of the sample 4 × 118.8 = 475.2; the path needs
    475.2 × 1.295029 / (1.10 × 1.08) = 518.0116 for 2025; Jan–Jun did 224, so Jul–Dec
    need 294.0116 against last year's 475.2 − 200 = 275.2: +6.83561 %

吉安 (360802, chain EI): J1, J2, J3 report 2025-06 (500, 300, 200), 2025-12 (1200, 720, 480)
and 2026-06 (600, 375, 250), without 上年同期. Level target ≥ 3000 亿 in 2026 at 2026-06:
s = 1000 / 2400; annualized 1225 × 2.4 = 2940; path (Y = T) 3000; ratio 0.98 → yellow;
the growth index has no comparable link → null.

SEI share at 2025-06, province (value added only on the 2025-06 reports of E1, E2, E3):
E1 10 (class 3922, partial), E2 20 (3922, partial), E3 10 (3915, true): low 10/40 = 0.25,
high 40/40 = 1.0 — straddles 0.28 → undetermined.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

YI = 100_000_000

ENTERPRISES = [  # id, name, county, class, segment
    (1, "可比样例甲", "360102", "3922", "EI-D1"),
    (2, "可比样例乙", "360102", "3922", "EI-D1"),
    (3, "可比样例丙", "360103", "3915", "EI-M1"),
    (4, "可比样例退出企业", "360103", "3922", "EI-D1"),
    (5, "可比样例新进企业", "360102", "3922", "EI-D1"),
    (11, "吉安样例一", "360802", "3922", "EI-D1"),
    (12, "吉安样例二", "360802", "3922", "EI-D1"),
    (13, "吉安样例三", "360802", "3922", "EI-D1"),
]

_UNIT = [(2022, 6, 40, None), (2022, 12, 100, None), (2023, 12, 110, 100), (2024, 6, 50, None),
         (2024, 12, 118.8, 110), (2025, 4, 36, 33), (2025, 5, 45, 42), (2025, 6, 56, 50)]
_VA = {(1, 2025, 6): 10, (2, 2025, 6): 20, (3, 2025, 6): 10}

# (enterprise, year, month, revenue_ytd 亿元, revenue_ytd_prev 亿元 or None)
REPORTS = [(e, y, m, v * k, None if pv is None else pv * k) for e, k in ((1, 1), (2, 2), (3, 1))
           for y, m, v, pv in _UNIT]
REPORTS += [(4, 2022, 6, 200, None), (4, 2022, 12, 500, None), (5, 2025, 6, 30, None)]
REPORTS += [(e, y, m, v, None) for e, vals in ((11, (500, 1200, 600)), (12, (300, 720, 375)), (13, (200, 480, 250)))
            for (y, m), v in zip(((2025, 6), (2025, 12), (2026, 6)), vals)]


def load(store) -> None:
    """Write the dataset into an initialised store (one import batch)."""
    n = len(ENTERPRISES)
    with store.begin() as conn:
        store.bulk_insert(conn, "import_batch", pa.table({
            "id": [1], "kind": ["fixture"], "source": ["tests/comparable_data.py"],
            "created_at": [dt.datetime(2026, 7, 15)], "row_count": [len(REPORTS)], "status": ["loaded"]}))
        store.bulk_insert(conn, "enterprise", pa.table({
            "id": [e[0] for e in ENTERPRISES], "uscc": pa.array([None] * n, pa.string()),
            "name": [e[1] for e in ENTERPRISES], "province_code": ["360000"] * n,
            "region_code": [e[2] for e in ENTERPRISES], "industry_code": [e[3] for e in ENTERPRISES],
            "is_industrial": [True] * n, "is_demo": [False] * n, "batch_id": [1] * n, "revision": [1] * n}))
        attrs = [(e[0], "region_code", e[2]) for e in ENTERPRISES] + \
                [(e[0], "industry_code", e[3]) for e in ENTERPRISES]
        store.bulk_insert(conn, "enterprise_attr", pa.table({
            "enterprise_id": [a[0] for a in attrs], "attr": [a[1] for a in attrs],
            "attr_value": [a[2] for a in attrs],
            "valid_from": pa.array([None] * len(attrs), pa.date32()),
            "valid_to": pa.array([None] * len(attrs), pa.date32()),
            "batch_id": [1] * len(attrs), "revision": [1] * len(attrs)}))
        store.bulk_insert(conn, "enterprise_segment", pa.table({
            "enterprise_id": [e[0] for e in ENTERPRISES], "segment_code": [e[4] for e in ENTERPRISES],
            "method": ["manual"] * n, "confidence": [1.0] * n,
            "valid_from": pa.array([None] * n, pa.date32()), "valid_to": pa.array([None] * n, pa.date32()),
            "batch_id": [1] * n, "revision": [1] * n}))
        store.bulk_insert(conn, "monthly_report", pa.table({
            "enterprise_id": [r[0] for r in REPORTS], "year": [r[1] for r in REPORTS],
            "month": [r[2] for r in REPORTS],
            "revenue_ytd": pa.array([r[3] * YI for r in REPORTS], pa.float64()),
            "revenue_ytd_prev": pa.array([None if r[4] is None else r[4] * YI for r in REPORTS], pa.float64()),
            "value_added_ytd": pa.array([_VA[r[:3]] * YI if r[:3] in _VA else None for r in REPORTS], pa.float64()),
            "batch_id": [1] * len(REPORTS), "revision": [1] * len(REPORTS)}))


def set_target(store, **cols) -> None:
    """Change columns of the pack's +9 % target (annual_rate, target_year: status-boundary cases)."""
    import sqlalchemy as sa

    with store.begin() as conn:
        for col, v in cols.items():
            conn.execute(sa.text(f"UPDATE target SET {col} = :v WHERE code = 'revenue_growth_9pct'"), {"v": v})
