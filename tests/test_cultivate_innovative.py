"""创新型中小企业 (100-point scheme, shortcut routes, what-if): hand-worked cases, every bound below/at/above.

Rules: pack cultivation.toml [innovative] (policy-facts §3.1.1).  The base firm scores 0 on every
banded indicator (cultivate_cases.py), so a category's points are the varied indicator's points
(+5 in specialisation for a firm outside the 战略性新兴 fields).
"""

from __future__ import annotations

import pytest

from cultivate_cases import WHATIF, firm, one, run

# (column, value, category column, expected category points)
BANDS = [
    # R&D ratio (innovation, max 20): <1 → 0; 1–2 → 5; 2–3 → 10; 3–5 → 15; ≥5 → 20
    ("rd_ratio_pct", 0.99, "innov_innovation_pts", 0), ("rd_ratio_pct", 1, "innov_innovation_pts", 5),
    ("rd_ratio_pct", 1.01, "innov_innovation_pts", 5), ("rd_ratio_pct", 1.99, "innov_innovation_pts", 5),
    ("rd_ratio_pct", 2, "innov_innovation_pts", 10), ("rd_ratio_pct", 2.99, "innov_innovation_pts", 10),
    ("rd_ratio_pct", 3, "innov_innovation_pts", 15), ("rd_ratio_pct", 4.99, "innov_innovation_pts", 15),
    ("rd_ratio_pct", 5, "innov_innovation_pts", 20), ("rd_ratio_pct", 5.01, "innov_innovation_pts", 20),
    # revenue growth (growth, max 20): <0 → 0; 0–5 → 5; 5–10 → 10; 10–15 → 15; ≥15 → 20 (debt 80 → 0)
    ("revenue_growth_prev_year_pct", -0.01, "innov_growth_pts", 0),
    ("revenue_growth_prev_year_pct", 0, "innov_growth_pts", 5),
    ("revenue_growth_prev_year_pct", 4.99, "innov_growth_pts", 5),
    ("revenue_growth_prev_year_pct", 5, "innov_growth_pts", 10),
    ("revenue_growth_prev_year_pct", 9.99, "innov_growth_pts", 10),
    ("revenue_growth_prev_year_pct", 10, "innov_growth_pts", 15),
    ("revenue_growth_prev_year_pct", 14.99, "innov_growth_pts", 15),
    ("revenue_growth_prev_year_pct", 15, "innov_growth_pts", 20),
    ("revenue_growth_prev_year_pct", 15.01, "innov_growth_pts", 20),
    # debt ratio (growth, max 10): <55 → 10; 55–75 (75 included: the band before ">75") → 5; >75 → 0
    ("debt_ratio_pct", 54.99, "innov_growth_pts", 10), ("debt_ratio_pct", 55, "innov_growth_pts", 5),
    ("debt_ratio_pct", 55.01, "innov_growth_pts", 5), ("debt_ratio_pct", 74.99, "innov_growth_pts", 5),
    ("debt_ratio_pct", 75, "innov_growth_pts", 5), ("debt_ratio_pct", 75.01, "innov_growth_pts", 0),
    # main-business share (specialisation, max 20; +5 for the field): <50 → 0; 50–55 → 5; 55–60 → 10; 60–70 → 15; ≥70 → 20
    ("main_business_share_pct", 49.99, "innov_specialisation_pts", 5),
    ("main_business_share_pct", 50, "innov_specialisation_pts", 10),
    ("main_business_share_pct", 54.99, "innov_specialisation_pts", 10),
    ("main_business_share_pct", 55, "innov_specialisation_pts", 15),
    ("main_business_share_pct", 59.99, "innov_specialisation_pts", 15),
    ("main_business_share_pct", 60, "innov_specialisation_pts", 20),
    ("main_business_share_pct", 69.99, "innov_specialisation_pts", 20),
    ("main_business_share_pct", 70, "innov_specialisation_pts", 25),
    ("main_business_share_pct", 100, "innov_specialisation_pts", 25),
    # IP class (innovation, max 20)
    ("ip_class", "I_high_value", "innov_innovation_pts", 20), ("ip_class", "I_self", "innov_innovation_pts", 15),
    ("ip_class", "I", "innov_innovation_pts", 10), ("ip_class", "II", "innov_innovation_pts", 5),
    ("ip_class", "", "innov_innovation_pts", 0),
    # field (specialisation, max 10): 战略性新兴 → 10, other (or empty = none) → 5
    ("sei_field", 1, "innov_specialisation_pts", 10), ("sei_field", "", "innov_specialisation_pts", 5),
]


@pytest.mark.parametrize("col,value,cat,pts", BANDS)
def test_indicator_bands(col, value, cat, pts):
    out = one(**{col: value})
    assert out[cat] == pts
    assert out["innovative_score"] == out["innov_innovation_pts"] + out["innov_growth_pts"] + \
        out["innov_specialisation_pts"]


def test_base_firm():
    out = one()
    assert (out["innovative_score"], out["innov_innovation_pts"], out["innov_growth_pts"],
            out["innov_specialisation_pts"], out["innovative_qualifies"]) == (5, 0, 0, 5, 0)


# (overrides, innovation, growth, specialisation, total, qualifies) — the score rule's bounds
SCORE = [
    # total exactly 60 with every category at or above its minimum: 20 + 15 + 25
    (dict(ip_class="I_high_value", revenue_growth_prev_year_pct=10, sei_field=1, main_business_share_pct=60),
     20, 15, 25, 60, 1),
    # total 55: 20 + 15 + 20 → below 60
    (dict(ip_class="I_high_value", revenue_growth_prev_year_pct=10, main_business_share_pct=60), 20, 15, 20, 55, 0),
    # total 65 but innovation 15 < 20
    (dict(ip_class="I_self", revenue_growth_prev_year_pct=10, sei_field=1, main_business_share_pct=70),
     15, 15, 30, 60, 0),
    # growth 10 < 15 with total 80; then growth exactly 15 (10 + debt 55 → 5)
    (dict(ip_class="I_high_value", rd_ratio_pct=5, revenue_growth_prev_year_pct=5, sei_field=1,
          main_business_share_pct=70), 40, 10, 30, 80, 0),
    (dict(ip_class="I_high_value", rd_ratio_pct=5, revenue_growth_prev_year_pct=5, debt_ratio_pct=55, sei_field=1,
          main_business_share_pct=70), 40, 15, 30, 85, 1),
    # specialisation 10 < 15 (5 + share 50 → 5) with total 80; then exactly 15 (share 55 → 10)
    (dict(ip_class="I_high_value", rd_ratio_pct=5, revenue_growth_prev_year_pct=15, debt_ratio_pct=50,
          main_business_share_pct=50), 40, 30, 10, 80, 0),
    (dict(ip_class="I_high_value", rd_ratio_pct=5, revenue_growth_prev_year_pct=15, debt_ratio_pct=50,
          main_business_share_pct=55), 40, 30, 15, 85, 1),
]


@pytest.mark.parametrize("over,inn,gro,spe,total,q", SCORE)
def test_score_rule(over, inn, gro, spe, total, q):
    out = one(**over)
    assert (out["innov_innovation_pts"], out["innov_growth_pts"], out["innov_specialisation_pts"],
            out["innovative_score"], out["innovative_qualifies"]) == (inn, gro, spe, total, q)
    assert out["innovative_reason"].startswith("qualifies" if q else "does not qualify")


ROUTES = [
    (dict(equity_financing_3y_wan=499.99), "", 0), (dict(equity_financing_3y_wan=500), "equity_3y", 1),
    (dict(equity_financing_3y_wan=500.01), "equity_3y", 1),
    (dict(st_award_3y="provincial"), "st_award", 1), (dict(st_award_3y="national"), "st_award", 1),
    (dict(has_hightech_cert=1), "hightech_cert", 1), (dict(provincial_rd_institution=1), "rd_institution", 1),
    (dict(has_hightech_cert=1, equity_financing_3y_wan=600), "hightech_cert;equity_3y", 1),
]


@pytest.mark.parametrize("over,routes,q", ROUTES)
def test_shortcut_routes(over, routes, q):
    out = one(**over)
    assert (out["innovative_routes"], out["innovative_qualifies"]) == (routes, q)
    assert ("no shortcut route" in out["innovative_reason"]) == (not routes)


# What-if: revenue 3500 万元, R&D 70 万元 (ratio derived: 2 % → 10) + IP II (5) = innovation 15 < 20;
# growth 10 % → 15; 战略性新兴 10 + share 70 → 20: specialisation 30.  3 % needs 3500 × 1 % = 35 万元 more.


def test_whatif_rd_35_wan():
    out = one(**WHATIF)
    assert (out["innovative_qualifies"], out["innov_innovation_pts"], out["innovative_score"]) == (0, 15, 60)
    assert out["innovative_whatif"].split("; ") == [
        "R&D +35 万元 (R&D ratio to 3%) → qualifies", "IP class II → I → qualifies",
        "equity financing (3 years) +500 万元 → qualifies (route)"]
    # applying it qualifies; one 100 元 less does not
    assert one(**dict(WHATIF, rd_expense_prev_year_wan=105))["innovative_qualifies"] == 1
    assert one(**dict(WHATIF, rd_expense_prev_year_wan=104.99))["innovative_qualifies"] == 0


def test_whatif_debt_and_growth():
    # growth 5 % → 10 + debt 80 → 0 = 10 < 15; innovation 40, specialisation 30
    base = dict(ip_class="I_high_value", rd_ratio_pct=5, revenue_growth_prev_year_pct=5, sei_field=1,
                main_business_share_pct=70, equity_financing_3y_wan=120)
    assert one(**base)["innovative_whatif"].split("; ") == [
        "revenue growth +5 pp (to 10%) → qualifies", "debt ratio −5 pp (to 75%) → qualifies",
        "equity financing (3 years) +380 万元 → qualifies (route)"]
    # growth 0 % → 5 + debt 60 → 5 = 10: debt must go BELOW 55 (the bound is excluded)
    out = one(**dict(base, revenue_growth_prev_year_pct=0, debt_ratio_pct=60))
    assert out["innovative_whatif"].split("; ")[:2] == [
        "revenue growth +5 pp (to 5%) → qualifies", "debt ratio below 55% (now 60%) → qualifies"]


def test_whatif_empty_when_qualifying_and_main_share():
    out = one(ip_class="I_high_value", revenue_growth_prev_year_pct=10, sei_field=1, main_business_share_pct=60)
    assert out["innovative_whatif"] == ""
    # specialisation 15 → 10 would fail: share 54 (5) + field 5 = 10; share to 55 → 10 → 15
    out = one(ip_class="I_high_value", rd_ratio_pct=5, revenue_growth_prev_year_pct=15, debt_ratio_pct=50,
              main_business_share_pct=54)
    assert out["innovative_whatif"].startswith("main-business share +1 pp (to 55%) → qualifies")


def test_missing_inputs_score_zero_and_are_named():
    out = one(ip_class="I_high_value", revenue_growth_prev_year_pct="", debt_ratio_pct="")
    assert out["innov_growth_pts"] == 0
    assert "not reported (0 points): revenue_growth_prev_year_pct;debt_ratio_pct" in out["innovative_reason"]


def test_batch_rows_are_independent():
    out = run(firm(case_id="a", has_hightech_cert=1), firm(case_id="b"))
    assert list(out["case_id"]) == ["a", "b"] and list(out["innovative_qualifies"]) == [1, 0]
