"""Enterprise library (#19): scope parsing, main activity, chain mapping after it, and the held-out labels.

The scope and activity cases are hand-made in the post-2021 format (许可项目/一般项目), which
the shared 2000–2003 exports do not carry. Parts tune and heldout1–6 are all spent (model v7 is
trained on them): the quality checks are leave-one-part-out cross-validation over them (docs/ingest.md,
"Model v7"); held-out part 7 is evaluated once, outside the tests, by ``chainbrain library evaluate``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa

from chainbrain.ingest import labelled as L
from chainbrain.ingest.activity import classify
from chainbrain.ingest.chainmap import industrial_only, map_firm
from chainbrain.ingest.scope import parse_scope, strip_boilerplate

LAB = Path(__file__).resolve().parent / "fixtures" / "registry" / "labelled"

MODERN = ("许可项目：食品生产；食品销售（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以相关部门"
          "批准文件或许可证件为准）一般项目：农副产品销售，五金产品零售，机械设备租赁（除许可业务外，可自主依法经营法律法规"
          "非禁止或限制的项目）")


def test_modern_scope_sections_items_roles():
    items = parse_scope(MODERN)
    assert [(i.section, i.text, i.role) for i in items] == [
        ("licensed", "食品生产", "produce"), ("licensed", "食品销售", "trade"),
        ("general", "农副产品销售", "trade"), ("general", "五金产品零售", "trade"),
        ("general", "机械设备租赁", "service")]
    assert items[0].object == "食品" and items[4].verbs == ["租赁"]


def test_boilerplate_and_old_enumerations():
    assert strip_boilerplate("水泥制造、销售。(依法须经批准的项目，经相关部门批准后方可开展经营活动)") == "水泥制造、销售"
    assert strip_boilerplate("五金销售；除依法须经批准的项目外，凭营业执照依法自主开展经营活动") == "五金销售"
    # "A、B的批发、零售、C维修、安装": two items; a verbless clause takes the next clause's verb
    items = parse_scope("纸及纸制品、纸浆的批发、零售、普通机械及配件维修、安装；纸箱，塑料制品，五金加工")
    assert [(i.text, i.role) for i in items] == [
        ("纸及纸制品、纸浆的批发、零售", "trade"), ("普通机械及配件维修、安装", "service"),
        ("纸箱", "produce"), ("塑料制品", "produce"), ("五金加工", "produce")]
    assert [i.carried for i in items] == [False, False, True, True, False]
    # verb first, and a clause naming a service by its noun
    items = parse_scope("生产销售塑料制品、加工经营编织袋，房屋建筑工程")
    assert [(i.object, i.role) for i in items] == [("塑料制品", "produce"), ("编织袋", "produce"),
                                                   ("房屋建筑工程", "service")]


@pytest.mark.parametrize("name, etype, scope, industrial", [
    # a trader that lists one production item last is not a producer
    ("南昌某某商贸有限公司", "有限责任公司", "一般项目：五金产品批发，建筑材料销售，日用百货销售，电线电缆销售，塑料制品制造", False),
    # named after its product, first item "X 生产、销售"
    ("江西某某塑料制品有限公司", "有限责任公司", "一般项目：塑料制品制造，塑料制品销售，货物进出口", True),
    # a licensed production item leads
    ("吉安某某食品有限公司", "有限责任公司", MODERN, True),
    # HR / labour dispatch and equipment rental: services whatever else they list
    ("江西某某人力资源有限公司", "有限责任公司", "许可项目：劳务派遣服务。一般项目：人力资源服务，电子元器件制造", False),
    ("赣州某某机械设备租赁有限公司", "有限责任公司", "一般项目：建筑工程机械与设备租赁，机械设备销售，通用设备修理", False),
])
def test_main_activity_cases(name, etype, scope, industrial):
    act = classify(name, etype, 1_000_000, scope)
    assert act.industrial is industrial, (act.probability, act.evidence)
    assert act.section == ("C" if industrial else act.section) and 0.0 <= act.probability <= 1.0
    assert act.evidence and all(isinstance(v, float) for _, v in act.evidence)


def test_non_industrial_never_in_industrial_only_segments():
    only = industrial_only()
    assert "PC-D3" in only and "NF-U6" not in only and "FD-U2" not in only     # 5191 / farming are not industrial
    m = map_firm("江西某某劳务派遣有限公司", "有限责任公司", 2_000_000,
                 "许可项目：劳务派遣服务。一般项目：塑料制品制造，电子元器件制造，汽车零部件及配件制造，纺织品销售")
    assert not m.activity.industrial and not [c for c in m.segments if c.segment in only]
    m = map_firm("萍乡市某某塑料制品厂", "个人独资企业", 400_000, "塑料制品、编织袋生产、销售")
    assert m.activity.industrial and {c.segment.split("-")[0] for c in m.segments} == {"PC"}
    assert all(0.0 < c.confidence <= 1.0 for c in m.segments)


def test_labelled_parts_are_real_disjoint_and_sourced():
    parts = {p: L.load(LAB / f"{p}.csv") for p in PARTS}
    assert [len(v) for v in parts.values()] == [370, 240, 210, 299, 600, 600, 600]
    seen: set[str] = set()
    for rows in parts.values():                               # no row in two parts
        ids = {r.uscc for r in rows}
        assert not ids & seen
        seen |= ids
    for path in parts:
        with open(LAB / f"{path}.csv", encoding="utf-8") as f:
            assert all(r["source"].startswith("shared/data/registry-jiangxi/20") for r in csv.DictReader(f))
    held = parts["heldout3"]
    assert sum(r.industrial for r in held) >= 90 and sum(bool(r.chains) for r in held if not r.ambiguous) >= 60


PARTS = ("tune", "heldout1", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6")


@pytest.fixture(scope="module")
def cv_result():
    """Leave-one-part-out over the seven spent parts (the model retrained without the test part, calibrator
    included), at the shipped auto threshold."""
    from chainbrain.ingest.crossval import leave_one_part_out

    return leave_one_part_out({p: L.load(LAB / f"{p}.csv") for p in PARTS}, threshold=L.AUTO_THRESHOLD)


def test_cv_industrial_flag(cv_result):
    """Goals of #19 on the industrial flag, leave-one-part-out over seven parts for model v7 (measured: precision
    0.923, recall 0.934, ECE 0.004, non-industrial firms in industrial-only segments 1.4 %)."""
    r = cv_result
    assert r["rows"] == 2919
    assert r["industrial_precision"] >= 0.90 and r["industrial_recall"] >= 0.915
    assert r["nonmfg_in_mfg"] <= 0.03
    assert r["ece_industrial"] <= 0.03


def test_cv_chain_floors(cv_result):
    """Chains, clear rows, auto-mapped (held-for-review chains count as not predicted), leave-one-part-out
    over seven parts for model v7 (threshold 0.45): measured P 0.890 / R 0.887 / ECE 0.017 (goal 0.85 / 0.85 /
    0.05). The floors sit 0.02 under the measurement: a regression fails; that the goal holds on unseen rows
    is for held-out part 7 to show, not this test."""
    c = cv_result["clear"]
    assert c["chain_precision"] >= 0.87 and c["chain_recall"] >= 0.867 and c["ece_chain"] <= 0.037
    assert c["review_share"] < 0.05 and c["recall_if_reviewed"] >= c["chain_recall"]
    assert set(cv_result["parts"]) == set(PARTS)
    assert all(v["clear"]["chain_precision"] >= 0.80 for v in cv_result["parts"].values())


def test_cv_chain_ece_inside_noise(cv_result):
    """v7's yardstick: each part's chain ECE next to its noise floor (outcomes drawn from its own confidences,
    2,000 draws). Measured (threshold 0.45): share of draws at or above the part's ECE 0.31, 0.86, 0.15, 0.83,
    0.34, 0.86, 0.01 — calibrated parts give shares spread over 0–1; a map that is off on every part gives
    shares near 0 everywhere. The floors: at most two parts under 0.05, the median share ≥ 0.2."""
    shares = sorted(v["clear"]["ece_floor"]["p_at_least"] for v in cv_result["parts"].values())
    assert sum(s < 0.05 for s in shares) <= 2 and shares[len(shares) // 2] >= 0.2
    fl = cv_result["parts"]["heldout4"]["clear"]["ece_floor"]
    assert 0.03 <= fl["mean"] <= fl["p90"] <= 0.09          # ~130 predictions: a floor of ~0.045 whatever the model


def test_ece_noise_floor_by_hand():
    """A calibrated model's ECE sits inside its floor; a model 0.2 over-confident on every prediction sits above
    every draw (the check can fail)."""
    import numpy as np

    rng = np.random.default_rng(1)
    conf = list(rng.uniform(0.5, 1.0, 400))
    right = [float(rng.random() < c) for c in conf]
    fl = L.ece_noise(conf, L.ece(conf, right))
    assert 0.02 <= fl["mean"] <= fl["p90"] <= 0.06 and fl["p_at_least"] >= 0.05
    worse = [float(rng.random() < c - 0.2) for c in conf]
    assert L.ece_noise(conf, L.ece(conf, worse))["p_at_least"] == 0.0
    assert L.ece_noise([]) == {"mean": None, "p90": None, "p_at_least": None}


def test_shipped_model_on_its_own_training_rows():
    """In-sample sanity of the shipped model file (part 4 is training data now, so this is not a quality
    figure): a broken or stale model JSON, or firms kept to one chain, fail (v7 measured P 0.931 / R 0.903)."""
    c = L.evaluate(L.load(LAB / "heldout4.csv"))["clear"]
    assert c["chain_precision"] >= 0.92 and c["chain_recall"] >= 0.88


def test_scope_nouns_and_name_words():
    """v5 rules found in part 4's errors: a verb before a noun head is a modifier (装饰材料 is a product),
    精选 is a mining verb, and a farm word inside a catalog product word of the name (农业机械) is no farm word."""
    items = parse_scope("木制品，装饰材料，五金加工、销售")
    assert [i.role for i in items] == ["produce", "produce", "produce"]
    assert [i.role for i in parse_scope("农用运输车销售")] == ["trade"]
    assert parse_scope("铁矿粉精选、矿产品销售")[0].role == "produce"
    act = classify("南昌某某农业机械有限公司", "有限责任公司", 1_000_000, "农业机械及配件制造；农业机械销售")
    assert act.industrial and "farm" not in act.words and act.section == "C"
    assert "farm" in classify("南昌某某农业发展有限公司", "", 1_000_000, "蔬菜种植、销售").words


def test_v6_non_producers_and_scope_rules():
    """v6 rules found in part 5's errors (hand-made rows): a non-producer is matched on its first item's text
    within its own section (software firm → EI-D9, section I), an industrial-only sub-segment of a trader
    stands for its parent with a trade class (纺织机械 TX-D7-1 → TX-D7, 5131), a farming first item is section A
    (fruit farm → FD-U3), a leading 收购 before a production item is no trade lead, a verbless list of a maker's
    name is list_mfg (segments assigned or held: the rule is tested, not the confidence)."""
    from chainbrain.ingest.activity import featurize
    from chainbrain.ingest.scope import summary

    soft = map_firm("南昌某某软件技术有限公司", "有限责任公司", 1_000_000, "软件开发；系统集成；技术咨询、服务")
    assert not soft.activity.industrial and soft.activity.section == "I"
    assert {"-".join(c.segment.split("-")[:2]) for c in soft.segments + soft.held} == {"EI-D9"}
    tex = map_firm("九江某某纺织有限公司", "有限责任公司", 500_000, "针纺织品、纺织原料、纺织机械及配件批发零售")
    assert not tex.activity.industrial and [c.segment for c in tex.segments + tex.held] == ["TX-D7"]
    fruit = map_firm("崇仁县某某果业开发有限公司", "有限责任公司", 500_000, "果树种植及其产品销售；生态旅游观光")
    assert fruit.activity.section == "A" and [c.segment for c in fruit.segments + fruit.held] == ["FD-U3"]
    assert summary(parse_scope("早籼稻收购，粮食、食油加工销售"))["first_role"] == "produce"
    assert summary(parse_scope("粮食收购、销售，大米加工"))["first_role"] == "trade"     # buying and selling: a trader
    assert featurize("景德镇市某某电瓷厂", "", 500_000, "电瓷、电器及开关、陶瓷机械")[0]["list_mfg"] == 1.0
    assert featurize("景德镇市某某电瓷贸易有限公司", "", 500_000, "电瓷、电器及开关")[0]["list_mfg"] == 0.0


def test_low_confidence_chains_are_held_for_review_not_assigned():
    from chainbrain.ingest.activity import load_model

    m = map_firm("萍乡市某某塑料制品厂", "个人独资企业", 400_000, "塑料制品、编织袋生产、销售")
    assert m.segments and not m.held and all(c.confidence >= load_model()["auto_threshold"] for c in m.segments)
    strict = dict(load_model(), auto_threshold=1.01)                 # nothing is sure enough: all held
    h = map_firm("萍乡市某某塑料制品厂", "个人独资企业", 400_000, "塑料制品、编织袋生产、销售", model=strict)
    assert not h.segments and [c.segment for c in h.held] == [c.segment for c in m.segments]
    assert h.chains() == set() and h.held_chains() == {"PC"}


def test_non_industrial_firm_only_in_a_segment_of_its_section():
    from chainbrain.ingest.chainmap import section_fits, section_of_class

    assert [section_of_class(c) for c in ("0171", "5631", "5151", "3823")] == ["A", "G", "F", "C"]
    assert not section_fits("AV-D3", "E") and section_fits("PH-D1", "F") and section_fits("PH-U1", "L")
    m = map_firm("赣州市某某路桥工程有限公司", "有限责任公司", 10_000_000, "公路、桥梁、隧道、机场跑道工程施工；市政工程")
    assert not m.activity.industrial and not m.segments


def test_ece_by_hand():
    # bins 0.9 (two right of two → |1 − 0.9|) and 0.3 (one of two right → |0.5 − 0.3|)
    assert L.ece([0.9, 0.9, 0.3, 0.3], [1, 1, 1, 0]) == pytest.approx((2 * 0.1 + 2 * 0.2) / 4)
    assert L.ece([], []) is None


def test_import_skip_invalid_and_explain(store_any, tmp_path):
    from chainbrain.ingest.mapping import explain
    from chainbrain.ingest.registry import import_registry

    head = "企业名称,统一社会信用代码,注册日期,企业类型,法人代表,注册资金,经营范围,所在省份,地区,注册地址\n"
    rows = ["萍乡市某某塑料制品厂,91360300MA35L0001G,2021-05-01,个人独资企业,张三,40万人民币,"
            "\"一般项目：塑料制品制造，塑料制品销售\",江西,萍乡,江西省萍乡市湘东区",
            ",91360100MA35ABCD1R,2021-05-01,有限责任公司,李四,100万人民币,一般项目：五金产品零售,江西,南昌,江西省南昌市东湖区"]
    f = tmp_path / "r.csv"
    f.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    res = import_registry(store_any, f, errors_path=tmp_path / "e.csv")
    assert res.status == "rejected"
    with store_any.engine.connect() as c:
        assert c.execute(sa.text("SELECT COUNT(*) FROM enterprise")).scalar() == 0
    res = import_registry(store_any, f, errors_path=tmp_path / "e.csv", skip_invalid=True)
    assert (res.status, res.new, res.skipped) == ("partial", 1, 1)
    assert "五金产品零售" in (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    info = explain(store_any, "91360300MA35L0001G")
    act = info["activity"]
    assert act["industrial"] and act["section"] == "C"
    assert [i["role"] for i in act["items"]] == ["produce", "trade"] and act["items"][0]["section"] == "general"
    assert act["evidence"] and {s["chain_code"] for s in info["segments"]} == {"PC"}


def test_migration_0019_up_down_up(db_any):
    from alembic import command

    from chainbrain.store import open_store
    from chainbrain.store.migrate import alembic_config, upgrade

    has = sa.text("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                  "AND table_name IN ('enterprise_activity', 'mapping_review', 'enterprise_registry', "
                  "'enterprise_registry_history')")
    store = open_store(db_any)
    try:
        upgrade(store, "0018_clusters")
        with store.engine.connect() as conn:
            assert conn.execute(has).scalar() == 0
        upgrade(store, "0019_library")
        with store.engine.connect() as conn:
            assert conn.execute(has).scalar() == 4
        command.downgrade(alembic_config(store), "0018_clusters")
        with store.engine.connect() as conn:
            assert conn.execute(has).scalar() == 0
        upgrade(store, "0019_library")
        with store.engine.connect() as conn:
            assert conn.execute(has).scalar() == 4
    finally:
        store.close()


def test_explain_shows_held_suggestions(store_any, tmp_path):
    """A firm whose chains are all under the auto threshold has no segment; ``explain`` lists them as held
    (suggested to review, in no chain figure). A real registry row of a labelled part (v7 model: BM-M7 0.43)."""
    from chainbrain.ingest.mapping import explain
    from chainbrain.ingest.registry import import_registry

    f = tmp_path / "r.csv"
    f.write_text("企业名称,统一社会信用代码,注册日期,企业类型,法人代表,注册资金,经营范围,所在省份,地区,注册地址\n"
                 "新干县洋峰玻璃灯饰厂,91360824162196640G,2001-05-01,个人独资企业,张三,30万人民币,"
                 "\"玻璃制品生产、销售。\",江西,吉安,江西省吉安市新干县\n",
                 encoding="utf-8")
    assert import_registry(store_any, f).status == "loaded"
    info = explain(store_any, "91360824162196640G")
    assert info["segments"] == [] and info["held"]
    assert all(h["confidence"] < L.AUTO_THRESHOLD for h in info["held"])
    assert {h["chain_code"] for h in info["held"]} == {"BM"}
    assert info["review"] and info["review"]["status"] == "pending"


def test_cli_evaluate_errors_and_crossval_usage(tmp_path):
    """``library evaluate --errors`` lists the rows that differ from their label and the reliability table;
    ``library crossval --by-part`` needs two files (one-line bilingual message, exit 1)."""
    from typer.testing import CliRunner

    from chainbrain.cli import app

    src = LAB / "heldout4.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    f = tmp_path / "part.csv"
    f.write_text("\n".join(lines[:81]) + "\n", encoding="utf-8")          # 80 labelled rows
    rows = L.load(f)
    wrong = L.errors(rows)
    res = CliRunner().invoke(app, ["library", "evaluate", str(f), "--errors"])
    assert res.exit_code == 0, res.output
    assert "rows 80" in res.output and "reliability of the chain confidence" in res.output
    assert f"errors ({len(wrong)} rows" in res.output and all(r.uscc in res.output for r, _ in wrong)
    res = CliRunner().invoke(app, ["library", "crossval", str(f), "--by-part"])
    assert res.exit_code == 1 and "至少需要两个" in res.output
