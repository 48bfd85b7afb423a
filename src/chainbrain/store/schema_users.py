"""Web users, sessions and sign-in attempts (migration ``0003_users``).

These are *auxiliary* tables: accounts and sessions are not statistical data,
so :data:`AUX_TABLES` lists them for ``store.admin.stats`` to report next to
the logs rather than among the data tables.

- ``user_account``: one row per person; ``password_hash`` is an argon2id hash
  (argon2-cffi); ``role`` is one of :data:`ROLES`; the scope columns that
  apply to the role are set (``region_code`` for city/county, ``chain_code``
  for chain_office, ``uscc`` for enterprise, ``unit_code`` for unit — a department a
  request or task is routed to, column added by migration ``0008_work_requests``,
  :mod:`chainbrain.store.schema_work`); ``email`` (optional, migration ``0013_work_links``) is
  where notifications are also mailed when ``[mail] enabled`` (:mod:`chainbrain.work.mail`);
  ``must_change_password`` (migration ``0029_password_change``; NULL = false) is set by a reset or a
  temporary password and keeps the user on the change-password page until a new one is chosen
  (:mod:`chainbrain.web.password_gate`).
- ``web_session``: the SHA-256 of the session token (the cookie holds the
  token itself), its CSRF token, and its expiry.
- ``password_history``: the hashes of each user's replaced passwords (``0035_password_history``),
  newest :func:`chainbrain.config.Settings.password_history` kept; a user's own change may not reuse one.
- ``login_attempt``: every sign-in attempt whose password was checked (for audit).
- ``login_throttle`` (migration ``0023_sign_in_attempts``): one row per throttled key — a
  user name at one address (``pair:``), an address (``addr:``), a user name from anywhere
  (``user:``) — with its failures (one forgotten per interval), the attempts in flight, the end of
  its back-off and of its audited block (:mod:`chainbrain.web.throttle`).
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_core import metadata

ROLES = ("province_admin", "chain_office", "city", "county", "enterprise", "viewer", "unit")

user_account = sa.Table(
    "user_account", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("region_code", sa.String(6)),
    sa.Column("chain_code", sa.String(8)),
    sa.Column("uscc", sa.String(18)),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("email", sa.String(254)),                            # optional (0013_work_links)
    sa.Column("must_change_password", sa.Boolean),                 # after a reset (0029_password_change)
    sa.Column("unit_code", sa.String(16)),                         # role ``unit``'s scope (0008_work_requests)
)

web_session = sa.Table(
    "web_session", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)

password_history = sa.Table(                                        # 0035_password_history
    "password_history", metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True),
    sa.Column("password_hash", sa.String(200), primary_key=True),    # argon2id hash of a replaced password
    sa.Column("replaced_at", sa.DateTime, nullable=False),
)

login_attempt = sa.Table(
    "login_attempt", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("client", sa.String(64), nullable=False),
    sa.Column("attempted_at", sa.DateTime, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
)

login_throttle = sa.Table(
    "login_throttle", metadata,
    sa.Column("key", sa.String(160), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),              # failures, less those forgotten
    sa.Column("pending", sa.Integer, nullable=False),               # attempts reserved, password not yet checked
    sa.Column("updated_at", sa.DateTime, nullable=False),           # the clock of the leak (one forgotten per interval)
    sa.Column("reserved_at", sa.DateTime),                          # the last reservation (stale after a minute)
    sa.Column("blocked_until", sa.DateTime),                        # the back-off's end
    sa.Column("audited_until", sa.DateTime),                        # blocked attempts until then are not audited again
)

AUX_TABLES = ("user_account", "web_session", "login_attempt", "login_throttle", "password_history")
