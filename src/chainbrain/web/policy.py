"""The one data-scope policy: who may see which enterprises and which aggregate cells.

Statistics Law (DESIGN.md §4): individual enterprises' data go only to
signed-in users whose scope covers the enterprise; an aggregate built from
fewer than ``min_cell`` (3) enterprises is withheld wherever the viewer
cannot see those enterprises individually.

Enterprise scope by role:

==============  ===========================================================
province_admin  every enterprise
chain_office    enterprises with a current segment of its chain
city            enterprises located (current county) in its prefecture
county          enterprises located in its county
enterprise      its own record (USCC)
viewer          none (aggregates only)
unit            none (a department: only the work items routed to its unit,
                :mod:`chainbrain.work.requests`; aggregates like a viewer)
anonymous       none; aggregates only when the deployment publishes them
==============  ===========================================================

Aggregate cells: a cell (chain × region) whose enterprises all lie inside the
viewer's scope is shown in full (``min_cell`` 1); any other cell is protected
with the deployment's ``min_cell``. Every endpoint that serves enterprise
rows filters them with :func:`enterprise_where`, and every single-enterprise
endpoint calls :func:`visible_enterprise` (401 anonymous, 404 out of scope —
the answer does not reveal whether the enterprise exists).
"""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import HTTPException, Request

from chainbrain.web import data, profiles
from chainbrain.web.auth import SignInRequired, current_user, read_store
from chainbrain.web.state import get_state
from chainbrain.web.users import User

ENTERPRISE_ROLES = ("province_admin", "chain_office", "city", "county", "enterprise")

CHAIN_MEMBERS = ("SELECT es.enterprise_id FROM enterprise_segment es "
                 "JOIN segment_chain sc ON sc.segment_code = es.segment_code "
                 "WHERE sc.chain_code = :p_chain AND (es.valid_to IS NULL OR es.valid_to >= CURRENT_DATE)")


class NotVisible(HTTPException):
    """404 for what is unknown or outside the viewer's scope (one answer for both); the application's
    404 handler writes a ``scope_refused`` audit entry naming ``object`` (default: the path)."""

    def __init__(self, object: str | None = None):
        super().__init__(404, "not found or outside your data scope (未找到，或不在您的数据权限范围内)")
        self.object = object


def require_aggregates(request: Request) -> None:
    """FastAPI dependency: aggregates are for signed-in users, or everyone on a public deployment."""
    if not get_state(request).public_aggregates and current_user(request) is None:
        raise SignInRequired()


def enterprise_where(user: User | None, alias: str = "e") -> tuple[str, dict]:
    """SQL condition on ``enterprise AS alias`` selecting what ``user`` may see, with parameters."""
    if user is None or user.role not in ENTERPRISE_ROLES:
        return "1 = 0", {}
    if user.role == "province_admin":
        return "1 = 1", {}
    if user.role == "chain_office":
        return f"{alias}.id IN ({CHAIN_MEMBERS})", {"p_chain": user.chain_code}
    if user.role == "city":
        return (f"{alias}.region_code IN (SELECT code FROM region WHERE prefecture_code = :p_region)",
                {"p_region": user.region_code})
    if user.role == "county":
        return f"{alias}.region_code = :p_region", {"p_region": user.region_code}
    return f"{alias}.uscc = :p_uscc", {"p_uscc": user.uscc}


def sees_enterprises(user: User | None) -> bool:
    return user is not None and user.role in ENTERPRISE_ROLES


def visible_ids(store, user: User | None, ids) -> set[int]:
    """The subset of enterprise ``ids`` that ``user`` may see."""
    ids = [int(i) for i in ids]
    if not ids or not sees_enterprises(user):
        return set()
    where, params = enterprise_where(user)
    if user.role == "province_admin":
        return set(ids)
    sql = f"SELECT e.id FROM enterprise e WHERE {where}"
    wanted = sorted(set(ids))
    if len(wanted) <= 1000:                                  # ask only about these (ints: safe as literals)
        sql += f" AND e.id IN ({', '.join(map(str, wanted))})"
    with store.engine.connect() as conn:
        allowed = {int(r[0]) for r in conn.execute(sa.text(sql), params)}
    return allowed & set(ids)


def resolve_enterprise(store, key: str) -> int | None:
    """Enterprise id for a USCC (or a numeric id, for partners without one)."""
    with store.engine.connect() as conn:
        eid = conn.execute(sa.text("SELECT id FROM enterprise WHERE uscc = :k"), {"k": key.upper()}).scalar()
        if eid is None and key.isascii() and key.isdigit() and len(key) < 18:
            eid = conn.execute(sa.text("SELECT id FROM enterprise WHERE id = :k"), {"k": int(key)}).scalar()
    return int(eid) if eid is not None else None


def visible_enterprise(request: Request, key: str) -> int:
    """The id of the enterprise ``key`` if the requester may see it: 401 anonymous, 404 otherwise."""
    user = current_user(request)
    if user is None:
        raise SignInRequired()
    st = get_state(request)
    reader = read_store(st.store)                         # plain reads: no analytics lock
    index = profiles.current(st)                          # USCC → id without a query, while it is current
    eid = index.resolve(key) if index is not None else resolve_enterprise(reader, key)
    if eid is None or eid not in visible_ids(reader, user, [eid]):
        raise NotVisible(f"enterprise:{key}")
    return eid


# ---------------------------------------------------------------- aggregates
def covers(store, user: User | None, chain: str | None, region: str | None) -> bool:
    """True when every enterprise of the cell (chain × region; None = all) is in ``user``'s scope."""
    if user is None or not sees_enterprises(user):
        return False
    if user.role == "province_admin":
        return True
    if user.role == "chain_office":
        return chain is not None and chain == user.chain_code
    if user.role in ("city", "county") and region:
        if region == user.region_code:
            return True
        reg = data.region(store, region)
        return bool(reg and user.role == "city" and reg["level"] == "county"
                    and reg["prefecture_code"] == user.region_code)
    return False


def visible_set(store, user: User | None) -> frozenset | None:
    """Every enterprise ``user`` may see individually (``None``: all, the province administrator)."""
    if user is not None and user.role == "province_admin":
        return None
    if not sees_enterprises(user):
        return frozenset()
    where, params = enterprise_where(user)
    with store.engine.connect() as conn:
        return frozenset(int(r[0]) for r in conn.execute(sa.text(f"SELECT e.id FROM enterprise e WHERE {where}"),
                                                          params))


def cell_rule(store, user: User | None, min_cell: int):
    """The viewer's :class:`~chainbrain.web.disclosure.Guard`: its suppression pattern for every
    page (complementary suppression over the enterprises it cannot see individually), and, called
    as ``rule(chain, region) -> min_cell``, the per-cell rule (1 = the scope covers the cell)."""
    from chainbrain.web.disclosure import Guard

    def rule(chain: str | None, region: str | None) -> bool:
        return covers(store, user, chain, region)
    return Guard(store, scope_set(store, user), min_cell, disclosure_key(user), rule)


def scope_set(store, user: User | None, version=None) -> frozenset | None:
    """:func:`visible_set`, kept per store, data ``version`` (default the store's) and scope."""
    from chainbrain.web.cache import MISSING, ResultCache, data_version, per_store
    memo = per_store(store, "visible sets", lambda: ResultCache(size=256, enabled=True))
    version, key = data_version(store) if version is None else version, disclosure_key(user)
    vis = memo.lookup(version, key)
    if vis is MISSING:
        vis = visible_set(store, user)
        memo.put(version, key, vis)
    return vis


def disclosure_key(user: User | None) -> tuple:
    """What cached aggregates depend on: the viewer's scope (the enterprises it sees individually:
    they are discounted from every cell, so an enterprise user's pattern is its own)."""
    if user is None or not sees_enterprises(user):
        return ("anon",)
    return (user.role, user.region_code, user.chain_code) if user.role != "enterprise" else ("enterprise", user.uscc)


def scope_key(user: User | None) -> tuple:
    """What enterprise lists depend on: the viewer's full scope."""
    if user is None or not sees_enterprises(user):
        return ("anon",)
    return (user.role, user.region_code, user.chain_code, user.uscc)
