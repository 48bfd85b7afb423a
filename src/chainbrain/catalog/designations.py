"""Designations (认定与称号): the kinds and levels an enterprise can hold, with their names.

One vocabulary for the importer (which accepts the Chinese names and the
synonyms below, :mod:`chainbrain.ingest.headers`), the demo generator and
the pages (which show the names, never the codes). Names follow the MIIT
and Jiangxi programmes: 专精特新 tiers (创新型中小企业 → 专精特新中小企业 →
专精特新“小巨人”), 制造业单项冠军, 高新技术企业, 链主企业 (the chain-leader
system), 灯塔工厂 / 小灯塔 and 数字化转型标杆 (digital transformation),
重点龙头企业, 上市企业.
"""

from __future__ import annotations

#: kind → (中文名, English name, other Chinese names accepted on import)
KINDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "chain_master": ("链主企业", "Chain master", ("链主",)),
    "little_giant": ("专精特新“小巨人”", "SRDI “little giant”", ("专精特新小巨人", "小巨人", '专精特新"小巨人"')),
    "srdi": ("专精特新中小企业", "SRDI SME", ("专精特新",)),
    "innovative_sme": ("创新型中小企业", "Innovative SME", ()),
    "single_champion": ("制造业单项冠军", "Manufacturing single champion", ("单项冠军",)),
    "high_tech": ("高新技术企业", "High-tech enterprise", ()),
    "lighthouse": ("灯塔工厂", "Lighthouse factory", ("小灯塔",)),
    "benchmark": ("数字化转型标杆", "Digital transformation benchmark", ("标杆",)),
    "leading": ("重点龙头企业", "Leading enterprise", ("龙头企业",)),
    "listed": ("上市企业", "Listed company", ("上市公司",)),
}

#: level → (中文名, English name, other Chinese names accepted on import)
LEVELS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "national": ("国家级", "National", ("国家",)),
    "provincial": ("省级", "Provincial", ("省",)),
    "city": ("市级", "City", ("市",)),
}


#: codes written by earlier versions of the demo generator
LEGACY = {"srdi_innovative": "innovative_sme"}


def kind_name(kind: str | None, lang: str = "zh") -> str | None:
    """The kind's name in ``lang`` (an unknown code is shown as it is)."""
    if kind is None:
        return None
    names = KINDS.get(LEGACY.get(kind, kind))
    return kind if names is None else names[1 if lang == "en" else 0]


def level_name(level: str | None, lang: str = "zh") -> str | None:
    if level is None:
        return None
    names = LEVELS.get(level)
    return level if names is None else names[1 if lang == "en" else 0]
