"""GB/T 4754-2017 (with amendment No. 1, 2019) and its SEI and high-tech flags.

Sources (see ``data/SOURCES.md``): the class table, 《战略性新兴产业分类(2018)》
(国家统计局令第23号) mapped to 4-digit classes, and 《高技术产业(制造业)分类(2017)》.

Flag rule for a class: ``sei`` is ``true`` when some SEI row includes the whole
class (no ``*``), ``partial`` when every row marks it ``*``, else ``false``;
``hightech`` likewise. For a section, division or group the flag is ``true``
when all its classes are fully flagged, ``partial`` when some are, else ``false``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

#: Sections of above-scale industry (mining, manufacturing, utilities).
INDUSTRY_SECTIONS = ("B", "C", "D")
MANUFACTURING_SECTIONS = ("C",)


@dataclass(frozen=True)
class IndustryClass:
    code: str
    name: str
    level: str           # section|division|group|class
    parent_code: str
    section: str
    sei: str             # true|partial|false
    hightech: str        # true|partial|false


def _read(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _class_flags(rows: list[dict], partial_key: str) -> dict[str, str]:
    flags: dict[str, str] = {}
    for r in rows:
        code = r["industry_code"]
        full = r[partial_key] == "N"
        if full or flags.get(code) == "true":
            flags[code] = "true"
        else:
            flags[code] = "partial"
    return flags


@lru_cache(maxsize=1)
def industries() -> tuple[IndustryClass, ...]:
    """Every section, division, group and class, in code order of the standard."""
    base = _read("gbt4754_2017.csv")
    sei = _class_flags(_read("sei_2018_to_4754.csv"), "partial")
    ht = _class_flags(_read("hightech_mfg_2017_to_4754.csv"), "partial")
    parent = {r["code"]: r["parent_code"] for r in base}

    def section_of(code: str) -> str:
        while parent.get(code):
            code = parent[code]
        return code

    children: dict[str, list[str]] = {}
    for r in base:
        if r["parent_code"]:
            children.setdefault(r["parent_code"], []).append(r["code"])

    def classes_under(code: str) -> list[str]:
        kids = children.get(code)
        if not kids:
            return [code]
        out: list[str] = []
        for k in kids:
            out.extend(classes_under(k))
        return out

    def roll(flags: dict[str, str], code: str, level: str) -> str:
        if level == "class":
            return flags.get(code, "false")
        vals = [flags.get(c, "false") for c in classes_under(code)]
        if all(v == "true" for v in vals):
            return "true"
        return "partial" if any(v != "false" for v in vals) else "false"

    return tuple(
        IndustryClass(r["code"], r["name"], r["level"], r["parent_code"], section_of(r["code"]),
                      roll(sei, r["code"], r["level"]), roll(ht, r["code"], r["level"]))
        for r in base
    )


@lru_cache(maxsize=1)
def by_code() -> dict[str, IndustryClass]:
    return {c.code: c for c in industries()}
