"""Hand-made firms for the SME tier tests: a base firm that scores 0 on every banded indicator.

Base (hand-worked): 创新型 IP none 0, R&D 0.5 % → 0, growth −1 % → 0, debt 80 % → 0,
not 战略性新兴 → 5, main share 40 % → 0: total 5 (innovation 0, growth 0, specialisation 5).
专精特新 known score 0 (share 40 → 0, 2-year growth −1 → 0, 1 year → 0, field none, digital 1 → 0,
no quality item, margin 1 % → 0, debt 80 → 0, IP none, R&D 5 万元 and 0.5 % → 0); score max 30
(特色化 15 + [I] R&D staff 5 + [I] R&D institution 10).  Gates: G1 fails (1 year), G2 fails,
G3 met (revenue 1000), G4 fails (0 + 30 < 60).
"""

from __future__ import annotations

import pandas as pd

from chainbrain.analytics.cultivate_assess import assess
from chainbrain.ingest.cultivate_csv import NAMES, parse

BASE = {
    "case_id": "X", "employees": "50", "revenue_prev_year_wan": "1000", "revenue_growth_prev_year_pct": "-1",
    "debt_ratio_pct": "80", "rd_expense_prev_year_wan": "5", "rd_ratio_pct": "0.5", "rd_expense_2y_avg_wan": "5",
    "main_business_share_pct": "40", "ip_class": "none", "sei_field": "0", "years_in_niche": "1",
    "equity_financing_2y_wan": "0", "equity_financing_3y_wan": "0", "has_hightech_cert": "0",
    "st_award_3y": "none", "st_award_rank": "", "provincial_rd_institution": "0", "maker_china_rank_3y": "",
    "net_margin_pct": "1", "digital_level": "1", "quality_items": "0", "two_year_avg_main_growth_pct": "-1",
    "field_contribution": "none",
}

# the what-if: revenue 3500 万元, R&D 70 万元 (2 %), IP II → innovation 15; +35 万元 reaches 3 %
WHATIF = dict(revenue_prev_year_wan=3500, rd_expense_prev_year_wan=70, rd_ratio_pct="", ip_class="II",
              revenue_growth_prev_year_pct=10, sei_field=1, main_business_share_pct=70)


def firm(**over) -> dict:
    row = dict(BASE)
    row.update({k: str(v) for k, v in over.items()})
    return row


def frame(rows: list[dict]) -> pd.DataFrame:
    rows = [dict(r, case_id=r.get("case_id") if r.get("case_id", "X") != "X" else f"C{i}")
            for i, r in enumerate(rows)]
    return pd.DataFrame(rows, columns=NAMES)


def run(*rows: dict) -> pd.DataFrame:
    """The assessment of hand-made rows (text cells, as in a CSV)."""
    return assess(parse(frame(list(rows))))


def one(**over) -> dict:
    return run(firm(**over)).iloc[0].to_dict()
