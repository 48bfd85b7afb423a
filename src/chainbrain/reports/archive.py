"""Keep generated reports in the store with their data version (``report_file``, migration 0014).

:func:`keep` writes one file (never updated afterwards), :func:`listing` lists them without
their content, :func:`content` reads one back. The data version is the report model's: the
newest import batch behind the period's reports and its load time.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa

from chainbrain.store.schema_reports import report_file


def keep(store, model, fmt: str, body: bytes, created_by: str, run_id: int | None = None) -> int:
    """Store ``body`` (the report ``model`` written as ``fmt``; ``run_id``: the scheduled run it
    belongs to); returns its id."""
    dv = model.data_version
    loaded = dv.get("loaded_at")
    loaded = dt.datetime.fromisoformat(loaded) if isinstance(loaded, str) else loaded
    with store.begin() as conn:
        rid = store.next_id(conn, "report_file")
        conn.execute(report_file.insert().values(
            id=rid, kind="monthly", period=model.period, chain_code=(model.chain or {}).get("code"),
            region_code=(model.region or {}).get("code"), scope=model.scope, format=fmt,
            viewer="operator" if model.viewer.operator else (model.viewer.user.username if model.viewer.user
                                                              else "public"),
            data_batch_id=dv.get("batch_id"), data_loaded_at=loaded, title=model.title,
            sha256=hashlib.sha256(body).hexdigest(), size_bytes=len(body), content=body,
            created_at=dt.datetime.now().replace(microsecond=0), created_by=created_by[:64], run_id=run_id))
    return rid


def listing(store, period: str | None = None, run_id: int | None = None) -> list[dict]:
    """Kept reports (newest first), without their content; only ``period``'s / ``run_id``'s if given."""
    cols = [c for c in report_file.c if c.name != "content"]
    q = sa.select(*cols).order_by(report_file.c.id.desc())
    if period:
        q = q.where(report_file.c.period == period)
    if run_id is not None:
        q = q.where(report_file.c.run_id == run_id)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def content(store, rid: int) -> bytes | None:
    with store.engine.connect() as conn:
        v = conn.execute(sa.select(report_file.c.content).where(report_file.c.id == rid)).scalar()
    return bytes(v) if v is not None else None
