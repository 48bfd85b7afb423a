"""Pages answer "计算中" rather than wait past CHAINBRAIN_PAGE_WAIT_S for an uncached computation (#22,
web/pending.py): HTTP 202 with a reload, the computation goes on in the background, a reload joins it, the
page then shows the same figures; JSON routes still wait; 0 turns it off."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

import handmade
from chainbrain.web import create_app
from chainbrain.web.pending import Background, Pending


def test_background_defers_joins_and_reports_a_failure_once():
    bg, calls, gate = Background(), [], threading.Event()

    def work():
        calls.append(1)
        gate.wait(5)
        return 42

    with pytest.raises(Pending):
        bg.wait(("v", "k"), work, 0.05)
    with pytest.raises(Pending):                      # a reload joins the running computation
        bg.wait(("v", "k"), work, 0.05)
    gate.set()
    assert bg.wait(("v", "k"), work, 5) == 42 and calls == [1]

    def bad():
        raise ValueError("boom")

    with pytest.raises(ValueError):
        bg.wait(("v", "bad"), bad, 5)
    assert ("v", "bad") not in bg.running             # the next request starts it again
    bg.close()


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    return handmade.build(tmp_path_factory.mktemp("pending") / "hand.duckdb")


def test_a_cold_page_says_computing_then_shows_its_figures(db, monkeypatch):
    monkeypatch.setenv("CHAINBRAIN_PAGE_WAIT_S", "0.001")
    with TestClient(create_app(db, public_aggregates=True)) as c:
        first = c.get("/", params={"period": "2025-06"})
        assert first.status_code == 202 and 'data-testid="pending"' in first.text
        assert '<meta http-equiv="refresh" content="2">' in first.text and first.headers["Retry-After"] == "2"
        assert "计算中" in first.text and first.headers["Cache-Control"] == "no-store"
        page, rounds = first, 0
        while page.status_code == 202 and rounds < 300:   # the browser's reloads
            time.sleep(0.2)
            page, rounds = c.get("/", params={"period": "2025-06"}), rounds + 1
        assert page.status_code == 200 and "405.00</span> <span class=\"unit\">亿元" in page.text
        api = c.get("/api/kpi", params={"period": "2025-03"})        # JSON waits for its answer
        assert api.status_code == 200 and api.json()["period"] == "2025-03"


@pytest.mark.parametrize("url", ["/chains/EI?period=2025-06", "/regions/360100?period=2025-06",
                                 "/operations?period=2025-06", "/maps/EI/chain?period=2025-06",
                                 "/maps/EI/supply?period=2025-06"])
def test_other_heavy_pages_defer_too(db, monkeypatch, url):
    monkeypatch.setenv("CHAINBRAIN_PAGE_WAIT_S", "0.001")
    with TestClient(create_app(db, public_aggregates=True)) as c:
        first = c.get(url)
        assert first.status_code == 202 and 'data-testid="pending"' in first.text, url
        page, rounds = first, 0
        while page.status_code == 202 and rounds < 300:
            time.sleep(0.2)
            page, rounds = c.get(url), rounds + 1
        assert page.status_code == 200 and 'data-testid="pending"' not in page.text, url


def test_off_the_page_waits_as_before(db, monkeypatch):
    monkeypatch.setenv("CHAINBRAIN_PAGE_WAIT_S", "0")
    with TestClient(create_app(db, public_aggregates=True)) as c:
        page = c.get("/", params={"period": "2025-06"})
        assert page.status_code == 200 and "405.00</span> <span class=\"unit\">亿元" in page.text


@pytest.mark.browser
def test_chromium_reloads_the_computing_page_into_the_cockpit(db, monkeypatch):
    from browser import chromium, new_page, serve

    monkeypatch.setenv("CHAINBRAIN_PAGE_WAIT_S", "0.001")
    with chromium() as b:
        with serve(db, public_aggregates=True) as server:
            ctx, pg = new_page(b, server)
            first = pg.goto(server + "/?period=2024-06")
            assert first.status == 202 and pg.get_by_test_id("pending").is_visible()
            pg.get_by_test_id("headline").wait_for(timeout=90_000)      # the meta refresh, no click
            assert "2024年1–6月" in pg.get_by_test_id("headline").inner_text()
            assert pg.errors == [] and pg.external == [], pg.errors
            ctx.close()
