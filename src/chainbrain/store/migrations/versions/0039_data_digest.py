"""the content digest PostgreSQL's triggers keep, so the data key costs one small read (#20)

Adds ``data_digest`` (``tbl``, ``n``, ``x``, ``s``: deltas of a table's row count, the XOR and the sum of
its rows' 64-bit hashes, :mod:`chainbrain.store.digest`) on every engine. On PostgreSQL, STATEMENT-level
``AFTER`` triggers with transition tables on each table of the data key
(:data:`chainbrain.store.content.TABLES`) append one row per writing statement: an INSERT adds its new
rows' ``hashtextextended(row::text, 0)``, a DELETE subtracts its old rows', an UPDATE both, a TRUNCATE
cancels the table's total. Appended, never updated: writers of different tables take no common row
lock, so no two imports can deadlock on it. The sum over ``tbl`` equals what
:func:`chainbrain.store.content.fingerprint_sql` reads by scanning every row (6 s at province scale:
1.2 M monthly reports turned into text), and is filled here by that scan once. On DuckDB (no
triggers) the table stays empty and the data key scans as before.

A later migration that changes the columns of one of these tables changes its rows' text: it must
fill the digest again (:func:`chainbrain.store.digest.refill`), or the digest still detects every change
but no longer equals a scan.

Revision ID: 0039_data_digest
Revises: 0038_change_counter
"""
from alembic import op
import sqlalchemy as sa

from chainbrain.store.digest import refill

revision = "0039_data_digest"
down_revision = "0038_change_counter"
branch_labels = None
depends_on = None

#: the data key's tables at this migration (store/content.py TABLES; tests/test_data_digest.py checks them equal)
TABLES = ("monthly_report", "enterprise_attr", "enterprise_segment", "enterprise", "target", "designation",
          "annual_report", "segment_override", "supply_link", "enterprise_scale", "pack_meta", "sei_share",
          "price_index")

PG_UP = """
CREATE FUNCTION data_digest_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO data_digest (tbl, n, x, s)
        SELECT TG_TABLE_NAME, count(*), bit_xor(h), sum(h)
        FROM (SELECT hashtextextended(r::text, 0) AS h FROM digest_new r) q HAVING count(*) > 0;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO data_digest (tbl, n, x, s)
        SELECT TG_TABLE_NAME, -count(*), bit_xor(h), -sum(h)
        FROM (SELECT hashtextextended(r::text, 0) AS h FROM digest_old r) q HAVING count(*) > 0;
    ELSE
        INSERT INTO data_digest (tbl, n, x, s)
        SELECT TG_TABLE_NAME, 0, bit_xor(h), sum(sign * h::numeric)
        FROM (SELECT hashtextextended(r::text, 0) AS h, 1 AS sign FROM digest_new r
              UNION ALL SELECT hashtextextended(r::text, 0), -1 FROM digest_old r) q
        HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION data_digest_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_digest (tbl, n, x, s)
    SELECT tbl, -sum(n), bit_xor(x), -sum(s) FROM data_digest WHERE tbl = TG_TABLE_NAME GROUP BY tbl;
    RETURN NULL;
END $$;
"""

#: the triggers of one table: (name, event, transition tables, function)
TRIGGERS = (
    ("data_digest_ins", "INSERT", "REFERENCING NEW TABLE AS digest_new", "data_digest_rows"),
    ("data_digest_del", "DELETE", "REFERENCING OLD TABLE AS digest_old", "data_digest_rows"),
    ("data_digest_upd", "UPDATE", "REFERENCING OLD TABLE AS digest_old NEW TABLE AS digest_new", "data_digest_rows"),
    ("data_digest_trunc", "TRUNCATE", "", "data_digest_truncate"),
)


def upgrade() -> None:
    op.create_table(
        "data_digest",
        sa.Column("tbl", sa.Text, nullable=False),
        sa.Column("n", sa.BigInteger, nullable=False),
        sa.Column("x", sa.BigInteger),
        sa.Column("s", sa.Numeric),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(PG_UP)
    for name in TABLES:
        for trig, event, refs, fn in TRIGGERS:
            op.execute(f'CREATE TRIGGER {trig} AFTER {event} ON "{name}" {refs} '
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}()")
    refill(op.get_bind(), TABLES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in TABLES:
            for trig, *_ in TRIGGERS:
                op.execute(f'DROP TRIGGER IF EXISTS {trig} ON "{name}"')
        op.execute("DROP FUNCTION data_digest_rows()")
        op.execute("DROP FUNCTION data_digest_truncate()")
    op.drop_table("data_digest")
