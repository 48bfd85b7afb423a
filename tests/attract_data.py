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

Attraction (import ``external``, ``designations``): P1 (深圳, EI-U1) revenue 2023 4000,
2024 5000 → growth 0.25, designation 上市企业 (national, from 2020); P4 浙江链测材料
(浙江, no USCC, NF-U1) revenue 2024 2000 (no 2023: growth missing); B1 is NF's chain master
(provincial, from 2020).  Chain NF, province, 2024 — candidates (out-of-province firms in
gap segments): P1 in EI-U1 (broken risk: gap_fill 0.75, local demand 140 万, sells 120 万 to
the master B1), P3 in NF-U1 (missing: 1.0, local demand 60 万, sells 60 万 to B2, no master;
no revenue: size and growth imputed), P4 in NF-U1 (1.0, 60 万, nothing sold).
链主+ of NF: B1 buys from P1 (EI-U1, broken risk) 120 of its 200 万 → share 0.6.

2025 adds B3→B1 5, B4→B3 5, B2→B4 10 (万元) to supply_data's P1→B1 80, P2→B1 20, B1→B2 10:
in the chain master B1's supply tree B2 is B4's only supplier and B4 B3's, so B2 dominates B4
and B3, B4 dominates B3 (single points of failure, helper graph's module).
"""

from __future__ import annotations

from pathlib import Path

import supply_data
from chainbrain.ingest.load import import_file
from supply_data import P1, U, _csv

ANNUAL = [
    ["统一社会信用代码", "年度", "营业收入", "利润总额", "从业人员"],
    [U["B1"], "2024", "1000", "50", "100"], [U["B2"], "2024", "200", "10", "100"],
    [U["B3"], "2024", "90", "5", "100"], [U["B4"], "2024", "100", "5", "100"],
]


EXT_HEAD = ["企业名称", "所在省份", "统一社会信用代码", "营业收入", "年度", "产业链环节"]
EXTERNAL_2023 = [EXT_HEAD, ["深圳链测电子有限公司", "广东", P1, "4000", "2023", "EI-U1"]]
EXTERNAL_2024 = [EXT_HEAD, ["深圳链测电子有限公司", "广东", P1, "5000", "2024", "EI-U1"],
                 ["浙江链测材料有限公司", "浙江", "", "2000", "2024", "NF-U1"]]
DESIGNATIONS = [["统一社会信用代码", "认定类型", "认定级别", "认定日期", "有效期至", "产业链代码"],
                [P1, "上市企业", "国家级", "2020-01-01", "", ""],
                [U["B1"], "链主企业", "省级", "2020-01-01", "", "NF"]]


SUPPLY_2025 = [supply_data.SUP_HEAD, [U["B3"], U["B1"], "2025", "", "5", "", ""],
               [U["B4"], U["B3"], "2025", "", "5", "", ""], [U["B2"], U["B4"], "2025", "", "10", "", ""]]


def load(store, tmp: Path) -> None:
    supply_data.load(store, tmp)
    for name, kind, rows in (("a", "annual", ANNUAL), ("x1", "external", EXTERNAL_2023),
                             ("x2", "external", EXTERNAL_2024), ("d", "designations", DESIGNATIONS), ("s25", "supply", SUPPLY_2025)):
        res = import_file(store, kind, _csv(tmp / f"{name}.csv", rows), unit="万元")
        assert res.status == "loaded", [i.line() for i in res.issues.items]
