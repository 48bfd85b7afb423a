"""Fields of each import kind and header matching (English key, Chinese name, synonyms).

A header matches a field when, after normalisation (trim, full-width → half-width,
drop spaces/underscores, lower-case, drop a trailing unit such as ``(千元)``), it
equals the field's English key, its Chinese name or one of its synonyms. A header
row may be followed by an English key row (the templates have both); that row is
recognised and skipped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from chainbrain.catalog import designations as _des
from chainbrain.ingest.units import header_unit, strip_header_unit


@dataclass(frozen=True)
class Field:
    key: str
    zh: str
    kind: str                      # uscc|text|region|industry|date|int|money|number|period|year|enum|province|segment
    required: bool = False         # the column must be present
    synonyms: tuple[str, ...] = ()
    nonneg: bool = False           # negative values are impossible
    doc_zh: str = ""
    doc_en: str = ""
    not_null: bool = False         # a present column must have a value in every row


def F(key, zh, kind, required=False, syn=(), nonneg=False, zh_doc="", en_doc="", not_null=None):
    return Field(key, zh, kind, required, tuple(syn), nonneg, zh_doc, en_doc,
                 required if not_null is None else not_null)


USCC_SYN = ("信用代码", "社会信用代码", "统一代码", "统一社会信用代码证号", "企业信用代码", "credit_code", "usc_code")
UNIT = F("unit", "计量单位", "unit", syn=("单位", "金额单位", "货币单位"),
         zh_doc="金额单位：元/千元/万元/亿元（也可用 --unit 指定）", en_doc="money unit: 元/千元/万元/亿元 (or --unit)")

# The bureau's financial and production form fields (issue 12; store.schema_operations). 主营业务收入 and
# 从业人员平均人数 are fields of their own: they are never read as 营业收入 or the period-end headcount.
_YTD = ("本年累计", "累计", "1-本月")
MONTHLY_FORM_FIELDS = [
    F("gross_output_ytd", "工业总产值(本年累计)", "money", syn=("工业总产值", "工业总产值当年价格", *(f"工业总产值{s}" for s in _YTD)),
      nonneg=True, zh_doc="当年价格", en_doc="gross industrial output value, current prices"),
    F("gross_output_ytd_prev", "工业总产值(上年同期)", "money", syn=("工业总产值上年同期", "上年同期工业总产值"), nonneg=True),
    F("sales_output_ytd", "工业销售产值(本年累计)", "money", syn=("工业销售产值", *(f"工业销售产值{s}" for s in _YTD)),
      nonneg=True, zh_doc="当年价格", en_doc="industrial sales output value, current prices"),
    F("sales_output_ytd_prev", "工业销售产值(上年同期)", "money", syn=("工业销售产值上年同期", "上年同期工业销售产值"), nonneg=True),
    F("main_business_revenue_ytd", "主营业务收入(本年累计)", "money",
      syn=("主营业务收入", *(f"主营业务收入{s}" for s in _YTD)), nonneg=True,
      zh_doc="单独字段，不作为营业收入", en_doc="a field of its own, never taken as revenue"),
    F("main_business_revenue_ytd_prev", "主营业务收入(上年同期)", "money", syn=("主营业务收入上年同期", "上年同期主营业务收入"),
      nonneg=True),
    F("cost_ytd", "营业成本(本年累计)", "money", syn=("营业成本", *(f"营业成本{s}" for s in _YTD)), nonneg=True),
    F("cost_ytd_prev", "营业成本(上年同期)", "money", syn=("营业成本上年同期", "上年同期营业成本"), nonneg=True),
    F("export_ytd_prev", "出口交货值(上年同期)", "money", syn=("出口交货值上年同期", "上年同期出口交货值"), nonneg=True),
    F("assets", "资产总计(期末)", "money", syn=("资产总计", "资产合计", "资产总额", "资产总计期末"), nonneg=True,
      zh_doc="期末余额", en_doc="balance at the period end"),
    F("assets_prev", "资产总计(上年同期末)", "money", syn=("资产总计上年同期", "上年同期资产总计", "资产总计上年同期末"), nonneg=True),
    F("liabilities", "负债合计(期末)", "money", syn=("负债合计", "负债总计", "负债总额", "负债合计期末"), nonneg=True),
    F("liabilities_prev", "负债合计(上年同期末)", "money", syn=("负债合计上年同期", "上年同期负债合计", "负债合计上年同期末"),
      nonneg=True),
    F("receivables", "应收账款(期末)", "money", syn=("应收账款", "应收账款期末", "应收账款净额"), nonneg=True),
    F("receivables_prev", "应收账款(上年同期末)", "money", syn=("应收账款上年同期", "上年同期应收账款", "应收账款上年同期末"),
      nonneg=True),
    F("finished_goods", "产成品存货(期末)", "money", syn=("产成品存货", "产成品", "产成品期末", "存货中产成品"), nonneg=True),
    F("finished_goods_prev", "产成品存货(上年同期末)", "money",
      syn=("产成品存货上年同期", "上年同期产成品存货", "产成品上年同期", "产成品存货上年同期末"), nonneg=True),
    F("employees_avg", "从业人员平均人数", "int", syn=("平均从业人员", "从业人员平均数", "平均用工人数"), nonneg=True,
      zh_doc="1–本月平均人数，不是期末人数", en_doc="average over the months of the year, not the period-end headcount"),
    F("employees_avg_prev", "从业人员平均人数(上年同期)", "int", syn=("从业人员平均人数上年同期", "上年同期从业人员平均人数"),
      nonneg=True),
]
ANNUAL_FORM_FIELDS = [
    F("main_business_revenue", "主营业务收入", "money", syn=("主营业务收入全年", "全年主营业务收入"), nonneg=True,
      zh_doc="单独字段，不作为营业收入", en_doc="a field of its own, never taken as revenue"),
    F("employees_avg", "从业人员平均人数", "int", syn=("平均从业人员", "从业人员平均数"), nonneg=True),
]

KINDS: dict[str, list[Field]] = {
    "enterprises": [
        F("uscc", "统一社会信用代码", "uscc", True, USCC_SYN, zh_doc="18位，GB 32100-2015 校验", en_doc="18 chars, GB 32100-2015 check"),
        F("name", "企业名称", "text", True, ("单位名称", "名称", "单位详细名称", "企业全称")),
        F("region_code", "行政区划代码", "region", True, ("区划代码", "所在地区代码", "地区代码", "区县代码", "所在区县"),
          zh_doc="GB/T 2260 县级代码或名称；已撤销代码自动换为新代码", en_doc="GB/T 2260 county code or name; retired codes map to successors"),
        F("industry_code", "行业代码", "industry", True, ("国民经济行业代码", "行业小类代码", "行业类别代码", "国民经济行业分类代码"),
          zh_doc="GB/T 4754-2017 四位小类代码", en_doc="GB/T 4754-2017 4-digit class"),
        F("founded_on", "成立日期", "date", True, ("开业日期", "注册日期", "成立时间"), not_null=False,
          zh_doc="YYYY-MM-DD", en_doc="YYYY-MM-DD"),
        F("employees", "从业人员", "int", True, ("从业人员期末人数", "从业人数", "职工人数", "员工人数"), nonneg=True, not_null=False),
        F("main_products", "主要产品", "text", syn=("主要产品名称", "主营产品", "产品"),
          zh_doc="用于产业链环节匹配", en_doc="used for chain-segment mapping"),
        F("business_scope", "经营范围", "text"),
        F("park_code", "园区代码", "text", syn=("所在园区代码",)),
        F("parent_group", "所属集团", "text", syn=("集团名称",)),
    ],
    "monthly": [
        F("uscc", "统一社会信用代码", "uscc", True, USCC_SYN),
        F("period", "报告期", "period", True, ("期别", "统计期", "年月", "报告期别"),
          zh_doc="YYYY-MM（1–N月累计，1–2月合并为 YYYY-02）、YYYY-Qn 或 YYYY", en_doc="YYYY-MM (YTD; Jan–Feb is YYYY-02), YYYY-Qn or YYYY"),
        F("revenue_ytd", "营业收入(本年累计)", "money", True, ("营业收入", "营业收入本年累计", "营业收入累计"), nonneg=True),
        F("profit_ytd", "利润总额(本年累计)", "money", True, ("利润总额", "利润总额本年累计", "利润总额累计"), not_null=False),
        F("revenue_ytd_prev", "营业收入(上年同期)", "money", syn=("营业收入上年同期", "上年同期营业收入"), nonneg=True),
        F("profit_ytd_prev", "利润总额(上年同期)", "money", syn=("利润总额上年同期", "上年同期利润总额")),
        F("value_added_ytd", "工业增加值(本年累计)", "money", syn=("工业增加值", "增加值"), nonneg=True),
        F("export_ytd", "出口交货值(本年累计)", "money", syn=("出口交货值",), nonneg=True),
        F("rd_expense_ytd", "研发费用(本年累计)", "money", syn=("研发费用", "研究开发费用"), nonneg=True),
        F("employees", "从业人员", "int", syn=("从业人员期末人数", "从业人数"), nonneg=True),
        *MONTHLY_FORM_FIELDS,
        UNIT,
    ],
    "annual": [
        F("uscc", "统一社会信用代码", "uscc", True, USCC_SYN),
        F("year", "年度", "year", True, ("年份", "报告年度")),
        F("revenue", "营业收入", "money", True, ("营业收入全年", "全年营业收入"), nonneg=True),
        F("profit", "利润总额", "money", True, ("利润",), not_null=False),
        F("employees", "从业人员", "int", True, ("从业人员期末人数", "从业人数"), nonneg=True, not_null=False),
        F("value_added", "工业增加值", "money", syn=("增加值",), nonneg=True),
        F("export_value", "出口交货值", "money", nonneg=True),
        F("rd_expense", "研发费用", "money", syn=("研究开发费用",), nonneg=True),
        F("energy_tce", "综合能源消费量(吨标准煤)", "number", syn=("综合能耗", "能源消费量"), nonneg=True),
        *ANNUAL_FORM_FIELDS,
        UNIT,
    ],
    "supply": [
        F("supplier_uscc", "供方统一社会信用代码", "uscc", True, ("供应商信用代码", "销方统一社会信用代码", "销方纳税人识别号", "供方信用代码"), not_null=False),
        F("buyer_uscc", "需方统一社会信用代码", "uscc", True, ("采购方信用代码", "购方统一社会信用代码", "购方纳税人识别号", "需方信用代码"), not_null=False),
        F("year", "年度", "year", True, ("年份",)),
        F("amount", "交易金额", "money", True, ("金额", "开票金额", "采购金额", "价税合计"), nonneg=True),
        F("supplier_name", "供方名称", "text", syn=("销方名称", "供应商名称")),
        F("supplier_province", "供方所在省份", "province", syn=("销方省份", "供应商省份")),
        F("buyer_name", "需方名称", "text", syn=("购方名称", "采购方名称")),
        F("buyer_province", "需方所在省份", "province", syn=("购方省份", "采购方省份")),
        F("month", "月份", "int", syn=("月", "所属月份", "开票月份"), nonneg=True,
          zh_doc="1–12：该行为当月金额（非累计）；空：全年金额", en_doc="1–12: the month's amount (not YTD); empty: the year's"),
        UNIT,
    ],
    "designations": [
        F("uscc", "统一社会信用代码", "uscc", True, USCC_SYN),
        F("kind", "认定类型", "enum", True, ("称号", "认定类别", "类型")),
        F("level", "认定级别", "enum", True, ("级别", "层级")),
        F("valid_from", "认定日期", "date", True, ("有效期起", "起始日期", "认定时间")),
        F("valid_to", "有效期至", "date", True, ("有效期止", "截止日期", "到期日期"), not_null=False,
          zh_doc="最后有效日（含当日），YYYY-MM-DD；空：长期有效", en_doc="last valid day (inclusive), YYYY-MM-DD; empty: no end"),
        F("chain_code", "产业链代码", "text", syn=("所属产业链",)),
    ],
    "external": [
        F("name", "企业名称", "text", True, ("单位名称", "名称", "企业全称")),
        F("province", "所在省份", "province", True, ("省份", "省", "所在省"),
          zh_doc="省外企业所在省份（名称或代码），不能是本省", en_doc="province (name or code) outside the pack's province"),
        F("uscc", "统一社会信用代码", "uscc", False, USCC_SYN, not_null=False, zh_doc="可空", en_doc="optional"),
        F("city", "所在城市", "text", syn=("城市", "地市", "所在地市", "市")),
        F("industry_code", "行业代码", "industry", syn=("国民经济行业代码", "行业小类代码", "行业类别代码")),
        F("main_products", "主要产品", "text", syn=("主要产品名称", "主营产品", "产品")),
        F("revenue", "营业收入", "money", syn=("主营业务收入", "年营业收入"), nonneg=True,
          zh_doc="须同时填写年度与计量单位", en_doc="needs year and a unit"),
        F("year", "年度", "year", syn=("年份", "收入年度")),
        F("segment", "产业链环节", "segment", syn=("环节", "环节代码", "所属环节"),
          zh_doc="可空；环节代码或名称，作为人工指定保存", en_doc="optional; segment code or name, kept as a manual assignment"),
        UNIT,
    ],
    "power": [
        F("uscc", "统一社会信用代码", "uscc", True, USCC_SYN),
        F("period", "月份", "period", True, ("报告期", "用电月份", "年月", "抄表月份"),
          zh_doc="YYYY-MM，当月用电（1月、2月分开报）", en_doc="YYYY-MM, the month's consumption (January and February apart)"),
        F("kwh", "工业用电量(千瓦时)", "number", True, ("工业用电量", "用电量", "当月用电量", "月用电量"), nonneg=True,
          zh_doc="当月用电量，千瓦时（kWh）", en_doc="the month's electricity, kWh"),
    ],
    "digital": [  # digital-maturity assessments (issue #16, chainbrain.ingest.digital)
        F("uscc", "统一社会信用代码", "uscc", True, USCC_SYN),
        F("scheme", "评测体系", "text", True, ("评测标准", "评估体系", "体系"),
          zh_doc="miit_sme_2022 / miit_sme_2024（中小企业数字化水平评测）或 gbt39116（智能制造能力成熟度）",
          en_doc="miit_sme_2022 | miit_sme_2024 (MIIT SME digital level) | gbt39116 (smart-manufacturing maturity)"),
        F("level", "等级", "int", True, ("评测等级", "数字化水平等级", "成熟度等级", "级别"),
          zh_doc="整数：中小企业数字化水平 1–4，智能制造成熟度 1–5", en_doc="integer: 1–4 (MIIT SME), 1–5 (GB/T 39116)"),
        F("assessed_on", "评测日期", "date", True, ("评估日期", "评定日期", "诊断日期"), zh_doc="YYYY-MM-DD"),
        F("score", "总分", "number", syn=("得分", "评测得分"), nonneg=True,
          zh_doc="可空；2022年版按分数定级时须与等级一致", en_doc="optional; must give the level under the 2022 bands"),
        F("source", "来源", "text", syn=("评测来源", "数据来源"),
          zh_doc="自评 / 第三方（默认第三方）", en_doc="self | third_party (default third_party)"),
    ],
    "digital-scenarios": [  # 一链一场景: scenario adoptions (issue #16, chainbrain.ingest.digital_scenarios)
        F("uscc", "统一社会信用代码", "uscc", True, USCC_SYN),
        F("chain_code", "产业链代码", "text", True, ("所属产业链", "产业链"), zh_doc="如 EI", en_doc="e.g. EI"),
        F("scenario", "场景名称", "text", True, ("转型场景", "应用场景", "场景")),
        F("adopted_on", "应用日期", "date", True, ("上线日期", "实施日期", "验收日期"), zh_doc="YYYY-MM-DD"),
        F("provider", "服务商", "text", syn=("数字化服务商", "服务商名称", "实施单位")),
        F("provider_uscc", "服务商统一社会信用代码", "uscc", syn=("服务商信用代码", "实施单位统一社会信用代码"),
          not_null=False, zh_doc="可空；须为服务商名录中的服务商", en_doc="optional; a provider of the register"),
        F("rating", "企业评价", "int", syn=("评价", "满意度评价", "企业满意度"),
          zh_doc="可空；整数 1–5（数据包 [provider] 分值）", en_doc="optional; integer 1–5 (the pack's [provider] scale)"),
    ],
    "digital-providers": [  # 智改数转 service-provider register (issue #16, chainbrain.ingest.digital_providers)
        F("uscc", "统一社会信用代码", "uscc", True, USCC_SYN, zh_doc="服务商的统一社会信用代码", en_doc="the provider's USCC"),
        F("name", "服务商名称", "text", True, ("名称", "单位名称", "企业名称")),
        F("chains", "服务产业链", "text", syn=("产业链", "服务行业", "产业链代码"),
          zh_doc="产业链代码或名称，多个用；或、分隔", en_doc="chain codes or names, separated by ; or 、"),
        F("scenarios", "服务场景", "text", syn=("转型场景", "服务领域", "解决方案"),
          zh_doc="场景名称，多个用；或、分隔", en_doc="scenario names, separated by ; or 、"),
        F("region", "所在地区", "region", syn=("所在地", "注册地", "地区", "区县")),
        F("listed_on", "入库日期", "date", syn=("入选日期", "认定日期", "入库时间"), zh_doc="YYYY-MM-DD"),
    ],
    "registry": [
        F("name", "企业名称", "text", True, ("单位名称", "名称")),
        F("uscc", "统一社会信用代码", "text", True, USCC_SYN, not_null=False),
        F("founded_on", "注册日期", "date", syn=("成立日期", "开业日期")),
        F("entity_type", "企业类型", "text", syn=("企业类型(公司类型)", "公司类型")),
        F("legal_rep", "法人代表", "text", syn=("法定代表人",)),
        F("capital", "注册资金", "text", syn=("注册资本",)),
        F("business_scope", "经营范围", "text"),
        F("province", "所在省份", "text", syn=("省份",)),
        F("city", "地区", "text", syn=("所在城市", "城市", "所在地区")),
        F("address", "注册地址", "text", syn=("地址", "住所")),
        # entity resolution (#19, ingest/resolve.py): optional columns of newer exports
        F("status", "登记状态", "text", syn=("经营状态", "企业状态", "登记状态(经营状态)")),
        F("status_date", "状态日期", "date", syn=("注销日期", "吊销日期", "迁出日期", "状态变更日期")),
        F("former_names", "曾用名", "text", syn=("曾用名称", "历史名称")),
        F("parent_uscc", "总公司统一社会信用代码", "text", syn=("隶属企业统一社会信用代码", "上级单位统一社会信用代码")),
        F("parent_name", "总公司名称", "text", syn=("隶属企业", "隶属企业名称", "上级单位名称")),
    ],
    "sei-shares": [
        F("industry_code", "行业代码", "industry", True, ("国民经济行业代码", "行业小类代码", "行业类别代码"),
          zh_doc="GB/T 4754-2017 四位小类代码（战略性新兴产业目录中部分属于的行业）",
          en_doc="GB/T 4754-2017 4-digit class flagged partial in the SEI catalogue"),
        F("year", "年度", "year", True, ("年份",)),
        F("share", "战略性新兴产业增加值占比", "number", True, ("战新占比", "战略性新兴产业占比", "占比", "比重"),
          nonneg=True, zh_doc="该行业增加值中战略性新兴产品的比重，小数 0–1（如 0.35）",
          en_doc="SEI products' share of the class's value added, a fraction 0–1 (e.g. 0.35)"),
    ],
    "deflators": [
        F("division", "行业大类代码", "text", True, ("行业大类", "大类代码", "行业代码"),
          zh_doc="GB/T 4754-2017 两位行业大类代码（如 39）", en_doc="GB/T 4754-2017 2-digit division (e.g. 39)"),
        F("period", "报告期", "period", True, ("期别", "统计期", "年月"),
          zh_doc="YYYY-MM（1–N月累计）、YYYY-Qn、YYYY 或 2024年1-2月", en_doc="YYYY-MM (YTD), YYYY-Qn, YYYY or 2024年1-2月"),
        F("ppi_ytd", "工业生产者出厂价格指数(累计,上年同期=100)", "number", True,
          ("工业生产者出厂价格指数", "出厂价格指数", "PPI", "ppi", "价格指数"),
          zh_doc="1–N月累计，上年同期=100（如 98.7）", en_doc="year to date, previous year = 100 (e.g. 98.7)"),
    ],
    # the task list offices keep (项目化清单式; chainbrain.ingest.work_tasks, not a statistical import kind)
    "tasks": [
        F("seq", "序号", "text", syn=("编号", "任务编号", "no")),
        F("title", "工作任务", "text", True, ("任务名称", "重点任务", "工作事项", "任务内容", "工作要点")),
        F("lead_unit", "责任单位", "text", True, ("牵头单位", "主责单位", "责任部门")),
        F("lead_person", "责任人", "text", syn=("联系人", "负责人")),
        F("coop_units", "配合单位", "text", syn=("协同单位", "配合部门"), zh_doc="多个单位用顿号分隔",
          en_doc="several units separated by 、"),
        F("chain", "产业链", "text", syn=("所属产业链", "产业链名称", "链条"), zh_doc="产业链名称或代码；空：不分链",
          en_doc="chain name or code; empty: not chain-specific"),
        F("region", "地区", "text", syn=("所属地区", "设区市", "县（市、区）", "区域"),
          zh_doc="设区市或县（市、区）名称或代码；空：全省", en_doc="city or county name or code; empty: province"),
        F("deadline", "完成时限", "date", True, ("时限", "完成时间", "截止时间", "办结时限"),
          zh_doc="YYYY-MM-DD，或“2025年6月底”", en_doc="YYYY-MM-DD, or 2025年6月底 (end of month)"),
        F("progress", "进展情况", "text", syn=("工作进展", "推进情况", "完成情况")),
        F("status", "状态", "text", syn=("任务状态", "办理状态"), zh_doc="已交办/推进中/待核验/已核验/已办结；空：已交办",
          en_doc="assigned/in progress/awaiting verification/verified/closed; empty: assigned"),
    ],
}

#: designation kind / level → the names accepted on import (:mod:`chainbrain.catalog.designations`)
DESIGNATION_KINDS = {k: (zh, *syn) for k, (zh, _, syn) in _des.KINDS.items()}
DESIGNATION_LEVELS = {k: (zh, *syn) for k, (zh, _, syn) in _des.LEVELS.items()}


def norm(text) -> str:
    """Normalise a header cell for matching."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = strip_header_unit(s)
    s = re.sub(r"[\s_\-·:：*＊]", "", s).lower()
    return s.replace("（", "(").replace("）", ")")


@dataclass
class Match:
    columns: dict[str, int]                              # field key → column index
    units: dict[str, str] = field(default_factory=dict)  # field key → unit stated in the header
    unknown: list[str] = field(default_factory=list)     # headers that matched nothing
    missing: list[Field] = field(default_factory=list)   # required fields without a column
    duplicate: list[str] = field(default_factory=list)   # fields matched by two columns


def lookup(kind: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in KINDS[kind]:
        for name in (f.key, f.zh, *f.synonyms):
            out.setdefault(norm(name), f.key)
    return out


def match_headers(kind: str, headers: list[str]) -> Match:
    table = lookup(kind)
    m = Match({})
    for i, h in enumerate(headers):
        n = norm(h)
        key = table.get(n)
        if key is None:
            # "营业收入(revenue_ytd)" style: try the part in brackets, then the part before
            inner = re.findall(r"\(([^()]*)\)", n)
            for cand in [*inner, re.sub(r"\(.*?\)", "", n)]:
                if cand in table:
                    key = table[cand]
                    break
        if key is None:
            if str(h or "").strip():
                m.unknown.append(str(h))
            continue
        if key in m.columns:
            m.duplicate.append(key)
            continue
        m.columns[key] = i
        if (u := header_unit(unicodedata.normalize("NFKC", str(h)))):
            m.units[key] = u
    m.missing = [f for f in KINDS[kind] if f.required and f.key not in m.columns]
    return m


def is_key_row(kind: str, cells: list) -> bool:
    """True when ``cells`` is the template's English key row."""
    keys = {f.key for f in KINDS[kind]}
    vals = [str(c).strip() for c in cells if c is not None and str(c).strip()]
    return bool(vals) and all(v in keys for v in vals)
