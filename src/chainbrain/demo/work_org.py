"""Demo organisation (链长制) for every chain: 总链长, a chain leader and a deputy (invented,
marked 示例), the industry department as lead unit with member units, a task force (专班), the
working-mode relationships (链长+链主 with each designated chain master, 链长+园区 with a park
focused on the chain, 链主+基金 with the provincial guidance fund) and interactions between the
chain leader and the chain masters over the year. Deterministic for a seed and a build date."""

from __future__ import annotations

import datetime as dt

import numpy as np
import sqlalchemy as sa

from chainbrain.store.schema_work_org import work_interaction, work_org_member, work_relation
from chainbrain.web.users import User
from chainbrain.work.organisation import add_interaction, add_member, add_relation

MEMBER_UNITS = ["江西省发展和改革委员会", "江西省科学技术厅", "江西省商务厅", "江西省自然资源厅", "江西省地方金融管理局"]
TALKS = ["走访链主企业，了解扩产与配套需求", "召开链主企业座谈会，听取本地配套率提升建议",
         "现场调研链主企业新建产线进度", "协调链主企业与省内配套企业对接"]
PROMISES = ["年内新增省内配套采购比例", "牵头组建产业链创新联合体", "开放应用场景支持本地企业验证"]


def delete_demo_org(conn) -> None:
    for t in (work_org_member, work_relation, work_interaction):
        conn.execute(t.delete().where(t.c.is_demo))


def build_org(store, conn, pack, seed: int, today: dt.date) -> int:
    """Write the demo organisation in ``conn``; returns the rows written."""
    rng = np.random.default_rng(seed + 1269)
    admin = User(id=0, username="demo_province", role="province_admin")
    delete_demo_org(conn)
    n = 1
    add_member(conn, admin, {"role": "chief_leader", "name": "总链长（示例）", "title": "省长"}, is_demo=True)
    parks = pack.parks
    for k, chain in enumerate(pack.chains):
        office = User(id=0, username=f"demo_office_{chain.code}", role="chain_office", chain_code=chain.code)
        leader = f"{chain.name_zh}产业链链长（示例）"
        rows = [("chain_leader", leader, "副省长", "省人民政府"),
                ("deputy_leader", f"{chain.name_zh}产业链副链长（示例）", "副厅长", "江西省工业和信息化厅"),
                ("lead_unit", "江西省工业和信息化厅", None, None),
                *[("member_unit", u, None, None) for u in sorted(rng.choice(MEMBER_UNITS, 3, replace=False))],
                ("task_force_head", f"专班负责人{k + 1}（示例）", "处长", "江西省工业和信息化厅"),
                *[("task_force_member", f"专班成员{k + 1}-{j}（示例）", "干部", "江西省工业和信息化厅") for j in (1, 2, 3)]]
        for role, name, title, unit in rows:
            add_member(conn, office, {"role": role, "name": name, "title": title, "unit": unit}, is_demo=True)
            n += 1
        masters = [int(r[0]) for r in conn.execute(sa.text(
            "SELECT enterprise_id FROM designation WHERE kind = 'chain_master' AND chain_code = :c "
            "ORDER BY enterprise_id"), {"c": chain.code})][:5]
        for eid in masters:
            add_relation(conn, office, {"mode": "leader_master", "leader": leader, "enterprise_id": eid,
                                        "since": f"{today.year - 1}-03-01"}, is_demo=True)
            n += 1
            for _ in range(2):
                day = dt.date(today.year, 1, 15) + dt.timedelta(days=int(rng.integers(0, max((today - dt.date(today.year, 1, 15)).days, 1))))
                promise = PROMISES[int(rng.integers(len(PROMISES)))] if rng.random() < 0.4 else None
                add_interaction(conn, office, {"kind": "commitment" if promise else ("visit", "talk")[int(rng.integers(2))],
                                               "held_on": day, "leader": leader, "enterprise_id": eid,
                                               "summary": TALKS[int(rng.integers(len(TALKS)))], "commitment": promise},
                                is_demo=True)
                n += 1
        if masters:
            add_relation(conn, office, {"mode": "master_fund", "leader": "链主企业", "enterprise_id": masters[0],
                                        "partner": "江西省现代产业引导基金", "since": f"{today.year - 1}-09-01"}, is_demo=True)
            n += 1
        park = next((p for p in parks if chain.code in (p.get("chain_focus") or "").split(";")), None)
        if park:
            add_relation(conn, office, {"mode": "leader_park", "leader": leader, "partner": park["name"],
                                        "since": f"{today.year - 1}-05-01"}, is_demo=True)
            n += 1
    return n
