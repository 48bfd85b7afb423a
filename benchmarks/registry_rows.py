"""Synthetic registry exports for the ``registry_import_mapping`` benchmark.

Rows are recombined from the project's real registry rows (``tests/fixtures/registry``: the
labelled parts and the sample, cut from the Jiangxi exports 2000–2003): each synthetic firm
takes a real firm's scope, drops or repeats nothing of its main items, splices in 0–2 items of
another firm's scope after its first item and gets a new name (city + two-character brand +
the real name's tail), USCC, capital, entity type (a fifth in the post-2021 许可项目/一般项目
layout) and address. Most scopes are therefore new strings, as in a real province export.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from chainbrain.catalog.uscc import make

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "registry"
COLUMNS = ["企业名称", "统一社会信用代码", "注册日期", "企业类型", "法人代表", "注册资金", "经营范围", "所在省份", "地区",
           "注册地址"]
CITIES = {"南昌": "360100", "景德镇": "360200", "萍乡": "360300", "九江": "360400", "新余": "360500",
          "鹰潭": "360600", "赣州": "360700", "吉安": "360800", "宜春": "360900", "抚州": "361000", "上饶": "361100"}
BRAND = list("鑫盛华恒泰兴达宏源丰瑞昌隆科创新天宇金银德顺安康和祥福佳美利通正信诚远博凯")
TYPES = ["有限责任公司", "有限责任公司(自然人独资)", "个体工商户", "股份有限公司", "有限责任公司分公司", "农民专业合作社"]
TAIL = re.compile(r"^(江西省?|中国)?([\u4e00-\u9fff]{2,3}?[市县区])?")


def _pool() -> pd.DataFrame:
    frames = []
    for f in sorted((FIXTURES / "labelled").glob("*.csv")) + [FIXTURES / "jiangxi_sample.csv"]:
        d = pd.read_csv(f, dtype=str, keep_default_na=False)
        d = d.rename(columns={"name": "企业名称", "business_scope": "经营范围", "capital": "注册资金"})
        frames.append(d[["企业名称", "经营范围", "注册资金"]])
    pool = pd.concat(frames, ignore_index=True)
    return pool[pool["经营范围"].str.len() > 0].reset_index(drop=True)


def make_rows(n: int, seed: int = 7) -> pd.DataFrame:
    pool = _pool()
    rng = np.random.default_rng(seed)
    scopes = pool["经营范围"].tolist()
    items = [re.split(r"[；;，,。]", s) for s in scopes]
    tails = [TAIL.sub("", nm)[2:] or "有限公司" for nm in pool["企业名称"]]
    caps = pool["注册资金"].tolist()
    city_names = list(CITIES)
    pick = rng.integers(0, len(pool), n)
    other = rng.integers(0, len(pool), n)
    splice = rng.integers(0, 3, n)
    modern = rng.random(n) < 0.2
    city = rng.integers(0, len(city_names), n)
    brand = rng.integers(0, len(BRAND), (n, 2))
    kind = rng.choice(len(TYPES), n, p=[0.55, 0.2, 0.12, 0.05, 0.05, 0.03])
    names, scope_out, codes, cap_out, types = [], [], [], [], []
    for i in range(n):
        k = pick[i]
        its = [x for x in items[k] if x]
        extra = [x for x in items[other[i]] if x][:splice[i]]
        its = its[:1] + extra + its[1:]
        text = "，".join(its)
        if modern[i]:
            text = "一般项目：" + "；".join(its) + "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
        c = city_names[city[i]]
        names.append(f"{c}{BRAND[brand[i, 0]]}{BRAND[brand[i, 1]]}{tails[k]}")
        scope_out.append(text)
        codes.append(make(CITIES[c], 5_000_000 + i))
        cap_out.append(caps[k] or f"{int(rng.integers(1, 500))}(万元人民币)")
        types.append(TYPES[kind[i]])
    return pd.DataFrame({
        "企业名称": names, "统一社会信用代码": codes,
        "注册日期": pd.to_datetime("2015-01-01") + pd.to_timedelta(rng.integers(0, 3000, n), unit="D"),
        "企业类型": types, "法人代表": ["张三"] * n, "注册资金": cap_out, "经营范围": scope_out,
        "所在省份": ["江西"] * n, "地区": [city_names[j] for j in city],
        "注册地址": [f"江西省{city_names[j]}市某某路{i % 997}号" for i, j in enumerate(city)],
    })[COLUMNS]


if __name__ == "__main__":
    import sys

    n = int(sys.argv[1])
    make_rows(n).to_csv(sys.argv[2], index=False)
