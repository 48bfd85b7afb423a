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
                             "benchmark / 小灯塔 selection criteria"]
    for s in raw["scheme"]:
        assert s["weights"]["values"] == {} if "weights" in s else True
    assert raw["scheme"][2]["assessment"]["pass_share"] == ""
    assert raw["benchmark"]["min_level"] == "" and raw["benchmark"]["criteria"] == []


def test_targets_and_deadlines():
    t = {x.code: x for x in R.rules()["targets"]}
    assert t["jx_2027_above_scale"].deadline == dt.date(2027, 12, 31) and t["jx_2027_above_scale"].share == 1.0
    assert t["miit_2027_srdi"].population == "srdi"
    assert t["plan_full_coverage"].deadline_source == "I"          # the two-year document was not found
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
        r["target"][0]["measure"] = "transformed"
    assert "measure" in _broken(raw, measure)

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
