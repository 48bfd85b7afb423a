"""How tasks use the work-system base: one place that binds them to the calendar, the workflow's
refusal, the records (ids, version check, audit trail), the inbox and the units.

- Units: a task's 责任单位 / 配合单位 is free text as offices write it; a ``unit`` user's unit
  (``user_account.unit_code``, the pack's ``work/units.csv``) matches a task by its code or its
  Chinese name. Inbox messages to a unit go to its ``unit`` users (the name is looked up).
- Offices: ``province``, ``chain:<code>``, ``region:<code>`` address the province
  administrators, a chain office, a city or county bureau.
"""

from __future__ import annotations

from chainbrain.work import inbox, records
from chainbrain.work.calendar import add_working_days, working_days_between  # noqa: F401  (re-exported)
from chainbrain.work.workflow import Refused

ENTITY = {"work_task": ("task", "任务"), "work_notice": ("supervision notice", "督办单"),
          "work_meeting": ("meeting", "会议")}
Conflict = records.Conflict


def refused(message: str) -> Refused:
    return Refused(message)


def new_id(conn, table: str) -> int:
    return records.new_id(conn, table)


def check_version(table: str, item_id: int, current: int, sent) -> int:
    """The sent ``version`` as an int; :class:`~chainbrain.work.records.Conflict` when stale."""
    v = records.require_version(sent)
    if v != current:
        raise records.Conflict(ENTITY.get(table, (table, table)), item_id, current, v)
    return v


def update(conn, table, item_id: int, version: int, values: dict) -> int:
    return records.update_versioned(conn, table, item_id, version, values, ENTITY.get(table.name, (table.name,) * 2))


def audit(conn, actor, entity: str, entity_id: int, action: str, before: dict | None, after: dict | None,
          note: str | None = None) -> None:
    if before is not None and after is not None:
        before, after = records.changed(before, after)
    records.trail(conn, actor, entity, entity_id, action, before, after, note)


def unit_code_of(name: str | None) -> str | None:
    """The pack unit code for a unit written as its code or Chinese name (None: not a pack unit)."""
    from chainbrain.work.units import units

    for u in units():
        if name in (u["code"], u["name_zh"]):
            return u["code"]
    return None


def unit_display(text: str) -> str:
    """A unit written as its pack code (P-GRID) becomes its Chinese name; other text is kept."""
    from chainbrain.work.units import unit

    u = unit(text)
    return u["name_zh"] if u else text


def user_unit(user) -> str | None:
    """The Chinese name of a ``unit`` user's unit (what tasks write in 责任单位)."""
    from chainbrain.work.units import unit_name

    return unit_name(user.unit_code) if getattr(user, "unit_code", None) else None


def unit_keys(user) -> list[str]:
    """What a ``unit`` user's unit may be written as in a task: its code and its Chinese name."""
    code = getattr(user, "unit_code", None)
    return [k for k in (code, user_unit(user)) if k]


def notify(conn, text: str, link: str, *, unit: str | None = None, office: str | None = None,
           task_id: int | None = None) -> int:
    """Tell a unit (by code or name) and/or an office (``province``, ``chain:X``, ``region:X``)."""
    to: dict = {}
    code = unit_code_of(unit) if unit else None
    if code:
        to["unit"] = code
    if office:
        kind, _, value = office.partition(":")
        if kind == "chain":
            to["chain"] = value
        elif kind == "region":
            to["region"] = value
        else:
            to["province"] = True
    if not to:
        return 0
    return inbox.notify(conn, text, link, entity="work_task" if task_id else None, entity_id=task_id, **to)
