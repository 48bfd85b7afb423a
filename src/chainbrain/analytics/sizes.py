"""Enterprise size classes (大/中/小/微) for industry, as versioned pack data.

Rule (《中小企业划型标准规定》, 工信部联企业〔2011〕300号, 工业; the pack's
``classifications.toml`` ``[size_classes]`` holds the thresholds and the
issuing document): an enterprise is of the first class, in the order large,
medium, small, whose lower bounds it reaches on EVERY indicator —
从业人员 ≥ min_employees **and** 营业收入 ≥ min_revenue ("X人及以上 且 Y万元及以上":
a value exactly at a threshold reaches it); micro otherwise ("X人以下 或 Y万元以下").
Industry: large ≥ 1000 persons and ≥ 4 亿元; medium ≥ 300 and ≥ 2000 万元;
small ≥ 20 and ≥ 300 万元.

Inputs for the class of year Y (:mod:`chainbrain.analytics.operations`): the
enterprise's annual report of Y−1 (营业收入; 从业人员 period-end, else 从业人员平均人数,
as 统计上大中小微型企业划分办法 does); without one, the current YTD report
annualised (revenue × 12 / M) with the period-end headcount, else the average.
Without revenue or employees the class is ``unclassified``.
"""

from __future__ import annotations

from functools import lru_cache

import ibis

from chainbrain.catalog.pack import load_pack

UNCLASSIFIED = "unclassified"


def classifications(pack=None) -> dict:
    """The pack's ``classifications.toml``."""
    if pack is None:
        return _default()
    return pack._toml("classifications")


@lru_cache(maxsize=1)
def _default() -> dict:
    return load_pack()._toml("classifications")


def size_classes(pack=None) -> list[tuple[str, float, float]]:
    """(code, min_employees, min_revenue yuan) in the order they are tried (largest first)."""
    cfg = classifications(pack)["size_classes"]
    return [(c["code"], float(c["min_employees"]), float(c["min_revenue"])) for c in cfg["classes"]]


def size_labels(pack=None) -> dict[str, tuple[str, str]]:
    cfg = classifications(pack)["size_classes"]
    out = {c["code"]: (c["zh"], c["en"]) for c in cfg["classes"]}
    out[UNCLASSIFIED] = ("未划型", "unclassified")
    return out


def classify(revenue: float | None, employees: float | None, thresholds) -> str:
    """The class of one enterprise (plain Python; the same rule as :func:`size_case`)."""
    if revenue is None or employees is None:
        return UNCLASSIFIED
    for code, emp, rev in thresholds:
        if employees >= emp and revenue >= rev:
            return code
    return UNCLASSIFIED


def size_case(revenue, employees, thresholds):
    """The class as an Ibis expression of ``revenue`` (yuan) and ``employees`` (persons)."""
    cases = [((revenue >= rev) & (employees >= emp), code) for code, emp, rev in thresholds]
    return ibis.cases(((revenue.isnull() | employees.isnull()), UNCLASSIFIED), *cases, else_=UNCLASSIFIED)
