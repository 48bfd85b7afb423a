"""The hand-made dataset (tests/handmade.py) with USCCs, a supply link, a designation and one user per role.

Used by the web platform's API, scope and browser tests. Expected figures
are worked out by hand in handmade.py; the extra facts here:

- USCCs: E_i gets ``make(county, 9000 + i)``;
- supply link E2 → E1 (2025, 12 亿元); designation: E1 chain master of EI;
- users (password ``pw-<name>-123``): admin (province_admin), ei_office
  (chain_office EI), nc_city (city 360100), dh_county (county 360102, E1 + E5),
  lx_county (county 360402, E3 + E4), ent3 (enterprise E3), viewer.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import sqlalchemy as sa

import handmade
from chainbrain.catalog.uscc import make
from chainbrain.store import open_store
from chainbrain.store.admin import init_store
from chainbrain.web.users import add_user

USCC = {e[0]: make(e[2], 9000 + e[0]) for e in handmade.ENTERPRISES}
NAME = {e[0]: e[1] for e in handmade.ENTERPRISES}
USERS = {
    "admin": ("province_admin", {}),
    "ei_office": ("chain_office", {"chain": "EI"}),
    "nc_city": ("city", {"region": "360100"}),
    "dh_county": ("county", {"region": "360102"}),
    "lx_county": ("county", {"region": "360402"}),
    "ent3": ("enterprise", {"uscc": USCC[3]}),
    "viewer": ("viewer", {}),
}
# which enterprises each user may see individually (independent of the policy code)
SEES = {"admin": {1, 2, 3, 4, 5, 6}, "ei_office": {1, 2, 5}, "nc_city": {1, 2, 5, 6}, "dh_county": {1, 5},
        "lx_county": {3, 4}, "ent3": {3}, "viewer": set(), None: set()}


def password(name: str) -> str:
    return f"pw-{name}-123"


def build(path) -> str:
    db = str(path)
    store = open_store(db)
    try:
        init_store(store)
        handmade.load(store)
        with store.begin() as conn:
            for i, u in USCC.items():
                conn.execute(sa.text("UPDATE enterprise SET uscc = :u WHERE id = :i"), {"u": u, "i": i})
            store.bulk_insert(conn, "supply_link", pa.table({
                "supplier_id": [2], "buyer_id": [1], "year": [2025], "amount": [12.0 * handmade.YI],
                "batch_id": [1], "revision": [1]}))
            store.bulk_insert(conn, "designation", pa.table({
                "enterprise_id": [1], "kind": ["chain_master"], "level": ["provincial"], "chain_code": ["EI"],
                "valid_from": [dt.date(2023, 1, 1)], "valid_to": pa.array([None], pa.date32()),
                "batch_id": [1], "revision": [1]}))
        for name, (role, scope) in USERS.items():
            add_user(store, name, password(name), role, **scope)
    finally:
        store.close()
    return db
