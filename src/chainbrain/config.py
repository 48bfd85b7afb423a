"""Settings shared by every layer: where the store lives and which pack is in use.

`--db` options default to ``$CHAINBRAIN_DB``, else ``data/chainbrain.duckdb``.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = "data/chainbrain.duckdb"
DEFAULT_PACK = "jiangxi"


def default_db() -> str:
    """The store location used when no ``--db`` is given."""
    return os.environ.get("CHAINBRAIN_DB") or DEFAULT_DB


def package_dir() -> Path:
    return Path(__file__).resolve().parent
