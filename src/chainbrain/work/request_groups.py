"""同题共答 — recurring problems grouped so that one answer serves many requests.

A handler (the province, a chain office, a bureau or unit) groups requests it
handles (:func:`create`), and answers the group once (:func:`answer`): every
member still open (submitted, accepted, in progress) is answered with the
group's answer through the workflow (accepted first when still submitted),
each with its own audit-trail row, version bump and notice. A group is seen by
whoever sees one of its members; the answer needs the caller to handle every
open member.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_work import work_request as wr
from chainbrain.store.schema_work import work_request_group as wg
from chainbrain.work.records import Invalid, Missing, NotAllowed, new_id, now, require_version, trail, update_versioned
from chainbrain.work.request_scope import handles, visible_clause
from chainbrain.work.requests import OPEN, _text, act

ENTITY = ("request group", "诉求组")


def create(conn, user, data: dict) -> dict:
    title = _text(data, "title", limit=200)
    ids = data.get("request_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise Invalid("request_ids: a non-empty list of request ids (字段 request_ids 应为诉求编号列表)")
    rows = conn.execute(sa.select(wr).where(wr.c.id.in_(ids), visible_clause(conn, user))).all()
    if len(rows) != len(set(ids)):
        raise Missing("a request of the group does not exist or is not visible (诉求不存在或不可见)")
    if not all(handles(user, r) for r in rows):
        raise NotAllowed("group only requests you handle (仅可归并本单位办理的诉求)")
    gid, at = new_id(conn, "work_request_group"), now()
    cats = {r.category for r in rows}
    chains = {r.chain_code for r in rows}
    conn.execute(wg.insert().values(id=gid, title=title, category=cats.pop() if len(cats) == 1 else None,
                                    chain_code=chains.pop() if len(chains) == 1 else None,
                                    created_by=user.username, created_at=at, version=1))
    for r in rows:
        before = r.group_id
        update_versioned(conn, wr, r.id, int(r.version), {"group_id": gid, "updated_at": at}, ("request", "诉求"))
        trail(conn, user, "request", r.id, "group", {"group_id": before}, {"group_id": gid})
    trail(conn, user, "request_group", gid, "create", None, {"title": title, "request_ids": sorted(ids)})
    return {"id": gid, "title": title, "version": 1, "request_ids": sorted(ids)}


def _members(conn, gid: int):
    return conn.execute(sa.select(wr).where(wr.c.group_id == gid).order_by(wr.c.id)).all()


def get(conn, user, gid) -> dict:
    try:
        gid = int(gid)
    except (TypeError, ValueError):
        raise Missing("no such group (无此诉求组)") from None
    g = conn.execute(sa.select(wg).where(wg.c.id == gid)).first()
    seen = conn.execute(sa.select(wr.c.id).where(wr.c.group_id == gid, visible_clause(conn, user))
                        .order_by(wr.c.id)).all() if g else []
    if g is None or not seen:
        raise Missing("no such group (无此诉求组)")
    return {"id": gid, "title": g.title, "category": g.category, "chain_code": g.chain_code, "answer": g.answer,
            "answered_by": g.answered_by, "answered_at": g.answered_at.isoformat(sep=" ") if g.answered_at else None,
            "created_by": g.created_by, "version": int(g.version), "request_ids": [int(r[0]) for r in seen]}


def groups(conn, user) -> dict:
    ids = sorted({int(r[0]) for r in conn.execute(sa.select(wr.c.group_id).where(
        wr.c.group_id.is_not(None), visible_clause(conn, user)))})
    items = [get(conn, user, g) for g in ids]
    return {"items": items, "total": len(items)}


def answer(conn, user, gid, data: dict) -> dict:
    """Answer the group once: every open member is answered (accepted first when still submitted)."""
    g = get(conn, user, gid)
    version = require_version(data.get("version"))
    text = _text(data, "answer")
    members = _members(conn, g["id"])
    open_members = [r for r in members if r.status in OPEN]
    if not all(handles(user, r) for r in open_members):
        raise NotAllowed("answer only groups whose open requests you all handle (仅可答复本单位办理的诉求组)")
    at = now()
    update_versioned(conn, wg, g["id"], version, {"answer": text, "answered_by": user.username, "answered_at": at},
                     ENTITY)
    answered = []
    for r in open_members:
        v = int(r.version)
        if r.status == "submitted":
            v = act(conn, user, r.id, "accept", {"version": v}, at)["version"]
        act(conn, user, r.id, "answer", {"version": v, "answer": text}, at)
        answered.append(int(r.id))
    trail(conn, user, "request_group", g["id"], "answer", {"answer": g["answer"]}, {"answer": text})
    return {"id": g["id"], "version": version + 1, "answered": answered}
