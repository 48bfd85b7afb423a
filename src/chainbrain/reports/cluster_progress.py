"""The annual cluster progress report (集群年度进展报告) as Word or PDF, from the cluster answer.

Input: one cluster's answer (:func:`chainbrain.analytics.cluster_answer.view` kind ``cluster``, already
through the reader's disclosure: withheld figures are None and print as "—") and the progress reports
the reader may read (:func:`chainbrain.work.cluster_progress.reports`). Nothing is computed here.

一、总体情况 — revenue, comparable growth, member firms, score (the pack's unsourced scoring, said so);
二、评价指标 — the five MIIT dimensions, each indicator with value, national reference, gap and score;
三、集群实力（星级）— the European Cluster Observatory stars of the cluster's category per city;
四、集群预警 — the cluster alerts (pack ``clusters.toml [alerts]``, with its version);
五、各地进展 — each city's report text with its state, submission and review, and the figures kept
at submission; 附 — membership rule, sources, the data period and who the figures were disclosed to.

Laid out by the monthly report's writers (:mod:`chainbrain.reports.docx_writer`, GB/T 9704;
:mod:`chainbrain.reports.pdf_writer`, WeasyPrint) from the same neutral
:class:`~chainbrain.reports.document.Document`.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from chainbrain.reports import text as T
from chainbrain.reports.document import Column, Document, Table, number

FORMATS = ("docx", "pdf")
STATE_ZH = {"draft": "草稿", "submitted": "已提交，待审核", "returned": "已退回", "approved": "审核通过"}


NODATA = "无数据"
MEASURE_ZH = {"employment": "从业人员", "revenue": "营业收入"}


def _period_zh(period: str | None, partial: bool) -> str:
    """``2025-06`` → ``2025年1—6月`` (year to date), ``2025-12`` of a full year → ``2025年``."""
    if not period:
        return NODATA
    y, m = period.split("-")[:2]
    return f"{y}年1—{int(m)}月" if partial else f"{y}年"


def _fmt(v, unit: str | None, withheld: bool = False) -> str:
    """A value in its unit; None is "—" when withheld (disclosure), else "无数据" (never 0)."""
    if v is None:
        return T.WITHHELD if withheld else NODATA
    if unit == "yuan":
        return T.yi(v)
    if unit == "fraction":
        return T.pct(v)
    if unit == "yes/no":
        return "有" if v else "无"
    if unit == "count":
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
    return f"{v:,.3f}" + (f" {unit}" if unit else "")


def compose(ans: dict, progress: dict | None, viewer: str) -> Document:
    """The :class:`Document` of a cluster's annual progress report."""
    c, card = ans["cluster"], ans["scorecard"]
    year, period = ans["year"], _period_zh(ans["period"], bool(ans.get("partial_year")))
    name = c["name_zh"] if c["name_zh"].endswith("集群") else f"{c['name_zh']}集群"
    doc = Document(f"{name}{year}年度发展进展报告", f"（根据{period}规模以上工业企业数据生成）", [
                       f"集群：{c['name_zh']}（{c['code']}）；类别：{c.get('program') or '—'}",
                       f"报送期限：{(progress or {}).get('due') or f'{year + 1}-03-31'}（赣工信规字〔2024〕2号）",
                       f"视图：{viewer}",
                       f"生成时间：{dt.datetime.now():%Y-%m-%d %H:%M}"])
    ind = {x["code"]: x for d in card["dimensions"] for x in d["indicators"]}
    sec = 0

    def head(text):
        nonlocal sec
        sec += 1
        doc.h(1, f"{number(1, sec)}{text}")

    head("总体情况")
    rev, gr, mem = ind.get("revenue", {}), ind.get("revenue_growth", {}), ind.get("member_firms", {})
    parts = []
    if rev.get("value") is not None:
        parts.append(f"集群成员企业实现营业收入{T.yi(rev['value'])}")
    if gr.get("value") is not None:
        parts.append(f"按可比口径同比{T.growth(gr['value'])}")
    if mem.get("value") is not None:
        parts.append(f"成员企业{mem['value']:,.0f}家")
    if card.get("score") is not None:
        parts.append(f"五维度评分{card['score']:.1f}分（评分方法为本省数据包设定，未见工信部公布的权重和门槛）")
    doc.p(f"{period}，" + "，".join(parts) + "。" if parts else f"{period}，本集群无可披露的数据。")
    if any(x.get("suppressed") for x in ind.values()) or any(x.get("suppressed") for x in ans.get("stars") or []):
        doc.p("部分数据涉及少于3家企业且超出本报告读者的数据权限，按统计法规定不予显示（表中以“—”表示）。")
    head("评价指标（工信部五个维度）")
    rows = [{"dimension": d["name_zh"], "indicator": x["name_zh"], "value": _fmt(x.get("value"), x["unit"], bool(x.get("suppressed"))),
             "reference": "未公布" if x.get("reference") is None else _fmt(x["reference"], x["unit"]), "score": x.get("score"),
             "dim_score": d.get("score")}
            for d in card["dimensions"] for x in d["indicators"]]
    doc.t(Table("表1", "集群评价指标", "见各行", [Column("dimension", "维度"), Column("indicator", "指标"),
                                              Column("value", "数值"), Column("reference", "国家级参照"),
                                              Column("score", "指标得分", "pp"), Column("dim_score", "维度得分", "pp")],
                rows, "clusters.toml [scorecard]"))
    head("集群实力（星级）")
    stars = [{"city": s.get("location_name") or s["location"], "lq": s.get("lq"), "share": s.get("share"),
              "stars": None if s.get("stars") is None else "★" * int(s["stars"]) + "☆" * (3 - int(s["stars"]))}
             for s in ans.get("stars") or []]
    if stars:
        doc.p(f"按欧洲集群观察站星级规则（规模、专业化 LQ≥2、聚焦度），以{MEASURE_ZH.get(ans.get('measure'), '营业收入')}计。")
        doc.t(Table("表2", "各设区市集群星级", "LQ：倍；占比：%", [Column("city", "设区市"), Column("lq", "区位商", "pp"),
                                                        Column("share", "集群占本地工业比重", "rate"),
                                                        Column("stars", "星级")], stars, "clusters.toml [stars]"))
    else:
        doc.p("本期无星级数据。")
    head("集群预警")
    alerts = ans.get("alerts") or []
    rule = ans.get("alert_rule") or {}
    for a in alerts:
        doc.p(f"（{T.SEVERITY_ZH.get(a['severity'], a['severity'])}）{a['message_zh']}。")
    if not alerts:
        doc.p("本期无集群预警。")
    if rule:
        doc.p(f"预警规则版本{rule.get('version')}：可比增速低于提能升级方案目标（赣工强省小组字〔2025〕4号）；"
              f"评分低于{rule.get('min_score')}分（阈值未见出处，可配置）。")
    head("各地工作进展")
    reps = (progress or {}).get("reports") or []
    for i, r in enumerate(reps, start=1):
        doc.h(2, f"{number(2, i)}{r.get('city_name') or r['city_code']}（{STATE_ZH.get(r['status'], r['status'])}）")
        for line in (r.get("body") or "").splitlines():
            doc.p(line.strip())
        meta = []
        if r.get("submitted_at"):
            meta.append(f"提交于{r['submitted_at'][:10]}" + ("（逾期）" if r.get("late") else ""))
        if r.get("reviewed_at"):
            meta.append(f"审核于{r['reviewed_at'][:10]}" + (f"，意见：{r['review_note']}" if r.get("review_note") else ""))
        kept = r.get("figures") or {}
        if kept.get("revenue_yuan") is not None:
            meta.append(f"提交时数据：营业收入{T.yi(kept['revenue_yuan'])}，可比{T.growth(kept.get('revenue_growth'))}")
        if meta:
            doc.p("；".join(meta) + "。")
    if not reps:
        doc.p("尚无设区市报送本年度进展报告。")
    doc.h(1, "附：口径与来源")
    doc.p(f"成员口径：{ans.get('membership_rule')}。")
    doc.p(f"评价方法：{card.get('scoring_source') or ''}。数据期别：{period}；视图：{viewer}。")
    return doc


def write(ans: dict, progress: dict | None, viewer: str, fmt: str, out) -> None:
    """Write the report as ``fmt`` (docx or pdf) to path or binary file ``out``."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: must be docx or pdf (格式应为 docx 或 pdf)")
    doc = compose(ans, progress, viewer)
    model = SimpleNamespace(subject_zh=ans["cluster"]["name_zh"], period=ans["period"],
                            data_version={"batch_id": None})
    if fmt == "docx":
        from chainbrain.reports.docx_writer import write_docx as w
    else:
        from chainbrain.reports.pdf_writer import write_pdf as w
    w(doc, model, out)
