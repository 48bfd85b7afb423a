"""A home for every role: where ``/`` (and sign-in without a destination) leads each user.

- province administrator, viewer, anonymous visitor: the province cockpit (``/``);
- city or county bureau: its own cockpit (``/?region=CODE``), whose page links to the
  region's firms, parks and focus page;
- chain office: its chain's page (``/chains/CODE``);
- enterprise: its own firm (``/my``);
- department (unit): the requests routed to it (``/requests``).

``/`` redirects only when the visitor asked for nothing (no query besides ``lang``):
a link to the province carries ``region=<province code>`` and is shown as asked.
"""

from __future__ import annotations

from urllib.parse import parse_qsl


def home_of(user) -> str | None:
    """The role's home path, or None when it is the province cockpit."""
    if user is None:
        return None
    if user.role in ("city", "county") and user.region_code:
        return f"/?region={user.region_code}"
    if user.role == "chain_office" and user.chain_code:
        return f"/chains/{user.chain_code}"
    if user.role == "enterprise":
        return "/my"
    if user.role == "unit":
        return "/requests"
    return None


def asked_nothing(raw_query: str) -> bool:
    """True when the visitor's own query string (before the carried period) names nothing but ``lang``."""
    return all(k == "lang" for k, _ in parse_qsl(raw_query or "", keep_blank_values=True))


def with_lang(path: str, lang: str) -> str:
    return path if lang != "en" else path + ("&" if "?" in path else "?") + "lang=en"
