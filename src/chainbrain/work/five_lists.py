"""The five lists (五清单) of a chain — enterprises, projects, clusters, problems, policies — one
payload for the page, its JSON twin and the workbook (one sheet per list), built from what the
platform already holds (policy-facts §1.8: 四图五清单).

1. **Enterprises** (企业清单): the chain's chain masters, 专精特新 “小巨人” and 专精特新 firms, and
   its largest members (the top ``TOP`` by YTD revenue) — from the monitoring engine's ranked
   membership (:func:`chainbrain.analytics.presence.key_enterprises`, YTD revenue of the latest
   period), only those the caller may see one by one; the others are counted.
2. **Projects** (项目清单): the chain's key projects the caller may see (:mod:`work.projects`),
   with the year's completion rate.
3. **Clusters** (集群清单): the pack's clusters holding segments of the chain, with their cities.
4. **Problems** (问题清单): the chain's open enterprise requests the caller may see, its open tasks
   that are red or yellow on the supervision clock (risks), and its open R&D problems.
5. **Policies** (政策清单): policies of the chain (and for every chain) in force today.
Money in yuan, rates as fractions.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store.schema_work import work_request
from chainbrain.store.schema_work_programs import work_rd_problem
from chainbrain.work import request_scope
from chainbrain.work.policies import list_policies
from chainbrain.work.projects import list_projects
from chainbrain.work.rd import LABELS as RD_LABELS
from chainbrain.work.rd import involves
from chainbrain.work.tasks import list_tasks

TOP = 20
LISTS = ("enterprises", "projects", "clusters", "problems", "policies")
TITLES = {"enterprises": ("企业清单", "Enterprises"), "projects": ("项目清单", "Projects"),
          "clusters": ("集群清单", "Clusters"), "problems": ("问题清单", "Problems"),
          "policies": ("政策清单", "Policies")}
RISK = {"red": ("红（逾期）", "red (overdue)"), "yellow": ("黄（临期）", "yellow (at risk)"),
        "escalated": ("已升级（一事一议）", "escalated"), "": ("", "")}
REQ_STATUS = {"submitted": "已提交", "accepted": "已受理", "in_progress": "办理中", "answered": "已答复", "closed": "已销号"}


def _designations(conn, ids: list[int], day: dt.date, chain: str) -> dict[int, list[str]]:
    if not ids:
        return {}
    rows = conn.execute(sa.text(
        "SELECT enterprise_id, kind FROM designation WHERE enterprise_id IN (" + ", ".join(map(str, ids)) + ") "
        "AND valid_from <= :d AND (valid_to IS NULL OR valid_to >= :d) AND (chain_code IS NULL OR chain_code = :c)"),
        {"d": day, "c": chain}).all()
    out: dict[int, list[str]] = {}
    for eid, kind in rows:
        out.setdefault(int(eid), [])
        if kind not in out[int(eid)]:
            out[int(eid)].append(kind)
    return out


def enterprises(store, ranked: list[dict], visible, chain: str, day: dt.date, lang: str) -> tuple[list[dict], int]:
    """(rows, hidden): chain masters, SRDI firms and the ``TOP`` largest the caller may see."""
    from chainbrain.catalog.designations import kind_name

    ids = [r["enterprise_id"] for r in ranked]
    with store.engine.connect() as conn:
        des = _designations(conn, ids, day, chain)
    wanted = [r for k, r in enumerate(ranked) if r["chain_master"] or k < TOP
              or set(des.get(r["enterprise_id"], [])) & {"chain_master", "little_giant", "srdi"}]
    seen = visible([r["enterprise_id"] for r in wanted]) if wanted else set()
    shown = [r for r in wanted if r["enterprise_id"] in seen]
    info = {}
    if shown:
        with store.engine.connect() as conn:
            info = {int(r[0]): r for r in conn.execute(sa.text(
                "SELECT e.id, e.uscc, e.name, r.name FROM enterprise e LEFT JOIN region r ON r.code = e.region_code "
                "WHERE e.id IN (" + ", ".join(str(r["enterprise_id"]) for r in shown) + ")"))}
    rows = []
    for r in shown:
        e = info.get(r["enterprise_id"])
        kinds = des.get(r["enterprise_id"], [])
        rows.append({"key": (e[1] if e and e[1] else str(r["enterprise_id"])), "enterprise_id": r["enterprise_id"], "uscc": e[1] if e else None, "name": e[2] if e else None,
                     "county_name": e[3] if e else None, "chain_master": r["chain_master"],
                     "designations": "、".join(kind_name(k, lang) or k for k in kinds),
                     "revenue_ytd_yuan": r["revenue_ytd_yuan"], "period": r.get("period"),
                     "href": f"/enterprises/{e[1] if e and e[1] else r['enterprise_id']}"})
    return rows, len(wanted) - len(shown)


def clusters(store, chain: str, lang: str) -> list[dict]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT c.code, c.name_zh, c.name_en, COUNT(DISTINCT cs.segment_code) FROM cluster c "
            "JOIN cluster_segment cs ON cs.cluster_code = c.code "
            "JOIN segment_chain sc ON sc.segment_code = cs.segment_code AND sc.chain_code = :c "
            "GROUP BY c.code, c.name_zh, c.name_en, c.seq ORDER BY c.seq"), {"c": chain}).all()
        cities = {}
        for code, name, role in conn.execute(sa.text(
                "SELECT cc.cluster_code, r.name, cc.role FROM cluster_city cc JOIN region r ON r.code = cc.city_code "
                "ORDER BY cc.cluster_code, cc.role, r.code")):
            cities.setdefault(code, []).append(name)
    return [{"code": r[0], "name": (r[2] if lang == "en" and r[2] else r[1]), "segments": int(r[3]),
             "cities": "、".join(cities.get(r[0], [])), "href": f"/clusters/{r[0]}"} for r in rows]


def problems(store, user, chain: str, today: dt.date, lang: str) -> list[dict]:
    out = []
    with store.engine.connect() as conn:
        reqs = conn.execute(sa.select(work_request.c.id, work_request.c.title, work_request.c.category,
                                      work_request.c.status, work_request.c.submitted_at, work_request.c.escalated)
                            .where(work_request.c.chain_code == chain, work_request.c.status != "closed",
                                   request_scope.visible_clause(conn, user))
                            .order_by(work_request.c.submitted_at, work_request.c.id)).all()
        rd = conn.execute(sa.select(work_rd_problem.c.id, work_rd_problem.c.title, work_rd_problem.c.status,
                                    work_rd_problem.c.posted_on)
                          .where(involves(chain),
                                 work_rd_problem.c.status.in_(("open", "awarded", "in_progress")))
                          .order_by(work_rd_problem.c.posted_on, work_rd_problem.c.id)).all()
    i = 1 if lang == "en" else 0

    def risk(code):
        return {"risk": code, "risk_label": RISK[code][i]}

    for r in reqs:
        out.append({"key": f"request-{int(r.id)}", "kind": "request", "kind_label": ("企业诉求", "request")[i], "id": int(r.id), "title": r.title,
                    "status": r.status, "status_label": REQ_STATUS.get(r.status, r.status) if i == 0 else r.status,
                    "since": r.submitted_at.date().isoformat(), **risk("escalated" if r.escalated else ""),
                    "href": f"/requests/{int(r.id)}"})
    if user.role in ("province_admin", "chain_office", "city", "county", "unit", "viewer"):
        for t in list_tasks(store, user, today, {"chain": chain}, lang=lang)["items"]:
            if t["rag"] in ("red", "yellow") and t["status"] in ("assigned", "in_progress"):
                out.append({"key": f"task-{t['id']}", "kind": "task", "kind_label": ("任务风险", "task at risk")[i], "id": t["id"],
                            "title": t["title"], "status": t["status"], "status_label": t["status_label"],
                            "since": t["deadline"], **risk(t["rag"]),
                            "href": f"/tasks/{t['id']}" if user.role != "viewer" else None})
    for r in rd:
        out.append({"key": f"rd-{int(r.id)}", "kind": "rd", "kind_label": ("技术攻关", "R&D problem")[i], "id": int(r.id), "title": r.title,
                    "status": r.status, "status_label": RD_LABELS[r.status][i], "since": r.posted_on.isoformat(),
                    **risk(""), "href": f"/rd/{int(r.id)}"})
    return out


def five_lists(store, user, chain: str, today: dt.date, ranked: list[dict], visible, lang: str = "zh") -> dict:
    """The payload: ``lists`` (the five, each a list of rows), ``tables`` (the same as tables for the
    page and the workbook), ``hidden`` (enterprises not shown to the caller)."""
    ents, hidden = enterprises(store, ranked, visible, chain, today, lang)
    projs = list_projects(store, user, today.year, today.month, {"chain": chain}, lang)["items"]   # none for a unit
    pols = [{**p, "href": f"/policies/{p['id']}"} for p in list_policies(store, user, today, {"chain": chain}, lang)["items"]
            if p["validity"] == "in_force"]
    projs = [{**p, "href": f"/projects/{p['id']}"} for p in projs]
    lists = {"enterprises": ents, "projects": projs, "clusters": clusters(store, chain, lang),
             "problems": problems(store, user, chain, today, lang), "policies": pols}
    zh = lang != "en"
    cols = {
        "enterprises": [("name", "企业" if zh else "Enterprise", "link"), ("uscc", "统一社会信用代码" if zh else "USCC", "text"),
                        ("county_name", "县（市、区）" if zh else "County", "text"),
                        ("designations", "认定" if zh else "Designations", "text"),
                        ("revenue_ytd_yuan", "营业收入（累计，万元）" if zh else "Revenue YTD (10k yuan)", "wan")],
        "projects": [("name", "项目" if zh else "Project", "link"), ("region_name", "县（市、区）" if zh else "County", "text"),
                     ("investor", "投资方" if zh else "Investor", "text"), ("stage_label", "阶段" if zh else "Stage", "text"),
                     ("amount_yuan", "总投资（万元）" if zh else "Total (10k yuan)", "wan"),
                     ("completion_rate", "投资完成率" if zh else "Completion", "pct")],
        "clusters": [("name", "集群" if zh else "Cluster", "link"),          # its page, not its code
                     ("segments", "本链环节数" if zh else "Segments of the chain", "count"),
                     ("cities", "所在设区市" if zh else "Cities", "text")],
        "problems": [("kind_label", "类型" if zh else "Kind", "text"), ("title", "问题" if zh else "Problem", "link"),
                     ("status_label", "状态" if zh else "Status", "text"), ("since", "日期" if zh else "Date", "text"),
                     ("risk_label", "风险" if zh else "Risk", "text")],
        "policies": [("title", "政策" if zh else "Policy", "link"), ("doc_number", "文号" if zh else "Number", "text"),
                     ("issuer", "发文单位" if zh else "Issuer", "text"), ("region_name", "地区" if zh else "Region", "text"),
                     ("valid_from", "生效" if zh else "From", "text"), ("valid_to", "失效" if zh else "To", "text"),
                     ("measures", "措施条数" if zh else "Measures", "count")],
    }
    period = ents[0]["period"] if ents else None
    tables = [{"id": k, "title": TITLES[k][0 if zh else 1], "unit": "万元" if k in ("enterprises", "projects") else "",
               "period": period if k == "enterprises" else today.isoformat(),
               "columns": [{"key": a, "label": b, "kind": c} for a, b, c in cols[k]], "rows": lists[k]} for k in LISTS]
    return {"chain": chain, "day": today.isoformat(), "period": period, "lists": lists, "tables": tables,
            "counts": {k: len(v) for k, v in lists.items()}, "hidden_enterprises": hidden,
            "unit": "yuan; rates are fractions"}
