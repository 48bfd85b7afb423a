"""The pages' ``<script type="application/json">`` data blocks (web.render.chart_json): a name holding
``</script>``, ``<!--<script>`` or ``&`` neither ends the block nor changes how the browser parses it, and
the JSON still reads back to the name (the cockpit and the digital page built their blocks by hand before)."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

import handmade
from chainbrain.store import open_store
from chainbrain.web import create_app
from chainbrain.web.render import chart_json

EVIL = "南昌</script><!--<script>&amp;"
BLOCK = re.compile(r'<script type="application/json" id="([\w-]+)">(.*?)</script>', re.S)


def test_chart_json_leaves_no_markup_and_reads_back():
    text = chart_json({"name": EVIL, "n": 1})
    assert not set("<>&") & set(text)
    assert json.loads(text) == {"name": EVIL, "n": 1}


def test_cockpit_and_digital_blocks_keep_a_hostile_name_inside(tmp_path):
    db = handmade.build(tmp_path / "evil.duckdb")
    store = open_store(db)
    try:
        with store.begin() as conn:
            conn.exec_driver_sql(f"UPDATE region SET name = '{EVIL}' WHERE code = '360100'")
    finally:
        store.close()
    with TestClient(create_app(db, public_aggregates=True)) as c:
        for url in ("/?period=2025-06", "/digital?period=2025-06"):
            page = c.get(url)
            assert page.status_code == 200, url
            blocks = dict(BLOCK.findall(page.text))
            assert blocks, url
            for ident, body in blocks.items():
                assert "<" not in body and "&" not in body, (url, ident)
                json.loads(body)                           # the whole block, up to the real </script>
            assert any(EVIL in json.dumps(json.loads(b), ensure_ascii=False) for b in blocks.values()), url
