"""The web fixture (web_fixture.py) plus what the attraction pages need, loaded through the importers.

- annual reports 2025 (亿元): E1 100, E2 30, E3 20, E5 10 (E1, E5 EI-D1 in 东湖 360102; E2 EI-M1
  in 西湖 360103; E3 NF-M1 in 濂溪 360402);
- out-of-province candidates (``import external``): X1 广东候选电子有限公司 (USCC registered
  440305, segment EI-U1, revenue 2024 3 亿, 2025 3.6 亿 → growth 0.2), X2 浙江候选材料有限公司
  (no USCC, EI-U2, revenue 2025 1 亿); designation 上市企业 for X1;
- supply 2025: X1 → E1 (EI's chain master) 2 亿 (web_fixture already has E2 → E1 12 亿).
Chain EI, province, 2025: EI-U1 and EI-U2 have no producer (missing); X1 sells 2 亿 to the master.
"""

from __future__ import annotations

import csv
from pathlib import Path

import web_fixture as W
from chainbrain.catalog.uscc import make
from chainbrain.ingest.load import import_file
from chainbrain.store import open_store

X1 = make("440305", 7001)
X1_NAME, X2_NAME = "广东候选电子有限公司", "浙江候选材料有限公司"


def _csv(path: Path, rows) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def build(path: Path) -> str:
    db = W.build(path)
    tmp = path.parent
    store = open_store(db)
    try:
        ext = ["企业名称", "所在省份", "统一社会信用代码", "营业收入", "年度", "产业链环节"]
        files = [
            ("annual", [["统一社会信用代码", "年度", "营业收入", "利润总额", "从业人员"],
                        [W.USCC[1], "2025", "100", "1", "10"], [W.USCC[2], "2025", "30", "1", "10"],
                        [W.USCC[3], "2025", "20", "1", "10"], [W.USCC[5], "2025", "10", "1", "10"]]),
            ("external", [ext, [X1_NAME, "广东", X1, "3", "2024", "EI-U1"]]),
            ("external", [ext, [X1_NAME, "广东", X1, "3.6", "2025", "EI-U1"], [X2_NAME, "浙江", "", "1", "2025", "EI-U2"]]),
            ("designations", [["统一社会信用代码", "认定类型", "认定级别", "认定日期", "有效期至", "产业链代码"],
                              [X1, "上市企业", "国家级", "2020-01-01", "", ""]]),
            ("supply", [["供方统一社会信用代码", "需方统一社会信用代码", "年度", "金额"], [X1, W.USCC[1], "2025", "2"]]),
        ]
        for i, (kind, rows) in enumerate(files):
            res = import_file(store, kind, _csv(tmp / f"attract-{i}.csv", rows), unit="亿元")
            assert res.status == "loaded", [x.line() for x in res.issues.items]
    finally:
        store.close()
    return db
