"""A request walked in the browser: an enterprise submits it (from its 我的企业 home), its county
bureau accepts it and escalates it (一事一议), the chain office answers, the enterprise finds the
notice in its inbox, confirms with a rating and the request is closed (销号)."""

from __future__ import annotations

import re

import pytest

import web_fixture as W
from browser import chromium, new_page, serve
from chainbrain.store import open_store
from chainbrain.web.users import add_user

pytestmark = pytest.mark.browser


def sign_in(pg, base, name, password=None):
    pg.goto(f"{base}/login")
    pg.get_by_test_id("login-username").fill(name)
    pg.get_by_test_id("login-password").fill(password or W.password(name))
    pg.get_by_test_id("login-submit").click()
    pg.wait_for_load_state()


def sign_out(pg):
    pg.get_by_test_id("logout").click()
    pg.wait_for_load_state()


def act(pg, action, **fields):
    form = pg.get_by_test_id(f"form-{action}")
    for name, value in fields.items():
        if name == "rating":
            form.locator("select[name=rating]").select_option(value)
        else:
            form.locator(f"[name={name}]").fill(value)
    pg.get_by_test_id(f"action-{action}").click()
    pg.wait_for_load_state()


def status(pg) -> str:
    return pg.get_by_test_id("request-detail").get_attribute("data-status")


def test_request_from_enterprise_through_county_and_chain_office_to_closure(tmp_path):
    db = W.build(tmp_path / "walk.duckdb")
    with open_store(db) as store:
        add_user(store, "nf_office", "password-nf-2026-q4", "chain_office", chain="NF")
    with serve(db, public_aggregates=True) as base, chromium() as browser:
        ctx, pg = new_page(browser, base)
        # the enterprise: its home is its firm, it submits a request
        sign_in(pg, base, "ent3")
        assert pg.url.endswith("/my")
        assert pg.get_by_test_id("my-name").inner_text() == W.NAME[3]
        pg.get_by_test_id("nav-requests").click()
        pg.get_by_test_id("req-title").fill("电力增容")
        pg.get_by_test_id("req-category").select_option("factor")
        pg.get_by_test_id("req-description").fill("新产线需要增容 2000 kVA")
        pg.get_by_test_id("req-file").set_input_files(files=[{"name": "增容申请.txt", "mimeType": "text/plain",
                                                               "buffer": "申请增容 2000 kVA".encode()}])
        pg.get_by_test_id("req-submit").click()
        pg.wait_for_load_state()
        rid = int(re.search(r"/requests/(\d+)", pg.url).group(1))
        assert status(pg) == "submitted" and pg.get_by_test_id("request-route").inner_text() == "濂溪区"
        assert pg.get_by_test_id("request-actions").count() == 0          # nothing for the enterprise to do yet
        assert "增容申请.txt" in pg.get_by_test_id("request-files").inner_text()
        sign_out(pg)
        # the county bureau accepts, then escalates to the chain office (一事一议)
        sign_in(pg, base, "lx_county")
        pg.goto(f"{base}/requests")
        pg.get_by_test_id(f"req-link-{rid}").click()
        pg.wait_for_load_state()
        act(pg, "accept")
        assert status(pg) == "accepted"
        act(pg, "escalate", reason="需省级协调供电指标")
        assert pg.get_by_test_id("request-escalated").is_visible()
        sign_out(pg)
        # the chain office sees it now and answers
        sign_in(pg, base, "nf_office", "password-nf-2026-q4")
        pg.goto(f"{base}/requests")
        pg.get_by_test_id(f"req-link-{rid}").click()
        pg.wait_for_load_state()
        act(pg, "answer", answer="已协调国网江西电力，下周完成增容")
        assert status(pg) == "answered"
        sign_out(pg)
        # the enterprise: the notice in its inbox, then confirm with a rating → closed (销号)
        sign_in(pg, base, "ent3")
        pg.get_by_test_id("nav-inbox").click()
        pg.wait_for_load_state()
        pg.locator(f"a[href^='/requests/{rid}']").first.click()
        pg.wait_for_load_state()
        assert "已协调国网江西电力" in pg.get_by_test_id("request-answer").inner_text()
        act(pg, "confirm", rating="5")
        assert status(pg) == "closed"
        assert pg.get_by_test_id("request-rating").inner_text().startswith("5")
        actions = [r.get_attribute("data-action") for r in pg.locator("[data-testid=request-history] tr[data-action]").all()]
        assert actions == ["submit", "attach", "accept", "escalate", "answer", "confirm"]
        assert pg.errors == [] and pg.external == []
        ctx.close()
