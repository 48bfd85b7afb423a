"""Requests as the API and the pages show them: one request's record, and lists with filters.

Every list is limited to what the caller may see
(:func:`chainbrain.work.request_scope.visible_clause`); a record carries the
actions the caller may take now, the clocks (due dates, ``overdue``) and, for
the detail, the audit trail and the attached files.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store.schema import chain, enterprise, region
from chainbrain.store.schema_work import work_request as wr
from chainbrain.work import files
from chainbrain.work.records import Invalid, history
from chainbrain.work.request_rules import load_rules
from chainbrain.work.request_scope import visible_clause
from chainbrain.work.requests import LABELS, LABELS_EN, STATES, allowed_actions, overdue
from chainbrain.work.units import unit_name

relayer = enterprise.alias("relayer")
COLUMNS = [wr, enterprise.c.uscc.label("e_uscc"), enterprise.c.name.label("e_name"),
           relayer.c.uscc.label("r_uscc"), relayer.c.name.label("r_name")]


def _base():
    return sa.select(*COLUMNS).select_from(
        wr.join(enterprise, enterprise.c.id == wr.c.enterprise_id)
        .outerjoin(relayer, relayer.c.id == wr.c.relayed_by_id))


def _iso(v):
    return None if v is None else v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat()


def _names(conn) -> dict:
    regions = {r.code: r.name for r in conn.execute(sa.select(region.c.code, region.c.name))}
    chains = {r.code: r.name_zh for r in conn.execute(sa.select(chain.c.code, chain.c.name_zh))}
    return {"region": regions, "chain": chains}


def record(conn, user, row, lang: str = "zh", names: dict | None = None, today: dt.date | None = None) -> dict:
    names = names or _names(conn)
    rules = load_rules()
    labels = LABELS if lang == "zh" else LABELS_EN
    today = today or dt.date.today()
    if row.route_unit:
        route = {"kind": "unit", "code": row.route_unit, "name": unit_name(row.route_unit, lang)}
    else:
        route = {"kind": "region", "code": row.route_region,
                 "name": names["region"].get(row.route_region, row.route_region)}
    return {
        "id": int(row.id), "title": row.title, "category": row.category,
        "category_name": rules.category_name(row.category, lang), "description": row.description,
        "status": row.status, "status_label": labels[row.status],
        "enterprise": {"uscc": row.e_uscc, "name": row.e_name},
        "relayed_by": {"uscc": row.r_uscc, "name": row.r_name} if row.relayed_by_id else None,
        "submitted_by": row.submitted_by, "chain_code": row.chain_code,
        "chain_name": names["chain"].get(row.chain_code) if row.chain_code else None,
        "region_code": row.region_code, "region_name": names["region"].get(row.region_code),
        "route": route, "escalated": bool(row.escalated), "escalated_at": _iso(row.escalated_at),
        "escalation_reason": row.escalation_reason, "group_id": row.group_id,
        "answer": row.answer, "answered_by": row.answered_by,
        "submitted_at": _iso(row.submitted_at), "accepted_at": _iso(row.accepted_at),
        "answered_at": _iso(row.answered_at), "closed_at": _iso(row.closed_at), "close_reason": row.close_reason,
        "respond_due": _iso(row.respond_due), "resolve_due": _iso(row.resolve_due),
        "confirm_due": _iso(row.confirm_due), "overdue": overdue(row, today),
        "rating": row.rating, "rating_comment": row.rating_comment, "reopen_count": int(row.reopen_count),
        "rules_version": row.rules_version, "version": int(row.version),
        "actions": allowed_actions(conn, user, row),
    }


def detail(conn, user, rid, lang: str = "zh") -> dict:
    from chainbrain.work.requests import fetch

    fetch(conn, user, rid)                                    # Missing unless visible
    row = conn.execute(_base().where(wr.c.id == int(rid))).one()
    out = record(conn, user, row, lang)
    out["history"] = history(conn, "request", int(rid))
    out["files"] = files.listing(conn, "request", int(rid))
    return out


def listing(conn, user, *, status: str | None = None, category: str | None = None, chain: str | None = None,
            escalated: bool | None = None, group: int | None = None, limit: int = 100, offset: int = 0,
            lang: str = "zh") -> dict:
    """``{"items": [...], "total": n}``: the caller's visible requests, newest first."""
    where = [visible_clause(conn, user)]
    if status:
        if status not in STATES:
            raise Invalid(f"status: must be one of {', '.join(STATES)} (字段 status 取值无效)")
        where.append(wr.c.status == status)
    if category:
        where.append(wr.c.category == load_rules().category(category)["code"])
    if chain:
        where.append(wr.c.chain_code == chain)
    if escalated is not None:
        where.append(wr.c.escalated == escalated)
    if group is not None:
        where.append(wr.c.group_id == group)
    if not 1 <= limit <= 500 or offset < 0:
        raise Invalid("limit: 1–500, offset: ≥ 0 (分页参数无效)")
    total = conn.execute(sa.select(sa.func.count()).select_from(wr).where(*where)).scalar()
    rows = conn.execute(_base().where(*where).order_by(wr.c.submitted_at.desc(), wr.c.id.desc())
                        .limit(limit).offset(offset)).all()
    names = _names(conn)
    return {"items": [record(conn, user, r, lang, names) for r in rows], "total": int(total)}
