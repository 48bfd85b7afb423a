"""Registered business scope (经营范围) → ordered items with their verb role and object.

Rules (the registry's own structure, SAMR 经营范围登记规范 2021 and the older free text):

- since the 2021 reform a scope is split into ``许可项目：`` (licensed items) and
  ``一般项目：`` (general items); older scopes have no such markers (section ``""``);
- boilerplate carries nothing and is removed: bracketed remarks and sentences with
  依法须经批准 / 经相关部门批准后 / 凭营业执照依法自主开展 / 除许可业务外 / 涉及许可 /
  国家禁止 / 以上项目 / 具体经营项目以…为准;
- items are the clauses between ``；;。，,`` and line breaks, in order; a clause without
  a verb ("纸箱、塑料制品，五金销售") takes the verb of the next clause in the same
  sentence (up to ``；;。``), as enumerations are written;
- the verb decides the role: ``produce`` (生产, 制造, 加工, 冶炼, 铸造, 织造, 酿造, 开采 …),
  ``rd`` (研发, 研制, 技术开发), ``trade`` (销售, 批发, 零售, 进出口, 代理 …),
  ``service`` (租赁, 维修, 安装, 施工, 服务, 咨询 …, or a clause ending in 工程 / 建筑业 /
  物流 / 业务 with no verb); a clause with a production verb is
  ``produce`` whatever else it lists ("X 生产、销售"); ``other`` when no verb is found;
- a verb directly followed by a noun head (``NOUN_HEADS``: 材料, 车, 设备, 机械 …) modifies a
  noun and is no verb (装饰材料 is a product, 农用运输车 is a vehicle, 生产设备 is equipment);
- the object is the clause without its verbs and connecting words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

PRODUCE = ("生产", "制造", "加工", "冶炼", "铸造", "织造", "酿造", "开采", "采选", "精炼", "压延", "锻造", "纺纱",
           "印染", "印刷", "彩印", "制作", "屠宰", "采掘", "开发生产", "焙烤", "烘焙", "炼制", "提炼", "浇铸", "来料加工", "研制生产",
           "生产经营", "发电", "供水", "采石", "碾米", "榨油", "熔炼", "电镀", "冲压", "注塑", "成套", "组装", "装配", "搅拌",
           "精选", "选矿")
RD = ("研发", "研制", "技术开发", "技术研究", "开发")
TRADE = ("销售", "批发", "零售", "批零", "批兼零", "零兼批", "采购", "经销", "代销", "代购", "购销", "进出口", "出口", "进口", "贸易", "代理", "收购", "经营",
         "供应", "销", "网上销售", "电子商务")
SERVICE = ("租赁", "维修", "修理", "安装", "施工", "服务", "咨询", "设计", "运输", "仓储", "培训", "中介", "推广",
           "承包", "房地产开发", "开发经营", "装修", "装饰", "检测", "策划", "管理", "开发经营", "回收", "配送", "派遣", "劳务", "种植", "养殖",
           "饲养", "培育", "育苗", "保洁", "清洗", "餐饮", "住宿", "代办", "代理记账", "广告", "信息", "托管")
NOMINAL = ("工程", "建筑业", "物流", "业务")   # a clause ending in these names a service, not a product
ROLES = ("produce", "rd", "trade", "service", "other")

_BOILER = re.compile(
    r"(依法须经批准|依法需经批准|须经批准的项目|经相关部门批准后|凭营业执照依法自主|除许可业务外|除依法须经批准"
    r"|涉及许可|涉及行政许可|国家禁止|国家限制|以上项目|以上经营范围|具体经营项目以|许可证经营|凭许可证|凭资质证"
    r"|经营范围以批准|不含前置|不得从事|未取得|法律、行政法规|法律法规|有效期|分支机构经营|另行审批)")
_BRACKET = re.compile(r"[（(][^（）()]*[)）]")
_SECTION = re.compile(r"(许可项目|一般项目|许可经营项目|一般经营项目)\s*[:：]")
_SENT = re.compile(r"[；;。\n]")
_CLAUSE = re.compile(r"[，,]")
_ALL_VERBS = sorted({*PRODUCE, *RD, *TRADE, *SERVICE}, key=len, reverse=True)
# a verb followed by a noun head is a modifier, not the item's verb: 装饰材料, 运输车, 生产设备, 维修工具 (v5)
NOUN_HEADS = ("材料", "车", "用品", "工具", "器材", "器具", "设备", "机械")
_VERB = re.compile("(?:" + "|".join(re.escape(v) for v in _ALL_VERBS) + ")(?!" + "|".join(NOUN_HEADS) + ")")
_JOIN = re.compile(r"^[、及和与的并兼其他各类等]+|[、及和与的并兼及其等]+$")


@dataclass
class Item:
    index: int
    section: str            # "licensed", "general" or "" (pre-2021 format)
    text: str
    object: str
    verbs: list[str] = field(default_factory=list)
    role: str = "other"
    carried: bool = False   # verb taken from the next clause

    def as_dict(self) -> dict:
        return {"index": self.index, "section": self.section, "text": self.text, "object": self.object,
                "verbs": list(self.verbs), "role": self.role}


def role_of(verbs: list[str]) -> str:
    if any(v in PRODUCE for v in verbs):
        return "produce"
    if any(v in RD for v in verbs) and not any(v in TRADE for v in verbs):
        return "rd"
    if any(v in TRADE for v in verbs):
        return "trade"
    if any(v in SERVICE or v in NOMINAL for v in verbs):
        return "service"
    if any(v in RD for v in verbs):
        return "rd"
    return "other"


@lru_cache(maxsize=4096)
def _role(verbs: tuple[str, ...]) -> str:
    return role_of(list(verbs))


def strip_boilerplate(text: str) -> str:
    """Remove bracketed remarks and the sentences of boilerplate (see module rules)."""
    s = re.sub(r"[*＊#※]+", "", (text or "").replace("\u3000", " ")).strip()
    prev = None
    while prev != s:                                       # nested brackets, innermost first
        prev = s
        s = _BRACKET.sub(lambda m: "" if _BOILER.search(m.group(0)) or len(m.group(0)) > 2 else m.group(0), s)
    out = []
    for sent in re.split(r"([；;。\n])", s):
        if sent in ("；", ";", "。", "\n"):
            out.append(sent)
        elif not _BOILER.search(sent):
            out.append(sent)
        else:                                              # keep the clauses before the boilerplate
            keep = [c for c in _CLAUSE.split(sent) if c and not _BOILER.search(c)]
            out.append("，".join(keep))
    return "".join(out).strip("；;。，, ")


def _sections(text: str) -> list[tuple[str, str]]:
    marks = list(_SECTION.finditer(text))
    if not marks:
        return [("", text)]
    out = []
    if text[:marks[0].start()].strip("；;。，, "):
        out.append(("", text[:marks[0].start()]))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out.append(("licensed" if m.group(1).startswith("许可") else "general", text[m.end():end]))
    return out


def _split_runs(clause: str) -> list[str]:
    """Split "A、B的批发、零售、C维修、安装" into "A、B的批发、零售" and "C维修、安装".

    Object-first clauses end an item at a run of verbs followed by more object text;
    verb-first clauses ("生产销售A、加工B") start an item at each verb run after 、.
    """
    runs = [(m.start(), m.end()) for m in _VERB.finditer(clause)]
    if not runs:
        return [clause]
    verb_first = runs[0][0] == 0
    cuts = []
    for (s0, e0), nxt in zip(runs, runs[1:] + [(len(clause), len(clause))]):
        gap = clause[e0:nxt[0]]
        if verb_first:
            if gap.strip("、及和与并 ") and nxt[0] < len(clause) and clause[nxt[0] - 1] == "、":
                cuts.append(nxt[0])
        elif gap.strip("、及和与并 ") and nxt[0] <= len(clause) and gap.startswith("、"):
            cuts.append(e0 + 1)
    out, prev = [], 0
    for c in cuts:
        out.append(clause[prev:c].strip("、 "))
        prev = c
    out.append(clause[prev:].strip("、 "))
    return [o for o in out if o]


@lru_cache(maxsize=200_000)
def _clause(c: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(text, object, verbs) of the items of one clause; clauses repeat across firms, so cached."""
    out = []
    for sub in _split_runs(c):
        verbs = list(dict.fromkeys(_VERB.findall(sub)))
        if not verbs and sub.endswith(NOMINAL):
            verbs = [next(n for n in NOMINAL if sub.endswith(n))]
        obj = _JOIN.sub("", _VERB.sub("、", sub)).strip("、 ")
        obj = re.sub(r"、{2,}", "、", obj)
        out.append((sub, obj, tuple(verbs)))
    return tuple(out)


def parse_scope(text: str | None) -> list[Item]:
    """Items of a business scope in their order (boilerplate removed)."""
    items: list[Item] = []
    for section, body in _sections(text or ""):
        for sent in _SENT.split(strip_boilerplate(body)):
            clauses = [c.strip() for c in _CLAUSE.split(sent) if c.strip(" 、")]
            parsed = [[sub, obj, list(verbs)] for c in clauses for sub, obj, verbs in _clause(c)]
            nxt: list[str] = []
            for p in reversed(parsed):                     # enumerations take the next clause's verb
                if p[2]:
                    nxt = p[2]
                elif nxt:
                    p[2] = list(nxt)
                    p.append(True)
            for p in parsed:
                items.append(Item(len(items), section, p[0], p[1], p[2], _role(tuple(p[2])), len(p) > 3))
    return items


_BUY = re.compile(r"收购")
_SELL = re.compile(r"(销售|批发|零售|批零|经销|贸易|进出口)")


def _first_role(items: list[Item]) -> str:
    """Role of the first item; a leading buying item (早籼稻收购) directly followed by a production item
    (粮食加工) buys that production's input, so the firm's first activity is the production (v6)."""
    if not items:
        return "none"
    i0 = items[0]
    if (len(items) > 1 and i0.role == "trade" and items[1].role == "produce" and _BUY.search(i0.text)
            and not _SELL.search(i0.text)):
        return "produce"
    return i0.role


def summary(items: list[Item], lead: int = 3) -> dict:
    """Counts used as evidence: roles of all items and of the first ``lead`` items."""
    first = items[:lead]
    return {
        "n": len(items),
        "first_role": _first_role(items),
        "produce": sum(i.role == "produce" for i in items),
        "produce_lead": sum(i.role == "produce" for i in first),
        "trade_lead": sum(i.role == "trade" for i in first),
        "service_lead": sum(i.role == "service" for i in first),
        "licensed_produce": any(i.section == "licensed" and i.role == "produce" for i in items),
        "first_produce_at": next((i.index for i in items if i.role == "produce"), None),
    }
