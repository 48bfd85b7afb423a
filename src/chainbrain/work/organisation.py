"""The chain-leader organisation (链长制): leaders, units, task forces, chain masters, working-mode
relationships and the interaction log between chain leaders and chain masters.

Facts (policy-facts §1.8, 2023 upgrade): the governor is 总链长, other provincial leaders are
chain leaders, the provincial industry department is the single lead unit; four working modes
— 链长+链主, 链长+园区, 链主+基金, 链主+平台; chain leaders and chain masters interact regularly
and chain masters relay chain enterprises' major requests. Chain masters are read from the
designations (``designation.kind = 'chain_master'``, valid on the day).

Scope: everyone who reads task lists reads the structure (people, units, modes); an
enterprise's name appears only to callers who may see that enterprise (the web layer passes
``visible(ids) -> set``, :func:`chainbrain.web.policy.visible_ids`); the interaction log is for
the province and the chain's office. Changes: the province and the chain's office, audited.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store.schema_work_org import work_interaction, work_org_member, work_relation
from chainbrain.work import task_base as base
from chainbrain.work import task_scope as scope
from chainbrain.work.records import Invalid, Missing, NotAllowed
from chainbrain.work.task_write import _date, _now, _text

ROLES = {"chief_leader": ("总链长", "chief chain leader"), "chain_leader": ("链长", "chain leader"),
         "deputy_leader": ("副链长", "deputy chain leader"), "lead_unit": ("牵头单位", "lead unit"),
         "member_unit": ("成员单位", "member unit"), "task_force_head": ("专班负责人", "task force head"),
         "task_force_member": ("专班成员", "task force member")}
MODES = {"leader_master": ("链长+链主", "chain leader + chain master"),
         "leader_park": ("链长+园区", "chain leader + park"),
         "master_fund": ("链主+基金", "chain master + fund"),
         "master_platform": ("链主+平台", "chain master + platform")}
KINDS = {"visit": ("走访", "visit"), "talk": ("座谈", "talk"), "commitment": ("承诺事项", "commitment"),
         "meeting": ("会议", "meeting")}


def _sees_log(user, chain: str) -> bool:
    return user is not None and (user.role == "province_admin" or
                                 (user.role == "chain_office" and user.chain_code == chain))


def _manages(user, chain: str | None) -> None:
    if user is None or not (user.role == "province_admin" or (user.role == "chain_office" and chain == user.chain_code)):
        raise NotAllowed("only the province or this chain's office may change its organisation "
                         "(只有省级或本链链长办可以维护链长制组织)")


def organisation(store, user, chain: str, today: dt.date, visible=lambda ids: set(), lang: str = "zh") -> dict:
    """One chain's organisation as the caller may see it."""
    if not scope.reads_lists(user):
        raise Missing("organisation not found (未找到)")
    i = 1 if lang == "en" else 0
    with store.engine.connect() as conn:
        name = conn.execute(sa.text("SELECT name_zh FROM chain WHERE code = :c"), {"c": chain}).scalar()
        if name is None:
            raise Missing(f"no chain {chain!r} (未知的产业链)")
        people = conn.execute(sa.select(work_org_member).where(
            (work_org_member.c.chain_code == chain) | work_org_member.c.chain_code.is_(None))
            .order_by(work_org_member.c.id)).all()
        masters = conn.execute(sa.text(
            "SELECT d.enterprise_id, e.name, e.uscc, d.level, d.valid_from FROM designation d "
            "JOIN enterprise e ON e.id = d.enterprise_id WHERE d.kind = 'chain_master' AND d.chain_code = :c "
            "AND d.valid_from <= :t AND (d.valid_to IS NULL OR d.valid_to >= :t) ORDER BY d.enterprise_id"),
            {"c": chain, "t": today}).all()
        rels = conn.execute(sa.select(work_relation).where(work_relation.c.chain_code == chain)
                            .order_by(work_relation.c.id)).all()
        log = conn.execute(sa.select(work_interaction).where(work_interaction.c.chain_code == chain)
                           .order_by(work_interaction.c.held_on.desc(), work_interaction.c.id.desc())).all() \
            if _sees_log(user, chain) else []
        ids = {int(m.enterprise_id) for m in masters} | {int(r.enterprise_id) for r in (*rels, *log) if r.enterprise_id}
        names = {int(r[0]): r[1] for r in conn.execute(sa.text(
            f"SELECT id, name FROM enterprise WHERE id IN ({', '.join(map(str, sorted(ids))) or 'NULL'})"))}
    seen = visible(sorted(ids)) if ids else set()

    def ent(eid):
        return names.get(int(eid)) if eid is not None and int(eid) in seen else None

    return {
        "chain_code": chain, "chain_name": name,
        "members": [{"id": int(p.id), "role": p.role, "role_label": ROLES.get(p.role, (p.role, p.role))[i],
                     "name": p.name, "title": p.title, "unit": p.unit, "all_chains": p.chain_code is None,
                     "version": p.version} for p in people],
        "chain_masters": {"count": len(masters), "items": [
            {"enterprise_id": int(m.enterprise_id), "name": m.name, "uscc": m.uscc, "level": m.level,
             "since": m.valid_from.isoformat()} for m in masters if int(m.enterprise_id) in seen]},
        "relations": [{"id": int(r.id), "mode": r.mode, "mode_label": MODES.get(r.mode, (r.mode, r.mode))[i],
                       "leader": r.leader, "enterprise": ent(r.enterprise_id), "partner": r.partner,
                       "since": r.since.isoformat() if r.since else None, "note": r.note} for r in rels],
        "interactions": [{"id": int(x.id), "held_on": x.held_on.isoformat(), "kind": x.kind,
                          "kind_label": KINDS.get(x.kind, (x.kind, x.kind))[i], "leader": x.leader,
                          "enterprise": ent(x.enterprise_id), "summary": x.summary, "commitment": x.commitment,
                          "task_id": int(x.task_id) if x.task_id else None} for x in log],
        "sees_log": _sees_log(user, chain),
    }


def _stamp(user, is_demo: bool) -> dict:
    now = _now()
    return dict(version=1, created_at=now, created_by=getattr(user, "username", str(user)), updated_at=now,
                is_demo=is_demo)


def _chain_needed(chain) -> None:
    """Relations and interactions belong to one chain (the province's administrator names it)."""
    if not chain:
        raise Invalid("chain_code is required (缺少产业链代码 chain_code)")


def _chain_ok(conn, chain) -> None:
    if chain is not None and not isinstance(chain, str):
        raise Invalid("chain_code must be a chain code such as EI (产业链代码应为文本，如 EI)")
    if chain and not conn.execute(sa.text("SELECT 1 FROM chain WHERE code = :c"), {"c": chain}).scalar():
        raise Invalid(f"chain_code: unknown chain {chain!r} (未知的产业链)")


def _enterprise_ok(conn, eid) -> int | None:
    if eid in (None, ""):
        return None
    try:
        eid = int(eid)
    except (TypeError, ValueError):
        raise Invalid("enterprise_id must be an integer (enterprise_id 应为整数)") from None
    if not conn.execute(sa.text("SELECT 1 FROM enterprise WHERE id = :i"), {"i": eid}).scalar():
        raise Invalid(f"enterprise_id: no enterprise {eid} (企业不存在)")
    return eid


def _task_id(value) -> int | None:
    if value in (None, ""):
        return None
    if not (str(value).isascii() and str(value).isdigit()) or len(str(value)) > 18:
        raise Invalid("task_id must be a task number (task_id 应为任务编号)")
    return int(value)


def add_member(conn, user, data: dict, is_demo: bool = False) -> int:
    """A leader, unit or task-force member of a chain (总链长: no chain, the province only)."""
    role = data.get("role")
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)} (角色取值无效)")
    chain = None if role == "chief_leader" else data.get("chain_code") or getattr(user, "chain_code", None)
    if role == "chief_leader":
        if getattr(user, "role", None) != "province_admin":
            raise NotAllowed("only the province records the chief chain leader (总链长由省级维护)")
    else:
        _chain_ok(conn, chain)
        _manages(user, chain)
    mid = base.new_id(conn, "work_org_member")
    values = dict(id=mid, chain_code=chain, role=role, name=_text(data.get("name"), "name 姓名/单位", 128),
                  title=_text(data.get("title"), "title 职务", 64, False), unit=_text(data.get("unit"), "unit 单位", 128, False),
                  **_stamp(user, is_demo))
    conn.execute(work_org_member.insert().values(**values))
    base.audit(conn, user, "work_org_member", mid, "create", None, {k: v for k, v in values.items()
                                                                  if k not in ("created_at", "updated_at")})
    return mid


def add_relation(conn, user, data: dict, is_demo: bool = False) -> int:
    """A working-mode relationship (链长+链主 …) of a chain."""
    chain = data.get("chain_code") or getattr(user, "chain_code", None)
    _chain_ok(conn, chain)
    _chain_needed(chain)
    _manages(user, chain)
    if data.get("mode") not in MODES:
        raise Invalid(f"mode must be one of {', '.join(MODES)} (工作模式取值无效)")
    rid = base.new_id(conn, "work_relation")
    values = dict(id=rid, chain_code=chain, mode=data["mode"], leader=_text(data.get("leader"), "leader 链长/链主", 128),
                  enterprise_id=_enterprise_ok(conn, data.get("enterprise_id")),
                  partner=_text(data.get("partner"), "partner 合作方", 200, False),
                  since=_date(data["since"], "since") if data.get("since") else None, note=data.get("note") or None,
                  **_stamp(user, is_demo))
    conn.execute(work_relation.insert().values(**values))
    base.audit(conn, user, "work_relation", rid, "create", None, {k: v for k, v in values.items()
                                                                if k not in ("created_at", "updated_at")})
    return rid


def add_interaction(conn, user, data: dict, is_demo: bool = False) -> int:
    """An entry of the interaction log (visit, talk, commitment) between a chain leader and a chain master."""
    chain = data.get("chain_code") or getattr(user, "chain_code", None)
    _chain_ok(conn, chain)
    _chain_needed(chain)
    _manages(user, chain)
    if data.get("kind") not in KINDS:
        raise Invalid(f"kind must be one of {', '.join(KINDS)} (类型取值无效)")
    xid = base.new_id(conn, "work_interaction")
    values = dict(id=xid, chain_code=chain, held_on=_date(data.get("held_on"), "held_on 日期"), kind=data["kind"],
                  leader=_text(data.get("leader"), "leader 链长", 128),
                  enterprise_id=_enterprise_ok(conn, data.get("enterprise_id")),
                  summary=_text(data.get("summary"), "summary 内容", 4000),
                  commitment=_text(data.get("commitment"), "commitment 承诺事项", 2000, False),
                  task_id=_task_id(data.get("task_id")), **_stamp(user, is_demo))
    conn.execute(work_interaction.insert().values(**values))
    base.audit(conn, user, "work_interaction", xid, "create", None, {k: v for k, v in values.items()
                                                                   if k not in ("created_at", "updated_at")})
    return xid
