"""The 招商 lead a key project came from: ``work_project.lead_id`` → ``attraction_lead.id``
(migration ``0013_work_links``), and the other way, the projects that came from a lead.

Rules:

- A project's lead is set when it is recorded (``lead_id`` of :func:`projects.create_project`)
  or changed later (:func:`set_lead`, with the version the caller read — 409 when someone else
  changed the project — and an audit entry ``lead`` with the old and new lead). ``None`` clears it.
- Only a lead the caller may see (:func:`attract_leads.sees_firms`: the province, the chain's
  office) and of the project's own chain may be named; anything else is refused with one
  bilingual message naming ``lead_id``. The caller must also manage the project (the province,
  the chain's office, the region's bureau), and may not replace or clear a lead it cannot see
  (a county bureau cannot undo the chain office's link it is not shown).
- Reading: a viewer who may not see the lead gets neither its id nor a link (the page shows
  "—"); the lead's own answers list only the projects the viewer may see.
- The old free-text ``lead_source`` stays as it was, shown beside the link for existing data.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_attract import attraction_lead as al
from chainbrain.store.schema_work_projects import work_project as wp
from chainbrain.work import attract_leads as L
from chainbrain.work import task_base as base
from chainbrain.work.projects import STAGE_LABELS, _manages, _now, _row, project_where
from chainbrain.work.records import Invalid, NotAllowed


def check_lead(conn, user, lead_id, chain: str) -> int | None:
    """``lead_id`` as an int after the checks of the module docstring (None/"" → None)."""
    if lead_id is None or str(lead_id).strip() == "":
        return None
    try:
        lid = int(str(lead_id).strip())
    except ValueError:
        raise Invalid(f"lead_id: {lead_id!r} is not a lead number (lead_id 应为招商线索编号)") from None
    r = conn.execute(sa.select(al.c.id, al.c.chain_code).where(al.c.id == lid)).first()
    if r is None or not L.sees_firms(user, r.chain_code):
        raise Invalid(f"lead_id: no attraction lead {lid} you may see (未找到招商线索 {lid}，或不在您的权限范围内)")
    if r.chain_code != chain:
        raise Invalid(f"lead_id: lead {lid} is of chain {r.chain_code}, the project of chain {chain} "
                      f"(招商线索 {lid} 属于产业链 {r.chain_code}，与项目所属产业链 {chain} 不一致)")
    return lid


def set_lead(conn, user, pid: int, version, lead_id) -> int:
    """Name (or clear, ``lead_id`` None) the lead project ``pid`` came from; returns the new version."""
    r = _row(conn, user, pid)
    base.check_version("work_project", pid, r.version, version)
    _manages(conn, user, r.chain_code, r.region_code)
    if r.lead_id is not None and not visible_lead_ids(conn, user, [r.lead_id]):
        raise NotAllowed("lead_id: the project's present lead is outside your scope; only the province or the "
                         "chain's office may change it (该项目现有招商线索不在您的权限范围内，只有省级或本链链长办可以修改)")
    lid = check_lead(conn, user, lead_id, r.chain_code)
    v = base.update(conn, wp, pid, r.version, {"lead_id": lid, "updated_at": _now()})
    base.audit(conn, user, "work_project", pid, "lead", {"lead_id": r.lead_id, "version": r.version},
               {"lead_id": lid, "version": v})
    return v


def lead_of(conn, user, lead_id: int | None, lang: str = "zh") -> dict | None:
    """The project's lead as the viewer may see it (None: none, or not visible to the viewer)."""
    if lead_id is None:
        return None
    try:
        d = L.get(conn, user, int(lead_id))
    except L.Missing:
        return None
    return {"id": d["id"], "name": d["name"], "chain_code": d["chain_code"], "status": d["status"],
            "status_label": d["status_label"], "link": f"/attract/{d['chain_code']}/targets#lead-{d['id']}"}


def lead_options(conn, user, chain: str) -> list[dict]:
    """The leads of ``chain`` the user may name on a project (newest first)."""
    if not L.sees_firms(user, chain):
        return []
    return [{"id": d["id"], "name": d["name"], "status_label": d["status_label"]} for d in L.leads(conn, user, chain)]


def visible_lead_ids(conn, user, ids) -> set[int]:
    """Of the lead ids ``ids``, those the user may see."""
    ids = {int(i) for i in ids if i is not None}
    if not ids:
        return set()
    rows = conn.execute(sa.select(al.c.id, al.c.chain_code).where(al.c.id.in_(ids))).all()
    return {int(r.id) for r in rows if L.sees_firms(user, r.chain_code)}


def projects_of(conn, user, lead_ids, lang: str = "zh") -> dict[int, list[dict]]:
    """``{lead id: [project, …]}``: the projects the user may see that came from each lead."""
    ids = [int(i) for i in lead_ids]
    out: dict[int, list[dict]] = {i: [] for i in ids}
    if not ids:
        return out
    i = 1 if lang == "en" else 0
    for r in conn.execute(sa.select(wp.c.id, wp.c.name, wp.c.stage, wp.c.lead_id)
                          .where(wp.c.lead_id.in_(ids), project_where(user)).order_by(wp.c.id)):
        out[int(r.lead_id)].append({"id": int(r.id), "name": r.name, "stage": r.stage,
                                    "stage_label": STAGE_LABELS[r.stage][i], "link": f"/projects/{int(r.id)}"})
    return out
