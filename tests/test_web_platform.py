"""Working pages' JSON twins, sign-in, CSRF, rate limiting, audit, import flow, users CLI.

Expected figures are hand-computed from tests/handmade.py (2025-06, 亿元):
chain EI = E1 125 + E2 40 + E5 30 = 195 (3 firms); segment EI-D1 = E1 + E5 =
155 (2 firms), EI-M1 = E2 = 40 (1 firm); county 360102 (E1, E5) = 155;
county 360103 (E2, E6) = 50; E1's YTD 2025-06 = 125 (revision 2), prior 100.
"""

from __future__ import annotations

import csv
import time

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import web_fixture as W
from chainbrain.web import create_app

YI = 100_000_000


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(W.build(tmp_path_factory.mktemp("plat") / "plat.duckdb"), public_aggregates=True)


def login(app, name):
    c = TestClient(app)
    if name:
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def test_chain_presence_hand_values(app):
    admin, anon = login(app, "admin"), login(app, None)
    d = admin.get("/api/chains/EI", params={"period": "2025-06"}).json()
    assert d["kpi"]["revenue_ytd_yuan"] == pytest.approx(195 * YI)
    segs = {s["code"]: s for s in d["segments"]}
    assert segs["EI-D1"]["enterprise_count"] == 2 and segs["EI-D1"]["revenue_ytd_yuan"] == pytest.approx(155 * YI)
    assert segs["EI-M1"]["enterprise_count"] == 1 and segs["EI-M1"]["revenue_ytd_yuan"] == pytest.approx(40 * YI)
    assert segs["EI-D1"]["heat"] == pytest.approx(1.0) and segs["EI-M1"]["heat"] == pytest.approx(40 / 155)
    keys = d["key_enterprises"]["rows"]
    assert keys[0]["uscc"] == W.USCC[1] and keys[0]["chain_master"] is True
    assert [k["uscc"] for k in keys] == [W.USCC[1], W.USCC[2], W.USCC[5]]     # master first, then by revenue
    # parks and targets by name and in the units people read (pack: 南昌高新区 national, EI;AV;PH; 吉安 3000亿元)
    park = next(x for x in d["parks"] if x["name"] == "南昌高新技术产业开发区")
    assert (park["level_text"], park["chain_focus_text"]) == ("国家级", "电子信息、航空、医药")
    values = {x["code"]: x["value_text"] for x in d["targets"]}
    assert values["jian_ei_300bn_2026"] == "3,000.00 亿元" and values["sei_va_share_28pct"] == "28.0%"
    assert [c["key"] for c in d["tables"][2]["columns"]] == ["name", "level_text", "region_name", "chain_focus_text"]
    # anonymous: cells of < 3 firms withheld, no enterprise list
    a = anon.get("/api/chains/EI", params={"period": "2025-06"}).json()
    asegs = {s["code"]: s for s in a["segments"]}
    assert asegs["EI-D1"]["revenue_ytd_yuan"] is None and "revenue_ytd_yuan" in asegs["EI-D1"]["suppressed"]
    assert asegs["EI-D1"]["enterprise_count"] == 2
    assert a["key_enterprises"]["rows"] == [] and a["key_enterprises"]["hidden"] == 3
    assert a["kpi"]["revenue_ytd_yuan"] is None                             # 3 firms, but province − EI = E3 + E6
    assert a["kpi"]["yoy_comparable"] is None                                # comparable sample of 2


def test_chain_office_sees_its_chain_cells(app):
    office, anon = login(app, "ei_office"), login(app, None)
    k = office.get("/api/kpi", params={"period": "2025-06", "chain": "EI"}).json()
    assert k["suppressed"] == [] and k["yoy_comparable"] == pytest.approx((125 + 40) / (100 + 50) - 1)
    assert anon.get("/api/kpi", params={"period": "2025-06", "chain": "EI"}).json()["yoy_comparable"] is None
    nf = office.get("/api/kpi", params={"period": "2025-06", "chain": "NF"}).json()
    assert nf["revenue_ytd_yuan"] is None                                     # not its chain: 1 firm withheld


def test_county_user_sees_own_county_cell(app):
    dh = login(app, "dh_county")
    d = dh.get("/api/cockpit", params={"period": "2025-06", "region": "360100"}).json()
    counties = {c["key"]: c for c in d["counties"]}
    assert counties["360102"]["revenue_ytd_yuan"] == pytest.approx(155 * YI)   # its own: 2 firms, shown
    assert counties["360103"]["revenue_ytd_yuan"] is None                       # a neighbour's 2 firms: withheld
    anon = login(app, None).get("/api/cockpit", params={"period": "2025-06", "region": "360100"}).json()
    assert {c["key"]: c for c in anon["counties"]}["360102"]["revenue_ytd_yuan"] is None


def test_region_page(app):
    nc = login(app, "nc_city")
    d = nc.get("/api/regions/360100", params={"period": "2025-06"}).json()
    assert d["kpi"]["revenue_ytd_yuan"] == pytest.approx(205 * YI)
    ents = {e["uscc"]: e for e in d["enterprises"]["rows"]}
    assert set(ents) == {W.USCC[i] for i in (1, 2, 5, 6)}
    assert ents[W.USCC[1]]["revenue_ytd_yuan"] == pytest.approx(125 * YI)
    chains = {c["key"]: c for c in d["chains"]}
    assert chains["EI"]["revenue_ytd_yuan"] == pytest.approx(195 * YI)
    dh = login(app, "dh_county").get("/api/regions/360100", params={"period": "2025-06"}).json()
    assert {e["uscc"] for e in dh["enterprises"]["rows"]} == {W.USCC[1], W.USCC[5]}
    assert dh["enterprises"]["hidden"] == 2
    assert login(app, None).get("/api/regions/999999").status_code == 400
    page = nc.get("/regions/360100", params={"period": "2025-06"})
    assert page.status_code == 200 and 'href="/focus/360100' in page.text      # link to 主攻点 page


def test_enterprise_profile(app):
    d = login(app, "dh_county").get(f"/api/enterprises/{W.USCC[1]}").json()
    assert d["enterprise"]["name"] == W.NAME[1]
    m = {r["period"]: r for r in d["monthly"]}
    assert m["2025-06"]["revenue_ytd"] == pytest.approx(125 * YI)             # latest revision
    assert m["2025-06"]["yoy"] == pytest.approx(125 / 100 - 1)
    assert [s["segment_code"] for s in d["segments"]] == ["EI-D1"]
    assert d["designations"][0]["kind"] == "chain_master"
    p = d["partners"][0]
    assert p["direction"] == "supplier" and p["amount"] == pytest.approx(12 * YI)
    assert p["name"] != W.NAME[2] and p["uscc"] is None                         # E2 is outside 360102
    full = login(app, "admin").get(f"/api/enterprises/{W.USCC[1]}").json()
    assert full["partners"][0]["name"] == W.NAME[2]


def test_search(app):
    admin = login(app, "admin")
    d = admin.get("/api/search", params={"q": "手工样例"}).json()
    assert len(d["enterprises"]) == 6
    d = admin.get("/api/search", params={"q": W.USCC[3]}).json()
    assert [e["uscc"] for e in d["enterprises"]] == [W.USCC[3]]
    # pinyin initials: 手工样例铜冶炼公司 → sgyltylgs
    d = admin.get("/api/search", params={"q": "sgyltyl"}).json()
    assert [e["uscc"] for e in d["enterprises"]] == [W.USCC[3]]
    d = admin.get("/api/search", params={"q": "电子"}).json()
    assert [c["code"] for c in d["chains"]] == ["EI"]
    d = admin.get("/api/search", params={"q": "南昌"}).json()
    assert "360100" in [r["code"] for r in d["regions"]]
    anon = login(app, None).get("/api/search", params={"q": "手工样例"}).json()
    assert anon["enterprises"] == [] and "enterprises_withheld" not in anon


def test_excel_download_is_audited(app):
    admin = login(app, "admin")
    r = admin.get("/api/chains/EI", params={"period": "2025-06", "format": "xlsx", "table": "segments"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    log = admin.get("/api/audit", params={"action": "export"}).json()["entries"]
    assert log and "segments" in log[0]["detail"]


def test_login_cookie_logout_and_csrf(app):
    c = TestClient(app)
    r = c.post("/api/login", json={"username": "viewer", "password": W.password("viewer")})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert c.get("/api/me").json()["role"] == "viewer"
    assert c.post("/api/logout").status_code == 403                         # no CSRF token
    assert c.post("/api/logout", headers={"X-CSRF-Token": r.json()["csrf_token"]}).status_code == 200
    assert c.get("/api/me").json() == {"signed_in": False}
    # the form: double-submit token from the login page
    page = c.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    bad = c.post("/login", data={"username": "viewer", "password": W.password("viewer"), "csrf_token": "x"},
                 follow_redirects=False)
    assert bad.status_code == 403
    ok = c.post("/login", data={"username": "viewer", "password": W.password("viewer"), "csrf_token": token,
                                "next": "/chains"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/chains"


def test_rate_limit_and_audit(app):
    c = TestClient(app)
    for _ in range(5):
        assert c.post("/api/login", json={"username": "lx_county", "password": "wrong-pass"}).status_code == 401
    r = c.post("/api/login", json={"username": "lx_county", "password": W.password("lx_county")})
    assert r.status_code == 429
    admin = login(app, "admin")
    actions = [e["action"] for e in admin.get("/api/audit").json()["entries"]]
    assert "login_failed" in actions and "login_blocked" in actions and "login" in actions
    assert login(app, "viewer").get("/api/audit").status_code == 403
    assert TestClient(app).get("/api/audit").status_code == 401


def _csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def test_import_flow(app, tmp_path):
    from chainbrain.catalog.uscc import make

    admin = login(app, "admin")
    head = ["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "成立日期", "从业人员", "主要产品"]
    good = [make("360102", 7001), "导入测试甲公司", "360102", "3985", "2010-03-01", "120", "电子铜箔"]
    bad = ["91360102BADBADBAD1", "导入测试乙公司", "360102", "3985", "2011-01-01", "80", ""]
    path = _csv(tmp_path / "e.csv", [head, good, bad])
    with open(path, "rb") as f:
        r = admin.post("/api/imports", files={"file": ("e.csv", f, "text/csv")}, data={"kind": "enterprises"})
    assert r.status_code == 200, r.text
    job = r.json()
    assert job["status"] == "invalid" and job["errors"] >= 1
    assert any(i["row"] == 3 for i in job["issues"])                            # the header is row 1
    ef = admin.get(job["error_file"])
    assert ef.status_code == 200 and ef.content[:2] == b"PK"
    assert admin.post(f"/api/imports/{job['id']}/confirm").status_code == 409
    r = admin.post(f"/api/imports/{job['id']}/confirm", data={"skip_invalid": "true"})
    assert r.status_code == 200
    for _ in range(100):
        job = admin.get(f"/api/imports/{job['id']}").json()
        if job["status"] not in ("importing",):
            break
        time.sleep(0.1)
    assert job["status"] == "done", (job["message"], job["issues"])
    assert job["result"]["new"] == 1 and job["result"]["skipped"] == 1
    assert admin.get("/api/search", params={"q": "导入测试甲"}).json()["enterprises"]
    assert "import_end" in [e["action"] for e in admin.get("/api/audit").json()["entries"]]
    # CSRF and role
    no_token = TestClient(app)
    no_token.cookies = admin.cookies
    with open(path, "rb") as f:
        assert no_token.post("/api/imports", files={"file": ("e.csv", f)}, data={"kind": "enterprises"}).status_code == 403
    with open(path, "rb") as f:
        assert login(app, "nc_city").post("/api/imports", files={"file": ("e.csv", f)},
                                          data={"kind": "enterprises"}).status_code == 403


def test_users_cli(tmp_path):
    from chainbrain.cli.users import app as users_app

    db = W.build(tmp_path / "cli.duckdb")
    run = CliRunner().invoke
    r = run(users_app, ["add", "--db", db, "--username", "jj", "--role", "city", "--region", "360400",
                        "--password", "long-enough-1"])
    assert r.exit_code == 0, r.output
    r = run(users_app, ["add", "--db", db, "--username", "bad", "--role", "county", "--region", "360400",
                        "--password", "long-enough-1"])
    assert r.exit_code == 2 and "county" in r.output
    r = run(users_app, ["add", "--db", db, "--username", "p", "--role", "viewer"], input="secret-pass-2026\nsecret-pass-2026\n")
    assert r.exit_code == 0, r.output
    r = run(users_app, ["list", "--db", db, "--json"])
    assert '"jj"' in r.output and "password_hash" not in r.output and "$argon2" not in r.output   # no hash leaks
    assert run(users_app, ["disable", "jj", "--db", db]).exit_code == 0
    with TestClient(create_app(db)) as c:
        assert c.post("/api/login", json={"username": "jj", "password": "long-enough-1"}).status_code == 401
        assert c.post("/api/login", json={"username": "p", "password": "secret-pass-2026"}).status_code == 200


def test_demo_users(tmp_path):
    from chainbrain.store import open_store
    from chainbrain.web.demo_users import create_demo_users

    db = W.build(tmp_path / "demo.duckdb")
    with open_store(db) as store:
        creds = create_demo_users(store)
        again = create_demo_users(store)                     # idempotent: replaced, new passwords
    roles = [c[2] for c in creds]
    assert roles == ["province_admin", "chain_office", "city", "county", "enterprise", "viewer", "unit"]
    assert len(again) == 7
    with TestClient(create_app(db)) as c:
        for user, pw, role, scope in again:
            r = c.post("/api/login", json={"username": user, "password": pw})
            assert r.status_code == 200 and r.json()["role"] == role


def test_concurrent_sign_ins_all_succeed(tmp_path):
    """20 simultaneous sign-ins: the account lookup shares the store's connection under its lock,
    argon2 runs outside it; every sign-in must succeed (no 500, no wrong 401)."""
    import concurrent.futures as cf

    app = create_app(W.build(tmp_path / "logins.duckdb"), public_aggregates=True)   # no earlier failures
    names = (list(W.USERS) * 3)[:20]

    def sign_in(name):
        c = TestClient(app)
        r = c.post("/api/login", json={"username": name, "password": W.password(name)})
        return r.status_code

    with cf.ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(sign_in, names))
    assert codes == [200] * len(names)


def test_disabled_account_loses_its_session_within_the_ttl(tmp_path, monkeypatch):
    """Sessions are looked up once per SESSION_TTL seconds per process; a disabled account is then refused."""
    import sqlalchemy as sa

    from chainbrain.web import auth

    db = W.build(tmp_path / "ttl.duckdb")
    with TestClient(create_app(db)) as c:
        assert c.post("/api/login", json={"username": "viewer", "password": W.password("viewer")}).status_code == 200
        assert c.get("/api/me").json()["role"] == "viewer"
        store = c.app.state.web.store
        with store.begin() as conn:
            conn.execute(sa.text("UPDATE user_account SET disabled = TRUE WHERE username = 'viewer'"))
        assert c.get("/api/me").json()["role"] == "viewer"              # still within the memo's TTL
        monkeypatch.setattr(auth, "SESSION_TTL", 0.0)
        auth._session_memo(store).clear()
        assert c.get("/api/me").json() == {"signed_in": False}
