"""Hand-made annual figures for the scale-up pipeline (the line T = 20,000,000.00 yuan), on top of handmade.py.

Revenue (yuan) per year; bands of R/T (edges 0.25, 0.5, 0.75, 1.0, 1.5, 3.0; lo ≤ x < hi):

| ent | county | 2022 (band)        | 2023 (band)               | 2024            | in sample 2025 |
| E1  | 360102 | 30,000,000 (1.5→5) | 30,000,000 (5)            | 33,000,000      | yes            |
| E2  | 360103 | 16,000,000 (0.8→3) | 16,000,000 (3)            | 20,000,000.00   | yes (crossed exactly at the line) |
| E3  | 360402 | 10,000,000 (0.5→2) | 17,000,000 (0.85→3)       | 21,000,000      | yes            |
| E4  | 360402 | 25,000,000 (1.25→4)| 20,000,000.00 (1.0→4)     | 19,000,000      | no (dropped)   |
| E5  | 360102 |  5,000,000 (0.25→1)|  8,000,000 (0.4→1)        |  8,000,000      | no             |
| E6  | 360103 | 15,000,000 (0.75→3)| 19,999,999.99 (→3)        | — (no report)   | no             |

Target year 2024. History: 2022 → 2023 only (one year: no learned model, the baseline stands alone).
Growth pools (2022 band; every cell has fewer than min_pool = 30, so the band's pool is used):
band 1 {1.6 (E5)}, band 2 {1.7 (E3)}, band 3 {1.0 (E2), 1.333… (E6)}, band 4 {0.8 (E4)}, band 5 {1.0 (E1)}.

Scale-up candidates (R_2023 < T): E2 needs 20/16 = 1.25 → band 3: 1 of 2 (1.333) → 0.5;
E3 needs 20/17 = 1.176 → band 3 → 0.5; E6 (19,999,999.99) needs 1.0000000005 → 1.0 falls short → 0.5;
E5 needs 2.5 → band 1 {1.6} → 0. At risk (R_2023 ≥ T): E4 at exactly 20,000,000.00 needs 1.0, its band-4
pool {0.8} never reaches it → p_down = 1; E1 needs 0.667 → p_down = 0.
Outcomes 2024: E2 crossed (20,000,000.00 counts), E3 crossed, E5 not, E6 unknown; E4 dropped, E1 stayed.
Entered 2025: E1, E2, E3 (sample rows).
Counts (listed p ≥ 0.10): up 360103 {E2, E6}: 2 firms, expected 1.0, crossed 1, entered 1;
360402 {E3}: 1, 0.5, 1, 1; 360102 {E5}: 1, 0.0, 0, 0. Down 360402 {E4}: 1, 1.0, 1; 360102 {E1}: 1, 0.0, 0.
"""

from __future__ import annotations

import pyarrow as pa

REVENUE = {
    1: (30_000_000, 30_000_000, 33_000_000),
    2: (16_000_000, 16_000_000, 20_000_000.00),
    3: (10_000_000, 17_000_000, 21_000_000),
    4: (25_000_000, 20_000_000.00, 19_000_000),
    5: (5_000_000, 8_000_000, 8_000_000),
    6: (15_000_000, 19_999_999.99, None),
}
YEARS = (2022, 2023, 2024)
SAMPLE_2025 = {1: True, 2: True, 3: True, 4: False, 5: False, 6: False}


def add(store) -> None:
    """Annual reports and 2025 sample membership for E1–E6 (an initialised store with handmade.py)."""
    rows = [(e, y, v) for e, vals in REVENUE.items() for y, v in zip(YEARS, vals) if v is not None]
    with store.begin() as conn:
        store.bulk_insert(conn, "annual_report", pa.table({
            "enterprise_id": [r[0] for r in rows], "year": [r[1] for r in rows],
            "revenue": pa.array([float(r[2]) for r in rows], pa.float64()),
            "batch_id": [1] * len(rows), "revision": [1] * len(rows)}))
        store.bulk_insert(conn, "enterprise_scale", pa.table({
            "enterprise_id": list(SAMPLE_2025), "year": [2025] * 6, "above_scale": list(SAMPLE_2025.values()),
            "batch_id": [1] * 6, "revision": [1] * 6}))
