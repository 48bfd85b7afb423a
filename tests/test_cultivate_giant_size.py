"""专精特新"小巨人" dimensions and the industrial size class (工信部联企业〔2011〕300号): hand-worked bounds.

小巨人 ([Q-2nd]; 链, 品 recalled [I]): a dimension the CSV decides is failed, met or unknown; the
assessment is never "met" outright (特 needs a national market share the CSV does not carry).
"""

from __future__ import annotations

import pytest

from cultivate_cases import one

# 专 holds: 3 years, share 70, 2-year growth 5; 新 by its general route is undecided: revenue 1亿,
# ratio 3 %, IP class I (count of I-class items unknown), provincial institution
OK = dict(years_in_niche=3, main_business_share_pct=70, two_year_avg_main_growth_pct=5, debt_ratio_pct=70,
          revenue_prev_year_wan=10000, rd_ratio_pct=3, rd_expense_prev_year_wan=300, ip_class="I",
          provincial_rd_institution=1)

GIANT = [
    (OK, ""),
    (dict(OK, years_in_niche=2.99), "specialisation"), (dict(OK, main_business_share_pct=69.99), "specialisation"),
    (dict(OK, two_year_avg_main_growth_pct=4.99), "specialisation"),
    (dict(OK, debt_ratio_pct=70.01), "refinement"),
    # 新, R&D intensity by size: ≥ 1亿 → 3 %; 5000万–1亿 → 6 %; < 5000万 → equity (2 years) ≥ 8000
    (dict(OK, rd_ratio_pct=2.99), "innovation"),
    (dict(OK, revenue_prev_year_wan=9999.99, rd_ratio_pct=5.99), "innovation"),
    (dict(OK, revenue_prev_year_wan=9999.99, rd_ratio_pct=6), ""),
    (dict(OK, revenue_prev_year_wan=5000, rd_ratio_pct=6), ""),
    (dict(OK, revenue_prev_year_wan=4999.99, rd_ratio_pct=20, equity_financing_2y_wan=7999.99), "innovation"),
    (dict(OK, revenue_prev_year_wan=4999.99, rd_ratio_pct=20, equity_financing_2y_wan=8000), ""),
    (dict(OK, ip_class="II"), "innovation"),           # no I-class item at all
    # the direct route overrides a failing general route: award ranked top 3, or 创客中国 top 50
    (dict(OK, ip_class="II", st_award_3y="provincial", st_award_rank=3), ""),
    (dict(OK, ip_class="II", st_award_3y="provincial", st_award_rank=4), "innovation"),
    (dict(OK, ip_class="II", maker_china_rank_3y=50), ""),
    (dict(OK, ip_class="II", maker_china_rank_3y=51), "innovation"),
    (dict(OK, years_in_niche=1, debt_ratio_pct=80, ip_class="none"), "specialisation;refinement;innovation"),
]


@pytest.mark.parametrize("over,failed", GIANT)
def test_giant_dimensions(over, failed):
    out = one(**over)
    assert out["giant_failed"] == failed
    assert out["giant_status"] == ("0" if failed else "unknown")
    assert "chain[I]" in out["giant_unknown"] and "product[I]" in out["giant_unknown"]
    assert "distinctiveness" in out["giant_unknown"]


def test_giant_new_met_by_direct_route_is_neither_failed_nor_unknown():
    out = one(**dict(OK, maker_china_rank_3y=10))
    assert "innovation" not in out["giant_unknown"] and "innovation" not in out["giant_failed"]
    assert "specialisation" not in out["giant_unknown"]


# employees, revenue 万元, class: large/medium/small need EVERY lower bound (≥), micro otherwise
SIZE = [
    (1000, 40000, "large"), (999, 40000, "medium"), (1000, 39999.99, "medium"), (5000, 100000, "large"),
    (300, 2000, "medium"), (299, 2000, "small"), (300, 1999.99, "small"),
    (20, 300, "small"), (19, 300, "micro"), (20, 299.99, "micro"), (0, 0, "micro"),
    ("", 300, ""), (20, "", ""),
]


@pytest.mark.parametrize("emp,rev,cls", SIZE)
def test_size_class(emp, rev, cls):
    assert one(employees=emp, revenue_prev_year_wan=rev)["size_class"] == cls
