"""The supervision clock's run (``chainbrain work tick``): apply the escalation steps due today.

For every open task (已交办, 推进中) the clock of :mod:`chainbrain.work.supervision` names the
steps due; each step is applied once per task (``work_task_escalation`` keeps what was done, so
running the tick twice on a day, or every hour, changes nothing more):

- ``at_risk``: a reminder in the lead unit's inbox and the assigning office's;
- ``overdue``: a reminder to the lead unit and the region's bureau;
- ``chain``: a supervision notice (督办单) issued automatically on the chain office's behalf
  (the assigning office's when the task has no chain), the chain office told;
- ``province``: the province administrators told (报省督办).

``escalation_level`` of the task becomes 1, 2 or 3 with overdue, chain and province (audited).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store.schema_work_tasks import work_task, work_task_escalation
from chainbrain.work import supervision as S
from chainbrain.work import task_base as base
from chainbrain.work.task_rules import TaskRules, load_rules
from chainbrain.work.task_states import OPEN

LEVEL = {"overdue": 1, "chain": 2, "province": 3}
ACTOR = "supervision"


def tick(store, today: dt.date | None = None, rules: TaskRules | None = None) -> dict:
    """Apply every due step; returns ``{step: number of tasks}`` (one transaction)."""
    from chainbrain.work.task_write import issue_notice

    today = today or dt.date.today()
    rules = rules or load_rules()
    done = {s: 0 for s in S.STEPS}
    with store.begin() as conn:
        tasks = conn.execute(sa.select(work_task).where(work_task.c.status.in_(OPEN))
                             .order_by(work_task.c.id)).all()
        applied: dict[int, set] = {}
        for tid, step in conn.execute(sa.select(work_task_escalation.c.task_id, work_task_escalation.c.step)):
            applied.setdefault(int(tid), set()).add(step)
        for r in tasks:
            c = S.clock(r.status, r.deadline, r.last_progress_on, today, rules)
            new = [s for s in c.steps if s not in applied.get(int(r.id), set())]
            if not new:
                continue
            link = f"/tasks/{int(r.id)}"
            for step in new:
                notice_id = None
                if step == "at_risk":
                    base.notify(conn, f"临期预警：{r.title}（{r.deadline} 到期，剩 {c.remaining_days} 个工作日，近期无进展） / "
                                      f"At risk: {r.title} (due {r.deadline}, {c.remaining_days} working days left)",
                                link, unit=r.lead_unit, office=r.assigner_scope, task_id=int(r.id))
                elif step == "overdue":
                    base.notify(conn, f"逾期提醒：{r.title} 已逾期 {c.overdue_days} 个工作日 / "
                                      f"Overdue: {r.title}, {c.overdue_days} working days past the deadline",
                                link, unit=r.lead_unit, office=f"region:{r.region_code}", task_id=int(r.id))
                elif step == "chain":
                    issuer = f"chain:{r.chain_code}" if r.chain_code else r.assigner_scope
                    notice_id = issue_notice(store, conn, None, int(r.id),
                                             f"逾期 {c.overdue_days} 个工作日未办结，按督办规则升级督办 / "
                                             f"{c.overdue_days} working days overdue: escalated under the supervision rules",
                                             today, automatic=True, issuer_scope=issuer, rules=rules,
                                             is_demo=bool(r.is_demo))
                    base.notify(conn, f"升级督办：{r.title} 逾期 {c.overdue_days} 个工作日 / Escalated: {r.title}",
                                link, office=issuer, task_id=int(r.id))
                else:
                    base.notify(conn, f"报省督办：{r.title} 逾期 {c.overdue_days} 个工作日 / "
                                      f"Reported to the province: {r.title}", link, office="province", task_id=int(r.id))
                conn.execute(work_task_escalation.insert().values(task_id=r.id, step=step, applied_on=today,
                                                                  working_days=c.overdue_days or c.remaining_days,
                                                                  notice_id=notice_id))
                done[step] += 1
            level = max([LEVEL.get(s, 0) for s in new] + [r.escalation_level])
            if level != r.escalation_level:
                v = base.update(conn, work_task, int(r.id), r.version, {"escalation_level": level})
                base.audit(conn, ACTOR, "work_task", int(r.id), "escalate", {"escalation_level": r.escalation_level,
                                                                            "version": r.version},
                           {"escalation_level": level, "version": v}, ", ".join(new))
    return done
