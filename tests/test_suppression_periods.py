"""One pattern across periods (``analytics/suppression_periods.py``): a hand-made family of two
years where the periods' own patterns disagree on the same sum, and the linked pattern does not."""

from __future__ import annotations

from chainbrain.analytics import suppression
from chainbrain.analytics.suppression import Relation, Universe
from chainbrain.analytics.suppression_periods import linked, patterns_of

A, B, C = ({1}, {2, 3, 4}, {5, 6, 7, 8, 9})
VALUES = {"A": 1.0, "B": 30.0, "C": 50.0}


def _year(label: str, m: str, extra: dict | None = None, rels: list | None = None) -> Universe:
    """Province = A + B + C (cities) for measure ``m``."""
    k = lambda x: (m, None, x, "all")                                    # noqa: E731
    sets = {k(None): frozenset(A | B | C), k("A"): frozenset(A), k("B"): frozenset(B), k("C"): frozenset(C)}
    values = {k(None): 81.0, **{k(x): v for x, v in VALUES.items()}}
    for key, v in (extra or {}).items():
        sets[key], values[key] = v
    return Universe(label, sets=sets, values=values,
                    relations=[Relation(k(None), (k("A"), k("B"), k("C")), frozenset())] + (rels or []))


def _family():
    last = _year("2025-06", "cur")
    # this year: the previous-year sums (prev) are last year's cur; one comparable-base cell of one firm
    # under prev C (a relation with no rest) makes prev C a secondary suppression here
    cb_c = ("cb", None, "C", "all")
    this = _year("2026-06", "prev", {cb_c: (frozenset({5}), 5.0)},
                 [Relation(("prev", None, "C", "all"), (cb_c,), frozenset())])
    return {"2025-06": last, "2026-06": this}


def test_own_patterns_disagree_on_the_same_sum():
    fam = _family()
    last, this = (suppression.pattern(fam[x], frozenset()) for x in ("2025-06", "2026-06"))
    assert last.hidden == {("cur", None, "A", "all"), ("cur", None, "B", "all")}         # B: the smallest
    assert this.hidden == {("prev", None, x, "all") for x in "ABC"} | {("cb", None, "C", "all")}
    # 2025's shown C is 2026's withheld prev C, which gives the one-firm cb C back: the leak across periods


def test_linked_pattern_gives_one_state_per_sum():
    fam = _family()
    u = linked(fam, None)
    ids = [r for r in u.relations if r.parent[0] == "2026-06" and r.children[0][0] == "2025-06"]
    assert {(r.parent[1:], r.children[0][1:]) for r in ids} == {
        (("prev", None, x, "all"), ("cur", None, x, "all")) for x in (None, "A", "B", "C")}
    assert all(not r.residual for r in ids)
    pats = patterns_of(fam, None, frozenset())
    assert pats["2025-06"].hidden == {("cur", None, x, "all") for x in "ABC"}          # C as in 2026
    assert pats["2026-06"].hidden == {("prev", None, x, "all") for x in "ABC"} | {("cb", None, "C", "all")}
    assert pats["2026-06"].primary == {("prev", None, "A", "all"), ("cb", None, "C", "all")}
    assert pats["2025-06"].cells == 4 and pats["2026-06"].cells == 5
    # the administrator: nothing withheld
    assert all(not p.hidden for p in patterns_of(fam, None, None).values())


def test_base_sums_link_to_the_base_year():
    cur22 = _year("2022-06", "cur")
    b25, b26 = _year("2025-06", "base"), _year("2026-06", "base")
    u = linked({"2022-06": cur22, "2025-06": b25, "2026-06": b26}, 2022)
    pairs = {(r.parent[0], r.children[0][0]) for r in u.relations if len(r.children) == 1}
    assert pairs == {("2025-06", "2022-06"), ("2026-06", "2022-06"), ("2026-06", "2025-06")}
