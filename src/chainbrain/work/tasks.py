"""Reading tasks: the caller's list with filters and the red/yellow/green roll-ups, and one task
with its milestones, progress, evidence, notices, escalations and the actions open to the caller.

Scope: :mod:`chainbrain.work.task_scope`; colours and clock: :mod:`chainbrain.work.supervision`
(computed here, in ``work/``, never in the web layer). Writes: :mod:`chainbrain.work.task_write`.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store.schema_work import work_attachment
from chainbrain.store.schema_work_tasks import (work_notice, work_task, work_task_escalation, work_task_milestone,
                                                work_task_progress, work_task_unit)
from chainbrain.work import supervision as S
from chainbrain.work.records import Missing
from chainbrain.work import task_scope as scope
from chainbrain.work.task_flow import ACTION_LABELS, WHO, allowed_actions
from chainbrain.work.task_rules import TaskRules, load_rules
from chainbrain.work.task_states import label


class TaskNotFound(Missing):
    """No such task, or outside the caller's scope (answered 404 either way)."""

    def __str__(self) -> str:
        return "task not found or outside your scope (未找到该任务，或不在您的权限范围内)"


def _names(conn) -> tuple[dict, dict]:
    chains = {r[0]: r[1] for r in conn.execute(sa.text("SELECT code, name_zh FROM chain"))}
    regions = {r[0]: (r[1], r[2]) for r in conn.execute(sa.text("SELECT code, name, prefecture_code FROM region"))}
    return chains, regions


def _coop(conn, ids) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    q = sa.select(work_task_unit.c.task_id, work_task_unit.c.unit).where(work_task_unit.c.task_id.in_(list(ids)))
    for tid, unit in conn.execute(q.order_by(work_task_unit.c.task_id, work_task_unit.c.unit)):
        out.setdefault(int(tid), []).append(unit)
    return out


def task_dict(r, coop: list[str], chains: dict, regions: dict, today: dt.date, rules: TaskRules,
              lang: str = "zh") -> dict:
    """A task row as the API answers it, with its supervision clock."""
    c = S.clock(r.status, r.deadline, r.last_progress_on, today, rules)
    reg = regions.get(r.region_code, (r.region_code, None))
    city = reg[1]
    return {"id": int(r.id), "seq": r.seq, "year": r.year, "title": r.title, "description": r.description,
            "chain_code": r.chain_code, "chain_name": chains.get(r.chain_code), "region_code": r.region_code,
            "region_name": reg[0], "city_code": city, "city_name": regions.get(city, (None,))[0] if city else None,
            "lead_unit": r.lead_unit, "lead_person": r.lead_person, "coop_units": coop,
            "deadline": r.deadline.isoformat(), "status": r.status, "status_label": label(r.status, lang),
            "progress_pct": r.progress_pct, "progress_note": r.progress_note,
            "last_progress_on": r.last_progress_on.isoformat() if r.last_progress_on else None,
            "rag": c.rag, "overdue_days": c.overdue_days, "remaining_days": c.remaining_days,
            "escalation_level": r.escalation_level, "assigner_scope": r.assigner_scope,
            "assigner_label": assigner_label(r.assigner_scope, chains, regions, lang), "source": r.source,
            "meeting_id": int(r.meeting_id) if r.meeting_id is not None else None,
            "project_id": int(r.project_id) if r.project_id is not None else None, "version": r.version}


def assigner_label(value: str, chains: dict, regions: dict, lang: str = "zh") -> str:
    """The assigning office in words: 省工信厅, 电子信息产业链链长办, 南昌市工信局 …"""
    kind, _, code = value.partition(":")
    if kind == "chain":
        return f"{chains.get(code, code)}产业链链长办" if lang != "en" else f"{code} chain office"
    if kind == "region":
        return f"{regions.get(code, (code,))[0]}工信局" if lang != "en" else f"industry bureau {code}"
    return "省工业和信息化厅" if lang != "en" else "provincial industry department"


FILTERS = ("chain", "unit", "region", "status", "rag", "year", "meeting")


def list_tasks(store, user, today: dt.date, filters: dict | None = None, rules: TaskRules | None = None,
               lang: str = "zh") -> dict:
    """``{"items", "total", "rollup": {"chain", "unit", "city"}, "today", "rules"}`` for the caller.

    Filters: ``chain`` (code), ``unit`` (lead or cooperating), ``region`` (a city covers its
    counties), ``status``, ``rag`` (red|yellow|green), ``year``, ``meeting`` (id)."""
    rules = rules or load_rules()
    f = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    q = sa.select(work_task).where(scope.task_where(user))
    if f.get("chain"):
        q = q.where(work_task.c.chain_code == f["chain"])
    if f.get("status"):
        q = q.where(work_task.c.status == f["status"])
    if f.get("year"):
        q = q.where(work_task.c.year == int(f["year"]))
    if f.get("meeting"):
        q = q.where(work_task.c.meeting_id == int(f["meeting"]))
    if f.get("unit"):
        q = q.where((work_task.c.lead_unit == f["unit"]) | work_task.c.id.in_(
            sa.select(work_task_unit.c.task_id).where(work_task_unit.c.unit == f["unit"])))
    if f.get("region"):
        q = q.where(work_task.c.region_code.in_(sa.select(sa.text("code")).select_from(sa.text("region")).where(
            sa.text("code = :p_r OR prefecture_code = :p_r")).params(p_r=f["region"]).scalar_subquery()))
    with store.engine.connect() as conn:
        rows = conn.execute(q.order_by(work_task.c.deadline, work_task.c.id)).all()
        coop = _coop(conn, [r.id for r in rows]) if len(rows) <= 5000 else _coop_all(conn)
        chains, regions = _names(conn)
    items = [task_dict(r, coop.get(int(r.id), []), chains, regions, today, rules, lang) for r in rows]
    if f.get("rag"):
        items = [t for t in items if t["rag"] == f["rag"] and t["status"] not in ("awaiting_verification",
                                                                                      "verified", "closed")]
    prov = "全省" if lang != "en" else "Province"
    roll = {
        "chain": S.rollup(items, lambda t: (t["chain_code"], t["chain_name"]) if t["chain_code"] else None, rules),
        "unit": S.rollup(items, lambda t: (t["lead_unit"], t["lead_unit"]), rules),
        "city": S.rollup(items, lambda t: (t["city_code"], t["city_name"]) if t["city_code"]
                         else ("province", prov), rules),
    }
    return {"items": items, "total": len(items), "rollup": roll, "today": today.isoformat(),
            "filters": f, "rules": {"version": rules.version, "sourced": rules.sourced, "note": rules.note}}


def _coop_all(conn) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for tid, unit in conn.execute(sa.select(work_task_unit.c.task_id, work_task_unit.c.unit)):
        out.setdefault(int(tid), []).append(unit)
    return out


def task_row(conn, user, task_id: int, detail: bool = True):
    """The task row if ``user`` may see it (detail needs more than the viewer's list right)."""
    if detail and not scope.reads_detail(user):
        raise TaskNotFound()
    r = conn.execute(sa.select(work_task).where(work_task.c.id == task_id, scope.task_where(user))).first()
    if r is None:
        raise TaskNotFound()
    return r


def get_task(store, user, task_id: int, today: dt.date, rules: TaskRules | None = None, lang: str = "zh") -> dict:
    """One task with milestones, progress (with evidence), notices, escalations and ``actions``
    (what the caller may do now)."""
    rules = rules or load_rules()
    with store.engine.connect() as conn:
        r = task_row(conn, user, task_id)
        chains, regions = _names(conn)
        d = task_dict(r, _coop(conn, [r.id]).get(int(r.id), []), chains, regions, today, rules, lang)
        d["milestones"] = [{"seq": m.seq, "title": m.title, "due_on": m.due_on.isoformat(),
                            "done_on": m.done_on.isoformat() if m.done_on else None}
                           for m in conn.execute(sa.select(work_task_milestone).where(
                               work_task_milestone.c.task_id == r.id).order_by(work_task_milestone.c.seq))]
        ev: dict[int, list] = {}
        for e in conn.execute(sa.select(work_attachment).where(
                work_attachment.c.entity == "work_task_progress", work_attachment.c.entity_id.in_(
                    sa.select(work_task_progress.c.id).where(work_task_progress.c.task_id == r.id)))
                .order_by(work_attachment.c.id)):
            ev.setdefault(int(e.entity_id), []).append(
                {"id": int(e.id), "filename": e.original_name, "size": int(e.size_bytes), "content_type": e.content_type,
                 "url": f"/api/tasks/{int(r.id)}/evidence/{int(e.id)}"})
        d["progress"] = [{"id": int(p.id), "reported_on": p.reported_on.isoformat(), "actor": p.actor,
                          "percent": p.percent, "text": p.text, "evidence": ev.get(int(p.id), [])}
                         for p in conn.execute(sa.select(work_task_progress).where(
                             work_task_progress.c.task_id == r.id).order_by(work_task_progress.c.id.desc()))]
        d["notices"] = [notice_dict(n) for n in conn.execute(sa.select(work_notice).where(
            work_notice.c.task_id == r.id).order_by(work_notice.c.id))]
        d["escalations"] = [{"step": e.step, "label": S.STEP_LABELS[e.step][0 if lang != "en" else 1],
                             "applied_on": e.applied_on.isoformat(), "working_days": e.working_days}
                            for e in conn.execute(sa.select(work_task_escalation).where(
                                work_task_escalation.c.task_id == r.id).order_by(work_task_escalation.c.applied_on))]
        from chainbrain.work.records import history

        d["history"] = history(conn, "work_task", int(r.id))
        d["actions"] = actions_for(conn, user, r)
        d["can_report"] = r.status in ("assigned", "in_progress") and scope.responsible(conn, user, r)
        d["can_edit"] = scope.manages(conn, user, r)
        d["can_notice"] = scope.manages(conn, user, r) and r.status in ("assigned", "in_progress")
    return d


def actions_for(conn, user, r) -> list[dict]:
    """The transitions the machine allows now and the caller may fire."""
    out = []
    for a in allowed_actions(r.status):
        who = WHO[a]
        ok = (scope.is_assigner(user, r) if who == "assigner" else
              scope.leads(conn, user, r) if who == "lead" else scope.responsible(conn, user, r))
        if ok:
            out.append({"action": a, "label": ACTION_LABELS[a][0], "label_en": ACTION_LABELS[a][1]})
    return out


def notice_dict(n) -> dict:
    return {"id": int(n.id), "number": n.number, "task_id": int(n.task_id), "issued_on": n.issued_on.isoformat(),
            "issuer_scope": n.issuer_scope, "reason": n.reason, "answer_due": n.answer_due.isoformat(),
            "status": n.status, "automatic": bool(n.automatic), "answer": n.answer,
            "answered_on": n.answered_on.isoformat() if n.answered_on else None, "answered_by": n.answered_by,
            "version": n.version}


def evidence_file(store, user, task_id: int, file_id: int) -> dict:
    """The stored file of one evidence attachment of a task the caller may see in detail
    (``stored_name``, ``original_name``, ``content_type``); :class:`TaskNotFound` otherwise."""
    with store.engine.connect() as conn:
        task_row(conn, user, task_id)
        e = conn.execute(sa.select(work_attachment).where(
            work_attachment.c.id == file_id, work_attachment.c.entity == "work_task_progress",
            work_attachment.c.entity_id.in_(sa.select(work_task_progress.c.id).where(
                work_task_progress.c.task_id == task_id)))).first()
    if e is None:
        raise TaskNotFound()
    return {"stored_name": e.stored_name, "original_name": e.original_name, "content_type": e.content_type}
