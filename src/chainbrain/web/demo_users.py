"""One demo user of each role, with printed credentials (``chainbrain demo build`` calls this).

Scopes are picked from the store so each role has something to see: the
chain office of the chain with the most enterprises, the city with the most
enterprises and its largest county, and the enterprise with the highest
revenue in the newest monthly report. Passwords are random (20 characters from
``secrets``, meeting the policy of :mod:`chainbrain.web.passwords`); existing demo users are replaced.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store.schema_users import user_account, web_session
from chainbrain.web.users import add_user, new_password

PREFIX = "demo_"


def _one(conn, sql: str):
    row = conn.execute(sa.text(sql)).first()
    return row[0] if row else None


def create_demo_users(store) -> list[tuple[str, str, str, str]]:
    """Create ``demo_admin``, ``demo_chain``, ``demo_city``, ``demo_county``, ``demo_enterprise``,
    ``demo_viewer``, ``demo_unit``; returns ``[(username, password, role, scope)]``."""
    with store.begin() as conn:
        ids = [r[0] for r in conn.execute(sa.select(user_account.c.id).where(user_account.c.username.like(PREFIX + "%")))]
        if ids:
            conn.execute(web_session.delete().where(web_session.c.user_id.in_(ids)))
            conn.execute(user_account.delete().where(user_account.c.id.in_(ids)))
    with store.engine.connect() as conn:
        chain = _one(conn, "SELECT sc.chain_code FROM enterprise_segment es JOIN segment_chain sc "
                           "ON sc.segment_code = es.segment_code GROUP BY sc.chain_code "
                           "ORDER BY COUNT(DISTINCT es.enterprise_id) DESC, sc.chain_code") \
            or _one(conn, "SELECT code FROM chain ORDER BY seq")
        city = _one(conn, "SELECT r.prefecture_code FROM enterprise e JOIN region r ON r.code = e.region_code "
                          "WHERE r.prefecture_code IS NOT NULL GROUP BY r.prefecture_code "
                          "ORDER BY COUNT(*) DESC, r.prefecture_code") \
            or _one(conn, "SELECT code FROM region WHERE level = 'prefecture' ORDER BY code")
        county = _one(conn, "SELECT e.region_code FROM enterprise e JOIN region r ON r.code = e.region_code "
                            f"WHERE r.level = 'county' AND r.prefecture_code = '{city}' GROUP BY e.region_code "
                            "ORDER BY COUNT(*) DESC, e.region_code") \
            or _one(conn, f"SELECT code FROM region WHERE level = 'county' AND prefecture_code = '{city}' ORDER BY code")
        uscc = _one(conn, "SELECT e.uscc FROM monthly_report m JOIN enterprise e ON e.id = m.enterprise_id "
                          "WHERE e.uscc IS NOT NULL ORDER BY m.year DESC, m.month DESC, m.revenue_ytd DESC")
    plan = [("admin", "province_admin", {}), ("chain", "chain_office", {"chain": chain}),
            ("city", "city", {"region": city}), ("county", "county", {"region": county}),
            ("enterprise", "enterprise", {"uscc": uscc}), ("viewer", "viewer", {}),
            ("unit", "unit", {"unit": "P-FIN"})]          # a department requests are routed to (work system)
    out = []
    for suffix, role, scope in plan:
        if any(v is None for v in scope.values()):
            continue                                 # e.g. no enterprise with a USCC yet
        password = new_password()
        user = add_user(store, PREFIX + suffix, password, role, **scope)
        out.append((user.username, password, role, user.scope))
    return out
