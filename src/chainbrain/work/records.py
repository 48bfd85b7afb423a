"""Records of the work system: ids, the optimistic version check, and the audit trail.

- Ids come from one sequence per table, ``<table>_id_seq`` (created by the
  table's migration): safe under concurrent writers on PostgreSQL, where
  ``MAX(id) + 1`` is not.
- Version check (optimistic locking): every editable item has an integer
  ``version``; an update names the version it was based on and succeeds only
  if the row still has it (``UPDATE … WHERE id = :id AND version = :v``, the
  database's row lock makes the check atomic), raising the version by one.
  Otherwise :class:`Conflict` says who must reload — routes answer 409. Two
  people editing the same item never silently overwrite each other.
- Audit trail (``work_audit``): one row per change — who (user name and role),
  when, which entity and id, the action, the item before and after (JSON), and
  an optional note. Every change of a work item writes one, in the same
  transaction as the change.
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from chainbrain.store.schema_work import work_audit


class Conflict(Exception):
    """The item changed since the caller read it (bilingual message; HTTP 409)."""

    def __init__(self, entity: tuple[str, str], item_id, current, sent):
        en, zh = entity
        super().__init__(f"{en} {item_id} was changed by someone else (now version {current}, yours {sent}): "
                         f"reload it and try again (该{zh}已被他人修改：当前版本 {current}，您提交的版本 {sent}，请刷新后重试)")
        self.current, self.sent = current, sent


class Invalid(ValueError):
    """Bad input to a work action (bilingual message naming the field; HTTP 400)."""


class Missing(LookupError):
    """No such item, or not visible to the caller (HTTP 404)."""


class NotAllowed(PermissionError):
    """The caller sees the item but its role may not do this to it (bilingual message; HTTP 403)."""


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def new_id(conn: sa.Connection, table: str) -> int:
    """The next id of ``table`` from its sequence ``<table>_id_seq``."""
    return int(conn.execute(sa.text(f"SELECT nextval('{table}_id_seq')")).scalar())


def require_version(value) -> int:
    """The ``version`` an update was based on, as an int (:class:`Invalid` when absent or not an integer)."""
    if isinstance(value, bool) or value is None or value == "":
        raise Invalid("version: required, the version you read (字段 version 必填：您读取时的版本号)")
    try:
        out = int(value)
    except (TypeError, ValueError):
        raise Invalid(f"version: {value!r} is not an integer (字段 version 应为整数)") from None
    if str(out) != str(value).strip() and not isinstance(value, int):
        raise Invalid(f"version: {value!r} is not an integer (字段 version 应为整数)")
    return out


def update_versioned(conn: sa.Connection, table: sa.Table, item_id: int, version: int, values: dict,
                     entity: tuple[str, str]) -> int:
    """Apply ``values`` to row ``item_id`` if it still has ``version``; returns the new version.

    Raises :class:`Conflict` when the row has another version, :class:`Missing` when it is gone.
    """
    new = version + 1
    res = conn.execute(table.update().where(table.c.id == item_id, table.c.version == version)
                       .values(**values, version=new).returning(table.c.id))
    if res.first() is None:
        current = conn.execute(sa.select(table.c.version).where(table.c.id == item_id)).scalar()
        if current is None:
            raise Missing(f"{entity[0]} {item_id} not found ({entity[1]}不存在)")
        raise Conflict(entity, item_id, int(current), version)
    return new


def _json(value) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def trail(conn: sa.Connection, actor, entity: str, entity_id: int, action: str,
          before: dict | None = None, after: dict | None = None, note: str | None = None,
          at: dt.datetime | None = None) -> int:
    """Append one audit-trail row; ``actor`` is a user (``.username``, ``.role``) or a name (system jobs);
    ``at``: when the change took effect (default now)."""
    name = getattr(actor, "username", None) or str(actor or "system")
    role = getattr(actor, "role", None) or "system"
    rid = new_id(conn, "work_audit")
    conn.execute(work_audit.insert().values(
        id=rid, logged_at=at or now(), actor=name[:64], actor_role=role[:16], entity=entity[:32], entity_id=int(entity_id),
        action=action[:32], before_json=_json(before), after_json=_json(after), note=note))
    return rid


def history(conn: sa.Connection, entity: str, entity_id: int) -> list[dict]:
    """The audit trail of one item in the order the changes were made."""
    rows = conn.execute(sa.select(work_audit).where(work_audit.c.entity == entity, work_audit.c.entity_id == entity_id)
                        .order_by(work_audit.c.id)).all()
    return [{"id": int(r.id), "at": r.logged_at.isoformat(sep=" "), "actor": r.actor, "actor_role": r.actor_role,
             "action": r.action, "before": json.loads(r.before_json) if r.before_json else None,
             "after": json.loads(r.after_json) if r.after_json else None, "note": r.note} for r in rows]


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that differ, as (before, after) — what the trail keeps for an update."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
