"""A Parquet lake of the tables the analytics read, for engines other than the store (Spark, DuckDB).

Layout (docs/spark.md, "Lake layout"; an ETL may write it directly)::

    PATH/_lake.json                       manifest, written last (a lake without it is incomplete)
    PATH/<table>/part-0.parquet           dimensions and small facts: one or more files
    PATH/monthly_report/year=2025/month=6/part-0.parquet   facts: Hive partitions (PARTITIONS)

The manifest holds ``format`` (``chainbrain-lake``), ``version`` (1), ``data_version`` (the
store's data key, :func:`chainbrain.store.patterns.data_key`, over the counters
:func:`chainbrain.store.changes.data_sql`), ``counters``, ``exported_at`` (UTC),
``source`` (the store's kind) and per table ``partition_by``, ``rows`` and ``columns``
(name, Arrow type, nullable). Partition columns live in the directory names only; readers
cast them back to the manifest's type.

:func:`export` is all-or-nothing: it writes into ``PATH.partial`` and renames at the end; the
store's data version is read before and after, and a store that changed meanwhile fails the export.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import sqlalchemy as sa

from chainbrain.analytics.engines import ANALYTICS_TABLES
from chainbrain.store.changes import data_sql
from chainbrain.store.patterns import data_key

MANIFEST = "_lake.json"
FORMAT, VERSION = "chainbrain-lake", 1

#: fact tables → their Hive partition columns (year, and month for the monthly facts)
PARTITIONS = {
    "monthly_report": ("year", "month"),
    "annual_report": ("year",),
    "supply_link": ("year",),
    "enterprise_scale": ("year",),
    "power_use": ("year",),
}


class LakeError(ValueError):
    """A lake that cannot be written or read (message in English and Chinese)."""


def _counters(store) -> list[str]:
    with store.engine.connect() as conn:
        return [str(x) for x in conn.execute(sa.text(data_sql(store))).one()]


def _write_table(store, name: str, out: Path, batch_rows: int) -> dict:
    expr = store.table(name)
    schema = expr.schema().to_pyarrow()
    parts = [c for c in PARTITIONS.get(name, ()) if c in schema.names]
    reader = expr.to_pyarrow_batches(chunk_size=batch_rows)
    rows = 0

    def counted():
        nonlocal rows
        for batch in reader:
            rows += batch.num_rows
            if batch.num_rows:
                yield batch.cast(schema) if batch.schema != schema else batch

    target = out / name
    target.mkdir(parents=True)
    ds.write_dataset(counted(), target, schema=schema, format="parquet", basename_template="part-{i}.parquet",
                     partitioning=ds.partitioning(pa.schema([schema.field(c) for c in parts]), flavor="hive")
                     if parts else None, existing_data_behavior="overwrite_or_ignore",
                     max_rows_per_file=4_000_000, max_rows_per_group=500_000)
    if rows == 0:                       # no partitions written: one empty file keeps the schema
        pq.write_table(schema.empty_table(), target / "part-0.parquet")
    return {"partition_by": parts, "rows": rows,
            "columns": [{"name": f.name, "type": str(f.type), "nullable": f.nullable} for f in schema]}


def export(store, out: str | Path, tables: tuple[str, ...] = ANALYTICS_TABLES, progress=lambda *a: None,
           batch_rows: int = 500_000) -> dict:
    """Write ``tables`` of ``store`` as a lake at ``out`` (module docstring); the manifest."""
    out = Path(out)
    if out.exists() and not (out / MANIFEST).is_file() and any(out.iterdir()):
        raise LakeError(f"{out}: exists and is not a lake (no {MANIFEST}); choose an empty or new directory "
                        f"({out}：已存在且不是数据湖，请选择空目录或新目录)")
    partial = out.with_name(out.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    before = _counters(store)
    key = data_key(store)
    manifest = {"format": FORMAT, "version": VERSION, "data_version": key, "counters": before,
                "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "source": store.kind, "tables": {}}
    try:
        for i, name in enumerate(tables):
            progress(i, len(tables), name)
            manifest["tables"][name] = _write_table(store, name, partial, batch_rows)
        if _counters(store) != before:
            raise LakeError("the store changed during the export; run it again (导出期间数据库有变更，请重新导出)")
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if out.exists():
        shutil.rmtree(out)
    partial.rename(out)
    progress(len(tables), len(tables), "done")
    return manifest


def read_manifest(path: str | Path) -> dict:
    """The manifest of the lake at ``path``; :class:`LakeError` when missing or not a lake."""
    f = Path(path) / MANIFEST
    try:
        manifest = json.loads(f.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LakeError(f"{path}: no {MANIFEST}; not a lake or an unfinished export "
                        f"({path}：缺少 {MANIFEST}，不是数据湖或导出未完成)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LakeError(f"{f}: not valid JSON — {exc} ({MANIFEST} 不是有效的 JSON)") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise LakeError(f"{f}: format must be {FORMAT} version {VERSION} (数据湖格式应为 {FORMAT} 第 {VERSION} 版)")
    missing = [t for t in ANALYTICS_TABLES if t not in manifest.get("tables", {})]
    if missing:
        raise LakeError(f"{f}: tables missing: {', '.join(missing)} (数据湖缺少表：{'、'.join(missing)})")
    return manifest


def table_dir(path: str | Path, name: str) -> Path:
    return Path(path) / name


__all__ = ["LakeError", "MANIFEST", "PARTITIONS", "export", "read_manifest", "table_dir"]
