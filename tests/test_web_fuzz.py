"""Schemathesis over the whole OpenAPI document of the hand-made store, as anonymous and as every
role (issue #20): no server error, no 422, every 4xx of the API ``{"detail": "English (中文)"}``.

A bounded run for CI (:data:`EXAMPLES` cases per operation, the roles taking turns, a fixed
seed); ``python -m benchmarks.fuzz_api`` runs the long one by hand. What breaks a rule is
printed in full, so the failing request can be replayed.
"""

from __future__ import annotations

import fuzz_kit
import web_fixture as W
from chainbrain.web import create_app

EXAMPLES = 2


def test_fuzz_whole_api_every_role(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINBRAIN_IMPORT_DIR", str(tmp_path / "imports"))
    app = create_app(W.build(tmp_path / "fuzz.duckdb"), public_aggregates=True)
    rep = fuzz_kit.fuzz(app, examples=EXAMPLES)
    operations = len(app.openapi()["paths"])
    assert rep.requests >= operations, (rep.requests, operations)        # every path was asked
    assert rep.statuses.get(200, 0) > 0 and rep.statuses.get(400, 0) > 0   # both kinds of answers seen
    assert not rep.findings, "\n".join(str(f) for f in rep.findings[:30])
