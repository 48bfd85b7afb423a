"""Monthly imports (1M-row CSV, 200k-row XLSX): ChainBrain (pyarrow reader + vectorised checks + DuckDB Arrow insert) vs a
pandas baseline (read_csv + the same checks in pandas + to_sql) in the same process.

Both start from the same CSV on disk and an initialised DuckDB store holding the enterprises;
timing covers read, validation and the committed insert.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from benchmarks.harness import best_of, peak_mb, record
from chainbrain.catalog.uscc import make

SCALES = {"province": 1_000_000, "national": 2_000_000, "small": 100_000}
XLSX_SCALES = {"province": 200_000, "national": 400_000, "small": 20_000}


def _setup(rows: int, work: Path, fmt: str = "csv"):
    from chainbrain.store import open_store
    from chainbrain.store.admin import init_store

    n_ent = max(1, rows // 10)
    usccs = [make("360102", 10_000 + i) for i in range(n_ent)]
    store = open_store(str(work / "b.duckdb"))
    init_store(store)
    with store.begin() as conn:
        store.bulk_insert(conn, "enterprise", pa.table({
            "id": np.arange(1, n_ent + 1), "uscc": usccs, "name": [f"E{i}" for i in range(n_ent)],
            "province_code": ["360000"] * n_ent, "batch_id": np.zeros(n_ent, np.int64)}))
    rng = np.random.default_rng(1)
    ent = np.repeat(np.arange(n_ent), 10)[:rows]
    month = np.tile(np.arange(3, 13), n_ent)[:rows]
    rev = np.round(rng.lognormal(8, 1, n_ent)[ent] * month, 2)
    df = pd.DataFrame({"统一社会信用代码": np.array(usccs, object)[ent], "报告期": [f"2024-{m:02d}" for m in month],
                       "营业收入": rev, "利润总额": np.round(rev * 0.05, 2)})
    if fmt == "xlsx":
        import xlsxwriter

        path = work / "monthly.xlsx"
        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        ws = wb.add_worksheet("数据")
        ws.write_row(0, 0, list(df.columns))
        for i, rec in enumerate(df.itertuples(index=False), start=1):
            ws.write_string(i, 0, rec[0])
            ws.write_string(i, 1, rec[1])
            ws.write_number(i, 2, rec[2])
            ws.write_number(i, 3, rec[3])
        wb.close()
        return store, path, usccs
    path = work / "monthly.csv"
    df.to_csv(path, index=False)
    return store, path, usccs


def _read_excel(path):
    try:
        return pd.read_excel(path, dtype=str, engine="calamine")
    except (ImportError, ValueError):
        return pd.read_excel(path, dtype=str, engine="openpyxl")


def baseline(store, path, usccs):
    df = _read_excel(path) if str(path).endswith(".xlsx") else pd.read_csv(path, dtype=str)
    ids = pd.Series(np.arange(1, len(usccs) + 1), index=usccs)
    rev = pd.to_numeric(df["营业收入"], errors="coerce") * 1000
    prof = pd.to_numeric(df["利润总额"], errors="coerce") * 1000
    per = df["报告期"].str.extract(r"^(\d{4})-(\d{2})$").astype(float)
    eid = df["统一社会信用代码"].map(ids)
    bad = rev.isna() | (rev < 0) | per.isna().any(axis=1) | eid.isna() | df.duplicated(["统一社会信用代码", "报告期"])
    out = pd.DataFrame({"enterprise_id": eid, "year": per[0], "month": per[1], "revenue_ytd": rev.round(2),
                        "profit_ytd": prof.round(2), "batch_id": 999, "revision": 1})[~bad]
    out = out.sort_values(["enterprise_id", "year", "month"])
    out = out[out.groupby(["enterprise_id", "year"])["revenue_ytd"].diff().fillna(0) >= 0]
    with store.begin() as conn:
        conn.exec_driver_sql("DELETE FROM monthly_report")
        out.to_sql("monthly_report", conn, if_exists="append", index=False, chunksize=50_000)
        conn.exec_driver_sql("DELETE FROM monthly_report WHERE batch_id = 999")
    return len(out)


def _measure(name: str, scale: str, rows: int, fmt: str) -> dict:
    """Time our import of a ``rows``-row monthly file (best of 2, table emptied first) and the baseline."""
    from chainbrain.ingest.load import import_file
    import sqlalchemy as sa

    with tempfile.TemporaryDirectory() as d:
        store, path, usccs = _setup(rows, Path(d), fmt=fmt)

        def ours():
            with store.begin() as conn:
                conn.execute(sa.text("DELETE FROM monthly_report"))
            res = import_file(store, "monthly", path, unit="千元")
            assert res.status == "loaded", res.issues.summary()
            return res.new

        t_ours, n = best_of(ours, 2)
        peak = peak_mb()
        t_base, _ = best_of(lambda: baseline(store, path, usccs), 1)
        store.close()
    return record(name, scale, t_ours, t_base, peak, rows=rows)


def run(scale: str = "small") -> dict:
    """1M-row monthly CSV (scale "province"): our import vs pandas.read_csv + checks + to_sql."""
    return _measure("ingest_monthly_csv", scale, SCALES.get(scale, 100_000), "csv")


def run_xlsx(scale: str = "small") -> dict:
    """200k-row monthly XLSX (scale "province"): our import vs pandas.read_excel + checks + to_sql."""
    return _measure("ingest_monthly_xlsx", scale, XLSX_SCALES.get(scale, 20_000), "xlsx")


if __name__ == "__main__":
    import sys
    fn = run_xlsx if len(sys.argv) > 2 and sys.argv[2] == "xlsx" else run
    print(fn(sys.argv[1] if len(sys.argv) > 1 else "small"))
