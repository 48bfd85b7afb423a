"""The report as a neutral document: headings, paragraphs, tables and charts, for every writer.

Structure (GB/T 9704 heading numbers 一、（一）1.（1））:

一、总体运行情况 — level, growth, change, turning point; （一）目标进度 (plan pace, growth still
required, level path); （二）全年预测; table 1 (headline) and the path chart.
二、分产业链运行情况 (no chain given) — （一）总体 (strongest, weakest, pulls; table 2, chart);
（二）各产业链 — 1. one paragraph per chain with its sub-regions' top three pulls and drags.
三、分地区运行情况 (province or city) — the same per city / county with its chains' pulls.
四、目标完成情况 — （1）… one item per other target of the scope; table of targets.
五、运行预警 — the alerts the viewer may see.
附件 — every figure's query, inputs and data date; the disclosure note.

Tables keep raw values (yuan, fractions, points) with a column kind; writers format them
(:mod:`chainbrain.reports.text`): ``money`` 亿元, ``rate`` %, ``pp`` 百分点, ``int``, ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chainbrain.reports import narrative as N
from chainbrain.reports import text as T

CN = "一二三四五六七八九十"


@dataclass
class Column:
    key: str
    header: str
    kind: str = "text"          # text | int | money | rate | pp | ratio


@dataclass
class Table:
    id: str
    title: str
    unit: str
    columns: list[Column]
    rows: list[dict]
    source: str = ""

    def cell(self, row: dict, col: Column) -> str:
        v = row.get(col.key)
        if v is None:
            return T.WITHHELD if col.kind != "text" else ""
        if col.kind == "money":
            return f"{v / T.YI:,.2f}"
        if col.kind in ("rate", "ratio"):
            return f"{v * 100:.1f}"
        if col.kind == "pp":
            return f"{v:.2f}"
        if col.kind == "int":
            return f"{int(v):,d}"
        return str(v)


@dataclass
class Block:
    kind: str                   # heading | para | table | chart | note
    text: str = ""
    level: int = 0
    table: Table | None = None
    chart: dict | None = None   # {"id", "title", "png": bytes}


@dataclass
class Document:
    title: str
    subtitle: str
    cover_lines: list[str]
    blocks: list[Block] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def h(self, level: int, text: str):
        self.blocks.append(Block("heading", text, level))

    def p(self, text: str | None):
        if text:
            self.blocks.append(Block("para", text))

    def t(self, table: Table):
        self.tables.append(table)
        self.blocks.append(Block("table", table.title, table=table))

    def c(self, chart: dict | None):
        if chart:
            self.blocks.append(Block("chart", chart["title"], chart=chart))


def number(level: int, i: int) -> str:
    """Heading number i (1-based) at level 1…4: 一、 （一） 1. （1）."""
    cn = CN[i - 1] if i <= 10 else str(i)
    return {1: f"{cn}、", 2: f"（{cn}）", 3: f"{i}.", 4: f"（{i}）"}[level]


def _unit_columns(first: str) -> list[Column]:
    return [Column("name", first), Column("above_scale_count", "企业数（家）", "int"),
            Column("revenue_ytd_yuan", "营业收入（亿元）", "money"),
            Column("yoy_comparable", "可比口径同比（%）", "rate"), Column("yoy_naive", "总量口径同比（%）", "rate"),
            Column("pull_pp", "拉动（百分点）", "pp"), Column("contribution", "贡献率（%）", "rate"),
            Column("target_ratio", "目标进度（%，序时=100）", "ratio"), Column("status", "状态", "text")]


def _unit_rows(units: list[dict]) -> list[dict]:
    return [{**u, "status": T.STATUS_SHORT.get(u.get("target_status"), None)} for u in units]


def compose(m, charts: bool = True) -> Document:
    """The :class:`Document` of report model ``m``."""
    from chainbrain.reports import charts as C

    doc = Document(m.title, f"（根据{m.period_zh}规模以上工业企业月报数据生成）", [
        f"范围：{m.subject_zh}；行业范围：{'制造业' if m.scope == 'manufacturing' else '规模以上工业（B、C、D门类）'}",
        f"数据：{m.data_version['text']}",
        f"视图：{m.viewer.label_zh}",
        f"生成时间：{m.generated_at}",
    ])
    sec = 0
    h = m.headline

    # 一、总体运行情况
    sec += 1
    doc.h(1, number(1, sec) + "总体运行情况")
    doc.p(N.headline_paragraph(m))
    doc.t(Table("表1", f"{m.subject_zh}主要指标", "亿元、%、家", [
        Column("period", "统计期"), Column("above_scale_count", "企业数（家）", "int"),
        Column("revenue_ytd_yuan", "营业收入（亿元）", "money"),
        Column("revenue_ytd_prev_yuan", "上年同期（总量口径，亿元）", "money"),
        Column("yoy_comparable", "可比口径同比（%）", "rate"), Column("yoy_naive", "总量口径同比（%）", "rate"),
        Column("comparable_count", "可比样本（家）", "int"),
        Column("target_ratio", "目标进度（%，序时=100）", "ratio"), Column("status", "状态", "text")],
        _unit_rows([{**h, "period": m.period_zh}]), "K1"))
    if m.previous:
        trend = [{**r, "period": f"{m.year}年1—{int(r['period'][-2:])}月"} for r in reversed(m.previous)]
        doc.t(Table(f"表{len(doc.tables) + 1}", f"{m.subject_zh}营业收入可比口径增速走势", "%、家", [
            Column("period", "统计期"), Column("yoy_comparable", "可比口径同比（%）", "rate"),
            Column("comparable_count", "可比样本（家）", "int")],
            trend + [{**h, "period": m.period_zh}], "K4, K5, K1"))
    sub = 0
    tp = N.target_paragraph(m)
    if tp:
        sub += 1
        doc.h(2, number(2, sub) + "目标进度")
        doc.p(tp)
    pp_ = N.projection_paragraph(m)
    if pp_:
        sub += 1
        doc.h(2, number(2, sub) + "全年预测")
        doc.p(pp_)
        if charts:
            doc.c(C.path_chart(m))

    # 二、分产业链
    if m.chains:
        sec += 1
        doc.h(1, number(1, sec) + "分产业链运行情况")
        doc.h(2, number(2, 1) + "总体格局")
        doc.p(N.ranking_paragraph(m.chains, "产业链", m.subject_zh))
        doc.t(Table(f"表{len(doc.tables) + 1}", "分产业链主要指标", "亿元、%、百分点", _unit_columns("产业链"),
                    _unit_rows(m.chains), "K2, C1"))
        if charts:
            doc.c(C.growth_chart(m, m.chains, "各产业链营业收入可比口径增速", "chains"))
        doc.h(2, number(2, 2) + "各产业链情况")
        for i, u in enumerate(m.chains, 1):
            doc.h(3, number(3, i) + f"{u['name']}产业链")
            kids = m.regions_in_chain.get(u["key"], []) if m.region_level else None
            doc.p(N.unit_paragraph(u, m.subject_zh, m.previous_units.get(("chain", u["key"])), N._prev_label(m),
                                   kids, "地区" if kids is not None else None, "产业链"))

    # 三、分地区
    if m.regions:
        sec += 1
        what = "市" if m.region_level == "city" else "县（市、区）"
        doc.h(1, number(1, sec) + "分地区运行情况")
        doc.h(2, number(2, 1) + "总体格局")
        doc.p(N.ranking_paragraph(m.regions, "地区", m.subject_zh))
        if m.chain:                          # a chain's report: its regions' top three pulls and drags
            doc.p(N.pulls_sentence(m.regions, "地区", m.subject_zh))
        doc.t(Table(f"表{len(doc.tables) + 1}", f"分{what}主要指标", "亿元、%、百分点", _unit_columns("地区"),
                    _unit_rows(m.regions), "K3, C1"))
        if charts:
            doc.c(C.growth_chart(m, m.regions, "各地区营业收入可比口径增速", "regions"))
        doc.h(2, number(2, 2) + "各地区情况")
        for i, u in enumerate(m.regions, 1):
            doc.h(3, number(3, i) + u["name"])
            kids = m.chains_in_region.get(u["key"]) if not m.chain else None
            doc.p(N.unit_paragraph(u, m.subject_zh, m.previous_units.get((m.region_level, u["key"])),
                                   N._prev_label(m), kids, "产业链" if kids is not None else None))

    # 四、目标完成情况
    items = N.target_items(m)
    if items:
        sec += 1
        doc.h(1, number(1, sec) + "其他规划目标完成情况")
        for i, s in enumerate(items, 1):
            doc.h(4, number(4, i) + s.split("：", 1)[0])
            doc.p(s.split("：", 1)[1] if "：" in s else s)
    if m.targets:
        doc.t(Table(f"表{len(doc.tables) + 1}", "规划目标进度", "亿元或%（见各行）", [
            Column("name_zh", "目标"), Column("kind", "类型"), Column("basis", "口径"),
            Column("value_text", "本期值"), Column("target_text", "目标值"),
            Column("ratio", "完成比（%）", "ratio"), Column("status_text", "状态")],
            [_target_row(t) for t in m.targets], "T1"))

    # 五、运行预警
    sec += 1
    doc.h(1, number(1, sec) + "运行预警")
    doc.p(N.alert_summary(m))
    for line in N.alert_lines(m):
        doc.p(line)

    # 附件
    doc.h(1, "附件：数据来源与口径说明")
    doc.p("本报告全部数字由产业链大脑按下表所列查询从库中数据生成，文字按规则由数字生成。"
          "增速除注明外均为可比口径（本期样本企业与其上年同期值相比）；金额按现价计算，单位亿元。"
          "按统计法规定，涉及企业数少于3家的数据及可据以推算的数据不予公布，以“—”表示。")
    doc.t(Table(f"附表{1}", "数据来源", "—", [
        Column("id", "编号"), Column("figure", "数据项"), Column("query", "查询"), Column("inputs", "输入"),
        Column("data_date", "数据日期")], [vars(s) for s in m.sources], ""))
    return doc


def _target_row(t: dict) -> dict:
    kind = {"growth": "增长", "share": "占比", "level": "总量", "coverage": "覆盖"}.get(t.get("kind"), t.get("kind"))
    if t.get("kind") == "growth":
        value = f"{t['value']:.4f}（指数）" if t.get("value") is not None else T.WITHHELD
        target = f"{t['target']:.4f}（序时）" if t.get("target") is not None else T.WITHHELD
    elif t.get("kind") == "share":
        value, target = T.pct(t.get("value")), T.pct(t.get("target"))
    elif t.get("kind") == "level":
        value, target = T.yi(t.get("value")), T.yi(t.get("target"))
    else:
        value, target = T.WITHHELD, str(t.get("target") or T.WITHHELD)
    return {"name_zh": t.get("name_zh") or t.get("code"), "kind": kind,
            "basis": {"comparable": "可比口径", "level": "总量口径"}.get(t.get("basis"), t.get("basis") or ""),
            "value_text": value, "target_text": target, "ratio": t.get("ratio"),
            "status_text": T.STATUS_ZH.get(t.get("status"), T.WITHHELD)}
