"""Demo work: a believable year of tasks, meetings and supervision for the demo province.

Deterministic for a seed and a build date (``today``): for every chain, its chain office holds
two working meetings whose decisions become tasks, and assigns the year's work points as tasks
to provincial departments, the industry department and the bureaus of the chain's leading
cities (the pack's specializations). Deadlines spread over the year; a task's state follows its
deadline the way real lists look — most past-deadline tasks closed or awaiting verification, a
share still open and so overdue, upcoming ones in progress, some without recent progress (at
risk). Progress reports are dated. Then the supervision clock (:func:`chainbrain.work.tasks_tick.tick`)
is run for each of the last 60 days, so reminders, escalations and automatic supervision
notices carry their real dates; part of the notices are answered. Every row is ``is_demo``;
names of people are invented and marked as such (示例).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import sqlalchemy as sa

from chainbrain.store.schema_work_tasks import (work_meeting, work_meeting_attendee, work_meeting_decision,
                                                work_notice, work_task, work_task_escalation, work_task_milestone,
                                                work_task_progress, work_task_unit)
from chainbrain.web.users import User
from chainbrain.work import task_base as base

WORK_POINTS = [
    "推动{c}链主企业重大项目竣工投产", "编制{c}产业链补链延链招商目标企业清单", "组织{c}产业链上下游供需对接活动",
    "开展{c}产业链关键核心技术联合攻关（揭榜挂帅）", "推进{c}产业链规上企业智改数转网联全覆盖",
    "培育{c}产业链专精特新中小企业梯队", "协调解决{c}链主企业用地用能要素保障", "更新{c}产业链“四图五清单”",
    "落实{c}产业链“一链一策”支持政策兑现", "推动{c}产业集群申报国家先进制造业集群",
]
DECISIONS = [
    "协调链主企业二期项目电力增容接入", "建立链上企业融资需求清单并组织银企对接", "梳理链上企业用工缺口并开展专场招聘",
    "推动链主企业与本地配套企业签订采购协议", "组织链上企业参加省外重点展会招商", "研究出台链上企业技术改造奖补细则",
]
UNITS = ["江西省工业和信息化厅", "江西省发展和改革委员会", "江西省科学技术厅", "江西省商务厅",
         "江西省自然资源厅", "江西省地方金融管理局", "国网江西省电力有限公司", "江西省人力资源和社会保障厅"]
DECISION_UNITS = ["国网江西省电力有限公司", "江西省地方金融管理局", "江西省人力资源和社会保障厅", "江西省工业和信息化厅",
                  "江西省商务厅", "江西省科学技术厅"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗"
PROGRESS = ["已完成前期调研，形成工作方案", "已召开专题协调会，明确责任分工", "主体工作完成过半，正按节点推进",
            "已完成主要节点，正在整理佐证材料", "已与相关企业对接，达成初步意向"]


def _person(rng) -> str:
    return SURNAMES[rng.integers(len(SURNAMES))] + ("科长", "处长", "主任", "副处长")[rng.integers(4)] + "（示例）"


def delete_demo_work(conn) -> None:
    """Remove earlier demo tasks, meetings and notices with everything hanging on them."""
    demo = sa.select(work_task.c.id).where(work_task.c.is_demo)
    for t in (work_task_unit, work_task_milestone, work_task_progress, work_task_escalation):
        conn.execute(t.delete().where(t.c.task_id.in_(demo)))
    conn.execute(work_notice.delete().where(work_notice.c.is_demo))
    meetings = sa.select(work_meeting.c.id).where(work_meeting.c.is_demo)
    for t in (work_meeting_attendee, work_meeting_decision):
        conn.execute(t.delete().where(t.c.meeting_id.in_(meetings)))
    conn.execute(work_meeting.delete().where(work_meeting.c.is_demo))
    conn.execute(work_task.delete().where(work_task.c.is_demo))


def _state(rng, deadline: dt.date, today: dt.date) -> str:
    days = (today - deadline).days
    u = rng.random()
    if days > 30:
        return "closed" if u < 0.74 else "verified" if u < 0.86 else "awaiting_verification" if u < 0.95 else "in_progress"
    if days > 0:
        return "closed" if u < 0.4 else "awaiting_verification" if u < 0.7 else "in_progress"
    if days > -60:
        return "in_progress" if u < 0.8 else "awaiting_verification"
    return "assigned" if u < 0.4 else "in_progress"


def _settle(conn, rng, tid: int, state: str, deadline: dt.date, created: dt.date, today: dt.date, actor: str) -> None:
    """Give a demo task its dated history: progress reports, completion, verification, closure."""
    span = max((min(deadline, today) - created).days, 1)
    n = 0 if state == "assigned" else int(rng.integers(1, 4))
    stale = state == "in_progress" and rng.random() < 0.35           # no recent report: at risk / overdue
    dates = sorted({created + dt.timedelta(days=int(x)) for x in rng.integers(1, span + 1, n)})
    if stale:
        dates = [d for d in dates if (today - d).days > 20] or dates[:1]
    pct = 0
    for i, d in enumerate(dates):
        if d > today:
            break
        pct = min(95, pct + int(rng.integers(15, 45)))
        conn.execute(work_task_progress.insert().values(
            id=base.new_id(conn, "work_task_progress"), task_id=tid, reported_on=d,
            reported_at=dt.datetime.combine(d, dt.time(16, 30)), actor=actor, percent=pct,
            text=PROGRESS[min(i, len(PROGRESS) - 1)]))
    done = state in ("awaiting_verification", "verified", "closed")
    reported = min(deadline, today) - dt.timedelta(days=int(rng.integers(0, 6))) if done else None
    last = (dates[-1] if dates and dates[-1] <= today else None)
    values = {"status": state, "progress_pct": 100 if done else pct, "last_progress_on": reported or last,
              "progress_note": (PROGRESS[3] if done else PROGRESS[min(len(dates), len(PROGRESS)) - 1] if dates else None),
              "reported_on": reported}
    if state in ("verified", "closed"):
        values.update(verified_on=min(today, reported + dt.timedelta(days=int(rng.integers(2, 8)))), verified_by=actor)
    if state == "closed":
        values["closed_on"] = min(today, values["verified_on"] + dt.timedelta(days=int(rng.integers(0, 4))))
    conn.execute(work_task.update().where(work_task.c.id == tid).values(**values))


def build_work_tasks(store, pack, seed: int, today: dt.date | None = None) -> dict:
    """Write the demo year of work (replacing earlier demo work); returns row counts."""
    from chainbrain.work.meetings import create_meeting
    from chainbrain.work.task_write import create_task
    from chainbrain.work.tasks_tick import tick

    today = today or dt.date.today()
    rng = np.random.default_rng(seed + 14)
    year_start = dt.date(today.year, 1, 1)
    cities = {c.code: c.name for c in pack.cities()}
    spec: dict[str, list[str]] = {}
    for s in sorted(pack.specializations, key=lambda s: -float(s.get("weight") or 0)):
        spec.setdefault(s["chain_code"], []).append(s["city_code"])
    counts = {"work_task": 0, "work_meeting": 0}
    with store.begin() as conn:
        delete_demo_work(conn)
        for chain in pack.chains:
            office = User(id=0, username=f"demo_office_{chain.code}", role="chain_office", chain_code=chain.code)
            leads = [c for c in spec.get(chain.code, []) if c in cities][:3] or [sorted(cities)[0]]
            for k, point in enumerate(WORK_POINTS):
                deadline = year_start + dt.timedelta(days=int(60 + k * 33 + rng.integers(0, 28)))
                city = leads[int(rng.integers(len(leads)))]
                provincial = rng.random() < 0.5
                created = year_start + dt.timedelta(days=int(rng.integers(20, 45)))
                lead = UNITS[int(rng.integers(len(UNITS)))] if provincial else cities[city] + "工业和信息化局"
                coop = sorted({UNITS[int(i)] for i in rng.integers(0, len(UNITS), int(rng.integers(0, 3)))} - {lead})
                tid = create_task(store, conn, office, {
                    "seq": str(k + 1), "title": point.format(c=chain.name_zh), "lead_unit": lead,
                    "lead_person": _person(rng), "coop_units": coop, "chain_code": chain.code,
                    "region_code": pack.province_code if provincial else city, "deadline": deadline,
                    "milestones": [{"title": "形成工作方案", "due_on": created + dt.timedelta(days=20),
                                    "done_on": created + dt.timedelta(days=18)}]},
                    created, source="plan", is_demo=True)
                _settle(conn, rng, tid, _state(rng, deadline, today), deadline, created, today, office.username)
                counts["work_task"] += 1
            nxt = today + dt.timedelta(days=int(rng.integers(45, 120)))       # next year's work, just assigned
            tid = create_task(store, conn, office, {
                "seq": str(len(WORK_POINTS) + 1), "title": f"谋划{chain.name_zh}产业链下一年度重点项目储备",
                "lead_unit": "江西省工业和信息化厅", "lead_person": _person(rng), "chain_code": chain.code,
                "region_code": pack.province_code, "deadline": nxt}, today - dt.timedelta(days=5),
                source="plan", is_demo=True)
            counts["work_task"] += 1
            for q, month in enumerate((3, 8)):
                held = dt.date(today.year, month, 10 + int(rng.integers(0, 15)))
                if held > today:
                    continue
                decisions = [{"text": DECISIONS[int(i)], "lead_unit": DECISION_UNITS[int(i)],
                              "deadline": (held + dt.timedelta(days=int(rng.integers(30, 120)))).isoformat()}
                             for i in rng.choice(len(DECISIONS), 2, replace=False)]
                mid, tids = create_meeting(store, conn, office, {
                    "title": f"{chain.name_zh}产业链{('一', '三')[q]}季度工作例会", "held_on": held.isoformat(),
                    "agenda": ["通报产业链运行情况", "研究链主企业诉求", "部署下阶段重点任务"],
                    "place": "省工信厅会议室", "chair": f"{chain.name_zh}产业链链长（示例）",
                    "region_code": pack.province_code,
                    "attendees": [{"name": _person(rng), "unit": u} for u in ("江西省工业和信息化厅", *DECISION_UNITS[:3])],
                    "decisions": decisions}, held, is_demo=True)
                counts["work_meeting"] += 1
                for d, tid in zip(decisions, tids):
                    deadline = dt.date.fromisoformat(d["deadline"])
                    _settle(conn, rng, tid, _state(rng, deadline, today), deadline, held, today, office.username)
                    counts["work_task"] += 1
    steps = {}
    for back in range(60, -1, -1):                                   # the clock over the last 60 days
        for k, v in tick(store, today - dt.timedelta(days=back)).items():
            steps[k] = steps.get(k, 0) + v
    with store.begin() as conn:                                       # part of the notices are answered
        for n in conn.execute(sa.select(work_notice).where(work_notice.c.is_demo, work_notice.c.status == "issued",
                                                           work_notice.c.answer_due < today)).all():
            if rng.random() < 0.6:
                conn.execute(work_notice.update().where(work_notice.c.id == n.id).values(
                    status="answered", answer="已制定整改措施，正加快推进（示例）",
                    answered_on=min(today, n.answer_due), answered_by="demo", version=n.version + 1))
        from chainbrain.demo.work_org import build_org                  # 链长制组织

        counts["work_org"] = build_org(store, conn, pack, seed, today)
        from chainbrain.demo.work_projects import build_projects         # 重点项目

        counts["work_project"] = build_projects(store, conn, pack, seed, today, spec)
        counts.update(__import__("chainbrain.demo.work_programs", fromlist=["x"]).build_programs(
            store, conn, pack, seed, today, spec))                      # 联合攻关、引导基金、政策清单
        counts["work_notice"] = conn.execute(sa.select(sa.func.count()).select_from(work_notice).where(
            work_notice.c.is_demo)).scalar()
    return {**counts, **{f"escalation_{k}": v for k, v in steps.items()}}
