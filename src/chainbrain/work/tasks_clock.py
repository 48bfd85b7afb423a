"""Registers the tasks' supervision clock (:func:`chainbrain.work.tasks_tick.tick`) as the tick job
``tasks`` of ``chainbrain work tick`` and the server's timer (:mod:`chainbrain.work.tick`)."""

from __future__ import annotations

from chainbrain.work.tick import register


@register("tasks")
def tasks_job(store, today):
    from chainbrain.work.tasks_tick import tick

    return tick(store, today)
