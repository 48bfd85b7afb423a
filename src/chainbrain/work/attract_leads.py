"""Investment-attraction leads (招商线索): a ranked target marked for follow-up, and its course.

States (on the base workflow; any other move is refused with one bilingual message):
线索 ``lead`` —follow_up→ 已对接 ``followed_up`` —sign→ 已签约 ``signed`` —land→ 已落地
``landed``; ``drop`` (放弃) from lead, followed_up or signed → ``dropped``; ``reopen`` (重启)
from dropped → ``lead``. Each forward move records its date (``followed_up_on``,
``signed_on``, ``landed_on``; default today). Every change checks the version the caller
read (409 when someone else changed it) and writes the audit trail (``work_audit``,
entity ``attraction_lead``) with who and when.

Scope: firm-level lists are for the province (``province_admin``) and the chain offices
(their own chains): they see, mark and move leads; everybody else sees none. A candidate is
an enterprise registered outside the province; one open lead (not dropped) per
candidate × chain × segment × region. A lead carries ``projects``: the key projects that came
from it (``work_project.lead_id``) which the viewer may see.
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from chainbrain.store.schema_attract import attraction_lead
from chainbrain.work.records import Conflict, Invalid, Missing, NotAllowed, history, new_id, now, require_version, \
    trail, update_versioned
from chainbrain.work.workflow import Workflow

ENTITY = ("attraction lead", "招商线索")
STATES = ("lead", "followed_up", "signed", "landed", "dropped")
LABELS = {"lead": "线索", "followed_up": "已对接", "signed": "已签约", "landed": "已落地", "dropped": "已放弃",
          "follow_up": "对接", "sign": "签约", "land": "落地", "drop": "放弃", "reopen": "重启"}
MOVES = [("follow_up", "lead", "followed_up"), ("sign", "followed_up", "signed"), ("land", "signed", "landed"),
         ("drop", ["lead", "followed_up", "signed"], "dropped"), ("reopen", "dropped", "lead")]
DATE_OF = {"follow_up": "followed_up_on", "sign": "signed_on", "land": "landed_on"}
WORKFLOW = Workflow(ENTITY, list(STATES), MOVES, LABELS)
FIRM_ROLES = ("province_admin", "chain_office")

__all__ = ["Conflict", "Invalid", "Missing", "NotAllowed", "mark", "move", "leads", "get", "sees_firms",
           "STATES", "LABELS", "WORKFLOW"]


def sees_firms(user, chain: str | None) -> bool:
    """Whether ``user`` may see firm-level target lists and leads of ``chain`` (None: any of them)."""
    if user is None or user.role not in FIRM_ROLES:
        return False
    return user.role == "province_admin" or chain is None or user.chain_code == chain


def _require(user, chain: str) -> None:
    if not sees_firms(user, chain):
        raise NotAllowed("only the province and the chain's office may see and mark attraction targets "
                         "(只有省级和本链链长办可以查看和标记招商目标)")


def _text(value, field: str, limit: int, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(f"{field}: required ({field} 必填)")
        return None
    if not isinstance(value, str):
        raise Invalid(f"{field}: must be text ({field} 应为文本)")
    value = value.strip()
    if len(value) > limit:
        raise Invalid(f"{field}: at most {limit} characters ({field} 最多 {limit} 个字符)")
    return value


def _date(value, field: str) -> dt.date:
    if value is None or value == "":
        return dt.date.today()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{field}: {value!r} is not a date YYYY-MM-DD ({field} 应为日期 YYYY-MM-DD)") from None


def _row(r) -> dict:
    d = dict(r._mapping)
    for k in ("followed_up_on", "signed_on", "landed_on"):
        d[k] = d[k].isoformat() if d[k] else None
    for k in ("created_at", "updated_at"):
        d[k] = d[k].isoformat(sep=" ") if d[k] else None
    d["status_label"] = LABELS.get(d["status"], d["status"])
    d["score_basis"] = json.loads(d["score_basis"]) if d.get("score_basis") else None
    return d


def _with_names(conn, where) -> sa.Select:
    e = sa.table("enterprise", sa.column("id"), sa.column("name"), sa.column("uscc"), sa.column("province_code"))
    return (sa.select(attraction_lead, e.c.name.label("name"), e.c.uscc.label("uscc"),
                      e.c.province_code.label("province_code"))
            .select_from(attraction_lead.outerjoin(e, e.c.id == attraction_lead.c.enterprise_id)).where(where))


def leads(conn, user, chain: str | None = None, status: str | None = None) -> list[dict]:
    """The leads ``user`` may see (province: all; chain office: its chain's), newest first."""
    if user is None or user.role not in FIRM_ROLES:
        return []
    cond = sa.true()
    if user.role == "chain_office":
        cond = attraction_lead.c.chain_code == user.chain_code
    if chain:
        cond = sa.and_(cond, attraction_lead.c.chain_code == chain)
    if status:
        if status not in STATES:
            raise Invalid(f"status: one of {', '.join(STATES)} (状态应为 {'、'.join(STATES)} 之一)")
        cond = sa.and_(cond, attraction_lead.c.status == status)
    rows = conn.execute(_with_names(conn, cond).order_by(attraction_lead.c.id.desc())).all()
    return _with_projects(conn, user, [_row(r) for r in rows])


def _with_projects(conn, user, items: list[dict]) -> list[dict]:
    """Each lead with ``projects``: the key projects that came from it, those ``user`` may see
    (:mod:`chainbrain.work.project_leads`)."""
    from chainbrain.work.project_leads import projects_of

    by_lead = projects_of(conn, user, [d["id"] for d in items])
    for d in items:
        d["projects"] = by_lead[d["id"]]
    return items


def get(conn, user, lead_id: int, with_history: bool = False) -> dict:
    r = conn.execute(_with_names(conn, attraction_lead.c.id == lead_id)).first()
    if r is None or not sees_firms(user, r.chain_code):
        raise Missing(f"attraction lead {lead_id} not found or outside your scope (未找到该招商线索，或不在您的权限范围内)")
    out = _with_projects(conn, user, [_row(r)])[0]
    if with_history:
        out["history"] = history(conn, "attraction_lead", lead_id)
    return out


def mark(conn, user, data: dict, home: str) -> dict:
    """Mark a target as a lead. ``data``: enterprise_id (or uscc), chain_code, segment_code, region_code,
    year, owner, note, score, score_basis (dict)."""
    chain = _text(data.get("chain_code"), "chain_code", 8, required=True)
    _require(user, chain)
    if conn.execute(sa.text("SELECT 1 FROM chain WHERE code = :c"), {"c": chain}).first() is None:
        raise Invalid(f"chain_code: unknown chain {chain} (未知产业链 {chain})")
    seg = _text(data.get("segment_code"), "segment_code", 32)
    if seg is not None and conn.execute(sa.text("SELECT 1 FROM segment_chain WHERE segment_code = :s AND "
                                                "chain_code = :c"), {"s": seg, "c": chain}).first() is None:
        raise Invalid(f"segment_code: {seg} is not a segment of chain {chain} (环节 {seg} 不属于产业链 {chain})")
    region = _text(data.get("region_code"), "region_code", 6)
    if region is not None and conn.execute(sa.text("SELECT 1 FROM region WHERE code = :r"),
                                           {"r": region}).first() is None:
        raise Invalid(f"region_code: unknown region {region} (未知地区 {region})")
    eid = data.get("enterprise_id")
    if eid is None and data.get("uscc"):
        eid = conn.execute(sa.text("SELECT id FROM enterprise WHERE uscc = :u"), {"u": str(data["uscc"])}).scalar()
    try:
        eid = int(eid)
    except (TypeError, ValueError):
        raise Invalid("enterprise_id: required, the candidate's id (or uscc) (enterprise_id 必填：候选企业编号或信用代码)") \
            from None
    prov = conn.execute(sa.text("SELECT province_code FROM enterprise WHERE id = :i"), {"i": eid}).scalar()
    if prov is None:
        raise Invalid(f"enterprise_id: no enterprise {eid} (企业 {eid} 不存在)")
    if prov == home:
        raise Invalid("enterprise_id: the enterprise is in the province; attraction targets are outside it "
                      "(该企业在本省，招商目标应为省外企业)")
    try:
        year = int(data.get("year") or dt.date.today().year)
    except (TypeError, ValueError):
        raise Invalid("year: must be a year (year 应为年份)") from None
    score = data.get("score")
    if score is not None:
        try:
            score = float(score)
        except (TypeError, ValueError):
            raise Invalid("score: must be a number (score 应为数值)") from None
    basis = data.get("score_basis")
    if basis is not None and not isinstance(basis, dict):
        raise Invalid("score_basis: must be an object (score_basis 应为对象)")
    t = attraction_lead.c
    same = sa.and_(t.enterprise_id == eid, t.chain_code == chain, t.status != "dropped",
                   t.segment_code.is_(None) if seg is None else t.segment_code == seg,
                   t.region_code.is_(None) if region is None else t.region_code == region)
    dup = conn.execute(sa.select(t.id).where(same)).scalar()
    if dup is not None:
        raise Invalid(f"already a lead: #{dup} (该目标已是招商线索 #{dup})")
    lid = new_id(conn, "attraction_lead")
    ts = now()
    row = {"id": lid, "enterprise_id": eid, "chain_code": chain, "segment_code": seg, "region_code": region,
           "status": "lead", "owner": _text(data.get("owner"), "owner", 64) or user.username,
           "note": _text(data.get("note"), "note", 2000), "year": year, "score": score,
           "score_basis": json.dumps(basis, ensure_ascii=False, sort_keys=True) if basis else None,
           "version": 1, "created_at": ts, "created_by": user.username, "updated_at": ts,
           "is_demo": bool(data.get("is_demo", False))}
    conn.execute(attraction_lead.insert().values(**row))
    trail(conn, user, "attraction_lead", lid, "mark", None,
          {k: row[k] for k in ("enterprise_id", "chain_code", "segment_code", "region_code", "status", "owner",
                               "score")}, row["note"])
    return get(conn, user, lid)


def move(conn, user, lead_id: int, action: str, version, on=None, note: str | None = None,
         owner: str | None = None) -> dict:
    """Apply ``action`` (follow_up, sign, land, drop, reopen) to a lead the caller read at ``version``."""
    cur = get(conn, user, lead_id)
    ver = require_version(version)
    new_state = WORKFLOW.next_state(cur["status"], action)
    values = {"status": new_state, "updated_at": now()}
    if action in DATE_OF:
        values[DATE_OF[action]] = _date(on, "on")
    if owner is not None:
        values["owner"] = _text(owner, "owner", 64)
    if note is not None:
        values["note"] = _text(note, "note", 2000)
    update_versioned(conn, attraction_lead, lead_id, ver, values, ENTITY)
    after = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items() if k != "updated_at"}
    trail(conn, user, "attraction_lead", lead_id, action, {"status": cur["status"]}, after, note)
    return get(conn, user, lead_id)
