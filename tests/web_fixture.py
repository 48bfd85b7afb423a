"""The hand-made dataset (tests/handmade.py) with USCCs, a supply link, a designation and one user per role.

Used by the web platform's API, scope and browser tests. Expected figures
are worked out by hand in handmade.py; the extra facts here:

- USCCs: E_i gets ``make(county, 9000 + i)``;
- supply link E2 → E1 (2025, 12 亿元); designation: E1 chain master of EI;
- users (password ``pw-<name>-12345``): admin (province_admin), ei_office
  (chain_office EI), nc_city (city 360100), dh_county (county 360102, E1 + E5),
  lx_county (county 360402, E3 + E4), ent3 (enterprise E3), viewer, fin_unit (unit P-FIN).
- work programmes (with the tasks): R&D problem #1 posted by the EI office (one application
  from E3, team 揭榜联合体), #2 posted by E3 for its firm; guidance fund #1 (10 亿, government 3 亿)
  with sub-fund #2 (EI) investing in E1 (1 亿 + 2 亿 co-investment) and in an outside firm; policy
  #1 (EI, the province) cited by request #1 and task #1.
- enterprise requests (work system): #1 from E3 (要素保障, routed to county 360402) with
  an attached text file #1; #2 from E3 (融资, routed to the unit P-FIN).
"""

from __future__ import annotations

import contextlib

import datetime as dt
import itertools

import pyarrow as pa
import sqlalchemy as sa

import handmade
from chainbrain.catalog.uscc import make
from chainbrain.store import open_store
from chainbrain.store.admin import init_store
from chainbrain.web.users import add_user

USCC = {e[0]: make(e[2], 9000 + e[0]) for e in handmade.ENTERPRISES}
NAME = {e[0]: e[1] for e in handmade.ENTERPRISES}
USERS = {
    "admin": ("province_admin", {}),
    "ei_office": ("chain_office", {"chain": "EI"}),
    "nc_city": ("city", {"region": "360100"}),
    "dh_county": ("county", {"region": "360102"}),
    "lx_county": ("county", {"region": "360402"}),
    "ent3": ("enterprise", {"uscc": USCC[3]}),
    "viewer": ("viewer", {}),
    "fin_unit": ("unit", {"unit": "P-FIN"}),
}
# which enterprises each user may see individually (independent of the policy code)
SEES = {"admin": {1, 2, 3, 4, 5, 6}, "ei_office": {1, 2, 5}, "nc_city": {1, 2, 5, 6}, "dh_county": {1, 5},
        "lx_county": {3, 4}, "ent3": {3}, "viewer": set(), None: set(),
        "fin_unit": {3}}          # a unit: only E3's name, on the request routed to it


def password(name: str) -> str:
    return f"pw-{name}-12345"


def signed_in(app, name: str):
    """A TestClient of its own, signed in as ``name`` (a user of :data:`USERS`)."""
    from fastapi.testclient import TestClient

    c = TestClient(app)
    r = c.post("/api/login", json={"username": name, "password": password(name)})
    assert r.status_code == 200, r.text
    return c


def build(path, tasks: bool = True) -> str:
    """The store at ``path``; ``tasks=False`` leaves out the work tasks (suites that make their own)."""
    db = str(path)
    store = open_store(db)
    try:
        init_store(store)
        handmade.load(store)
        with store.begin() as conn:
            for i, u in USCC.items():
                conn.execute(sa.text("UPDATE enterprise SET uscc = :u WHERE id = :i"), {"u": u, "i": i})
            store.bulk_insert(conn, "supply_link", pa.table({
                "supplier_id": [2], "buyer_id": [1], "year": [2025], "amount": [12.0 * handmade.YI],
                "batch_id": [1], "revision": [1]}))
            store.bulk_insert(conn, "designation", pa.table({
                "enterprise_id": [1], "kind": ["chain_master"], "level": ["provincial"], "chain_code": ["EI"],
                "valid_from": [dt.date(2023, 1, 1)], "valid_to": pa.array([None], pa.date32()),
                "batch_id": [1], "revision": [1]}))
        for name, (role, scope) in USERS.items():
            add_user(store, name, password(name), role, **scope)
        add_requests(store)
        if tasks:
            add_tasks(store)
            add_programs(store)
    finally:
        store.close()
    return db


def add_requests(store) -> None:
    """Two requests from E3 (one to its county, one to the unit P-FIN) and a file on the first."""
    from chainbrain.web.users import lookup, _row_user
    from chainbrain.work import files
    from chainbrain.work.requests import submit

    ent3 = _row_user(lookup(store, "ent3"))
    at = dt.datetime(2026, 9, 29, 10, 0)
    with store.begin() as conn:
        r1 = submit(conn, ent3, {"title": "用地指标", "category": "要素保障", "description": "扩产需要新增用地"}, at)
        submit(conn, ent3, {"title": "贷款展期", "category": "融资", "description": "流动资金贷款到期"}, at)
        files.save(conn, store, "request", r1["id"], "说明.txt", "用地说明".encode(), "ent3")


def add_tasks(store) -> None:
    """Work tasks: meeting #1 of the EI chain office whose decision is task #1 (EI, 360102, lead unit
    P-FIN 江西省地方金融管理局), a progress report with a PDF, supervision notice #1, and key
    project #1 (EI, 360102, investor E1)."""
    from chainbrain.web.users import lookup, _row_user
    from chainbrain.work.meetings import create_meeting
    from chainbrain.work.projects import create_project
    from chainbrain.work.task_write import add_progress, issue_notice

    office, unit = _row_user(lookup(store, "ei_office")), _row_user(lookup(store, "fin_unit"))
    day = dt.date(2026, 9, 29)
    with store.begin() as conn:
        _, (tid,) = create_meeting(store, conn, office, {
            "title": "电子信息产业链工作例会", "held_on": "2026-09-28", "agenda": ["融资需求"], "region_code": "360102",
            "decisions": [{"text": "设立链上企业专项信贷产品", "lead_unit": "P-FIN", "deadline": "2026-10-30"}]}, day)
        add_progress(store, conn, unit, tid, 1, 30, "方案起草中", [("方案.pdf", b"%PDF-1.4 plan")], day)
        issue_notice(store, conn, office, tid, "请加快进度", day)
        create_project(conn, office, {"name": "智能终端产业园二期", "region_code": "360102", "investor": "示例投资方",
                                      "enterprise_id": 1, "amount": "1200000000",
                                      "plan": [{"year": 2026, "month": 9, "planned": "100000000"}]}, day)


def add_programs(store) -> None:
    """Joint R&D, the guidance fund and a policy (see the module docstring)."""
    from chainbrain.web.users import lookup, _row_user
    from chainbrain.work import fund, policies, rd

    admin, office, ent3 = (_row_user(lookup(store, n)) for n in ("admin", "ei_office", "ent3"))
    day = dt.date(2026, 9, 29)
    with store.begin() as conn:
        p1 = rd.post_problem(conn, office, {"title": "车规级芯片封装可靠性", "description": "高温高湿下失效率偏高",
                                            "funding": "5000000", "apply_by": "2026-12-31"}, day)
        rd.apply(conn, ent3, p1, {"team": "揭榜联合体", "leader": "王工", "proposal": "联合高校攻关",
                                  "requested": "4000000"}, day)
        rd.post_problem(conn, ent3, {"title": "高纯材料提纯工艺", "description": "纯度不足", "chain_code": "EI",
                                     "funding": "1000000", "apply_by": "2026-12-31"}, day)
        mother = fund.create_fund(conn, admin, {"name": "省现代产业引导基金", "size": "1000000000",
                                                "government": "300000000", "set_up_on": "2023-06-01"})
        sub = fund.create_fund(conn, admin, {"name": "电子信息产业子基金", "parent_id": mother, "chain_code": "EI",
                                             "size": "1000000000", "government": "300000000", "set_up_on": "2024-01-10"})
        fund.invest(conn, office, sub, 1, {"enterprise_id": 1, "amount": "100000000", "co_invest": "200000000",
                                           "invested_on": "2025-03-01", "follow_on": "二期扩产"})
        fund.invest(conn, admin, sub, 2, {"investee": "省外示例企业", "amount": "50000000", "invested_on": "2025-08-01",
                                          "region_code": "360402"})
        pid = policies.create_policy(conn, admin, {"title": "电子信息产业链一链一策", "issuer": "省工业和信息化厅",
                                                   "chain_code": "EI", "valid_from": "2025-01-01",
                                                   "measures": ["用地保障", "融资贴息"]})
        policies.cite(conn, admin, pid, {"request_id": 1}, day)
        policies.cite(conn, admin, pid, {"task_id": 1}, day)


OUTSIDE_ID, OUTSIDE_NAME = 900, "广东链外示例科技有限公司"


def add_leads(store) -> tuple[int, int]:
    """An out-of-province firm (id 900, 广东 440000) and two attraction leads on it, marked by the
    province administrator: one for chain EI, one for chain NF. Not part of :func:`build` (suites
    that test the project ↔ lead link call it)."""
    from chainbrain.web.users import lookup, _row_user
    from chainbrain.work import attract_leads as L

    admin = _row_user(lookup(store, "admin"))
    with store.begin() as conn:
        conn.execute(sa.text("INSERT INTO enterprise (id, uscc, name, province_code, region_code, industry_code, "
                             "is_industrial, is_demo, batch_id, revision) VALUES (:i, NULL, :n, '440000', NULL, "
                             "'3985', TRUE, FALSE, 1, 1)"), {"i": OUTSIDE_ID, "n": OUTSIDE_NAME})
        ei = L.mark(conn, admin, {"enterprise_id": OUTSIDE_ID, "chain_code": "EI", "year": 2025}, "360000")["id"]
        nf = L.mark(conn, admin, {"enterprise_id": OUTSIDE_ID, "chain_code": "NF", "year": 2025}, "360000")["id"]
    return ei, nf


_HELD_BLOCKS = itertools.count()


@contextlib.contextmanager
def computations_held(st, n: int | None = None, query: bool = True):
    """``n`` uncached computations (default: as many as the pool computes at once) held running in threads
    until the block ends — "another user's heavy requests". Each goes through ``st.cached`` as a
    request's would, reads on its pool connection (``query``), then waits. Yields the number of
    connections they hold."""
    import threading

    n = st.pool.size if n is None else n
    started, release, threads = threading.Semaphore(0), threading.Event(), []
    block = next(_HELD_BLOCKS)          # not id(release): a freed Event's id is reused by the next block's,
                                        # whose computations were then answered from the cache and never ran

    def slow(i):
        def compute():
            if query:
                with st.store.engine.connect() as conn:
                    conn.execute(sa.text("SELECT COUNT(*) FROM enterprise")).scalar()
                st.store.table("region").count().execute()
            started.release()
            release.wait(60)
            return i
        st.cached(("held computation", i, block), compute)

    for i in range(n):
        th = threading.Thread(target=slow, args=(i,), daemon=True)
        th.start()
        threads.append(th)
    try:
        for _ in range(n):
            assert started.acquire(timeout=30), "a held computation never started"
        yield st.pool.lent
    finally:
        release.set()
        for th in threads:
            th.join(30)


def answered_while(fn, timeout: float = 30.0):
    """``fn()``'s value when it returns within ``timeout`` s (run in a thread), else AssertionError."""
    import threading

    out = {}
    th = threading.Thread(target=lambda: out.update(value=fn()), daemon=True)
    th.start()
    th.join(timeout)
    assert "value" in out, f"no answer within {timeout} s"
    return out["value"]
