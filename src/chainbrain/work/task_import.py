"""The office's Excel task list in and out of the store (reader and writer:
:mod:`chainbrain.ingest.work_tasks`).

Import is all or nothing: every row is checked first — including that the importing office may
assign a task of that chain and region (:func:`chainbrain.work.task_scope.may_assign`) — and
only a clean file is written, in one transaction, each row a task (source ``import``, audited).
Export writes the caller's visible tasks (with the list's filters) in the same columns.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from chainbrain.ingest.work_tasks import Lookups, read_tasks, write_tasks
from chainbrain.work import task_scope as scope
from chainbrain.work.task_write import NotAllowed, create_task
from chainbrain.work.tasks import list_tasks


def import_tasks(store, user, path: str | Path, today: dt.date) -> list[int]:
    """Import the workbook at ``path`` as tasks assigned by ``user``; returns the new ids.
    Raises :class:`~chainbrain.ingest.work_tasks.TaskFileError` (nothing written) on any error."""
    if user.role not in scope.MANAGERS:
        raise NotAllowed(f"role {user.role} does not assign tasks (该角色不能交办任务)")
    with store.engine.connect() as conn:
        rows = read_tasks(path, Lookups(), allowed=lambda chain, region: scope.may_assign(
            conn, user, chain if chain or user.role != "chain_office" else user.chain_code, region),
            default_region=user.region_code if user.role in ("city", "county") else None)
    ids = []
    with store.begin() as conn:
        for r in rows:
            ids.append(create_task(store, conn, user, {
                "seq": r.seq, "title": r.title, "lead_unit": r.lead_unit, "lead_person": r.lead_person,
                "coop_units": r.coop_units, "chain_code": r.chain_code, "region_code": r.region_code,
                "deadline": r.deadline, "progress_note": r.progress_note, "status": r.status}, today, source="import"))
    return ids


def export_tasks(store, user, today: dt.date, filters: dict | None = None) -> bytes:
    """The caller's visible tasks as the office's workbook (xlsx bytes)."""
    d = list_tasks(store, user, today, filters)
    rows = [{**t, "deadline": dt.date.fromisoformat(t["deadline"])} for t in d["items"]]
    return write_tasks(rows, f"重点工作任务清单（导出于 {today.isoformat()}）")
