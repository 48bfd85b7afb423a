"""Hand-made supply network, loaded THROUGH the importers (enterprises, monthly, supply; unit 万元).

Library firms (buyers; segments set by hand after the import, with validity):

| firm | county | segment(s) | chains |
| B1 铜箔 | 360102 南昌东湖 | EI-U1 (EI primary, NF secondary) | EI + NF (a buyer in two chains) |
| B2 冶炼 | 360402 九江濂溪 | NF-M1 | NF |
| B3 终端 | 360103 南昌西湖 | EI-D1 until 2024-12-30, NF-M1 from 2024-12-31 | on 31 Dec 2024: NF only |
| B4 覆铜板 | 360102 南昌东湖 | EI-U1-2 (sub-segment of EI-U1, listed under EI and NF) | EI + NF; no links at all |

Partners (not in the library, created by the supply import): P1 USCC registered
440305 (Shenzhen; given segment EI-U1 by hand: an out-of-province firm of a
segment), P2 USCC registered 360402 (Jiujiang: in the province, not in the
library), P3 named 武汉测试材料 in 湖北 (no USCC, no city; given segment NF-U1 铜矿采选
by hand).

Links (万元). 2024: P1→B1 100, revised to 120 by a second file; B2→B1 50;
B3→B1 30; P2→B2 40; P3→B2 60; B1→B3 as monthly links, March 5 + September 15
= 20; B1→P1 500 (a sale out of the province: P1 is no buyer).
2025: P1→B1 80; P2→B1 20; B1→B2 10.  December 2024 营业成本: B1 400, B2 80
(B3 reports revenue only; B4 nothing).

Per buyer, 2024 (purchases / local / in-city): B1 120+50+30 = 200 / 50+30 = 80
/ 30 (B3 in Nanchang); B2 40+60 = 100 / 40 (P2) / 40 (P2 registered in
Jiujiang); B3 20 / 20 / 20; B4 0.  2025: B1 80+20 = 100 / 20 / 0 (P2 is in
Jiujiang); B2 10 / 10 / 0; B3, B4 0.

Expected, 2024 (万元; rates as fractions):
- chain EI (B1, B4: 2 buyers): 200, 80 → 0.4, city 30 → 0.15; suppliers P1, B2,
  B3 = 3, local 2; coverage B1 200/400 = 0.5.
- chain NF (B1, B2, B3, B4: 4 buyers): 320, 140 → 0.4375, city 90 → 0.28125; suppliers P1,
  B2, B3, P2, P3, B1 = 6, local B2, B3, P2, B1 = 4; coverage (200+100)/(400+80) = 0.625.
- segment EI-U1 (B1, B4): as EI; NF-M1 (B2, B3): 120, 60 → 0.5, city 60 → 0.5,
  buyers 2, suppliers P2, P3, B1 = 3, local 2, coverage B2 100/80 capped → 1.0.
  EI-D1: no row (B3 left it on 30 December).
- city 360100 (B1, B3, B4): 220, 100, 50; suppliers P1, B2, B3, B1 = 4, local 3;
  coverage 200/400 = 0.5.  360400 (B2): 100, 40, 40; suppliers 2, local 1; coverage 1.0.
- county 360102 (B1, B4): 200, 80, 30; 360103 (B3): 20, 20, 20, coverage null;
  360402 (B2): 100, 40, 40.
- enterprise B4: purchases 0 → rates null, suppliers 0, buyers 1.
- supplier-segment EI-U1 (P1, B1 as suppliers): P1→B1 120 + B1→B3 20 = 140,
  local 20 → 1/7, city 20 → 1/7, buyers B1, B3 = 2, suppliers 2, local 1;
  NF-M1 (B2, B3): 50 + 30 = 80, local 80 → 1.0, city 30 → 0.375, buyers 1,
  suppliers 2, local 2; NF-U1 (P3 only): 60, local 0 → 0.0, city 0.0, buyers 1,
  suppliers 1, local 0 — the one segment supplied only from outside the province.
  (B1→P1 is in no row: P1 is no buyer.)

Concentration, 2024 (shares of the key's purchases by supplier):
- B1: P1 120, B2 50, B3 30 of 200 → top 0.6, HHI 0.36 + 0.0625 + 0.0225 = 0.445,
  effective number 1/0.445; B2: P2 40, P3 60 → top 0.6, HHI 0.16 + 0.36 = 0.52;
  B3: B1 20 → top 1, HHI 1, effective 1; B4: no purchases → null.
- segment EI-U1 (B1, B4): as B1.  NF-M1 (B2, B3): P2 40, P3 60, B1 20 of 120 →
  top 0.5, HHI 1/9 + 1/4 + 1/36 = 7/18, effective 18/7, 3 suppliers.
- chain NF (B1–B4): P1 120, B2 50, B3 30, P2 40, P3 60, B1 20 of 320 → top 0.375,
  HHI 23400/102400 = 0.228515625, effective 102400/23400.
Expected, 2025: EI 100, 20 → 0.2, city 0.0, buyers 2, suppliers P1, P2 = 2,
local 1, coverage null (no 2025 costs); NF 110, 30 → 3/11, city 0.0, buyers 4,
suppliers P1, P2, B1 = 3, local 2; B3 purchases 0 → rates null.
2023: no links; on 31 Dec 2023 B3 is still in EI-D1: EI (B1, B3, B4) and NF (B1, B2,
B4) rows, 3 buyers each, purchases 0 and null rates.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import sqlalchemy as sa

from chainbrain.catalog.uscc import make
from chainbrain.ingest.load import import_file

WAN = 10_000
U = {k: make(r, 8100 + i) for i, (k, r) in enumerate(
    [("B1", "360102"), ("B2", "360402"), ("B3", "360103"), ("B4", "360102")])}
P1 = make("440305", 9001)
P2 = make("360402", 9002)

ENTERPRISES = [
    ["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "成立日期", "从业人员", "主要产品"],
    [U["B1"], "江西链测甲铜箔有限公司", "360102", "3985", "2010-03-01", "100", "电子铜箔"],
    [U["B2"], "江西链测乙冶炼有限公司", "360402", "3211", "2011-03-01", "100", "阴极铜"],
    [U["B3"], "江西链测丙终端有限公司", "360103", "3922", "2012-03-01", "100", "智能手机"],
    [U["B4"], "江西链测丁覆铜板有限公司", "360102", "3985", "2013-03-01", "100", "覆铜板"],
]
MONTHLY = [
    ["统一社会信用代码", "报告期", "营业收入", "利润总额", "从业人员", "营业成本"],
    [U["B1"], "2024-12", "1000", "50", "100", "400"], [U["B2"], "2024-12", "200", "10", "100", "80"],
    [U["B3"], "2024-12", "90", "5", "100", ""],
]
SUP_HEAD = ["供方统一社会信用代码", "需方统一社会信用代码", "年度", "月份", "金额", "供方名称", "供方所在省份"]
SUPPLY_1 = [
    SUP_HEAD,
    [P1, U["B1"], "2024", "", "100", "深圳链测电子有限公司", ""],
    [U["B2"], U["B1"], "2024", "", "50", "", ""],
    [U["B3"], U["B1"], "2024", "", "30", "", ""],
    [P2, U["B2"], "2024", "", "40", "", ""],
    ["", U["B2"], "2024", "", "60", "武汉测试材料", "湖北"],
    [U["B1"], U["B3"], "2024", "3", "5", "", ""],
    [U["B1"], U["B3"], "2024", "9", "15", "", ""],
    [U["B1"], P1, "2024", "", "500", "", ""],
    [P1, U["B1"], "2025", "", "80", "", ""],
    [P2, U["B1"], "2025", "", "20", "", ""],
    [U["B1"], U["B2"], "2025", "", "10", "", ""],
]
SUPPLY_2 = [SUP_HEAD, [P1, U["B1"], "2024", "", "120", "", ""]]

# enterprise, segment, valid_from, valid_to (inclusive)
SEGMENTS = [("B1", "EI-U1", None, None), ("B2", "NF-M1", None, None),
            ("B3", "EI-D1", None, dt.date(2024, 12, 30)), ("B3", "NF-M1", dt.date(2024, 12, 31), None),
            ("B4", "EI-U1-2", None, None), ("P1", "EI-U1", None, None), ("P3", "NF-U1", None, None)]


def _csv(path: Path, rows) -> Path:
    import csv
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def load(store, tmp: Path) -> None:
    for name, kind, rows, unit in (("e", "enterprises", ENTERPRISES, None), ("m", "monthly", MONTHLY, "万元"),
                                   ("s1", "supply", SUPPLY_1, "万元"), ("s2", "supply", SUPPLY_2, "万元")):
        res = import_file(store, kind, _csv(tmp / f"{name}.csv", rows), unit=unit)
        assert res.status == "loaded", [i.line() for i in res.issues.items]
    with store.begin() as conn:
        ids = dict(conn.execute(sa.text("SELECT uscc, id FROM enterprise WHERE uscc IS NOT NULL")).fetchall())
        conn.execute(sa.text("DELETE FROM enterprise_segment"))
        p3 = conn.execute(sa.text("SELECT id FROM enterprise WHERE name = '武汉测试材料'")).scalar()
        who = {k: ids[v] for k, v in U.items()} | {"P1": ids[P1], "P3": p3}
        n = len(SEGMENTS)
        store.bulk_insert(conn, "enterprise_segment", pa.table({
            "enterprise_id": [who[s[0]] for s in SEGMENTS], "segment_code": [s[1] for s in SEGMENTS],
            "method": ["manual"] * n, "confidence": [1.0] * n,
            "valid_from": pa.array([s[2] for s in SEGMENTS], pa.date32()),
            "valid_to": pa.array([s[3] for s in SEGMENTS], pa.date32()),
            "batch_id": [1] * n, "revision": [1] * n}))
