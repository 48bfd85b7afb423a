"""Who may see what. For now: aggregates are public only when the deployment says so.

Sign-in and role scopes arrive with the web-platform issue; until then a
deployment either publishes aggregates to anonymous visitors
(``public_aggregates=True``, as the demo does) or answers 401 with a
bilingual message. Health and static files are always open. Individual
enterprises' figures are never served here (DESIGN.md §4).
"""

from __future__ import annotations

from fastapi import Request

from chainbrain.web.state import get_state


class SignInRequired(Exception):
    """Raised when aggregates are requested without the right to see them."""


def require_aggregates(request: Request) -> None:
    """FastAPI dependency: allow only when the deployment publishes aggregates."""
    if not get_state(request).public_aggregates:
        raise SignInRequired()
