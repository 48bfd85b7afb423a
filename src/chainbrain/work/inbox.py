"""The in-application inbox: notices to users about work items.

:func:`notify` addresses a user, a unit (every user of role ``unit`` with that
unit code), a region (the city or county bureau's users of that code), a chain
office (its ``chain_office`` users), an enterprise (its ``enterprise`` users,
by USCC) or the province (``province_admin`` users); the recipients are
resolved when the notice is sent, one ``inbox_message`` row each, in the
caller's transaction. Disabled accounts get nothing. When ``[mail] enabled`` (off by default),
a message for a user with an e-mail address is marked ``mail_state = 'pending'``, and
:func:`chainbrain.work.mail.dispatch` mails it once the transaction has committed.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_users import user_account as ua
from chainbrain.store.schema_work import inbox_message
from chainbrain.work.records import new_id, now


def recipients(conn: sa.Connection, *, user: int | None = None, unit: str | None = None,
               region: str | None = None, chain: str | None = None, uscc: str | None = None,
               province: bool = False) -> list[int]:
    """Ids of the enabled users addressed (duplicates removed, sorted)."""
    conds = []
    if user is not None:
        conds.append(ua.c.id == int(user))
    if unit:
        conds.append(sa.and_(ua.c.role == "unit", ua.c.unit_code == unit))
    if region:
        conds.append(sa.and_(ua.c.role.in_(("city", "county")), ua.c.region_code == region))
    if chain:
        conds.append(sa.and_(ua.c.role == "chain_office", ua.c.chain_code == chain))
    if uscc:
        conds.append(sa.and_(ua.c.role == "enterprise", ua.c.uscc == uscc))
    if province:
        conds.append(ua.c.role == "province_admin")
    if not conds:
        return []
    rows = conn.execute(sa.select(ua.c.id).where(sa.or_(*conds), sa.not_(ua.c.disabled))).all()
    return sorted({int(r[0]) for r in rows})


def notify(conn: sa.Connection, text: str, link: str | None = None, *, entity: str | None = None,
           entity_id: int | None = None, **to) -> int:
    """Send ``text`` (with ``link``, a path in the application) to the addressees ``to``
    (keywords of :func:`recipients`); returns the number of messages written."""
    from chainbrain.work import mail

    ids = recipients(conn, **to)
    at = now()
    mailed = set()
    if ids and mail.enabled():
        mailed = {int(r[0]) for r in conn.execute(sa.select(ua.c.id).where(
            ua.c.id.in_(ids), ua.c.email.isnot(None), ua.c.email != ""))}
    for uid in ids:
        conn.execute(inbox_message.insert().values(
            id=new_id(conn, "inbox_message"), user_id=uid, created_at=at, text=text, link=link,
            entity=entity, entity_id=entity_id, read_at=None, mail_state="pending" if uid in mailed else None))
    return len(ids)


def messages(conn: sa.Connection, user_id: int, unread_only: bool = False, limit: int = 200,
             offset: int = 0) -> list[dict]:
    """The user's messages, newest first: ``limit`` of them from ``offset``."""
    q = sa.select(inbox_message).where(inbox_message.c.user_id == user_id)
    if unread_only:
        q = q.where(inbox_message.c.read_at.is_(None))
    rows = conn.execute(q.order_by(inbox_message.c.created_at.desc(), inbox_message.c.id.desc())
                        .limit(limit).offset(offset)).all()
    return [{"id": int(r.id), "created_at": r.created_at.isoformat(sep=" "), "text": r.text, "link": r.link,
             "entity": r.entity, "entity_id": r.entity_id, "read": r.read_at is not None} for r in rows]


def message_count(conn: sa.Connection, user_id: int, unread_only: bool = False) -> int:
    """How many messages the user has (unread only: not yet read)."""
    q = sa.select(sa.func.count()).select_from(inbox_message).where(inbox_message.c.user_id == user_id)
    if unread_only:
        q = q.where(inbox_message.c.read_at.is_(None))
    return int(conn.execute(q).scalar())


def unread_count(conn: sa.Connection, user_id: int) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(inbox_message).where(
        inbox_message.c.user_id == user_id, inbox_message.c.read_at.is_(None))).scalar())


def mark_read(conn: sa.Connection, user_id: int, ids: list[int] | None = None) -> int:
    """Mark the user's messages ``ids`` (None: all) read; returns how many changed."""
    q = inbox_message.update().where(inbox_message.c.user_id == user_id, inbox_message.c.read_at.is_(None))
    if ids is not None:
        q = q.where(inbox_message.c.id.in_([int(i) for i in ids]))
    return len(conn.execute(q.values(read_at=now()).returning(inbox_message.c.id)).all())
