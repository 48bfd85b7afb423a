"""Key projects (重点项目): investment projects per chain, segment and county, their stage, and
planned against actual investment by month, with dashboards by chain and city.

Stages (on the base workflow; any other move is refused with one bilingual message):
洽谈 ``negotiating`` —sign→ 签约 ``signed`` —start→ 开工 ``started`` —operate→ 投产
``operating`` —reach→ 达产 ``full_output``. Each move records its date.

Completion rate (投资完成率) of a project or a group for a year up to month m:
``Σ actual ÷ Σ planned`` over the months 1…m that have a reported actual (a month without a
report counts neither side), a fraction; money in yuan. Dashboards (by chain, by city, by stage)
add up the projects the caller may see: the numbers of a group are built only from items the
caller sees one by one, so no disclosure control is needed.

The 招商 lead a project came from is a link to an attraction lead (``lead_id``,
:mod:`chainbrain.work.project_leads`); ``lead_source`` is the older free-text field, kept for
existing data.

Scope: province, viewer — every project; chain office — its chain's; city/county bureau — its
region's; enterprise — its own (the investor is its firm); unit — none. Changes: the province,
the chain's office, the region's bureau.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from chainbrain.store.schema_work_projects import work_project, work_project_month
from chainbrain.work import task_base as base
from chainbrain.work import task_scope as scope
from chainbrain.work.records import Invalid, Missing, NotAllowed
from chainbrain.work.task_write import _date, _now, _text, snapshot
from chainbrain.work.workflow import Workflow

STAGES = ("negotiating", "signed", "started", "operating", "full_output")
STAGE_LABELS = {"negotiating": ("洽谈", "negotiating"), "signed": ("签约", "signed"), "started": ("开工", "started"),
                "operating": ("投产", "operating"), "full_output": ("达产", "full output")}
MOVES = [("sign", "negotiating", "signed"), ("start", "signed", "started"), ("operate", "started", "operating"),
         ("reach", "operating", "full_output")]
MOVE_LABELS = {"sign": "签约", "start": "开工", "operate": "投产", "reach": "达产"}
DATE_OF = {"sign": "signed_on", "start": "started_on", "operate": "operating_on", "reach": "full_output_on"}
WORKFLOW = Workflow(("project", "项目"), list(STAGES), MOVES,
                    {**{s: v[0] for s, v in STAGE_LABELS.items()}, **MOVE_LABELS})


class ProjectNotFound(Missing):
    def __str__(self) -> str:
        return "project not found or outside your scope (未找到该项目，或不在您的权限范围内)"


def project_where(user):
    """Condition on ``work_project`` for what ``user`` may see."""
    if user is None:
        return sa.false()
    if user.role in ("province_admin", "viewer"):
        return sa.true()
    if user.role == "chain_office":
        return work_project.c.chain_code == user.chain_code
    if user.role in ("city", "county"):
        return scope._region_cond(work_project.c.region_code, user)
    if user.role == "enterprise":
        return work_project.c.enterprise_id.in_(sa.select(sa.text("id")).select_from(sa.text("enterprise"))
                                                .where(sa.text("uscc = :p_uscc")).params(p_uscc=user.uscc))
    return sa.false()


def _manages(conn, user, chain: str, region: str) -> None:
    if user is None or user.role not in scope.MANAGERS or scope.may_assign(conn, user, chain, region):
        raise NotAllowed("only the province, the chain's office or the region's bureau may change this project "
                         "(只有省级、本链链长办或属地工信部门可以维护该项目)")


def _money(value, field: str) -> Decimal:
    try:
        d = Decimal(str(value)).quantize(Decimal("0.01"))
    except Exception:
        raise Invalid(f"{field} must be an amount in yuan ({field} 应为金额，单位元)") from None
    if d < 0:
        raise Invalid(f"{field} must not be negative ({field} 不能为负)")
    return d


def create_project(conn, user, data: dict, today: dt.date, is_demo: bool = False) -> int:
    """A key project; ``data``: name, chain_code, region_code (a county), investor, amount (yuan),
    segment_code, enterprise_id, lead_id (an attraction lead of the chain the user may see),
    lead_source (old free text), stage (default 洽谈), plan ([{year, month, planned}])."""
    from chainbrain.work.project_leads import check_lead

    chain = data.get("chain_code") or getattr(user, "chain_code", None)
    region = data.get("region_code") or getattr(user, "region_code", None)
    if not chain or not conn.execute(sa.text("SELECT 1 FROM chain WHERE code = :c"), {"c": chain}).scalar():
        raise Invalid(f"chain_code: unknown chain {chain!r} (未知的产业链)")
    if not region or not conn.execute(sa.text("SELECT 1 FROM region WHERE code = :c"), {"c": region}).scalar():
        raise Invalid(f"region_code: unknown region {region!r} (未知的行政区划)")
    _manages(conn, user, chain, region)
    stage = data.get("stage") or "negotiating"
    if stage not in STAGES:
        raise Invalid(f"stage must be one of {', '.join(STAGES)} (项目阶段取值无效)")
    pid = base.new_id(conn, "work_project")
    now = _now()
    values = dict(id=pid, name=_text(data.get("name"), "name 项目名称", 300), chain_code=chain,
                  segment_code=data.get("segment_code") or None, region_code=region,
                  investor=_text(data.get("investor"), "investor 投资方", 200),
                  enterprise_id=int(data["enterprise_id"]) if data.get("enterprise_id") else None,
                  amount=_money(data.get("amount"), "amount 总投资"), stage=stage,
                  lead_source=_text(data.get("lead_source"), "lead_source 招商线索", 200, False),
                  lead_id=check_lead(conn, user, data.get("lead_id"), chain),
                  version=1, created_at=now, created_by=user.username, updated_at=now, is_demo=is_demo,
                  **{DATE_OF[m]: (_date(data[DATE_OF[m]], DATE_OF[m]) if data.get(DATE_OF[m]) else None)
                     for m in DATE_OF})
    conn.execute(work_project.insert().values(**values))
    for p in data.get("plan") or []:
        conn.execute(work_project_month.insert().values(
            project_id=pid, year=int(p["year"]), month=int(p["month"]), planned=_money(p.get("planned"), "planned"),
            actual=_money(p["actual"], "actual") if p.get("actual") is not None else None))
    base.audit(conn, user, "work_project", pid, "create", None, snapshot_values(values))
    return pid


def snapshot_values(values: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items() if k not in ("created_at", "updated_at")}


def _row(conn, user, pid: int):
    r = conn.execute(sa.select(work_project).where(work_project.c.id == pid, project_where(user))).first()
    if r is None:
        raise ProjectNotFound()
    return r


def project_row(conn, user, pid):
    """The project row if ``user`` may see it (:class:`ProjectNotFound` otherwise)."""
    try:
        pid = int(pid)
    except (TypeError, ValueError):
        raise Invalid("project_id must be an integer (project_id 应为整数)") from None
    return _row(conn, user, pid)


def move(conn, user, pid: int, version, action: str, day: dt.date) -> str:
    """Advance the project's stage (sign|start|operate|reach); refused moves raise the workflow's error."""
    r = _row(conn, user, pid)
    base.check_version("work_project", pid, r.version, version)
    _manages(conn, user, r.chain_code, r.region_code)
    new = WORKFLOW.next_state(r.stage, action)
    v = base.update(conn, work_project, pid, r.version, {"stage": new, DATE_OF[action]: day, "updated_at": _now()})
    base.audit(conn, user, "work_project", pid, action, {"stage": r.stage, "version": r.version},
               {"stage": new, DATE_OF[action]: day.isoformat(), "version": v})
    return new


def report_month(conn, user, pid: int, version, year: int, month: int, actual=None, planned=None) -> None:
    """Record a month's actual (and optionally planned) investment; bumps the project's version."""
    r = _row(conn, user, pid)
    base.check_version("work_project", pid, r.version, version)
    _manages(conn, user, r.chain_code, r.region_code)
    try:
        year, month = int(year), int(month)
    except (TypeError, ValueError):
        raise Invalid("year and month must be integers (年、月应为整数)") from None
    if not 1 <= month <= 12:
        raise Invalid("month must be 1–12 (月份应为 1–12)")
    key = (work_project_month.c.project_id == pid) & (work_project_month.c.year == year) & (work_project_month.c.month == month)
    old = conn.execute(sa.select(work_project_month).where(key)).first()
    vals = {}
    if actual is not None:
        vals["actual"] = _money(actual, "actual 实际投资")
    if planned is not None:
        vals["planned"] = _money(planned, "planned 计划投资")
    if old is None:
        if "planned" not in vals:
            raise Invalid("planned is required for a month without a plan (该月无计划，须填写 planned)")
        conn.execute(work_project_month.insert().values(project_id=pid, year=year, month=month, **vals))
    else:
        conn.execute(work_project_month.update().where(key).values(**vals))
    v = base.update(conn, work_project, pid, r.version, {"updated_at": _now()})
    base.audit(conn, user, "work_project", pid, "investment",
               {"month": f"{year}-{month:02d}", **({k: str(getattr(old, k)) for k in vals} if old else {})},
               {"month": f"{year}-{month:02d}", **{k: str(x) for k, x in vals.items()}, "version": v})


def _rate(actual, planned):
    return float(actual / planned) if planned else None


def list_projects(store, user, year: int, upto_month: int, filters: dict | None = None, lang: str = "zh") -> dict:
    """The caller's projects with planned/actual investment of ``year`` up to ``upto_month``, and
    the dashboards by chain, city and stage."""
    f = {k: v for k, v in (filters or {}).items() if v}
    q = sa.select(work_project).where(project_where(user))
    if f.get("chain"):
        q = q.where(work_project.c.chain_code == f["chain"])
    if f.get("stage"):
        q = q.where(work_project.c.stage == f["stage"])
    if f.get("region"):
        q = q.where(work_project.c.region_code.in_(sa.select(sa.text("code")).select_from(sa.text("region")).where(
            sa.text("code = :p_r OR prefecture_code = :p_r")).params(p_r=f["region"]).scalar_subquery()))
    i = 1 if lang == "en" else 0
    with store.engine.connect() as conn:
        rows = conn.execute(q.order_by(work_project.c.id)).all()
        ids = [int(r.id) for r in rows]
        sums: dict[int, list] = {pid: [Decimal(0), Decimal(0), Decimal(0)] for pid in ids}
        if ids:
            m = work_project_month.c
            reported = m.actual.isnot(None)
            for pid, planned, actual in conn.execute(
                    sa.select(m.project_id, sa.func.sum(sa.case((reported, m.planned), else_=0)),
                              sa.func.sum(sa.case((reported, m.actual), else_=0)))
                    .where(m.year == year, m.month <= upto_month, m.project_id.in_(ids)).group_by(m.project_id)):
                sums[int(pid)][0], sums[int(pid)][1] = Decimal(planned or 0), Decimal(actual or 0)
            for pid, total in conn.execute(sa.select(m.project_id, sa.func.sum(m.planned)).where(
                    m.year == year, m.project_id.in_(ids)).group_by(m.project_id)):
                sums[int(pid)][2] = Decimal(total or 0)
        chains = {r[0]: r[1] for r in conn.execute(sa.text("SELECT code, name_zh FROM chain"))}
        regions = {r[0]: (r[1], r[2]) for r in conn.execute(sa.text("SELECT code, name, prefecture_code FROM region"))}
        from chainbrain.work.project_leads import visible_lead_ids

        seen_leads = visible_lead_ids(conn, user, [r.lead_id for r in rows])
    items = []
    for r in rows:
        p, a, y = sums[int(r.id)]
        city = regions.get(r.region_code, (None, None))[1]
        items.append({"id": int(r.id), "name": r.name, "chain_code": r.chain_code, "chain_name": chains.get(r.chain_code),
                      "segment_code": r.segment_code, "region_code": r.region_code,
                      "region_name": regions.get(r.region_code, (r.region_code,))[0], "city_code": city,
                      "city_name": regions.get(city, (None,))[0] if city else None, "investor": r.investor,
                      "amount_yuan": float(r.amount), "stage": r.stage, "stage_label": STAGE_LABELS[r.stage][i],
                      "lead_source": r.lead_source, "lead_id": r.lead_id if r.lead_id in seen_leads else None,
                      "planned_ytd_yuan": float(p), "actual_ytd_yuan": float(a),
                      "planned_year_yuan": float(y), "completion_rate": _rate(a, p), "version": r.version})

    def board(key):
        g: dict = {}
        for t in items:
            k = key(t)
            e = g.setdefault(k[0], {"code": k[0], "name": k[1], "projects": 0, "amount_yuan": 0.0,
                                    "planned_ytd_yuan": Decimal(0), "actual_ytd_yuan": Decimal(0),
                                    **{s: 0 for s in STAGES}})
            e["projects"] += 1
            e["amount_yuan"] += t["amount_yuan"]
            e[t["stage"]] += 1
            e["planned_ytd_yuan"] += Decimal(str(t["planned_ytd_yuan"]))
            e["actual_ytd_yuan"] += Decimal(str(t["actual_ytd_yuan"]))
        out = []
        for e in sorted(g.values(), key=lambda e: str(e["code"])):
            e["completion_rate"] = _rate(e["actual_ytd_yuan"], e["planned_ytd_yuan"])
            e["planned_ytd_yuan"], e["actual_ytd_yuan"] = float(e["planned_ytd_yuan"]), float(e["actual_ytd_yuan"])
            out.append(e)
        return out

    return {"items": items, "total": len(items), "year": year, "upto_month": upto_month,
            "unit": "yuan; rates are fractions", "period": f"{year}-01..{year}-{upto_month:02d}",
            "by_chain": board(lambda t: (t["chain_code"], t["chain_name"])),
            "by_city": board(lambda t: (t["city_code"] or "province", t["city_name"] or "全省")),
            "by_stage": [{"stage": s, "label": STAGE_LABELS[s][i], "projects": sum(t["stage"] == s for t in items)}
                         for s in STAGES], "filters": f}


def get_project(store, user, pid: int, lang: str = "zh") -> dict:
    """One project with its months and the moves the caller may make."""
    with store.engine.connect() as conn:
        r = _row(conn, user, pid)
        months = conn.execute(sa.select(work_project_month).where(work_project_month.c.project_id == pid)
                              .order_by(work_project_month.c.year, work_project_month.c.month)).all()
        manages = user.role in scope.MANAGERS and scope.may_assign(conn, user, r.chain_code, r.region_code) is None
        from chainbrain.store.schema_work_tasks import work_task
        from chainbrain.work.project_leads import lead_of, lead_options

        lead = lead_of(conn, user, r.lead_id, lang)
        options = lead_options(conn, user, r.chain_code) if manages else []

        problems = conn.execute(sa.select(work_task.c.id, work_task.c.title, work_task.c.status, work_task.c.deadline,
                                          work_task.c.lead_unit).where(work_task.c.project_id == pid,
                                                                       scope.task_where(user))
                                .order_by(work_task.c.id)).all()
    i = 1 if lang == "en" else 0
    return {**{k: (v.isoformat() if isinstance(v, dt.date) else float(v) if isinstance(v, Decimal) else v)
               for k, v in snapshot(r).items() if k != "is_demo"},
            "amount_yuan": float(r.amount), "stage_label": STAGE_LABELS[r.stage][i],
            "lead_id": lead["id"] if lead else None, "lead": lead, "lead_options": options,
            "months": [{"year": m.year, "month": m.month, "planned_yuan": float(m.planned),
                        "actual_yuan": float(m.actual) if m.actual is not None else None,
                        "rate": _rate(m.actual, m.planned) if m.actual is not None else None} for m in months],
            "actions": [{"action": a, "label": MOVE_LABELS[a]} for a in WORKFLOW.allowed(r.stage)] if manages else [],
            "problems": [{"task_id": int(t.id), "title": t.title, "status": t.status, "lead_unit": t.lead_unit,
                          "deadline": t.deadline.isoformat()} for t in problems],
            "can_report": manages}
