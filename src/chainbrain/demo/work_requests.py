"""A believable year of enterprise requests for the demo province (synthetic, deterministic by seed).

Requests are submitted on working days over the 365 days before ``anchor``
(default: the day of the build, so the states look current under the running
clock). Each goes through the real workflow (:mod:`chainbrain.work.requests`)
with typical delays in working days — accepted after 1–3 (sometimes late),
answered 4–20 after submission, confirmed 1–4 after the answer (or closed at
the confirmation deadline), some reopened, some escalated by their bureau
(一事一议), some relayed by a chain master, three groups answered once
(同题共答) — and events after ``anchor`` are not applied, so the recent ones are
still submitted, accepted or in progress. Finally the clock runs for ``anchor``
(:mod:`chainbrain.work.requests_clock`), escalating what is overdue and closing
what passed its confirmation deadline. Which enterprises, categories, texts and
delays: ``numpy`` random state of ``seed``; count: ``per_month`` × 12, a quarter of them
in the last 25 working days.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import sqlalchemy as sa

from chainbrain.web.users import User
from chainbrain.work.calendar import add_working_days, is_working_day
from chainbrain.work.records import Conflict
from chainbrain.work.request_rules import load_rules
from chainbrain.work.workflow import Refused

TEXTS = {
    "factor": [("新增用地指标", "扩产项目需新增工业用地约 {n} 亩，请协调用地指标。"),
               ("电力增容", "新产线投产需增容 {n}00 kVA，请协调供电公司加快接入。"),
               ("天然气保供", "冬季用气高峰期间请保障工业用气 {n} 万立方米/月。")],
    "finance": [("流动资金贷款续贷", "一笔 {n}00 万元流动资金贷款即将到期，请协调续贷。"),
                ("技改项目融资", "技术改造项目资金缺口约 {n}00 万元，请对接银行与引导基金。")],
    "labour": [("技术工人招聘", "需招聘数控、焊接等技术工人约 {n}0 人。"), ("员工住房", "请协调园区人才公寓 {n}0 套。")],
    "approval": [("环评审批", "扩建项目环评报告已报送，请加快审批。"), ("施工许可", "新厂房施工许可办理进度较慢，请协调。")],
    "tech": [("关键工艺攻关", "关键工艺良率不足 {n}0%，希望对接省内高校院所联合攻关。"),
             ("检测认证平台", "产品出口需第三方检测认证，请推荐省内检测平台。")],
    "market": [("本地配套对接", "希望与链主企业建立本地配套关系，请组织供需对接。"), ("展会参展", "请支持参加行业展会。")],
    "policy": [("政策兑现", "去年技改补助 {n}0 万元尚未兑现，请协调。"), ("专精特新申报", "申报专精特新中小企业需要政策辅导。")],
    "other": [("物流通道", "园区道路拥堵影响物流，请协调。")],
}
ANSWERS = ["已协调相关部门办理，详见附件说明。", "已纳入本月调度会议研究，按程序推进。", "已对接银行/供电公司，按期落实。",
           "已现场办公解决。", "按现行政策答复如下：符合条件可申报，请按通知提交材料。"]


def _handler(row, levels: dict) -> User:
    if row.route_unit:
        return User(0, f"demo_unit_{row.route_unit}", "unit", unit_code=row.route_unit)
    role = "city" if levels.get(row.route_region) == "prefecture" else "county"
    return User(0, f"demo_{role}_{row.route_region}", role, region_code=row.route_region)


def _at(day: dt.date, rng, hour0: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour0 + int(rng.integers(0, 8)), int(rng.integers(0, 60))))


def write_requests(store, seed: int, anchor: dt.date | None = None, per_month: int = 20) -> dict:
    """Write the demo year of requests; returns counts by status."""
    from chainbrain.work import request_groups, requests_clock
    from chainbrain.work.requests import act, submit

    anchor = anchor or dt.date.today()
    rng = np.random.default_rng(seed + 14)
    with store.begin() as conn:                  # trail, notices and groups of requests a rebuild deleted
        for table, cond in (("work_audit", "entity = 'request' AND entity_id"),
                            ("inbox_message", "entity = 'request' AND entity_id"),
                            ("work_attachment", "entity = 'request' AND entity_id"),
                            ("work_request_group", "id")):
            col = "group_id" if table == "work_request_group" else "id"
            conn.execute(sa.text(f"DELETE FROM {table} WHERE {cond} NOT IN "
                                 f"(SELECT {col} FROM work_request WHERE {col} IS NOT NULL)"))
    rules = load_rules()
    cats = [c["code"] for c in rules.categories]
    weights = np.array([0.24, 0.16, 0.12, 0.14, 0.12, 0.10, 0.08, 0.04])[:len(cats)]
    with store.engine.connect() as conn:
        firms = conn.execute(sa.text(
            "SELECT e.uscc FROM enterprise e WHERE e.is_demo AND e.uscc IS NOT NULL AND e.region_code IS NOT NULL "
            "AND e.id IN (SELECT enterprise_id FROM monthly_report) ORDER BY e.id")).scalars().all()
        masters = conn.execute(sa.text(
            "SELECT DISTINCT e.uscc, d.chain_code FROM designation d JOIN enterprise e ON e.id = d.enterprise_id "
            "WHERE d.kind = 'chain_master' AND d.valid_to IS NULL AND e.uscc IS NOT NULL ORDER BY 1, 2")).all()
        members = {}
        for uscc, chain in masters:
            members[chain] = conn.execute(sa.text(
                "SELECT DISTINCT e.uscc FROM enterprise e JOIN enterprise_segment es ON es.enterprise_id = e.id "
                "JOIN segment_chain sc ON sc.segment_code = es.segment_code WHERE sc.chain_code = :c "
                "AND es.valid_to IS NULL AND e.uscc IS NOT NULL AND e.uscc <> :u AND e.region_code IS NOT NULL "
                "ORDER BY 1 LIMIT 200"), {"c": chain, "u": uscc}).scalars().all()
        levels = dict(conn.execute(sa.text("SELECT code, level FROM region")).all())
    if not firms:
        return {}
    start = anchor - dt.timedelta(days=365)
    days = [start + dt.timedelta(days=i) for i in range(365) if is_working_day(start + dt.timedelta(days=i))]
    n = per_month * 12
    made = []
    recent = days[-25:]                          # a quarter of them in the last five weeks: work in hand
    for k in range(n):
        u = rng.random()
        pool = days[-3:] if u < 0.06 else recent if u < 0.3 else days
        day = pool[int(rng.integers(0, len(pool)))]
        cat = cats[int(rng.choice(len(cats), p=weights / weights.sum()))]
        title, text = TEXTS[cat][int(rng.integers(0, len(TEXTS[cat])))]
        data = {"title": title, "category": cat, "description": text.format(n=int(rng.integers(2, 9)))}
        uscc = firms[int(rng.integers(0, len(firms)))]
        if masters and rng.random() < 0.1:
            m_uscc, chain = masters[int(rng.integers(0, len(masters)))]
            if members.get(chain):
                uscc, data["on_behalf_of"] = m_uscc, members[chain][int(rng.integers(0, len(members[chain])))]
        made.append((day, uscc, data))
    made.sort(key=lambda m: m[0])
    for day, uscc, data in made:
        ent = User(0, f"demo_ent_{uscc}", "enterprise", uscc=uscc)
        with store.begin() as conn:
            row = submit(conn, ent, data, _at(day, rng))
        _life(store, row["id"], ent, rng, anchor, levels, act)
    _groups(store, rng, anchor, levels, request_groups)
    requests_clock.tick(store, anchor)
    with store.engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT status, COUNT(*) FROM work_request GROUP BY status ORDER BY 1")).all())


def _life(store, rid, ent, rng, anchor, levels, act) -> None:
    """Play one request's life with typical delays, stopping at ``anchor``."""
    from chainbrain.store.schema_work import work_request as wr

    with store.engine.connect() as conn:
        row = conn.execute(sa.select(wr).where(wr.c.id == rid)).one()
    h = _handler(row, levels)
    sub = row.submitted_at.date()
    late = rng.random() < 0.12
    steps = []
    acc = add_working_days(sub, int(rng.integers(4, 8)) if late else int(rng.integers(0, 4)))
    steps.append((acc, h, "accept", {}))
    if rng.random() < 0.6:
        steps.append((add_working_days(acc, 1), h, "start", {}))
    if rng.random() < 0.08:
        steps.append((add_working_days(acc, 2), h, "escalate", {"reason": "涉及跨部门协调，提请链长办一事一议"}))
        chain_h = User(0, f"demo_chain_{row.chain_code}", "chain_office", chain_code=row.chain_code)
        if row.chain_code:
            h = chain_h
    ans = add_working_days(sub, int(rng.integers(4, 21)) + (8 if late else 0))
    steps.append((ans, h, "answer", {"answer": ANSWERS[int(rng.integers(0, len(ANSWERS)))]}))
    if rng.random() < 0.1:
        re = add_working_days(ans, int(rng.integers(1, 4)))
        steps.append((re, ent, "reopen", {"reason": "问题尚未实际解决"}))
        ans = add_working_days(re, int(rng.integers(3, 10)))
        steps.append((ans, h, "answer", {"answer": "经再次协调，已落实。"}))
    if rng.random() < 0.8:
        rating = int(rng.choice([5, 4, 3, 2], p=[0.5, 0.3, 0.14, 0.06]))
        steps.append((add_working_days(ans, int(rng.integers(1, 5))), ent, "confirm",
                      {"rating": rating} if rng.random() < 0.85 else {}))
    version = 1
    for day, who, action, data in steps:
        if day > anchor:
            break
        try:
            with store.begin() as conn:
                version = act(conn, who, rid, action, {**data, "version": version}, _at(day, rng))["version"]
        except (Refused, Conflict):
            break


def _groups(store, rng, anchor, levels, request_groups) -> None:
    """Three 同题共答 groups: the open requests of the busiest (bureau, category) pairs, answered once."""
    with store.engine.connect() as conn:
        pairs = conn.execute(sa.text(
            "SELECT route_region, category, COUNT(*) FROM work_request WHERE route_region IS NOT NULL "
            "AND status IN ('submitted', 'accepted', 'in_progress') AND group_id IS NULL "
            "GROUP BY route_region, category HAVING COUNT(*) >= 2 ORDER BY 3 DESC, 1, 2 LIMIT 3")).all()
    for i, (region_code, cat, _) in enumerate(pairs):
        with store.engine.connect() as conn:
            ids = conn.execute(sa.text(
                "SELECT id FROM work_request WHERE route_region = :r AND category = :c AND group_id IS NULL "
                "AND status IN ('submitted', 'accepted', 'in_progress') ORDER BY id LIMIT 6"),
                {"r": region_code, "c": cat}).scalars().all()
        role = "city" if levels.get(region_code) == "prefecture" else "county"
        h = User(0, f"demo_{role}_{region_code}", role, region_code=region_code)
        with store.begin() as conn:
            g = request_groups.create(conn, h, {"title": f"同题共答：{load_rules().category_name(cat)}类共性问题",
                                                "request_ids": [int(x) for x in ids]})
        if i < 2:                                 # two answered, one still being prepared
            with store.begin() as conn:
                request_groups.answer(conn, h, g["id"], {"version": 1, "answer": "共性问题统一答复：已出台专项措施，请按通知申报。"})
