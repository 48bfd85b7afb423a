"""专精特新中小企业: the four gates, the known score and its unknown maximum — hand-worked, every bound.

Rules: pack cultivation.toml [srdi] (policy-facts §3.1.2).  The base firm (cultivate_cases.py) has a
known score of 0 and a maximum of 30 (特色化 15 + [I] R&D staff 5 + [I] R&D institution 10, never applied),
so ``srdi_score_known`` is the varied indicator's points.
"""

from __future__ import annotations

import pytest

from cultivate_cases import firm, one, run

SCORE = [
    # main-business share (5): <60 → 0; 60–70 → 1; 70–80 → 3; ≥80 → 5
    ("main_business_share_pct", 59.99, 0), ("main_business_share_pct", 60, 1), ("main_business_share_pct", 69.99, 1),
    ("main_business_share_pct", 70, 3), ("main_business_share_pct", 79.99, 3), ("main_business_share_pct", 80, 5),
    ("main_business_share_pct", 80.01, 5),
    # 2-year average main growth (10): <0 → 0; 0–4 → 2; 4–6 → 4; 6–8 → 6; 8–10 → 8; ≥10 → 10
    ("two_year_avg_main_growth_pct", -0.01, 0), ("two_year_avg_main_growth_pct", 0, 2),
    ("two_year_avg_main_growth_pct", 3.99, 2), ("two_year_avg_main_growth_pct", 4, 4),
    ("two_year_avg_main_growth_pct", 5.99, 4), ("two_year_avg_main_growth_pct", 6, 6),
    ("two_year_avg_main_growth_pct", 7.99, 6), ("two_year_avg_main_growth_pct", 8, 8),
    ("two_year_avg_main_growth_pct", 9.99, 8), ("two_year_avg_main_growth_pct", 10, 10),
    # years in the niche (5): 1 point per FULL 2 years, at most 5
    ("years_in_niche", 1.99, 0), ("years_in_niche", 2, 1), ("years_in_niche", 3.99, 1), ("years_in_niche", 4, 2),
    ("years_in_niche", 9.99, 4), ("years_in_niche", 10, 5), ("years_in_niche", 14, 5),
    # field (5)
    ("field_contribution", "key", 5), ("field_contribution", "basic", 3), ("field_contribution", "", 0),
    # digital level (5): 1 → 0; 2 → 3; 3 or above → 5
    ("digital_level", 2, 3), ("digital_level", 3, 5), ("digital_level", 4, 5),
    # quality (5): 3 per item, at most 5
    ("quality_items", 1, 3), ("quality_items", 2, 5), ("quality_items", 4, 5), ("quality_items", "", 0),
    # net margin (10): <2 → 0; 2–4 → 2; 4–6 → 4; 6–8 → 6; 8–10 → 8; ≥10 → 10
    ("net_margin_pct", 1.99, 0), ("net_margin_pct", 2, 2), ("net_margin_pct", 3.99, 2), ("net_margin_pct", 4, 4),
    ("net_margin_pct", 6, 6), ("net_margin_pct", 7.99, 6), ("net_margin_pct", 8, 8), ("net_margin_pct", 9.99, 8),
    ("net_margin_pct", 10, 10),
    # debt (5): <50 → 5; 50–60 → 3; 60–70 (70 included: the band before ">70") → 1; >70 → 0
    ("debt_ratio_pct", 49.99, 5), ("debt_ratio_pct", 50, 3), ("debt_ratio_pct", 59.99, 3), ("debt_ratio_pct", 60, 1),
    ("debt_ratio_pct", 70, 1), ("debt_ratio_pct", 70.01, 0),
    # IP (10)
    ("ip_class", "I_high_value", 10), ("ip_class", "I_self", 8), ("ip_class", "I", 6), ("ip_class", "II", 2),
]


@pytest.mark.parametrize("col,value,pts", SCORE)
def test_score_indicator(col, value, pts):
    out = one(**{col: value})
    assert (out["srdi_score_known"], out["srdi_score_max"]) == (pts, 30)


# R&D (10): the higher of the amount band (<100 → 0; 100–200 → 2; … ≥500 → 10) and the ratio band (<3 → 0; 3–4 → 2; … ≥10 → 10)
RD = [
    (99.99, 0.5, 0), (100, 0.5, 2), (199.99, 0.5, 2), (200, 0.5, 4), (299.99, 0.5, 4), (300, 0.5, 6),
    (400, 0.5, 8), (499.99, 0.5, 8), (500, 0.5, 10),
    (5, 2.99, 0), (5, 3, 2), (5, 3.99, 2), (5, 4, 4), (5, 6, 6), (5, 8, 8), (5, 9.99, 8), (5, 10, 10),
    (450, 10, 10), (500, 3, 10), (250, 6.5, 6),
]


@pytest.mark.parametrize("rd,ratio,pts", RD)
def test_rd_indicator(rd, ratio, pts):
    assert one(rd_expense_prev_year_wan=rd, rd_ratio_pct=ratio)["srdi_score_known"] == pts


def test_unknown_inputs_raise_the_maximum():
    assert one(net_margin_pct="")["srdi_score_max"] == 40
    assert one(digital_level="")["srdi_score_max"] == 35
    # R&D 250 (4 points by amount); the ratio can be neither given nor derived (no revenue): up to 6 more
    out = one(rd_expense_prev_year_wan=250, rd_ratio_pct="", revenue_prev_year_wan="")
    assert (out["srdi_score_known"], out["srdi_score_max"]) == (4, 36)
    # derived ratio: 250 / 2500 = 10 % → 10
    out = one(rd_expense_prev_year_wan=250, rd_ratio_pct="", revenue_prev_year_wan=2500)
    assert (out["srdi_score_known"], out["srdi_score_max"]) == (10, 30)


# gates: (overrides, gate, status 1/0/-1)
GATES = [
    (dict(years_in_niche=1.99), "G1_niche_years", 0), (dict(years_in_niche=2), "G1_niche_years", 1),
    (dict(years_in_niche=2.01), "G1_niche_years", 1), (dict(years_in_niche=""), "G1_niche_years", -1),
    (dict(rd_expense_prev_year_wan=99.99, rd_ratio_pct=5), "G2_rd", 0),
    (dict(rd_expense_prev_year_wan=100, rd_ratio_pct=3), "G2_rd", 1),
    (dict(rd_expense_prev_year_wan=100, rd_ratio_pct=2.99), "G2_rd", 0),
    (dict(rd_expense_prev_year_wan=100.01, rd_ratio_pct=3.01), "G2_rd", 1),
    (dict(rd_expense_prev_year_wan=100, rd_ratio_pct="", revenue_prev_year_wan=""), "G2_rd", -1),
    (dict(rd_expense_prev_year_wan="", rd_ratio_pct="", revenue_prev_year_wan=""), "G2_rd", 0),
    (dict(revenue_prev_year_wan=999.99), "G3_revenue", 0), (dict(revenue_prev_year_wan=1000), "G3_revenue", 1),
    (dict(revenue_prev_year_wan=1000.01), "G3_revenue", 1),
    (dict(revenue_prev_year_wan=500, equity_financing_2y_wan=1999.99), "G3_revenue", 0),
    (dict(revenue_prev_year_wan=500, equity_financing_2y_wan=2000), "G3_revenue", 1),
    (dict(revenue_prev_year_wan=""), "G3_revenue", -1),
    (dict(revenue_prev_year_wan="", equity_financing_2y_wan=2000), "G3_revenue", 1),
    # G4 routes (base known 0 + max 30 < 60: fails without one)
    (dict(), "G4_score_or_alt", 0),
    (dict(st_award_3y="provincial", st_award_rank=3), "G4_score_or_alt", 1),
    (dict(st_award_3y="provincial", st_award_rank=4), "G4_score_or_alt", 0),
    (dict(st_award_3y="national", st_award_rank=5), "G4_score_or_alt", 1),
    (dict(st_award_3y="national", st_award_rank=6), "G4_score_or_alt", 0),
    (dict(st_award_3y="national", st_award_rank=""), "G4_score_or_alt", 0),
    (dict(rd_expense_2y_avg_wan=999.99), "G4_score_or_alt", 0), (dict(rd_expense_2y_avg_wan=1000), "G4_score_or_alt", 1),
    (dict(equity_financing_2y_wan=5999.99), "G4_score_or_alt", 0),
    (dict(equity_financing_2y_wan=6000), "G4_score_or_alt", 1),
    (dict(maker_china_rank_3y=500), "G4_score_or_alt", 1), (dict(maker_china_rank_3y=501), "G4_score_or_alt", 0),
]

# known score 30: share 80 → 5, 2-year growth 10 → 10, 10 years → 5, field key → 5, digital 3 → 5
K30 = dict(main_business_share_pct=80, two_year_avg_main_growth_pct=10, years_in_niche=10, field_contribution="key",
           digital_level=3)
# + quality 2 → 5, margin 10 → 10, debt 49 → 5, IP I_high_value → 10: 60
K60 = dict(K30, quality_items=2, net_margin_pct=10, debt_ratio_pct=49, ip_class="I_high_value")
GATES += [
    (dict(K30, digital_level=2), "G4_score_or_alt", 0),        # 28 + 30 < 60
    (K30, "G4_score_or_alt", -1),                              # 30 + 30 = 60: undecided
    (dict(K60, ip_class="I_self"), "G4_score_or_alt", -1),     # 58 < 60 ≤ 88
    (K60, "G4_score_or_alt", 1),                               # 60
]
NAMES = {1: "1", 0: "0", -1: "unknown"}


@pytest.mark.parametrize("over,gate,status", GATES)
def test_gate(over, gate, status):
    out = one(**over)
    assert (gate in out["srdi_failed_gate"].split(";")) == (status == 0)
    assert (gate in out["srdi_unknown_gate"].split(";")) == (status == -1)


def test_known_scores_of_the_g4_cases():
    assert one(**K30)["srdi_score_known"] == 30
    assert one(**K60)["srdi_score_known"] == 60


# a firm that meets G1–G3 (2 years, R&D 100 万元 at 3 %, revenue 1000) and G4 by its R&D average
ALL = dict(years_in_niche=2, rd_expense_prev_year_wan=100, rd_ratio_pct=3, rd_expense_2y_avg_wan=1000)


def test_gates_combined():
    out = one(**ALL)
    assert (out["srdi_gates_met"], out["srdi_failed_gate"], out["srdi_unknown_gate"]) == ("1", "", "")
    assert out["srdi_routes"] == "rd_2y_avg"
    # one undecided gate, the rest met → unknown, nothing failed
    out = one(**dict(ALL, years_in_niche=""))
    assert (out["srdi_gates_met"], out["srdi_failed_gate"], out["srdi_unknown_gate"]) == ("unknown", "",
                                                                                        "G1_niche_years")
    # one failed and one undecided → 0, only the failed one listed
    out = one(**dict(ALL, years_in_niche="", revenue_prev_year_wan=999))
    assert (out["srdi_gates_met"], out["srdi_failed_gate"], out["srdi_unknown_gate"]) == ("0", "G3_revenue",
                                                                                        "G1_niche_years")
    assert one()["srdi_failed_gate"] == "G1_niche_years;G2_rd;G4_score_or_alt"


def test_gates_do_not_presuppose_innovative():
    # innovation = R&D 3 % → 15 < 20: not 创新型, yet every 专精特新 gate holds
    out = one(**ALL)
    assert (out["innovative_qualifies"], out["innov_innovation_pts"], out["srdi_gates_met"]) == (0, 15, "1")


def test_srdi_whatif():
    # base: 1 year; R&D 5 万元 at 0.5 % of 1000 → needs max(100 − 5, 30 − 5) = 95; G4 short 60 − 0 − 30 = 30
    out = one()
    assert out["srdi_whatif"].split("; ") == [
        "G1_niche_years: +1 year(s) in the niche",
        "G2_rd: R&D +95 万元 (≥ 100 万元 and ≥ 3%)",
        "G4_score_or_alt: score short by 30 points even with every unknown indicator at its maximum, "
        "or R&D 2-year average +995 万元, or equity (2 years) +6000 万元"]
    # revenue 5000: 3 % is 150 万元 → R&D 120 needs +30; revenue 800 → G3 needs +200 or equity +2000
    out = run(firm(case_id="a", rd_expense_prev_year_wan=120, rd_ratio_pct=2.4, revenue_prev_year_wan=5000,
                   years_in_niche=2, rd_expense_2y_avg_wan=1000),
              firm(case_id="b", revenue_prev_year_wan=800, years_in_niche=2, rd_expense_prev_year_wan=100,
                   rd_ratio_pct=12.5, rd_expense_2y_avg_wan=1000))
    assert list(out["srdi_whatif"]) == ["G2_rd: R&D +30 万元 (≥ 100 万元 and ≥ 3%)",
                                        "G3_revenue: revenue +200 万元, or equity (2 years) +2000 万元"]
