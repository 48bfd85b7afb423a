"""The task state machine, on the work system's workflow (:mod:`chainbrain.work.workflow`).

==========  =====================================  ======================  ===================
action      from                                   to                      who
==========  =====================================  ======================  ===================
start       assigned                               in_progress             responsible
submit      assigned, in_progress                  awaiting_verification   lead unit / office
verify      awaiting_verification                  verified                assigning office
reject      awaiting_verification                  in_progress             assigning office
close       verified                               closed                  assigning office
==========  =====================================  ======================  ===================

A progress report on an ``assigned`` task starts it. Closing is possible only from
``verified``: a task is closed (销号) only after the assigning office has verified it. Any
other move is refused by the machine with one bilingual message.
"""

from __future__ import annotations

from chainbrain.work.task_states import LABELS, STATES
from chainbrain.work.workflow import Workflow

TRANSITIONS = [
    {"trigger": "start", "source": "assigned", "dest": "in_progress"},
    {"trigger": "submit", "source": ["assigned", "in_progress"], "dest": "awaiting_verification"},
    {"trigger": "verify", "source": "awaiting_verification", "dest": "verified"},
    {"trigger": "reject", "source": "awaiting_verification", "dest": "in_progress"},
    {"trigger": "close", "source": "verified", "dest": "closed"},
]
ACTIONS = tuple(t["trigger"] for t in TRANSITIONS)
ACTION_LABELS = {"start": ("开始推进", "start"), "submit": ("申请办结", "report completion"),
                 "verify": ("核验通过", "verify"), "reject": ("退回", "send back"),
                 "close": ("办结销号", "close")}
#: who may fire each action (checked by :mod:`chainbrain.work.task_write` with task_scope)
WHO = {"start": "responsible", "submit": "lead", "verify": "assigner", "reject": "assigner", "close": "assigner"}


WORKFLOW = Workflow(("task", "任务"), list(STATES),
                    [(t["trigger"], t["source"], t["dest"]) for t in TRANSITIONS],
                    {**{s: LABELS[s][0] for s in STATES}, **{a: v[0] for a, v in ACTION_LABELS.items()}})


def fire(state: str, action: str) -> str:
    """The state after ``action`` from ``state``; the workflow refuses a move it does not allow
    (:class:`~chainbrain.work.workflow.Refused`, one bilingual message; routes answer 409)."""
    return WORKFLOW.next_state(state, action)


def allowed_actions(state: str) -> list[str]:
    """Actions the machine allows from ``state`` (before checking who asks)."""
    return WORKFLOW.allowed(state)
