"""Run the analytics on another Ibis engine: Spark or DuckDB over a Parquet lake, or a test copy.

The analytics only ever call ``store.table(name)`` (and ``store.kind``), so any
object that hands out Ibis tables of the same names and columns runs the same
expressions (:class:`IbisStore`). :func:`spark_lake` and :func:`duckdb_lake` make one over a
lake (:mod:`chainbrain.store.lake`, docs/spark.md): a temporary view per table, the schema
from the lake's manifest. :func:`to_pyspark` copies a store's tables into a local Spark
session (Arrow → Spark DataFrame → temporary view) for the engine-parity tests.

PySpark is an optional extra (``pip install 'pyspark<4.1'``: Ibis 12 caps it)
and needs a Java runtime (Debian: ``default-jre-headless``). Local mode binds
to ``SPARK_LOCAL_IP`` (set to 127.0.0.1 when unset), uses no UI, a warehouse
directory of its own, and the UTC session time zone so dates do not move.
"""

from __future__ import annotations

import os
import tempfile

import ibis

ANALYTICS_TABLES = (
    "region", "industry", "chain", "segment", "segment_chain", "cluster", "cluster_segment", "cluster_city",
    "park", "target", "enterprise", "enterprise_attr", "enterprise_scale", "enterprise_segment", "designation",
    "monthly_report", "annual_report", "supply_link",
    "sei_share", "price_index",
    "power_use",
    "io_table", "io_label", "io_cell",         # input–output tables (estimated supply links)
    "cluster_info", "cluster_place", "cluster_member",    # cluster membership (#17)
)


class IbisStore:
    """Tables of a store on another Ibis backend (read-only analytics view)."""

    def __init__(self, con, kind: str, db: str | None = None):
        self.con = con
        self.kind = kind
        self.db = db
        self.data_version: str | None = None     # the lake's, when read from one

    def ibis(self):
        return self.con

    def table(self, name: str):
        return self.con.table(name)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


SPARK_DEFAULTS = {                          # the session's settings unless configured (docs/spark.md)
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.eventLog.enabled": "false",       # no history server
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.driver.memory": "1g",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "1",
}


def spark_session(warehouse: str | None = None, app: str = "chainbrain", master: str = "local[1]",
                  conf: dict | None = None):
    """A Spark session on ``master`` (default one local core), no UI or event log, UTC, its own
    warehouse directory; ``conf`` overrides :data:`SPARK_DEFAULTS`. A ``local-cluster[...]`` master
    runs executors as separate JVMs and needs ``SPARK_HOME`` (set to the PySpark package when unset)."""
    import sys

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if master.startswith("local-cluster"):
        import pyspark
        os.environ.setdefault("SPARK_HOME", os.path.dirname(pyspark.__file__))
    from pyspark.sql import SparkSession

    warehouse = warehouse or tempfile.mkdtemp(prefix="cb-spark-")
    builder = (SparkSession.builder.master(master).appName(app)
               .config("spark.sql.warehouse.dir", warehouse)
               .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}"))
    for key, value in (SPARK_DEFAULTS | dict(conf or {})).items():
        builder = builder.config(key, str(value))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


_SPARK_TYPES = {"int8": "tinyint", "int16": "smallint", "int32": "int", "int64": "bigint", "string": "string"}
_DUCK_TYPES = {"int8": "TINYINT", "int16": "SMALLINT", "int32": "INTEGER", "int64": "BIGINT", "string": "VARCHAR"}


def _partition_type(table: str, column: str, info: dict, types: dict) -> str:
    kind = next(c["type"] for c in info["columns"] if c["name"] == column)
    if kind not in types:
        from chainbrain.store.lake import LakeError
        raise LakeError(f"lake table {table}: partition column {column} has type {kind}; use an integer or string "
                        f"(分区列 {column} 类型应为整数或字符串)")
    return types[kind]


_SPARK_SCALARS = {"bool": "boolean", "int8": "tinyint", "int16": "smallint", "int32": "int", "int64": "bigint",
                  "float": "float", "double": "double", "string": "string", "large_string": "string",
                  "date32[day]": "date", "binary": "binary", "large_binary": "binary"}


def _spark_type(arrow: str) -> str | None:
    """Spark SQL type of an Arrow type name from a lake manifest (None: unknown, let Spark infer)."""
    import re

    if arrow in _SPARK_SCALARS:
        return _SPARK_SCALARS[arrow]
    if m := re.fullmatch(r"decimal(?:128)?\((\d+), ?(\d+)\)", arrow):
        return f"decimal({m[1]},{m[2]})"
    if arrow.startswith("timestamp["):
        return "timestamp_ntz" if "tz=" not in arrow else "timestamp"
    return None


def _spark_schema(info: dict) -> str | None:
    """The table's schema as Spark DDL (file columns, then partition columns), or None."""
    cols = [c for c in info["columns"] if c["name"] not in info["partition_by"]] + \
           [c for p in info["partition_by"] for c in info["columns"] if c["name"] == p]
    types = [_spark_type(c["type"]) for c in cols]
    if None in types:
        return None
    return ", ".join(f"`{c['name']}` {t}" for c, t in zip(cols, types))


def spark_lake(path, session) -> IbisStore:
    """An :class:`IbisStore` over the lake at ``path`` (:mod:`chainbrain.store.lake`) in ``session``:
    one temporary view per table, columns in the manifest's order, partition columns cast back."""
    from pyspark.sql import functions as F

    from chainbrain.store.lake import read_manifest, table_dir

    manifest = read_manifest(path)
    for name, info in manifest["tables"].items():
        reader = session.read.option("basePath", str(table_dir(path, name)))
        schema = _spark_schema(info)            # given: Spark need not open files to infer it
        df = (reader.schema(schema) if schema else reader).parquet(str(table_dir(path, name)))
        cols = [F.col(c["name"]).cast(_partition_type(name, c["name"], info, _SPARK_TYPES)).alias(c["name"])
                if c["name"] in info["partition_by"] else F.col(c["name"]) for c in info["columns"]]
        df.select(*cols).createOrReplaceTempView(name)
    store = IbisStore(ibis.pyspark.connect(session), "pyspark")
    store.data_version = manifest["data_version"]
    return store


def duckdb_lake(path, threads: int | None = None) -> IbisStore:
    """An :class:`IbisStore` over the lake at ``path`` in an in-memory DuckDB (views over the Parquet files)."""
    from chainbrain.store.lake import read_manifest, table_dir

    manifest = read_manifest(path)
    con = ibis.duckdb.connect(**({"threads": threads} if threads else {}))
    for name, info in manifest["tables"].items():
        files = str(table_dir(path, name) / "**" / "*.parquet").replace("'", "''")
        cols = ", ".join(f'CAST("{c["name"]}" AS {_partition_type(name, c["name"], info, _DUCK_TYPES)}) AS "{c["name"]}"'
                         if c["name"] in info["partition_by"] else f'"{c["name"]}"' for c in info["columns"])
        con.raw_sql(f'CREATE VIEW "{name}" AS SELECT {cols} FROM read_parquet(\'{files}\', hive_partitioning = true, '
                    f'union_by_name = true)')
    store = IbisStore(con, "duckdb")
    store.data_version = manifest["data_version"]
    return store


def to_pyspark(store, session=None, tables: tuple[str, ...] = ANALYTICS_TABLES) -> IbisStore:
    """Copy ``tables`` of ``store`` into Spark temporary views; an :class:`IbisStore` over them."""
    from pyspark.sql.pandas.types import from_arrow_schema

    session = session or spark_session()
    for name in tables:
        arrow = store.table(name).to_pyarrow()
        df = session.createDataFrame(arrow.to_pandas(), schema=from_arrow_schema(arrow.schema))
        df.createOrReplaceTempView(name)
    return IbisStore(ibis.pyspark.connect(session), "pyspark", getattr(store, "db", None))
