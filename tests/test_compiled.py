"""Ibis compilation remembered per expression (store/compiled.py): an equal expression is compiled
once per backend and gives the same rows as compiled afresh; another literal, limit or table is
compiled anew; the data are always read again (the memo holds SQL text, not results)."""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.store import compiled


def test_equal_expressions_compile_once_and_read_fresh_data(store_any):
    store = store_any
    memo = store.ibis().compile.memo                           # Store.ibis() wrapped the backend's compile

    def count(name):
        t = store.table("region")
        return t.filter(t.level == name).count()

    before = len(memo)
    n_pref = count("prefecture").execute()
    again = count("prefecture").execute()                      # a new, equal expression: remembered
    assert again == n_pref > 0 and len(memo) == before + 1
    n_county = count("county").execute()                       # another literal: compiled anew
    assert n_county != n_pref and len(memo) == before + 2
    t = store.table("region")
    assert len(t.filter(t.level == "county").execute(limit=3)) == 3   # another limit: its own entry
    assert len(memo) == before + 3
    with store.engine.begin() as c:                            # the data change; the SQL is the same
        c.execute(sa.text("UPDATE region SET level = 'gone' WHERE code = "
                          "(SELECT MIN(code) FROM region WHERE level = 'prefecture')"))
    assert count("prefecture").execute() == n_pref - 1 and len(memo) == before + 3


def test_the_memo_is_bounded(store_any, monkeypatch):
    monkeypatch.setattr(compiled, "SIZE", 2)
    store = store_any
    t = store.table("region")
    for code in ("360000", "360100", "360200", "360300"):
        assert t.filter(t.code == code).count().execute() == 1
    assert len(store.ibis().compile.memo) <= 2
