"""The complementary-suppression rule on hand-made cases (:mod:`chainbrain.analytics.suppression`):
which cell the rule picks, and which KPI fields a withheld measure takes with it."""
from __future__ import annotations

from chainbrain.analytics import suppression


def test_pattern_hand_case():
    """A hand-made relation: county a (1 firm), b (5), c (4) under city X; primary hides a; the
    rule must hide the smallest other county (c, by value) — never b, never the parent."""
    sets = {("cur", None, None, "all"): frozenset(range(10)), ("cur", None, "X", "all"): frozenset(range(10)),
            ("cur", None, "a", "all"): frozenset({0}), ("cur", None, "b", "all"): frozenset({1, 2, 3, 4, 5}),
            ("cur", None, "c", "all"): frozenset({6, 7, 8, 9})}
    u = suppression.Universe("2025-06", sets=sets,
                             values={k: float(len(v)) for k, v in sets.items()},
                             relations=[suppression.Relation(("cur", None, None, "all"),
                                                             (("cur", None, "X", "all"),), frozenset()),
                                        suppression.Relation(("cur", None, "X", "all"),
                                                             tuple(("cur", None, x, "all") for x in "abc"),
                                                             frozenset())])
    pat = suppression.pattern(u, frozenset())
    assert pat.primary == {("cur", None, "a", "all")}
    assert pat.hidden == {("cur", None, "a", "all"), ("cur", None, "c", "all")}
    # a viewer who sees firm 0 needs nothing withheld; one who sees 6–9 makes c known: b goes instead
    assert suppression.pattern(u, frozenset({0})).hidden == frozenset()
    assert suppression.pattern(u, frozenset({6, 7, 8, 9})).hidden == {("cur", None, "a", "all"),
                                                                      ("cur", None, "b", "all")}
    # two hidden children of 1 firm each: their sum (2 firms) is still sensitive → a third goes
    sets2 = dict(sets)
    sets2[("cur", None, "b", "all")] = frozenset({1})
    sets2[("cur", None, "c", "all")] = frozenset(range(2, 10))
    u2 = suppression.Universe("2025-06", sets=sets2, values={k: float(len(v)) for k, v in sets2.items()},
                              relations=[suppression.Relation(("cur", None, "X", "all"),
                                                              tuple(("cur", None, x, "all") for x in "abc"),
                                                              frozenset())])
    assert suppression.pattern(u2, frozenset()).hidden == {("cur", None, x, "all") for x in "abc"}


def test_index_and_level_target_fields():
    """The targets helper's KPI fields: index-derived ones by ``target_index_count`` (and with the
    current year's comparable growth), level ones by the current and base-year sums; absent
    fields are ignored."""
    cell = ("cur", None, None, "all")
    pat = suppression.Pattern("2025-06", 3, frozenset(), frozenset({("base", None, None, "all")}),
                              frozenset(), 1)
    index_rec = {"period": "2025-06", "scope": "all", "revenue_ytd_yuan": 1.0, "target_path_yuan": 1.0,
                 "target_ratio": 0.9, "target_status": "red", "target_ratio_level": 0.8,
                 "target_status_level": "red", "target_index_comparable": 1.2, "target_index_count": 5,
                 "target_required_growth": 0.1, "target_required_growth_rest_of_year": 0.12}
    assert pat.fields(index_rec, None, None, "all") == ["target_path_yuan", "target_ratio_level",
                                                       "target_status_level"]
    small = dict(index_rec, target_index_count=2)
    assert set(pat.fields(small, None, None, "all")) == {
        "target_path_yuan", "target_ratio_level", "target_status_level", "target_ratio", "target_status",
        "target_index_comparable", "target_required_growth", "target_required_growth_rest_of_year"}
    assert "target_index_comparable" not in pat.fields(dict(index_rec, target_index_count=3), None, None, "all")
    cc_gone = suppression.Pattern("2025-06", 3, frozenset(), frozenset({("cc", None, None, "all")}), frozenset(), 1)
    assert "target_index_comparable" in cc_gone.fields(index_rec, None, None, "all")
    # a viewer who sees the whole cell is shown a small index
    known = suppression.Pattern("2025-06", 3, frozenset(), frozenset(), frozenset({cell}), 1)
    assert known.fields(small, None, None, "all") == []
    # before the comparable index exists, target_ratio / target_status are the level ones
    level_rec = {k: v for k, v in index_rec.items() if not k.startswith(("target_index", "target_required",
                                                                          "target_ratio_level", "target_status_level"))}
    assert pat.fields(level_rec, None, None, "all") == ["target_path_yuan", "target_ratio", "target_status"]
