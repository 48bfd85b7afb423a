"""Enterprise requests (企业诉求): submit, route, handle, answer, confirm (销号), reopen, escalate, rate.

Workflow (:data:`FLOW`, on ``transitions``)::

    submitted --accept--> accepted --start--> in_progress --answer--> answered --confirm--> closed
                          accepted ----------------------answer-->    answered --(deadline: tick)--> closed
    answered | closed --reopen--> in_progress          (the enterprise is not satisfied)
    submitted | accepted | in_progress --escalate--> (same state, escalated: 一事一议 at the chain office)
    answered | closed --rate--> (same state, rating 1–5)

A request is closed (销号) only when the enterprise confirms the answer or its
confirmation deadline passes (:mod:`chainbrain.work.requests_clock`). Routing
and clocks come from the pack (:mod:`chainbrain.work.request_rules`): respond by
``respond_due`` and resolve by ``resolve_due`` (working days from submission,
:mod:`chainbrain.work.calendar`); an answer opens ``confirm_due``. Who may do
what: :mod:`chainbrain.work.request_scope`. Every change bumps ``version``
(a stale one is a :class:`~chainbrain.work.records.Conflict`), writes the
audit trail and notifies the parties' inboxes.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store.schema import designation, enterprise, enterprise_segment, region, segment_chain
from chainbrain.store.schema_work import work_request as wr
from chainbrain.work import inbox
from chainbrain.work.calendar import add_working_days
from chainbrain.work.records import Invalid, Missing, NotAllowed, new_id, now, require_version, trail, update_versioned
from chainbrain.work.request_rules import load_rules
from chainbrain.work.request_scope import handles, own_enterprise_id, speaks_for_enterprise, visible_clause
from chainbrain.work.workflow import Workflow

ENTITY = ("request", "诉求")
STATES = ["submitted", "accepted", "in_progress", "answered", "closed"]
OPEN = ("submitted", "accepted", "in_progress")
LABELS = {"submitted": "已提交", "accepted": "已受理", "in_progress": "办理中", "answered": "已答复", "closed": "已销号",
          "accept": "受理", "start": "开始办理", "answer": "答复", "confirm": "确认销号", "close": "确认销号",
          "reopen": "重新办理", "escalate": "提级（一事一议）", "rate": "评价", "close_deadline": "到期自动销号",
          "submit": "提交", "attach": "上传附件", "group": "归并为同题共答"}
LABELS_EN = {"submitted": "Submitted", "accepted": "Accepted", "in_progress": "In progress", "answered": "Answered",
             "closed": "Closed", "accept": "Accept", "start": "Start work", "answer": "Answer",
             "confirm": "Confirm and close", "close": "Confirm and close", "reopen": "Reopen",
             "escalate": "Escalate (一事一议)", "rate": "Rate", "close_deadline": "Closed at the deadline",
             "submit": "Submit", "attach": "Attach a file", "group": "Grouped for one answer"}
FLOW = Workflow(ENTITY, STATES, [
    ("accept", "submitted", "accepted"),
    ("start", "accepted", "in_progress"),
    ("answer", ["accepted", "in_progress"], "answered"),
    ("confirm", "answered", "closed"),
    ("close_deadline", "answered", "closed"),
    ("reopen", ["answered", "closed"], "in_progress"),
    ("escalate", list(OPEN), "="),
    ("rate", ["answered", "closed"], "="),
], LABELS)
HANDLER_ACTIONS = ("accept", "start", "answer")
ENTERPRISE_ACTIONS = ("confirm", "reopen", "rate")
MAX_TEXT = 5000


def _text(data: dict, key: str, required: bool = True, limit: int = MAX_TEXT) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(f"{key}: required (字段 {key} 必填)")
        return None
    if not isinstance(value, str):
        raise Invalid(f"{key}: must be text (字段 {key} 应为文本)")
    value = value.strip()
    if len(value) > limit:
        raise Invalid(f"{key}: at most {limit} characters (字段 {key} 最多 {limit} 个字符)")
    return value


def _rating(data: dict, required: bool) -> int | None:
    value = data.get("rating")
    if value in (None, ""):
        if required:
            raise Invalid("rating: required, 1–5 (字段 rating 必填，1–5 分)")
        return None
    try:
        r = int(value)
    except (TypeError, ValueError):
        r = 0
    if isinstance(value, bool) or str(r) != str(value).strip() or not 1 <= r <= 5:
        raise Invalid(f"rating: {value!r} is not an integer 1–5 (字段 rating 应为 1–5 的整数)")
    return r


# ---------------------------------------------------------------- lookups
def enterprise_chain(conn, enterprise_id: int, day: dt.date) -> str | None:
    """The enterprise's main chain: primary chain of its current segment with the largest revenue share."""
    q = (sa.select(segment_chain.c.chain_code)
         .select_from(enterprise_segment.join(segment_chain, sa.and_(
             segment_chain.c.segment_code == enterprise_segment.c.segment_code, segment_chain.c.is_primary)))
         .where(enterprise_segment.c.enterprise_id == enterprise_id,
                sa.or_(enterprise_segment.c.valid_to.is_(None), enterprise_segment.c.valid_to >= day))
         .order_by(sa.func.coalesce(enterprise_segment.c.revenue_share, 0).desc(), segment_chain.c.chain_code)
         .limit(1))
    return conn.execute(q).scalar()


def master_chains(conn, enterprise_id: int, day: dt.date) -> list[str]:
    """Chains the enterprise is a current chain master (链主) of."""
    q = sa.select(designation.c.chain_code).where(
        designation.c.enterprise_id == enterprise_id, designation.c.kind == "chain_master",
        designation.c.chain_code.is_not(None), designation.c.valid_from <= day,
        sa.or_(designation.c.valid_to.is_(None), designation.c.valid_to >= day)).distinct()
    return sorted(r[0] for r in conn.execute(q))


def in_chain(conn, enterprise_id: int, chain: str, day: dt.date) -> bool:
    q = (sa.select(sa.func.count()).select_from(enterprise_segment.join(
        segment_chain, segment_chain.c.segment_code == enterprise_segment.c.segment_code))
         .where(enterprise_segment.c.enterprise_id == enterprise_id, segment_chain.c.chain_code == chain,
                sa.or_(enterprise_segment.c.valid_to.is_(None), enterprise_segment.c.valid_to >= day)))
    return bool(conn.execute(q).scalar())


def _enterprise(conn, key: str):
    return conn.execute(sa.select(enterprise.c.id, enterprise.c.uscc, enterprise.c.name, enterprise.c.region_code)
                        .where(enterprise.c.uscc == str(key).strip().upper())).first()


# ---------------------------------------------------------------- submit
def submit(conn, user, data: dict, at: dt.datetime | None = None) -> dict:
    """A new request from an enterprise user (``on_behalf_of``: a chain enterprise's USCC, when the
    user's firm is that chain's master). Returns the stored row as a dict."""
    if user is None or user.role != "enterprise":
        raise NotAllowed("only enterprise users submit requests (仅企业用户可提交诉求)")
    at = at or now()
    day = at.date()
    rules = load_rules()
    title = _text(data, "title", limit=200)
    cat = rules.category(data.get("category"))
    description = _text(data, "description")
    own = own_enterprise_id(conn, user)
    if own is None:
        raise Invalid(f"your account's USCC {user.uscc} is not an enterprise on file (账号的统一社会信用代码不在企业库中)")
    ent_id, relayed, chain = own, None, None
    behalf = data.get("on_behalf_of")
    if behalf not in (None, ""):
        target = _enterprise(conn, str(behalf))
        chains = master_chains(conn, own, day)
        if target is None:
            raise Invalid(f"on_behalf_of: no enterprise with USCC {behalf} (字段 on_behalf_of：无此企业)")
        chain = next((c for c in chains if in_chain(conn, int(target.id), c, day)), None)
        if chain is None:
            raise NotAllowed("only a chain master relays requests, for enterprises of its own chain "
                             "(仅链主企业可为本链企业转呈诉求)")
        ent_id, relayed = int(target.id), own
    ent = conn.execute(sa.select(enterprise.c.region_code).where(enterprise.c.id == ent_id)).first()
    county = ent.region_code if ent else None
    prefecture = conn.execute(sa.select(region.c.prefecture_code).where(region.c.code == county)).scalar() \
        if county else None
    chain = chain or enterprise_chain(conn, ent_id, day)
    route_region, route_unit = rules.route(cat["code"], county, prefecture)
    rid = new_id(conn, "work_request")
    row = dict(id=rid, title=title, category=cat["code"], description=description, enterprise_id=ent_id,
               relayed_by_id=relayed, submitted_by=user.username, chain_code=chain, region_code=county,
               route_region=route_region, route_unit=route_unit, status="submitted", escalated=False,
               submitted_at=at, respond_due=add_working_days(day, rules.respond_days),
               resolve_due=add_working_days(day, rules.resolve_days), reopen_count=0,
               rules_version=rules.version, version=1, updated_at=at)
    conn.execute(wr.insert().values(**row))
    trail(conn, user, "request", rid, "submit", None, {k: row[k] for k in (
        "title", "category", "status", "route_region", "route_unit", "respond_due", "resolve_due")}, at=at)
    link = f"/requests/{rid}"
    inbox.notify(conn, f"新诉求 #{rid}：{title}", link, entity="request", entity_id=rid,
                 region=route_region, unit=route_unit)
    return row


# ---------------------------------------------------------------- read
def fetch(conn, user, rid) -> sa.Row:
    """The request ``rid`` if ``user`` may see it (:class:`Missing` otherwise, the same as absent)."""
    try:
        rid = int(rid)
    except (TypeError, ValueError):
        raise Missing("no such request (无此诉求)") from None
    row = conn.execute(sa.select(wr).where(wr.c.id == rid, visible_clause(conn, user))).first()
    if row is None:
        raise Missing("no such request (无此诉求)")
    return row


def allowed_actions(conn, user, row) -> list[str]:
    """What ``user`` may do to ``row`` now (the buttons a page shows)."""
    out = []
    side = speaks_for_enterprise(conn, user, row)
    for action in FLOW.allowed(row.status):
        if action == "close_deadline":
            continue
        if action in HANDLER_ACTIONS and handles(user, row):
            out.append(action)
        elif action in ENTERPRISE_ACTIONS and side:
            out.append(action)
        elif action == "escalate" and not row.escalated and (
                handles(user, row) or (side and overdue(row, now().date()))):
            out.append(action)
    return out


def overdue(row, day: dt.date) -> bool:
    """Past its response deadline unaccepted, or past its resolution deadline unanswered."""
    if row.status == "submitted" and day > row.respond_due:
        return True
    return row.status in OPEN and day > row.resolve_due


# ---------------------------------------------------------------- act
def act(conn, user, rid, action: str, data: dict, at: dt.datetime | None = None) -> dict:
    """Apply ``action`` to request ``rid`` for ``user`` with ``data`` (``version`` required).

    Raises Missing (404), NotAllowed (403), Refused / Conflict (409), Invalid (400)."""
    action = "confirm" if action == "close" else action
    row = fetch(conn, user, rid)
    version = require_version(data.get("version"))
    at = at or now()
    day = at.date()
    if action not in FLOW.actions or action == "close_deadline":
        raise Invalid(f"unknown action {action!r} (未知操作)")
    new_state = FLOW.next_state(row.status, action)          # Refused → 409 before any permission detail
    side = speaks_for_enterprise(conn, user, row)
    if action in HANDLER_ACTIONS and not handles(user, row):
        raise NotAllowed("only the responsible unit handles this request (仅责任单位可办理此诉求)")
    if action in ENTERPRISE_ACTIONS and not side:
        raise NotAllowed("only the enterprise that raised the request may do this (仅提出诉求的企业可执行此操作)")
    values: dict = {"status": new_state, "updated_at": at}
    note = None
    rules = load_rules()
    if action == "accept":
        values["accepted_at"] = at
    elif action == "answer":
        values.update(answer=_text(data, "answer"), answered_by=user.username, answered_at=at,
                      confirm_due=add_working_days(day, rules.confirm_days))
    elif action == "confirm":
        values.update(closed_at=at, close_reason="confirmed")
        rating = _rating(data, required=False)
        if rating is not None:
            values.update(rating=rating, rating_comment=_text(data, "comment", required=False, limit=1000))
    elif action == "reopen":
        note = _text(data, "reason", limit=1000)
        values.update(answered_at=None, confirm_due=None, closed_at=None, close_reason=None,
                      reopen_count=row.reopen_count + 1, resolve_due=add_working_days(day, rules.resolve_days))
    elif action == "rate":
        values.update(rating=_rating(data, required=True),
                      rating_comment=_text(data, "comment", required=False, limit=1000))
    elif action == "escalate":
        if row.escalated:
            raise FLOW.refuse(row.status, action, "already escalated (已提级)")
        if not (handles(user, row) or (side and overdue(row, day))):
            raise NotAllowed("the enterprise may escalate only an overdue request; the responsible unit "
                             "may at any time (企业仅可对逾期诉求申请提级，责任单位可随时提级)")
        note = _text(data, "reason", limit=1000)
        values.update(escalated=True, escalated_at=at, escalation_reason=note)
    return _apply(conn, user, row, action, version, values, note, at)


def _apply(conn, user, row, action: str, version: int, values: dict, note: str | None,
           at: dt.datetime | None = None) -> dict:
    before = {k: getattr(row, k) for k in values if k != "updated_at"}
    new_version = update_versioned(conn, wr, row.id, version, values, ENTITY)
    after = {k: v for k, v in values.items() if k != "updated_at"}
    trail(conn, user, "request", row.id, action, before, after, note, at=at)
    _notify(conn, row, action, values)
    return {"id": int(row.id), "status": values["status"], "version": new_version}


def _notify(conn, row, action: str, values: dict) -> None:
    link, rid = f"/requests/{row.id}", int(row.id)
    text = f"诉求 #{rid}「{row.title}」：{LABELS.get(action, action)}"
    uscc = conn.execute(sa.select(enterprise.c.uscc).where(enterprise.c.id == row.enterprise_id)).scalar()
    relayer = conn.execute(sa.select(enterprise.c.uscc).where(enterprise.c.id == row.relayed_by_id)).scalar() \
        if row.relayed_by_id else None
    if action in ("accept", "answer", "close_deadline", "escalate"):
        for code in filter(None, (uscc, relayer)):
            inbox.notify(conn, text, link, entity="request", entity_id=rid, uscc=code)
    if action in ("confirm", "reopen", "rate", "close_deadline"):
        inbox.notify(conn, text, link, entity="request", entity_id=rid,
                     region=row.route_region, unit=row.route_unit, chain=row.chain_code if row.escalated else None)
    if action == "escalate":
        if row.chain_code:
            inbox.notify(conn, text, link, entity="request", entity_id=rid, chain=row.chain_code)
        else:
            inbox.notify(conn, text, link, entity="request", entity_id=rid, province=True)


def system_act(conn, row, action: str, values: dict, note: str) -> dict:
    """A change made by the clock (tick): the workflow still decides, the trail names ``system``."""
    values = {"status": FLOW.next_state(row.status, action), **values}
    return _apply(conn, "system", row, action, int(row.version), values, note, values.get("updated_at"))
