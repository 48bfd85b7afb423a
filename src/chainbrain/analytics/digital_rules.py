"""Digital-transformation rules (智改数转网联) as pack data: schemes, level rules, coverage targets.

The rules live in the province pack's ``digital.toml`` (policy-facts.md §2.4, §4): the MIIT SME
digital-level scheme in its 2022 (工信厅企业〔2022〕32号) and 2024 (工信厅企业〔2024〕56号) editions,
levels 1–4, and GB/T 39116-2020 smart-manufacturing maturity, levels 1–5 — each with edition, issuing
document and valid from/to — and the coverage targets with their deadlines. This module loads them
and checks them (:class:`RuleError`):

- scheme codes are unique; levels are the consecutive integers 1…n;
- a scheme's score bands (only the 2022 edition has sourced ones: L1 20–40, L2 40–60, L3 60–80,
  L4 ≥ 80) are ordered, meet at one bound each, the last is open, and each names a level of the
  scheme. Reading: a band holds ``lo ≤ s < hi`` (a printed a–b includes a); below the lowest band
  there is no level;
- targets name a known population (``above_scale`` | ``srdi``) and measure (``assessed`` |
  ``transformed`` | ``level2_plus``), a share in (0, 1] and a deadline date;
- ``[transformed] rule`` is ``project`` (已完成改造: a completed transformation project on or before the
  date — our reading, policy-facts §2.4 gives diagnosed and implemented counts but no definition);
- ``[provider]`` rating bounds are integers with min ≤ max (an unsourced 1–5 scale).

Unsourced skeletons (weights, GB/T 39117 requirement lists and pass rule, 标杆 / 小灯塔 criteria)
are loaded as they are and never applied: :func:`level_of_score` refuses a scheme without sourced
bands, :func:`unsourced` lists what is missing for the docs and pages.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache

from chainbrain.catalog.pack import load_pack

POPULATIONS = ("above_scale", "srdi")
MEASURES = ("assessed", "transformed", "level2_plus")
SOURCES = ("self", "third_party")


class RuleError(ValueError):
    """The pack's digital rule data is inconsistent."""


@dataclass(frozen=True)
class Band:
    lo: float
    hi: float
    level: int
    printed: str


@dataclass(frozen=True)
class Scheme:
    code: str
    title: str
    document: str
    edition: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    levels: tuple[int, ...]
    level_names: dict
    bands: tuple[Band, ...]
    source: str

    @property
    def max_level(self) -> int:
        return self.levels[-1]


@dataclass(frozen=True)
class Target:
    code: str
    title: str
    title_en: str
    population: str
    measure: str
    share: float
    deadline: dt.date
    deadline_source: str
    region: str | None
    source: str


def _date(text, where: str) -> dt.date | None:
    if text in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise RuleError(f"{where}: {text!r} is not YYYY-MM-DD (日期格式应为 YYYY-MM-DD)") from None


def _bands(spec: list[dict], levels: tuple[int, ...], where: str) -> tuple[Band, ...]:
    out = sorted((Band(float(b["lo"]), float(b.get("hi", math.inf)), int(b["level"]), str(b.get("printed", "")))
                  for b in spec), key=lambda b: b.lo)
    for a, b in zip(out, out[1:]):
        if a.hi != b.lo:
            raise RuleError(f"{where}: bands {a.printed!r} and {b.printed!r} must meet at one bound "
                            f"(相邻分档须在同一界值相接)")
    if out and out[-1].hi != math.inf:
        raise RuleError(f"{where}: the highest band must be open (最高档须无上限)")
    for b in out:
        if b.level not in levels:
            raise RuleError(f"{where}: band {b.printed!r} names level {b.level}, not a level of the scheme "
                            f"(分档等级不在该评测的等级中)")
    if [b.level for b in out] != sorted(b.level for b in out):
        raise RuleError(f"{where}: band levels must rise with the score (等级须随分数递增)")
    return tuple(out)


def _checked(r: dict) -> dict:
    schemes: dict[str, Scheme] = {}
    for s in r.get("scheme", []):
        code = s["code"]
        where = f"digital.toml scheme {code}"
        if code in schemes:
            raise RuleError(f"{where}: scheme listed twice (评测重复)")
        levels = tuple(int(x) for x in s["levels"])
        if not levels or levels != tuple(range(1, len(levels) + 1)):
            raise RuleError(f"{where}: levels must be 1…n (等级须为 1…n 的连续整数)")
        vf, vt = _date(s.get("valid_from"), where), _date(s.get("valid_to"), where)
        if vf and vt and vt < vf:
            raise RuleError(f"{where}: valid_to before valid_from (失效日期早于生效日期)")
        schemes[code] = Scheme(code, s["title"], s["document"], str(s["edition"]), vf, vt, levels,
                               {int(k): v for k, v in s.get("level_names", {}).items()},
                               _bands(s.get("bands", []), levels, where), s.get("source", ""))
    targets: list[Target] = []
    for t in r.get("target", []):
        where = f"digital.toml target {t.get('code')}"
        if t.get("population") not in POPULATIONS:
            raise RuleError(f"{where}: population must be one of {', '.join(POPULATIONS)} (对象口径未知)")
        if t.get("measure") not in MEASURES:
            raise RuleError(f"{where}: measure must be one of {', '.join(MEASURES)} (指标未知)")
        share = float(t["share"])
        if not 0 < share <= 1:
            raise RuleError(f"{where}: share must be a fraction in (0, 1] (目标比例须为 0–1 的小数)")
        deadline = _date(t.get("deadline"), where)
        if deadline is None:
            raise RuleError(f"{where}: a target needs its deadline (目标须有期限)")
        targets.append(Target(t["code"], t["title"], t.get("title_en", ""), t["population"], t["measure"], share,
                              deadline, str(t.get("deadline_source", "")), t.get("region") or None,
                              t.get("source", "")))
    rule = r.get("transformed", {}).get("rule", "project")
    if rule != "project":
        raise RuleError(f"digital.toml [transformed] rule must be 'project', not {rule!r} (改造口径须为 project)")
    pv = r.get("provider", {})
    lo, hi = int(pv.get("rating_min", 1)), int(pv.get("rating_max", 5))
    if lo > hi:
        raise RuleError("digital.toml [provider] rating_min above rating_max (评价分值下限高于上限)")
    return {"schemes": schemes, "targets": targets, "raw": r, "rating": (lo, hi)}


def rules(pack=None) -> dict:
    """``{"schemes": {code: Scheme}, "targets": [Target], "raw": the TOML}`` of the pack (checked)."""
    if pack is None:
        return _default()
    return _checked(pack._toml("digital"))


@lru_cache(maxsize=1)
def _default() -> dict:
    return _checked(load_pack()._toml("digital"))


def scheme(code: str, r: dict | None = None) -> Scheme:
    r = r or rules()
    if code not in r["schemes"]:
        raise KeyError(code)
    return r["schemes"][code]


def level_of_score(code: str, score: float, r: dict | None = None) -> int | None:
    """The level a total ``score`` reaches in scheme ``code`` (None below the lowest band).

    Raises :class:`RuleError` for a scheme whose score-to-level rule is not sourced (no bands)."""
    s = scheme(code, r)
    if not s.bands:
        raise RuleError(f"scheme {code}: no sourced score-to-level rule (该评测无有出处的分数—等级规则)")
    level = None
    for b in s.bands:
        if b.lo <= score < b.hi:
            level = b.level
    return level


def unsourced(r: dict | None = None) -> list[str]:
    """What the pack keeps as an unsourced skeleton (shown on the pages and in docs/digital.md)."""
    raw = (r or rules())["raw"]
    out = []
    for s in raw.get("scheme", []):
        if s.get("weights", {}).get("unsourced"):
            out.append(f"{s['code']}: per-dimension weights")
        if not s.get("bands") and s.get("bands_source") == "unsourced":
            out.append(f"{s['code']}: score-to-level rule")
        if s.get("assessment", {}).get("unsourced"):
            out.append(f"{s['code']}: {s['assessment'].get('document', '')} requirement lists and level rule")
    if raw.get("provider", {}).get("rating_source") == "unsourced":
        out.append("service-provider rating scale")
    if raw.get("benchmark", {}).get("unsourced"):
        out.append("benchmark / 小灯塔 selection criteria")
    return out
