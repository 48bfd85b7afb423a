"""Joint R&D (链内 / 链间 / 链群 攻关, 揭榜挂帅): technology problems posted by a chain office or an
enterprise, teams applying, the chosen team, its milestones with funding tranches, the result and
its commercialisation.

States (on the base workflow; any other move is refused with one bilingual message, HTTP 409)::

    open (张榜征集) --award--> awarded (已揭榜) --start--> in_progress (攻关中)
        --complete--> completed (已验收) --close--> closed (已结题)
    open --withdraw--> withdrawn (已撤榜)

- apply (揭榜): while ``open`` and on or before ``apply_by``; an enterprise user applies for its
  firm, an office may record a team that is not an enterprise (a university, an institute).
- award: names one application (it becomes ``chosen``, the others ``not_chosen``); refused
  without applications.
- milestones: added by the managing office once awarded, each with the funding tranche released
  when it is done; Σ tranches ≤ the problem's funding. Marked done while ``in_progress``.
- complete: refused while a milestone is not done; records the result. close: records the
  commercialisation (text, revenue in yuan).
- ``funded_yuan`` = Σ tranches of done milestones; ``funded_share`` = funded ÷ funding (a fraction).

Reading (the list, a problem, an enterprise's own): :mod:`chainbrain.work.rd_read`.

Who: every signed-in role reads the list and a problem (a public call, 张榜); applications are
read by the managing office, the posting enterprise and — its own — the applicant (the first two
read the applying enterprises' names: they were applied to; anyone else reads an enterprise party
only if it may see that enterprise). The managing
office is the province or the lead chain's office; it awards, starts, adds and completes
milestones, completes and closes. Posting: the province, a chain office (its chain), an enterprise
(for its firm; lead chain defaults to the firm's main chain). Anonymous: 401 at the route.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store.schema_work_programs import work_rd_application as app_t
from chainbrain.store.schema_work_programs import work_rd_milestone as ms_t
from chainbrain.store.schema_work_programs import work_rd_problem as prob
from chainbrain.work import inbox, records
from chainbrain.work import program_base as pb
from chainbrain.work.records import Invalid, Missing, NotAllowed
from chainbrain.work.task_write import _date, _now, _text
from chainbrain.work.workflow import Refused, Workflow

ENTITY = ("R&D problem", "攻关榜单")
STATES = ("open", "awarded", "in_progress", "completed", "closed", "withdrawn")
LABELS = {"open": ("张榜征集", "open for applications"), "awarded": ("已揭榜", "team chosen"),
          "in_progress": ("攻关中", "in progress"), "completed": ("已验收", "completed"),
          "closed": ("已结题", "closed"), "withdrawn": ("已撤榜", "withdrawn")}
SCOPES = {"intra": ("链内攻关", "within the chain"), "inter": ("链间攻关", "across chains"),
          "group": ("链群攻关", "chain group")}
MOVES = [("award", "open", "awarded"), ("start", "awarded", "in_progress"),
         ("complete", "in_progress", "completed"), ("close", "completed", "closed"), ("withdraw", "open", "withdrawn")]
MOVE_LABELS = {"award": "确定揭榜团队", "start": "启动攻关", "complete": "验收", "close": "结题", "withdraw": "撤榜"}
DATE_OF = {"award": "awarded_on", "start": "started_on", "complete": "completed_on", "close": "closed_on"}
WORKFLOW = Workflow(("R&D problem", "攻关榜单"), list(STATES), MOVES,
                    {**{s: v[0] for s, v in LABELS.items()}, **MOVE_LABELS,
                     "apply": "揭榜申报", "add_milestone": "设置攻关节点", "milestone_done": "节点完成"})


class ProblemNotFound(Missing):
    def __str__(self) -> str:
        return "R&D problem not found or outside your scope (未找到该攻关榜单，或不在您的权限范围内)"


READERS = ("province_admin", "chain_office", "city", "county", "unit", "viewer", "enterprise")


def involves(chain: str):
    """Problems led by ``chain`` or naming it among their other chains (a comma list)."""
    o = prob.c.other_chains
    return (prob.c.chain_code == chain) | (o == chain) | o.like(f"{chain},%") | o.like(f"%,{chain}") | o.like(f"%,{chain},%")


def _row(conn, user, pid):
    try:
        pid = int(pid)
    except (TypeError, ValueError):
        raise Invalid("problem_id must be an integer (problem_id 应为整数)") from None
    r = conn.execute(sa.select(prob).where(prob.c.id == pid)).first() if user and user.role in READERS else None
    if r is None:
        raise ProblemNotFound()
    return r


def _manager(user, r) -> bool:
    return pb.manages_chain(user, r.chain_code)


def _require(user, r) -> None:
    if not _manager(user, r):
        raise NotAllowed("only the province or the lead chain's office may do this (只有省级或牵头产业链链长办可以执行此操作)")


def _bump(conn, user, r, version, values: dict, action: str, before: dict, after: dict) -> int:
    current = records.require_version(version)
    if current != r.version:
        raise records.Conflict(ENTITY, r.id, r.version, current)
    v = records.update_versioned(conn, prob, int(r.id), r.version, {**values, "updated_at": _now()}, ENTITY)
    records.trail(conn, user, "work_rd_problem", int(r.id), action, {**before, "version": r.version},
                  {**after, "version": v})
    return v


def _other_chains(conn, value, lead: str) -> str | None:
    items = value if isinstance(value, list) else [x for x in str(value or "").replace("，", ",").split(",")]
    codes = sorted({x.strip() for x in items if x and x.strip()} - {lead})
    for c in codes:
        pb.check_chain(conn, c, "other_chains")
    return ",".join(codes) or None


def post_problem(conn, user, data: dict, today: dt.date, is_demo: bool = False) -> int:
    """Post a problem; ``data``: title, description, scope_kind, chain_code, other_chains, funding
    (yuan), apply_by, region_code."""
    own = pb.own_enterprise(conn, user)
    if user.role == "enterprise":
        if own is None:
            raise NotAllowed("your account has no enterprise (账号未关联企业)")
        from chainbrain.work.requests import enterprise_chain

        chain = data.get("chain_code") or enterprise_chain(conn, own[0], today)
        region, poster, eid = own[1], "enterprise", own[0]
    elif user.role in ("province_admin", "chain_office"):
        chain = data.get("chain_code") or user.chain_code
        region, poster, eid = data.get("region_code") or None, "chain", None
    else:
        raise NotAllowed("only the province, a chain office or an enterprise posts R&D problems "
                         "(只有省级、链长办或企业可以发布攻关榜单)")
    pb.check_chain(conn, chain)
    if user.role == "chain_office" and chain != user.chain_code:
        raise NotAllowed(f"chain {chain} is not your chain {user.chain_code} (非本链榜单)")
    if region:
        pb.check_region(conn, region)
    kind = data.get("scope_kind") or "intra"
    if kind not in SCOPES:
        raise Invalid(f"scope_kind must be one of {', '.join(SCOPES)} (scope_kind 应为 intra、inter 或 group)")
    others = _other_chains(conn, data.get("other_chains"), chain)
    if kind != "intra" and not others:
        raise Invalid("other_chains: a cross-chain or chain-group problem names the other chains "
                      "(other_chains：链间、链群攻关须填写协同产业链)")
    apply_by = _date(data.get("apply_by"), "apply_by 揭榜截止日期")
    posted = _date(data["posted_on"], "posted_on") if data.get("posted_on") else today
    if apply_by < posted:
        raise Invalid("apply_by must not be before the posting date (apply_by 揭榜截止日期不能早于发布日期)")
    pid = records.new_id(conn, "work_rd_problem")
    values = dict(id=pid, title=_text(data.get("title"), "title 榜单名称", 300),
                  description=_text(data.get("description"), "description 技术需求", 20000), scope_kind=kind,
                  chain_code=chain, other_chains=others if kind != "intra" else None, poster=poster, enterprise_id=eid,
                  region_code=region, funding=pb.money(data.get("funding"), "funding 揭榜资金"), apply_by=apply_by,
                  status="open", posted_on=posted, **pb.stamp(user, is_demo))
    conn.execute(prob.insert().values(**values))
    records.trail(conn, user, "work_rd_problem", pid, "post", None,
                  {k: (str(v) if not isinstance(v, (int, type(None))) else v) for k, v in values.items()
                   if k not in ("created_at", "updated_at")})
    inbox.notify(conn, f"新攻关榜单：{values['title']}", f"/rd/{pid}", entity="work_rd_problem", entity_id=pid,
                 chain=chain)
    return pid


def apply(conn, user, pid, data: dict, today: dt.date, is_demo: bool = False) -> int:
    """A team applies (揭榜); ``data``: team, leader, partners, proposal, requested (yuan)."""
    r = _row(conn, user, pid)
    own = pb.own_enterprise(conn, user)
    if user.role == "enterprise":
        if own is None:
            raise NotAllowed("your account has no enterprise (账号未关联企业)")
        eid = own[0]
    elif _manager(user, r):
        eid = int(data["enterprise_id"]) if data.get("enterprise_id") else None
    else:
        raise NotAllowed("an enterprise applies for its firm; an office records a team (由企业申报揭榜，或由链长办代为登记)")
    if r.status != "open":
        raise WORKFLOW.refuse(r.status, "apply")
    day = _date(data["submitted_on"], "submitted_on") if data.get("submitted_on") else today
    if day > r.apply_by:
        raise Refused(f"cannot apply: applications closed on {r.apply_by.isoformat()} "
                      f"(揭榜已于 {r.apply_by.isoformat()} 截止)", r.status, "apply")
    if eid is not None and conn.execute(sa.select(app_t.c.id).where(app_t.c.problem_id == r.id,
                                                                    app_t.c.enterprise_id == eid)).first():
        raise Invalid("this enterprise has already applied (该企业已申报揭榜)")
    aid = records.new_id(conn, "work_rd_application")
    values = dict(id=aid, problem_id=int(r.id), team=_text(data.get("team"), "team 揭榜团队", 200),
                  leader=_text(data.get("leader"), "leader 团队负责人", 64),
                  partners=_text(data.get("partners"), "partners 联合单位", 300, False), enterprise_id=eid,
                  proposal=_text(data.get("proposal"), "proposal 攻关方案", 20000),
                  requested=pb.money(data.get("requested"), "requested 申请资金"), status="submitted",
                  submitted_on=day, **pb.stamp(user, is_demo))
    conn.execute(app_t.insert().values(**values))
    records.trail(conn, user, "work_rd_application", aid, "apply", None,
                  {"problem_id": int(r.id), "team": values["team"], "requested": str(values["requested"])})
    inbox.notify(conn, f"攻关榜单「{r.title}」收到揭榜申请", f"/rd/{int(r.id)}", entity="work_rd_problem",
                 entity_id=int(r.id), chain=r.chain_code)
    return aid


def move(conn, user, pid, version, action: str, today: dt.date, data: dict | None = None) -> str:
    """award (``application_id``), start, complete (``result``), close (``commercialisation``,
    ``commercial_revenue``), withdraw."""
    data = data or {}
    r = _row(conn, user, pid)
    _require(user, r)
    records.require_version(version)
    new = WORKFLOW.next_state(r.status, action)
    values: dict = {"status": new}
    if action in DATE_OF:
        values[DATE_OF[action]] = _date(data["date"], "date") if data.get("date") else today
    if action == "award":
        apps = conn.execute(sa.select(app_t.c.id).where(app_t.c.problem_id == r.id)).scalars().all()
        if not apps:
            raise WORKFLOW.refuse(r.status, action, "no application yet")
        try:
            aid = int(data.get("application_id"))
        except (TypeError, ValueError):
            raise Invalid("application_id: required, the chosen application (application_id 必填：选定的揭榜申请)") from None
        if aid not in apps:
            raise Invalid(f"application_id {aid} is not an application to this problem (该申请不属于本榜单)")
        values["application_id"] = aid
    if action == "complete":
        open_ms = conn.execute(sa.select(sa.func.count()).select_from(ms_t).where(
            ms_t.c.problem_id == r.id, ms_t.c.done_on.is_(None))).scalar()
        if open_ms:
            raise WORKFLOW.refuse(r.status, action, f"{open_ms} milestone(s) not done") from None
        values["result"] = _text(data.get("result"), "result 攻关成果", 20000)
    if action == "close":
        values["commercialisation"] = _text(data.get("commercialisation"), "commercialisation 成果转化", 20000)
        values["commercial_revenue"] = pb.money(data.get("commercial_revenue"), "commercial_revenue 转化收入", False)
    before = {"status": r.status}
    _bump(conn, user, r, version, values, action, before,
          {k: (v.isoformat() if isinstance(v, dt.date) else str(v) if v is not None and k == "commercial_revenue" else v)
           for k, v in values.items()})
    if action == "award":
        conn.execute(app_t.update().where(app_t.c.problem_id == r.id).values(
            status=sa.case((app_t.c.id == values["application_id"], "chosen"), else_="not_chosen")))
        for row in conn.execute(sa.select(app_t.c.enterprise_id, app_t.c.status).where(
                app_t.c.problem_id == r.id, app_t.c.enterprise_id.isnot(None))).all():
            eid, st = row.enterprise_id, row.status
            uscc = conn.execute(sa.text("SELECT uscc FROM enterprise WHERE id = :i"), {"i": int(eid)}).scalar()
            if uscc:
                inbox.notify(conn, f"攻关榜单「{r.title}」：" + ("贵单位揭榜成功" if st == "chosen" else "揭榜未入选"),
                             f"/rd/{int(r.id)}", entity="work_rd_problem", entity_id=int(r.id), uscc=uscc)
    return new


def add_milestone(conn, user, pid, version, data: dict) -> int:
    """A milestone of the chosen team (``title``, ``due_on``, ``tranche`` yuan); Σ tranches ≤ funding."""
    r = _row(conn, user, pid)
    _require(user, r)
    if r.status not in ("awarded", "in_progress"):
        raise WORKFLOW.refuse(r.status, "add_milestone", "milestones follow the award")
    tranche = pb.money(data.get("tranche") or 0, "tranche 拨付资金")
    have = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(ms_t.c.tranche), 0), sa.func.count())
                        .where(ms_t.c.problem_id == r.id)).first()
    if have[0] + tranche > r.funding:
        raise Invalid(f"tranche: the tranches ({have[0] + tranche}) would exceed the funding ({r.funding}) yuan "
                      f"(tranche：各节点拨付合计超过揭榜资金)")
    seq = int(have[1]) + 1
    row = dict(problem_id=int(r.id), seq=seq, title=_text(data.get("title"), "title 节点名称", 300),
               due_on=_date(data.get("due_on"), "due_on 计划完成日期"), tranche=tranche, done_on=None)
    conn.execute(ms_t.insert().values(**row))
    _bump(conn, user, r, version, {}, "milestone", {}, {"milestone": seq, "title": row["title"],
                                                        "due_on": row["due_on"].isoformat(), "tranche": str(tranche)})
    return seq


def milestone_done(conn, user, pid, version, seq, today: dt.date, note: str | None = None) -> None:
    """Mark milestone ``seq`` done (its tranche is then funded); only while in progress."""
    r = _row(conn, user, pid)
    _require(user, r)
    if r.status != "in_progress":
        raise WORKFLOW.refuse(r.status, "milestone_done", "milestones are done while in progress")
    try:
        seq = int(seq)
    except (TypeError, ValueError):
        raise Invalid("seq must be an integer (seq 应为整数)") from None
    m = conn.execute(sa.select(ms_t).where(ms_t.c.problem_id == r.id, ms_t.c.seq == seq)).first()
    if m is None:
        raise Invalid(f"seq: no milestone {seq} (seq：无此节点)")
    if m.done_on is not None:
        raise Invalid(f"milestone {seq} is already done (节点 {seq} 已完成)")
    conn.execute(ms_t.update().where(ms_t.c.problem_id == r.id, ms_t.c.seq == seq)
                 .values(done_on=today, note=_text(note, "note", 2000, False)))
    _bump(conn, user, r, version, {}, "milestone_done", {"milestone": seq, "done_on": None},
          {"milestone": seq, "done_on": today.isoformat()})
