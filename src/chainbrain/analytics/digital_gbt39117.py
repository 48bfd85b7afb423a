"""GB/T 39117-2020 scoring of a GB/T 39116 (智能制造能力成熟度) assessment: requirement answers → level.

Pack data: ``digital.toml`` scheme ``gbt39116`` ``[scheme.assessment]`` (document GB/T 39117-2020):
``answers`` (each answer option's score in [0, 1]), ``pass_share`` (in (0, 1]) and ``requirements``
(``id``, ``level`` of the scheme, ``element`` one of the scheme's four capability elements 人员 / 技术 / 资源 /
制造 [Q], ``domain``, ``text``, ``weight`` > 0, default 1).

Rule (:func:`score`):

- a level's score ``S_L = Σ wᵢ·aᵢ / Σ wᵢ`` over the requirements of level L, aᵢ the score of the answer
  given to requirement i;
- the firm reaches level L when ``S_1 … S_L`` all reach ``pass_share`` (``S ≥ pass_share``: a bound that
  includes itself) — the levels are cumulative (GB/T 39116's L1 规划级 … L5 引领级 build on each other; our
  reading, [I]); a level without requirements is never reached, nor any above it;
- the level is the highest L reached, None when level 1 is not.

Nothing of the scoring is in the references (policy-facts §4.2 gives the five levels and the four
elements only), so ``answers``, ``pass_share`` and ``requirements`` ship empty: :func:`method` reports
``configured = False`` and :func:`score` raises :class:`~chainbrain.analytics.digital_rules.RuleError` — the
level is then taken as given. Values a province fills in are applied; while ``unsourced = true`` stays
set the result says so (``unsourced``) and the pages mark it.
"""

from __future__ import annotations

from dataclasses import dataclass

from chainbrain.analytics.digital_rules import RuleError, rules

CODE = "gbt39116"


@dataclass(frozen=True)
class Requirement:
    id: str
    level: int
    element: str
    domain: str
    text: str
    weight: float


@dataclass(frozen=True)
class Method:
    document: str
    answers: dict
    pass_share: float | None
    requirements: tuple[Requirement, ...]
    unsourced: bool

    @property
    def configured(self) -> bool:
        return bool(self.answers) and self.pass_share is not None and bool(self.requirements)


def method(r: dict | None = None) -> Method:
    """The checked ``[scheme.assessment]`` of GB/T 39116 (RuleError for inconsistent values)."""
    r = r or rules()
    raw = next(s for s in r["raw"]["scheme"] if s["code"] == CODE)
    a = raw.get("assessment", {})
    where = "digital.toml gbt39116 assessment"
    answers = {str(k): float(v) for k, v in a.get("answers", {}).items()}
    if any(not 0 <= v <= 1 for v in answers.values()):
        raise RuleError(f"{where}: answer scores lie in [0, 1] (答案分值须在 0–1 之间)")
    ps = a.get("pass_share", "")
    ps = None if ps in ("", None) else float(ps)
    if ps is not None and not 0 < ps <= 1:
        raise RuleError(f"{where}: pass_share lies in (0, 1] (达标比例须在 0–1 之间)")
    levels = set(r["schemes"][CODE].levels)
    elements = set(raw.get("dimensions", []))
    reqs, seen = [], set()
    for q in a.get("requirements", []):
        rid = str(q["id"])
        if rid in seen:
            raise RuleError(f"{where}: requirement {rid} listed twice (要求项重复)")
        seen.add(rid)
        if int(q["level"]) not in levels:
            raise RuleError(f"{where}: requirement {rid} names level {q['level']}, not a level of GB/T 39116 "
                            f"(要求项等级不在 1–5 之中)")
        if elements and q.get("element") not in elements:
            raise RuleError(f"{where}: requirement {rid}: element must be one of {'/'.join(sorted(elements))} "
                            f"(能力要素未知)")
        w = float(q.get("weight", 1))
        if w <= 0:
            raise RuleError(f"{where}: requirement {rid}: weight must be > 0 (权重须大于 0)")
        reqs.append(Requirement(rid, int(q["level"]), q.get("element", ""), q.get("domain", ""), q.get("text", ""), w))
    return Method(a.get("document", "GB/T 39117-2020"), answers, ps, tuple(reqs), bool(a.get("unsourced", False)))


def score(answers: dict, r: dict | None = None) -> dict:
    """``{"scores": {level: S_L}, "level": L | None, "unsourced": bool}`` for ``answers`` {requirement id: answer
    option} (module docstring). ValueError (bilingual, naming the requirement) for a missing or unknown answer;
    RuleError while the method is not configured."""
    m = method(r)
    if not m.configured:
        raise RuleError("GB/T 39117 scoring is not configured in the pack: its requirement lists and pass rule are "
                        "not in the references — enter the level of your assessment report "
                        "(GB/T 39117 评分规则资料未载明，未配置：请直接填写评估报告中的等级)")
    known = {q.id for q in m.requirements}
    for rid, opt in answers.items():
        if str(rid) not in known:
            raise ValueError(f"answers: unknown requirement {rid!r} (未知的要求项)")
        if opt not in m.answers:
            raise ValueError(f"answers: requirement {rid}: unknown answer {opt!r}, expected one of "
                             f"{', '.join(m.answers)} (答案选项未知)")
    scores: dict[int, float] = {}
    for lv in sorted({q.level for q in m.requirements}):
        qs = [q for q in m.requirements if q.level == lv]
        missing = [q.id for q in qs if q.id not in answers]
        if missing:
            raise ValueError(f"answers: requirement {missing[0]} (level {lv}) has no answer (要求项未作答)")
        scores[lv] = sum(q.weight * m.answers[answers[q.id]] for q in qs) / sum(q.weight for q in qs)
    level = None
    for lv in range(1, max(scores, default=0) + 1):
        if lv not in scores or scores[lv] < m.pass_share - 1e-9:     # a mean within 1e-9 of the bound reaches it
            break
        level = lv
    return {"scores": scores, "level": level, "unsourced": m.unsourced}
