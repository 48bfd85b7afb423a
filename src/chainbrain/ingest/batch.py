"""An import's result and the store helpers every import step uses (batch log, USCC → id, money in cents)."""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from chainbrain.ingest.errors import Issues
from chainbrain.store import schema as S
from chainbrain.store.engine import fetch_arrow as _fetch_arrow


@dataclass
class Result:
    kind: str
    file: str
    status: str                      # loaded|partial|rejected
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    batch_id: int | None = None
    issues: Issues | None = None
    error_file: str | None = None
    extra: dict = field(default_factory=dict)
    progress: object = field(default=None, repr=False, compare=False)   # see import_file

    def tick(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    @property
    def ok(self) -> bool:
        return self.status != "rejected"

    def summary_en(self) -> str:
        return f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged" + (
            f", {self.skipped} skipped" if self.skipped else "")

    def summary_zh(self) -> str:
        return f"新增 {self.new}，更新 {self.updated}，未变 {self.unchanged}" + (f"，跳过 {self.skipped}" if self.skipped else "")


# ---------------------------------------------------------------- store helpers
def fetch_df(store, conn, sql, **params) -> pd.DataFrame:
    """The rows of ``sql`` (text, or a :func:`sqlalchemy.text` clause with bound parameters) as a frame."""
    res = conn.execute(sa.text(sql) if isinstance(sql, str) else sql, params)
    # plain tuples: pandas probes each SQLAlchemy Row for attributes (seen: 20 s for 1.9 M rows)
    return pd.DataFrame([tuple(r) for r in res.fetchall()], columns=list(res.keys()))


#: a file naming at most this many enterprises reads their stored history by id (a small import
#: reads a few rows, not the whole table); larger files scan the table once
IN_LIST_MAX = 5000


def only_ids(ids: np.ndarray, column: str = "enterprise_id") -> str:
    """``AND column IN (...)`` for at most :data:`IN_LIST_MAX` enterprise ids (integers), else ``""``."""
    ids = np.unique(np.asarray(ids, dtype=np.int64))
    ids = ids[ids >= 0]
    if len(ids) > IN_LIST_MAX:
        return ""
    return f" AND {column} IN ({','.join(map(str, ids.tolist())) or 'NULL'})"


def fetch_arrow(store, conn, sql: str) -> pa.Table:
    return _fetch_arrow(conn, sql)


def uscc_ids(store, conn, codes=None) -> dict[str, int]:
    """{USCC: enterprise id}: of every registered enterprise, or only of ``codes`` when they are
    at most :data:`IN_LIST_MAX` (a small file looks up its own firms, not 100,000)."""
    if codes is not None:
        wanted = sorted({c for c in codes if isinstance(c, str) and c})
        if len(wanted) <= IN_LIST_MAX:
            if not wanted:
                return {}
            q = sa.text("SELECT uscc, id FROM enterprise WHERE uscc IN :c").bindparams(
                sa.bindparam("c", expanding=True))
            return {u: int(i) for u, i in conn.execute(q, {"c": wanted})}
    return {u: int(i) for u, i in conn.execute(sa.text("SELECT uscc, id FROM enterprise WHERE uscc IS NOT NULL"))}


def new_batch_id(store, conn) -> int:
    return store.next_id(conn, "import_batch")


def log_batch(store, conn, batch_id: int, kind: str, source: str, rows: int, status: str, note: str = "") -> None:
    conn.execute(S.import_batch.insert().values(id=batch_id, kind=kind, source=source,
                                                 created_at=dt.datetime.now().replace(microsecond=0),
                                                 row_count=rows, status=status, note=note[:4000]))


def _pause_hook() -> None:
    path = os.environ.get("CHAINBRAIN_INGEST_PAUSE")
    if path:
        Path(path).write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("CHAINBRAIN_INGEST_PAUSE_S", "60")))


def cents(a) -> np.ndarray:
    """Money (decimal, 2 places) → float64 of cents for exact comparison (NaN for null)."""
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    if not isinstance(a, pa.Array):
        a = pa.array(a)
    if pa.types.is_decimal(a.type):
        a = pc.cast(a, pa.decimal128(30, 2))
        a = pc.cast(pc.multiply(a, pa.scalar(100, pa.decimal128(3, 0))), pa.float64())
    else:
        a = pc.cast(a, pa.float64())
    return np.round(a.fill_null(np.nan).to_numpy(zero_copy_only=False), 0)


def _np(a) -> np.ndarray:
    if isinstance(a, np.ndarray):
        return a
    return a.to_numpy(zero_copy_only=False)
