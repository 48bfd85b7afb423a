"""The library's review queue (#19): queue after a registry import, decisions as overrides that survive
a re-import of a newer export, audit, scope of the page and API, and one browser walk (keyboard, then the
decisions seen again in the browser after a newer export was imported).

Data: the real registry sample (tests/fixtures/registry/jiangxi_sample.csv, 200 rows), in which the
calibrated chain confidence puts a few dozen firms between the review bounds.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from chainbrain.ingest import review as RV
from chainbrain.ingest.mapping import explain
from chainbrain.ingest.registry import import_registry

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "registry" / "jiangxi_sample.csv"
PW = "review-pass-2026"


def newer_export(tmp_path, uscc: str) -> Path:
    """The sample with one firm's registered capital changed (a newer export of the same firms)."""
    with open(SAMPLE, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    for r in rows[1:]:
        if r[1].strip().upper() == uscc:
            r[5] = "999(万元人民币)"
    out = tmp_path / "newer.csv"
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    out.write_text(buf.getvalue(), encoding="utf-8")
    return out


def test_decisions_survive_reimport_and_are_audited(store_any, tmp_path):
    import_registry(store_any, SAMPLE)
    counts = {c["chain_code"]: c for c in RV.counts(store_any)}
    assert sum(c["pending"] for c in counts.values()) >= 10 and all(c["reviewed"] == 0 for c in counts.values())
    q = RV.queue(store_any)
    assert all(RV.LOWER <= r["confidence"] < RV.UPPER for r in q)
    assert all(r["items"] and r["suggested_segments"] for r in q)
    first, second = q[0], q[1]
    with pytest.raises(RV.ReviewError):
        RV.decide(store_any, first["enterprise_id"], "maybe", None, "tester")
    with pytest.raises(RV.ReviewError):
        RV.decide(store_any, first["enterprise_id"], "change", ["XX-1"], "tester")
    with pytest.raises(KeyError):
        RV.decide(store_any, 10 ** 9, "accept", None, "tester")
    RV.decide(store_any, first["enterprise_id"], "reject", None, "tester", "a trader")
    RV.decide(store_any, second["enterprise_id"], "change", ["PC-D3"], "tester")
    res = import_registry(store_any, newer_export(tmp_path, first["uscc"]))
    assert (res.new, res.updated) == (0, 1)                   # the firm is re-mapped
    after = explain(store_any, first["uscc"])
    assert after["segments"] == [] and {o["action"] for o in after["overrides"]} == {"remove"}
    assert RV.row(store_any, first["enterprise_id"])["status"] == "rejected"      # not queued again
    two = explain(store_any, second["uscc"])
    assert [(s["segment_code"], s["method"]) for s in two["segments"] if s["method"] == "manual"] == [("PC-D3", "manual")]
    counts = {c["chain_code"]: c for c in RV.counts(store_any)}
    assert sum(c["reviewed"] for c in counts.values()) == 2
    with store_any.engine.connect() as c:
        audit = c.execute(sa.text("SELECT actor, detail FROM audit_log WHERE action = 'library_review' ORDER BY id")).fetchall()
    assert [a[0] for a in audit] == ["tester", "tester"] and '"reject"' in audit[0][1]
    rows = RV.reviewed_rows(store_any)
    assert {r["uscc"]: r["segments"] for r in rows} == {first["uscc"]: "", second["uscc"]: "PC-D3"}


@pytest.fixture(scope="module")
def review_db(tmp_path_factory):
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store
    from chainbrain.web.users import add_user

    db = str(tmp_path_factory.mktemp("review") / "r.duckdb")
    store = open_store(db)
    init_store(store)
    import_registry(store, SAMPLE)
    chains = [c["chain_code"] for c in RV.counts(store) if c["pending"] >= 2]
    add_user(store, "prov", PW, "province_admin")
    add_user(store, "office", PW, "chain_office", chain=chains[0])
    add_user(store, "county", PW, "county", region="360102")
    store.close()
    return db, chains[0]


def client(app, name):
    c = TestClient(app)
    r = c.post("/api/login", json={"username": name, "password": PW})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def test_api_scope_and_errors(review_db):
    from chainbrain.web import create_app

    db, chain = review_db
    app = create_app(db, public_aggregates=True)
    prov, office, county = client(app, "prov"), client(app, "office"), client(app, "county")
    try:
        whole = prov.get("/api/library/review", params={"limit": 500}).json()
        all_rows = whole["rows"]
        assert whole["page"]["total"] == len(all_rows) >= 3                     # paged on the server (#20)
        two = prov.get("/api/library/review", params={"limit": 2, "offset": 1}).json()
        assert two["rows"] == all_rows[1:3] and two["page"]["total"] == len(all_rows) and two["page"]["next"]
        mine = office.get("/api/library/review").json()
        assert mine["chain"] == chain and mine["rows"] and all(r["chain_code"] == chain for r in mine["rows"])
        assert {c["chain_code"] for c in mine["counts"]} == {chain}
        other = next(r for r in all_rows if r["chain_code"] != chain)
        assert other["uscc"] not in office.get("/library/review").text
        assert office.get(f"/api/library/review?chain={other['chain_code']}").status_code == 403
        assert county.get("/api/library/review").status_code == 403
        assert TestClient(app).get("/api/library/review").status_code == 401
        assert prov.get("/api/library/review?status=maybe").status_code == 400
        r = office.post("/api/library/review", json={"uscc": other["uscc"], "action": "accept"})
        assert r.status_code == 404                            # another chain's firm
        own = mine["rows"][0]
        assert office.post("/api/library/review", json={"uscc": own["uscc"], "action": "x"}).status_code == 400
        assert office.post("/api/library/review", json={"uscc": own["uscc"], "action": "change",
                                                        "segments": "PC-D3"}).status_code == 400
        r = office.post("/api/library/review", json={"uscc": own["uscc"], "action": "accept"})
        assert r.status_code == 200 and r.json()["status"] == "accepted"
        assert r.json()["decided"] == [s["code"] for s in own["suggested"]]
        done = office.get("/api/library/review?status=decided").json()["rows"]
        assert [d["uscc"] for d in done] == [own["uscc"]] and done[0]["actor"] == "office"
        no_csrf = TestClient(app)
        no_csrf.post("/api/login", json={"username": "office", "password": PW})
        assert no_csrf.post("/api/library/review", json={"uscc": own["uscc"], "action": "reject"}).status_code == 403
    finally:
        for c in (prov, office, county):
            c.close()


@pytest.mark.browser
def test_review_page_keyboard_walk(review_db, tmp_path):
    from browser import chromium, new_page, serve

    db, chain = review_db
    with serve(db, public_aggregates=True) as server, chromium() as browser:
        ctx, pg = new_page(browser, server)
        r = pg.request.post(f"{server}/api/login", data={"username": "prov", "password": PW})
        assert r.ok
        pg.goto(f"{server}/library/review?chain={chain}")
        pg.get_by_test_id("nav-library").wait_for()
        items = pg.get_by_test_id("review-item")
        n = items.count()
        assert n >= 1
        pending_before = int(pg.get_by_test_id(f"pending-{chain}").inner_text())
        first = items.nth(0)
        first.click()
        pg.keyboard.press("r")                                      # reject by key
        pg.wait_for_function("() => document.querySelector('[data-testid=review-item]').dataset.status === 'rejected'")
        if n > 1:                                                   # the next firm is current: change by key
            pg.keyboard.press("c")
            pg.keyboard.type("PC-D3")
            pg.keyboard.press("Enter")
            pg.wait_for_function("() => document.querySelectorAll('[data-testid=review-item]')[1].dataset.status === 'changed'")
        decided = {items.nth(i).get_attribute("data-uscc"): items.nth(i).get_attribute("data-status")
                   for i in range(min(n, 2))}
        pg.reload()
        pending_after = int(pg.get_by_test_id(f"pending-{chain}").inner_text())
        assert pending_after == pending_before - min(n, 2)
        assert int(pg.get_by_test_id(f"reviewed-{chain}").inner_text()) >= min(n, 2)
        pg.screenshot(path=str(tmp_path / "review.png"))
        ctx.close()
        assert pg.errors == [] and pg.external == [], (pg.errors, pg.external)
    assert set(decided.values()) <= {"rejected", "changed"} and "rejected" in decided.values()

    # a newer export of the same firms (one decided firm's capital changed) imported while no server runs:
    # the decisions are overrides — the page shows them decided, and the pending count is unchanged
    from chainbrain.store import open_store

    store = open_store(db)
    try:
        assert import_registry(store, newer_export(tmp_path, next(iter(decided)))).updated == 1
    finally:
        store.close()
    with serve(db, public_aggregates=True) as server, chromium() as browser:
        ctx, pg = new_page(browser, server)
        assert pg.request.post(f"{server}/api/login", data={"username": "prov", "password": PW}).ok
        pg.goto(f"{server}/library/review?chain={chain}&status=decided")
        pg.get_by_test_id("nav-library").wait_for()
        shown = {el.get_attribute("data-uscc"): el.get_attribute("data-status")
                 for el in pg.get_by_test_id("review-item").all()}
        assert {u: shown.get(u) for u in decided} == decided
        assert int(pg.get_by_test_id(f"pending-{chain}").inner_text()) == pending_after
        ctx.close()
        assert pg.errors == [] and pg.external == [], (pg.errors, pg.external)
