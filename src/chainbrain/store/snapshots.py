"""Membership snapshots on PostgreSQL: "who was where on date d", computed once per data version.

Every figure joins the enterprises' region and industry class valid on a date and their chains on
that date (:class:`chainbrain.analytics.scope.Shared`: ``located``, ``chains``). DuckDB computes
these in tens of milliseconds; PostgreSQL (a row store, one core per statement) needs 0.2–0.8 s
per date on the province demo, and a KPI call asks for about eight dates, the cockpit for many
more — the same rows again for every request. On PostgreSQL such a step is therefore kept as an
``UNLOGGED`` table (no WAL: it can always be rebuilt) named after the step, the date and the
fingerprint of the tables it reads::

    cb_snap_<step>_<yyyymmdd>_<fingerprint>

**Fingerprint** (:func:`fingerprint`): a hash of the newest import batch and the number of
batches, the row counts of ``enterprise_attr`` and ``enterprise_segment``, and the time the
pack (segments, chains) was loaded. Every writer of these tables records an import batch
(imports, mapping overrides, the demo), so a snapshot of older data is never read; snapshots of
other fingerprints are dropped when a new one is made. The value is kept for
:data:`TTL` seconds per process (and forgotten after this process's own imports,
:func:`forget`), the same bound on staleness as the web cache's data version.

A snapshot holds exactly the rows of the step's expression (the same SQL, run once), so results
are unchanged; a database role without the right to create tables simply computes the step
inline as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import threading
import time

import sqlalchemy as sa

log = logging.getLogger(__name__)

PREFIX = "cb_snap_"
TTL = 1.0
FINGERPRINT_SQL = ("SELECT (SELECT COUNT(*) FROM enterprise_attr), (SELECT COUNT(*) FROM enterprise_segment), "
                   "(SELECT MAX(id) FROM import_batch), (SELECT COUNT(*) FROM import_batch), "
                   "(SELECT MAX(loaded_at) FROM pack_meta)")

_lock = threading.Lock()
_state: dict = {}          # database URL → {"fp": str, "at": float, "off": bool}


def _st(store) -> dict:
    with _lock:
        return _state.setdefault(str(store.db), {"fp": None, "at": float("-inf"), "off": False})


def enabled(store) -> bool:
    return getattr(store, "kind", None) == "postgres" and not _st(store)["off"]


def forget(store) -> None:
    """This process changed the data: the next snapshot re-reads the fingerprint."""
    _st(store)["at"] = float("-inf")


def fingerprint(store) -> str:
    """12 hex digits identifying the current membership data (module docstring)."""
    st = _st(store)
    now = time.monotonic()
    if st["fp"] is None or now - st["at"] > TTL:
        with store.engine.connect() as conn:
            row = conn.execute(sa.text(FINGERPRINT_SQL)).one()
        st["fp"] = hashlib.sha1(repr(tuple(row)).encode()).hexdigest()[:12]
        st["at"] = now
    return st["fp"]


_builds: dict = {}         # (database URL, step, date) → the expression builder of that snapshot
_NAME = re.compile(r'"' + PREFIX + r'([a-z_]+)_(\d{8})_([0-9a-f]{12})"')


def renamed(store, sql: str, old: str, fp: str) -> str | None:
    """``sql`` (compiled while the snapshots of fingerprint ``old`` were current) with every snapshot
    it names moved to fingerprint ``fp``, each made first when missing (from the builder recorded
    when it was last named); None when one cannot be (the caller compiles again). The rest of the
    SQL does not depend on the data (``indicators._run``: its key determines it), and a snapshot's
    rows depend only on its step, its date and the data the fingerprint identifies."""
    names = set(_NAME.findall(sql))
    if any(f != old for _, _, f in names):
        return None
    for step, day, _ in names:
        date = dt.datetime.strptime(day, "%Y%m%d").date()
        build = _builds.get((str(store.db), step, date))
        if build is None or snapshot(store, step, date, build) is None or fingerprint(store) != fp:
            return None
        sql = sql.replace(f'"{PREFIX}{step}_{day}_{old}"', f'"{PREFIX}{step}_{day}_{fp}"')
    return sql


def snapshot(store, step: str, date: dt.date, build):
    """The Ibis table of snapshot ``step`` on ``date`` — made from ``build()`` (an Ibis expression)
    when missing — or None where snapshots are not used (DuckDB, PySpark, no CREATE right)."""
    if not enabled(store):
        return None
    st = _st(store)
    try:
        fp = fingerprint(store)
        name = f"{PREFIX}{step}_{date:%Y%m%d}_{fp}"
        with store.engine.connect() as conn:
            exists = conn.execute(sa.text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name}).scalar()
        if not exists:
            _make(store, name, build(), fp)
        _builds[(str(store.db), step, date)] = build
        return store.table(name)
    except Exception as exc:                      # e.g. a read-only role: compute inline, say so once
        log.warning("membership snapshots off on this store (%s); computing inline",
                    str(getattr(exc, "orig", None) or exc).strip().splitlines()[0])
        st["off"] = True
        return None


def _make(store, name: str, expr, fp: str) -> None:
    sql = str(store.ibis().compile(expr))
    with store.engine.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": name})
        exists = conn.execute(sa.text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name}).scalar()
        if not exists:
            conn.execute(sa.text(f'CREATE UNLOGGED TABLE "{name}" AS {sql}'))
            conn.execute(sa.text(f'CREATE INDEX ON "{name}" (enterprise_id)'))
            conn.execute(sa.text(f'ANALYZE "{name}"'))
    _drop_stale(store, fp)


def _drop_stale(store, fp: str) -> None:
    """Drop snapshots of other fingerprints (best effort: one in use elsewhere is left for later)."""
    with store.engine.connect() as conn:
        names = [r[0] for r in conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE :p"),
            {"p": PREFIX.replace("_", r"\_") + "%"})]
    for n in names:
        if n.endswith("_" + fp):
            continue
        try:
            with store.engine.begin() as conn:
                conn.execute(sa.text("SET LOCAL lock_timeout = '50ms'"))
                conn.execute(sa.text(f'DROP TABLE IF EXISTS "{n}"'))
        except Exception:
            pass


def drop_all(store) -> int:
    """Remove every snapshot (``chainbrain db upgrade`` and tests); returns how many."""
    if getattr(store, "kind", None) != "postgres":
        return 0
    _drop_stale(store, "-")
    forget(store)
    return 0
