"""``demo build``: generate the synthetic province and write it into a store in one transaction.

Steps: catalog (migrations + pack) → population → dynamics and calibration
(all targets met in memory, :mod:`dynamics`) → traits, partners → tables →
one transaction that (with ``force``) first deletes earlier demo rows, then
bulk-loads every table, derives the SEI shares and deflators from the stored
reports (:mod:`statistics`) and records one ``import_batch`` (kind ``demo``).
Generation uses ids from 1 and batch 0; rows are shifted onto the store's
next free enterprise id and the new batch id as they are written, so a cached
national build loads into any store. The national scale is cached as Parquet,
one file per table, under ``<cache>/demo-national-<seed>-<CACHE_VERSION>/`` and loaded from
there when present.
"""

from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlalchemy as sa

from chainbrain.demo.designations import designations
from chainbrain.demo.dynamics import solve
from chainbrain.demo.history import make_moves
from chainbrain.demo.partners import make_partners
from chainbrain.demo.population import build_firms, rake_potentials
from chainbrain.demo.reports import report_tables, scale_table
from chainbrain.demo.spec import ScaleSpec, scale_spec
from chainbrain.demo.statistics import write_statistics
from chainbrain.demo.supply import supply_links
from chainbrain.demo.tables import attr_table, enterprise_table, import_batch_row, segment_table
from chainbrain.demo.targets import load_targets
from chainbrain.demo.traits import make_traits
from chainbrain.demo.world import build_world

DEFAULT_SEED = 2023
#: bumped when the generated tables change (v7: the form fields and power_use of migration 0007; v8: 12 M
#: supply links at national scale), so an
#: older cache is rebuilt instead of loaded without them
CACHE_VERSION = "v8"
TABLES = ("enterprise", "enterprise_attr", "enterprise_segment", "enterprise_scale", "designation",
          "supply_link", "annual_report", "monthly_report", "power_use")
ID_COLUMNS = ("id", "enterprise_id", "supplier_id", "buyer_id")
Progress = Callable[[str, float, float | None], None]   # (step, advance, total-or-None)


class DemoExistsError(RuntimeError):
    """The store already holds enterprises and ``force`` was not given."""


@dataclass
class DemoResult:
    db: str
    scale: str
    seed: int
    batch_id: int
    rows: dict[str, int]
    seconds: float
    from_cache: bool = False
    growth: dict[int, float] = field(default_factory=dict)
    work_requests: dict[str, int] = field(default_factory=dict)      # 企业诉求 by status (not batch rows)
    work_tasks: dict[str, int] = field(default_factory=dict)         # tasks, meetings, organisation, projects


def _noop(step: str, advance: float = 0, total: float | None = None) -> None:
    pass


def generate(spec: ScaleSpec, seed: int, pack=None, progress: Progress = _noop,
             info: dict | None = None) -> Iterator[tuple[str, pa.Table]]:
    """Yield (table, Arrow piece) for the whole demo, ids from 1 and ``batch_id`` 0."""
    from chainbrain.catalog.pack import load_pack

    pack = pack or load_pack()
    rng = np.random.default_rng(seed)
    progress("population", 0, 4)
    world = build_world(pack, spec)
    targets = load_targets(pack, spec)
    firms = build_firms(world, targets, spec, rng)
    progress("population", 1, None)
    moves = make_moves(firms, world, rng)
    rake_potentials(firms, world, targets, spec)
    progress("population", 1, None)
    rounds = 6
    progress("calibration", 0, rounds)
    paths = solve(firms, world, targets, moves, rng, spec.calibrated, rounds=rounds,
                  log=lambda r, p: progress("calibration", 1, None))
    if info is not None:
        info["growth"] = dict(paths.comp)
    traits = make_traits(firms, world, rng)
    partners = make_partners(world, max(1, int(spec.out_of_province)), rng)
    progress("population", 2, None)
    ids = np.arange(1, firms.n + 1, dtype=np.int64)
    pids = np.arange(firms.n + 1, firms.n + partners.n + 1, dtype=np.int64)
    yield "enterprise", enterprise_table(firms, partners, world, moves, ids, pids, seed, 0, rng)
    yield "enterprise_attr", attr_table(firms, partners, moves, ids, pids, 0)
    yield "enterprise_segment", segment_table(firms, partners, world, ids, pids, 0, rng)
    yield "enterprise_scale", scale_table(paths, ids, 0)
    yield "designation", designations(firms, paths, traits, world, targets, spec.factor, ids, 0, rng)
    yield "supply_link", supply_links(firms, partners, paths, world, ids, pids, spec.supply_links, 0, rng)
    yield from report_tables(firms, paths, traits, targets.seasonality, ids, 0, seed)


def _rebase(t: pa.Table, offset: int, batch: int) -> pa.Table:
    for c in ID_COLUMNS:
        if offset and c in t.column_names:
            t = t.set_column(t.column_names.index(c), c, pc.add(t[c], pa.scalar(offset, pa.int64())))
    if "batch_id" in t.column_names:
        t = t.set_column(t.column_names.index("batch_id"), "batch_id",
                         pa.array(np.full(t.num_rows, batch, dtype=np.int64)))
    return t


ORDER = [("year", "ascending"), ("month", "ascending"), ("enterprise_id", "ascending")]


def _period_ordered(pieces: Iterator[tuple[str, pa.Table]]) -> Iterator[tuple[str, pa.Table]]:
    """The pieces with ``monthly_report`` held back and yielded last, sorted by year, month, enterprise.

    Monthly imports arrive period by period, so a real store holds its reports in
    period order; the generator works firm block by firm block. Storing the demo
    in the real order keeps the engines' per-block min/max statistics (DuckDB
    zone maps) as selective for a period filter as they are in production.
    """
    held = []
    for name, piece in pieces:
        if name == "monthly_report":
            held.append(piece)
        else:
            yield name, piece
    if held:
        t = pa.concat_tables(held).sort_by(ORDER)
        del held
        for b in t.to_batches(max_chunksize=1_000_000):
            yield "monthly_report", pa.Table.from_batches([b])


def _sort_parquet(path: Path) -> None:
    """Rewrite a monthly_report Parquet file in period order, out of core (DuckDB spills to disk)."""
    import duckdb

    out = path.with_name(path.stem + ".sorted.parquet")
    con = duckdb.connect()
    try:
        con.execute("SET memory_limit = '4GB'")
        con.execute(f"SET temp_directory = '{path.parent / 'sort.tmp'}'")
        con.execute(f"COPY (SELECT * FROM read_parquet('{path}') ORDER BY year, month, enterprise_id) "
                    f"TO '{out}' (FORMAT parquet)")
    finally:
        con.close()
    out.replace(path)


#: DuckDB's memory limit while the national demo is loaded in committed pieces (``CHAINBRAIN_LOAD_MEMORY``
#: overrides it; :func:`_load_pieces`).  DuckDB's default checkpoint after every piece keeps the indexes
#: written out: a larger ``checkpoint_threshold`` (256 MB or 1 GB) ran out of this limit in the annual
#: reports, as the indexes of the rows not yet checkpointed stay in memory
LOAD_MEMORY = "3GB"


@contextmanager
def bounded_memory(store) -> Iterator[None]:
    """Cap a DuckDB store's memory for a bulk load and restore the previous limit afterwards."""
    if store.kind != "duckdb":
        yield
        return
    raw = store._raw
    settings = {"memory_limit": os.environ.get("CHAINBRAIN_LOAD_MEMORY") or LOAD_MEMORY}
    before = {k: raw.execute(f"SELECT current_setting('{k}')").fetchone()[0] for k in settings}
    for k, v in settings.items():
        raw.execute(f"SET {k} = '{v}'")
    try:
        yield
    finally:                 # back to the default (exactly), else to the earlier setting as DuckDB prints it
        for k, v in before.items():
            raw.execute(f"RESET {k}")
            if raw.execute(f"SELECT current_setting('{k}')").fetchone()[0] != v:
                raw.execute(f"SET {k} = '{v}'")


def cache_path(seed: int, cache_dir: str | os.PathLike | None = None) -> Path:
    root = Path(cache_dir or os.environ.get("CHAINBRAIN_CACHE") or "data/cache")
    return root / f"demo-national-{seed}-{CACHE_VERSION}"


def _write_cache(pieces: Iterator[tuple[str, pa.Table]], target: Path) -> None:
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    writers: dict[str, pq.ParquetWriter] = {}
    try:
        for name, piece in pieces:
            if name not in writers:
                writers[name] = pq.ParquetWriter(tmp / f"{name}.parquet", piece.schema)
            writers[name].write_table(piece.cast(writers[name].schema))
    finally:
        for w in writers.values():
            w.close()
    if (tmp / "monthly_report.parquet").exists():
        _sort_parquet(tmp / "monthly_report.parquet")          # period order, see _period_ordered
    (tmp / "COMPLETE").write_text("ok\n")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)


def _read_cache(target: Path, rows: int = 1_000_000) -> Iterator[tuple[str, pa.Table]]:
    """The cached tables in pieces of whole row groups, about ``rows`` rows each.  (``iter_batches``
    kept every batch it had read alive — +160 MB per million monthly reports, 4.7 GB for the national
    demo's 30 M — where reading row groups by index holds only the current piece.)"""
    for name in TABLES:
        f = pq.ParquetFile(target / f"{name}.parquet")
        groups, count = [], 0
        for i in range(f.metadata.num_row_groups):
            groups.append(i)
            count += f.metadata.row_group(i).num_rows
            if count >= rows or i == f.metadata.num_row_groups - 1:
                yield name, f.read_row_groups(groups)
                groups, count = [], 0


def _count_enterprises(store) -> int:
    try:
        with store.engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT COUNT(*) FROM enterprise")).scalar())
    except Exception:       # no schema yet: a fresh store
        return 0


def _existing_tables(conn) -> set[str]:
    rows = conn.execute(sa.text("SELECT table_name FROM information_schema.tables"))
    return {r[0] for r in rows}


def delete_demo(conn) -> None:
    """Delete every demo row and every row pointing at a demo enterprise; keep the batch log."""
    from chainbrain.store.schema import metadata

    ents = "SELECT id FROM enterprise WHERE is_demo"
    batches = "SELECT id FROM import_batch WHERE kind = 'demo'"
    present = _existing_tables(conn)
    for t in metadata.sorted_tables:
        if t.name not in present or t.name == "enterprise":
            continue
        refs = [c for c in ("enterprise_id", "supplier_id", "buyer_id") if c in t.c]
        where = [f"{c} IN ({ents})" for c in refs]
        if "batch_id" in t.c:             # rows of demo batches, also where no enterprise is referred to
            where.append(f"batch_id IN ({batches})")
        if where:
            conn.execute(sa.text(f'DELETE FROM "{t.name}" WHERE ' + " OR ".join(where)))
    conn.execute(sa.text(f"DELETE FROM enterprise WHERE is_demo OR batch_id IN ({batches})"))
    conn.execute(sa.text("UPDATE import_batch SET note = 'rows deleted by a later demo build --force' "
                         "WHERE kind = 'demo'"))


def _begin(store, conn, force: bool, seed: int, scale: str) -> tuple[int, int]:
    """Start a demo load in ``conn``: the old demo rows deleted when ``force``, the import batch
    row written; (enterprise id offset, batch id)."""
    if force:
        delete_demo(conn)
    offset = store.next_id(conn, "enterprise") - 1
    batch = store.next_id(conn, "import_batch")
    store.bulk_insert(conn, "import_batch", import_batch_row(batch, seed, scale, 0))
    return offset, batch


def _load_pieces(store, pieces, force: bool, seed: int, scale: str, calibration,
                 progress: Progress) -> tuple[dict[str, int], int]:
    """The national demo into a DuckDB store: one transaction per piece (~1 M rows) under
    :func:`bounded_memory`.  One transaction for all ~99 M rows kept the uncommitted rows' index
    entries in memory (12.7 GB and growing at the monthly reports, stopped); committed pieces go to the
    file.  All or nothing by compensation: if any piece fails, the demo rows written so far are deleted
    again (:func:`delete_demo`) before the error is raised."""
    rows = {t: 0 for t in TABLES}
    with bounded_memory(store):
        with store.begin() as conn:
            offset, batch = _begin(store, conn, force, seed, scale)
    try:
        with bounded_memory(store):
            for name, piece in pieces:
                progress(f"write {name}", piece.num_rows, None)
                with store.begin() as conn:
                    rows[name] += store.bulk_insert(conn, name, _rebase(piece, offset, batch))
                del piece
            progress("write statistics", 0, None)
            with store.begin() as conn:
                rows |= write_statistics(store, conn, calibration, batch)     # SEI shares, deflators (0006)
                conn.execute(sa.text("UPDATE import_batch SET row_count = :n WHERE id = :id"),
                             {"n": sum(rows.values()), "id": batch})
    except BaseException:        # outside the memory limit: the deletion must not fail for the same reason
        with store.begin() as conn:
            delete_demo(conn)
        raise
    return rows, batch


def build_demo(store, scale: str = "province", seed: int = DEFAULT_SEED, force: bool = False,
               progress: Progress = _noop, cache_dir: str | os.PathLike | None = None,
               pack_name: str | None = None) -> DemoResult:
    """Build the demo province into ``store`` (see module docstring)."""
    from chainbrain.catalog.pack import load_pack
    from chainbrain.store.admin import init_store

    t0 = time.perf_counter()
    spec = scale_spec(scale)
    existing = _count_enterprises(store)
    if existing and not force:
        raise DemoExistsError(
            f"the store already holds {existing} enterprises; use --force to delete the demo rows and rebuild "
            f"(店内已有 {existing} 家企业；如需删除演示数据并重建，请加 --force)")
    progress("catalog", 0, 1)
    init_store(store, pack_name)
    progress("catalog", 1, None)
    pack = load_pack(pack_name)
    info: dict = {}
    from_cache = False
    if spec.name == "national":
        target = cache_path(seed, cache_dir)
        if (target / "COMPLETE").exists():
            from_cache = True
        else:
            _write_cache(generate(spec, seed, pack, progress, info), target)
        pieces = _read_cache(target)
    else:
        pieces = _period_ordered(generate(spec, seed, pack, progress, info))

    if spec.name == "national" and store.kind == "duckdb":
        rows, batch = _load_pieces(store, pieces, force, seed, scale, pack.calibration, progress)
    else:
        rows = {t: 0 for t in TABLES}
        with store.begin() as conn:
            offset, batch = _begin(store, conn, force, seed, scale)
            for name, piece in pieces:
                progress(f"write {name}", piece.num_rows, None)
                rows[name] += store.bulk_insert(conn, name, _rebase(piece, offset, batch))
            progress("write statistics", 0, None)
            rows |= write_statistics(store, conn, pack.calibration, batch)     # SEI shares, deflators (0006)
            conn.execute(sa.text("UPDATE import_batch SET row_count = :n WHERE id = :id"),
                         {"n": sum(rows.values()), "id": batch})
    progress("write work requests", 0, None)
    from chainbrain.demo.work_requests import write_requests          # 企业诉求: a year of the work system
    per_month = {"tiny": 4, "province": 12}.get(spec.name, 20)
    requests = write_requests(store, seed, per_month=per_month)
    from chainbrain.demo.io_table import store_demo_io_table
    store_demo_io_table(store, seed=seed, batch=batch)   # the labelled synthetic IO table (issue 13)
    from chainbrain.demo import attraction              # 精准招商: the out-of-province pool, reference, leads
    for name, n in attraction.write_pool(store, seed, batch, pack.province_code).items():
        rows[name] += n
    rows["advantage_reference"] = attraction.write_reference(store, pack, batch)
    attraction.write_leads(store, seed, pack.province_code)
    from chainbrain.demo.digital import write_assessments   # 智改数转网联: maturity assessments (issue #16)
    rows |= write_assessments(store, seed, batch)
    with store.begin() as conn:
        conn.execute(sa.text("UPDATE import_batch SET row_count = :n WHERE id = :id"),
                     {"n": sum(rows.values()), "id": batch})
    store.analyze()
    progress("write matching needs", 0, None)
    from chainbrain.demo.matching import write_needs        # 融通: chain masters' needs and outcomes (issue #15)
    write_needs(store, seed)
    progress("write work tasks", 0, None)
    tasks = __import__("chainbrain.demo.work_tasks", fromlist=["x"]).build_work_tasks(store, pack, seed)  # 任务督办
    return DemoResult(store.db, scale, seed, batch, rows, time.perf_counter() - t0, from_cache,
                      info.get("growth", {}), requests, tasks)
