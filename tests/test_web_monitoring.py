"""The cockpit's targets, projection and alerts (/api/cockpit and the page), and cache invalidation
by the app's own import flow.

Data: the hand-made monitoring dataset of tests/test_monitor_data.py (万元), loaded through
the importers. Expected figures worked by hand (2025-06 YTD):
- SEI share of value added: VA 370; SEI true E 10, partial A+B+F 310 (weight 0.5):
  (10 + 155) / 370, bounds 10/370 and 320/370; target ≥ 28 % → gap (165/370 − 0.28) × 100 pp.
- Growth target: actual revenue 400+520+250+50+120 = 1340 万元 (5 firms); the base year
  2022 has no reports, so no path.
- chain_master_drop: B (chain master of EI, 南昌 360102) 520 vs its own 2024-06 600 →
  520/600 − 1 = −13.3 % < −10 % — confidential: shown to the province admin and the
  南昌 city user, not to anonymous visitors, a viewer or the 九江 city user.
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

import test_monitor_data as MD
from chainbrain.store import open_store
from chainbrain.store.admin import init_store
from chainbrain.web import create_app
from chainbrain.web.users import add_user

WAN = 10_000
PW = "monitor-test-pass-1"
SEI = (10 + 155) / 370


@pytest.fixture(scope="module")
def mon_db(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("webmon")
    db = str(tmp / "mon.duckdb")
    store = open_store(db)
    try:
        init_store(store)
        MD.load(store, tmp)
        add_user(store, "admin", PW, "province_admin")
        add_user(store, "nc_city", PW, "city", region="360100")
        add_user(store, "jj_city", PW, "city", region="360400")
        add_user(store, "viewer", PW, "viewer")
    finally:
        store.close()
    return db


@pytest.fixture(scope="module")
def app(mon_db):
    a = create_app(mon_db, public_aggregates=True)
    with TestClient(a):
        yield a


def login(app, name):
    c = TestClient(app)
    if name:
        r = c.post("/api/login", json={"username": name, "password": PW})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def test_cockpit_targets_hand_values(app):
    d = login(app, None).get("/api/cockpit", params={"period": "2025-06"}).json()
    targets = {t["code"]: t for t in d["targets"]}
    sei = targets["sei_va_share_28pct"]
    assert sei["actual"] == pytest.approx(SEI)
    assert sei["actual_low"] == pytest.approx(10 / 370) and sei["actual_high"] == pytest.approx(320 / 370)
    assert sei["target_value"] == pytest.approx(0.28)
    assert sei["gap_pp"] == pytest.approx((SEI - 0.28) * 100)
    assert sei["status"] == "undetermined"             # issue #12: bounds 2.7 %–86.5 % straddle 28 %
    growth = next(t for t in d["targets"] if t["kind"] == "growth")
    assert growth["actual"] == pytest.approx(1340 * WAN) and growth["n"] == 5
    assert growth["path"] is None and growth["base_annual"] is None        # no 2022 reports
    assert growth["value"] is None and growth["status"] is None and growth["basis"] == "comparable"
    proj = d["projection"]
    rows = {r["year"]: r for r in proj["series"]["rows"]}
    assert rows[2025]["actual_ytd_yuan"] == pytest.approx(1340 * WAN)
    assert proj["target_year"] == 2026 and max(rows) == 2026
    assert proj["explanation_zh"] and proj["explanation_en"]


def test_confidential_alerts_follow_scope(app):
    def drops(name):
        d = login(app, name).get("/api/cockpit", params={"period": "2025-06"}).json()
        return [a for a in d["alerts"] if a["rule"] == "chain_master_drop"]

    admin = drops("admin")
    assert len(admin) == 1
    fig = admin[0]["figures"][0]
    assert fig["revenue_yuan"] == pytest.approx(520 * WAN) and fig["prior_yuan"] == pytest.approx(600 * WAN)
    assert fig["yoy"] == pytest.approx(520 / 600 - 1)
    assert admin[0]["confidential"] and admin[0]["period"] == "2025-06"
    assert len(drops("nc_city")) == 1
    assert drops(None) == [] and drops("viewer") == [] and drops("jj_city") == []


def test_cockpit_page_shows_panels(app):
    html = login(app, None).get("/", params={"period": "2025-06"}).text
    assert 'data-testid="targets-panel"' in html and 'data-testid="projection-table"' in html
    assert f'data-value="{SEI!r}"' in html or f'data-value="{SEI}"' in html
    assert 'data-testid="alerts-panel"' in html
    # the target table: SEI bounds straddle 28 % → 待定; growth row on the comparable basis
    row = html[html.index('data-testid="target-row-sei_va_share_28pct"'):]
    row = row[:row.index("</tr>")]
    assert 'data-field="status" data-value="undetermined"' in row and "待定" in row and "估计值" in row
    row = html[html.index('data-testid="target-row-revenue_growth_9pct"'):]
    row = row[:row.index("</tr>")]
    assert 'data-basis="comparable"' in row and "可比口径" in row
    assert "chain_master_drop" not in html                                 # confidential: not for anonymous
    html = login(app, "admin").get("/", params={"period": "2025-06"}).text
    assert 'data-rule="chain_master_drop"' in html and "13.3%" in html
    en = login(app, None).get("/", params={"period": "2025-06", "lang": "en"}).text
    assert "Progress to the 2026 targets" in en and "Revenue projection" in en
    assert "Undetermined" in en


def test_stored_alerts_are_read(mon_db, tmp_path):
    """After ``chainbrain compute`` the cockpit reads the stored alerts (same figures)."""
    import shutil

    from chainbrain.analytics.aggregates import refresh

    db = str(tmp_path / "stored.duckdb")
    shutil.copy(mon_db, db)
    with open_store(db) as store:
        refresh(store, ["2025-06"], modernization_index=False)
    a = create_app(db, public_aggregates=True)
    with TestClient(a):
        d = login(a, "admin").get("/api/cockpit", params={"period": "2025-06"}).json()
    assert d["alerts_source"] == "stored"
    drop = [x for x in d["alerts"] if x["rule"] == "chain_master_drop"]
    assert len(drop) == 1 and drop[0]["figures"][0]["yoy"] == pytest.approx(520 / 600 - 1)


def test_web_import_shows_at_once(mon_db, tmp_path):
    """A correction imported through the app's own import flow shows without waiting for the TTL."""
    import csv
    import shutil

    db = str(tmp_path / "imp.duckdb")
    shutil.copy(mon_db, db)
    a = create_app(db, public_aggregates=True)
    with TestClient(a):
        st = a.state.web
        st.versions.ttl = 3600                     # only explicit invalidation can show the change
        anon, admin = login(a, None), login(a, "admin")
        before = anon.get("/api/kpi", params={"period": "2025-06"}).json()["revenue_ytd_yuan"]
        assert before == pytest.approx(1340 * WAN)
        path = tmp_path / "fix.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:   # A 2025-06: 400 → 500 万元
            csv.writer(f).writerows([MD.MON_HEAD, [MD.U["A"], "2025-06", "500", "24", "360", "30", "120", "70",
                                                   "18", "108"]])
        with open(path, "rb") as f:
            job = admin.post("/api/imports", files={"file": ("fix.csv", f, "text/csv")},
                             data={"kind": "monthly", "unit": "万元"}).json()
        assert job["status"] in ("valid", "invalid"), job
        admin.post(f"/api/imports/{job['id']}/confirm", data={"skip_invalid": "true"})
        for _ in range(200):
            job = admin.get(f"/api/imports/{job['id']}").json()
            if job["status"] not in ("importing",):
                break
            time.sleep(0.05)
        assert job["status"] == "done", job["message"]
        after = anon.get("/api/kpi", params={"period": "2025-06"}).json()["revenue_ytd_yuan"]
        assert after == pytest.approx(1440 * WAN)
