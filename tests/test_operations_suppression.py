"""Complementary suppression of the 运行分析 page's breakdowns, hand-made, on DuckDB, PostgreSQL and PySpark.

Dataset (imported through the importers, 万元): six manufacturing enterprises, all in 360102 南昌
(so province = 南昌 = 360102 hold the same six), reports 2024-06 and 2025-06:

| ent | class (division) | persons | revenue 2025 (2024) | size (revenue × 12/6) |
| G1–G4 | 3922 (39) | 20  | 200 (180) each | 400万, 20 persons → small (小) |
| G5, G6 | 3211 (32) | 300 | 1500 (1400) each | 3000万, 300 → medium (中) |

Hand-derived pattern for an anonymous viewer (min_cell 3), province scope ``all``:

- primary: size ``medium`` (G5, G6) and division 32 (G5, G6), in ``cur``, ``cc`` and ``cb``;
- the scope's revenue (6 firms, the KPI cell) is shown, so revenue − small = medium: the relation
  revenue = small + medium has one unknown member → the smallest published other member is withheld,
  a child before the parent: size ``small`` (G1–G4, 4 firms) goes too (secondary); the same for
  division 39; the KPI cell itself stays shown;
- a viewer who sees G5 individually still cannot see G6 (1 unseen): the same pattern; a viewer who
  sees G5 and G6 knows the medium cell: nothing is withheld.
"""

from __future__ import annotations

import pytest

from chainbrain.analytics import suppression
from chainbrain.catalog.uscc import make
from chainbrain.ingest.load import import_file
from ops_data import write_csv
from test_monitor_data import ENGINES, engine_store, spark  # noqa: F401

U = {f"G{i}": make("360102", 8200 + i) for i in range(1, 7)}
SMALL, MEDIUM = ("G1", "G2", "G3", "G4"), ("G5", "G6")


def load(store, tmp):
    ents = [["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "成立日期", "从业人员", "主要产品"]]
    mon = [["统一社会信用代码", "报告期", "营业收入", "利润总额", "工业增加值", "从业人员"]]
    for k, u in U.items():
        small = k in SMALL
        ents.append([u, f"江西测{k}有限公司", "360102", "3922" if small else "3211", "2010-01-01",
                     "20" if small else "300", ""])
        for period, rev in (("2024-06", 180 if small else 1400), ("2025-06", 200 if small else 1500)):
            mon.append([u, period, str(rev), str(rev // 10), str(rev // 4), "20" if small else "300"])
    for kind, rows, unit in (("enterprises", ents, None), ("monthly", mon, "万元")):
        res = import_file(store, kind, write_csv(tmp / f"g_{kind}.csv", rows), unit=unit)
        assert res.status == "loaded", (kind, [i.line() for i in res.issues.items])


def _store(request, tmp_path_factory, engine):
    query, store = engine_store(engine, tmp_path_factory.mktemp(f"opsup-{engine}"), request, load)
    yield query
    store.close()


@pytest.fixture(scope="module", params=ENGINES)
def gstore(request, tmp_path_factory):
    yield from _store(request, tmp_path_factory, request.param)


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def dbstore(request, tmp_path_factory):
    """The web layer runs on a database store (DuckDB, PostgreSQL); PySpark is covered above."""
    yield from _store(request, tmp_path_factory, request.param)


def _ids(store, *ks):
    ent = store.table("enterprise").execute()
    return frozenset(int(ent.loc[ent.uscc == U[k], "id"].iloc[0]) for k in ks)


def test_breakdown_cells_and_relations(gstore):
    u = suppression.universe(gstore, "2025-06", breakdowns=True)
    s = u.sets
    small, medium = _ids(gstore, *SMALL), _ids(gstore, *MEDIUM)
    for x in (None, "360100", "360102"):
        assert s[("cur", None, x, "all")] == small | medium
        assert s[("ops", "cur", "size:small", None, x, "all")] == small
        assert s[("ops", "cur", "size:medium", None, x, "all")] == medium
        assert s[("ops", "cc", "div:32", None, x, "manufacturing")] == medium
        assert s[("ops", "cb", "div:39", None, x, "all")] == small
    assert u.values[("ops", "cur", "size:medium", None, None, "all")] == pytest.approx(3000 * 1e4)
    assert u.values[("ops", "cb", "div:39", None, None, "all")] == pytest.approx(720 * 1e4)
    rel = {(r.parent, r.children): r.residual for r in u.relations}
    kids = (("ops", "cur", "size:medium", None, None, "all"), ("ops", "cur", "size:small", None, None, "all"))
    assert rel[(("cur", None, None, "all"), kids)] == frozenset()               # revenue = Σ sizes
    assert rel[(("ops", "cur", "div:39", None, None, "all"),
                (("ops", "cc", "div:39", None, None, "all"),))] == frozenset()   # no entrant
    assert (("ops", "cur", "size:small", None, None, "all"),
            (("ops", "cur", "size:small", None, "360100", "all"),)) in rel      # province = Σ cities


def test_pattern_hides_the_complement(gstore):
    u = suppression.universe(gstore, "2025-06", breakdowns=True)
    pat = suppression.pattern(u, frozenset())
    for m in ("cur", "cc", "cb"):
        for x in (None, "360100", "360102"):
            for s in ("all", "manufacturing"):
                assert ("ops", m, "size:medium", None, x, s) in pat.primary
                assert ("ops", m, "div:32", None, x, s) in pat.primary
                assert ("ops", m, "size:small", None, x, s) in pat.hidden - pat.primary
                assert ("ops", m, "div:39", None, x, s) in pat.hidden - pat.primary
                assert (m, None, x, s) not in pat.hidden                  # the 6-firm KPI cell stays
    # the enterprise user of G5 still cannot see G6 alone
    assert ("ops", "cur", "size:small", None, None, "all") in suppression.pattern(u, _ids(gstore, "G5")).hidden
    # a viewer seeing G5 and G6 knows the medium cell: nothing to protect
    assert not suppression.pattern(u, _ids(gstore, *MEDIUM)).hidden & {
        k for k in u.sets if k[0] == "ops" and k[2] in ("size:small", "size:medium", "div:39", "div:32")}


def test_operations_page_applies_the_pattern(dbstore):
    """The page withholds both size and division rows; the totals stay."""
    gstore = dbstore
    from chainbrain.web.disclosure import Guard
    from chainbrain.web.operations_page import operations_page

    for region in (None, "360100", "360102"):
        d = operations_page(gstore, "2025-06", "all", region, None, Guard(gstore, frozenset(), 3))
        tb = {t["id"]: t for t in d["tables"]}
        sizes = {r["key"]: r for r in tb["sizes"]["rows"]}
        assert sizes["medium"]["revenue"] is None and sizes["small"]["revenue"] is None
        assert "revenue" in sizes["small"]["suppressed"] and "revenue_yoy" in sizes["small"]["suppressed"]
        assert sizes["small"]["enterprises"] == 4                            # counts are not confidential
        divs = {r["key"]: r for r in tb["divisions"]["rows"]}
        assert divs["39"]["value_added_yoy"] is None and divs["39"]["revenue_yoy"] is None
        assert "revenue_yoy" in divs["39"]["suppressed"]
        assert d["growth_breadth"]["divisions_counted"] == 0
        assert d["enterprises"] == 6
    # the all-seeing viewer (province administrator) gets the hand values; one who sees G5 and G6 knows
    # the medium cell, and the small one (4 unseen firms) needs no protection: the audited breakdown
    # pattern (analytics.suppression_breakdowns) publishes small (before: counts only, COVERED_ONLY);
    # medium keeps the per-figure rule on its reporter count
    d = operations_page(gstore, "2025-06", "all", None, None, Guard(gstore, None, 3, key=("t", None)))
    sizes = {r["key"]: r for r in {t["id"]: t for t in d["tables"]}["sizes"]["rows"]}
    assert sizes["small"]["revenue"] == pytest.approx(800 * 1e4)
    assert sizes["small"]["revenue_yoy"] == pytest.approx(800 / 720 - 1)
    assert sizes["small"]["suppressed"] == []
    visible = _ids(gstore, *MEDIUM)
    d = operations_page(gstore, "2025-06", "all", None, None, Guard(gstore, visible, 3, key=("t", visible)))
    sizes = {r["key"]: r for r in {t["id"]: t for t in d["tables"]}["sizes"]["rows"]}
    assert sizes["small"]["revenue"] == pytest.approx(800 * 1e4)
    assert sizes["medium"]["revenue"] is None          # the per-figure count rule (<key>_n = 2) still applies
    assert sizes["small"]["enterprises"] == 4 and d["enterprises"] == 6
    # the enterprise user of G5 alone: G6 is unseen, medium (1 unseen) and small (its complement) withheld
    visible = _ids(gstore, "G5")
    d = operations_page(gstore, "2025-06", "all", None, None, Guard(gstore, visible, 3, key=("t", visible)))
    sizes = {r["key"]: r for r in {t["id"]: t for t in d["tables"]}["sizes"]["rows"]}
    assert sizes["small"]["revenue"] is None and sizes["medium"]["revenue"] is None
    assert "revenue" in sizes["medium"]["suppressed"]
