"""Working meetings (工作例会): agenda, attendees and decisions; each decision becomes a task.

The 2024 implementation of the chain-leader system set up "a regular working-meeting system"
(policy-facts §1.8). A meeting is held by a chain office (its chain), a city or county bureau
(its region) or the province; its decisions are assigned at once as tracked tasks (source
``meeting``) through :func:`chainbrain.work.task_write.create_task`, so they enter the same
supervision clock as every other task. Scope: :func:`chainbrain.work.task_scope.meeting_where`.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store.schema_work_tasks import (work_meeting, work_meeting_attendee, work_meeting_decision,
                                                work_task)
from chainbrain.work import task_base as base
from chainbrain.work.records import Missing
from chainbrain.work import task_scope as scope
from chainbrain.work.task_write import Invalid, NotAllowed, _date, _now, _text, create_task
from chainbrain.work.task_states import label


class MeetingNotFound(Missing):
    def __str__(self) -> str:
        return "meeting not found or outside your scope (未找到该会议，或不在您的权限范围内)"


def create_meeting(store, conn, user, data: dict, today: dt.date, is_demo: bool = False) -> tuple[int, list[int]]:
    """Record a meeting and turn its decisions into tasks; returns (meeting id, task ids).

    ``data``: title, held_on, agenda (text, one item a line, or a list), place, chair,
    chain_code, region_code, attendees ([{name, unit, title}]), decisions ([{text, lead_unit,
    deadline, lead_person, coop_units}])."""
    if user.role not in scope.MANAGERS:
        raise NotAllowed(f"role {user.role} does not hold meetings here (该角色不能登记会议)")
    title = _text(data.get("title"), "title 会议名称", 300)
    held = _date(data.get("held_on"), "held_on 会议日期")
    agenda = data.get("agenda") or ""
    agenda = "\n".join(a.strip() for a in agenda if a and a.strip()) if isinstance(agenda, list) else agenda.strip()
    if not agenda:
        raise Invalid("agenda is required (会议议程为必填项)")
    chain = data.get("chain_code") or (user.chain_code if user.role == "chain_office" else None)
    region = data.get("region_code") or (user.region_code if user.role in ("city", "county") else
                                         conn.execute(sa.text("SELECT code FROM region WHERE level = 'province'")).scalar())
    why = scope.may_assign(conn, user, chain, region)
    if why:
        raise NotAllowed(why)
    decisions = data.get("decisions") or []
    for i, d in enumerate(decisions, start=1):
        for k in ("text", "lead_unit", "deadline"):
            v = d.get(k)
            if v is None or (isinstance(v, str) and not v.strip()):
                raise Invalid(f"decision {i}: {k} is required (第 {i} 项决定：{k} 为必填项)")
    mid = base.new_id(conn, "work_meeting")
    now = _now()
    values = dict(id=mid, title=title, held_on=held, chain_code=chain, region_code=region,
                  place=_text(data.get("place"), "place 地点", 200, False), chair=_text(data.get("chair"), "chair 主持", 64, False),
                  agenda=agenda, organizer_scope=scope.assigner_scope(user), version=1, created_at=now,
                  created_by=user.username, updated_at=now, is_demo=is_demo)
    conn.execute(work_meeting.insert().values(**values))
    for i, a in enumerate(data.get("attendees") or [], start=1):
        conn.execute(work_meeting_attendee.insert().values(
            meeting_id=mid, seq=i, name=_text(a.get("name"), "attendee 参会人", 64), unit=(a.get("unit") or None),
            title=(a.get("title") or None)))
    tasks = []
    for i, d in enumerate(decisions, start=1):
        tid = create_task(store, conn, user, {"title": d["text"], "lead_unit": d["lead_unit"],
                                              "deadline": d["deadline"], "lead_person": d.get("lead_person"),
                                              "coop_units": d.get("coop_units") or [], "chain_code": chain,
                                              "region_code": d.get("region_code") or region,
                                              "description": f"{title}（{held.isoformat()}）第 {i} 项决定",
                                              "status": d.get("status"), "progress_note": d.get("progress_note"),
                                              "seq": f"会{mid}-{i}"},
                          today, source="meeting", meeting_id=mid, is_demo=is_demo)
        conn.execute(work_meeting_decision.insert().values(meeting_id=mid, seq=i, text=d["text"], task_id=tid))
        tasks.append(tid)
    base.audit(conn, user, "work_meeting", mid, "create", None,
               {**{k: v for k, v in values.items() if k not in ("created_at", "updated_at")}, "tasks": tasks})
    return mid, tasks


def list_meetings(store, user) -> dict:
    if not scope.reads_lists(user):
        return {"items": [], "total": 0}
    q = sa.select(work_meeting).where(scope.meeting_where(user)).order_by(work_meeting.c.held_on.desc(),
                                                                          work_meeting.c.id.desc())
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
        counts = {int(m): int(n) for m, n in conn.execute(
            sa.select(work_meeting_decision.c.meeting_id, sa.func.count()).group_by(work_meeting_decision.c.meeting_id))}
        chains = {r[0]: r[1] for r in conn.execute(sa.text("SELECT code, name_zh FROM chain"))}
    items = [{"id": int(r.id), "title": r.title, "held_on": r.held_on.isoformat(), "chain_code": r.chain_code,
              "chain_name": chains.get(r.chain_code), "region_code": r.region_code, "place": r.place, "chair": r.chair,
              "decisions": counts.get(int(r.id), 0), "version": r.version} for r in rows]
    return {"items": items, "total": len(items)}


def get_meeting(store, user, meeting_id: int, lang: str = "zh") -> dict:
    """One meeting with attendees and decisions; each decision with its task's status (the
    task's title link only when the caller may see that task)."""
    if not scope.reads_detail(user):
        raise MeetingNotFound()
    with store.engine.connect() as conn:
        m = conn.execute(sa.select(work_meeting).where(work_meeting.c.id == meeting_id,
                                                       scope.meeting_where(user))).first()
        if m is None:
            raise MeetingNotFound()
        att = conn.execute(sa.select(work_meeting_attendee).where(work_meeting_attendee.c.meeting_id == m.id)
                           .order_by(work_meeting_attendee.c.seq)).all()
        dec = conn.execute(sa.select(work_meeting_decision, work_task.c.status, work_task.c.lead_unit,
                                     work_task.c.deadline)
                           .join(work_task, work_task.c.id == work_meeting_decision.c.task_id)
                           .where(work_meeting_decision.c.meeting_id == m.id).order_by(work_meeting_decision.c.seq)).all()
        visible = {int(r[0]) for r in conn.execute(sa.select(work_task.c.id).where(
            work_task.c.meeting_id == m.id, scope.task_where(user)))}
    return {"id": int(m.id), "title": m.title, "held_on": m.held_on.isoformat(), "chain_code": m.chain_code,
            "region_code": m.region_code, "place": m.place, "chair": m.chair,
            "agenda": [a for a in m.agenda.split("\n") if a.strip()], "organizer_scope": m.organizer_scope,
            "version": m.version,
            "attendees": [{"name": a.name, "unit": a.unit, "title": a.title} for a in att],
            "decisions": [{"seq": d.seq, "text": d.text, "task_id": int(d.task_id) if int(d.task_id) in visible else None,
                           "status": d.status, "status_label": label(d.status, lang), "lead_unit": d.lead_unit,
                           "deadline": d.deadline.isoformat()} for d in dec]}
