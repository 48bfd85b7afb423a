"""The *data key*: a digest of what the figures are computed from, so that kept figures and disclosure
patterns (:mod:`chainbrain.store.figures`, :mod:`chainbrain.store.patterns`) stay valid while the data
stay the same — also across an import that changed nothing.

Two reads, the second only when the first moved:

1. the data counters (:func:`chainbrain.store.changes.data_sql`: row counts, the newest import
   batch and pack load on DuckDB; the change counter on PostgreSQL) — milliseconds, and they move
   with every import, correction and pack load (an import moves them even when it changed no row:
   it adds its ``import_batch`` row);
2. when they moved since the last read in this process: the *content fingerprint* of every table
   the figures read (:data:`TABLES`: the fact tables, ``pack_meta`` and the statistical inputs; not ``import_batch``, the
   log of imports, which no figure reads) — per table the row count, and the XOR and the sum of a
   64-bit hash of every whole row (DuckDB ``hash(row)``, PostgreSQL ``hashtextextended(row::text,
   0)``). SHA-256 of those is the key. 0.4–0.6 s on DuckDB at province scale (1.2 M monthly reports);
   on PostgreSQL the same row is the sum of the deltas its triggers keep (:mod:`chainbrain.store.digest`),
   milliseconds instead of 6 s. The inputs keys of kept figures and patterns (:func:`sources_key`)
   scan only their sub-selects whose table's digest moved there; on DuckDB they take their whole
   tables of :data:`TABLES` from this read (:func:`tables_at`) and scan the rest.

So a re-upload of rows already stored (the load test's import of three unchanged enterprises) keeps
the key, and what was kept at it is used without being recomputed or re-checked; any changed,
added or removed row changes it. As before, a change the counters cannot see (a direct SQL
``UPDATE`` on DuckDB by another program, which changes no count) is not noticed until the next
counted change.
"""

from __future__ import annotations

import hashlib
import re
import threading

import sqlalchemy as sa

from chainbrain.store.changes import COUNTED, data_sql
from chainbrain.store.digest import compact, has_digest, parts as digest_parts, sums as digest_sums

#: the tables the kept figures are computed from: the data counters' tables without ``import_batch``,
#: the pack's load, and the bureau's statistical inputs the KPI panel reads (``sei_share``: the SEI
#: share of partial classes; ``price_index``: the deflators of real growth, :mod:`chainbrain.analytics.scope`)
#: — imported as any data (an import batch moves the counters), though not counted themselves; without
#: them the figures kept before a deflator import were served after it (twenty-second session)
STATISTICS = ("sei_share", "price_index")
TABLES = tuple(t for t in COUNTED if t != "import_batch") + ("pack_meta",) + STATISTICS

ROW_HASHES = {"duckdb": "hash(x)", "postgres": "hashtextextended(x::text, 0)"}

_MEMO: dict = {}                    # (kind, database) → (counters, key, {table: its three parts} or None)
_LOCK = threading.Lock()
_READING: dict = {}                 # (kind, database) → the lock of the one thread reading its fingerprint


def fingerprint_sql(kind: str, tables=TABLES) -> str:
    """One SELECT, one scan per table of ``tables`` (default :data:`TABLES`): its row count, the XOR and
    the sum of its rows' hashes."""
    h = ROW_HASHES[kind]
    total = "sum(h::hugeint)" if kind == "duckdb" else "sum(h)"          # PostgreSQL: numeric already
    return "SELECT * FROM " + " CROSS JOIN ".join(
        f"(SELECT count(*) AS n{i}, bit_xor(h) AS x{i}, {total} AS s{i} FROM (SELECT {h} AS h FROM {t} x) a{i}) b{i}"
        for i, t in enumerate(tables))


def sub_selects(spec, **fmt) -> list[str]:
    """One sub-select per ``(table, columns, rows)`` of ``spec`` for :func:`fingerprint_sql`: ``columns``
    as written (``*``: every one), ``rows`` a condition (``str.format``-ed with ``fmt``) or None."""
    out = []
    for table, cols, rows in spec:
        where = "" if rows is None else " WHERE " + rows.format(**fmt)
        out.append(f"(SELECT {cols} FROM {table}{where})")
    return out


def sources_key(store, sources: list[str]) -> str | None:
    """SHA-256 (hex) of the :func:`fingerprint_sql` of ``sources`` (table names or :func:`sub_selects`),
    read in one statement: what a kept result was computed from, declared by its module. None on an
    engine without row hashes or when a source cannot be read (an old schema)."""
    if store.kind not in ROW_HASHES:
        return None
    try:
        digested = has_digest(store)
        if not digested and any(s in TABLES for s in sources):
            data_key(store)                                  # the tables' memo at the current counters
        with store.engine.connect() as conn:
            if digested:
                parts = _remembered_parts(store, conn, list(sources))
            else:
                parts = _scanned_parts(store, conn, list(sources))
    except sa.exc.SQLAlchemyError:
        return None
    return hashlib.sha256(repr((tuple(sources), parts)).encode()).hexdigest()


def tables_at(store, conn) -> dict[str, tuple[str, ...]] | None:
    """``{table: (count, xor, sum)}`` of :data:`TABLES` as :func:`data_key` last read them, if the data
    counters read on ``conn`` (its transaction's snapshot) are still the ones they were read at; else
    None. The whole tables' share of a fingerprint without scanning them again."""
    counters = tuple(str(x) for x in conn.execute(sa.text(data_sql(store))).one())
    memo = _MEMO.get(store_ident(store))
    return memo[2] if memo is not None and memo[0] == counters else None


def _scanned_parts(store, conn, sources: list[str]) -> tuple[str, ...]:
    """:func:`fingerprint_sql`'s row of ``sources`` on an engine without a digest (DuckDB): the whole
    tables of :data:`TABLES` from :func:`data_key`'s read when it was at the counters of ``conn``'s
    snapshot (after an import it is read first, and the KPI, alert and answer inputs declare
    ``monthly_report`` whole: 0.3–0.4 s a scan at province scale, three more per change), the rest
    scanned in one statement, in that snapshot."""
    whole = tables_at(store, conn) if any(s in TABLES for s in sources) else None
    rest = [s for s in sources if whole is None or s not in whole]
    row = [str(x) for x in conn.execute(sa.text(fingerprint_sql(store.kind, rest))).one()] if rest else []
    scanned = {s: tuple(row[3 * i:3 * i + 3]) for i, s in enumerate(rest)}
    return tuple(v for s in sources for v in (scanned[s] if s in scanned else whole[s]))


_SOURCE = re.compile(r"^\(SELECT .+? FROM (\w+)(?: WHERE .*)?\)$|^(\w+)$", re.S)
_SOURCE_MEMO: dict = {}             # (database, source) → (its table's digest, the source's three parts)


def _remembered_parts(store, conn, sources: list[str]) -> tuple[str, ...]:
    """:func:`fingerprint_sql`'s row of ``sources``: a whole table of :data:`TABLES` read from the digest
    (:mod:`chainbrain.store.digest`: it equals the scan; the KPI and alert groups declare
    ``monthly_report`` whole, 3.7 s to scan on PostgreSQL at province scale), a sub-select of one from
    the memo while its table's digest is as when it was last scanned (a month's reports for the
    disclosure patterns), anything else scanned. A sub-select's parts are remembered only when its
    table's digest did not move during the scan."""
    db = str(getattr(store, "db", "") or "")
    before, _ = digest_sums(conn)
    out, missing = {}, []
    for src in sources:
        m = _SOURCE.match(src)
        table = (m.group(1) or m.group(2)) if m else None
        memo = _SOURCE_MEMO.get((db, src)) if table in before else None
        if m and m.group(2) in TABLES:                   # a whole digested table: the digest is its scan
            out[src] = tuple(str(v) for v in before.get(table, (0, None, None)))
        elif memo is not None and memo[0] == before[table]:
            out[src] = memo[1]
        else:
            missing.append((src, table))
    if missing:
        row = [str(x) for x in conn.execute(sa.text(fingerprint_sql(store.kind, [m for m, _ in missing]))).one()]
        after, _ = digest_sums(conn)
        for i, (src, table) in enumerate(missing):
            out[src] = tuple(row[3 * i:3 * i + 3])
            if table in before and after.get(table) == before[table]:
                with _LOCK:
                    _SOURCE_MEMO[(db, src)] = (before[table], out[src])
    return tuple(v for src in sources for v in out[src])


def store_ident(store) -> tuple:
    """What names ``store``'s database in this process's memos: its engine and file or URL (an in-memory
    database: the store object)."""
    db = str(getattr(store, "db", "") or "")
    return (store.kind, db if db and ":memory:" not in db else id(store))


def data_key(store) -> str:
    """SHA-256 (hex) of the content of :data:`TABLES` (module docstring); the fingerprint is read only
    when the data counters moved since this process last read it for ``store``'s database."""
    ident = store_ident(store)
    digested, crowded = has_digest(store), False           # asked before a connection is held
    with store.engine.connect() as conn:
        counters = tuple(str(x) for x in conn.execute(sa.text(data_sql(store))).one())
        with _LOCK:
            memo = _MEMO.get(ident)
            reading = _READING.setdefault(ident, threading.Lock())
        if memo is not None and memo[0] == counters:
            return memo[1]
        # one fingerprint at a time per database (single flight): the others wait for it and find it in the
        # memo. In the load test every request after an import read it at once, ten scans of 0.43 s on two
        # cores: their answers all came 2–3 s later. The connection is held already, so no pool deadlock.
        with reading:
            with _LOCK:
                memo = _MEMO.get(ident)
            if memo is not None and memo[0] == counters:
                return memo[1]
            tables = None
            if digested:                                 # PostgreSQL: the sums its triggers keep (store/digest.py)
                parts, crowded = digest_parts(conn, TABLES)
            elif store.kind in ROW_HASHES:               # one snapshot with the counters (the connection's)
                parts = tuple(str(x) for x in conn.execute(sa.text(fingerprint_sql(store.kind))).one())
                tables = {t: parts[3 * i:3 * i + 3] for i, t in enumerate(TABLES)}
            else:                                        # another engine: the counters alone, as before
                parts = counters
            key = hashlib.sha256(repr(tuple(str(x) for x in parts)).encode()).hexdigest()
            with _LOCK:
                _MEMO[ident] = (counters, key, tables)
    if crowded:                     # on a connection of its own, once this one is back in the pool
        compact(store)
    return key


#: tables no cached answer of the web reads, written by the requests and imports themselves: the log of
#: imports and their jobs, the audit log, sign-in state, PostgreSQL's change counter, and the figures and
#: disclosure patterns the server keeps per data key (valid for their key by construction); and the files of
#: the report archive (its page is not a cached answer; the documents would cost seconds to hash)
NOT_READ = ("import_batch", "import_job", "audit_log", "web_session", "login_attempt", "login_throttle",
            "data_change", "data_digest", "cockpit_figure", "disclosure_pattern", "report_file")


def answers_key(store) -> str | None:
    """SHA-256 (hex) of the :func:`data_key` and the fingerprint of every other table of the schema but
    :data:`NOT_READ` (the work system, digital assessments, clusters, users, reports, computed
    indicators and alerts …): the same while everything a cached answer of the web may read is the same,
    whatever was written meanwhile (a re-upload of rows as stored, a command that changed nothing
    read). Read in full at every call (the fact tables' part from the data key's memo). None on an
    engine without row hashes or a store without the schema's tables."""
    from chainbrain.store.schema import metadata

    if store.kind not in ROW_HASHES:
        return None
    try:
        base = data_key(store)
        with store.engine.connect() as conn:
            present = set(sa.inspect(conn).get_table_names())
            rest = [t for t in sorted(metadata.tables) if t not in TABLES and t not in NOT_READ and t in present]
            parts = tuple(conn.execute(sa.text(fingerprint_sql(store.kind, rest))).one()) if rest else ()
    except sa.exc.SQLAlchemyError:
        return None
    return hashlib.sha256(repr((base, tuple(rest), tuple(str(x) for x in parts))).encode()).hexdigest()
