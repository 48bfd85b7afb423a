"""The Parquet lake (``chainbrain lake export``) and ``--engine duckdb --lake`` (issue #21).

Dataset: ``test_monitor_data.load`` (monthly, annual reports, designations). Spark over the lake
on a multi-process cluster: ``test_spark_cluster.py``.
"""

from __future__ import annotations

import hashlib
import os
import json

import pyarrow.dataset as ds
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from chainbrain.analytics.aggregates import refresh
from chainbrain.analytics.engines import ANALYTICS_TABLES, duckdb_lake
from chainbrain.cli import app
from chainbrain.store.lake import MANIFEST, LakeError, export, read_manifest
from chainbrain.store.lake_scale import ENTERPRISE_KEYS
from chainbrain.store.patterns import data_key
from test_monitor_data import load


def checksum(table) -> tuple[int, str]:
    """Rows and SHA-256 of the rows sorted (an Arrow table; order of rows and columns ignored)."""
    names = sorted(table.column_names)
    rows = sorted(repr(tuple(r[c] for c in names)) for r in table.select(names).to_pylist())
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()


@pytest.fixture
def lake(store_any, tmp_path):
    load(store_any, tmp_path)
    return store_any, export(store_any, tmp_path / "lake"), tmp_path / "lake"


def test_export_round_trips(lake):
    """Every table read back (DuckDB over the files, and pyarrow) has the store's rows, byte for byte."""
    store, manifest, path = lake
    assert manifest["data_version"] == data_key(store) and manifest["source"] == store.kind
    assert set(manifest["tables"]) == set(ANALYTICS_TABLES)
    assert manifest["tables"]["monthly_report"]["partition_by"] == ["year", "month"]
    assert (path / "monthly_report" / "year=2025" / "month=6").is_dir()
    assert manifest["tables"]["annual_report"]["partition_by"] == ["year"]
    assert json.loads((path / MANIFEST).read_text()) == manifest == read_manifest(path)
    view = duckdb_lake(path)
    assert view.data_version == manifest["data_version"]
    nonempty = 0
    for name in ANALYTICS_TABLES:
        expected = checksum(store.table(name).to_pyarrow())
        assert manifest["tables"][name]["rows"] == expected[0], name
        got = view.table(name).to_pyarrow()
        assert got.column_names == [c["name"] for c in manifest["tables"][name]["columns"]], name
        assert checksum(got) == expected, name
        arrow = ds.dataset(path / name, format="parquet", partitioning="hive").to_table()
        assert arrow.num_rows == expected[0], name
        nonempty += expected[0] > 0
    assert nonempty >= 8                     # the comparison covered real rows, not only empty tables


def test_export_refuses_and_replaces(duck_store, tmp_path):
    store, path = duck_store, tmp_path / "lake"
    load(store, tmp_path)
    export(store, path)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    with pytest.raises(LakeError, match="not a lake"):
        export(store, tmp_path / "other")
    assert (tmp_path / "other" / "notes.txt").exists()
    (path / "monthly_report" / "stale.parquet").write_text("x")       # replaced whole, nothing stale kept
    export(store, path)
    assert not (path / "monthly_report" / "stale.parquet").exists() and not (tmp_path / "lake.partial").exists()
    (path / MANIFEST).write_text(json.dumps({"format": "chainbrain-lake", "version": 1, "tables": {}}))
    with pytest.raises(LakeError, match="tables missing: region"):
        read_manifest(path)


def test_compute_on_the_lake_equals_the_store(duck_store, tmp_path):
    """compute --engine duckdb --lake writes the same indicator values, tagged with the lake's version."""
    load(duck_store, tmp_path)
    export(duck_store, tmp_path / "lake")
    first = refresh(duck_store, ["2025-06"], modernization_index=False, operations="off", alerts=False)
    cols = "period, basis, scope, grouping, key, indicator, value, n"
    with duck_store.engine.connect() as c:
        before = c.execute(sa.text(f"SELECT {cols} FROM indicator_value ORDER BY ALL")).all()
    r = CliRunner().invoke(app, ["compute", "--db", duck_store.db, "--period", "2025-06", "--no-index",
                                 "--no-disclosure", "--no-alerts", "--operations", "off",
                                 "--engine", "duckdb", "--lake", str(tmp_path / "lake")])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["indicator_values"] == first["indicator_values"] > 0 and out["engine"] == "duckdb"
    with duck_store.engine.connect() as c:
        assert c.execute(sa.text(f"SELECT {cols} FROM indicator_value ORDER BY ALL")).all() == before
        runs = c.execute(sa.text("SELECT engine, data_version FROM compute_run ORDER BY id")).all()
    assert runs == [("duckdb", data_key(duck_store))] * 2


def test_cli_lake_and_engine_errors(duck_store, tmp_path):
    """Bad choices: one bilingual line, exit 2, nothing started."""
    load(duck_store, tmp_path)
    run = CliRunner().invoke
    r = run(app, ["lake", "export", "--db", duck_store.db, "--out", str(tmp_path / "lake")])
    assert r.exit_code == 0 and json.loads(r.output)["tables"] == len(ANALYTICS_TABLES)
    r = run(app, ["lake", "export", "--db", duck_store.db, "--out", str(tmp_path)])
    assert r.exit_code == 2 and "not a lake" in r.output and "不是数据湖" in r.output
    cases = [(["--engine", "spark"], "needs --lake"), (["--engine", "postgres"], "the store is duckdb"),
             (["--engine", "postgres", "--lake", str(tmp_path / "lake")], "cannot read a lake"),
             (["--engine", "spark", "--lake", str(tmp_path)], "no _lake.json"),
             (["--engine", "oracle"], "--engine must be one of")]
    for extra, message in cases:
        for cmd in (["kpi", "-p", "2025-06"], ["compute", "--no-disclosure"], ["supply", "spof", "--year", "2024"],
                    ["advantage", "complexity", "-o", str(tmp_path / "c.csv")]):
            r = run(app, [*cmd, "--db", duck_store.db, *extra])
            assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output, (cmd, extra, r.output)
    with duck_store.engine.connect() as c:
        assert c.execute(sa.text("SELECT COUNT(*) FROM compute_run")).scalar() == 0
    r = run(app, ["advantage", "complexity", "--level", "province", "-o", str(tmp_path / "c.csv"), "--db", duck_store.db])
    assert r.exit_code == 2 and "--level must be one of" in r.output and "应为" in r.output
    r = run(app, ["advantage", "complexity", "--engine", "duckdb", "--lake", str(tmp_path / "lake"), "--year", "2024",
                  "--level", "prefecture", "-o", str(tmp_path / "c.csv"), "--db", duck_store.db])
    assert r.exit_code == 0, r.output                                         # from the lake on DuckDB
    assert len((tmp_path / "c.csv").read_text().splitlines()) > 1


def test_scaled_lake_multiplies_sums_and_keeps_rates(duck_store, tmp_path):
    """lake scale ×3: three copies of every firm — rows, counts and sums × 3 (rates therefore unchanged)."""
    load(duck_store, tmp_path)
    src = export(duck_store, tmp_path / "lake")
    r = CliRunner().invoke(app, ["lake", "scale", "--lake", str(tmp_path / "lake"), "--out", str(tmp_path / "x3"),
                                 "--factor", "3"])
    assert r.exit_code == 0, r.output
    big = read_manifest(tmp_path / "x3")
    for name, info in src["tables"].items():
        assert big["tables"][name]["rows"] == info["rows"] * (3 if name in ENTERPRISE_KEYS else 1), name
    assert src["tables"]["monthly_report"]["rows"] > 0 and big["data_version"] != src["data_version"]
    def sums(path):
        t = duckdb_lake(path).table("monthly_report")
        return t.aggregate(n=t.enterprise_id.nunique(), rev=t.revenue_ytd.sum(),
                           prev=t.revenue_ytd_prev.sum()).to_pyarrow().to_pylist()[0]
    one, three = sums(tmp_path / "lake"), sums(tmp_path / "x3")
    assert three["n"] == 3 * one["n"] > 0 and three["rev"] == 3 * one["rev"] and three["prev"] == 3 * one["prev"]
    r = CliRunner().invoke(app, ["lake", "scale", "--lake", str(tmp_path / "lake"), "--out", str(tmp_path / "x0"),
                                 "--factor", "0"])
    assert r.exit_code == 2 and "at least 1" in r.output and not (tmp_path / "x0").exists()


def test_migration_0028_up_and_down(db_any):
    """compute_run.engine and data_version come and go with the migration (DuckDB and PostgreSQL)."""
    from alembic import command

    from chainbrain.store import open_store
    from chainbrain.store.migrate import alembic_config, upgrade

    store = open_store(db_any)
    names = lambda: {c["name"] for c in sa.inspect(store.engine).get_columns("compute_run")}  # noqa: E731
    try:
        upgrade(store, "0028_compute_engine")
        assert {"engine", "data_version"} <= names()
        command.downgrade(alembic_config(store), "0020_report_schedule")
        assert not {"engine", "data_version"} & names() and "status" in names()
        upgrade(store, "0028_compute_engine")
        assert {"engine", "data_version"} <= names()
    finally:
        store.close()


def test_spark_settings_from_file_and_environment(tmp_path, monkeypatch):
    """[spark] in the configuration file, CHAINBRAIN_SPARK_* over it, bad sizes refused in one line."""
    from chainbrain.analytics.engine_select import spark_conf
    from chainbrain.config import ConfigError, load_settings

    for var in [v for v in os.environ if v.startswith("CHAINBRAIN_SPARK_")]:
        monkeypatch.delenv(var)
    f = tmp_path / "cb.toml"
    f.write_text('[spark]\nmaster = "spark://m:7077"\nexecutor_memory = "4g"\ncores_max = 0\nshuffle_partitions = 64\n')
    s = load_settings(str(f))
    assert (s.spark_master, s.spark_executor_memory, s.spark_driver_memory) == ("spark://m:7077", "4g", "1g")
    conf = spark_conf(s)
    assert conf["spark.executor.memory"] == "4g" and conf["spark.sql.shuffle.partitions"] == "64"
    assert "spark.cores.max" not in conf                                     # 0: all the cluster's cores
    monkeypatch.setenv("CHAINBRAIN_SPARK_EXECUTOR_MEMORY", "512m")
    assert spark_conf(load_settings(str(f)))["spark.executor.memory"] == "512m"
    monkeypatch.setenv("CHAINBRAIN_SPARK_EXECUTOR_MEMORY", "lots")
    with pytest.raises(ConfigError, match="CHAINBRAIN_SPARK_EXECUTOR_MEMORY.*spark_executor_memory"):
        load_settings(str(f))
    monkeypatch.delenv("CHAINBRAIN_SPARK_EXECUTOR_MEMORY")
    f.write_text("[spark]\nshuffle_partitions = 0\n")
    with pytest.raises(ConfigError, match="shuffle_partitions"):
        load_settings(str(f))
    f.write_text("[spark]\nexecutor_timeout = 1\n")                          # the boundary: 1 s is the least
    assert load_settings(str(f)).spark_executor_timeout == 1
    f.write_text("[spark]\n")
    assert load_settings(str(f)).spark_executor_timeout == 120
    f.write_text("[spark]\nexecutor_timeout = 0\n")
    with pytest.raises(ConfigError, match="spark_executor_timeout"):
        load_settings(str(f))


def test_executor_watch_rules():
    """Local masters are not watched (tasks run in the driver); cluster masters are."""
    from chainbrain.analytics.spark_watch import watched

    assert not watched("local[*]") and not watched("local[2]") and not watched("local")
    assert watched("spark://127.0.0.1:7077") and watched("yarn") and watched("k8s://https://api:6443")
    assert watched("local-cluster[1,1,1024]")
