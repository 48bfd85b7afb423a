"""``chainbrain work tick``: the work system's clock jobs (escalations, automatic closures, reminders).

Each part of the work system registers a job ``job(store, today) -> dict`` with
:func:`register`; :func:`run` calls them all for ``today`` and returns
``{job name: its summary}``. The web server runs the same on a timer
(:mod:`chainbrain.web.views.requests`, ``CHAINBRAIN_WORK_TICK_S``). Jobs are
idempotent: running twice on one day changes nothing the second time. After the jobs have
committed, the notifications they created are mailed when ``[mail] enabled``
(:func:`chainbrain.work.mail.dispatch`; the summary's ``mail``).
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

JOBS: dict[str, Callable] = {}


def register(name: str):
    """Decorator: add ``fn(store, today) -> dict`` as the tick job ``name``."""
    def deco(fn):
        JOBS[name] = fn
        return fn
    return deco


def load_jobs() -> None:
    """Import the modules that register jobs."""
    import importlib

    for mod in ("chainbrain.work.requests_clock", "chainbrain.work.tasks_clock"):
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise


def run(store, today: dt.date | None = None, send_mail: bool = True) -> dict:
    """Every job for ``today``; then (``send_mail``) the pending e-mail, outside the jobs' transactions."""
    from chainbrain.work import mail

    load_jobs()
    today = today or dt.date.today()
    out = {name: job(store, today) for name, job in sorted(JOBS.items())}
    if send_mail and mail.enabled():
        out["mail"] = mail.dispatch(store)
    return out
