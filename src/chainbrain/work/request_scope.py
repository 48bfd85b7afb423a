"""Who sees and who handles an enterprise request.

Sees (list and detail; anyone else signed in gets 404, anonymous 401):

==============  ==============================================================
province_admin  every request
enterprise      requests for its own firm, and those it relayed as chain master
county          requests routed to its bureau, and those of enterprises in its county
city            requests routed to its bureau, and those of enterprises in its prefecture
unit            requests routed to its unit
chain_office    requests of its chain once escalated to the chain office (一事一议)
viewer          none
==============  ==============================================================

Handles (accept, start, answer, group answers): the responsible bureau's or
unit's users, the chain office after escalation, the province administrator.
The enterprise side (its own users, or the relaying chain master's) confirms,
reopens and rates.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema import enterprise, region
from chainbrain.store.schema_work import work_request as wr


def own_enterprise_id(conn: sa.Connection, user) -> int | None:
    """The enterprise id of an enterprise user (by USCC)."""
    if user is None or user.role != "enterprise" or not user.uscc:
        return None
    eid = conn.execute(sa.select(enterprise.c.id).where(enterprise.c.uscc == user.uscc)).scalar()
    return int(eid) if eid is not None else None


def visible_clause(conn: sa.Connection, user):
    """A condition on ``work_request`` selecting what ``user`` may see."""
    if user is None:
        return sa.false()
    role = user.role
    if role == "province_admin":
        return sa.true()
    if role == "enterprise":
        eid = own_enterprise_id(conn, user)
        return sa.false() if eid is None else sa.or_(wr.c.enterprise_id == eid, wr.c.relayed_by_id == eid)
    if role == "county":
        return sa.or_(wr.c.route_region == user.region_code, wr.c.region_code == user.region_code)
    if role == "city":
        counties = sa.select(region.c.code).where(region.c.prefecture_code == user.region_code)
        return sa.or_(wr.c.route_region == user.region_code, wr.c.region_code.in_(counties))
    if role == "unit":
        return wr.c.route_unit == user.unit_code
    if role == "chain_office":
        return sa.and_(wr.c.escalated, wr.c.chain_code == user.chain_code)
    return sa.false()


def handles(user, row) -> bool:
    """Whether ``user`` works on request ``row`` (accept, answer…)."""
    if user is None:
        return False
    if user.role == "province_admin":
        return True
    if user.role in ("county", "city"):
        return row.route_region is not None and row.route_region == user.region_code
    if user.role == "unit":
        return row.route_unit is not None and row.route_unit == user.unit_code
    if user.role == "chain_office":
        return bool(row.escalated) and row.chain_code == user.chain_code
    return False


def speaks_for_enterprise(conn: sa.Connection, user, row) -> bool:
    """Whether ``user`` is the enterprise side of ``row`` (its firm, or the chain master that relayed it)."""
    eid = own_enterprise_id(conn, user)
    return eid is not None and eid in (row.enterprise_id, row.relayed_by_id)
