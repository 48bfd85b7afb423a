"""The ``compute_run`` log: a run is written ``running`` before it computes, so a killed run shows (#20).

- :func:`begin` — commits a ``running`` row with this process's host and pid (after closing the
  runs of dead processes), before anything is computed;
- the refresh then writes its results and turns the row ``done`` in ONE transaction
  (:func:`chainbrain.analytics.aggregates.refresh`): killed before that commit, the previous
  results stay whole and the row stays ``running``;
- :func:`fail` — the row of a run that raised becomes ``failed`` with the error;
- :func:`close_dead` — every ``running`` row of this host whose process is gone becomes ``died``
  (run by :func:`begin` and by :func:`runs`, so the next compute or the listing says it);
- :func:`runs` — the newest runs, for ``chainbrain compute-runs``.

The data version pages cache by counts only ``done`` runs (:data:`chainbrain.store.version.COMPUTE_SQL`),
so a run that starts, fails or dies does not drop cached answers.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store import schema_monitoring as M

DIED = ("the process ended before its results were written; the previous results are unchanged "
        "(计算进程在写入结果前终止，原有结果未改变)")


def _alive(pid: int) -> bool:
    from chainbrain.store.audit_imports import _alive as alive

    return alive(pid)


def close_dead(store) -> list[int]:
    """Mark ``died`` every ``running`` run of this host whose process is gone; their ids."""
    import os

    from chainbrain.store.audit_imports import process_mark

    host = process_mark()["host"]
    t = M.compute_run
    with store.begin() as conn:
        rows = conn.execute(sa.select(t.c.id, t.c.pid).where(t.c.status == "running", t.c.host == host)).all()
        dead = [rid for rid, pid in rows if pid is not None and pid != os.getpid() and not _alive(pid)]
        if dead:
            conn.execute(t.update().where(t.c.id.in_(dead)).values(status="died", message=DIED))
    return dead


def begin(store, periods: list[str], engine: str, version: str | None) -> int:
    """Commit a ``running`` row for a refresh about to compute; its id."""
    from chainbrain.store.audit_imports import process_mark

    close_dead(store)
    me = process_mark()
    with store.begin() as conn:
        run_id = store.next_id(conn, "compute_run")
        conn.execute(M.compute_run.insert().values(
            id=run_id, started_at=dt.datetime.now(), periods=",".join(periods), rows=0, status="running",
            engine=engine, data_version=version, host=me["host"][:255], pid=me["pid"]))
    return run_id


def fail(store, run_id: int, exc: BaseException) -> None:
    """The run raised: ``failed`` with the error's first line (best effort: the store may be gone)."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:2000]
    try:
        with store.begin() as conn:
            conn.execute(M.compute_run.update().where(M.compute_run.c.id == run_id).values(
                status="failed", finished_at=dt.datetime.now(), message=f"{type(exc).__name__}: {text}"))
    except Exception:                                   # noqa: BLE001 - the original error is what matters
        pass


def runs(store, limit: int = 20) -> list[dict]:
    """The newest ``limit`` runs (dead ones marked first), newest first."""
    close_dead(store)
    t = M.compute_run
    cols = [t.c.id, t.c.status, t.c.started_at, t.c.finished_at, t.c.seconds, t.c.rows, t.c.periods,
            t.c.engine, t.c.host, t.c.pid, t.c.message]
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*cols).order_by(t.c.id.desc()).limit(limit)).mappings().all()
    out = []
    for r in rows:
        d = dict(r)
        for k in ("started_at", "finished_at"):
            d[k] = d[k].isoformat(sep=" ", timespec="seconds") if d[k] else None
        periods = (d.pop("periods") or "").split(",")
        d["periods"] = f"{periods[0]} … {periods[-1]} ({len(periods)})" if periods != [""] else ""
        out.append(d)
    return out
