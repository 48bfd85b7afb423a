"""Shared fixtures: a store on each engine (DuckDB file, throwaway PostgreSQL).

``store_any`` is parametrized over both engines, so every test that uses it
runs in full on DuckDB and on a real PostgreSQL server.
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pgserver import PGServer  # noqa: E402

from chainbrain.store import open_store  # noqa: E402
from chainbrain.store.admin import init_store  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
_counter = itertools.count()


@pytest.fixture(scope="session", autouse=True)
def _work_files(tmp_path_factory):
    """Attachments of work items written by tests go to a temporary folder, not ``data/files``."""
    if "CHAINBRAIN_FILES_DIR" not in os.environ:
        os.environ["CHAINBRAIN_FILES_DIR"] = str(tmp_path_factory.mktemp("work-files"))
    yield


@pytest.fixture(autouse=True)
def _chainbrain_environment():
    """Each test starts with the same CHAINBRAIN_* environment: a command run in process (``serve``
    writes its options there for its worker processes) must not reach later tests' subprocesses
    (seen: CHAINBRAIN_WORKERS=2 left by a serve test made a later real server refuse a DuckDB file)."""
    before = {k: v for k, v in os.environ.items() if k.startswith("CHAINBRAIN_")}
    yield
    for k in [k for k in os.environ if k.startswith("CHAINBRAIN_") and k not in before]:
        del os.environ[k]
    os.environ.update(before)


@pytest.fixture(scope="session")
def pg_server():
    srv = PGServer().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def spark_standalone(tmp_path_factory):
    """A Spark standalone master and one worker (1 core, 1 GB for executors) on 127.0.0.1, free ports
    (tests/spark_standalone.py); the JVMs' process groups are killed at the end."""
    from spark_standalone import Standalone

    cluster = Standalone(tmp_path_factory.mktemp("spark-standalone"), cores=1, memory="1g")
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def new_db(engine: str, tmp_path: Path, request) -> str:
    if engine == "duckdb":
        return str(tmp_path / f"cb{next(_counter)}.duckdb")
    srv = request.getfixturevalue("pg_server")
    return srv.create_database(f"cb_{os.getpid()}_{next(_counter)}")


@pytest.fixture(params=["duckdb", "postgres"])
def engine_name(request) -> str:
    return request.param


@pytest.fixture
def db_any(engine_name, tmp_path, request) -> str:
    """An empty database location on each engine (not yet initialised)."""
    return new_db(engine_name, tmp_path, request)


@pytest.fixture
def store_any(db_any):
    """An initialised store (migrations + pack) on each engine."""
    store = open_store(db_any)
    init_store(store)
    yield store
    store.close()


@pytest.fixture
def duck_store(tmp_path):
    store = open_store(str(tmp_path / "cb.duckdb"))
    init_store(store)
    yield store
    store.close()


@pytest.fixture(scope="session")
def province(tmp_path_factory):
    """The province-scale demo (built once per session, ≈ 45 s; read only)."""
    import time

    from chainbrain.demo import build_demo

    db = str(tmp_path_factory.mktemp("demo-province") / "province.duckdb")
    t0 = time.perf_counter()
    with open_store(db) as store:
        result = build_demo(store, scale="province", seed=2023)
    print(f"province demo built in {time.perf_counter() - t0:.1f} s: {result.rows}")
    store = open_store(db)
    yield store
    store.close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (tests/browser.py)."""
    from browser import chromium

    with chromium() as b:
        yield b
