"""The KPI figures of every period × region kept by one pass (``analytics/kpi_stored.py``, issue #20).

The stored figures equal the live analytics (money to the fen, counts exactly, rates to 1e-9) on
DuckDB and PostgreSQL (the hand-made dataset) and on the tiny demo (Decembers: the chained index);
a request for a (period, region) reads them, with the same disclosure control as a live answer;
after the data change they are not served and the warm-up's ``keep(force=False)`` keeps new ones."""

from __future__ import annotations

import json
import math

import pytest
import sqlalchemy as sa

import handmade
from chainbrain.analytics import kpi_stored
from chainbrain.analytics.kpi import kpi, kpi_table
from chainbrain.store import figures, open_store
from chainbrain.web import data, kept, model, pages
from chainbrain.web.policy import cell_rule

pytestmark = pytest.mark.slow

#: (period, region) pairs of the hand-made dataset: province, a city, counties, three periods
HAND_PAIRS = [("2025-06", None), ("2025-06", "360100"), ("2025-06", "360102"),
              ("2024-06", "360103"), ("2022-06", "360400")]


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path_factory):
    import handmade

    return handmade.store_url(request, tmp_path_factory, "kpi_stored")


@pytest.fixture
def store(db):
    with open_store(db) as s:
        yield s


_fresh = handmade.fresh_process            # what a new process starts with


def _same(stored, live, path=""):
    """Equal: money (``*_yuan``, already rounded to the fen) and counts exactly, other floats to 1e-9."""
    if isinstance(live, dict):
        assert isinstance(stored, dict) and stored.keys() == live.keys(), (path, set(stored) ^ set(live))
        for k in live:
            _same(stored[k], live[k], f"{path}.{k}")
    elif isinstance(live, list):
        assert isinstance(stored, list) and len(stored) == len(live), (path, stored, live)
        for i, (a, b) in enumerate(zip(stored, live)):
            _same(a, b, f"{path}[{i}]")
    elif isinstance(live, float) and isinstance(stored, float) and not path.endswith("_yuan"):
        assert (math.isnan(live) and math.isnan(stored)) or abs(stored - live) <= 1e-9, (path, stored, live)
    else:
        assert stored == live and type(stored) is type(live), (path, stored, live)


def _names(store, period, region, scope="all"):
    """The figure names a cockpit / KPI request for (period, region) reads."""
    reg = model.check_region(store, region)
    if reg is None:                     # the province's cockpit, and each chain page's (headline and cities)
        chains = [c["code"] for c in data.chains(store)]
        return [("kpi", period, None, scope), ("kpi_table", period, "city", None, scope, None),
                ("kpi_table", period, "chain", None, scope, None)] + [
            n for c in chains for n in (("kpi_chain", period, c, scope), ("kpi_table", period, "city", None, scope, c))]
    city = reg["prefecture_code"] or reg["code"]
    return [("kpi", period, region, scope), ("kpi_table", period, "city", region, scope, None),
            ("kpi_table", period, "county", city, scope, None), ("kpi_table", period, "chain", region, scope, None)]


def _live(store, name):
    if name[0] == "kpi":
        return kpi(store, name[1], region=name[2], scope=name[3])
    if name[0] == "kpi_chain":
        return kpi(store, name[1], chain=name[2], scope=name[3])
    return kpi_table(store, name[1], by=name[2], region=name[3], scope=name[4], chain=name[5])


def _check_pairs(store, pairs) -> list[dict]:
    kpi_stored.keep(store, sorted({p for p, _ in pairs}))        # the pairs' periods: every region
    key = kept._data_key(store)
    seen = []
    for period, region in pairs:
        for name in _names(store, period, region):
            stored = figures.load(store, (kept.chainbrain.__version__,) + name, key)
            assert stored is not None, name
            live = _live(store, name)
            _same(stored, live, str(name))
            seen += live if isinstance(live, list) else [live]
    return seen


def test_stored_figures_equal_the_live_analytics(store):
    _fresh(store)
    seen = _check_pairs(store, HAND_PAIRS)
    assert any(r["revenue_ytd_yuan"] and r["target_path_yuan"] for r in seen)       # sums and the level path
    assert any(r["yoy_comparable"] is not None for r in seen)


def _monitoring_equal(store, pairs) -> list[dict]:
    """The stored targets and projection of each pair = ``model.monitoring`` computed live."""
    key = kept._data_key(store)
    out = []
    for period, region in pairs:
        stored = figures.load(store, (kept.chainbrain.__version__, "monitoring", period, region, "all"), key)
        assert stored is not None, (period, region)
        live = model.monitoring(store, period, region, "all", with_alerts=False, keep=False)
        _same(stored, {k: live[k] for k in ("targets", "projection")}, f"monitoring {period} {region}")
        out.append(stored)
    return out


def test_stored_targets_and_projection_equal_the_live_analytics(store):
    kpi_stored.keep(store)
    _fresh(store)
    shown = _monitoring_equal(store, [("2025-06", "360102"), ("2024-06", "360400")])
    assert shown[0]["targets"][0]["kind"] == "growth" and shown[0]["targets"][0]["actual"] == 155 * 1e8
    key = kept._data_key(store)           # the province (a share target applies): left to the live path
    assert figures.load(store, (kept.chainbrain.__version__, "monitoring", "2025-06", None, "all"), key) is None


def test_tiny_demo_stored_figures_equal_the_live_analytics(tmp_path_factory):
    """On the tiny demo (five years, Decembers): the chained comparable index and its verdict too."""
    from chainbrain.demo import build_demo

    path = str(tmp_path_factory.mktemp("kpi-stored-tiny") / "tiny.duckdb")
    with open_store(path) as store:
        build_demo(store, scale="tiny", seed=2023)
        periods = kpi_stored.periods_on_file(store)
        with store.engine.connect() as c:
            cities = [r[0] for r in c.execute(sa.text(
                "SELECT DISTINCT r.prefecture_code FROM enterprise_attr a JOIN region r ON r.code = a.attr_value "
                "WHERE a.attr = 'region_code' ORDER BY 1 LIMIT 2"))]
            county = c.execute(sa.text("SELECT attr_value FROM enterprise_attr WHERE attr = 'region_code' "
                                       "GROUP BY attr_value ORDER BY COUNT(*) DESC LIMIT 1")).scalar()
        pairs = [(periods[-1], None), (periods[-2], cities[0]), (periods[-14], county), (periods[-7], cities[-1])]
        seen = _check_pairs(store, pairs)
        mon = _monitoring_equal(store, pairs[1:3])
    assert any(r["target_index_comparable"] is not None and r["target_status"] for r in seen)
    assert all(m["projection"]["projected"] for m in mon)          # a projection with its backtest


def _cockpit(store, period, region, rule) -> str:
    return json.dumps(model.build(store, period, region, "all", rule, keep=False), sort_keys=True, default=str)


def _chain_page(store, period, chain, rule) -> str:
    return json.dumps(pages.chain_page(store, chain, period, "all", rule, None, "zh"), sort_keys=True, default=str)


def test_requests_read_the_stored_figures_with_the_same_disclosure(store):
    figures.forget(store)
    _fresh(store)
    rule = cell_rule(store, None, 3)                       # an anonymous viewer: the suppression pattern
    live = {pair: _cockpit(store, *pair, rule) for pair in HAND_PAIRS}
    live_kpi = {pair: model.kpi_record(store, pair[0], None, pair[1], "all", rule) for pair in HAND_PAIRS}
    chains = [c["code"] for c in data.chains(store)]
    live_chain = {(p, c): _chain_page(store, p, c, rule) for p in ("2025-06", "2024-06") for c in chains}
    with store.engine.connect() as c:
        assert c.execute(sa.text("SELECT COUNT(*) FROM cockpit_figure")).scalar() == 0    # nothing kept live
    assert any(json.loads(x)["kpi"]["suppressed"] for x in live.values())            # cells are withheld
    kpi_stored.keep(store)
    for pair in HAND_PAIRS:
        _fresh(store)
        assert _cockpit(store, *pair, cell_rule(store, None, 3)) == live[pair]       # same cells suppressed
        assert model.kpi_record(store, pair[0], None, pair[1], "all", cell_rule(store, None, 3)) == live_kpi[pair]
    for (p, c), page in live_chain.items():                                         # the chain pages too
        _fresh(store)
        assert _chain_page(store, p, c, cell_rule(store, None, 3)) == page, (p, c)
    assert any('"suppressed": ["' in page for page in live_chain.values())
    # the request really reads them: a marked stored figure is what it shows
    key = kept._data_key(store)
    name = (kept.chainbrain.__version__, "kpi", "2024-06", "360402", "all")
    rec = figures.load(store, name, key)
    assert rec is not None and rec["above_scale_count"] == 1
    figures.save(store, name, key, {**rec, "above_scale_count": 99})
    _fresh(store)
    assert model.kpi_record(store, "2024-06", None, "360402", "all", cell_rule(store, None, 3))[
        "above_scale_count"] == 99
    name = (kept.chainbrain.__version__, "kpi_chain", "2025-06", chains[0], "all")       # and the chain page
    rec = figures.load(store, name, key)
    assert rec is not None
    figures.save(store, name, key, {**rec, "above_scale_count": 99})
    _fresh(store)
    assert pages.chain_page(store, chains[0], "2025-06", "all", cell_rule(store, None, 3), None, "zh")[
        "kpi"]["above_scale_count"] == 99


def test_stale_stored_figures_are_never_served(store):
    kpi_stored.keep(store)
    _fresh(store)
    assert kpi_stored.kept_at(store) is not None
    assert kpi_stored.keep(store, force=False)["computed"] is False        # kept at this data: nothing to do
    rule = cell_rule(store, None, 1)                                       # no disclosure: the raw figure
    before = model.kpi_record(store, "2025-06", None, "360402", "all", rule)
    with store.engine.begin() as c:                   # a correction: E3's 2025-06 report is withdrawn
        c.execute(sa.text("DELETE FROM monthly_report WHERE enterprise_id = 3 AND year = 2025 AND month = 6"))
    _fresh(store)
    assert kpi_stored.kept_at(store) is None
    after = model.kpi_record(store, "2025-06", None, "360402", "all", cell_rule(store, None, 1))
    assert after["above_scale_count"] == before["above_scale_count"] - 1
    assert after["revenue_ytd_yuan"] != before["revenue_ytd_yuan"]
    assert after == {**kpi(store, "2025-06", region="360402"), "suppressed": []}
    assert kpi_stored.keep(store, force=False)["computed"] is True         # the warm-up keeps new ones
    _fresh(store)
    stored = figures.load(store, (kept.chainbrain.__version__, "kpi", "2025-06", "360402", "all"),
                          kept._data_key(store))
    assert stored["above_scale_count"] == after["above_scale_count"]
