"""The requests' clock, run by ``chainbrain work tick`` and the server's timer.

On day ``today`` (rules: :mod:`chainbrain.work.request_rules`, working days:
:mod:`chainbrain.work.calendar`):

- **escalation** (一事一议): a request not yet escalated that is still
  ``submitted`` on or after ``add_working_days(respond_due, escalate_after)``,
  or still ``accepted``/``in_progress`` on or after
  ``add_working_days(resolve_due, escalate_after)``, is escalated to its chain's
  office (the province when it has no chain);
- **automatic closure** (销号): an ``answered`` request whose ``confirm_due``
  has passed (``today > confirm_due``) without the enterprise confirming is
  closed with ``close_reason = "deadline"``.

Each change goes through the workflow and the version check like a user's
(actor ``system`` in the audit trail); a run on the same day twice changes
nothing the second time.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store.schema_work import work_request as wr
from chainbrain.work.calendar import add_working_days
from chainbrain.work.records import Conflict
from chainbrain.work.request_rules import load_rules
from chainbrain.work.requests import system_act
from chainbrain.work.tick import register


def escalation_day(row, escalate_after: int) -> dt.date:
    """The first day the clock escalates ``row`` (by its current state)."""
    due = row.respond_due if row.status == "submitted" else row.resolve_due
    return add_working_days(due, escalate_after)


@register("requests")
def tick(store, today: dt.date) -> dict:
    rules = load_rules()
    escalated, closed = [], []
    at = dt.datetime.combine(today, dt.time(0, 0))
    with store.engine.connect() as conn:
        candidates = conn.execute(sa.select(wr).where(sa.or_(
            sa.and_(wr.c.status.in_(("submitted", "accepted", "in_progress")), sa.not_(wr.c.escalated)),
            sa.and_(wr.c.status == "answered", wr.c.confirm_due < today)))).all()
    for row in candidates:
        try:
            with store.begin() as conn:
                if row.status == "answered":
                    system_act(conn, row, "close_deadline", {"closed_at": at, "close_reason": "deadline",
                                                             "updated_at": at},
                               f"confirmation deadline {row.confirm_due} passed (确认期限已过，自动销号)")
                    closed.append(int(row.id))
                elif today >= escalation_day(row, rules.escalate_after_days):
                    due = row.respond_due if row.status == "submitted" else row.resolve_due
                    reason = (f"overdue since {due}: escalated after {rules.escalate_after_days} working days "
                              f"(逾期超过 {rules.escalate_after_days} 个工作日，自动提级，一事一议)")
                    system_act(conn, row, "escalate", {"escalated": True, "escalated_at": at,
                                                       "escalation_reason": reason, "updated_at": at}, reason)
                    escalated.append(int(row.id))
        except Conflict:                       # a user changed it meanwhile: the next tick looks again
            continue
    return {"escalated": escalated, "closed": closed}
