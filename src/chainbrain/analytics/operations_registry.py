"""Registry of the department's indicator set (运行分析): key, names, unit, formula (docs/monitoring.md lists them).

Computed by :mod:`chainbrain.analytics.operations` (per scope and grouping,
YTD) and :mod:`chainbrain.analytics.breakdowns` (增长面, structure, rankings).
``chainbrain indicators`` lists them after the core registry of
:mod:`chainbrain.analytics.registry`.
"""

from __future__ import annotations

from chainbrain.analytics.registry import Indicator

_MR = "monthly_report"
_AMOUNTS = {
    "gross_output": ("工业总产值", "Gross industrial output value", "yuan", "gross_output_ytd"),
    "sales_output": ("工业销售产值", "Industrial sales output value", "yuan", "sales_output_ytd"),
    "main_business_revenue": ("主营业务收入", "Main-business revenue", "yuan", "main_business_revenue_ytd"),
    "cost": ("营业成本", "Operating cost", "yuan", "cost_ytd"),
    "assets": ("资产总计", "Total assets", "yuan", "assets"),
    "liabilities": ("负债合计", "Total liabilities", "yuan", "liabilities"),
    "receivables": ("应收账款", "Accounts receivable", "yuan", "receivables"),
    "finished_goods": ("产成品存货", "Finished-goods inventory", "yuan", "finished_goods"),
    "employees_avg": ("从业人员平均人数", "Average number of employees", "persons", "employees_avg"),
}
_RATIOS = {
    "sales_rate": ("产销率", "Sales-to-output ratio", "fraction", "Σ sales_output / Σ gross_output"),
    "cost_per_100": ("每百元营业收入中的成本", "Cost per 100 yuan of revenue", "yuan",
                     "100 · Σ cost / Σ revenue"),
    "profit_margin": ("营业收入利润率", "Profit margin on revenue", "fraction", "Σ profit / Σ revenue"),
    "debt_ratio": ("资产负债率", "Debt-to-asset ratio", "fraction", "Σ liabilities / Σ assets"),
}


def _build() -> dict[str, Indicator]:
    out: list[Indicator] = []
    for k, (zh, en, unit, col) in _AMOUNTS.items():
        stock = unit == "persons" or col in ("assets", "liabilities", "receivables", "finished_goods")
        conv = "period-end stock" if stock and unit == "yuan" else ("average over 1–M" if unit == "persons"
                                                                      else "flow, 1–M月累计")
        src = f"{_MR}.{col}, {col}_prev"
        out += [
            Indicator(k, zh, en, unit, f"Σ {k} over the current sample S_t", src, conv, "operations"),
            Indicator(f"{k}_base", f"{zh}(上年同期)", f"{en}, same period last year", unit,
                      "Σ_C prior (C: current sample with a prior; prior = the form's 上年同期 else own report "
                      "a year earlier)", src, "comparable (可比口径)", "operations"),
            Indicator(f"{k}_yoy", f"{zh}同比增速", f"{en} YoY", "fraction", f"Σ_C {k} / Σ_C prior − 1", src,
                      "comparable (可比口径)", "growth"),
        ]
    for k, (zh, en, unit, formula) in _RATIOS.items():
        out += [
            Indicator(k, zh, en, unit, f"{formula} (enterprises reporting both)", _MR, "ytd", "ratio"),
            Indicator(f"{k}_base", f"{zh}(上年同期)", f"{en}, same period last year", unit,
                      f"{formula} of the priors (enterprises with both priors)", _MR, "comparable", "ratio"),
            Indicator(f"{k}_change", f"{zh}同比变化", f"{en}, change on a year earlier",
                      "yuan" if unit == "yuan" else "fraction (pp ÷ 100)", f"{k} − {k}_base", _MR, "comparable",
                      "ratio"),
        ]
    out += [
        Indicator("loss_amount", "亏损企业亏损额", "Losses of loss-making enterprises", "yuan",
                  "Σ_{profit<0} −profit over S_t (n = loss-making firms)", f"{_MR}.profit_ytd", "ytd",
                  "operations"),
        Indicator("loss_amount_base", "亏损企业亏损额(上年同期)", "Losses of loss-making enterprises, last year",
                  "yuan", "Σ_C max(−prior profit, 0)", f"{_MR}.profit_ytd, profit_ytd_prev", "comparable",
                  "operations"),
        Indicator("loss_amount_yoy", "亏损企业亏损额增速", "Losses of loss-making enterprises, YoY", "fraction",
                  "Σ_C max(−profit, 0) / Σ_C max(−prior, 0) − 1 (n = the smaller loss-making count)",
                  f"{_MR}.profit_ytd, profit_ytd_prev", "comparable", "growth"),
    ]
    for k, zh, en, stock, flow in (("receivable_days", "应收账款平均回收期", "Average collection period",
                                    "receivables", "revenue"),
                                   ("finished_goods_days", "产成品存货周转天数", "Finished-goods turnover days",
                                    "finished_goods", "cost")):
        f = f"Σ ({stock}_open + {stock}_end)/2 ÷ Σ {flow} × D (open = own December report of Y−1; D = days 1 Jan–period end)"
        out += [
            Indicator(k, zh, en, "days", f, f"{_MR}.{stock}, {flow}", "ytd", "turnover"),
            Indicator(f"{k}_prev", f"{zh}(上年同期)", f"{en}, a year earlier", "days",
                      "the same over last year's sample (open = December two years back)",
                      f"{_MR}.{stock}, {flow}", "naive (上年样本)", "turnover"),
            Indicator(f"{k}_change", f"{zh}同比增减", f"{en}, change", "days", f"{k} − {k}_prev",
                      f"{_MR}.{stock}, {flow}", "naive", "turnover"),
        ]
    out += [
        Indicator("power", "工业用电量", "Industrial electricity", "kWh",
                  "Σ kWh of months 1..M over S_t (enterprises with every month)", "power_use.kwh", "ytd",
                  "energy"),
        Indicator("power_base", "工业用电量(上年同期)", "Industrial electricity, last year", "kWh",
                  "Σ_C kWh of months 1..M a year earlier (both years complete)", "power_use.kwh", "comparable",
                  "energy"),
        Indicator("power_yoy", "工业用电量增速", "Industrial electricity YoY", "fraction",
                  "Σ_C kWh / Σ_C prior kWh − 1", "power_use.kwh", "comparable", "energy"),
        Indicator("energy_per_va", "单位工业增加值用电量", "Electricity per unit of value added", "kWh/万元",
                  "Σ kWh / Σ value_added × 10⁴ (enterprises with both)", "power_use.kwh, monthly_report.value_added_ytd",
                  "ytd", "energy"),
        Indicator("growth_breadth", "增长面(行业大类)", "Share of divisions growing", "fraction",
                  "#{divisions with value_added_yoy > 0} / #{divisions with value_added_yoy from ≥ 3 firms}",
                  "by=division", "comparable; 41 divisions of GB/T 4754-2017", "breakdown"),
        Indicator("hightech_va_share", "高技术制造业增加值占比", "High-tech manufacturing share of value added",
                  "fraction", "VA_hightech / VA", "industry.hightech", "ytd", "breakdown"),
        Indicator("hightech_va_yoy", "高技术制造业增加值增速", "High-tech manufacturing value added YoY", "fraction",
                  "comparable value_added_yoy of the high-tech group", "industry.hightech", "comparable", "breakdown"),
        Indicator("hightech_revenue_yoy", "高技术制造业营业收入增速", "High-tech manufacturing revenue YoY",
                  "fraction", "comparable revenue_yoy of the high-tech group", "industry.hightech", "comparable",
                  "breakdown"),
        Indicator("equipment_va_share", "装备制造业增加值占比", "Equipment manufacturing share of value added",
                  "fraction", "VA_equipment / VA (divisions 33–40)", "pack classifications.toml", "ytd",
                  "breakdown"),
        Indicator("equipment_va_yoy", "装备制造业增加值增速", "Equipment manufacturing value added YoY", "fraction",
                  "comparable value_added_yoy of divisions 33–40", "pack classifications.toml", "comparable",
                  "breakdown"),
        Indicator("equipment_revenue_yoy", "装备制造业营业收入增速", "Equipment manufacturing revenue YoY",
                  "fraction", "comparable revenue_yoy of divisions 33–40", "pack classifications.toml",
                  "comparable", "breakdown"),
        Indicator("rank", "可比增速排名", "Rank by comparable growth", "rank",
                  "competition rank of value_added_yoy (or revenue_yoy) among cities / counties, descending",
                  "indicators.evaluate_many", "comparable", "breakdown"),
    ]
    return {i.key: i for i in out}


OPERATIONS_REGISTRY: dict[str, Indicator] = _build()
