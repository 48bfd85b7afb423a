"""The pack's rules for enterprise requests: categories, routing and clocks (versioned data).

``packs/<pack>/work/requests.toml`` (UNSOURCED, configurable — no reference
document fixes them): categories (code, Chinese and English name); routing
rules, first match wins on category and optional region prefix, each sending
the request to the bureau of the enterprise's county (``county``, also the
default), of its prefecture (``city``) or to a unit (``unit``); clocks in
working days: respond (3), resolve (15), escalate when overdue this long (5),
confirm before automatic closure (5).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from chainbrain.work.records import Invalid


@dataclass(frozen=True)
class Rules:
    version: str
    sourced: bool
    note: str
    categories: tuple[dict, ...]
    routes: tuple[dict, ...]
    respond_days: int
    resolve_days: int
    escalate_after_days: int
    confirm_days: int

    def category(self, value) -> dict:
        """The category given by code or by Chinese/English name (:class:`Invalid` otherwise)."""
        text = str(value or "").strip()
        for c in self.categories:
            if text and text.lower() in (c["code"].lower(), c["name_zh"], c["name_en"].lower()):
                return c
        names = "、".join(c["name_zh"] for c in self.categories)
        raise Invalid(f"category: {text!r} is not one of {', '.join(c['code'] for c in self.categories)} "
                      f"(字段 category 应为：{names})")

    def category_name(self, code: str, lang: str = "zh") -> str:
        c = next((c for c in self.categories if c["code"] == code), None)
        return code if c is None else c["name_zh" if lang == "zh" else "name_en"]

    def route(self, category: str, county: str | None, prefecture: str | None) -> tuple[str | None, str | None]:
        """(responsible region code, responsible unit code) for a request of ``category`` from an
        enterprise in ``county`` (prefecture ``prefecture``)."""
        for r in self.routes:
            if r.get("category") not in (None, category):
                continue
            if r.get("region") and not (county or "").startswith(str(r["region"])):
                continue
            to = r.get("to", "county")
            if to == "unit":
                return None, r["unit"]
            if to == "city" and prefecture:
                return prefecture, None
            break
        return county, None


def rules_path(pack: str | None = None):
    from chainbrain.catalog.pack import load_pack

    return load_pack(pack).path / "work" / "requests.toml"


@lru_cache(maxsize=8)
def load_rules(pack: str | None = None) -> Rules:
    with open(rules_path(pack), "rb") as f:
        d = tomllib.load(f)
    clocks = d["clocks"]
    return Rules(version=str(d["rules"]["version"]), sourced=bool(d["rules"].get("sourced", False)),
                 note=d["rules"].get("note", ""), categories=tuple(d["categories"]),
                 routes=tuple(d.get("routes", [])), respond_days=int(clocks["respond_days"]),
                 resolve_days=int(clocks["resolve_days"]), escalate_after_days=int(clocks["escalate_after_days"]),
                 confirm_days=int(clocks["confirm_days"]))
