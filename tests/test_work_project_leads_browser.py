"""In Debian's Chromium: the EI chain office names the 招商 lead key project #1 came from on the
project page, follows the link to the lead on the attraction page, and back from the lead's
projects to the project. Console errors, page errors and any off-server request fail the test."""

from __future__ import annotations

import pytest

import web_fixture as W
from browser import chromium, new_page, serve
from chainbrain.store import open_store
from test_work_tasks_browser import sign_in

pytestmark = pytest.mark.browser


def test_name_the_lead_and_follow_the_links(tmp_path):
    db = W.build(tmp_path / "leads.duckdb")
    with open_store(db) as store:
        ei, _ = W.add_leads(store)
    with serve(db, public_aggregates=True) as server, chromium() as b:
        ctx, pg = new_page(b, server)
        sign_in(pg, server, "ei_office")
        pg.goto(f"{server}/projects/1")
        assert pg.get_by_test_id("project-lead").inner_text() == "—"
        pg.locator("#lead-form select[name=lead_id]").select_option(str(ei))
        with pg.expect_navigation():
            pg.locator("#lead-form button[type=submit]").click()
        link = pg.get_by_test_id("project-lead-link")
        assert link.get_attribute("href") == f"/attract/EI/targets#lead-{ei}" and W.OUTSIDE_NAME in link.inner_text()
        with pg.expect_navigation(timeout=120_000):
            link.click()
        assert pg.get_by_test_id(f"lead-{ei}-projects").inner_text().startswith("智能终端产业园二期")
        with pg.expect_navigation():
            pg.get_by_test_id(f"lead-{ei}-projects").locator("a").click()
        assert pg.get_by_test_id("project-name").inner_text() == "智能终端产业园二期"
        assert pg.errors == [] and pg.external == []
        ctx.close()
