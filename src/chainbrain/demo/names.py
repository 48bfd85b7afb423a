"""Synthetic enterprise names and identifiers, all visibly marked as demo data.

Names read like real Chinese company names — place + three-character brand +
industry word + legal form — and always end in "（演示）" ("demo"); group
names carry "示例" ("example"). The industry word comes from the GB/T 4754
division (a few classes get a sharper word). USCCs are well-formed GB 32100
codes (check character computed as in :mod:`chainbrain.catalog.uscc`,
vectorised here) registered in the enterprise's first county; serials are a
seed-dependent bijection of the enterprise id, so codes are unique.
Out-of-province partners are placed in the other provincial-level divisions
of GB/T 2260, weighted towards the large and neighbouring economies.
"""

from __future__ import annotations

import numpy as np

from chainbrain.catalog.uscc import ALPHABET, WEIGHTS

BRAND = list("瑞丰鑫华盛泰恒昌隆兴宏达信诚金安新源通宇嘉和利德鸿运天润明远佳永富康晟益博创科凯汇聚腾飞鼎峰卓越智航赣洪章庐")
DEMO = "（演示）"
DIVISION_WORD = {
    "06": "煤业", "07": "油气", "08": "矿业", "09": "矿业", "10": "矿产", "11": "矿山服务", "12": "矿业",
    "13": "农产品", "14": "食品", "15": "酒业", "16": "烟草", "17": "纺织", "18": "服饰", "19": "鞋业",
    "20": "木业", "21": "家具", "22": "纸业", "23": "印务", "24": "文体用品", "25": "石化", "26": "化工",
    "27": "药业", "28": "化纤", "29": "橡塑", "30": "建材", "31": "钢铁", "32": "有色金属", "33": "金属制品",
    "34": "机械", "35": "装备", "36": "汽车", "37": "航空装备", "38": "电气", "39": "电子", "40": "仪器",
    "41": "制造", "42": "再生资源", "43": "设备维修", "44": "电力", "45": "燃气", "46": "水务",
    "51": "贸易", "52": "商贸", "65": "信息技术", "73": "科技", "74": "技术服务",
}
CLASS_WORD = {
    "3211": "铜业", "3251": "铜材", "3240": "合金材料", "3231": "钨业", "3232": "稀土", "3239": "锂业",
    "3841": "锂电", "3825": "光伏", "3985": "电子材料", "3982": "电路", "3922": "通信", "3073": "陶瓷",
    "3074": "陶瓷", "3011": "水泥", "3061": "玻纤", "3741": "航空", "3742": "航空", "2710": "制药",
    "2740": "中药", "0911": "铜矿", "0931": "钨矿", "0932": "稀土矿", "4420": "供电",
}
#: provincial-level divisions (GB/T 2260) and a weight for where partners come from
PROVINCES = {
    "110000": ("北京", 4), "120000": ("天津", 2), "130000": ("河北", 2), "140000": ("山西", 1),
    "150000": ("内蒙古", 1), "210000": ("辽宁", 1.5), "220000": ("吉林", 1), "230000": ("黑龙江", 1),
    "310000": ("上海", 6), "320000": ("江苏", 9), "330000": ("浙江", 9), "340000": ("安徽", 5),
    "350000": ("福建", 6), "360000": ("江西", 3), "370000": ("山东", 5), "410000": ("河南", 3),
    "420000": ("湖北", 5), "430000": ("湖南", 5), "440000": ("广东", 12), "450000": ("广西", 2),
    "460000": ("海南", 0.5), "500000": ("重庆", 2.5), "510000": ("四川", 3), "520000": ("贵州", 1),
    "530000": ("云南", 1), "540000": ("西藏", 0.2), "610000": ("陕西", 2), "620000": ("甘肃", 0.7),
    "630000": ("青海", 0.5), "640000": ("宁夏", 0.5), "650000": ("新疆", 0.8),
}


def industry_word(code: str) -> str:
    return CLASS_WORD.get(code) or DIVISION_WORD.get(code[:2], "实业")


def company_names(place: np.ndarray, industry: np.ndarray, big: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``place`` + brand + industry word + legal form + （演示）, unique within the call."""
    n = place.size
    b = np.array(BRAND)[rng.integers(len(BRAND), size=(n, 3))]
    brand = np.char.add(np.char.add(b[:, 0], b[:, 1]), b[:, 2])
    words = np.array([industry_word(c) for c in industry])
    tech = np.array([c[:2] in ("39", "40", "27", "65", "73") for c in industry])
    form = np.where(big, "股份有限公司", np.where(tech, "科技有限公司", "有限公司"))
    names = np.char.add(np.char.add(np.char.add(place.astype(str), brand), words), form)
    out = np.char.add(names, DEMO).astype(object)
    if np.unique(out.astype(str)).size < n:
        seen: dict[str, int] = {}
        for i in range(n):
            k = seen.get(out[i], 0)
            seen[out[i]] = k + 1
            if k:
                out[i] = names[i] + f"（演示{k + 1}）"
    return out


def group_name(place: str, word: str) -> str:
    return f"江西示例{place}{word}集团有限公司{DEMO}"


def make_usccs(regions: np.ndarray, serials: np.ndarray, kind: str = "91") -> np.ndarray:
    """Vectorised :func:`chainbrain.catalog.uscc.make`."""
    n = serials.size
    vals = np.zeros((n, 17), dtype=np.int64)
    vals[:, 0], vals[:, 1] = ALPHABET.index(kind[0]), ALPHABET.index(kind[1])
    reg = regions.astype(np.int64)
    for i in range(6):
        vals[:, 2 + i] = reg // 10 ** (5 - i) % 10
    s = serials.astype(np.int64)
    for i in range(8):
        vals[:, 8 + 7 - i] = s % 31
        s = s // 31
    vals[:, 16] = (serials.astype(np.int64) * 7) % 31
    check = (31 - (vals * np.array(WEIGHTS)).sum(axis=1) % 31) % 31
    codes = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)[np.column_stack([vals, check])]
    return np.ascontiguousarray(codes).view("S18").ravel().astype("U18").astype(object)


def serials(ids: np.ndarray, seed: int) -> np.ndarray:
    """A bijection of enterprise ids onto USCC serials (7919 is prime to 31)."""
    return (ids.astype(np.int64) * 7919 + seed * 104729 + 12345) % 31 ** 8
