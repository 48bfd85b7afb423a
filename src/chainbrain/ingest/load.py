"""All-or-nothing imports: validate the whole file, then apply it in one transaction.

Flow: read → parse (typed columns + issues) → checks needing the store
(registered enterprise, YTD monotonicity, unit mistakes against history) →
if any error and not ``skip_invalid``: reject (no data table changes; the
batch is logged as ``rejected``) → else one transaction: batch row, diff
against the latest revisions, inserts, commit.

Diff rule per key (enterprise: USCC; monthly: enterprise+year+month; annual:
enterprise+year; supply: supplier+buyer+year; designation:
enterprise+kind+level+chain code+valid_from, ``schema.DESIGNATION_KEY``): no stored row → *new* (revision 1); same
values as the latest revision → *unchanged* (nothing written); different →
*updated* (a new revision, the previous one kept). Columns absent from the
file are carried over from the previous revision. Enterprises are master
data: changed fields are updated in place, and region/industry changes are
kept as ``enterprise_attr`` history.

Unit-mistake rule: a row's average monthly revenue (YTD / months, or annual /
12) compared with the median of the enterprise's stored history; a ratio
≥ 500 or ≤ 1/500 is rejected (a 千元↔元 or 万元↔元 slip is 1000× or 10000×).

Test hook: when ``CHAINBRAIN_INGEST_PAUSE`` names a file, the import writes
that file and sleeps inside the open transaction after the first insert,
so a test can kill the process mid-write.

Modules: this one (the entry point), :mod:`~chainbrain.ingest.batch` (result, batch log, store
helpers), :mod:`~chainbrain.ingest.checks` (checks needing the store),
:mod:`~chainbrain.ingest.write` (writers).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from chainbrain.ingest.batch import Result, log_batch, new_batch_id, uscc_ids
from chainbrain.ingest.checks import CHECKS
from chainbrain.ingest.errors import Issues, write_error_file
from chainbrain.ingest.parse import RegionLookup, parse
from chainbrain.ingest.readers import RawTable, ReadError, read_table
from chainbrain.ingest.write import WRITERS

KINDS = ("enterprises", "monthly", "annual", "supply", "designations", "external", "sei-shares", "deflators", "power",
         "digital", "digital-scenarios", "digital-providers")

#: the table an import kind writes its rows to (:meth:`chainbrain.store.engine.Store.analyze`'s threshold;
#: a kind not here refreshes every table's statistics after any import)
MAIN_TABLE = {"enterprises": "enterprise", "external": "enterprise", "monthly": "monthly_report",
              "annual": "annual_report", "supply": "supply_link", "designations": "designation",
              "power": "power_use", "sei-shares": "sei_share", "deflators": "price_index"}


# ---------------------------------------------------------------- entry point
def import_file(store, kind: str, path: str | Path, *, unit: str | None = None, skip_invalid: bool = False,
                errors_path: str | Path | None = None, sheet: str | None = None, actor: str = "cli",
                progress=None) -> Result:
    """Import ``path`` as ``kind`` into ``store``; see the module docstring.

    ``progress(stage, done, total)`` is called as the import goes: ``stage`` is
    ``read``, ``validate`` or ``write``; ``done``/``total`` count rows (``total`` is
    None while the file is being read). The library never prints.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(KINDS)}")
    path = Path(path)
    step = progress or (lambda stage, done=None, total=None: None)
    step("read", 0, None)
    try:
        raw = read_table(path, kind, sheet)
    except ReadError as e:
        issues = Issues(str(path))
        issues.add("read", detail=str(e))
        return _reject(store, kind, path, None, issues, errors_path)
    n = raw.num_rows
    step("read", n, n)
    step("validate", 0, n)
    p = parse(raw, kind, unit, RegionLookup(), progress=lambda frac: step("validate", int(frac * n * 0.8), n))
    with store.engine.connect() as conn:
        ids = uscc_ids(store, conn)
        ctx = CHECKS[kind](store, conn, p, ids)
    step("validate", n, n)
    issues = p.issues
    bad = issues.bad_rows(p.n)
    if issues.fatal() or (bad.any() and not skip_invalid) or (p.n == 0 and issues.errors):
        return _reject(store, kind, path, raw, issues, errors_path)
    keep = np.flatnonzero(~bad)
    step("write", 0, len(keep))
    with store.begin() as conn:
        batch = new_batch_id(store, conn)
        status = "partial" if bad.any() else "loaded"
        res = Result(kind, str(path), status, rows=int(p.n), skipped=int(bad.sum()), batch_id=batch, issues=issues,
                     progress=step)
        WRITERS[kind](store, conn, p, keep, batch, ctx, res)
        log_batch(store, conn, batch, kind, str(path), len(keep), status,
                  f"{res.summary_en()}; warnings {len(issues.warnings)}")
    step("write", len(keep), len(keep))
    store.analyze(MAIN_TABLE.get(kind), len(keep))   # PostgreSQL: the new counts, when they move the plans
    if bad.any() and errors_path:
        write_error_file(errors_path, raw, issues)
        res.error_file = str(errors_path)
    return res


def _reject(store, kind, path, raw: RawTable | None, issues: Issues, errors_path) -> Result:
    res = Result(kind, str(path), "rejected", rows=raw.num_rows if raw else 0, issues=issues)
    if errors_path and raw is not None:
        write_error_file(errors_path, raw, issues)
        res.error_file = str(errors_path)
    elif errors_path:
        Path(errors_path).write_text("错误说明/errors\n" + "\n".join(i.line() for i in issues.errors) + "\n",
                                     encoding="utf-8-sig")
        res.error_file = str(errors_path)
    with store.begin() as conn:            # the log only; no data table changes
        res.batch_id = new_batch_id(store, conn)
        log_batch(store, conn, res.batch_id, kind, str(path), 0, "rejected",
                  f"{len(issues.errors)} errors: " + "; ".join(i.line() for i in issues.errors[:20]))
    return res
