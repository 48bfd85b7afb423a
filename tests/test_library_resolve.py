"""Entity resolution of registry imports (#19) on DuckDB and PostgreSQL, with hand-made exports in the
post-2021 format (tests/fixtures/registry/modern/export_2024.csv, then export_2025.csv):

- 甲 renamed (same USCC, 曾用名 given); its 赣州分公司 names the parent by USCC in 2025 and by its name in 2024;
- 乙 注销 on 2025-03-15: counted on 2025-03-14, not on 2025-03-15;
- 丙 moved (address), a duplicate across the two exports;
- 戊 exported in 2025 without a USCC under a new name, its 曾用名 the 2024 name: the same enterprise.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from chainbrain.ingest.registry import import_registry

MOD = Path(__file__).resolve().parent / "fixtures" / "registry" / "modern"
JIA, BRANCH, YI, BING, WU = ("91360100MA35A0001Q", "91360700MA35B0002J", "91360400MA35C0003X",
                             "91360400MA35D0004Q", "91360800MA35E00058")


def _ids(c) -> dict[str, int]:
    return {u: int(i) for i, u in c.execute(sa.text("SELECT id, uscc FROM enterprise"))}


def located_on(store, day: dt.date) -> set[int]:
    from chainbrain.analytics.scope import attr_on

    return {int(i) for i in attr_on(store, "region_code", day).execute()["enterprise_id"]}


def test_rename_branch_deregistration_duplicate(store_any):
    r1 = import_registry(store_any, MOD / "export_2024.csv")
    assert (r1.status, r1.new) == ("loaded", 5) and r1.extra["registry"]["branches"] == 1
    with store_any.engine.connect() as c:
        ids = _ids(c)
        parent = dict(c.execute(sa.text("SELECT enterprise_id, parent_id FROM enterprise_registry")).fetchall())
    assert parent[ids[BRANCH]] == ids[JIA] and parent[ids[JIA]] is None        # by the name before 赣州分公司

    r2 = import_registry(store_any, MOD / "export_2025.csv")
    assert (r2.new, r2.updated, r2.unchanged) == (0, 3, 2)    # 甲 and 戊 renamed, 丙 moved; branch and 乙 unchanged
    with store_any.engine.connect() as c:
        assert _ids(c) == ids                                  # 戊 without USCC linked by its former name
        names = dict(c.execute(sa.text("SELECT uscc, name FROM enterprise")).fetchall())
        hist = {(int(e), f, o, n, d) for e, f, o, n, d in c.execute(sa.text(
            "SELECT enterprise_id, field, old_value, new_value, changed_on FROM enterprise_registry_history "
            "WHERE batch_id = :b"), {"b": r2.batch_id})}
        reg = {int(e): (s, d, p, f) for e, s, d, p, f in c.execute(sa.text(
            "SELECT enterprise_id, status, status_on, parent_id, former_names FROM enterprise_registry"))}
    today = dt.date.today()
    assert names[WU] == "江西戊智能装备有限公司" and names[JIA] == "江西甲新材料科技有限公司"
    assert hist == {
        (ids[JIA], "name", "江西甲塑料制品有限公司", "江西甲新材料科技有限公司", today),
        (ids[WU], "name", "江西戊机械有限公司", "江西戊智能装备有限公司", today),
        (ids[YI], "status", "存续", "注销", dt.date(2025, 3, 15)),
        (ids[BING], "address", "江西省九江市濂溪区庐山南路4号", "江西省九江市濂溪区长虹大道8号", today)}
    assert reg[ids[YI]][:2] == ("注销", dt.date(2025, 3, 15))
    assert reg[ids[BRANCH]][2] == ids[JIA] and reg[ids[JIA]][3] == "江西甲塑料制品有限公司"
    assert ids[YI] in located_on(store_any, dt.date(2025, 3, 14))
    assert ids[YI] not in located_on(store_any, dt.date(2025, 3, 15))
    assert ids[BING] in located_on(store_any, dt.date(2025, 3, 15))

    r3 = import_registry(store_any, MOD / "export_2025.csv")         # the same export again: nothing changes
    assert (r3.new, r3.updated, r3.unchanged) == (0, 0, 5) and r3.extra["registry"]["history"] == 0
