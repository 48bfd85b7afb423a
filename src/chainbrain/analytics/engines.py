"""Run the analytics on another Ibis engine: a PySpark adapter over a store's tables.

The analytics only ever call ``store.table(name)`` (and ``store.kind``), so any
object that hands out Ibis tables of the same names and columns runs the same
expressions. :func:`to_pyspark` copies the tables the analytics read from a
store into a local Spark session (Arrow → Spark DataFrame → temporary view)
and returns such an object; a deployment that outgrows one machine points
:class:`IbisStore` at its own Spark catalog instead.

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


def spark_session(warehouse: str | None = None, app: str = "chainbrain"):
    """A local Spark session (1 core, 2 shuffle partitions, no UI, UTC, own warehouse dir)."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    warehouse = warehouse or tempfile.mkdtemp(prefix="cb-spark-")
    session = (SparkSession.builder.master("local[1]").appName(app)
            .config("spark.sql.warehouse.dir", warehouse)
            .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "1")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.driver.memory", "1g")
            .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


def to_pyspark(store, session=None, tables: tuple[str, ...] = ANALYTICS_TABLES) -> IbisStore:
    """Copy ``tables`` of ``store`` into Spark temporary views; an :class:`IbisStore` over them."""
    from pyspark.sql.pandas.types import from_arrow_schema

    session = session or spark_session()
    for name in tables:
        arrow = store.table(name).to_pyarrow()
        df = session.createDataFrame(arrow.to_pandas(), schema=from_arrow_schema(arrow.schema))
        df.createOrReplaceTempView(name)
    return IbisStore(ibis.pyspark.connect(session), "pyspark", getattr(store, "db", None))
