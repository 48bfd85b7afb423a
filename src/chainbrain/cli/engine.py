"""The ``--engine/--lake/--spark-master`` options' run: the source to read and one-line failures."""

from __future__ import annotations

import contextlib

import typer

from chainbrain.periods import PeriodError


def _first_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return (lines[0] if lines else type(exc).__name__)[:300]


@contextlib.contextmanager
def source(store, engine: str | None, lake: str | None, master: str | None):
    """The analytics' source (:func:`chainbrain.analytics.engine_select.analytics_source`); a bad
    choice exits 2, a failed Spark job exits 3 with one line (the store is left as it was)."""
    from chainbrain.analytics.engine_select import EngineError, analytics_source
    from chainbrain.store.lake import LakeError

    view = None
    try:
        with analytics_source(store, engine, lake, master) as view:
            yield view
    except (EngineError, LakeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    except Exception as exc:
        watch = getattr(view, "watch", None)
        reason = watch.reason if watch is not None else None
        if reason is None and (engine != "spark" or isinstance(exc, (typer.Exit, PeriodError, ValueError))):
            raise
        # Py4J / Spark errors, or jobs cancelled for want of executors: one line, no traceback
        typer.echo(f"error: the Spark job failed; the store is unchanged — {reason or _first_line(exc)} "
                   f"(Spark 作业失败，数据库未改动)", err=True)
        raise typer.Exit(3)
