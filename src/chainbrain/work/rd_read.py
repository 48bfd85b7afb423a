"""Reading joint R&D (:mod:`chainbrain.work.rd` has the rules and the changes): the list of
problems with counts by state and the funding offered and funded, one problem with the
applications the caller may read, its milestones and the moves open to it, and an enterprise's
own R&D for 我的企业. Who reads what: :mod:`chainbrain.work.rd`'s docstring."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store.schema_work_programs import work_rd_application as app_t
from chainbrain.store.schema_work_programs import work_rd_milestone as ms_t
from chainbrain.store.schema_work_programs import work_rd_problem as prob
from chainbrain.work import program_base as pb
from chainbrain.work import records
from chainbrain.work.rd import LABELS, MOVE_LABELS, READERS, SCOPES, STATES, WORKFLOW, ProblemNotFound, _manager, _row, involves
from chainbrain.work.records import Invalid


def _funded(conn, ids) -> dict[int, float]:
    if not ids:
        return {}
    return {int(p): float(s) for p, s in conn.execute(
        sa.select(ms_t.c.problem_id, sa.func.sum(ms_t.c.tranche)).where(ms_t.c.problem_id.in_(ids),
                                                                        ms_t.c.done_on.isnot(None))
        .group_by(ms_t.c.problem_id))}


def _summary(r, funded: float, seen: set, names: dict, lang: str, chains: dict) -> dict:
    i = 1 if lang == "en" else 0
    return {"id": int(r.id), "title": r.title, "scope_kind": r.scope_kind, "scope_label": SCOPES[r.scope_kind][i],
            "chain_code": r.chain_code, "chain_name": chains.get(r.chain_code),
            "other_chains": r.other_chains.split(",") if r.other_chains else [], "poster": r.poster,
            "poster_name": pb.party(r.enterprise_id, names.get(r.enterprise_id), seen, lang) if r.poster == "enterprise"
            else (chains.get(r.chain_code) or r.chain_code) + ("链长办" if i == 0 else " chain office"),
            "region_code": r.region_code, "funding_yuan": float(r.funding), "funded_yuan": funded,
            "funded_share": funded / float(r.funding) if r.funding else None, "apply_by": r.apply_by.isoformat(),
            "posted_on": r.posted_on.isoformat(), "status": r.status, "status_label": LABELS[r.status][i],
            "version": r.version}


def list_problems(store, user, filters: dict | None = None, visible=lambda ids: set(), lang: str = "zh") -> dict:
    """Problems (every signed-in role reads the calls), newest first, with counts by state and scope."""
    f = {k: v for k, v in (filters or {}).items() if v}
    if f.get("status") and f["status"] not in STATES:
        raise Invalid(f"status must be one of {', '.join(STATES)} (状态取值无效)")
    if user is None or user.role not in READERS:
        raise ProblemNotFound()
    q = sa.select(prob)
    if f.get("chain"):
        q = q.where(involves(f["chain"]))
    if f.get("status"):
        q = q.where(prob.c.status == f["status"])
    with store.engine.connect() as conn:
        rows = conn.execute(q.order_by(prob.c.posted_on.desc(), prob.c.id.desc())).all()
        funded = _funded(conn, [int(r.id) for r in rows])
        names = pb.names(conn, [r.enterprise_id for r in rows])
        chains = {c: n for c, n in conn.execute(sa.text("SELECT code, name_zh FROM chain"))}
    seen = visible(sorted(names)) if names else set()
    items = [_summary(r, funded.get(int(r.id), 0.0), seen, names, lang, chains) for r in rows]
    i = 1 if lang == "en" else 0
    return {"items": items, "total": len(items), "unit": "yuan; shares are fractions", "filters": f,
            "by_status": [{"status": s, "label": LABELS[s][i], "problems": sum(t["status"] == s for t in items)}
                          for s in STATES],
            "funding_yuan": sum(t["funding_yuan"] for t in items), "funded_yuan": sum(t["funded_yuan"] for t in items),
            "can_post": user.role in ("province_admin", "chain_office", "enterprise")}


def get_problem(store, user, pid, today: dt.date, visible=lambda ids: set(), lang: str = "zh") -> dict:
    """One problem with milestones, the applications the caller may read, the chosen team, the
    moves open to the caller and the audit trail (to its managers)."""
    with store.engine.connect() as conn:
        r = _row(conn, user, pid)
        apps = conn.execute(sa.select(app_t).where(app_t.c.problem_id == r.id).order_by(app_t.c.id)).all()
        ms = conn.execute(sa.select(ms_t).where(ms_t.c.problem_id == r.id).order_by(ms_t.c.seq)).all()
        own = pb.own_enterprise(conn, user)
        names = pb.names(conn, [r.enterprise_id] + [a.enterprise_id for a in apps])
        chains = {c: n for c, n in conn.execute(sa.text("SELECT code, name_zh FROM chain"))}
        history = records.history(conn, "work_rd_problem", int(r.id))
    seen = visible(sorted(names)) if names else set()
    manager = _manager(user, r)
    poster_firm = own is not None and r.enterprise_id == own[0]
    funded = sum(float(m.tranche) for m in ms if m.done_on is not None)
    if manager or poster_firm:            # an applicant applies to them: they read who applied
        seen = seen | {int(a.enterprise_id) for a in apps if a.enterprise_id is not None}

    def app_view(a):
        return {"id": int(a.id), "team": pb.party(a.enterprise_id, a.team, seen, lang), "leader": a.leader,
                "partners": a.partners, "proposal": a.proposal, "requested_yuan": float(a.requested),
                "status": a.status, "submitted_on": a.submitted_on.isoformat(),
                "own": own is not None and a.enterprise_id == own[0]}

    readable = [a for a in apps if manager or poster_firm or (own is not None and a.enterprise_id == own[0])]
    chosen = next((a for a in apps if a.status == "chosen"), None)
    out = _summary(r, funded, seen, names, lang, chains)
    applied = own is not None and any(a.enterprise_id == own[0] for a in apps)
    out.update({"description": r.description, "awarded_on": _iso(r.awarded_on), "started_on": _iso(r.started_on),
                "completed_on": _iso(r.completed_on), "closed_on": _iso(r.closed_on), "result": r.result,
                "commercialisation": r.commercialisation,
                "commercial_revenue_yuan": float(r.commercial_revenue) if r.commercial_revenue is not None else None,
                "applications": [app_view(a) for a in readable], "applications_total": len(apps),
                "chosen": {"team": pb.party(chosen.enterprise_id, chosen.team, seen, lang), "leader": chosen.leader,
                           "partners": chosen.partners} if chosen else None,
                "milestones": [{"seq": m.seq, "title": m.title, "due_on": m.due_on.isoformat(),
                                "tranche_yuan": float(m.tranche), "done_on": _iso(m.done_on), "note": m.note,
                                "overdue": m.done_on is None and m.due_on < today} for m in ms],
                "actions": [{"action": a, "label": MOVE_LABELS[a]} for a in WORKFLOW.allowed(r.status)] if manager else [],
                "can_apply": r.status == "open" and today <= r.apply_by and not applied
                and (user.role == "enterprise" or manager),
                "can_milestone": manager and r.status in ("awarded", "in_progress"),
                "history": history if manager or poster_firm else []})
    return out


def _iso(d):
    return d.isoformat() if d else None


def of_enterprise(conn, eid: int, lang: str = "zh") -> dict:
    """An enterprise's own R&D: the problems it posted and its applications (我的企业)."""
    i = 1 if lang == "en" else 0
    posted = conn.execute(sa.select(prob.c.id, prob.c.title, prob.c.status, prob.c.apply_by)
                          .where(prob.c.enterprise_id == eid).order_by(prob.c.id)).all()
    apps = conn.execute(sa.select(app_t.c.id, app_t.c.problem_id, app_t.c.team, app_t.c.status, prob.c.title,
                                  prob.c.status.label("problem_status"))
                        .select_from(app_t.join(prob, prob.c.id == app_t.c.problem_id))
                        .where(app_t.c.enterprise_id == eid).order_by(app_t.c.id)).all()
    app_labels = {"submitted": ("已申报", "submitted"), "chosen": ("入选", "chosen"), "not_chosen": ("未入选", "not chosen")}
    return {"posted": [{"id": int(r.id), "title": r.title, "status": r.status, "status_label": LABELS[r.status][i],
                        "apply_by": r.apply_by.isoformat()} for r in posted],
            "applications": [{"id": int(a.id), "problem_id": int(a.problem_id), "title": a.title, "team": a.team,
                              "status": a.status, "status_label": app_labels[a.status][i],
                              "problem_status_label": LABELS[a.problem_status][i]} for a in apps]}
