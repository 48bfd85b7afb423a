"""Store administration: initialise with a pack, count rows."""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.catalog.load import catalog_tables
from chainbrain.catalog.pack import Pack, load_pack
from chainbrain.store.migrate import upgrade
from chainbrain.store.schema import CATALOG_TABLES, LOG_TABLES, metadata
from chainbrain.store.schema_changes import CHANGE_TABLES
from chainbrain.store.schema_clusters import CATALOG as CLUSTER_CATALOG
from chainbrain.store.schema_users import AUX_TABLES
from chainbrain.store.schema_work import AUX_WORK_TABLES


def load_catalog(store, pack: Pack) -> dict[str, int]:
    """Replace the store's catalog with ``pack`` in one transaction; returns rows per table.

    Records the pack's name, version and effective date in ``pack_meta``.
    """
    tables = catalog_tables(pack)
    counts = {}
    with store.begin() as conn:
        for name in CATALOG_TABLES + CLUSTER_CATALOG:
            conn.execute(sa.text(f'DELETE FROM "{name}"'))
            counts[name] = store.bulk_insert(conn, name, tables[name])
    return counts


def init_store(store, pack: str | None = None) -> dict[str, int]:
    """Apply migrations and (re)load the province pack's catalog."""
    upgrade(store)
    return load_catalog(store, load_pack(pack))


def stats(store) -> dict:
    """``{"data": {table: rows}, "log": {table: rows}}``.

    Logs: import batches, the audit log, and auxiliary tables (user accounts,
    sessions, login attempts) that hold no statistical data.
    """
    out = {"data": {}, "log": {}}
    with store.engine.connect() as conn:
        for name in sorted(metadata.tables):
            n = conn.execute(sa.text(f'SELECT COUNT(*) FROM "{name}"')).scalar()
            out["log" if name in LOG_TABLES or name in AUX_TABLES or name in AUX_WORK_TABLES
                or name in CHANGE_TABLES else "data"][name] = int(n)
    return out
