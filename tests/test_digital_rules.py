"""The pack's digital rules (packs/jiangxi/digital.toml) and their checks, case by case at the bounds."""
from __future__ import annotations

import copy
import datetime as dt

import pytest

from chainbrain.analytics import digital_rules as R
from chainbrain.catalog.pack import load_pack


@pytest.fixture(scope="module")
def raw():
    return load_pack()._toml("digital")


def test_schemes_editions_and_documents():
    r = R.rules()
    s = r["schemes"]
    assert list(s) == ["miit_sme_2022", "miit_sme_2024", "gbt39116"]
    assert (s["miit_sme_2022"].document, s["miit_sme_2022"].edition, s["miit_sme_2022"].max_level) == \
        ("工信厅企业〔2022〕32号", "2022", 4)
    assert (s["miit_sme_2024"].document, s["miit_sme_2024"].valid_from, s["miit_sme_2024"].max_level) == \
        ("工信厅企业〔2024〕56号", dt.date(2024, 9, 4), 4)
    assert (s["gbt39116"].document, s["gbt39116"].max_level, s["gbt39116"].level_names[5]) == \
        ("GB/T 39116-2020", 5, "引领级")
    # the 2022 edition ends the day before the 2024 edition starts
    assert s["miit_sme_2022"].valid_to == s["miit_sme_2024"].valid_from - dt.timedelta(days=1)


@pytest.mark.parametrize("score, level", [
    (0, None), (19.99, None), (20, 1), (39.99, 1), (40, 2), (59.99, 2), (60, 3), (79.99, 3), (80, 4), (100, 4)])
def test_2022_score_bands_at_their_bounds(score, level):
    """L1 20–40, L2 40–60, L3 60–80, L4 ≥ 80 (policy-facts §4.1): a printed bound belongs to the band it opens."""
    assert R.level_of_score("miit_sme_2022", score) == level


@pytest.mark.parametrize("code", ["miit_sme_2024", "gbt39116"])
def test_no_score_rule_where_none_is_sourced(code):
    with pytest.raises(R.RuleError):
        R.level_of_score(code, 50)


def test_unsourced_skeletons_are_listed_not_invented(raw):
    assert R.unsourced() == ["miit_sme_2022: per-dimension weights", "miit_sme_2024: per-dimension weights",
                             "miit_sme_2024: score-to-level rule",
                             "gbt39116: GB/T 39117-2020 requirement lists and level rule",
                             "service-provider rating scale", "benchmark / 小灯塔 selection criteria"]
    for s in raw["scheme"]:
        assert s["weights"]["values"] == {} if "weights" in s else True
    assert raw["scheme"][2]["assessment"]["pass_share"] == ""
    assert raw["benchmark"]["min_level"] == "" and raw["benchmark"]["criteria"] == []


def test_targets_and_deadlines():
    t = {x.code: x for x in R.rules()["targets"]}
    assert t["jx_2027_above_scale"].deadline == dt.date(2027, 12, 31) and t["jx_2027_above_scale"].share == 1.0
    assert t["miit_2027_srdi"].population == "srdi"
    assert t["plan_full_coverage"].deadline_source == "I"          # the two-year document was not found
    # 数字化改造 targets count transformed firms (a completed project), not assessments
    assert [t[c].measure for c in ("plan_full_coverage", "jx_2027_above_scale", "miit_2027_srdi")] == ["transformed"] * 3
    assert R.rules()["rating"] == (1, 5)
    assert (t["jiujiang_2026_level2"].share, t["jiujiang_2026_level2"].measure,
            t["jiujiang_2026_level2"].region) == (0.9, "level2_plus", "360400")


def _broken(raw, edit):
    r = copy.deepcopy(raw)
    edit(r)
    with pytest.raises(R.RuleError) as e:
        R._checked(r)
    return str(e.value)


def test_loader_refuses_inconsistent_rules(raw):
    def gap(r):
        r["scheme"][0]["bands"][1]["lo"] = 41
    assert "meet at one bound" in _broken(raw, gap)

    def closed_top(r):
        r["scheme"][0]["bands"][3]["hi"] = 100
    assert "open" in _broken(raw, closed_top)

    def bad_level(r):
        r["scheme"][0]["bands"][3]["level"] = 5
    assert "not a level" in _broken(raw, bad_level)

    def levels(r):
        r["scheme"][0]["levels"] = [1, 2, 4]
    assert "1…n" in _broken(raw, levels)

    def twice(r):
        r["scheme"].append(copy.deepcopy(r["scheme"][0]))
    assert "twice" in _broken(raw, twice)

    def share(r):
        r["target"][0]["share"] = 1.01
    assert "(0, 1]" in _broken(raw, share)

    def zero_share(r):
        r["target"][0]["share"] = 0
    assert "(0, 1]" in _broken(raw, zero_share)

    def measure(r):
        r["target"][0]["measure"] = "renovated"
    assert "measure" in _broken(raw, measure)

    def transformed_rule(r):
        r["transformed"]["rule"] = "level3"
    assert "[transformed]" in _broken(raw, transformed_rule)

    def rating(r):
        r["provider"]["rating_min"] = 6
    assert "rating_min" in _broken(raw, rating)

    def no_deadline(r):
        r["target"][0]["deadline"] = ""
    assert "deadline" in _broken(raw, no_deadline)


@pytest.mark.parametrize("rated, visible, withheld", [
    ({1, 2, 3}, set(), False),            # 3 firms the viewer cannot see: the primary rule's bound, shown
    ({1, 2}, set(), True),                # 2 hidden: withheld
    ({1}, set(), True),                   # 1 hidden: withheld
    ({1, 2, 3}, {1}, True),               # the viewer sees one: the other two would be isolated
    ({1, 2, 3, 4}, {1}, False),           # 3 hidden: shown
    ({1, 2}, {1, 2, 9}, False),           # sees every rating firm: shown
    (set(), set(), False),                # no rating: nothing to withhold
])
def test_provider_rating_disclosure_bound(rated, visible, withheld):
    from chainbrain.analytics.digital_providers import rating_withheld
    assert rating_withheld(rated, visible) is withheld


# ------------------------------------------------------------------ GB/T 39117 scoring (analytics.digital_gbt39117)
def _configured(raw, pass_share=0.75):
    """A test configuration — NOT the standard's values (which are not in the references): options yes 1,
    partly 0.5, no 0; L1 two requirements (weights 1, 1); L2 one of weight 3 and one of weight 1; no L3 list."""
    r = copy.deepcopy(raw)
    a = r["scheme"][2]["assessment"]
    a.update(answers={"yes": 1, "partly": 0.5, "no": 0}, pass_share=pass_share, requirements=[
        {"id": "1a", "level": 1, "element": "人员", "domain": "组织战略", "text": "t"},
        {"id": "1b", "level": 1, "element": "制造", "domain": "生产", "text": "t"},
        {"id": "2a", "level": 2, "element": "技术", "domain": "数据", "text": "t", "weight": 3},
        {"id": "2b", "level": 2, "element": "资源", "domain": "装备", "text": "t"}])
    return R._checked(r)


def test_gbt39117_not_configured_as_shipped():
    from chainbrain.analytics import digital_gbt39117 as G
    m = G.method()
    assert (m.configured, m.unsourced, m.document, m.pass_share) == (False, True, "GB/T 39117-2020", None)
    with pytest.raises(R.RuleError, match="not configured"):
        G.score({})


@pytest.mark.parametrize("answers, scores, level", [
    ({"1a": "yes", "1b": "partly", "2a": "yes", "2b": "no"}, {1: 0.75, 2: 0.75}, 2),      # both exactly at 0.75
    ({"1a": "partly", "1b": "partly", "2a": "yes", "2b": "yes"}, {1: 0.5, 2: 1.0}, None),  # L2 without L1: none
    ({"1a": "yes", "1b": "yes", "2a": "partly", "2b": "yes"}, {1: 1.0, 2: 0.625}, 1),     # (3·0.5 + 1)/4
    ({"1a": "yes", "1b": "yes", "2a": "yes", "2b": "yes"}, {1: 1.0, 2: 1.0}, 2),          # no L3 list: stops at 2
])
def test_gbt39117_levels_at_the_bound(raw, answers, scores, level):
    from chainbrain.analytics import digital_gbt39117 as G
    got = G.score(answers, _configured(raw))
    assert (got["scores"], got["level"], got["unsourced"]) == (scores, level, True)
    assert G.score(answers, _configured(raw, pass_share=0.76))["level"] == (None if scores[1] < 0.76 else
                                                                            (2 if scores[2] >= 0.76 else 1))


def test_gbt39117_bad_answers_and_config(raw):
    from chainbrain.analytics import digital_gbt39117 as G
    r = _configured(raw)
    with pytest.raises(ValueError, match="requirement 2b .*no answer"):
        G.score({"1a": "yes", "1b": "yes", "2a": "yes"}, r)
    with pytest.raises(ValueError, match="unknown answer"):
        G.score({"1a": "maybe", "1b": "yes", "2a": "yes", "2b": "yes"}, r)
    with pytest.raises(ValueError, match="unknown requirement"):
        G.score({"9z": "yes"}, r)
    for edit, msg in ((lambda a: a.update(pass_share=1.2), "pass_share"),
                      (lambda a: a["answers"].update(yes=1.5), "answer scores"),
                      (lambda a: a["requirements"][0].update(level=6), "not a level"),
                      (lambda a: a["requirements"][0].update(element="资金"), "element"),
                      (lambda a: a["requirements"][1].update(id="1a"), "twice")):
        bad = copy.deepcopy(r["raw"])
        edit(bad["scheme"][2]["assessment"])
        with pytest.raises(R.RuleError, match=msg):
            G.method(R._checked(bad))
