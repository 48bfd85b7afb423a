"""The tier funnel per city and chain (analytics/cultivate_funnel.py) on the hand-made dataset, worked by hand.

Designations added (date under test 2025-12-31, horizon +365 days = 2026-12-31):

| ent | city / chain | kind | valid_from | valid_to | on 2025-12-31 | expiring by 2026-12-31 |
| E1 | 360100 / EI | innovative_sme | 2023-07-01 | 2026-06-30 | yes | yes |
| E1 | 360100 / EI | srdi | 2024-07-01 | — (3 years: to 2027-06-30) | yes | no |
| E2 | 360100 / EI | innovative_sme | 2023-01-01 | — (3 years: to 2025-12-31, inclusive) | yes (last day) | yes |
| E5 | 360100 / EI | innovative_sme r1 | 2024-01-01 | 2025-01-01 | (revised) | |
| E5 | 360100 / EI | innovative_sme r2 | 2024-01-01 | 2026-12-31 | yes | yes (end = horizon) |
| E5 | 360100 / EI | little_giant | 2025-07-01 | 2028-06-30 | yes | no |
| E3 | 360400 / NF | single_champion | 2024-01-01 | — (not an SME tier: no end) | yes | no |
| E3 | 360400 / NF | innovative_sme | 2026-01-01 | 2028-12-31 | no (not yet) | |
| E4 | 360400 / NF | srdi | 2020-01-01 | — | no (3 years over) | |

On 2026-01-01 E2's designation has ended (2023-01-01 + 3 years − 1 day = 2025-12-31).
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

import handmade
from chainbrain.analytics.cultivate_funnel import funnel
from chainbrain.store import open_store
from chainbrain.store.admin import init_store

D = dt.date
ROWS = [  # enterprise, kind, level, valid_from, valid_to, revision
    (1, "innovative_sme", "provincial", D(2023, 7, 1), D(2026, 6, 30), 1),
    (1, "srdi", "provincial", D(2024, 7, 1), None, 1),
    (2, "innovative_sme", "provincial", D(2023, 1, 1), None, 1),
    (5, "innovative_sme", "provincial", D(2024, 1, 1), D(2025, 1, 1), 1),
    (5, "innovative_sme", "provincial", D(2024, 1, 1), D(2026, 12, 31), 2),
    (5, "little_giant", "national", D(2025, 7, 1), D(2028, 6, 30), 1),
    (3, "single_champion", "national", D(2024, 1, 1), None, 1),
    (3, "innovative_sme", "provincial", D(2026, 1, 1), D(2028, 12, 31), 1),
    (4, "srdi", "provincial", D(2020, 1, 1), None, 1),
]


def _load(db: str):
    s = open_store(db)
    init_store(s)
    handmade.load(s)
    cols = list(zip(*ROWS))
    with s.begin() as conn:
        s.bulk_insert(conn, "designation", pa.table({
            "enterprise_id": list(cols[0]), "kind": list(cols[1]), "level": list(cols[2]),
            "chain_code": pa.array([None] * len(ROWS), pa.string()),
            "valid_from": list(cols[3]), "valid_to": pa.array(list(cols[4]), pa.date32()),
            "batch_id": [1] * len(ROWS), "revision": list(cols[5])}))
    return s


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = _load(str(tmp_path_factory.mktemp("funnel") / "f.duckdb"))
    yield s
    s.close()


def pick(rows, key):
    return next(r for r in rows if r["key"] == key)


def counts(r):
    return tuple(r[k] for k in ("library", "innovative_sme", "srdi", "little_giant", "single_champion"))


def expiring(r):
    return tuple(r[f"expiring_{k}"] for k in ("innovative_sme", "srdi", "little_giant", "single_champion"))


def test_by_city(store):
    rows = funnel(store, D(2025, 12, 31), "city")
    nc, jj = pick(rows, "360100"), pick(rows, "360400")
    # library: 南昌 E1, E2, E5, E6; 九江 E3, E4
    assert counts(nc) == (4, 3, 1, 1, 0) and expiring(nc) == (3, 0, 0, 0)
    assert counts(jj) == (2, 0, 0, 0, 1) and expiring(jj) == (0, 0, 0, 0)
    assert nc["city_name"] == "南昌市" and nc["chain_code"] is None


def test_three_year_validity_ends_on_its_last_day(store):
    nc = pick(funnel(store, D(2026, 1, 1), "city"), "360100")
    assert nc["innovative_sme"] == 2                      # E2 gone; E1 and E5 remain


def test_by_chain_and_city_chain(store):
    rows = funnel(store, D(2025, 12, 31), "chain")
    assert counts(pick(rows, "EI")) == (3, 3, 1, 1, 0)     # E6 (section D, no segment) has no chain
    assert counts(pick(rows, "NF")) == (2, 0, 0, 0, 1)
    assert pick(rows, "EI")["chain_name"] == "电子信息"
    rows = funnel(store, D(2025, 12, 31), "city_chain", region="360100", chain="EI")
    assert [r["key"] for r in rows] == ["360100|EI"] and counts(rows[0]) == (3, 3, 1, 1, 0)


def test_horizon_is_inclusive(store):
    # E5's designation ends 2026-12-31: expiring with a 365-day horizon, not with 364
    assert pick(funnel(store, D(2025, 12, 31), "city", within_days=364), "360100")["expiring_innovative_sme"] == 2


def test_bad_grouping(store):
    with pytest.raises(ValueError):
        funnel(store, D(2025, 12, 31), "county")


@pytest.mark.postgres
def test_same_funnel_on_postgres(store, pg_server):
    pg = _load(pg_server.create_database("cultivate_funnel"))
    try:
        for by in ("city", "chain", "city_chain"):
            for day in (D(2025, 12, 31), D(2026, 1, 1)):
                assert funnel(pg, day, by) == funnel(store, day, by), (by, day)
        assert counts(pick(funnel(pg, D(2025, 12, 31), "city"), "360100")) == (4, 3, 1, 1, 0)
    finally:
        pg.close()


def test_cli_funnel(tmp_path):
    import json

    from typer.testing import CliRunner

    from chainbrain.cli import app

    db = str(tmp_path / "cli.duckdb")
    _load(db).close()
    run = lambda *a: CliRunner().invoke(app, ["cultivate", "funnel", "--db", db, *a])  # noqa: E731
    res = run("--by", "city", "--date", "2025-12-31")
    assert res.exit_code == 0, res.output
    rows = {r["key"]: r for r in json.loads(res.output)["rows"]}
    assert counts(rows["360100"]) == (4, 3, 1, 1, 0) and expiring(rows["360100"]) == (3, 0, 0, 0)
    res = run("--by", "chain", "--date", "2025-12-31", "--format", "xlsx", "--out", str(tmp_path / "f.xlsx"))
    assert res.exit_code == 0 and (tmp_path / "f.xlsx").stat().st_size > 0
    for args, msg in ((("--by", "county"), "分组"), (("--date", "31.12.2025"), "日期格式"),
                      (("--region", "999999"), "未知地区"), (("--format", "xlsx"), "--out")):
        res = run(*args)
        assert res.exit_code == 2 and msg in res.output, (args, res.output)


def test_renewals(store):
    from chainbrain.analytics.cultivate_funnel import renewals

    rows = renewals(store, D(2025, 12, 31))
    assert [(r["enterprise_id"], r["kind"], r["ends_on"], r["end_basis"]) for r in rows] == [
        (2, "innovative_sme", "2025-12-31", "validity"), (1, "innovative_sme", "2026-06-30", "stored"),
        (5, "innovative_sme", "2026-12-31", "stored")]
    # EI, 200 days (to 2026-07-19): E2 and E1; 九江: E3's champion has no end, E4's srdi is over
    assert [r["enterprise_id"] for r in renewals(store, D(2025, 12, 31), chain="EI", within_days=200)] == [2, 1]
    assert renewals(store, D(2025, 12, 31), region="360400") == []
