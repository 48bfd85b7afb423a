"""a change counter that PostgreSQL triggers keep, so the data version costs one row read (#20)

Adds ``data_change`` (one row: ``id`` 1, ``n`` — the number of committed transactions that wrote a
counted table) on every engine (:mod:`chainbrain.store.schema_monitoring`). On PostgreSQL, a
STATEMENT-level trigger ``AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE`` on each table that the
data counters count (:data:`chainbrain.store.changes.COUNTED`) records the writing transaction in
``data_change_tx`` (once per transaction), and a deferred constraint trigger on that table adds 1
to ``n`` at commit — so writers of different rows never wait for each other on the counter (its
row is locked only while a transaction commits), and a rolled-back write changes nothing. Every
writer is seen: imports, COPY, manual SQL corrections of any process.
:func:`chainbrain.store.changes.data_sql` then reads ``n`` instead of ``COUNT(*)`` of the fact
tables (150–250 ms at province scale). On DuckDB (no triggers) the table stays at 0 and unused:
the data version keeps counting rows there.

Revision ID: 0038_change_counter
Revises: 0035_password_history
"""
from alembic import op
import sqlalchemy as sa

revision = "0038_change_counter"
down_revision = "0035_password_history"
branch_labels = None
depends_on = None

#: the tables whose row counts the data version read before this migration (store/patterns.py DATA_SQL)
COUNTED = ("monthly_report", "enterprise_attr", "enterprise_segment", "enterprise", "target", "import_batch",
           "designation", "annual_report", "segment_override", "supply_link", "enterprise_scale")

PG_UP = """
CREATE TABLE data_change_tx (xid bigint PRIMARY KEY);
CREATE FUNCTION data_change_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_change_tx (xid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION data_change_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_change SET n = n + 1 WHERE id = 1;
    IF NOT FOUND THEN
        INSERT INTO data_change (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = data_change.n + 1;
    END IF;
    DELETE FROM data_change_tx WHERE xid = NEW.xid;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER data_change_count AFTER INSERT ON data_change_tx
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_change_count();
"""


def upgrade() -> None:
    op.create_table(
        "data_change",
        sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO data_change (id, n) VALUES (1, 0)")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(PG_UP)
    for name in COUNTED:
        op.execute(f'CREATE TRIGGER data_change_mark AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{name}" '
                   "FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in COUNTED:
            op.execute(f'DROP TRIGGER IF EXISTS data_change_mark ON "{name}"')
        op.execute("DROP TABLE data_change_tx")
        op.execute("DROP FUNCTION data_change_mark()")
        op.execute("DROP FUNCTION data_change_count()")
    op.drop_table("data_change")
