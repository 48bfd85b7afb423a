"""Demo key projects (重点项目): per chain a handful of investment projects in the counties of its
leading cities, at every stage (洽谈, 签约, 开工, 投产, 达产), with a monthly investment plan over
the year and actual investment reported for the months past (60–115 % of plan for projects
under way). Investors are invented (示例); some come from a 招商 lead — as free text
(``lead_source``, the old field), and the demo's signed and landed attraction leads (chain EI,
:mod:`chainbrain.demo.attraction`) each linked to a project under way (``lead_id``).
Deterministic for a seed and a build date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

from chainbrain.store.schema_work_projects import work_project, work_project_month
from chainbrain.web.users import User
from chainbrain.work.projects import create_project

KINDS = ["年产{n}万套{c}关键部件项目", "{c}产业园二期扩建项目", "{c}智能制造基地项目", "{c}研发中心及中试基地项目",
         "{c}配套产业园项目", "{c}绿色化技术改造项目"]
LEADS = ["长三角招商推介会", "粤港澳大湾区专题招商", "链主企业以商招商", "省外链主企业配套转移", None]
STAGE_MIX = ["negotiating", "signed", "started", "started", "operating", "full_output"]


def delete_demo_projects(conn) -> None:
    import sqlalchemy as sa

    demo = sa.select(work_project.c.id).where(work_project.c.is_demo)
    conn.execute(work_project_month.delete().where(work_project_month.c.project_id.in_(demo)))
    conn.execute(work_project.delete().where(work_project.c.is_demo))


def build_projects(store, conn, pack, seed: int, today: dt.date, leads_by_chain: dict) -> int:
    rng = np.random.default_rng(seed + 2026)
    delete_demo_projects(conn)
    counties = {}
    for c in pack.counties():
        counties.setdefault(c.parent_code, []).append(c.code)
    import sqlalchemy as sa

    from chainbrain.store.schema_attract import attraction_lead as al

    landed: dict[str, list[int]] = {}
    for lid, chain_code in conn.execute(sa.select(al.c.id, al.c.chain_code).where(
            al.c.is_demo, al.c.status.in_(("signed", "landed"))).order_by(al.c.id)):
        landed.setdefault(chain_code, []).append(int(lid))
    n = 0
    for chain in pack.chains:
        office = User(id=0, username=f"demo_office_{chain.code}", role="chain_office", chain_code=chain.code)
        cities = [c for c in leads_by_chain.get(chain.code, []) if c in counties] or [sorted(counties)[0]]
        for k, stage in enumerate(STAGE_MIX):
            city = cities[k % len(cities)]
            county = counties[city][int(rng.integers(len(counties[city])))]
            amount = Decimal(int(rng.integers(5, 120)) * 100_000_000)           # 5–120 亿元
            yearly = amount * Decimal(str(round(float(rng.uniform(0.15, 0.4)), 2)))
            plan = []
            if stage not in ("negotiating", "signed"):
                for m in range(1, 13):
                    planned = (yearly / 12).quantize(Decimal("0.01"))
                    actual = None
                    if m <= today.month - 1 or (m == today.month and today.day > 20):
                        actual = (planned * Decimal(str(round(float(rng.uniform(0.6, 1.15)), 3)))).quantize(Decimal("0.01"))
                    plan.append({"year": today.year, "month": m, "planned": planned, "actual": actual})
            dates = {}
            reached = {"negotiating": 0, "signed": 1, "started": 2, "operating": 3, "full_output": 4}[stage]
            for i, col in enumerate(["signed_on", "started_on", "operating_on", "full_output_on"][:reached]):
                dates[col] = (dt.date(today.year - 1, 6, 1) + dt.timedelta(days=120 * i + int(rng.integers(0, 60)))).isoformat()
            create_project(conn, office, {
                "name": KINDS[k % len(KINDS)].format(c=chain.name_zh, n=int(rng.integers(10, 200))), "chain_code": chain.code,
                "region_code": county, "investor": f"示例{chain.name_zh}投资有限公司{k + 1}（示例）", "amount": amount,
                "stage": stage, "lead_source": LEADS[int(rng.integers(len(LEADS)))], "plan": plan, **dates,
                "lead_id": landed[chain.code].pop(0) if stage in ("signed", "started") and landed.get(chain.code) else None},
                today, is_demo=True)
            n += 1
    return n
