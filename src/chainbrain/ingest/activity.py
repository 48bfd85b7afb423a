"""Main activity of a registered enterprise: industrial or not, GB/T 4754 section (and class where clear).

Evidence (all offline, all shown by ``chainbrain map explain``):

- the parsed business scope (``ingest.scope``): role of the first item, how many of the
  first three items are production / trade / service, share of production items, a
  licensed production item (许可项目), position of the first production item;
- the name's industry word (``NAME_WORDS``: e.g. 厂/制品/水泥 → manufacturing word,
  贸易/商行/药房 → trade word, 工程/物业/运输 → service word, 合作社/农业 → farming word)
  and whether the name holds a product keyword of the pack's segment catalog;
- the enterprise type (个体工商户, 农民专业合作社, 分公司) and the registered capital (log10 yuan);

combined by a logistic model trained on the labelled tune part
(``tests/fixtures/registry/labelled/tune.csv``; ``chainbrain map train``) and calibrated
by isotonic regression on out-of-fold predictions of that part, so that P(industrial)
of 0.8 is right about 80 % of the time on rows like the labelled ones. ``industrial``
is P ≥ ``THRESHOLD`` (0.5). The model is a few numbers (``activity_model.json``), applied
with numpy only.

Section when industrial: B for mining words in the production items, D for power, gas
and water supply, else C; the class is the catalog class of the matched segment when
that segment has exactly one class. When not industrial: A for farming words and
co-operatives, F when the first item is trade, else the name's service word (G, K, J,
E, I, H …), else L.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from chainbrain.ingest.scope import Item, parse_scope, summary

MODEL_PATH = Path(__file__).with_name("activity_model.json")
THRESHOLD = 0.5

NAME_WORDS: dict[str, tuple[str, ...]] = {
    "mfg": ("厂", "制造", "制品", "制衣", "机械", "化工", "水泥", "陶瓷", "瓷业", "木业", "竹业", "板业", "米业", "纺织", "针织",
            "服饰", "电缆", "玻璃", "材料", "药业", "制药", "食品", "酒业", "茶业", "电子", "电器", "电气", "设备", "包装",
            "印务", "塑料", "塑业", "橡胶", "五金", "钢铁", "铜业", "铝业", "锂业", "稀土", "钨业", "化学", "光电", "光学",
            "机电", "泵", "阀", "轴承", "铸造", "锻造", "模具", "纸业", "造纸", "油脂", "饲料", "肥业", "涂料", "石材",
            "矿物", "冶炼", "冶金", "工业", "电源", "电池", "能源", "新材料", "生物", "家具", "家俱", "门业", "鞋业", "羽绒",
            "皮革", "线业", "棉业", "丝绸", "织造", "印染", "汽车零部件", "配件", "仪器", "仪表", "精密", "电机"),
    "trade": ("贸易", "商贸", "经贸", "物资", "销售", "商行", "经营部", "门市", "超市", "百货", "专卖", "药房", "药店",
              "加油站", "供销", "商店", "商场", "批发", "购物", "专营", "经销", "农资", "贸易行"),
    "service": ("运输", "物流", "物业", "广告", "传媒", "咨询", "旅行社", "建设", "建筑", "工程", "装饰", "房地产",
                "置业", "投资", "租赁", "劳务", "人力资源", "保安", "银行", "支行", "保险", "电信", "移动", "联通", "邮政",
                "网络", "信息", "酒店", "宾馆", "餐饮", "拍卖", "管理", "服务", "文化", "教育", "培训", "监理", "设计",
                "勘察", "检测", "会计", "律师", "事务所", "快递", "客运", "货运", "汽运", "巴士"),
    "farm": ("合作社", "农业", "林业", "养殖", "种植", "农场", "林场", "牧业", "渔业", "生态农"),
    "mining": ("矿业", "矿产", "采石", "矿山", "煤矿", "萤石", "石灰石"),
}
NAME_SECTION = [("J", r"银行|支行|分行|保险|证券|信用社|小额贷款|担保"), ("K", r"房地产|置业|物业"),
                ("G", r"运输|物流|客运|货运|汽运|巴士|快递|邮政"), ("I", r"电信|移动|联通|网络|信息|软件|广电"),
                ("E", r"建设|建筑|工程|装饰|路桥|市政|水电"), ("H", r"酒店|宾馆|餐饮|饭店"),
                ("M", r"咨询|设计|监理|勘察|检测|会计|律师|事务所|科技"), ("A", r"合作社|农业|林业|养殖|种植|农场|牧业")]
_MINING = re.compile(r"(开采|采选|采矿|矿山开采|采石|矿石|精矿|选矿|精选|采掘)")
_UTILITY = re.compile(r"(发电|供电|电力生产|供水|自来水|燃气供应|城市燃气|天然气供应|热力|供热|燃气)")
_FARMING = re.compile(r"(种植|养殖|饲养|育苗|造林|营林|栽培)")
_ORG = re.compile(r"(股份有限公司|有限责任公司|有限公司|集团|公司|分公司|.店$|合作社)")
_PAREN = re.compile(r"[（(][^）)]*[)）]")

FEATURES = ("first_produce", "first_trade", "first_service", "first_other", "produce_lead", "trade_lead", "service_lead",
            "produce_share", "produce_first_two", "name_mfg", "name_product", "name_trade", "name_service", "name_farm",
            "name_mining", "branch", "individual", "coop", "log_capital", "no_capital", "list_mfg")
LABELS_ZH = {"first_produce": "首项为生产", "first_trade": "首项为销售", "first_service": "首项为服务", "first_other": "首项无动词(产品清单)",
             "produce_lead": "前三项中生产项", "trade_lead": "前三项中销售项", "service_lead": "前三项中服务项",
             "produce_share": "生产项占比", "produce_first_two": "前两项内有生产(或许可生产项目)", "name_mfg": "字号含制造业词", "name_product": "字号含产业链目录产品词",
             "name_trade": "字号含商贸词", "name_service": "字号含服务业词", "name_farm": "字号含农业词",
             "name_mining": "字号含矿业词", "branch": "分支机构", "individual": "个体工商户", "coop": "农民专业合作社",
             "log_capital": "注册资本(log10元−6)", "no_capital": "无注册资本",
             "list_mfg": "无动词产品清单且字号含制造业词"}


def name_words(name: str | None) -> dict[str, list[str]]:
    """Industry words of the enterprise's own name part (group prefix and brackets dropped)."""
    from chainbrain.ingest.mapping import own_name

    from chainbrain.ingest.mapping import default_mapper

    s = _PAREN.sub("", own_name(name or ""))
    found = default_mapper().find(s)                           # product words of the pack's catalog
    bare = s                                                   # the name without them: 农业 in 农业机械 is no farm word (v5)
    for i, w in found:
        bare = bare[:i] + "□" * len(w) + bare[i + len(w):]
    out: dict[str, list[str]] = {}
    for cat, words in NAME_WORDS.items():
        hits = [w for w in words if w in (s if cat == "mfg" else bare)]
        if hits:
            out[cat] = hits
    products = [w for _, w in found]
    if products:
        out["product"] = products
    return out


@dataclass
class Activity:
    items: list[Item]
    features: dict[str, float]
    probability: float                     # calibrated P(industrial)
    raw: float                             # the model's uncalibrated probability
    industrial: bool
    section: str
    evidence: list[tuple[str, float]] = field(default_factory=list)   # (feature, contribution to the log-odds)
    words: dict[str, list[str]] = field(default_factory=dict)

    @property
    def confidence(self) -> float:
        return self.probability if self.industrial else 1.0 - self.probability

    def main_items(self) -> list[Item]:
        """The items that carry the main activity: production items for a producer, else the first three."""
        if self.industrial:
            prod = [i for i in self.items if i.role == "produce"]
            return prod[:3] or self.items[:3]
        return self.items[:3]


def featurize(name: str | None, entity_type: str | None, capital_yuan, scope: str | None,
              items: list[Item] | None = None) -> tuple[dict[str, float], list[Item], dict[str, list[str]]]:
    items = parse_scope(scope) if items is None else items
    s = summary(items)
    words = name_words(name)
    et = entity_type or ""
    nm = name or ""
    n = max(s["n"], 1)
    cap = float(capital_yuan) if capital_yuan not in (None, "") else None
    f = {
        "first_produce": float(s["first_role"] == "produce"), "first_trade": float(s["first_role"] == "trade"),
        "first_service": float(s["first_role"] == "service"), "first_other": float(s["first_role"] == "other"),
        "produce_lead": s["produce_lead"] / 3, "trade_lead": s["trade_lead"] / 3, "service_lead": s["service_lead"] / 3,
        "produce_share": s["produce"] / n,
        # a licensed production item (许可项目, post-2021 only) counts as a leading production item
        "produce_first_two": float((s["first_produce_at"] is not None and s["first_produce_at"] <= 1)
                                   or s["licensed_produce"]),
        "name_mfg": float("mfg" in words), "name_product": float("product" in words), "name_trade": float("trade" in words),
        "name_service": float("service" in words), "name_farm": float("farm" in words),
        "name_mining": float("mining" in words),
        "branch": float(bool(re.search(r"分公司|分店|分厂|支行|分行|营业部|加油站|门市部|收购点|收购站|分支", nm + et))),
        "individual": float("个体" in et), "coop": float("合作社" in nm or "合作社" in et),
        "log_capital": math.log10(cap) - 6 if cap and cap > 0 else 0.0, "no_capital": float(not cap),
        # a verbless product list (电瓷、电器及开关) of a firm whose name is a maker's (厂, 制品): a producer (v6)
        "list_mfg": float(s["produce"] == 0 and s["first_role"] == "other" and "mfg" in words),
    }
    return f, items, words


@lru_cache(maxsize=1)
def load_model(path: str | None = None) -> dict:
    return json.loads(Path(path or MODEL_PATH).read_text(encoding="utf-8"))


def calibrate(model: dict, raw: np.ndarray) -> np.ndarray:
    """Isotonic map (piecewise linear between the fitted thresholds)."""
    x, y = model["isotonic_x"], model["isotonic_y"]
    return np.interp(raw, x, y) if x else raw


def score(model: dict, f: dict[str, float]) -> tuple[float, float, list[tuple[str, float]]]:
    w = model["coef"]
    contrib = [(k, w[k] * (f[k] - model["mean"][k]) / model["scale"][k]) for k in FEATURES]
    z = model["intercept"] + sum(c for _, c in contrib)
    raw = 1.0 / (1.0 + math.exp(-z))
    p = float(calibrate(model, np.array([raw]))[0])
    # evidence: the features present in this firm, with their pull on the log-odds against an average firm
    shown = sorted(((k, c) for k, c in contrib if f[k]), key=lambda kv: -abs(kv[1]))
    return raw, p, [(k, round(c, 2)) for k, c in shown]


def section_of(industrial: bool, items: list[Item], words: dict, name: str) -> str:
    prod = " ".join(i.text for i in items if i.role == "produce")
    if industrial:
        if _MINING.search(prod) or ("mining" in words and not prod):
            return "B"
        lead = " ".join(i.text for i in items[:2])
        if _UTILITY.search(lead) and not re.search(r"(器具|设备|机组|灶具)", lead):
            return "D"
        return "C"
    if "farm" in words or "合作社" in (name or "") or (items and _FARMING.search(items[0].text)):
        return "A"                       # a farming first item (果树种植及其产品销售) is farming, not trade (v6)
    first = items[0].role if items else "none"
    for sec, rx in NAME_SECTION:
        if re.search(rx, name or ""):
            return sec
    if first == "trade":
        return "F"
    return "L"


def classify(name: str | None, entity_type: str | None = None, capital_yuan=None, scope: str | None = None,
             model: dict | None = None) -> Activity:
    model = model or load_model()
    f, items, words = featurize(name, entity_type, capital_yuan, scope)
    raw, p, ev = score(model, f)
    ind = p >= THRESHOLD
    return Activity(items, f, p, raw, ind, section_of(ind, items, words, name or ""), ev, words)
