"""The supply network of ``supply_data.py`` plus annual revenue (2024, 万元), for gaps and targets.

Annual reports 2024 (import ``annual``): B1 1000, B2 200, B3 90, B4 100.  On
31 December 2024: B1 and B4 in EI-U1 (B4 through its sub-segment EI-U1-2),
B2 and B3 in NF-M1, so the county × segment revenue table is
360102 (东湖) EI-U1 1100; 360402 (濂溪) NF-M1 200; 360103 (西湖) NF-M1 90 —
province x = 1390, x_EI-U1 = 1100, x_NF-M1 = 290; city 360100 (南昌) = 东湖 + 西湖.

Hand-computed (2024):
- LQ city 360100: EI-U1 (1100/1190)/(1100/1390) = 1390/1190; NF-M1 (90/1190)/(290/1390)
  = 125100/345100 (< 1: weak).  County 360402: NF-M1 (200/200)/(290/1390) = 1390/290.
- Supplies to the province's buyers by supplier segment: EI-U1 (suppliers P1, B1): P1→B1
  120 + B1→B3 20 = 140, local 20 (1/7), top 120/140 = 6/7 > 0.8 (broken risk);
  NF-M1 (B2, B3): 50 + 30 = 80, local 80 (1.0), top 50/80; NF-U1 (P3 only): 60, local 0,
  top 1.0.  City 360100's buyers (B1, B3, B4): the same for EI-U1 and NF-M1, no NF-U1.
- Firms: province EI-U1 2, NF-M1 2, NF-U1 0 (P3 is a partner: no producer in the
  province); city 360100 EI-U1 2, NF-M1 1 (B3: single producer); county 360402 NF-M1 1.
- Density (level = city; M = RCA ≥ 1): 360100 has EI-U1 (RCA 1390/1190) and not NF-M1
  (RCA 0.36), 360400 has NF-M1 only; the two segments never co-occur, so φ = identity
  and density(r, s) = M_rs: province NF-M1 → max over cities = 1 (360400, near),
  360100 NF-M1 → 0 (far).
"""

from __future__ import annotations

from pathlib import Path

import supply_data
from chainbrain.ingest.load import import_file
from supply_data import U, _csv

ANNUAL = [
    ["统一社会信用代码", "年度", "营业收入", "利润总额", "从业人员"],
    [U["B1"], "2024", "1000", "50", "100"], [U["B2"], "2024", "200", "10", "100"],
    [U["B3"], "2024", "90", "5", "100"], [U["B4"], "2024", "100", "5", "100"],
]


def load(store, tmp: Path) -> None:
    supply_data.load(store, tmp)
    res = import_file(store, "annual", _csv(tmp / "a.csv", ANNUAL), unit="万元")
    assert res.status == "loaded", [i.line() for i in res.issues.items]
