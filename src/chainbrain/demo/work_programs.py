"""Demo work programmes: per chain a year of joint R&D problems in every state (open, team chosen,
in progress with milestones — one overdue —, completed, closed with commercialisation, withdrawn),
across the three kinds (链内 / 链间 / 链群), posted by the chain office or a chain master, with
applications from chain enterprises and (invented, 示例) research teams; the guidance fund (a
mother fund and one sub-fund per chain, figures invented, 示例 — the public totals are in
policy-facts §2.5) with investments in chain enterprises, co-investment and follow-on key
projects; and the policy list (a 一链一策 package per chain, a policy of each leading city, and
every-chain policies in force, expired and not yet in force), some cited by demo requests and
tasks. Everything goes through the work layer (audit trail, versions), is marked ``is_demo`` and
is deterministic for a seed and a build date."""

from __future__ import annotations

import datetime as dt

import numpy as np
import sqlalchemy as sa

from chainbrain.store.schema_work_programs import (work_fund, work_fund_investment, work_policy, work_policy_cite,
                                                   work_policy_measure, work_rd_application, work_rd_milestone,
                                                   work_rd_problem)
from chainbrain.web.users import User
from chainbrain.work import fund, policies, rd

TOPICS = ["{c}关键材料国产化替代", "{c}核心装备可靠性提升", "{c}工业软件适配验证", "{c}绿色低碳工艺改造",
          "{c}高端产品检测认证能力", "{c}共性技术中试验证"]
INSTITUTES = ["南昌大学（示例团队）", "江西理工大学（示例团队）", "华东交通大学（示例团队）", "南昌航空大学（示例团队）",
              "江西省科学院（示例团队）"]
# state of each of a chain's six problems, with how many days ago it was posted
PLAN = [("open", 20), ("awarded", 75), ("in_progress", 200), ("in_progress", 260), ("completed", 330), ("closed", 360)]
MEASURES = ["支持链主企业牵头组建创新联合体，对“揭榜挂帅”项目给予资金支持", "对新建重点项目优先保障用地、用能指标",
            "对链上企业技术改造给予贴息支持", "建立链主企业与配套企业对接清单，按季度组织供需对接",
            "对首台（套）、首批次、首版次产品给予奖励"]


def delete_demo_programs(conn) -> None:
    probs = sa.select(work_rd_problem.c.id).where(work_rd_problem.c.is_demo)
    conn.execute(work_rd_milestone.delete().where(work_rd_milestone.c.problem_id.in_(probs)))
    conn.execute(work_rd_application.delete().where(work_rd_application.c.problem_id.in_(probs)))
    conn.execute(work_rd_problem.delete().where(work_rd_problem.c.is_demo))
    conn.execute(work_fund_investment.delete().where(work_fund_investment.c.is_demo))
    conn.execute(work_fund.delete().where(work_fund.c.is_demo))
    pols = sa.select(work_policy.c.id).where(work_policy.c.is_demo)
    conn.execute(work_policy_cite.delete().where(work_policy_cite.c.policy_id.in_(pols)))
    conn.execute(work_policy_measure.delete().where(work_policy_measure.c.policy_id.in_(pols)))
    conn.execute(work_policy.delete().where(work_policy.c.is_demo))


def _members(conn, chain: str, n: int) -> list[tuple[int, str, str]]:
    """(id, uscc, region) of the chain's masters first, then other member firms."""
    rows = conn.execute(sa.text(
        "SELECT DISTINCT e.id, e.uscc, e.region_code, CASE WHEN d.enterprise_id IS NULL THEN 1 ELSE 0 END AS k "
        "FROM enterprise e JOIN enterprise_segment es ON es.enterprise_id = e.id AND es.valid_to IS NULL "
        "JOIN segment_chain sc ON sc.segment_code = es.segment_code AND sc.chain_code = :c "
        "LEFT JOIN designation d ON d.enterprise_id = e.id AND d.kind = 'chain_master' AND d.chain_code = :c "
        "WHERE e.uscc IS NOT NULL ORDER BY k, e.id LIMIT :n"), {"c": chain, "n": n}).all()
    return [(int(r[0]), r[1], r[2]) for r in rows]


def _rd(conn, rng, chain, others, office, members, today) -> int:
    n = 0
    for k, (state, ago) in enumerate(PLAN):
        posted = today - dt.timedelta(days=ago)
        kind = ("intra", "inter", "intra", "group", "inter", "intra")[k]
        other = [] if kind == "intra" else list(rng.choice(others, 1 if kind == "inter" else 2, replace=False))
        funding = int(rng.integers(3, 30)) * 1_000_000
        poster = office
        if k in (1, 4) and members:                               # posted by a chain master for its firm
            poster = User(id=0, username=f"demo_master_{chain.code}", role="enterprise", uscc=members[0][1])
        pid = rd.post_problem(conn, poster, {
            "title": TOPICS[k].format(c=chain.name_zh) + "（示例）", "chain_code": chain.code, "scope_kind": kind,
            "other_chains": [o.code for o in other], "funding": funding, "posted_on": posted,
            "apply_by": posted + dt.timedelta(days=45),
            "description": f"面向{chain.name_zh}产业链共性需求，征集揭榜团队开展联合攻关（示例）"}, posted, is_demo=True)
        n += 1
        if k == 0 and chain.seq % 4 == 0:                          # now and then a call withdrawn
            rd.move(conn, office, pid, 1, "withdraw", today, {"date": posted + dt.timedelta(days=10)})
            continue
        apps, used = [], set()
        for j in range(int(rng.integers(2, 4))):
            firm = members[1 + (k + j) % max(len(members) - 1, 1)] if len(members) > 1 else None
            if firm is not None and firm[0] in used:              # a firm applies once
                firm = None
            if firm is not None and j % 2 == 0:
                used.add(firm[0])
            team = (f"{chain.name_zh}创新联合体{j + 1}（示例）" if firm and j % 2 == 0
                    else INSTITUTES[int(rng.integers(len(INSTITUTES)))])
            apps.append(rd.apply(conn, office, pid, {
                "team": team, "leader": f"负责人{k + 1}-{j + 1}（示例）", "enterprise_id": firm[0] if firm and j % 2 == 0 else None,
                "partners": INSTITUTES[(k + j) % len(INSTITUTES)] if j % 2 == 0 else None,
                "proposal": "产学研联合攻关，分阶段交付样品与验证报告（示例）", "requested": int(funding * rng.uniform(0.6, 1.0)),
                "submitted_on": posted + dt.timedelta(days=int(rng.integers(5, 40)))}, posted, is_demo=True))
        if state == "open":
            continue
        v = 1
        award_on = posted + dt.timedelta(days=50)
        rd.move(conn, office, pid, v, "award", today, {"application_id": apps[int(rng.integers(len(apps)))],
                                                       "date": award_on})
        v += 1
        tranches = [funding * 3 // 10, funding * 3 // 10, funding - 2 * (funding * 3 // 10)]
        for s, t in enumerate(tranches):
            rd.add_milestone(conn, office, pid, v, {"title": ("方案评审", "样品试制", "验证验收")[s],
                                                    "due_on": award_on + dt.timedelta(days=60 + 90 * s), "tranche": t})
            v += 1
        if state == "awarded":
            continue
        rd.move(conn, office, pid, v, "start", today, {"date": award_on + dt.timedelta(days=10)})
        v += 1
        for s in range(3):
            due = award_on + dt.timedelta(days=60 + 90 * s)
            done = due - dt.timedelta(days=int(rng.integers(0, 20)))
            if done > today or (state == "in_progress" and (s == 2 or (k == 3 and s == 1))):
                break                                             # later ones still open (some overdue)
            rd.milestone_done(conn, office, pid, v, s + 1, done)
            v += 1
        if state == "in_progress":
            continue
        rd.move(conn, office, pid, v, "complete", today, {"date": today - dt.timedelta(days=ago - 300),
                                                          "result": "形成样品并通过第三方检测，申请发明专利 3 项（示例）"})
        v += 1
        if state == "closed":
            rd.move(conn, office, pid, v, "close", today, {
                "date": today - dt.timedelta(days=ago - 320), "commercialisation": "成果在链主企业产线应用（示例）",
                "commercial_revenue": funding * int(rng.integers(2, 8))})
    return n


def build_programs(store, conn, pack, seed: int, today: dt.date, leads: dict) -> dict:
    """Write the demo R&D problems, funds and policies in ``conn``; returns counts."""
    rng = np.random.default_rng(seed + 14)
    delete_demo_programs(conn)
    admin = User(id=0, username="demo_province", role="province_admin")
    counts = {"work_rd_problem": 0, "work_fund": 1, "work_fund_investment": 0, "work_policy": 0}
    mother = fund.create_fund(conn, admin, {"name": "江西省现代产业引导基金（示例）", "manager": "江西省国有资本运营控股集团（示例）",
                                            "size": 50_000_000_000, "government": 15_000_000_000,
                                            "set_up_on": "2022-05-20"}, is_demo=True)
    general = [("关于支持制造业重点产业链现代化建设的若干措施（示例）", dt.date(today.year - 1, 3, 1), None),
               ("制造业重点产业链企业纾困若干措施（示例）", dt.date(today.year - 2, 1, 1), dt.date(today.year - 1, 12, 31)),
               ("产业链供需对接专项行动方案（示例）", today + dt.timedelta(days=30), None)]
    for title, vf, vt in general:
        policies.create_policy(conn, admin, {"title": title, "issuer": "江西省人民政府办公厅（示例）", "valid_from": vf,
                                             "valid_to": vt, "measures": MEASURES[:3]}, is_demo=True)
        counts["work_policy"] += 1
    chains = list(pack.chains)
    city_codes = {c.code for c in pack.cities()}
    for chain in chains:
        office = User(id=0, username=f"demo_office_{chain.code}", role="chain_office", chain_code=chain.code)
        members = _members(conn, chain.code, 12)
        others = [c for c in chains if c.code != chain.code]
        counts["work_rd_problem"] += _rd(conn, rng, chain, others, office, members, today)
        size = int(rng.integers(20, 80)) * 100_000_000
        sub = fund.create_fund(conn, admin, {"name": f"{chain.name_zh}产业子基金（示例）", "parent_id": mother,
                                             "chain_code": chain.code, "manager": "子基金管理人（示例）", "size": size,
                                             "government": size * int(rng.integers(20, 31)) // 100,
                                             "set_up_on": f"{today.year - 2}-0{1 + chain.seq % 9}-15"}, is_demo=True)
        counts["work_fund"] += 1
        projects = [int(r[0]) for r in conn.execute(sa.text(
            "SELECT id FROM work_project WHERE chain_code = :c AND is_demo ORDER BY id"), {"c": chain.code})]
        v = 1
        for j, firm in enumerate(members[1:1 + int(rng.integers(3, 7))]):
            amount = int(rng.integers(5, 60)) * 10_000_000
            fund.invest(conn, office, sub, v, {
                "enterprise_id": firm[0], "amount": amount, "co_invest": int(amount * rng.uniform(0.5, 3.0)),
                "invested_on": today - dt.timedelta(days=int(rng.integers(20, 700))), "chain_code": chain.code,
                "project_id": projects[j % len(projects)] if projects and j % 2 == 0 else None,
                "follow_on": "带动配套项目落地（示例）" if j % 3 == 0 else None}, is_demo=True)
            v += 1
            counts["work_fund_investment"] += 1
        pid = policies.create_policy(conn, office, {
            "title": f"{chain.name_zh}产业链“一链一策”（示例）", "issuer": "江西省工业和信息化厅（示例）", "chain_code": chain.code,
            "doc_number": f"赣工信字〔{today.year - 1}〕{10 + chain.seq}号（示例）", "valid_from": dt.date(today.year - 1, 6, 1),
            "valid_to": dt.date(today.year + 2, 12, 31),
            "measures": [MEASURES[(chain.seq + i) % len(MEASURES)] for i in range(3)]}, is_demo=True)
        counts["work_policy"] += 1
        for city in [c for c in leads.get(chain.code, []) if c in city_codes][:1]:
            policies.create_policy(conn, admin, {
                "title": f"支持{chain.name_zh}产业链发展的若干措施（示例）", "issuer": "市人民政府（示例）",
                "chain_code": chain.code, "region_code": city, "valid_from": dt.date(today.year, 1, 1),
                "measures": MEASURES[1:4]}, is_demo=True)
            counts["work_policy"] += 1
        for rid in conn.execute(sa.text("SELECT id FROM work_request WHERE chain_code = :c ORDER BY id LIMIT 3"),
                                {"c": chain.code}).scalars().all():     # fetched before the next statements
            policies.cite(conn, admin, pid, {"request_id": int(rid)}, today)
        for tid in conn.execute(sa.text("SELECT id FROM work_task WHERE chain_code = :c AND is_demo ORDER BY id LIMIT 2"),
                                {"c": chain.code}).scalars().all():
            policies.cite(conn, admin, pid, {"task_id": int(tid)}, today)
    return counts
