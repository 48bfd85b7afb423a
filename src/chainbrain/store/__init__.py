"""Where data lives: one schema on DuckDB (embedded default) or PostgreSQL (production)."""

from chainbrain.store.engine import Store, open_store

__all__ = ["Store", "open_store"]
