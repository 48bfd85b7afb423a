"""Input–output tables in the store (``chainbrain import io-table``; schema ``store/schema_supply.py``).

:func:`store_io_table` writes a table read by :func:`chainbrain.ingest.io_table.read_io_table`
under a name, all-or-nothing in one transaction: values are converted to yuan
with the stated unit (元/千元/万元/亿元 — required, as for every money file),
the nonzero cells of Z, Y and x are kept, and a table of the same name is
replaced (the import batch log keeps the history of imports).
:func:`load_io_table` reads it back as an :class:`~chainbrain.ingest.io_table.IOTable` (in yuan).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from chainbrain.ingest.batch import fetch_df, log_batch, new_batch_id
from chainbrain.ingest.io_table import IOTable, TableError
from chainbrain.ingest.units import FACTORS, normalize_unit
from chainbrain.store import schema as S


def _cells(part: str, M: np.ndarray, factor: int) -> pa.Table:
    r, c = np.nonzero(M)
    v = np.round(M[r, c] * factor, 2)
    return pa.table({"part": pa.array([part] * len(r), pa.string()), "row_idx": pa.array(r, pa.int32()),
                     "col_idx": pa.array(c, pa.int32()),
                     "value": pa.array([f"{x:.2f}" for x in v], pa.string()).cast(pa.decimal128(20, 2))})


def store_io_table(store, t: IOTable, name: str, unit: str | None, *, year: int | None = None,
                   title: str | None = None, source: str | None = None, synthetic: bool = False,
                   batch: int | None = None) -> dict:
    """Write ``t`` as table ``name`` (module docstring); returns a summary.  ``batch``: an import batch
    that already exists (the demo's) instead of a new logged one."""
    canon = normalize_unit(unit) if unit else None
    if canon is None:
        raise TableError(f"{source or name}: a money table must state its unit (--unit 元/千元/万元/亿元), "
                         f"not {unit!r} (投入产出表须注明计量单位)")
    if not name or len(name) > 64:
        raise TableError(f"--name must be 1–64 characters, not {name!r} (表名应为 1–64 个字符)")
    factor = FACTORS[canon]
    parts = [("Z", t.Z), ("Y", t.Y if t.Y is not None else t.f[:, None])]
    if t.x is not None:
        parts.append(("x", t.x[:, None]))
    if any(np.abs(M).max(initial=0) * factor >= 1e18 for _, M in parts):
        raise TableError(f"{source or name}: a value is too large for the store (数值过大)")
    ycols = t.y_columns or [("", "final_demand")]
    n = len(t.sectors)
    with store.begin() as conn:
        for tbl in ("io_cell", "io_label", "io_table"):
            key = "name" if tbl == "io_table" else "table_name"
            conn.execute(sa.text(f"DELETE FROM {tbl} WHERE {key} = :n"), {"n": name})
        logged = batch is None
        if logged:
            batch = new_batch_id(store, conn)
        conn.execute(S.metadata.tables["io_table"].insert().values(
            name=name, title=title, year=year, unit=canon, source=source, synthetic=synthetic, sectors=n,
            has_x=t.x is not None, imported_at=dt.datetime.now().replace(microsecond=0), batch_id=batch))
        labels = [("row", i, r, s) for i, (r, s) in enumerate(zip(t.regions, t.sectors))] + \
                 [("y", j, r, c) for j, (r, c) in enumerate(ycols)]
        store.bulk_insert(conn, "io_label", pa.table({
            "table_name": [name] * len(labels), "axis": [x[0] for x in labels], "idx": [x[1] for x in labels],
            "region": [x[2] for x in labels], "label": [x[3] for x in labels]}))
        cells = 0
        for part, M in parts:
            c = _cells(part, M, factor)
            c = c.add_column(0, "table_name", pa.array([name] * c.num_rows, pa.string()))
            store.bulk_insert(conn, "io_cell", c)
            cells += c.num_rows
        if logged:
            log_batch(store, conn, batch, "io-table", source or name, cells, "loaded",
                      f"{name}: {n} sectors, {cells} nonzero cells, unit {canon}" + (", synthetic" if synthetic else ""))
    return {"name": name, "sectors": n, "final_demand_columns": len(ycols), "cells": cells, "unit": canon,
            "batch_id": batch, "synthetic": synthetic}


def load_io_table(store, name: str) -> IOTable:
    """The stored table ``name`` in yuan (``TableError`` when there is none)."""
    with store.engine.connect() as conn:
        meta = fetch_df(store, conn, "SELECT sectors, has_x FROM io_table WHERE name = :n", n=name)
        if meta.empty:
            raise TableError(f"no input–output table named {name!r} in the store (库中没有名为 {name} 的投入产出表)")
        lab = fetch_df(store, conn, "SELECT axis, idx, region, label FROM io_label WHERE table_name = :n "
                                    "ORDER BY axis, idx", n=name)
        cells = fetch_df(store, conn, "SELECT part, row_idx, col_idx, CAST(value AS DOUBLE PRECISION) AS value "
                                      "FROM io_cell WHERE table_name = :n", n=name)
    n = int(meta["sectors"].iloc[0])
    rows = lab[lab.axis == "row"].sort_values("idx")
    ycols = lab[lab.axis == "y"].sort_values("idx")
    Z, Y, x = np.zeros((n, n)), np.zeros((n, len(ycols))), np.zeros(n)
    for part, M in (("Z", Z), ("Y", Y)):
        c = cells[cells.part == part]
        M[c.row_idx.to_numpy(int), c.col_idx.to_numpy(int)] = c.value.to_numpy(float)
    c = cells[cells.part == "x"]
    x[c.row_idx.to_numpy(int)] = c.value.to_numpy(float)
    return IOTable(regions=rows.region.tolist(), sectors=rows.label.tolist(), Z=Z, f=Y.sum(axis=1),
                   x=x if bool(meta["has_x"].iloc[0]) else None, Y=Y,
                   y_columns=list(zip(ycols.region, ycols.label)))
