"""Hand-made monitoring dataset, loaded THROUGH the importers (CSV files, unit 万元).

Amounts in 万元 (×1e4 yuan). Reports for months 02 (Jan–Feb), 05, 06.

| ent | county | class (SEI) | products → chains | 2024 rev 02/05/06 | 2025 rev 02/05/06 | 上年同期 on 2025 forms |
| A 铜箔 | 360102 南昌 | 3985 (partial) | 电子铜箔 → EI + NF (two NF segments, counted once) | 100/300/360 | 120/330/400 | 100/300/360 |
| B 手机 | 360102 南昌 | 3922 (partial) | 智能手机 → EI | 200/500/600 | 180/440/520 | — (own 2024) |
| C 冶炼 | 360402 九江 | 3211 (false) | 阴极铜 → NF | — (scale-up) | 80/200/250 | 60/150/190 |
| D 冶炼 | 360402 九江 | 3211 (false) | 阴极铜 → NF | 90/220/260 | — (exit) | |
| E 药业 | 360103 南昌 | 2720 (true) | 化学药品制剂 → PH | — | —/30/50 (new, from May) | — |
| F 供电 | 360103 南昌 | 4411 (partial, section D) | — | — | 40/100/120 | 35/90/105 |

Expected figures (worked by hand, 万元):
- 2025-06 YTD, province: count 5; revenue 400+520+250+50+120 = 1340; last year's
  sample A, B, D: 360+600+260 = 1220; comparable A 400/360, B 520/600 (own),
  C 250/190, F 120/105 → 1290/1255 (E left out, 4 firms); scale-ups C, E, F = 3;
  exits D = 1; loss-making: E (−4) of 5 → 0.2; a year ago B, D of 3 → 2/3.
- single month 2025-06 = YTD06 − YTD05: A 70, B 80, C 50, E 20, F 20 = 240;
  comparable: A 70/60, B 80/100 (own 2024 month), C 50/40, F 20/15 → 220/215;
  last year's sample month: A 60, B 100, D 40 = 200.
- Jan–Feb 2025 (2025-02) on the month basis equals YTD: 120+180+80+40 = 420;
  May: no April reports, so May's single month is unknown for A, B, C, F (a
  gap); E enters in May with its YTD 30 → 30 (the round trip is tested on
  complete months in ``test_measures.py``).
- 2025-Q2 quarter basis needs the March report: none, so only E (entered in
  Q2, its YTD) → 50.
- EI (A, B): 920, prev 960, comparable 920/960; NF (A once, C): 650, prev A+D
  620, comparable 650/550; NE none; EI+NF = 1570 > 1340 − F − E (A in both).
- Contribution: ΔC_P = 1290 − 1255 = 35; EI −40/35, NF +100/35; pull EI
  −40/1255×100 pp.
- Value added 2025-06: A 120, B 130, C 50, E 10, F 60 = 370; SEI true E 10,
  partial A+B+F 310 → low 10/370, high 320/370, point (10+155)/370.
- City×chain shares: 九江|NF = 250/650 now vs 260/620 a year ago (shrinking).
"""

from __future__ import annotations

import csv
from pathlib import Path

from chainbrain.catalog.uscc import make
from chainbrain.ingest.load import import_file

WAN = 10_000
U = {k: make(r, 7000 + i) for i, (k, r) in enumerate(
    [("A", "360102"), ("B", "360102"), ("C", "360402"), ("D", "360402"), ("E", "360103"), ("F", "360103")])}

ENTERPRISES = [
    ["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "成立日期", "从业人员", "主要产品"],
    [U["A"], "江西测甲铜箔有限公司", "360102", "3985", "2010-03-01", "108", "电子铜箔"],
    [U["B"], "江西测乙通讯终端有限公司", "360102", "3922", "2012-01-01", "310", "智能手机"],
    [U["C"], "江西测丙冶炼有限公司", "360402", "3211", "2018-01-01", "80", "阴极铜"],
    [U["D"], "江西测丁冶炼有限公司", "360402", "3211", "2005-01-01", "90", "阴极铜"],
    [U["E"], "江西测戊药业有限公司", "360103", "2720", "2024-12-01", "40", "化学药品制剂"],
    [U["F"], "江西测己供电有限公司", "360103", "4411", "2000-01-01", "50", ""],
]

MON_HEAD = ["统一社会信用代码", "报告期", "营业收入", "利润总额", "营业收入上年同期", "利润总额上年同期",
            "工业增加值", "出口交货值", "研发费用", "从业人员"]
# ent, period, revenue, profit, revenue_prev, profit_prev, value_added, export, rd, employees
MONTHLY = [
    ("A", "2024-02", 100, 10, None, None, 30, 20, 5, 100), ("A", "2024-05", 300, 25, None, None, 90, 50, 12, 100),
    ("A", "2024-06", 360, 30, None, None, 108, 60, 15, 102),
    ("B", "2024-02", 200, -5, None, None, 40, None, None, 300), ("B", "2024-05", 500, -8, None, None, 100, None, None, 300),
    ("B", "2024-06", 600, -10, None, None, 120, None, None, 300),
    ("D", "2024-02", 90, -2, None, None, 18, None, None, 90), ("D", "2024-05", 220, -6, None, None, 44, None, None, 90),
    ("D", "2024-06", 260, -7, None, None, 52, None, None, 90),
    ("A", "2025-02", 120, 12, 100, 10, 36, 25, 6, 105), ("A", "2025-05", 330, 20, 300, 25, 99, 55, 14, 106),
    ("A", "2025-06", 400, 24, 360, 30, 120, 70, 18, 108),
    ("B", "2025-02", 180, -3, None, None, 36, None, None, 305), ("B", "2025-05", 440, 5, None, None, 110, None, None, 308),
    ("B", "2025-06", 520, 6, None, None, 130, None, None, 310),
    ("C", "2025-02", 80, 4, 60, None, 16, None, None, 80), ("C", "2025-05", 200, 8, 150, None, 40, None, None, 80),
    ("C", "2025-06", 250, 10, 190, None, 50, None, None, 80),
    ("E", "2025-05", 30, -3, None, None, 6, None, 2, 40), ("E", "2025-06", 50, -4, None, None, 10, None, 3, 40),
    ("F", "2025-02", 40, 3, 35, None, 20, None, None, 50), ("F", "2025-05", 100, 6, 90, None, 50, None, None, 50),
    ("F", "2025-06", 120, 8, 105, None, 60, None, None, 50),
]

ANNUAL = [
    ["统一社会信用代码", "年度", "营业收入", "利润总额", "从业人员", "工业增加值", "出口交货值", "研发费用",
     "综合能源消费量(吨标准煤)"],
    [U["A"], "2024", "720", "60", "102", "216", "120", "30", "500"],
    [U["B"], "2024", "1200", "-20", "300", "240", "", "", "300"],
    [U["D"], "2024", "520", "-14", "90", "104", "", "", "2600"],
    [U["C"], "2024", "380", "10", "70", "76", "", "", "1500"],
]

DESIGNATIONS = [
    ["统一社会信用代码", "认定类型", "认定级别", "认定日期", "有效期至", "产业链代码"],
    [U["A"], "链主企业", "省级", "2023-01-01", "", "NF"],
    [U["B"], "链主企业", "省级", "2023-01-01", "", "EI"],
    [U["A"], "专精特新小巨人", "国家级", "2023-07-01", "2026-06-30", ""],
    [U["C"], "高新技术企业", "国家级", "2022-01-01", "2025-12-31", ""],
]


def write_csv(path: Path, rows) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _fmt(v):
    return "" if v is None else str(v)


def load(store, tmp: Path) -> None:
    """Import the dataset through the importers (enterprises, monthly, annual, designations)."""
    steps = [("enterprises", ENTERPRISES, None),
             ("monthly", [MON_HEAD] + [[U[r[0]], *map(_fmt, r[1:])] for r in MONTHLY], "万元"),
             ("annual", ANNUAL, "万元"), ("designations", DESIGNATIONS, None)]
    for kind, rows, unit in steps:
        res = import_file(store, kind, write_csv(tmp / f"{kind}.csv", rows), unit=unit)
        assert res.status == "loaded", (kind, [i.line() for i in res.issues.items])


def test_dataset_imports(store_any, tmp_path):
    load(store_any, tmp_path)
    import sqlalchemy as sa
    with store_any.engine.connect() as c:
        assert c.execute(sa.text("SELECT COUNT(*) FROM monthly_report")).scalar() == len(MONTHLY)
        segs = {r[0] for r in c.execute(sa.text(
            "SELECT DISTINCT sc.chain_code FROM enterprise_segment es JOIN segment_chain sc "
            "ON sc.segment_code = es.segment_code JOIN enterprise e ON e.id = es.enterprise_id "
            f"WHERE e.uscc = '{U['A']}'"))}
    assert segs == {"EI", "NF"}


# ------------------------------------------------------------------ engines: one suite on every engine
ENGINES = ["duckdb", "postgres", "pyspark"]


def spark_available() -> bool:
    import shutil
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return shutil.which("java") is not None


def engine_store(engine: str, tmp: Path, request, loader=None):
    """A store holding the dataset (``loader(store, tmp)``, default this module's) on ``engine``
    (PySpark: a DuckDB store copied into Spark); returns (store to query, store to close)."""
    from conftest import new_db

    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    if engine == "pyspark" and not spark_available():
        raise RuntimeError("pyspark or Java is missing: `make test` installs both (extra 'spark', default-jre-headless)")
    store = open_store(new_db("duckdb" if engine == "pyspark" else engine, tmp, request))
    init_store(store)
    (loader or load)(store, tmp)
    if engine != "pyspark":
        return store, store
    from chainbrain.analytics.engines import to_pyspark
    session = request.getfixturevalue("spark")
    return to_pyspark(store, session), store


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """One local Spark session for the whole run (startup is the expensive part)."""
    if not spark_available():
        raise RuntimeError("pyspark or Java is missing: `make test` installs both (extra 'spark', default-jre-headless)")
    from chainbrain.analytics.engines import spark_session
    session = spark_session(str(tmp_path_factory.mktemp("spark-warehouse")))
    yield session
    session.stop()
