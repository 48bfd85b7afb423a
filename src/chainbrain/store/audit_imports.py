"""Imports in the audit log: start and end around an import, and imports whose process died.

The web import flow (:mod:`chainbrain.web.views.imports`) and ``chainbrain import``
(:func:`import_span`) write ``import_start`` — with the host and process id
(:func:`process_mark`) — and ``import_end``. A process killed during an import
leaves a start without an end: :func:`close_dead_imports`, run when the server
starts, closes it as ``import_died`` once that process is gone (nothing of the
import was kept: imports are all-or-nothing).
"""

from __future__ import annotations

import contextlib
import json

from chainbrain.store.audit import _chain, _write, append, entry, flush


def process_mark() -> dict:
    """Who is running this: host and process id (written on ``import_start``)."""
    import os
    import socket

    return {"host": socket.gethostname(), "pid": os.getpid()}


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def import_span(store, actor: str, kind: str, file_name: str, **extra):
    """``import_start`` before the block and ``import_end`` after it (status from the dict the block
    fills: ``status``, ``result``; ``failed`` with the error when it raises) — the command line's
    imports; a killed process is closed later by :func:`close_dead_imports`."""
    import uuid

    job, obj = uuid.uuid4().hex[:16], f"import:{file_name}"
    append(store, actor, "import_start", obj, job=job, kind=kind, file=file_name, **extra, **process_mark())
    out: dict = {}
    try:
        yield out
    except BaseException as exc:
        append(store, actor, "import_end", obj, job=job, kind=kind, file=file_name, status="failed",
               message=f"{type(exc).__name__}: {exc}")
        raise
    append(store, actor, "import_end", obj, job=job, kind=kind, file=file_name, status=out.get("status"),
           result=out.get("result"))


def close_dead_imports(store) -> list[str]:
    """An ``import_died`` entry for every ``import_start`` of this host with no ``import_end`` whose
    process is gone (killed during the import); the ids of the jobs closed. Run at server start, in one
    chain transaction (several server processes starting together close each import once)."""
    import os

    me = process_mark()
    flush(store)
    closed = []
    with _chain(store) as tx:
        starts = tx.run("SELECT actor, object, detail FROM audit_log WHERE action = 'import_start'")
        if not starts:
            return closed
        ended = {json.loads(d or "{}").get("job") for (d,) in
                 tx.run("SELECT detail FROM audit_log WHERE action IN ('import_end', 'import_died')")}
        rows = []
        for actor, obj, detail in starts:
            d = json.loads(detail or "{}")
            job, pid = d.get("job"), d.get("pid")
            if job in ended or d.get("host") != me["host"] or not isinstance(pid, int):
                continue
            if pid == os.getpid() or _alive(pid):
                continue
            rows.append(entry(actor, "import_died", obj, {
                "job": job, "kind": d.get("kind"), "file": d.get("file"), "pid": pid,
                "note": "the process running the import ended before it finished; nothing of it was kept "
                        "(imports are all-or-nothing) (导入进程中途终止，未写入任何数据)"}))
            closed.append(job)
        if rows:
            _write(tx, rows)
    return closed
