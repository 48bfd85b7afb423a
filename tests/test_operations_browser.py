"""运行分析 in a real browser (Debian Chromium): the page shows what its JSON twin says, withheld cells as —*.

Data: tests/ops_data.py (hand-computed figures there). Province, 2025-06, anonymous viewer on a public
deployment: 工业总产值 64,420 万元 = 6.44 亿元 from 5 enterprises is shown; the 上年同期 loss amount (200 万元)
comes from one enterprise (C) and is withheld; the loss growth (n = 1) too.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from browser import new_page, serve
from chainbrain.store import open_store
from chainbrain.store.admin import init_store
from ops_data import load


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ops-browser")
    db = str(tmp / "ops.duckdb")
    store = open_store(db)
    init_store(store)
    load(store, tmp)
    store.close()
    with serve(db, public_aggregates=True) as url:
        yield url


def test_operations_page_matches_its_json_twin(browser, server):
    ctx, pg = new_page(browser, server)
    pg.goto(f"{server}/operations?period=2025-06")
    twin = json.loads(urllib.request.urlopen(f"{server}/api/operations?period=2025-06").read())
    rows = {r["key"]: r for r in twin["tables"][0]["rows"]}
    cell = pg.locator('[data-testid="table-summary"] tr[data-key="gross_output"] td[data-field="value"]')
    assert cell.inner_text() == "6.44" and float(cell.get_attribute("data-value")) == rows["gross_output"]["value"]
    assert rows["loss_amount"]["base"] is None and "base" in rows["loss_amount"]["suppressed"]
    hidden = pg.locator('[data-testid="table-summary"] tr[data-key="loss_amount"] td[data-field="base"]')
    assert hidden.inner_text() == "—*"
    assert pg.locator('[data-testid="nav-operations"]').get_attribute("class") == "active"
    assert pg.locator('[data-testid="county_rank-table"] tr').count() == 4          # header + 3 counties
    ctx.close()
    assert pg.errors == [] and pg.external == []
