"""The column-wise write of firms new to the store (ingest/write_fresh.py, #19 throughput) gives what the
row-by-row rules give: the same imports into stores, one with ``registry.COLUMNWISE`` off (and one of
those reading every stored firm, not only the file's: ``write.IN_LIST_MAX``), end with equal tables (every row, ids included), equal results and equal progress, on DuckDB and PostgreSQL.

Files: the hand-made modern exports (rename, branch, 注销, a firm without USCC linked by 曾用名), the real
sample, the broken GB18030 export (duplicate USCC, bad codes) and a hand-made file of the cases the split
must route: a USCC twice in the file, a firm without USCC under the name of a firm with one, branches
by parent name and parent USCC, 注销 with and 吊销 without a status date, 曾用名 lists, a firm with no
scope, and a second file that updates a stored firm beside new ones.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from chainbrain.catalog.uscc import make
from chainbrain.ingest import batch, registry, write
from chainbrain.store import open_store
from chainbrain.store.admin import init_store
from conftest import new_db

FIX = Path(__file__).resolve().parent / "fixtures" / "registry"
HEAD = "企业名称,统一社会信用代码,注册日期,企业类型,法人代表,注册资金,经营范围,所在省份,地区,注册地址,登记状态,状态日期,曾用名,总公司统一社会信用代码,总公司名称"
A, B, C, D, F, H, K, L = (make("360100", 9_100_000 + i) for i in range(8))


def _edge(tmp: Path) -> list[Path]:
    one = [
        f"江西甲锂电科技有限公司,{A},2019-03-01,有限责任公司,张一,500万人民币,一般项目：锂离子电池制造；电池销售,江西,宜春,江西省宜春市袁州区工业园1号,注销,2024-06-30,江西甲电池有限公司；江西甲能源有限公司,,",
        f"江西甲锂电科技有限公司袁州分公司,{B},2020-06-01,有限责任公司分公司,李二,,一般项目：电池销售,江西,宜春,江西省宜春市袁州区2号,存续,,,,",
        f"江西甲锂电科技有限公司南昌营业部,{C},2020-06-01,有限责任公司分公司,李三,,一般项目：电池销售,江西,南昌,江西省南昌市东湖区3号,,,,{A},",
        f"江西丁铜业有限公司,{D},2018-01-10,有限责任公司,王三,300万人民币,一般项目：铜材加工,江西,鹰潭,江西省鹰潭市月湖区4号,存续,,,,",
        f"江西丁铜业有限公司,{D},2018-01-10,有限责任公司,王三,350万人民币,一般项目：铜材加工；铜材销售,江西,鹰潭,江西省鹰潭市贵溪市5号,存续,,,,",
        f"九江同名商贸有限公司,{F},2017-05-05,有限责任公司,赵四,100万人民币,一般项目：五金产品零售,江西,九江,江西省九江市濂溪区6号,存续,,,,",
        "九江同名商贸有限公司,,2017-05-05,有限责任公司,赵四,100万人民币,一般项目：五金产品零售,江西,九江,江西省九江市濂溪区6号,存续,,,,",
        f"江西庚机械有限公司,{H},2016-08-08,有限责任公司,孙六,800万人民币,,江西,吉安,江西省吉安市吉州区7号,吊销,,,,",
        "萍乡某某塑料制品厂,,2021-05-01,个人独资企业,张三,40万人民币,一般项目：塑料制品制造，塑料制品销售,江西,萍乡,江西省萍乡市湘东区8号,,,,,",
    ]
    two = [
        f"江西甲锂电科技有限公司,{A},2019-03-01,有限责任公司,张一,600万人民币,一般项目：锂离子电池制造；电池销售,江西,宜春,江西省宜春市袁州区工业园1号,注销,2024-06-30,,,",
        f"江西壬光伏有限公司,{K},2022-01-01,有限责任公司,周七,1000万人民币,一般项目：光伏设备及元器件制造,江西,上饶,江西省上饶市广信区9号,存续,,,,江西甲锂电科技有限公司",
        f"江西癸物流有限公司,{L},2022-01-01,有限责任公司,吴八,,一般项目：普通货物仓储服务,江西,赣州,江西省赣州市章贡区10号,迁出,2025-01-02,,,",
    ]
    out = []
    for name, rows in (("edge1.csv", one), ("edge2.csv", two)):
        f = tmp / name
        f.write_text(HEAD + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
        out.append(f)
    return out


TABLES = {"enterprise": "id", "enterprise_attr": "enterprise_id, attr, valid_from",
          "enterprise_activity": "enterprise_id", "enterprise_segment": "enterprise_id, segment_code",
          "mapping_review": "enterprise_id", "enterprise_registry": "enterprise_id",
          "enterprise_registry_history": "enterprise_id, field", "import_batch": "id"}


def _dump(store) -> dict:
    out = {}
    with store.engine.connect() as c:
        for t, order in TABLES.items():
            rows = c.execute(sa.text(f"SELECT * FROM {t} ORDER BY {order}")).mappings().all()
            out[t] = [{k: v for k, v in r.items() if k not in ("created_at", "imported_at")} for r in rows]
    return out


def _run(store, files, columnwise: bool, monkeypatch, tmp: Path) -> list:
    monkeypatch.setattr(registry, "COLUMNWISE", columnwise)
    got = []
    for f in files:
        seen = []
        res = registry.import_registry(store, f, errors_path=tmp / f"{f.stem}-{columnwise}.xlsx",
                                       progress=lambda s, d=None, t=None: seen.append((s, d, t)))
        got.append((res.status, res.new, res.updated, res.unchanged, res.skipped, res.extra,
                    [(i.rule, i.row, i.column, i.value, i.severity) for i in res.issues.items], seen))
    return got


def test_columnwise_equals_row_by_row(engine_name, tmp_path, request, monkeypatch):
    files = [FIX / "modern" / "export_2024.csv", FIX / "modern" / "export_2025.csv", FIX / "jiangxi_sample.csv",
             FIX / "broken_gb18030.csv", *_edge(tmp_path)]
    dumps, results = [], []
    # row by row reading only the file's USCCs and names from the store (files of at most IN_LIST_MAX),
    # column-wise, and row by row reading every stored firm (as a larger file does)
    for columnwise, scan in ((False, False), (True, False), (False, True)):
        monkeypatch.setattr(write, "IN_LIST_MAX", 0 if scan else batch.IN_LIST_MAX)
        store = open_store(new_db(engine_name, tmp_path, request))
        try:
            init_store(store)
            results.append(_run(store, files, columnwise, monkeypatch, tmp_path))
            dumps.append(_dump(store))
        finally:
            store.close()
    assert results[0] == results[1] == results[2]
    for t in TABLES:
        assert dumps[0][t] == dumps[1][t] == dumps[2][t], t
    d = dumps[1]
    ids = {r["uscc"]: r["id"] for r in d["enterprise"]}
    reg = {r["enterprise_id"]: r for r in d["enterprise_registry"]}
    # the cases are really there: parents by name and by USCC, ended locations, 曾用名, the no-USCC twin
    assert reg[ids[B]]["parent_id"] == ids[A] == reg[ids[C]]["parent_id"] and reg[ids[K]]["parent_id"] == ids[A]
    assert reg[ids[A]]["former_names"] == "江西甲电池有限公司|江西甲能源有限公司"
    ends = {(r["enterprise_id"], r["valid_to"]) for r in d["enterprise_attr"] if r["attr"] == "region_code"}
    assert (ids[A], dt.date(2024, 6, 29)) in ends and (ids[L], dt.date(2025, 1, 1)) in ends
    assert (ids[H], dt.date.today() - dt.timedelta(days=1)) in ends
    assert sum(r["name"] == "九江同名商贸有限公司" for r in d["enterprise"]) == 2
    # the USCC twice in the file is one new firm (the later row wins), not one new and one updated
    assert results[1][-2][1:4] == (8, 0, 0) and results[1][-1][1:4] == (2, 1, 0)


def test_fresh_rows_are_the_ones_that_only_create():
    """The split itself: stored USCCs, USCCs twice in the file and names of rows without USCC stay row by row."""
    import numpy as np
    import pyarrow as pa

    from chainbrain.ingest.write_fresh import fresh_mask

    uscc = np.array([A, B, B, None, D, "", F], object)
    names = np.array(["甲", "乙", "乙", "丁", "丁", "戊", "己"], object)
    got = fresh_mask(uscc, names, pa.array([F], pa.string()))
    assert got.tolist() == [True, False, False, False, False, False, False]


def test_map_rows_as_map_all():
    """``map_rows`` (a result per row) reports the progress ``map_all`` (the memo) reported and gives its results."""
    from chainbrain.ingest import chainmap
    from chainbrain.ingest.map_many import CHUNK, map_all, map_rows

    a = ("萍乡市某某塑料制品厂", "个人独资企业", 400_000.0, "塑料制品、编织袋生产、销售", None, None)
    b = ("南昌某某商贸有限公司", None, None, "五金产品批发", None, None)
    rows = [a, b, a] + [(f"某某{i}塑料制品厂", None, None, "塑料制品制造", None, None) for i in range(CHUNK)]
    seen_all, seen_rows = [], []
    chainmap.remember(True)
    try:
        map_all(rows, lambda s, d=None, t=None: seen_all.append((s, d, t)))
        want = [chainmap.map_firm(*r) for r in rows]
    finally:
        chainmap.remember(False)
    got = map_rows(rows, lambda s, d=None, t=None: seen_rows.append((s, d, t)))
    assert seen_rows == seen_all and seen_all[-1] == ("map", CHUNK + 2, CHUNK + 2) and len(seen_all) == 3
    assert got[0] is got[2] and len(chainmap._MEMO) == 1                  # shared, and the memo left alone
    for w, g in zip(want, got):
        assert (w.activity.items_json, w.activity.evidence_json, w.class_code) == \
            (g.activity.items_json, g.activity.evidence_json, g.class_code)
        assert [vars(c) for c in w.segments] == [vars(c) for c in g.segments]
