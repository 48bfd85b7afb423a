"""Changing tasks: assign (create), edit, report progress with evidence, move through the state
machine, issue and answer supervision notices (督办单).

Every change checks the caller's right (:mod:`chainbrain.work.task_scope`), the item's
``version`` (a stale one is refused with the base's conflict error: two people never silently
overwrite each other), writes an audit row (who, when, before, after) and tells the people
concerned through the in-app inbox (:mod:`chainbrain.work.task_base`). The caller passes one
open transaction (``conn``) so a change is all or nothing.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store.schema_work_tasks import (work_notice, work_task, work_task_milestone, work_task_escalation,
                                                work_task_progress, work_task_unit)
from chainbrain.work import files
from chainbrain.work import records
from chainbrain.work import task_base as base
from chainbrain.work import task_scope as scope
from chainbrain.work.task_flow import WHO, fire
from chainbrain.work.task_rules import TaskRules, load_rules
from chainbrain.work.tasks import TaskNotFound, task_row

EDITABLE = ("title", "description", "lead_unit", "lead_person", "deadline", "chain_code", "region_code")


NotAllowed = records.NotAllowed          # the caller sees the item but may not do this (403)
Invalid = records.Invalid                # bad input naming the field (400)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def snapshot(r) -> dict:
    return {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in r._mapping.items()
            if k not in ("created_at", "updated_at")}


def _text(value, field: str, limit: int, required: bool = True) -> str | None:
    s = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not s:
        raise Invalid(f"{field} is required ({field} 为必填项)")
    if len(s) > limit:
        raise Invalid(f"{field} is longer than {limit} characters ({field} 超过 {limit} 个字符)")
    return s or None


def _date(value, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise Invalid(f"{field} must be a date YYYY-MM-DD ({field} 应为日期 YYYY-MM-DD)") from None


def _check_codes(conn, chain: str | None, region: str) -> None:
    if chain and not conn.execute(sa.text("SELECT 1 FROM chain WHERE code = :c"), {"c": chain}).scalar():
        raise Invalid(f"unknown chain {chain!r} (未知的产业链)")
    if not conn.execute(sa.text("SELECT 1 FROM region WHERE code = :c AND status = 'current'"),
                        {"c": region}).scalar():
        raise Invalid(f"unknown region {region!r} (未知的行政区划)")


def _province(conn) -> str:
    return conn.execute(sa.text("SELECT code FROM region WHERE level = 'province' ORDER BY code")).scalar()


def create_task(store, conn, user, data: dict, today: dt.date, source: str = "manual",
                meeting_id: int | None = None, is_demo: bool = False) -> int:
    """Assign a task; returns its id. ``data``: title, lead_unit, deadline (required), description,
    lead_person, coop_units (list), chain_code, region_code (default: the caller's region or the
    province), milestones ([{title, due_on}]), seq, status (imports only), progress_note,
    project_id (a problem raised on a key project: chain and region default to the project's)."""
    if user.role not in scope.MANAGERS:
        raise NotAllowed(f"role {user.role} does not assign tasks (该角色不能交办任务)")
    title = _text(data.get("title"), "title 工作任务", 500)
    lead = base.unit_display(_text(data.get("lead_unit"), "lead_unit 责任单位", 128))
    person = _text(data.get("lead_person"), "lead_person 责任人", 64, required=False)
    deadline = _date(data.get("deadline"), "deadline 完成时限")
    project = None
    if data.get("project_id"):                                        # a problem raised on a key project
        from chainbrain.work.projects import project_row

        project = project_row(conn, user, data["project_id"])
    chain = data.get("chain_code") or (project.chain_code if project is not None else None) or \
        (user.chain_code if user.role == "chain_office" else None)
    region = data.get("region_code") or (project.region_code if project is not None else None) or \
        (user.region_code if user.role in ("city", "county") else _province(conn))
    _check_codes(conn, chain, region)
    why = scope.may_assign(conn, user, chain, region)
    if why:
        raise NotAllowed(why)
    status = data.get("status") or "assigned"
    tid = base.new_id(conn, "work_task")
    now = _now()
    values = dict(id=tid, year=int(data.get("year") or deadline.year), seq=_text(data.get("seq"), "seq 序号", 16, False),
                  title=title, description=data.get("description") or None, chain_code=chain, region_code=region,
                  lead_unit=lead, lead_person=person, deadline=deadline, status=status,
                  progress_pct=100 if status in ("awaiting_verification", "verified", "closed") else 0,
                  progress_note=data.get("progress_note") or None,
                  last_progress_on=today if data.get("progress_note") else None,
                  reported_on=today if status in ("awaiting_verification", "verified", "closed") else None,
                  verified_on=today if status in ("verified", "closed") else None,
                  verified_by=user.username if status in ("verified", "closed") else None,
                  closed_on=today if status == "closed" else None,
                  assigner_scope=scope.assigner_scope(user), source="project" if project is not None else source,
                  meeting_id=meeting_id, project_id=int(project.id) if project is not None else None,
                  escalation_level=0, version=1, created_at=now, created_by=user.username, updated_at=now,
                  is_demo=is_demo)
    conn.execute(work_task.insert().values(**values))
    for unit in dict.fromkeys(base.unit_display(u.strip()) for u in data.get("coop_units") or [] if u and u.strip()):
        if unit != lead:
            conn.execute(work_task_unit.insert().values(task_id=tid, unit=_text(unit, "coop_units 配合单位", 128)))
    for i, m in enumerate(data.get("milestones") or [], start=1):
        conn.execute(work_task_milestone.insert().values(
            task_id=tid, seq=i, title=_text(m.get("title"), "milestone 节点", 300), due_on=_date(m.get("due_on"), "due_on"),
            done_on=_date(m["done_on"], "done_on") if m.get("done_on") else None))
    base.audit(conn, user, "work_task", tid, "create", None, {k: v for k, v in values.items()
                                                             if k not in ("created_at", "updated_at")})
    base.notify(conn, f"新任务：{title}（完成时限 {deadline.isoformat()}） / New task: {title} (due {deadline})",
                f"/tasks/{tid}", unit=lead, task_id=tid)
    return tid


def _locked(conn, user, task_id: int, version) -> sa.Row:
    r = task_row(conn, user, task_id)
    base.check_version("work_task", task_id, r.version, version)
    return r


def _update(conn, user, r, changes: dict, action: str = "update", note: str | None = None) -> int:
    """Apply ``changes`` if the row still has the version read (else Conflict); audited."""
    new = base.update(conn, work_task, int(r.id), r.version, {**changes, "updated_at": _now()})
    after = {**snapshot(r), **{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in changes.items()},
             "version": new}
    base.audit(conn, user, "work_task", int(r.id), action, snapshot(r), after, note)
    return new


def update_task(conn, user, task_id: int, version, data: dict) -> None:
    """Edit the task's fields (offices that manage it); ``coop_units`` and ``milestones``
    (``[{title, due_on, done_on}]``) replace their lists."""
    r = _locked(conn, user, task_id, version)
    if not scope.manages(conn, user, r):
        raise NotAllowed("only the office that manages this task may edit it (只有管理该任务的单位可以修改)")
    changes = {}
    for k in EDITABLE:
        if k in data:
            if k == "deadline":
                changes[k] = _date(data[k], "deadline 完成时限")
            elif k in ("title", "lead_unit"):
                changes[k] = _text(data[k], k, 500 if k == "title" else 128)
            else:
                changes[k] = data[k] or None
    if "chain_code" in changes or "region_code" in changes:
        chain, region = changes.get("chain_code", r.chain_code), changes.get("region_code", r.region_code) or r.region_code
        _check_codes(conn, chain, region)
        why = scope.may_assign(conn, user, chain, region)
        if why:
            raise NotAllowed(why)
    if "coop_units" in data:
        conn.execute(work_task_unit.delete().where(work_task_unit.c.task_id == r.id))
        for unit in dict.fromkeys(u.strip() for u in data["coop_units"] or [] if u and u.strip()):
            conn.execute(work_task_unit.insert().values(task_id=r.id, unit=unit[:128]))
    if "milestones" in data:                                          # the list is replaced (节点: plan and done dates)
        conn.execute(work_task_milestone.delete().where(work_task_milestone.c.task_id == r.id))
        for i, m in enumerate(data["milestones"] or [], start=1):
            conn.execute(work_task_milestone.insert().values(
                task_id=r.id, seq=i, title=_text(m.get("title"), "milestone 节点", 300),
                due_on=_date(m.get("due_on"), "due_on"), done_on=_date(m["done_on"], "done_on") if m.get("done_on") else None))
        changes["updated_at"] = _now()
    if "deadline" in changes and changes["deadline"] != r.deadline:   # a new deadline restarts the clock
        conn.execute(work_task_escalation.delete().where(work_task_escalation.c.task_id == r.id))
        changes["escalation_level"] = 0
    _update(conn, user, r, changes)


def add_progress(store, conn, user, task_id: int, version, percent, text: str, uploads: list[tuple[str, bytes]],
                 today: dt.date, rules: TaskRules | None = None) -> int:
    """A progress report (进展情况) with evidence files (the base's :mod:`chainbrain.work.files`:
    size and type limits, generated names outside the web root); starts an ``assigned`` task."""
    rules = rules or load_rules()
    r = _locked(conn, user, task_id, version)
    if not scope.responsible(conn, user, r):
        raise NotAllowed("only the responsible or cooperating units may report progress (只有责任单位或配合单位可以报送进展)")
    if r.status not in ("assigned", "in_progress"):
        raise base.refused(f"progress can be reported only on an open task; this one is {r.status} "
                           f"(只有未办结任务可以报送进展，该任务状态为 {r.status})")
    try:
        pct = int(percent)
    except (TypeError, ValueError):
        raise Invalid("percent must be an integer 0–100 (完成进度应为 0–100 的整数)") from None
    if not 0 <= pct <= 100:
        raise Invalid("percent must be an integer 0–100 (完成进度应为 0–100 的整数)")
    body = _text(text, "text 进展情况", 4000)
    if len(uploads) > rules.max_files:
        raise Invalid(f"files: at most {rules.max_files} a report (附件：每次最多 {rules.max_files} 个)")
    for name, content in uploads:
        files.check(name, content)                       # every file checked before anything is written
    pid = base.new_id(conn, "work_task_progress")
    conn.execute(work_task_progress.insert().values(id=pid, task_id=r.id, reported_on=today, reported_at=_now(),
                                                    actor=user.username, percent=pct, text=body))
    for name, content in uploads:
        files.save(conn, store, "work_task_progress", pid, name, content, user.username)
    changes = {"progress_pct": pct, "progress_note": body, "last_progress_on": today}
    if r.status == "assigned":
        changes["status"] = fire(r.status, "start")
    _update(conn, user, r, changes, "progress", f"{pct}%: {body[:200]}")
    return pid


def act(conn, user, task_id: int, version, action: str, today: dt.date, note: str | None = None) -> str:
    """Fire ``action`` (start|submit|verify|reject|close); returns the new state. The machine
    refuses a move it does not allow; the caller must hold the action's role (WHO)."""
    r = _locked(conn, user, task_id, version)
    if action not in WHO:
        raise Invalid(f"unknown action {action!r} (未知操作)")
    new = fire(r.status, action)
    who = WHO[action]
    ok = (scope.is_assigner(user, r) if who == "assigner" else
          scope.leads(conn, user, r) if who == "lead" else scope.responsible(conn, user, r))
    if not ok:
        raise NotAllowed({"assigner": "only the assigning office may verify, send back or close this task "
                                      "(只有交办单位可以核验、退回或办结该任务)",
                          "lead": "only the lead unit or the managing office may report completion "
                                  "(只有责任单位或管理单位可以申请办结)",
                          "responsible": "only the responsible units may start this task (只有责任单位可以开始推进)"}[who])
    changes: dict = {"status": new}
    if action == "submit":
        changes.update(reported_on=today, progress_pct=100)
    elif action == "verify":
        changes.update(verified_on=today, verified_by=user.username)
    elif action == "reject":
        changes.update(reported_on=None, progress_pct=min(r.progress_pct, 90))
    elif action == "close":
        changes.update(closed_on=today)
    if note:
        changes["progress_note"] = _text(note, "note 说明", 4000)
    _update(conn, user, r, changes, action, note)
    tell = {"submit": (f"待核验：{r.title} / Awaiting verification: {r.title}", None),
            "verify": (f"已核验：{r.title} / Verified: {r.title}", r.lead_unit),
            "reject": (f"任务被退回：{r.title}（{note or ''}） / Sent back: {r.title}", r.lead_unit),
            "close": (f"已办结：{r.title} / Closed: {r.title}", r.lead_unit)}.get(action)
    if tell:
        base.notify(conn, tell[0], f"/tasks/{int(r.id)}", unit=tell[1], office=None if tell[1] else r.assigner_scope,
                    task_id=int(r.id))
    return new


# ---------------------------------------------------------------- supervision notices (督办单)
def issue_notice(store, conn, user, task_id: int, reason: str, today: dt.date, automatic: bool = False,
                 issuer_scope: str | None = None, rules: TaskRules | None = None, is_demo: bool = False) -> int:
    """Issue a supervision notice on an open task; the lead unit must answer within
    ``notice_answer_days`` working days. ``user`` None: issued by the supervision clock."""
    rules = rules or load_rules()
    if user is not None:
        r = task_row(conn, user, task_id)
        if not scope.manages(conn, user, r):
            raise NotAllowed("only the office that manages this task may issue a notice (只有管理该任务的单位可以下发督办单)")
        issuer = scope.assigner_scope(user)
        actor = user.username
    else:
        r = conn.execute(sa.select(work_task).where(work_task.c.id == task_id)).first()
        if r is None:
            raise TaskNotFound()
        issuer, actor = issuer_scope or (f"chain:{r.chain_code}" if r.chain_code else "province"), "supervision"
    if r.status not in ("assigned", "in_progress"):
        raise base.refused(f"a notice can be issued only on an open task; this one is {r.status} "
                           f"(只有未办结任务可以下发督办单，该任务状态为 {r.status})")
    reason = _text(reason, "reason 督办事由", 2000)
    nid = base.new_id(conn, "work_notice")
    year_n = conn.execute(sa.select(sa.func.count()).select_from(work_notice).where(
        sa.extract("year", work_notice.c.issued_on) == today.year)).scalar() + 1
    now = _now()
    values = dict(id=nid, number=f"督办〔{today.year}〕{year_n}号", task_id=r.id, issued_on=today,
                  issuer_scope=issuer, reason=reason, answer_due=base.add_working_days(today, rules.notice_answer_days),
                  status="issued", automatic=automatic, version=1, created_at=now, created_by=actor,
                  updated_at=now, is_demo=is_demo)
    conn.execute(work_notice.insert().values(**values))
    base.audit(conn, user or actor, "work_notice", nid, "issue", None,
               {k: v for k, v in values.items() if k not in ("created_at", "updated_at")})
    base.notify(conn, f"督办单 {values['number']}：{r.title}，请于 {values['answer_due']} 前答复 / "
                      f"Supervision notice {values['number']}: answer by {values['answer_due']}",
                f"/tasks/{int(r.id)}", unit=r.lead_unit, office=f"region:{r.region_code}", task_id=int(r.id))
    return nid


def answer_notice(conn, user, notice_id: int, version, answer: str, today: dt.date) -> None:
    """The lead unit (or the managing office) answers a notice."""
    n = conn.execute(sa.select(work_notice).where(work_notice.c.id == notice_id)).first()
    if n is None:
        raise TaskNotFound()
    r = task_row(conn, user, int(n.task_id))
    base.check_version("work_notice", notice_id, n.version, version)
    if not scope.leads(conn, user, r):
        raise NotAllowed("only the lead unit may answer this notice (只有责任单位可以答复督办单)")
    if n.status != "issued":
        raise base.refused(f"notice {n.number} is already answered (督办单 {n.number} 已答复)")
    values = dict(status="answered", answer=_text(answer, "answer 答复", 4000), answered_on=today,
                  answered_by=user.username)
    new = base.update(conn, work_notice, notice_id, n.version, {**values, "updated_at": _now()})
    base.audit(conn, user, "work_notice", notice_id, "answer", snapshot(n),
               {**snapshot(n), **values, "answered_on": today.isoformat(), "version": new})
    base.notify(conn, f"督办单 {n.number} 已答复 / Notice {n.number} answered", f"/tasks/{int(r.id)}",
                office=n.issuer_scope, task_id=int(r.id))


def list_notices(store, user, status: str | None = None) -> dict:
    """The notices on tasks the caller may see in detail."""
    from chainbrain.work.tasks import notice_dict

    if not scope.reads_detail(user):
        return {"items": [], "total": 0}
    q = sa.select(work_notice, work_task.c.title).join(work_task, work_task.c.id == work_notice.c.task_id).where(
        scope.task_where(user))
    if status:
        q = q.where(work_notice.c.status == status)
    with store.engine.connect() as conn:
        rows = conn.execute(q.order_by(work_notice.c.issued_on.desc(), work_notice.c.id.desc())).all()
    items = [{**notice_dict(r), "task_title": r.title} for r in rows]
    return {"items": items, "total": len(items)}
