"""Supervision (督办) of tasks: the clock in working days, red/yellow/green, and roll-ups.

Per task, on day ``today`` (days are working days of :mod:`chainbrain.work.calendar`, the
official holiday and make-up-day calendar; numbers from :mod:`chainbrain.work.task_rules`,
unsourced and configurable):

- completion reported (待核验, 已核验, 已办结): **green**, the clock stops;
- past the deadline: **red**; ``overdue_days`` = working days after the deadline up to and
  including today (the deadline itself is day 0). Steps: ``overdue`` at
  ``overdue_remind_days`` (reminder to the responsible unit), ``chain`` at
  ``escalate_chain_days`` (supervision notice on the chain office's behalf), ``province`` at
  ``escalate_province_days`` (reported to the province);
- at most ``at_risk_days`` working days before the deadline and no progress report in the last
  ``stale_days`` working days (or none at all): **yellow** (at risk; step ``at_risk``, a
  reminder);
- otherwise **green**.

Roll-up per chain, responsible unit and city: a group is red when at least ``red_share`` of
its open tasks are red, yellow when any of its open tasks is red or yellow, else green.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chainbrain.work.task_rules import TaskRules
from chainbrain.work.task_states import DONE

STEPS = ("at_risk", "overdue", "chain", "province")
STEP_LABELS = {"at_risk": ("临期提醒", "at-risk reminder"), "overdue": ("逾期提醒", "overdue reminder"),
               "chain": ("升级至链长办督办", "escalated to the chain office"),
               "province": ("报省督办", "reported to the province")}
RAG = ("red", "yellow", "green")


def _days_after(a: dt.date, b: dt.date) -> int:
    """Working days d with a < d ≤ b (0 when b ≤ a)."""
    from chainbrain.work.calendar import working_days_between

    return working_days_between(a, b) if b > a else 0


@dataclass(frozen=True)
class Clock:
    rag: str                   # red|yellow|green
    overdue_days: int          # working days past the deadline (0 when not overdue)
    remaining_days: int        # working days left until the deadline (0 when past)
    steps: tuple[str, ...]     # escalation steps due today (STEPS)


def clock(status: str, deadline: dt.date, last_progress_on: dt.date | None, today: dt.date,
          rules: TaskRules) -> Clock:
    """The supervision reading of one task on ``today`` (see the module docstring)."""
    if status in DONE:
        return Clock("green", 0, 0, ())
    if today > deadline:
        n = _days_after(deadline, today)
        steps = tuple(s for s, limit in (("overdue", rules.overdue_remind_days),
                                         ("chain", rules.escalate_chain_days),
                                         ("province", rules.escalate_province_days)) if n >= limit)
        return Clock("red", n, 0, steps)
    left = _days_after(today, deadline)
    stale = last_progress_on is None or _days_after(last_progress_on, today) > rules.stale_days
    if left <= rules.at_risk_days and stale:
        return Clock("yellow", 0, left, ("at_risk",))
    return Clock("green", 0, left, ())


def group_rag(red: int, yellow: int, open_: int, rules: TaskRules) -> str:
    """A group's colour from its open tasks' colours (see the module docstring)."""
    if open_ and red / open_ >= rules.red_share:
        return "red"
    if red or yellow:
        return "yellow"
    return "green"


def rollup(tasks: list[dict], key, rules: TaskRules) -> list[dict]:
    """Counts and colour per group: ``tasks`` carry ``status`` and ``rag``; ``key(task)`` gives
    (group code, group name) or None to leave a task out. Sorted red first, then by code."""
    groups: dict[str, dict] = {}
    for t in tasks:
        k = key(t)
        if k is None:
            continue
        g = groups.setdefault(k[0], {"code": k[0], "name": k[1], "total": 0, "open": 0, "red": 0, "yellow": 0,
                                     "green": 0, "done": 0, "closed": 0})
        g["total"] += 1
        if t["status"] in DONE:
            g["done"] += 1
            g["closed"] += t["status"] == "closed"
        else:
            g["open"] += 1
            g[t["rag"]] += 1
    out = []
    for g in groups.values():
        g["rag"] = group_rag(g["red"], g["yellow"], g["open"], rules)
        g["done_rate"] = g["done"] / g["total"] if g["total"] else None
        out.append(g)
    order = {c: i for i, c in enumerate(RAG)}
    return sorted(out, key=lambda g: (order[g["rag"]], g["code"]))
