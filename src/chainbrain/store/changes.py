"""The SQL of the store's data counters, chosen by engine: what the data version
(:mod:`chainbrain.store.version`) and the data key (:func:`chainbrain.store.patterns.data_key`) read.

- DuckDB, and a PostgreSQL store without the change counter (migrated before 0038_change_counter):
  :data:`chainbrain.store.patterns.DATA_SQL` — row counts of the fact tables, the newest import
  batch and pack load (5–13 ms on DuckDB, 150–250 ms on PostgreSQL at province scale).
- PostgreSQL with the counter: :data:`COUNTER_SQL` — ``data_change.n`` (raised by one per committed
  transaction that inserted, updated, deleted or truncated any of :data:`COUNTED`, whoever wrote:
  statement triggers, migration 0038), the newest import batch (primary key) and pack load: index
  and one-row reads, about a millisecond. A change of the data changes the tuple either way.
"""

from __future__ import annotations

import threading
import weakref

import sqlalchemy as sa

#: the tables whose row counts DATA_SQL reads; on PostgreSQL each has the counter's trigger
COUNTED = ("monthly_report", "enterprise_attr", "enterprise_segment", "enterprise", "target", "import_batch",
           "designation", "annual_report", "segment_override", "supply_link", "enterprise_scale")

COUNTER_SQL = """
SELECT (SELECT n FROM data_change WHERE id = 1), (SELECT MAX(id) FROM import_batch),
       (SELECT MAX(loaded_at) FROM pack_meta)
"""

_triggers: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()   # store → {trigger: bool}
_lock = threading.Lock()


def has_trigger(store, trigger: str) -> bool:
    """True when ``store`` is PostgreSQL and ``monthly_report`` has ``trigger`` (checked once per open
    store and trigger; a store migrated while open keeps its former answer until reopened — correct,
    only slower)."""
    if store.kind != "postgres":
        return False
    with _lock:
        known = _triggers.get(store, {}).get(trigger)
    if known is None:
        with store.engine.connect() as conn:
            known = bool(conn.execute(sa.text(
                "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = :t "
                "AND tgrelid = to_regclass('monthly_report'))"), {"t": trigger}).scalar())
        with _lock:
            _triggers.setdefault(store, {})[trigger] = known
    return known


def has_counter(store) -> bool:
    """True when ``store`` is PostgreSQL with the change counter's trigger."""
    return has_trigger(store, "data_change_mark")


def data_sql(store) -> str:
    """The data counters' SELECT for ``store`` (module docstring)."""
    if has_counter(store):
        return COUNTER_SQL
    from chainbrain.store.patterns import DATA_SQL

    return DATA_SQL
