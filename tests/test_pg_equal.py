"""The same figures on DuckDB and PostgreSQL (issue #23, "figures must not depend on the engine"):
the tiny demo province built with one seed into both stores gives KPI records equal to the fen
(money) and exactly equal rates, counts and statuses — for the province, every chain and every
city, through the analytics and through ``chainbrain kpi --format json`` — and the projection is
the same on both engines and from run to run."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chainbrain.analytics.kpi import kpi_tables, latest_period
from chainbrain.store import open_store

pytestmark = pytest.mark.postgres


def _build(db: str) -> None:
    subprocess.run([sys.executable, "-m", "chainbrain", "demo", "build", "--db", db, "--scale", "tiny",
                    "--seed", "2023"], check=True, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def both(pg_server, tmp_path_factory):
    duck = str(tmp_path_factory.mktemp("equal") / "tiny.duckdb")
    pg = pg_server.create_database("equal_tiny")
    _build(duck)
    _build(pg)
    return duck, pg


@pytest.fixture
def stores(both):
    with open_store(both[0]) as d, open_store(both[1]) as p:
        yield d, p


def _differences(a: dict, b: dict) -> list[str]:
    out = []
    for k in sorted(set(a) | set(b)):
        x, y = a.get(k), b.get(k)
        if k.endswith("_yuan") and x is not None and y is not None:
            if round(x * 100) != round(y * 100) or x != y:          # equal to the fen, and as printed
                out.append(f"{k}: {x!r} != {y!r}")
        elif x != y:
            out.append(f"{k}: {x!r} != {y!r}")
    return out


def test_kpi_records_equal_to_the_fen(stores):
    duck, pg = stores
    period = latest_period(duck)
    assert period == latest_period(pg)
    for p in (period, f"{int(period[:4]) - 1}-12"):
        td = kpi_tables(duck, p, ("all", "chain", "city"))
        tp = kpi_tables(pg, p, ("all", "chain", "city"))
        for by in ("all", "chain", "city"):
            rd = {r["key"]: r for r in td[by]}
            rp = {r["key"]: r for r in tp[by]}
            assert rd.keys() == rp.keys() and rd, (p, by)
            for key in rd:
                assert not _differences(rd[key], rp[key]), (p, by, key, _differences(rd[key], rp[key]))
            assert any(r["revenue_ytd_yuan"] for r in rd.values())


def _cli_kpi(db: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "chainbrain", "kpi", "--db", db, *args, "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def test_cli_kpi_json_identical(both):
    duck, pg = both                                   # (the command opens the DuckDB file itself)
    with open_store(duck) as s:
        period = latest_period(s)
    for extra in ((), ("--chain", "EI"), ("--region", "360500")):
        a = _cli_kpi(duck, "--period", period, *extra)
        b = _cli_kpi(pg, "--period", period, *extra)
        assert a == b, extra
        assert isinstance(a["revenue_ytd_yuan"], float) and round(a["revenue_ytd_yuan"], 2) == a["revenue_ytd_yuan"]


def test_projection_same_on_both_engines_and_every_run(stores):
    from chainbrain.web import model

    duck, pg = stores
    runs = [model.monitoring(s, None, None, "all", with_alerts=False)["projection"] for s in (duck, pg, pg)]
    assert runs[0] is not None and runs[0].get("projected") is not None
    assert runs[1] == runs[2], "PostgreSQL: the projection changed between two runs"
    assert runs[0] == runs[1], "the projection differs between DuckDB and PostgreSQL"
