"""The departments a request or task can be routed to (role ``unit``), from the pack.

``packs/<pack>/work/units.csv``: code, Chinese and English name, level
(province|city|county), region code, kind (government|utility|…) and source.
A ``unit`` user's scope is one of these codes: it sees the work items routed
or assigned to its unit and no enterprise data beyond them
(:mod:`chainbrain.web.policy`).
"""

from __future__ import annotations

import csv
from functools import lru_cache


@lru_cache(maxsize=8)
def units(pack: str | None = None) -> tuple[dict, ...]:
    from chainbrain.catalog.pack import load_pack

    path = load_pack(pack).path / "work" / "units.csv"
    if not path.exists():
        return ()
    with open(path, encoding="utf-8", newline="") as f:
        return tuple(dict(r) for r in csv.DictReader(f))


def unit(code: str | None, pack: str | None = None) -> dict | None:
    """The unit with ``code`` (None when unknown)."""
    return next((u for u in units(pack) if u["code"] == code), None)


def unit_name(code: str | None, lang: str = "zh") -> str:
    u = unit(code)
    if u is None:
        return code or ""
    return u["name_zh"] if lang == "zh" else u["name_en"]
