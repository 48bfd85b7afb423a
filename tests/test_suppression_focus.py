"""The focus pages' cells in the suppression pattern (``analytics/suppression_focus.py``): cells,
weights, relations and the fields a withheld cell, row or column takes with it."""

from __future__ import annotations

import pytest

from chainbrain.analytics import suppression, suppression_focus
from chainbrain.analytics.suppression_focus import cell
from test_advantage_recommend import _fill


def test_cells_and_relations_hand_checked(store_any):
    """On DuckDB and PostgreSQL."""
    rows, (eid, seg2) = _fill(store_any)
    u = suppression_focus.universe(store_any, 2025)
    one = rows[rows.enterprise_id == eid].iloc[0]
    county, seg1 = one.region, one.segment
    city = county[:4] + "00"
    # the two-segment enterprise adds half its revenue to each of its cells, and counts once in each
    k1, k2 = cell("county", county, seg1), cell("county", county, seg2)
    assert eid in u.sets[k1] and eid in u.sets[k2]
    exp1 = rows[(rows.region == county) & (rows.segment == seg1) & (rows.enterprise_id != eid)].revenue.sum() + 0.5e8
    assert u.values[k1] == pytest.approx(exp1, rel=1e-9)                # NUMERIC(20,2)
    # the row total is the whole revenue of the county's enterprises; the city cell the sum of its counties
    assert u.values[cell("county", county, None)] == pytest.approx(rows[rows.region == county].revenue.sum())
    in_city = rows[rows.region.str[:4] == county[:4]]
    assert u.values[cell("prefecture", city, seg1)] == pytest.approx(
        in_city[in_city.segment == seg1].revenue.sum() - 0.5e8 * (seg1 != seg2))
    assert u.values[cell("province", None, None)] == pytest.approx(rows.revenue.sum())
    assert len(u.sets[cell("province", None, None)]) == rows.enterprise_id.nunique()
    # every relation adds up exactly, with no rest
    for r in u.relations:
        assert not r.residual
        assert u.values[r.parent] == pytest.approx(sum(u.values[k] for k in r.children), rel=1e-9)
    kinds = {(r.parent[1], r.parent[3] is None, r.children[0][1]) for r in u.relations}
    assert kinds == {("county", True, "county"), ("prefecture", True, "prefecture"),          # rows
                     ("province", False, "prefecture"), ("province", True, "prefecture"),    # columns, margin
                     ("prefecture", False, "county"), ("prefecture", True, "county"),
                     ("province", True, "province")}                                         # Σ column totals


def test_withheld_fields():
    c, row = cell("county", "360102", "S1"), cell("county", "360102", None)
    col, grand = cell("province", None, "S1"), cell("province", None, None)
    w = suppression_focus.withheld
    assert w(frozenset(), "county", "360102", "S1") == []
    assert w({c}, "county", "360102", "S1") == ["revenue_yuan", "share_of_province", "rca"]
    assert w({col}, "county", "360102", "S1") == ["share_of_province", "rca"]      # share × column = cell
    assert w({row}, "county", "360102", "S1") == ["rca"]                           # RCA gives the row back
    assert w({grand}, "county", "360102", "S1") == ["rca"]
    assert w({cell("prefecture", "360102", "S1")}, "county", "360102", "S1") == []  # another level's cell


def test_one_firm_cell_takes_a_second_cell_of_its_row_and_column(duck_store):
    """Primary: the cells of 1–2 enterprises; secondary: no row or column relation is left with a
    single unknown member (so no total − Σ shown gives a firm back)."""
    _fill(duck_store)
    u = suppression_focus.universe(duck_store, 2025)
    pat = suppression.pattern(u, frozenset())
    assert pat.primary == {k for k, v in u.sets.items() if len(v) < 3}
    for r in u.relations:
        unknown = [k for k in (r.parent, *r.children) if k in pat.hidden]
        assert len(unknown) != 1, r.parent
    assert suppression.pattern(u, None).hidden == frozenset()                       # the administrator
