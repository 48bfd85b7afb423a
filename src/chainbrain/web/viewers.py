"""The signed-in scopes whose default answers the warm-up keeps ready (#20).

Cached answers are keyed by the viewer's scope (:func:`chainbrain.web.policy.scope_key`, its
disclosure key inside), so the anonymous viewer's warmed cockpit does nothing for a city user: in
the 50-user load test a signed-in user's first cockpit after an import had no answer, from before
the import or fresh, and was refused at the admission bound (1,061 of 1,665 cached reads). The
warm-up therefore also prepares the default answers (cockpit, KPI, chain list, the pages in scope)
of

- every enabled account's scope at start-up, an enterprise account's excepted (one scope per firm:
  those come when they sign in) — :func:`account_scopes`;
- every scope seen signed in since (:meth:`Viewers.touch`, called once per signed-in request): a
  scope new to the server is warmed in the background at once, and after every data change the
  re-warm prepares the scopes of the most recent signed-in users again.

At most ``CHAINBRAIN_WARM_VIEWERS`` scopes (default :data:`LIMIT`), the most recently seen first;
a configuration limit (the warm-up's time), not a policy.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

#: scopes the warm-up prepares (module docstring): one scope's default answers take 1–5 s at
#: province scale, its pages in scope (every city and chain page for a province-wide role) ≈ 30 s
LIMIT = 16


def limit() -> int:
    """``CHAINBRAIN_WARM_VIEWERS``: a whole number ≥ 0 (0: the anonymous viewer only)."""
    from chainbrain.config import env_number

    return env_number("CHAINBRAIN_WARM_VIEWERS", LIMIT, int, 0)


class Viewers:
    """Signed-in users by scope, the most recently seen last (an LRU of :func:`limit` entries)."""

    def __init__(self, size: int | None = None):
        self.size = limit() if size is None else size
        self._seen: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def touch(self, user) -> bool:
        """Note ``user`` as seen now; True when its scope was not noted before (warm it)."""
        from chainbrain.web.policy import scope_key, sees_enterprises

        if not sees_enterprises(user) or self.size <= 0:      # the anonymous scope is warmed anyway
            return False
        key = scope_key(user)
        with self._lock:
            new = key not in self._seen
            self._seen[key] = user
            self._seen.move_to_end(key)
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)
        return new

    def seed(self, users) -> None:
        """Note ``users`` (an account list at start-up) without moving scopes seen signed in."""
        from chainbrain.web.policy import scope_key

        with self._lock:
            for user in users:
                if len(self._seen) >= self.size:
                    break
                key = scope_key(user)
                if key not in self._seen:
                    self._seen[key] = user
                    self._seen.move_to_end(key, last=False)

    def recent(self) -> list:
        """The users of the noted scopes, the most recently seen first."""
        with self._lock:
            return list(reversed(self._seen.values()))


def account_scopes(store) -> list:
    """A user of each enabled account's scope (province administrators first, then by id), an
    enterprise account's excepted."""
    from chainbrain.web.policy import sees_enterprises, scope_key
    from chainbrain.web.users import enabled_accounts

    out, seen = [], set()
    for user in sorted(enabled_accounts(store), key=lambda u: u.role != "province_admin"):
        if user.role != "enterprise" and sees_enterprises(user) and scope_key(user) not in seen:
            seen.add(scope_key(user))
            out.append(user)
    return out
