"""The work system's tasks, supervision and working meetings (migration ``0009_work_tasks``).

项目化、清单式 tracking (policy-facts §1.8, 2024 implementation): the year's
work points become tasks with a responsible unit and person, cooperating
units, chain, region, deadline and milestones; progress reports carry
evidence files; the assigning office verifies before a task is closed.

- ``work_task``: one task; ``status`` is a state of
  :data:`chainbrain.work.task_flow.STATES`; ``assigner_scope`` is the office
  that assigned it and verifies it (``province``, ``chain:EI``,
  ``region:360100``); ``escalation_level`` is the supervision clock's step
  (:mod:`chainbrain.work.supervision`); ``project_id`` marks a problem raised on a key
  project (:mod:`chainbrain.work.projects`); ``version`` is the optimistic-lock
  counter (a stale one is refused with a conflict).
- ``work_task_unit``: cooperating units (配合单位) of a task.
- ``work_task_milestone``: milestones (节点) with due and done dates.
- ``work_task_progress``: progress reports (进展情况) with a percentage.
- evidence files of a progress report are rows of the base's ``work_attachment``
  (entity ``work_task_progress``), stored outside the web root under generated names.
- ``work_task_escalation``: each escalation step the tick applied (one row per
  task and step, so a tick run twice does nothing twice).
- ``work_notice``: supervision notices (督办单), issued and answered.
- ``work_meeting`` / ``work_meeting_attendee`` / ``work_meeting_decision``:
  working meetings (工作例会) with agenda, attendees and decisions; each
  decision points at the task it became.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import metadata
from chainbrain.store.schema_work_common import stamp as _stamp


work_task = sa.Table(
    "work_task", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("seq", sa.String(16)),                              # 序号 as written in the office's list
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("chain_code", sa.String(8)),
    sa.Column("region_code", sa.String(6), nullable=False),       # province, city or county
    sa.Column("lead_unit", sa.String(128), nullable=False),
    sa.Column("lead_person", sa.String(64)),
    sa.Column("deadline", sa.Date, nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("progress_pct", sa.Integer, nullable=False, server_default="0"),
    sa.Column("progress_note", sa.Text),                          # latest 进展情况
    sa.Column("last_progress_on", sa.Date),
    sa.Column("reported_on", sa.Date),                            # completion reported (待核验)
    sa.Column("verified_on", sa.Date),
    sa.Column("verified_by", sa.String(64)),
    sa.Column("closed_on", sa.Date),
    sa.Column("assigner_scope", sa.String(32), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),           # plan|meeting|import|manual
    sa.Column("meeting_id", sa.BigInteger),
    sa.Column("project_id", sa.BigInteger),                       # a problem raised on a key project
    sa.Column("escalation_level", sa.Integer, nullable=False, server_default="0"),
    *_stamp(),
)
sa.Index("ix_work_task_chain", work_task.c.chain_code)
sa.Index("ix_work_task_region", work_task.c.region_code)

work_task_unit = sa.Table(
    "work_task_unit", metadata,
    sa.Column("task_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("unit", sa.String(128), primary_key=True),
)

work_task_milestone = sa.Table(
    "work_task_milestone", metadata,
    sa.Column("task_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("done_on", sa.Date),
)

work_task_progress = sa.Table(
    "work_task_progress", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("task_id", sa.BigInteger, nullable=False),
    sa.Column("reported_on", sa.Date, nullable=False),
    sa.Column("reported_at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("percent", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)
sa.Index("ix_work_task_progress_task", work_task_progress.c.task_id)

work_task_escalation = sa.Table(
    "work_task_escalation", metadata,
    sa.Column("task_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("step", sa.String(24), primary_key=True),           # at_risk|overdue|chain|province
    sa.Column("applied_on", sa.Date, nullable=False),
    sa.Column("working_days", sa.Integer, nullable=False),
    sa.Column("notice_id", sa.BigInteger),
)

work_notice = sa.Table(
    "work_notice", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("number", sa.String(40), nullable=False),           # 督办〔2025〕N号
    sa.Column("task_id", sa.BigInteger, nullable=False),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("issuer_scope", sa.String(32), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("answer_due", sa.Date, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),           # issued|answered
    sa.Column("automatic", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("answer", sa.Text),
    sa.Column("answered_on", sa.Date),
    sa.Column("answered_by", sa.String(64)),
    *_stamp(),
)
sa.Index("ix_work_notice_task", work_notice.c.task_id)

work_meeting = sa.Table(
    "work_meeting", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("held_on", sa.Date, nullable=False),
    sa.Column("chain_code", sa.String(8)),
    sa.Column("region_code", sa.String(6), nullable=False),
    sa.Column("place", sa.String(200)),
    sa.Column("chair", sa.String(64)),
    sa.Column("agenda", sa.Text, nullable=False),                 # one item a line
    sa.Column("organizer_scope", sa.String(32), nullable=False),
    *_stamp(),
)

work_meeting_attendee = sa.Table(
    "work_meeting_attendee", metadata,
    sa.Column("meeting_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("unit", sa.String(128)),
    sa.Column("title", sa.String(64)),                            # e.g. 链长, 副链长, 链主企业
)

work_meeting_decision = sa.Table(
    "work_meeting_decision", metadata,
    sa.Column("meeting_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("task_id", sa.BigInteger, nullable=False),
)

#: ids from the sequences ``<table>_id_seq`` (:func:`chainbrain.work.records.new_id`)
SEQUENCES = ("work_task", "work_task_progress", "work_notice", "work_meeting")

WORK_TASK_TABLES = ("work_task", "work_task_unit", "work_task_milestone", "work_task_progress", "work_task_escalation", "work_notice", "work_meeting",
                    "work_meeting_attendee", "work_meeting_decision")
