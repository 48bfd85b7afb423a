"""The enterprise search index: every firm's id, name, USCC and pinyin initials as Arrow arrays.

Matching (:meth:`NameIndex.match`), in this order, each class by ascending id:

1. exact USCC (any case);
2. USCC prefix (a query of 4 or more characters) or pinyin-initials prefix (ASCII query);
3. name contains the query, or initials contain it (ASCII query of 2 or more characters).

Why arrays: the former index was a list of Python tuples scanned in a Python loop (≈ 25 ms of
interpreter time per query at the demo province's 124 k firms, holding the GIL, so 50 users'
searches ran one after another); the Arrow kernels (``starts_with``, ``match_substring``) do
the same comparisons in C in ≈ 2–4 ms.

Updates (:meth:`NameIndex.read`): the table is re-read in one ordered scan (id, name, USCC),
and initials are spelled (pypinyin, ≈ 110 µs a name: 13 s for the province from nothing)
only for names the previous index did not hold; the others are taken from it by a vectorised
lookup. A snapshot never changes; :class:`Kept` replaces it when the data move, in a
background thread, and keeps answering from the previous one meanwhile (a search waits at most
``wait`` seconds for a running rebuild — never for the whole of it).
"""

from __future__ import annotations

import logging
import re
import threading
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from chainbrain.store.engine import fetch_arrow

log = logging.getLogger("chainbrain.analytics")

_SUFFIX = re.compile(r"（演示）|\(演示\)")
SQL = "SELECT id, name, uscc FROM enterprise ORDER BY id"
RETRY_S = 10.0                             # seconds before a failed read is tried again
USCC_LEN = 18                              # a USCC has 18 characters (GB 32100-2015): shorter queries match none exactly


def reference_match(rows, q: str) -> list[int]:
    """The matching rule of the module docstring as a plain loop over ``(id, name, uscc, initials)``
    rows in id order — the former index's way, kept as the specification the Arrow match is tested
    against (tests/test_search_index.py) and as the benchmark's baseline (bench_profile_search)."""
    q = q.strip()
    up, low, ascii_only = q.upper(), q.lower(), q.isascii()
    exact, prefix, other = [], [], []
    for i, name, uscc, ini in rows:
        if uscc and uscc == up:
            exact.append(i)
        elif (uscc and len(q) >= 4 and uscc.startswith(up)) or (ascii_only and ini.startswith(low)):
            prefix.append(i)
        elif q in name or (ascii_only and len(q) >= 2 and low in ini):
            other.append(i)
    return exact + prefix + other


def initials(name: str) -> str:
    """Pinyin initials of the Chinese characters in ``name`` (南昌电子 → ``ncdz``; other characters dropped)."""
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:                    # optional: search by name and USCC still works
        return ""
    name = _SUFFIX.sub("", name or "")
    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if p).lower()


def database_match(conn, q: str) -> list[int]:
    """:meth:`NameIndex.match` without the initials, in the database (before the first index is read)."""
    q = q.strip()
    if not q:
        return []
    up = q.upper()
    sql = ("SELECT id, upper(uscc) AS u FROM enterprise WHERE upper(uscc) = :up "
           "OR (:long AND substr(upper(uscc), 1, :n) = :up) OR strpos(name, :q) > 0 ORDER BY id")
    rows = conn.execute(sa.text(sql), {"up": up, "q": q, "n": len(q), "long": len(q) >= 4}).all()
    exact = [int(r.id) for r in rows if r.u == up]
    prefix = [int(r.id) for r in rows if r.u != up and len(q) >= 4 and (r.u or "").startswith(up)]
    taken = set(exact) | set(prefix)
    return exact + prefix + [int(r.id) for r in rows if int(r.id) not in taken]


class NameIndex:
    """One snapshot of the enterprise table for search (module docstring); ``version``: the data
    version it was read at (the caller's tag)."""

    def __init__(self, ids: np.ndarray, names: pa.Array, usccs: pa.Array, inits: pa.Array, version=None,
                 spelled: int = 0):
        self.ids, self.names, self.usccs, self.inits = ids, names, usccs, inits
        self.version = version
        self.spelled = spelled                 # names whose initials this read had to spell

    @classmethod
    def read(cls, conn, version=None, previous: "NameIndex | None" = None, spell=None) -> "NameIndex":
        """Read the enterprise table from an open SQLAlchemy connection; initials of names already in
        ``previous`` are reused, the others spelled by ``spell`` (default :func:`initials`)."""
        t = fetch_arrow(conn, SQL)
        ids = np.asarray(t.column("id").to_numpy(zero_copy_only=False), dtype=np.int64)
        names = pc.fill_null(t.column("name").combine_chunks().cast(pa.string()), "")
        usccs = pc.utf8_upper(pc.fill_null(t.column("uscc").combine_chunks().cast(pa.string()), ""))
        inits, spelled = cls._initials(names, previous, spell or initials)
        return cls(ids, names, usccs, inits, version, spelled)

    @staticmethod
    def _initials(names: pa.Array, previous, spell) -> tuple[pa.Array, int]:
        if previous is not None and len(previous.names):
            at = pc.index_in(names, value_set=previous.names)          # null: a name new to the index
            known = pc.take(previous.inits, at)
        else:
            at = known = pa.nulls(len(names), pa.string())
        missing = np.flatnonzero(pc.is_null(at).to_numpy(zero_copy_only=False))
        if not len(missing):
            return known.cast(pa.string()), 0
        new_names = pc.take(names, pa.array(missing)).to_pylist()
        memo: dict[str, str] = {}
        for n in new_names:
            if n not in memo:
                memo[n] = spell(n)
        filled = known.to_pylist()
        for i, n in zip(missing.tolist(), new_names):
            filled[i] = memo[n]
        return pa.array(filled, pa.string()), len(memo)

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self) -> list[tuple[int, str, str, str]]:
        """(id, name, USCC upper-cased, initials) of every firm, by id (tests)."""
        return list(zip(self.ids.tolist(), self.names.to_pylist(), self.usccs.to_pylist(), self.inits.to_pylist()))

    def spelled_as(self, ids) -> dict[int, tuple[str, str]]:
        """(name, initials) of the listed firms held by the index, by id."""
        ids = np.asarray([int(i) for i in ids], dtype=np.int64)
        at = np.minimum(self.ids.searchsorted(ids), max(len(self.ids) - 1, 0))
        held = [(int(i), int(p)) for i, p in zip(ids, at) if len(self.ids) and self.ids[p] == i]
        take = pa.array([p for _, p in held], pa.int64())
        names, inits = pc.take(self.names, take).to_pylist(), pc.take(self.inits, take).to_pylist()
        return {i: (n, s) for (i, _), n, s in zip(held, names, inits)}

    def match(self, q: str) -> list[int]:
        """Ids of the firms matching ``q``: exact USCC, then prefixes, then contained (module docstring)."""
        q = q.strip()
        if not q or not len(self.ids):
            return []
        up, low, ascii_only = q.upper(), q.lower(), q.isascii()
        n = len(self.ids)
        exact = pc.equal(self.usccs, up).to_numpy(zero_copy_only=False) if len(up) == USCC_LEN else \
            np.zeros(n, dtype=bool)
        prefix = np.zeros(n, dtype=bool)
        if len(q) >= 4:
            prefix |= pc.starts_with(self.usccs, up).to_numpy(zero_copy_only=False)
        if ascii_only:
            prefix |= pc.starts_with(self.inits, low).to_numpy(zero_copy_only=False)
        other = pc.match_substring(self.names, q).to_numpy(zero_copy_only=False)
        if ascii_only and len(q) >= 2:
            other |= pc.match_substring(self.inits, low).to_numpy(zero_copy_only=False)
        prefix &= ~exact
        other &= ~(exact | prefix)
        return self.ids[np.concatenate([np.flatnonzero(exact), np.flatnonzero(prefix),
                                        np.flatnonzero(other)])].tolist()


class Kept:
    """The newest :class:`NameIndex` of one store, rebuilt in the background when the data version moves.

    :meth:`get` returns ``(index, fresh)``: the index read at ``version`` (fresh), else the newest
    older one (not fresh) while a rebuild runs — after waiting at most ``wait`` seconds for it —
    or ``(None, False)`` when no index has been read yet and the first read takes longer than
    ``cold_wait``. ``connect``: a callable giving an open SQLAlchemy connection context (a reader
    of its own, never the application's analytics connection).
    """

    def __init__(self, wait: float = 0.5, cold_wait: float = 3.0):
        self.index: NameIndex | None = None
        self.wait, self.cold_wait = wait, cold_wait
        self.builds = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.failed: str | None = None
        self._failed_at = float("-inf")           # a failed read is not retried for RETRY_S seconds

    def _rebuild(self, connect, version) -> None:
        try:
            t0 = time.perf_counter()
            with connect() as conn:
                index = NameIndex.read(conn, version, self.index)
            with self._lock:
                if self.index is None or self.index.version != version:
                    self.index = index
                    self.builds += 1
            self.failed = None
            log.info("search index: %d firms, %d names spelled, read in %.2f s", len(index), index.spelled,
                     time.perf_counter() - t0)
        except Exception as exc:                   # searches keep the previous index (or the database)
            self.failed = str(exc)
            self._failed_at = time.monotonic()
            log.warning("search index rebuild failed: %s", exc)
        finally:
            with self._lock:
                self._thread = None

    def start(self, connect, version) -> threading.Thread | None:
        """Start a rebuild for ``version`` unless the index is at it or one is running; the running thread."""
        with self._lock:
            if self.index is not None and self.index.version == version:
                return None
            if self._thread is None and time.monotonic() - self._failed_at < RETRY_S:
                return None
            if self._thread is None:
                self._thread = threading.Thread(target=self._rebuild, args=(connect, version), daemon=True,
                                                name="chainbrain-search-index")
                self._thread.start()
            return self._thread

    def get(self, connect, version) -> tuple[NameIndex | None, bool]:
        index = self.index
        if index is not None and index.version == version:
            return index, True
        th = self.start(connect, version)
        if th is not None:
            th.join(self.cold_wait if index is None else self.wait)
        index = self.index
        return index, index is not None and index.version == version

    def build(self, connect, version) -> NameIndex | None:
        """Read the index for ``version`` now (the warm-up), waiting for the read; the index."""
        for _ in range(3):                         # a running rebuild may be for an older version
            th = self.start(connect, version)
            if th is None:
                break
            th.join()
            if self.failed:
                break
        return self.index
