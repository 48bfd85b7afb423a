"""The content digest PostgreSQL keeps (migration 0039_data_digest, issue #20): per table of the data key
(:data:`chainbrain.store.content.TABLES`), the row count ``n``, the XOR ``x`` and the sum ``s`` of
``hashtextextended(row::text, 0)`` over its rows — what :func:`chainbrain.store.content.fingerprint_sql`
reads by scanning — kept as appended deltas by statement triggers, so that reading it sums a few
hundred small rows instead of turning 1.2 M monthly reports into text (6 s at province scale; the
data key is read after every import, and the figures' and patterns' inputs keys after it).

For a table ``t`` with rows ``r``: ``n = Σ 1``, ``x = ⊕ h(r)``, ``s = Σ h(r)``; an INSERT appends the new
rows' ``(count, ⊕, Σ)``, a DELETE ``(−count, ⊕, −Σ)`` of the old ones, an UPDATE both (XOR is its own
inverse), a TRUNCATE the negation of the table's total. The sums are taken in one snapshot, so they
are the committed content exactly as a scan in that snapshot would see it.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.changes import has_trigger

#: deltas beyond which a reader folds them into one row per table (a demo build appends thousands)
COMPACT_AT = 500

SUMS_SQL = "SELECT tbl, sum(n), bit_xor(x), sum(s), count(*) FROM data_digest GROUP BY tbl"

COMPACT_SQL = """
WITH gone AS (DELETE FROM data_digest RETURNING tbl, n, x, s)
INSERT INTO data_digest (tbl, n, x, s)
SELECT tbl, sum(n), bit_xor(x), sum(s) FROM gone GROUP BY tbl HAVING sum(n) <> 0
"""


def has_digest(store) -> bool:
    """True when ``store`` is PostgreSQL with the digest's triggers (checked once per open store)."""
    return has_trigger(store, "data_digest_ins")


def sums(conn) -> tuple[dict, int]:
    """``({table: (n, x, s)}, deltas)`` in ``conn``'s snapshot: a table with no row is ``(0, None, None)``
    — as the scan's ``count``, ``bit_xor`` and ``sum`` of no row — or absent."""
    out, deltas = {}, 0
    for tbl, n, x, s, k in conn.execute(sa.text(SUMS_SQL)):
        deltas += int(k)
        out[tbl] = (int(n), int(x), int(s)) if n else (0, None, None)
    return out, deltas


def parts(conn, tables) -> tuple[tuple[str, ...], bool]:
    """The scan's row (:func:`chainbrain.store.content.fingerprint_sql` of ``tables``) as strings, from the
    digest, and whether it is worth compacting."""
    got, deltas = sums(conn)
    return tuple(str(v) for t in tables for v in got.get(t, (0, None, None))), deltas > COMPACT_AT


def compact(store) -> None:
    """Fold the deltas into one row per table (its own transaction; a concurrent compaction or writer is
    safe: the rows deleted are exactly the rows summed). Skipped quietly when the store refuses writes."""
    try:
        with store.engine.begin() as conn:
            conn.execute(sa.text(COMPACT_SQL))
    except sa.exc.SQLAlchemyError:
        pass


def _scan_sql(name: str) -> str:
    return (f"SELECT count(*) AS n, bit_xor(h) AS x, sum(h) AS s "
            f'FROM (SELECT hashtextextended(r::text, 0) AS h FROM "{name}" r) q')


def refill(conn, tables) -> None:
    """Replace the digest of ``tables`` by a scan of them, each locked against writers meanwhile (SHARE
    mode): for a migration that changes their columns, or after writes made with triggers off."""
    for name in tables:
        conn.execute(sa.text(f'LOCK TABLE "{name}" IN SHARE MODE'))
        conn.execute(sa.text("DELETE FROM data_digest WHERE tbl = :t"), {"t": name})
        conn.execute(sa.text(f"INSERT INTO data_digest (tbl, n, x, s) SELECT :t, n, x, s FROM ({_scan_sql(name)}) q "
                             "WHERE n > 0"), {"t": name})


def verify(store, tables) -> list[str]:
    """The tables of ``tables`` whose digest no longer equals a scan of their rows (writes made with
    triggers off: ``session_replication_role = replica``, a data-only ``pg_restore --disable-triggers``),
    each filled again from the scan; ``chainbrain compute`` runs this first (one scan, 6 s at province
    scale). Nothing on a store without the digest."""
    if not has_digest(store):
        return []
    wrong = []
    for name in tables:
        with store.engine.begin() as conn:
            conn.execute(sa.text(f'LOCK TABLE "{name}" IN SHARE MODE'))
            got = sums(conn)[0].get(name, (0, None, None))
            n, x, s = conn.execute(sa.text(_scan_sql(name))).one()
            if got != ((int(n), int(x), int(s)) if n else (0, None, None)):
                refill(conn, (name,))
                wrong.append(name)
    return wrong


__all__ = ["COMPACT_AT", "compact", "has_digest", "parts", "refill", "sums", "verify"]
