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
    assert r2.extra["registry"]["ended"] == 1                  # 乙's location: the same count on both stores
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


HEAD = "企业名称,统一社会信用代码,注册日期,企业类型,法人代表,注册资金,经营范围,所在省份,地区,注册地址,登记状态,状态日期,曾用名,总公司统一社会信用代码,总公司名称\n"


def _row(name, uscc="", status="存续", parent_name="", kind="有限责任公司"):
    return (f"{name},{uscc},2020-01-01,{kind},张,100万人民币,一般项目：塑料制品制造,江西,南昌,江西省南昌市{name}路1号,"
            f"{status},,,,{parent_name}\n")


def test_a_shared_name_never_picks_an_arbitrary_firm(store_any, tmp_path):
    from chainbrain.catalog.uscc import make

    u = {k: make("360100", 7700 + k) for k in range(1, 6)}
    """Names are not keys: a branch naming a parent that two firms with a USCC share is not attached to
    either; a name shared by a firm with a USCC and one without resolves to the one with the USCC; a record
    without USCC whose name two firms with a USCC share is given neither USCC: it is the firm without USCC
    of that name (as the writer matched it)."""
    first = tmp_path / "first.csv"
    first.write_text(HEAD + _row("江西同名塑料有限公司", u[1]) + _row("江西同名塑料有限公司", u[2])
                     + _row("江西独名塑料有限公司", u[3]) + _row("江西独名塑料有限公司")
                     + _row("江西同名塑料有限公司"), encoding="utf-8")
    import_registry(store_any, first)
    second = tmp_path / "second.csv"
    second.write_text(HEAD + _row("江西同名塑料有限公司南昌分公司", u[4], parent_name="江西同名塑料有限公司",
                                  kind="有限责任公司分公司")
                      + _row("江西独名塑料有限公司南昌分公司", u[5], parent_name="江西独名塑料有限公司",
                             kind="有限责任公司分公司")
                      + _row("江西同名塑料有限公司", status="注销"), encoding="utf-8")
    import_registry(store_any, second)
    with store_any.engine.connect() as c:
        ids = _ids(c)
        none_id = c.execute(sa.text("SELECT id FROM enterprise WHERE uscc IS NULL AND name = '江西同名塑料有限公司'")).scalar_one()
        reg = {int(e): (s, p) for e, s, p in c.execute(sa.text(
            "SELECT enterprise_id, status, parent_id FROM enterprise_registry"))}
    assert reg[ids[u[4]]][1] is None                      # two candidates: no guess
    assert reg[ids[u[5]]][1] == ids[u[3]]  # the one with a USCC
    assert reg[none_id][0] == "注销" and reg[ids[u[1]]][0] == reg[ids[u[2]]][0] == "存续"


def test_the_same_uscc_twice_in_one_export_is_one_new_firm(store_any, tmp_path):
    """A USCC on two rows of one export (warned as "duplicate"): the later row wins — one new firm, not one new
    and one updated, with one open location (the later city), not two."""
    from chainbrain.catalog.uscc import make

    code = make("360100", 7811)
    twice = tmp_path / "twice.csv"
    later = _row("江西重复塑料有限公司", code).replace(",南昌,江西省南昌市", ",九江,江西省九江市")
    twice.write_text(HEAD + _row("江西重复塑料有限公司", code) + later, encoding="utf-8")
    r = import_registry(store_any, twice)
    assert (r.new, r.updated) == (1, 0)
    assert any(i.rule == "duplicate" for i in r.issues.warnings)
    with store_any.engine.connect() as c:
        eid = _ids(c)[code]
        open_rows = c.execute(sa.text("SELECT attr_value FROM enterprise_attr WHERE enterprise_id = :e AND "
                                      "attr = 'region_code' AND valid_to IS NULL"), {"e": eid}).fetchall()
        address = c.execute(sa.text("SELECT address FROM enterprise WHERE id = :e"), {"e": eid}).scalar_one()
        status_rows = c.execute(sa.text("SELECT COUNT(*) FROM enterprise_registry_history WHERE enterprise_id = :e"),
                                {"e": eid}).scalar_one()
    assert [v for (v,) in open_rows] == ["360400"] and "九江" in address
    assert status_rows == 1
    r2 = import_registry(store_any, twice)                            # again: nothing changes
    assert (r2.new, r2.updated) == (0, 0)
