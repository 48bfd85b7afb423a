"""Supervision rules of tasks as pack data (``packs/<pack>/work/tasks.toml``).

The clocks (at-risk window, stale-progress window, overdue reminder, escalation to
the chain office and to the province, notice answer time), the roll-up share and
the number of evidence files a report are numbers of the pack, marked there as unsourced and
configurable: no public document fixes them (policy-facts §1.8, §5.3 give the
practice — 项目式、清单化, 督办, 销号 — not the numbers). Days are working days.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from chainbrain.catalog.pack import load_pack


@dataclass(frozen=True)
class TaskRules:
    version: str
    sourced: bool
    note: str
    at_risk_days: int
    stale_days: int
    overdue_remind_days: int
    escalate_chain_days: int
    escalate_province_days: int
    notice_answer_days: int
    red_share: float
    max_files: int                                  # evidence files a progress report (size/type: work.files)


class RulesError(ValueError):
    """The pack's rules are inconsistent (bilingual message)."""


def parse(data: dict) -> TaskRules:
    """Rules from the parsed TOML; checks that the escalation steps come in order."""
    r, s, ev = data.get("rules", {}), data.get("supervision", {}), data.get("evidence", {})
    rules = TaskRules(
        version=str(r.get("version", "unversioned")), sourced=bool(r.get("sourced", False)), note=r.get("note", ""),
        at_risk_days=int(s.get("at_risk_days", 5)), stale_days=int(s.get("stale_days", 10)),
        overdue_remind_days=int(s.get("overdue_remind_days", 1)),
        escalate_chain_days=int(s.get("escalate_chain_days", 5)),
        escalate_province_days=int(s.get("escalate_province_days", 10)),
        notice_answer_days=int(s.get("notice_answer_days", 3)),
        red_share=float(data.get("rollup", {}).get("red_share", 0.2)),
        max_files=int(ev.get("max_files", 5)))
    if not (1 <= rules.overdue_remind_days <= rules.escalate_chain_days <= rules.escalate_province_days):
        raise RulesError("work/tasks.toml: overdue_remind_days ≤ escalate_chain_days ≤ escalate_province_days "
                         "(逾期提醒、升级到链长办、报省的工作日数应依次不减)")
    if rules.at_risk_days < 0 or rules.stale_days < 1 or not 0 < rules.red_share <= 1:
        raise RulesError("work/tasks.toml: at_risk_days ≥ 0, stale_days ≥ 1, 0 < red_share ≤ 1 "
                         "(临期天数、未更新天数与红色占比取值无效)")
    return rules


@lru_cache(maxsize=8)
def load_rules(pack: str | None = None) -> TaskRules:
    """The pack's task rules (the defaults of :func:`parse` when the pack has no ``work/tasks.toml``)."""
    path = load_pack(pack).path / "work" / "tasks.toml"
    if not path.exists():
        return parse({})
    with open(path, "rb") as f:
        return parse(tomllib.load(f))
