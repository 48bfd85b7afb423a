"""Store administration: initialise with a pack, count rows."""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.catalog.load import load_catalog
from chainbrain.catalog.pack import load_pack
from chainbrain.store.migrate import upgrade
from chainbrain.store.schema import LOG_TABLES, metadata


def init_store(store, pack: str | None = None) -> dict[str, int]:
    """Apply migrations and (re)load the province pack's catalog."""
    upgrade(store)
    return load_catalog(store, load_pack(pack))


def stats(store) -> dict:
    """``{"data": {table: rows}, "log": {table: rows}}``; logs are import batches and audit."""
    out = {"data": {}, "log": {}}
    with store.engine.connect() as conn:
        for name in sorted(metadata.tables):
            n = conn.execute(sa.text(f'SELECT COUNT(*) FROM "{name}"')).scalar()
            out["log" if name in LOG_TABLES else "data"][name] = int(n)
    return out
