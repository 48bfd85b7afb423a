"""The indicator registry: every monitoring indicator's key, names (zh/en), unit, formula, inputs,
convention and price basis (the formulas themselves are computed in :mod:`chainbrain.analytics.formulas`
from the sums of :mod:`chainbrain.analytics.indicators`; the department's form indicators are in
:mod:`chainbrain.analytics.operations_registry`). ``chainbrain indicators`` lists it; docs/monitoring.md
documents every key."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from chainbrain.analytics.formulas import MEASURES

COLUMN = {"revenue": "revenue_ytd", "profit": "profit_ytd", "value_added": "value_added_ytd",
          "export": "export_ytd", "rd_expense": "rd_expense_ytd", "employees": "employees"}
REPORTED_PREV = {"revenue": "revenue_ytd_prev", "profit": "profit_ytd_prev"}
REPORTED_PREV["export"] = "export_ytd_prev"          # 出口交货值 上年同期 (issue 12, migration 0007)
BASES = ("ytd", "month", "quarter")
SEI_PARTIAL_WEIGHT = 0.5
CURRENT_PRICES, CONSTANT_PRICES = "现价 current prices", "可比价 constant prices"
_NAMES = {"revenue": ("营业收入", "Revenue"), "profit": ("利润总额", "Total profit"),
          "value_added": ("工业增加值", "Industrial value added"), "export": ("出口交货值", "Export delivery value"),
          "rd_expense": ("研发费用", "R&D expense"), "employees": ("从业人员", "Employees")}


@dataclass(frozen=True)
class Indicator:
    key: str
    name_zh: str
    name_en: str
    unit: str
    formula: str
    inputs: str
    convention: str
    group: str = "amount"
    #: money and money growth: 现价 (current prices) or 可比价 (constant prices, deflated); "" otherwise
    price_basis: str = ""


def _registry() -> dict[str, Indicator]:
    out: list[Indicator] = [
        Indicator("above_scale_count", "规上企业数", "Above-scale enterprises", "enterprises",
                  "|S_t|: enterprises in scope with a report for the period", "monthly_report", "sample", "count"),
        Indicator("scale_ups", "新增规上企业数", "New above-scale enterprises", "enterprises",
                  "|S_t \\ S_{t-1}|: in this period's sample, in no sample a year earlier", "monthly_report",
                  "sample", "count"),
        Indicator("exits", "退出规上企业数", "Enterprises leaving the sample", "enterprises",
                  "|S_{t-1} \\ S_t|: in last year's sample (in scope then), in no sample now", "monthly_report",
                  "sample", "count"),
        Indicator("loss_making_count", "亏损企业数", "Loss-making enterprises", "enterprises",
                  "#{profit_ytd < 0}", "monthly_report.profit_ytd", "ytd", "count"),
        Indicator("loss_share", "亏损面", "Share of loss-making enterprises", "fraction",
                  "#{profit_ytd < 0} / #{profit_ytd reported}", "monthly_report.profit_ytd", "ytd", "count"),
        Indicator("loss_share_prev", "上年同期亏损面", "Share of loss-making enterprises a year earlier", "fraction",
                  "loss_share of last year's sample", "monthly_report.profit_ytd", "ytd", "count"),
    ]
    for m in MEASURES:
        zh, en = _NAMES[m]
        unit = "persons" if m == "employees" else "yuan"
        conv = "stock at period end" if m == "employees" else "flow on the chosen basis (ytd|month|quarter)"
        src = f"monthly_report.{COLUMN[m]}" + (f", {REPORTED_PREV[m]}" if m in REPORTED_PREV else "")
        pb = "" if m == "employees" else CURRENT_PRICES
        cur = "" if m == "employees" else "，现价"
        cur_en = "" if m == "employees" else ", current prices"
        out += [
            Indicator(m, zh, en, unit, f"Σ {m} over the current sample", src, conv, price_basis=pb),
            Indicator(f"{m}_prev", f"{zh}(上年同期样本)", f"{en}, last year's sample", unit,
                      f"Σ {m} over last year's sample", src, "naive (总量口径)", price_basis=pb),
            Indicator(f"{m}_yoy", f"{zh}同比增速(可比口径{cur})", f"{en} YoY, comparable basis{cur_en}", "fraction",
                      "Σ_C current / Σ_C prior − 1 (C: current sample with a prior value)", src, "comparable (可比口径)",
                      "growth", pb),
            Indicator(f"{m}_yoy_naive", f"{zh}同比增速(总量口径{cur})", f"{en} YoY, naive basis{cur_en}", "fraction",
                      f"{m} / {m}_prev − 1", src, "naive (总量口径)", "growth", pb),
        ]
    out.append(Indicator(
        "value_added_yoy_real", "工业增加值同比增速(可比口径，可比价)",
        "Industrial value added YoY, comparable basis, constant prices", "fraction",
        "Σ_C VA_e(t) / (PPI_d(e) / 100) / Σ_C VA_e(t−1) − 1 (each enterprise deflated by its division's "
        "PPI, YTD, previous year = 100); None unless every enterprise of C has its division's PPI",
        "monthly_report.value_added_ytd, price_index.ppi_ytd", "comparable (可比口径), ytd basis only", "growth",
        CONSTANT_PRICES))
    for m in ("revenue", "value_added"):
        zh, en = _NAMES[m]
        out += [
            Indicator(f"{m}_contribution", f"{zh}增长贡献率", f"Contribution to {en.lower()} growth", "fraction",
                      "ΔC_g / ΔC_parent (comparable increments)", f"monthly_report.{COLUMN[m]}", "comparable",
                      "contribution"),
            Indicator(f"{m}_pull", f"{zh}拉动增长(百分点)", f"Pull on {en.lower()} growth", "pp",
                      "ΔC_g / Σ_C prior_parent × 100", f"monthly_report.{COLUMN[m]}", "comparable", "contribution"),
        ]
    out += [
        Indicator("share_of_province", "占全省比重(营业收入)", "Share of the province (revenue)", "fraction",
                  "revenue_g / revenue_province", "monthly_report.revenue_ytd", "current samples", "share"),
        Indicator("share_of_province_prev", "上年同期占全省比重", "Share of the province a year earlier", "fraction",
                  "revenue_prev_g / revenue_prev_province", "monthly_report.revenue_ytd", "last year's samples",
                  "share"),
        Indicator("share_of_chain", "占全省本链比重(营业收入)", "Share of the province's chain (revenue)", "fraction",
                  "revenue_g / revenue_chain_province (keys with a chain)", "monthly_report.revenue_ytd",
                  "current samples", "share"),
        Indicator("share_of_chain_prev", "上年同期占全省本链比重", "Share of the province's chain a year earlier",
                  "fraction", "revenue_prev_g / revenue_prev_chain_province", "monthly_report.revenue_ytd",
                  "last year's samples", "share"),
        Indicator("sei_va_share", "战略性新兴产业增加值占比", "SEI share of value added", "fraction",
                  "(VA_true + Σ s·VA_s + w·VA_partial) / VA, w = 0.5",
                  "monthly_report.value_added_ytd, industry.sei, sei_share",
                  "SEI classes: true fully, partial at the loaded share s, else with weight w", "share"),
        Indicator("sei_va_share_low", "战略性新兴产业增加值占比(下限)", "SEI share of value added, lower bound",
                  "fraction", "(VA_true + Σ s·VA_s) / VA", "monthly_report.value_added_ytd, industry.sei, sei_share",
                  "partial classes without a loaded share excluded", "share"),
        Indicator("sei_va_share_high", "战略性新兴产业增加值占比(上限)", "SEI share of value added, upper bound",
                  "fraction", "(VA_true + Σ s·VA_s + VA_partial) / VA",
                  "monthly_report.value_added_ytd, industry.sei, sei_share",
                  "partial classes without a loaded share included fully", "share"),
        Indicator("sei_partial_count", "战略性新兴产业部分行业企业数", "Enterprises in partly-SEI classes",
                  "enterprises", "#{current sample in classes flagged partial}", "industry.sei",
                  "sample", "count"),
        Indicator("rd_intensity", "研发投入强度", "R&D intensity", "fraction",
                  "Σ rd_expense / Σ revenue (rd reporters)", "monthly_report.rd_expense_ytd, revenue_ytd", "ytd",
                  "share"),
        Indicator("export_share", "出口交货值占营业收入比重", "Export share of revenue", "fraction",
                  "Σ export / Σ revenue (export reporters)", "monthly_report.export_ytd, revenue_ytd", "ytd",
                  "share"),
    ]
    return {i.key: i for i in out}


REGISTRY: dict[str, Indicator] = _registry()


def list_indicators() -> list[dict]:
    """The registry as records (for ``chainbrain indicators``), then the department's indicator set
    (:mod:`chainbrain.analytics.operations_registry`)."""
    from chainbrain.analytics.operations_registry import OPERATIONS_REGISTRY
    return [asdict(i) for i in REGISTRY.values()] + [asdict(i) for i in OPERATIONS_REGISTRY.values()]
