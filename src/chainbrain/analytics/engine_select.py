"""Where a command's analytics read: the store itself, or a Parquet lake on DuckDB or Spark (#21).

``--engine`` (default: the store's own) and ``--lake``: ``duckdb``/``postgres`` without a lake
read the store (the engine must be the store's); ``duckdb`` with a lake reads the Parquet
files in an in-memory DuckDB; ``spark`` reads the lake (``--lake``, else the configuration's
``[spark] lake``) in a Spark session on ``--spark-master`` (else ``[spark] master``,
default ``local[*]``) configured by :func:`spark_conf`; on a cluster an
:class:`~chainbrain.analytics.spark_watch.ExecutorWatch` fails the jobs of an application left
without executors (``[spark] executor_timeout``). Results are always written to the store.
"""

from __future__ import annotations

import contextlib

from chainbrain.analytics.engines import duckdb_lake, spark_lake, spark_session
from chainbrain.analytics.spark_watch import ExecutorWatch, watched
from chainbrain.store.lake import read_manifest

ENGINES = ("duckdb", "postgres", "spark")


class EngineError(ValueError):
    """An engine choice that cannot run (message in English and Chinese)."""


def spark_conf(settings) -> dict:
    """Spark properties from the settings' ``[spark]`` section (docs/spark.md)."""
    parts = str(settings.spark_shuffle_partitions)
    conf = {"spark.driver.memory": settings.spark_driver_memory,
            "spark.executor.memory": settings.spark_executor_memory,
            "spark.executor.cores": str(settings.spark_executor_cores),
            "spark.sql.shuffle.partitions": parts, "spark.default.parallelism": parts}
    if settings.spark_cores_max:
        conf["spark.cores.max"] = str(settings.spark_cores_max)
    return conf


@contextlib.contextmanager
def analytics_source(store, engine: str | None = None, lake: str | None = None, master: str | None = None,
                     settings=None):
    """The store the analytics read (module docstring); a Spark session is stopped on exit."""
    from chainbrain.config import load_settings

    engine = engine or store.kind
    if engine not in ENGINES:
        raise EngineError(f"--engine must be one of {', '.join(ENGINES)} (引擎应为 {'、'.join(ENGINES)} 之一)")
    if engine == "spark":
        settings = settings or load_settings()
        lake = lake or settings.spark_lake
        if not lake:
            raise EngineError("--engine spark needs --lake PATH or [spark] lake in the configuration "
                              "(Spark 引擎需要 --lake 数据湖路径)")
        read_manifest(lake)                        # a bad lake fails before Spark starts
        master = master or settings.spark_master
        session = spark_session(app="chainbrain", master=master, conf=spark_conf(settings))
        watch = ExecutorWatch(session, settings.spark_executor_timeout) if watched(master) else None
        try:
            if watch:
                watch.start()
            view = spark_lake(lake, session)
            view.watch = watch
            yield view
        finally:
            if watch:
                watch.stop()
            session.stop()
    elif lake:
        if engine != "duckdb":
            raise EngineError(f"--engine {engine} cannot read a lake; use duckdb or spark "
                              f"({engine} 不能读取数据湖，请用 duckdb 或 spark)")
        view = duckdb_lake(lake)
        try:
            yield view
        finally:
            view.con.disconnect()
    elif engine != store.kind:
        raise EngineError(f"the store is {store.kind}; --engine {engine} needs --lake PATH "
                          f"(数据库为 {store.kind}，--engine {engine} 需要 --lake 数据湖路径)")
    else:
        yield store
