"""The work system's tables (migration ``0008_work_requests``), SQLAlchemy Core.

Base (shared by every part of the work system):

- ``work_audit``: the audit trail of work items — who (user name, role), when,
  entity and id, action, the item before and after (JSON text), a note.
- ``inbox_message``: one row per recipient user — text, link, the item it is
  about, when it was read (NULL: unread); its e-mail copy (migration ``0013_work_links``):
  ``mail_state`` NULL (not mailed) | pending | sending | sent | failed, ``mail_error``,
  ``mail_sent_at`` (:mod:`chainbrain.work.mail`).
- ``work_attachment``: files attached to work items (stored outside the web
  root under a generated name; original name, type and size kept here).
- ``user_account.unit_code`` (defined with ``user_account`` in ``schema_users``, so that every
  reader of the table has it): the scope of role ``unit`` (a code of the pack's ``work/units.csv``).

Enterprise requests (诉求):

- ``work_request``: one request — the enterprise, who submitted or relayed it,
  category, routing (a region's bureau or a unit), status, escalation
  (一事一议), answer, the clocks' due dates (working days), rating.
- ``work_request_group``: recurring problems answered once (同题共答).

Ids come from the sequences ``<table>_id_seq`` (:func:`chainbrain.work.records.new_id`).
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import metadata

#: tables with an id sequence ``<table>_id_seq``
SEQUENCES = ("work_audit", "inbox_message", "work_attachment", "work_request", "work_request_group")

work_audit = sa.Table(
    "work_audit", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("logged_at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("actor_role", sa.String(16), nullable=False),
    sa.Column("entity", sa.String(32), nullable=False),
    sa.Column("entity_id", sa.BigInteger, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("before_json", sa.Text),
    sa.Column("after_json", sa.Text),
    sa.Column("note", sa.Text),
    sa.Index("ix_work_audit_entity", "entity", "entity_id"),
)

inbox_message = sa.Table(
    "inbox_message", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("link", sa.String(300)),
    sa.Column("entity", sa.String(32)),
    sa.Column("entity_id", sa.BigInteger),
    sa.Column("read_at", sa.DateTime),
    sa.Column("mail_state", sa.String(8)),                         # 0013: NULL|pending|sending|sent|failed
    sa.Column("mail_error", sa.String(500)),
    sa.Column("mail_sent_at", sa.DateTime),
    sa.Index("ix_inbox_message_user", "user_id"),
)

work_attachment = sa.Table(
    "work_attachment", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("entity", sa.String(32), nullable=False),
    sa.Column("entity_id", sa.BigInteger, nullable=False),
    sa.Column("stored_name", sa.String(80), nullable=False, unique=True),
    sa.Column("original_name", sa.String(200), nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("uploaded_by", sa.String(64), nullable=False),
    sa.Column("uploaded_at", sa.DateTime, nullable=False),
    sa.Index("ix_work_attachment_entity", "entity", "entity_id"),
)

work_request = sa.Table(
    "work_request", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("category", sa.String(16), nullable=False),       # code of the pack's request categories
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("enterprise_id", sa.BigInteger, nullable=False),   # the enterprise the request is for
    sa.Column("relayed_by_id", sa.BigInteger),                   # the chain master that relayed it (链主转呈)
    sa.Column("submitted_by", sa.String(64), nullable=False),    # user name
    sa.Column("chain_code", sa.String(8)),
    sa.Column("region_code", sa.String(6)),                      # the enterprise's county at submission
    sa.Column("route_region", sa.String(6)),                     # responsible bureau (county or city code) …
    sa.Column("route_unit", sa.String(16)),                      # … or responsible unit
    sa.Column("status", sa.String(16), nullable=False),          # submitted|accepted|in_progress|answered|closed
    sa.Column("escalated", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("escalated_at", sa.DateTime),
    sa.Column("escalation_reason", sa.Text),
    sa.Column("group_id", sa.BigInteger),
    sa.Column("answer", sa.Text),
    sa.Column("answered_by", sa.String(64)),
    sa.Column("submitted_at", sa.DateTime, nullable=False),
    sa.Column("accepted_at", sa.DateTime),
    sa.Column("answered_at", sa.DateTime),
    sa.Column("closed_at", sa.DateTime),
    sa.Column("close_reason", sa.String(16)),                    # confirmed|deadline
    sa.Column("respond_due", sa.Date, nullable=False),
    sa.Column("resolve_due", sa.Date, nullable=False),
    sa.Column("confirm_due", sa.Date),
    sa.Column("rating", sa.Integer),                             # 1–5
    sa.Column("rating_comment", sa.Text),
    sa.Column("reopen_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rules_version", sa.String(32)),                   # version of the pack's request rules applied
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Index("ix_work_request_enterprise", "enterprise_id"),
)

work_request_group = sa.Table(
    "work_request_group", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("category", sa.String(16)),
    sa.Column("chain_code", sa.String(8)),
    sa.Column("answer", sa.Text),
    sa.Column("answered_by", sa.String(64)),
    sa.Column("answered_at", sa.DateTime),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
)

AUX_WORK_TABLES = ("work_audit", "inbox_message")
