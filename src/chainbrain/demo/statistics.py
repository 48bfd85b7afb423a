"""The demo's statistical inputs: SEI shares of partly-SEI classes and PPI deflators (migration 0006).

Written by ``demo build`` after the reports, in the same transaction, from the
stored reports and the pack's ``calibration.toml``:

- ``sei_share``: for each year, the SEI estimate must follow the published
  path S(y) (``[sei_share]``: 22.1 % 2020, 23.8 % 2021, 26.5 % 2022, then
  +1 pp a year). The partly-SEI classes (SEI catalogue flag ``partial``) are
  ranked by their value added in the latest year; the largest ones, holding
  ``known_share`` (92 %) of the partly-SEI value added, get a share; the rest
  stay unknown (U). Shares s_c = λ(y)·f_c, with a stable per-class factor f_c
  ∈ [0.6, 1.4] (crc32 of the code) and λ(y) solving
  VA_true + Σ s_c·VA_c + ½·U = S(y)·VA (the estimate counts U at ½), so the
  estimate is on the path and the bounds are S(y) ∓ ½·U/VA. Shares are
  clipped to [0.02, 0.95].
- ``price_index``: for each division present and each month 02–12 of the
  report years, the YTD PPI (previous year = 100):
  100 + β_d·(P(y, M) − 100), P moving from last year's level to this year's
  (``[ppi]``: annual national path, β by division). Synthetic, marked
  unsourced in the pack.

The value added per class and year is the December YTD (the latest month of a
year without December) of the reports, by the enterprise's class.
"""

from __future__ import annotations

import zlib

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from chainbrain.catalog.industries import by_code


def _va_by_class(conn) -> dict[int, dict[str, float]]:
    rows = conn.execute(sa.text("""
        WITH last AS (SELECT year, MAX(month) AS month FROM monthly_report GROUP BY year)
        SELECT r.year, e.industry_code, SUM(r.value_added_ytd)
        FROM monthly_report r JOIN last l ON r.year = l.year AND r.month = l.month
        JOIN enterprise e ON e.id = r.enterprise_id
        WHERE e.is_demo AND r.value_added_ytd IS NOT NULL
        GROUP BY r.year, e.industry_code""")).fetchall()
    out: dict[int, dict[str, float]] = {}
    for y, code, va in rows:
        out.setdefault(int(y), {})[str(code)] = float(va)
    return out


def _factor(code: str) -> float:
    return 0.6 + 0.8 * (zlib.crc32(code.encode()) % 1000) / 999


def sei_share_table(conn, cal: dict, batch: int) -> pa.Table:
    """Rows of ``sei_share`` (module docstring) for every year with reports and a path value."""
    path = {int(k): v["value"] for k, v in cal.get("sei_share", {}).items() if k.isdigit()}
    known = float(cal.get("sei_share", {}).get("known_share", 0.92))
    va = _va_by_class(conn)
    cat = by_code()
    flag = {c: (cat[c].sei if c in cat else "false") for y in va for c in va[y]}
    partial = sorted({c for c, f in flag.items() if f == "partial"})
    last = max(va) if va else None
    if last is None or not partial:
        return pa.table({"industry_code": pa.array([], pa.string()), "year": pa.array([], pa.int32()),
                         "share": pa.array([], pa.float64()), "batch_id": pa.array([], pa.int64()),
                         "revision": pa.array([], pa.int32())})
    ranked = sorted(partial, key=lambda c: -va[last].get(c, 0.0))
    total_partial = sum(va[last].get(c, 0.0) for c in ranked)
    chosen, acc = [], 0.0
    for c in ranked:
        if acc >= known * total_partial:
            break
        chosen.append(c)
        acc += va[last].get(c, 0.0)
    codes, years, shares = [], [], []
    for y in sorted(va):
        if y not in path:
            continue
        v = va[y]
        total = sum(v.values())
        true = sum(x for c, x in v.items() if flag.get(c) == "true")
        unknown = sum(v.get(c, 0.0) for c in partial if c not in chosen)
        weighted = sum(_factor(c) * v.get(c, 0.0) for c in chosen)
        if total <= 0 or weighted <= 0:
            continue
        lam = (path[y] * total - true - 0.5 * unknown) / weighted
        for c in chosen:
            if v.get(c, 0.0) > 0:
                codes.append(c)
                years.append(y)
                shares.append(round(float(np.clip(lam * _factor(c), 0.02, 0.95)), 4))
    n = len(codes)
    return pa.table({"industry_code": pa.array(codes, pa.string()), "year": pa.array(years, pa.int32()),
                     "share": pa.array(shares, pa.float64()), "batch_id": pa.array(np.full(n, batch), pa.int64()),
                     "revision": pa.array(np.ones(n, np.int32))})


def price_index_table(conn, cal: dict, batch: int) -> pa.Table:
    """Rows of ``price_index`` (module docstring) for the divisions and report periods of the demo."""
    ppi = cal.get("ppi", {})
    annual = {int(k): float(v) for k, v in ppi.get("annual", {}).items()}
    beta, default = ppi.get("beta", {}), float(ppi.get("default_beta", 0.7))
    periods = conn.execute(sa.text("SELECT DISTINCT year, month FROM monthly_report ORDER BY 1, 2")).fetchall()
    divisions = [r[0] for r in conn.execute(sa.text(
        "SELECT DISTINCT SUBSTR(industry_code, 1, 2) FROM enterprise WHERE is_demo AND industry_code IS NOT NULL "
        "ORDER BY 1")).fetchall()]
    divs, years, months, vals = [], [], [], []
    for y, m in periods:
        y, m = int(y), int(m)
        if y not in annual:
            continue
        before = annual.get(y - 1, 100.0)
        p = before + (annual[y] - before) * (0.4 + 0.6 * m / 12)           # YTD: towards the year's level
        for d in divisions:
            divs.append(str(d))
            years.append(y)
            months.append(m)
            vals.append(round(100 + float(beta.get(str(d), default)) * (p - 100), 1))
    n = len(divs)
    return pa.table({"division": pa.array(divs, pa.string()), "year": pa.array(years, pa.int32()),
                     "month": pa.array(months, pa.int32()), "ppi_ytd": pa.array(vals, pa.float64()),
                     "batch_id": pa.array(np.full(n, batch), pa.int64()), "revision": pa.array(np.ones(n, np.int32))})


def write_statistics(store, conn, cal: dict, batch: int) -> dict[str, int]:
    """Replace the demo's rows of ``sei_share`` and ``price_index`` (keys loaded by a real import stay)."""
    out = {}
    for name, make, keys in (("sei_share", sei_share_table, ("industry_code", "year")),
                             ("price_index", price_index_table, ("division", "year", "month"))):
        conn.execute(sa.text(f"DELETE FROM {name} WHERE batch_id IN "
                             "(SELECT id FROM import_batch WHERE kind = 'demo')"))
        t = make(conn, cal, batch)
        have = {tuple(r) for r in conn.execute(sa.text(f"SELECT DISTINCT {', '.join(keys)} FROM {name}"))}
        if have:
            cols = [t[k].to_pylist() for k in keys]
            keep = np.array([tuple(v) not in have for v in zip(*cols)], bool)
            t = t.filter(pa.array(keep))
        out[name] = store.bulk_insert(conn, name, t) if t.num_rows else 0
    return out
