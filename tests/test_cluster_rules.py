"""Clusters (#17): the star rule at its boundaries, membership by place and designation (DuckDB and
PostgreSQL), the designated-member import, the scorecard and targets on the hand-made data, migration 0018.

Hand-made data (tests/handmade.py), 2025-06: E1 (南昌东湖 360102, EI-D1, 125 亿 r2), E2 (南昌西湖 360103,
EI-M1, 40), E3 (九江濂溪 360402, NF-M1, 200), E5 (南昌东湖, EI-D1, 30), E6 (南昌西湖, no segment, 10).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

import handmade
from chainbrain.analytics import cluster_answer as CA
from chainbrain.analytics import cluster_disclosure as CD
from chainbrain.analytics.cluster_members import cluster_members
from chainbrain.analytics.cluster_scorecard import score
from chainbrain.analytics.cluster_stars import in_top, star_table, stars
from chainbrain.analytics.scope import Shared
from chainbrain.catalog.uscc import make
from chainbrain.ingest.cluster_members import MemberImportError, import_members
from chainbrain.store import open_store

YI = handmade.YI


# ---------------------------------------------------------------- the star rule (no store)
def test_top_ten_percent_cut():
    ten = pd.Series([10.0, 9, 8, 7, 6, 5, 4, 3, 2, 1])
    assert in_top(ten, 0.10).tolist() == [True] + [False] * 9          # 10 % of 10 = 1 location
    twenty = pd.Series([float(20 - i) for i in range(20)])
    assert in_top(twenty, 0.10).tolist() == [True, True] + [False] * 18  # 2 of 20: the 2nd at the cut is in
    eleven = pd.Series([float(11 - i) for i in range(11)])
    assert in_top(eleven, 0.10).tolist() == [True, True] + [False] * 9   # fewer than 1.1 larger: 2 of 11
    tie = pd.Series([5.0, 5, 1, 1, 1, 1, 1, 1, 1, 1])
    assert in_top(tie, 0.10).tolist() == [True, True] + [False] * 8      # ties at the cut share it
    zeros = pd.Series([0.0] * 10)
    assert not in_top(zeros, 0.10).any()                                 # a zero never earns a star


def _cells(rows):
    return pd.DataFrame(rows, columns=["cluster", "location", "x", "total"])


def test_specialisation_at_lq_exactly_two():
    # X = 4 + 12 = 16, X_c = 1 + 1 = 2: reference share 1/8. A: (1/4)/(1/8) = 2 exactly; B: (1/12)/(1/8) = 2/3
    out = stars(_cells([("K", "A", 1, 4), ("K", "B", 1, 12)])).set_index("location")
    assert out.loc["A", "lq"] == 2.0 and out.loc["A", "star_specialisation"]
    assert out.loc["B", "lq"] == pytest.approx(2 / 3) and not out.loc["B", "star_specialisation"]
    # just below 2: A (1/4)/(1.001/8.004) … X = 4 + 12.004, X_c = 1 + 1.001 → LQ_A = 0.25 / (2.001 / 16.004) < 2
    low = stars(_cells([("K", "A", 1, 4), ("K", "B", 1.001, 12.004)])).set_index("location")
    assert low.loc["A", "lq"] < 2 and not low.loc["A", "star_specialisation"]


def test_size_and_focus_stars_over_ten_locations():
    # ten locations; cluster sizes 10..1, totals chosen so the focus order differs from the size order
    rows = [("K", f"L{i}", float(10 - i), t) for i, t in enumerate([100, 10, 100, 100, 100, 100, 100, 100, 100, 100])]
    out = stars(_cells(rows)).set_index("location")
    assert out["star_size"].tolist() == [True] + [False] * 9             # L0 (10) is the top 10 %
    assert out["star_focus"].tolist() == [False, True] + [False] * 8     # L1: 9/10 is the largest share
    # L1: LQ = (9/10) / (55/910) = 14.89 → specialisation too; L0: (10/100)/(55/910) = 1.65 → no
    assert out.loc["L1", "star_specialisation"] and not out.loc["L0", "star_specialisation"]
    assert out.loc["L1", "stars"] == 2 and out.loc["L0", "stars"] == 1


def test_measure_employment_or_revenue():
    cells = pd.DataFrame({"cluster_code": ["K", "K"], "city": ["A", "B"], "enterprise_id": [1, 2],
                          "revenue": [10.0, 20.0], "employees": [5.0, None]})
    totals = cells[["city", "enterprise_id", "revenue", "employees"]]
    _, measure = star_table({"cells": cells, "totals": totals})
    assert measure == "revenue"                                          # one firm without employees
    _, measure = star_table({"cells": cells.fillna(1.0), "totals": totals.fillna(1.0)})
    assert measure == "employees"


def test_scoring_rule():
    assert score(0.035, {"reference": 0.07}, 1.0) == pytest.approx(50.0)
    assert score(0.14, {"reference": 0.07}, 1.0) == 100.0                # capped at the reference
    assert score(2.0, {"reference": 1.0, "direction": "lower"}, 1.0) == 50.0
    assert score(None, {"reference": 1.0}, 1.0) is None                  # no data is no score, not 0
    assert score(-0.037, {"reference": 0.10}, 1.0) == 0.0                # a fall scores 0, never below
    assert score(0.0, {"reference": 0.10}, 1.0) == 0.0
    assert score(5.0, {}, 1.0) is None                                   # no reference: not scored


def test_star_cells_complementary_suppression():
    rows = [{"cluster": "K", "location": loc, "x": x, "firms": n, "ids": ids, "total": 100.0, "total_ids": [9, 10, 11],
             "share": 0.1, "lq": 1.0, "star_size": False, "star_specialisation": False, "star_focus": False, "stars": 0}
            for loc, x, n, ids in [("A", 50.0, 1, [1]), ("B", 20.0, 3, [2, 3, 4]), ("C", 30.0, 3, [5, 6, 7]),
                                   ("D", 0.0, 0, [])]]
    CD.protect_stars(rows, set(), 3)
    got = {r["location"]: r["x"] for r in rows}
    assert got == {"A": None, "B": None, "C": 30.0, "D": 0.0}           # A primary, B its complement (smallest)


# ---------------------------------------------------------------- membership on both engines
@pytest.fixture
def hand(store_any):
    handmade.load(store_any)
    return store_any


def _members(store, date=dt.date(2025, 6, 30)):
    df = cluster_members(Shared(store, cte=False), date).execute()
    return {(str(c), int(e)) for c, e in zip(df["cluster_code"], df["enterprise_id"])}


def _csv(tmp_path, text, name="m.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_membership_by_place_and_designation(hand, tmp_path):
    m = _members(hand)
    # E3 (NF-M1, 九江): CL-CU lists 九江 → member; 鹰潭's copper cluster lists 鹰潭 only → not a member
    assert ("CL-CU", 3) in m and ("CL-P-YT-CU", 3) not in m
    # E1, E2, E5 (EI, 南昌): CL-EI lists 南昌; 吉安's EI cluster lists 吉安 only
    assert {e for c, e in m if c == "CL-EI"} == {1, 2, 5}
    assert not {e for c, e in m if c == "CL-P-JA-EI"}
    # a county and a park listed for 吉安's cluster: E1/E5 by county 360102, E2 by its park
    with hand.begin() as conn:
        conn.execute(sa.text("INSERT INTO cluster_place (cluster_code, kind, code, source) VALUES "
                             "('CL-P-JA-EI', 'county', '360102', 'test'), ('CL-P-JA-EI', 'park', 'PTEST', 'test')"))
        conn.execute(sa.text("UPDATE enterprise SET park_code = 'PTEST' WHERE id = 2"))
    m = _members(hand)
    assert {e for c, e in m if c == "CL-P-JA-EI"} == {1, 2, 5}
    # designated: E3 into 鹰潭's cluster until 2025-06-30 (inclusive), E6 (no segment) into CL-EI from 2025-07-01
    with hand.begin() as conn:
        conn.execute(sa.text("UPDATE enterprise SET uscc = :u WHERE id = :i"), [
            {"u": make(e[2], 9000 + e[0]), "i": e[0]} for e in handmade.ENTERPRISES])
    f = _csv(tmp_path, "cluster_code,uscc,valid_from,valid_to,source\n"
                       f"CL-P-YT-CU,{make('360402', 9003)},2024-07-18,2025-06-30,赣工信 2024 list\n"
                       f"CL-EI,{make('360103', 9006)},2025-07-01,,test\n")
    res = import_members(hand, f)
    assert res["rows"] == 2 and res["clusters"] == ["CL-EI", "CL-P-YT-CU"]
    assert ("CL-P-YT-CU", 3) in _members(hand, dt.date(2025, 6, 30))
    assert ("CL-P-YT-CU", 3) not in _members(hand, dt.date(2025, 7, 1))
    assert ("CL-EI", 6) not in _members(hand, dt.date(2025, 6, 30))
    assert ("CL-EI", 6) in _members(hand, dt.date(2025, 7, 1))


def test_member_import_is_all_or_nothing(hand, tmp_path):
    with hand.begin() as conn:
        conn.execute(sa.text("UPDATE enterprise SET uscc = :u WHERE id = :i"), [
            {"u": make(e[2], 9000 + e[0]), "i": e[0]} for e in handmade.ENTERPRISES])
    good = make("360402", 9003)
    cases = [
        (f"cluster_code,uscc,valid_from,valid_to,source\nCL-CU,{good},,,doc\nCL-XX,{good},,,doc\n",
         "row 3, field cluster_code"),
        (f"cluster_code,uscc,valid_from,valid_to,source\nCL-CU,{good},2025-13-01,,doc\n", "row 2, field valid_from"),
        (f"cluster_code,uscc,valid_from,valid_to,source\nCL-CU,{good},2025-02-01,2025-01-01,doc\n",
         "row 2, field valid_to"),
        ("cluster_code,uscc,valid_from,valid_to,source\nCL-CU,91360000MA00000000,,,doc\n", "row 2, field uscc"),
        (f"cluster_code,uscc,valid_from,valid_to,source\nCL-CU,{good},,,\n", "row 2, field source"),
        (f"cluster_code,uscc,valid_from,valid_to\nCL-CU,{good},,\n", "row 1: missing column(s) source"),
    ]
    for i, (text, where) in enumerate(cases):
        with pytest.raises(MemberImportError) as e:
            import_members(hand, _csv(tmp_path, text, f"bad{i}.csv"))
        assert where in str(e.value) and f"bad{i}.csv" in str(e.value)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(e.value))       # bilingual
    with hand.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM cluster_member")).scalar() == 0
        assert conn.execute(sa.text("SELECT COUNT(*) FROM import_batch WHERE kind = 'cluster-members'")).scalar() == 0


def test_scorecard_and_targets_on_hand_data(hand):
    full = CA.compute(hand, 2025)
    assert full["period"] == "2025-06" and full["partial_year"]
    card = {c["code"]: c for c in full["cards"]}
    rows = {x["code"]: x for d in card["CL-EI"]["dimensions"] for x in d["indicators"]}
    assert rows["revenue"]["value"] == (125 + 40 + 30) * YI and rows["revenue"]["n"] == 3
    # the monitoring engine's comparable growth: E1 125/100, E2 40/50 (its own 2024 report) → 165/150 − 1
    assert rows["revenue_growth"]["value"] == pytest.approx(0.10)
    assert rows["member_firms"]["value"] == 3
    assert rows["innovation_carriers"]["value"] is None                   # not in the store: no data
    assert rows["revenue"]["gap"] == pytest.approx(195 * YI - 422222222222.22)
    assert rows["revenue"]["score"] == pytest.approx(195 * YI / 422222222222.22 * 100)
    # a cluster without members: no data, not zero
    empty = {x["code"]: x for d in card["CL-AV"]["dimensions"] for x in d["indicators"]}
    assert empty["revenue"]["value"] is None and empty["little_giants"]["value"] is None
    assert card["CL-AV"]["score"] is None
    assert [d["code"] for d in card["CL-EI"]["dimensions"]] == [
        "innovation", "manufacturing", "enterprises", "ecology", "governance"]
    t = {x["code"]: x for x in full["targets"]["items"]}
    assert t["provincial_clusters"]["value"] == 10 and t["provincial_clusters"]["share"] == 0.5
    assert t["clusters_over_500yi"]["value"] == 0
    # union of members (E1, E2, E3, E5): 125 + 40 + 200 + 30
    assert t["cluster_revenue"]["value"] == 395 * YI
    # stars of CL-EI by city (revenue: no employees reported): 南昌 x = 195 of 205, 九江 0 of 200
    st = {s["location"]: s for s in full["stars"] if s["cluster"] == "CL-EI"}
    assert full["measure"] == "revenue"
    assert st["360100"]["x"] == 195 * YI and st["360100"]["lq"] == pytest.approx((195 / 205) / (195 / 405))
    assert st["360100"]["star_size"] and st["360100"]["star_focus"] and not st["360100"]["star_specialisation"]
    assert st["360400"]["stars"] == 0
    # anonymous view: CL-CU (E3 alone) withheld, with the nested rule untouched elsewhere
    anon = CA.view(full, "scorecards", set(), 3)
    cu = {x["code"]: x for d in next(c for c in anon["clusters"] if c["code"] == "CL-CU")["dimensions"]
          for x in d["indicators"]}
    assert cu["revenue"]["value"] is None and cu["revenue"]["suppressed"]
    assert cu["member_firms"]["value"] == 1                              # counts stay
    ei = {x["code"]: x for d in next(c for c in anon["clusters"] if c["code"] == "CL-EI")["dimensions"]
          for x in d["indicators"]}
    assert ei["revenue"]["value"] == 195 * YI
    assert "firms" not in ei["revenue"]                                  # firm ids never leave the analytics


def test_nested_clusters_withheld():
    def card(code, ids):
        return {"code": code, "dimensions": [{"indicators": [
            {"code": "revenue", "value": 1.0, "gap": 0.0, "score": 1.0, "n": len(ids), "firms": ids}]}]}
    cards = [card("A", [1, 2, 3, 4]), card("B", [1, 2, 3])]             # A − B = one firm
    CD.protect_cards(cards, set(), 3)
    assert cards[0]["dimensions"][0]["indicators"][0]["value"] is None
    assert cards[1]["dimensions"][0]["indicators"][0]["value"] == 1.0
    cards = [card("A", [1, 2, 3, 4]), card("B", [1, 2, 3])]
    CD.protect_cards(cards, {4}, 3)                                       # the viewer sees firm 4: nothing to hide
    assert cards[0]["dimensions"][0]["indicators"][0]["value"] == 1.0


def test_migration_0018_up_down_up(db_any):
    from alembic import command

    from chainbrain.store.migrate import alembic_config, current_revision, upgrade

    has = sa.text("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                  "AND table_name IN ('cluster_info', 'cluster_place', 'cluster_member', 'cluster_progress')")
    store = open_store(db_any)
    try:
        upgrade(store, "0017_digital")
        with store.engine.connect() as conn:
            assert conn.execute(has).scalar() == 0
        upgrade(store, "0018_clusters")
        assert current_revision(store) == "0018_clusters"
        with store.begin() as conn:
            assert conn.execute(has).scalar() == 4
            assert conn.execute(sa.text("SELECT nextval('cluster_progress_id_seq')")).scalar() == 1
            conn.execute(sa.text("INSERT INTO cluster_member (cluster_code, enterprise_id, batch_id) "
                                 "VALUES ('CL-EI', 1, 1)"))
        command.downgrade(alembic_config(store), "0017_digital")
        with store.engine.connect() as conn:
            assert conn.execute(has).scalar() == 0
        upgrade(store, "0018_clusters")
        with store.engine.connect() as conn:
            assert conn.execute(has).scalar() == 4
            assert conn.execute(sa.text("SELECT COUNT(*) FROM cluster_member")).scalar() == 0
            assert conn.execute(sa.text("SELECT nextval('cluster_progress_id_seq')")).scalar() == 1
    finally:
        store.close()


def test_pack_load_fills_cluster_tables(store_any):
    with store_any.engine.connect() as conn:
        prog = dict(conn.execute(sa.text("SELECT program, COUNT(*) FROM cluster_info GROUP BY program")).all())
        assert prog == {"1269": 6, "provincial": 9, "national": 1}
        assert conn.execute(sa.text("SELECT kind, code FROM cluster_place ORDER BY kind")).all() == [
            ("county", "360703"), ("park", "P36070301")]

