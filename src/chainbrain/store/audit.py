"""The audit log (``audit_log``) as a hash chain: append, read with filters, verify, prune.

Every entry stores ``row_hash = SHA-256(prev_hash + canonical(entry))`` where
``prev_hash`` is the ``row_hash`` of the entry before it (:data:`GENESIS` for
the first) and ``canonical`` is the JSON array ``[id, logged_at, actor,
action, object, detail]`` (ISO time to the second, UTF-8, no spaces) — the
construction of a hash chain / linked timestamping (Haber & Stornetta 1991;
RFC 3161's linking idea). Changing, deleting or inserting a stored entry
breaks the chain from that entry on: :func:`verify` names the first entry
whose ``prev_hash`` or ``row_hash`` does not match. The chain shows tampering
by anyone who does not also recompute every later hash: keep the head hash
(``chainbrain audit verify`` prints it, exports carry it) outside the database.

Appends are serialised: one lock per store in this process, and on PostgreSQL
a transaction-level advisory lock (several server processes). On DuckDB the
entry is written on a cursor of its own (no analytics lock needed).
:func:`append` commits before it returns (sign-ins, imports, exports, edits);
:func:`append_soon` queues entries of frequent request-path events (profile
reads, refusals) for a background writer that chains them in one transaction
every 0.2 s (a DuckDB commit costs ≈ 15 ms): a process killed within that
window loses those entries, never the chain's integrity.

Retention (:func:`prune`): entries older than the cut-off are deleted except
the newest of them, which stays as the chain's *anchor* (its own hash still
checks; its ``prev_hash`` points at deleted history), and an ``audit_prune``
entry appended at the head records the anchor's id and ``prev_hash`` and how
many entries went. :func:`verify` accepts a first entry whose ``prev_hash``
is not :data:`GENESIS` only if such a prune entry vouches for it.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import hashlib
import json
import threading
import weakref
from dataclasses import dataclass

import sqlalchemy as sa

GENESIS = "0" * 64
PG_LOCK_KEY = 7_120_020_024                   # pg_advisory_xact_lock key of the audit chain
COLUMNS = ("id", "logged_at", "actor", "action", "object", "detail")

_locks: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_cursors: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_guard = threading.Lock()


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _iso(value) -> str:
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    return str(value)


def canonical(row: dict) -> str:
    """The entry as hashed: ``[id, logged_at, actor, action, object, detail]`` as compact JSON."""
    return json.dumps([int(row["id"]), _iso(row["logged_at"]), row["actor"], row["action"], row.get("object"),
                       row.get("detail")], ensure_ascii=False, separators=(",", ":"))


def row_hash(prev_hash: str, row: dict) -> str:
    """SHA-256 (hex) of ``prev_hash`` followed by :func:`canonical` of ``row``."""
    return hashlib.sha256((prev_hash + canonical(row)).encode("utf-8")).hexdigest()


def chain_rows(rows: list[dict], prev: str = GENESIS):
    """``(id, prev_hash, row_hash)`` for ``rows`` in id order, chained from ``prev`` (the migration)."""
    for r in rows:
        h = row_hash(prev, r)
        yield int(r["id"]), prev, h
        prev = h


def _lock(store) -> threading.RLock:
    with _guard:
        lk = _locks.get(store)
        if lk is None:
            lk = _locks[store] = threading.RLock()
        return lk


def _duck_cursor(store):
    """A DuckDB cursor of the store's own for audit writes (used under :func:`_lock`)."""
    cur = _cursors.get(store)
    if cur is None:
        cur = _cursors[store] = store._raw.cursor()
    return cur


class _Tx:
    """One audit transaction: ``run(sql, params)`` → rows; DuckDB on the audit cursor, else SQLAlchemy."""

    def __init__(self, cur=None, conn=None):
        self.cur, self.conn = cur, conn

    def run(self, sql: str, params: dict | None = None) -> list[tuple]:
        params = params or {}
        if self.cur is not None:
            import re

            names = re.findall(r":(\w+)", sql)
            res = self.cur.execute(re.sub(r":(\w+)", "?", sql), [params[n] for n in names])
            return res.fetchall() if res.description else []
        res = self.conn.execute(sa.text(sql), params)
        return [tuple(r) for r in res] if res.returns_rows else []


@contextlib.contextmanager
def _chain(store):
    """A transaction holding the chain's head: this process's lock, and PostgreSQL's advisory lock."""
    with _lock(store), _chain_locked(store) as tx:
        yield tx


@contextlib.contextmanager
def _chain_locked(store):
    """:func:`_chain` for a caller that holds this process's lock already."""
    if store.kind == "duckdb" and getattr(store, "_raw", None) is not None:
        cur = _duck_cursor(store)
        cur.execute("BEGIN TRANSACTION")
        try:
            yield _Tx(cur=cur)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return
    with store.engine.begin() as conn:
        if store.kind == "postgres":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
        yield _Tx(conn=conn)


INSERT = ("INSERT INTO audit_log (id, logged_at, actor, action, object, detail, prev_hash, row_hash) "
          "VALUES (:id, :logged_at, :actor, :action, :object, :detail, :prev_hash, :row_hash)")
FIELDS = ("id", "logged_at", "actor", "action", "object", "detail", "prev_hash", "row_hash")


def entry(actor: str, action: str, object: str | None, detail: dict) -> dict:
    """An entry not yet chained (no id or hashes): stamped now."""
    return {"logged_at": _now(), "actor": (actor or "anonymous")[:64], "action": action[:32],
            "object": (object or None) and str(object)[:128],
            "detail": json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)}


def _write(tx: _Tx, rows: list[dict]) -> list[dict]:
    """Chain ``rows`` onto the head (one read of the head, one insert of all) inside ``tx``."""
    head = tx.run("SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1")
    nid, prev = (int(head[0][0]) + 1, head[0][1] or GENESIS) if head else (1, GENESIS)
    for row in rows:
        row["id"], row["prev_hash"] = nid, prev
        row["row_hash"] = prev = row_hash(prev, row)
        nid += 1
    if tx.cur is not None:
        tx.cur.executemany("INSERT INTO audit_log (id, logged_at, actor, action, object, detail, prev_hash, row_hash) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [[r[k] for k in FIELDS] for r in rows])
    else:
        tx.conn.execute(sa.text(INSERT), rows)
    return rows


def _append(tx: _Tx, actor: str, action: str, object: str | None, detail: dict) -> dict:
    return _write(tx, [entry(actor, action, object, detail)])[0]


def append(store, actor: str, action: str, object: str | None = None, /, **detail) -> dict:
    """Append one entry at the head of the chain now (committed on return); the entry written."""
    flush(store)                                   # queued entries first: ids follow the order of events
    with _chain(store) as tx:
        return _append(tx, actor, action, object, detail)


# ---------------------------------------------------------------- entries written in batches
class _Writer:
    """Entries of frequent events (profile reads, refusals) queued by request threads and chained in one
    transaction every :data:`BATCH_S` seconds by a background thread: a commit costs ≈ 15 ms on DuckDB
    (measured), a queued entry ≈ 0.01 ms. :func:`flush` writes the queue at once (reads of the log,
    shutdown, process exit)."""

    def __init__(self, store):
        self.store = weakref.ref(store)
        self.items: list[dict] = []
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="chainbrain-audit")
        self.thread.start()

    def put(self, row: dict) -> None:
        with self.lock:
            self.items.append(row)
            if len(self.items) >= BATCH_ROWS:
                self.wake.set()

    def flush(self) -> None:
        store = self.store()
        with _lock(store) if store is not None else contextlib.nullcontext():
            with self.lock:
                rows, self.items = self.items, []
            if rows and store is not None:
                with _chain_locked(store) as tx:
                    _write(tx, rows)

    def _run(self) -> None:
        while self.store() is not None and not _stopping.is_set():
            self.wake.wait(BATCH_S)
            self.wake.clear()
            if _stopping.is_set():                       # process exit: the main thread writes the rest
                return
            try:
                self.flush()
            except Exception as exc:                     # a closed store (shutdown): stop; else retry later
                import logging

                logging.getLogger("chainbrain.audit").warning("audit entries not written yet: %s", exc)
                if getattr(self.store(), "_raw", 1) is None:
                    return


BATCH_S = 0.2
BATCH_ROWS = 200
#: set at process exit: the writer threads stop before the interpreter (and DuckDB) is torn down — a
#: daemon thread inside DuckDB at that moment aborted the process ("terminate called without an active
#: exception", exit status 134, seen in the test suite)
_stopping = threading.Event()
_writers: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def append_soon(store, actor: str, action: str, object: str | None = None, /, **detail) -> None:
    """Queue one entry (stamped now) for the background writer (:class:`_Writer`): for events on the
    request path that must not wait for a commit."""
    with _guard:
        w = _writers.get(store)
        if w is None:
            w = _writers[store] = _Writer(store)
    w.put(entry(actor, action, object, detail))


def flush(store) -> None:
    """Write the queued entries of ``store`` now, and wait for a batch the background writer is
    writing (it took them off the queue before its commit: a reader that only looked at the queue
    read the log without them — the audit page once showed 0 of 7 profile reads under load)."""
    w = _writers.get(store)
    if w is not None:
        w.flush()


@atexit.register
def _flush_all() -> None:
    """At exit: stop the writer threads (each finishes the batch it is writing), then write what is left."""
    _stopping.set()
    writers = list(_writers.items())
    for _, w in writers:
        w.wake.set()
    for _, w in writers:
        w.thread.join(timeout=10)
    for store, _ in writers:
        with contextlib.suppress(Exception):
            flush(store)


# ---------------------------------------------------------------- reading
@dataclass(frozen=True)
class Filters:
    """What the audit page asks for: all optional; ``since``/``until`` are dates (inclusive)."""
    actor: str | None = None
    action: str | None = None
    object: str | None = None                    # a part of the object (``enterprise:``, a USCC, a file name)
    since: dt.date | None = None
    until: dt.date | None = None

    def where(self) -> tuple[str, dict]:
        conds, params = [], {}
        if self.actor:
            conds.append("actor = :actor")
            params["actor"] = self.actor
        if self.action:
            conds.append("action = :action")
            params["action"] = self.action
        if self.object:
            conds.append("object LIKE :object")
            params["object"] = f"%{self.object}%"
        if self.since:
            conds.append("logged_at >= :since")
            params["since"] = dt.datetime.combine(self.since, dt.time())
        if self.until:
            conds.append("logged_at < :until")
            params["until"] = dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time())
        return (" WHERE " + " AND ".join(conds)) if conds else "", params


def count(conn, f: Filters) -> int:
    where, params = f.where()
    return int(conn.execute(sa.text(f"SELECT COUNT(*) FROM audit_log{where}"), params).scalar())


def entries(conn, f: Filters, limit: int | None = None, offset: int = 0, newest_first: bool = True) -> list[dict]:
    """Entries matching ``f`` (with their hashes), newest first by default; ``limit`` None: all."""
    where, params = f.where()
    sql = (f"SELECT id, logged_at, actor, action, object, detail, prev_hash, row_hash FROM audit_log{where} "
           f"ORDER BY id {'DESC' if newest_first else 'ASC'}")
    if limit is not None:
        sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
    return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]


def actions(conn) -> list[str]:
    return [r[0] for r in conn.execute(sa.text("SELECT DISTINCT action FROM audit_log ORDER BY action"))]


# ---------------------------------------------------------------- verify and prune
@dataclass
class Verdict:
    ok: bool
    entries: int
    head: str                       # row_hash of the newest entry (GENESIS when empty)
    broken_id: int | None = None    # the first entry that does not check
    reason: str = ""

    def public(self) -> dict:
        return {"ok": self.ok, "entries": self.entries, "head": self.head, "broken_id": self.broken_id,
                "reason": self.reason}


def _anchors(rows: list[dict]) -> dict[int, str]:
    """{anchor id: its prev_hash} vouched for by ``audit_prune`` entries."""
    out = {}
    for r in rows:
        if r["action"] == "audit_prune":
            try:
                d = json.loads(r["detail"] or "{}")
                out[int(d["anchor_id"])] = str(d["anchor_prev_hash"])
            except (ValueError, KeyError, TypeError):
                continue
    return out


def verify_rows(rows: list[dict], excerpt: bool = False) -> Verdict:
    """Check a chain given as entries in id order (from the store or an export). ``excerpt``: the rows
    are a filtered export — every entry's own hash is checked, the link only between consecutive ids."""
    if not rows:
        return Verdict(True, 0, GENESIS)
    anchors = _anchors(rows)
    prev, prev_id = None, None
    for r in rows:
        rid = int(r["id"])
        if excerpt and prev_id is not None and rid != prev_id + 1:
            prev = None                                   # a gap of the filter: the link is not checked
        first = prev_id is None
        prev_id = rid
        if first and not excerpt:
            first_prev = r.get("prev_hash")
            if first_prev != GENESIS and anchors.get(rid) != first_prev:
                return Verdict(False, len(rows), rows[-1].get("row_hash") or "", rid,
                               "the first entry is not the start of the chain, and no prune entry names it as "
                               "the anchor (entries before it were deleted)")
        elif prev is not None and r.get("prev_hash") != prev:
            return Verdict(False, len(rows), rows[-1].get("row_hash") or "", rid,
                           "prev_hash differs from the entry before (an entry was changed, removed or inserted)")
        expected = row_hash(r.get("prev_hash") or "", r)
        if r.get("row_hash") != expected:
            return Verdict(False, len(rows), rows[-1].get("row_hash") or "", rid,
                           "row_hash does not match the entry's content (the entry was changed)")
        prev = r["row_hash"]
    return Verdict(True, len(rows), prev)


def verify(store) -> Verdict:
    """:func:`verify_rows` over the whole ``audit_log`` of ``store``."""
    flush(store)
    with store.engine.connect() as conn:
        return verify_rows(entries(conn, Filters(), newest_first=False))


def prune(store, older_than_days: int, actor: str = "cli") -> dict:
    """Delete entries older than ``older_than_days`` days, keeping the newest of them as the anchor
    and appending an ``audit_prune`` entry, in one transaction (module docstring).
    ``{"deleted", "anchor_id", "cutoff"}``."""
    if older_than_days < 1:
        raise ValueError("--older-than must be at least 1 day (保留天数至少为 1 天)")
    cutoff = _now() - dt.timedelta(days=older_than_days)
    flush(store)
    with _chain(store) as tx:
        anchor = tx.run("SELECT id, prev_hash FROM audit_log WHERE logged_at < :c ORDER BY id DESC LIMIT 1",
                        {"c": cutoff})
        if not anchor:
            return {"deleted": 0, "anchor_id": None, "cutoff": _iso(cutoff)}
        aid, aprev = int(anchor[0][0]), anchor[0][1]
        deleted = int(tx.run("SELECT COUNT(*) FROM audit_log WHERE id < :i", {"i": aid})[0][0])
        if deleted:
            tx.run("DELETE FROM audit_log WHERE id < :i", {"i": aid})
            _append(tx, actor, "audit_prune", "audit_log", {"anchor_id": aid, "anchor_prev_hash": aprev,
                                                            "deleted": deleted, "older_than_days": older_than_days,
                                                            "cutoff": _iso(cutoff)})
    return {"deleted": deleted, "anchor_id": aid if deleted else None, "cutoff": _iso(cutoff)}
