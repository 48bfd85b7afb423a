"""Who sees and who may act on which task, notice and meeting.

==============  ==================================================  =======================
role            sees (lists and detail)                             manages (create, edit,
                                                                    verify and close what
                                                                    it assigned)
==============  ==================================================  =======================
province_admin  every task                                          every task
chain_office    tasks of its chain                                  tasks of its chain
city            tasks of its city and the city's counties           the same
county          tasks of its county                                 the same
unit            tasks its unit leads or cooperates on               none (reports progress,
                                                                    answers notices)
viewer          the lists only (no detail, no files)                none
enterprise      nothing (every route answers 404)                   none
==============  ==================================================  =======================

Verification and closure belong to the assigning office only (``assigner_scope``:
``province``, ``chain:<code>``, ``region:<code>``) and the province administrator. A task or
meeting outside the caller's scope answers 404, so its existence is not revealed.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_work_tasks import work_meeting, work_task, work_task_unit

MANAGERS = ("province_admin", "chain_office", "city", "county")
READERS = MANAGERS + ("unit", "viewer")


def unit_keys(user) -> list[str]:
    """How a ``unit`` user's unit is written in tasks (its code and its Chinese name); [] otherwise."""
    from chainbrain.work.task_base import unit_keys as keys

    return keys(user) if user is not None and user.role == "unit" else []


def reads_lists(user) -> bool:
    return user is not None and user.role in READERS


def reads_detail(user) -> bool:
    return user is not None and user.role in MANAGERS + ("unit",)


def _region_cond(col, user):
    if user.role == "city":
        return col.in_(sa.select(sa.text("code")).select_from(sa.text("region"))
                       .where(sa.text("prefecture_code = :p_city")).params(p_city=user.region_code)
                       .scalar_subquery()) | (col == user.region_code)
    return col == user.region_code


def task_where(user):
    """SQLAlchemy condition on ``work_task`` for the tasks ``user`` may list."""
    if user is None or user.role not in READERS:
        return sa.false()
    if user.role in ("province_admin", "viewer"):
        return sa.true()
    if user.role == "chain_office":
        return work_task.c.chain_code == user.chain_code
    if user.role in ("city", "county"):
        return _region_cond(work_task.c.region_code, user)
    keys = unit_keys(user) or ["\x00"]
    return work_task.c.lead_unit.in_(keys) | work_task.c.id.in_(
        sa.select(work_task_unit.c.task_id).where(work_task_unit.c.unit.in_(keys)))


def meeting_where(user):
    """Condition on ``work_meeting``: the chain's meetings for a chain office, the region's for a
    bureau, every meeting for the province and viewers; a unit sees meetings whose decisions
    became tasks it works on."""
    if user is None or user.role not in READERS:
        return sa.false()
    if user.role in ("province_admin", "viewer"):
        return sa.true()
    if user.role == "chain_office":
        return work_meeting.c.chain_code == user.chain_code
    if user.role in ("city", "county"):
        return _region_cond(work_meeting.c.region_code, user)
    return work_meeting.c.id.in_(sa.select(work_task.c.meeting_id).where(task_where(user)))


def in_region(conn, user, region_code: str) -> bool:
    """True when ``region_code`` is the bureau's own region (or one of its city's counties)."""
    if region_code == user.region_code:
        return True
    if user.role != "city":
        return False
    pref = conn.execute(sa.text("SELECT prefecture_code FROM region WHERE code = :c"), {"c": region_code}).scalar()
    return pref == user.region_code


def may_assign(conn, user, chain: str | None, region: str) -> str | None:
    """None when ``user`` may assign a task of this chain and region, else the reason (bilingual)."""
    if user.role == "province_admin":
        return None
    if user.role == "chain_office":
        return None if chain == user.chain_code else \
            f"chain {chain or '—'} is not your chain {user.chain_code} (非本链任务)"
    if user.role in ("city", "county"):
        return None if in_region(conn, user, region) else f"region {region} is outside {user.region_code} (非本地区任务)"
    return f"role {user.role} does not assign tasks (该角色不能交办任务)"


def assigner_scope(user) -> str:
    """The office a task assigned by ``user`` answers to."""
    if user.role == "chain_office":
        return f"chain:{user.chain_code}"
    if user.role in ("city", "county"):
        return f"region:{user.region_code}"
    return "province"


def manages(conn, user, task) -> bool:
    """May ``user`` edit ``task`` (a row of ``work_task``)?"""
    if user is None or user.role not in MANAGERS:
        return False
    return may_assign(conn, user, task.chain_code, task.region_code) is None


def is_assigner(user, task) -> bool:
    """Is ``user`` the office that assigned ``task`` (it verifies and closes)?"""
    if user is None:
        return False
    return user.role == "province_admin" or (user.role in MANAGERS and assigner_scope(user) == task.assigner_scope)


def responsible(conn, user, task) -> bool:
    """May ``user`` report progress on ``task``: its lead or cooperating unit, or an office that manages it."""
    if manages(conn, user, task):
        return True
    keys = unit_keys(user)
    if not keys:
        return False
    if task.lead_unit in keys:
        return True
    return conn.execute(sa.select(sa.func.count()).select_from(work_task_unit).where(
        work_task_unit.c.task_id == task.id, work_task_unit.c.unit.in_(keys))).scalar() > 0


def leads(conn, user, task) -> bool:
    """May ``user`` report the task complete: the lead unit, or an office that manages it."""
    return manages(conn, user, task) or task.lead_unit in unit_keys(user)
