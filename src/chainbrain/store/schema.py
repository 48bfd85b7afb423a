"""The one schema of ChainBrain, in SQLAlchemy Core, identical on DuckDB and PostgreSQL.

The core (``metadata``, ``Money``, the catalog, fact and log tables and the
table lists) is :mod:`chainbrain.store.schema_core`; each ``schema_*`` part
adds its tables to the same ``metadata``. Importing this module loads them all.
"""

from __future__ import annotations

from chainbrain.store.schema_core import *  # noqa: F401,F403  (the core's names, re-exported)
from chainbrain.store.schema_core import CATALOG_TABLES, FACT_TABLES, LOG_TABLES, metadata  # noqa: F401

from chainbrain.store import schema_users  # noqa: F401
from chainbrain.store import schema_monitoring  # noqa: F401
from chainbrain.store import schema_advantage  # noqa: F401
from chainbrain.store import schema_statistics  # noqa: F401
from chainbrain.store import schema_operations  # noqa: F401
from chainbrain.store import schema_work  # noqa: F401
from chainbrain.store import schema_work_tasks  # noqa: F401
from chainbrain.store import schema_work_org  # noqa: F401
from chainbrain.store import schema_work_projects  # noqa: F401
from chainbrain.store import schema_supply  # noqa: F401
from chainbrain.store import schema_attract  # noqa: F401
from chainbrain.store import schema_work_programs  # noqa: F401
from chainbrain.store import schema_reports  # noqa: F401
from chainbrain.store import schema_disclosure  # noqa: F401
from chainbrain.store import schema_clusters  # noqa: F401
from chainbrain.store import schema_library  # noqa: F401
from chainbrain.store import schema_cultivation  # noqa: F401
from chainbrain.store import schema_digital  # noqa: F401
from chainbrain.store import schema_audit  # noqa: F401
from chainbrain.store import schema_imports  # noqa: F401
from chainbrain.store import schema_changes  # noqa: F401
