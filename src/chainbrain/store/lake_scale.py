"""A larger synthetic lake written directly from a lake: ``factor`` copies of every enterprise (#21).

For benchmarks at national scale and beyond without going through the embedded store: copy
``k`` (0 … factor−1) of enterprise ``i`` gets id ``i + k × (max id)``; every table keyed by an
enterprise (reports, attributes, segments, designations, scale, power use, cluster members)
is repeated with the ids shifted, and supply links join copy ``k``'s supplier and buyer — so
monthly rows and supply links grow ``factor``-fold and every sum over a region or chain is
``factor`` × the source's while rates stay the same (the check of ``tests/test_lake.py``).
Copies after the first get ``name`` + `` #k`` and ``uscc`` + ``-k`` (not valid USCCs: synthetic).
Dimension tables are copied as they are. DuckDB streams the copy (1 GB memory limit), so the
output may be far larger than memory. The manifest's ``data_version`` is derived from the
source's and the factor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from chainbrain.store.lake import MANIFEST, LakeError, read_manifest, table_dir

#: table → columns holding enterprise ids
ENTERPRISE_KEYS = {
    "enterprise": ("id",), "enterprise_attr": ("enterprise_id",), "enterprise_scale": ("enterprise_id",),
    "enterprise_segment": ("enterprise_id",), "designation": ("enterprise_id",),
    "monthly_report": ("enterprise_id",), "annual_report": ("enterprise_id",), "power_use": ("enterprise_id",),
    "cluster_member": ("enterprise_id",), "supply_link": ("supplier_id", "buyer_id"),
}


def _arrow_schema(info: dict) -> pa.Schema:
    return pa.schema([pa.field(c["name"], pa.type_for_alias(c["type"]) if not c["type"].startswith("decimal")
                               else pa.decimal128(*map(int, c["type"][c["type"].index("(") + 1:-1].split(","))),
                               c["nullable"]) for c in info["columns"]])


def scale(src: str | Path, out: str | Path, factor: int, progress=lambda *a: None) -> dict:
    """Write the lake ``out``: ``factor`` copies of the lake ``src``'s enterprises (module docstring)."""
    if factor < 1:
        raise LakeError(f"--factor must be at least 1, not {factor} (倍数至少为 1)")
    src, out = Path(src), Path(out)
    manifest = read_manifest(src)
    if out.exists() and not (out / MANIFEST).is_file() and any(out.iterdir()):
        raise LakeError(f"{out}: exists and is not a lake (no {MANIFEST}) ({out}：已存在且不是数据湖)")
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    from chainbrain.analytics.engines import duckdb_lake

    con = duckdb_lake(src).con.con
    con.execute("SET memory_limit = '1GB'; SET preserve_insertion_order = false")
    step = con.execute("SELECT COALESCE(MAX(id), 0) FROM enterprise").fetchone()[0]
    tables = {}
    try:
        for i, (name, info) in enumerate(manifest["tables"].items()):
            progress(i, len(manifest["tables"]), name)
            keys = ENTERPRISE_KEYS.get(name, ())
            names = [c["name"] for c in info["columns"]]
            if keys:
                cols = []
                for c in names:
                    if c in keys:
                        cols.append(f'"{c}" + k.range * {int(step)} AS "{c}"')
                    elif name == "enterprise" and c in ("name", "uscc"):
                        sep = " #" if c == "name" else "-"
                        cols.append(f"""CASE WHEN k.range = 0 THEN "{c}" ELSE "{c}" || '{sep}' || k.range END AS "{c}" """)
                    else:
                        cols.append(f'"{c}"')
                sql = f'SELECT {", ".join(cols)} FROM "{name}", range({int(factor)}) k'
            else:
                sql = f'SELECT * FROM "{name}"'
            target = table_dir(partial, name)
            target.mkdir()
            parts = info["partition_by"]
            if parts:
                rows = con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet, PARTITION_BY ({', '.join(parts)}), "
                                   f"OVERWRITE_OR_IGNORE true)").fetchone()[0]
            else:
                rows = con.execute(f"COPY ({sql}) TO '{target / 'part-0.parquet'}' (FORMAT parquet)").fetchone()[0]
            if not any(target.rglob("*.parquet")):      # nothing written: one empty file keeps the schema
                pq.write_table(_arrow_schema(info).empty_table(), target / "part-0.parquet")
            tables[name] = info | {"rows": int(rows)}
        version = hashlib.sha256(f"{manifest['data_version']}×{factor}".encode()).hexdigest()
        (partial / MANIFEST).write_text(json.dumps(
            manifest | {"data_version": version, "source": f"scaled ×{factor} from {manifest['data_version']}",
                        "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                        "tables": tables}, ensure_ascii=False, indent=1), encoding="utf-8")
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        con.close()
    shutil.rmtree(out, ignore_errors=True)
    partial.rename(out)
    return read_manifest(out)


__all__ = ["ENTERPRISE_KEYS", "scale"]
