"""Who a report is written for: the operator's full view, or one user's scope and suppression.

Without ``--as`` the report is the operator's full view (every figure, every alert; the cover
says so). With ``--as USERNAME`` it applies exactly what the pages apply to that user:
the suppression pattern of :func:`chainbrain.web.policy.cell_rule` (a
:class:`~chainbrain.web.disclosure.Guard`: complementary suppression over the enterprises the
user cannot see individually, the deployment's ``min_cell``) and the confidential-alert filter
:func:`chainbrain.web.model.alerts_for`.
"""

from __future__ import annotations

from dataclasses import dataclass

from chainbrain.web.disclosure import MIN_CELL, Guard


class ReportError(ValueError):
    """A report request that cannot be served; the message is bilingual ("English (中文)")."""


@dataclass
class Viewer:
    guard: Guard
    user: object | None          # chainbrain.web.users.User, None for the operator
    label_zh: str
    label_en: str
    operator: bool = False       # the operator's full view (command line without --as)

    def alerts(self, store, alerts: list[dict]) -> list[dict]:
        """The alerts this viewer may see (every one for the operator; a page's filter otherwise)."""
        if self.operator:
            return list(alerts)
        from chainbrain.web.model import alerts_for

        return alerts_for(store, alerts, self.user)


def operator(store) -> Viewer:
    """The operator's full view: nothing withheld (``visible`` = every enterprise)."""
    return Viewer(Guard(store, None, MIN_CELL, ("operator",)), None,
                  "运行管理方全量视图（未按用户权限筛选，不得对外提供）",
                  "the operator's full view (not filtered by a user's scope; not for distribution)", operator=True)


def for_user(store, user, min_cell: int = MIN_CELL) -> Viewer:
    """The view of a signed-in ``user`` (a :class:`~chainbrain.web.users.User`) or, for None, of an
    anonymous visitor of a public deployment — as the pages apply it."""
    from chainbrain.web.policy import cell_rule

    if user is None:
        return Viewer(cell_rule(store, None, min_cell), None, "公开视图（未登录访问者可见的数据）",
                      "the public view (what an anonymous visitor may see)")
    return Viewer(cell_rule(store, user, min_cell), user,
                  f"按用户 {user.username}（{user.scope}）的数据权限与保密规则生成",
                  f"as user {user.username} ({user.scope}): their data scope and disclosure rules")


def as_user(store, username: str, min_cell: int = MIN_CELL) -> Viewer:
    """``username``'s view: their suppression pattern and alerts, as on the pages."""
    from chainbrain.web.users import User, lookup

    row = lookup(store, username)
    if row is None:
        raise ReportError(f"unknown user {username!r} (未知用户 {username})")
    if row.disabled:
        raise ReportError(f"user {username!r} is disabled (用户 {username} 已停用)")
    user = User(id=int(row.id), username=row.username, role=row.role, region_code=row.region_code,
                chain_code=row.chain_code, uscc=row.uscc, disabled=False,
                unit_code=getattr(row, "unit_code", None))
    return for_user(store, user, min_cell)
