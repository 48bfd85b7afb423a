"""Compatibility names for access control; the policy lives in :mod:`chainbrain.web.policy`.

Sign-in and sessions: :mod:`chainbrain.web.auth`. Who may see which
enterprise and which aggregate cell: :mod:`chainbrain.web.policy`.
"""

from __future__ import annotations

from chainbrain.web.auth import SignInRequired
from chainbrain.web.policy import require_aggregates

__all__ = ["SignInRequired", "require_aggregates"]
