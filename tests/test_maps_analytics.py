"""四图 analytics on DuckDB, PostgreSQL and PySpark: supply flows by place, buyer chains, county presence,
the chain map's segment figures — against the hand-computed network of ``supply_data.py`` — and the
flow disclosure rule on hand-made tables.

Flows of chain NF, 2024 (万元; NF firms on 31 Dec 2024: B1 (EI + NF), B2, B3, B4):
  in:  P1→B1 120 (P1 registered 440305 → 440000), B2→B1 50 (B2 in Jiujiang 360400), P2→B2 40 (P2 registered
       360402 → 360400), P3→B2 60 (湖北 420000), B3→B1 30 (B3 in Nanchang 360100), B1→B3 20 (360100)
       total 320 (firms B1, B2, B3 = 3; partners P1, B2, B3, P2, P3, B1 = 6); local 50+40+30+20 = 140
       (firms 3, partners 4); outside 180 (firms B1, B2; partners P1, P3);
       places 440000 120 (1, 1), 360400 90 (firms B1, B2; partners B2, P2), 420000 60 (1, 1), 360100 50
       (firms B1, B3; partners B3, B1).  140 / 320 = 0.4375 = supply_local's NF rate.
  out: B2→B1 50, B3→B1 30, B1→B3 20 (360100 buyers B1, B3), B1→P1 500 (P1: 440000)
       total 600 (firms B1, B2, B3; partners B1, B3, P1); local 100 (firms 3, partners 2); outside 500 (1, 1).
Segment EI-U1 (B1 and B4, B4 under its sub-segment EI-U1-2), 2024 in: B1's purchases 200 = P1 120 +
B2 50 + B3 30; local 80.
"""

from __future__ import annotations

import datetime as dt

import pytest

from chainbrain.analytics import application_fields, flow_disclosure, regional_map, supply_view
from supply_data import WAN, load
from test_monitor_data import ENGINES, engine_store, spark  # noqa: F401

A = pytest.approx


@pytest.fixture(scope="module", params=ENGINES)
def sstore(request, tmp_path_factory):
    view, store = engine_store(request.param, tmp_path_factory.mktemp(request.param), request, loader=load)
    yield view
    store.close()


def table(df, direction):
    return {(r["level"], r["place"]): (r["amount_yuan"] / WAN, r["firms"], r["partners"], r["side"])
            for r in df.to_dict("records") if r["direction"] == direction}


def test_flows_of_a_chain_by_place(sstore):
    df = supply_view.flows(sstore, 2024, "chain", "NF")
    assert list(df.columns) == supply_view.ROW_COLUMNS and set(df["key"]) == {"NF"}
    assert set(df["basis"]) == {"observed"}
    got = table(df, "in")
    assert got == {("total", "total"): (A(320), 3, 6, None), ("local", "local"): (A(140), 3, 4, "local"),
                   ("outside", "outside"): (A(180), 2, 2, "outside"),
                   ("place", "440000"): (A(120), 1, 1, "outside"), ("place", "360400"): (A(90), 2, 2, "local"),
                   ("place", "420000"): (A(60), 1, 1, "outside"), ("place", "360100"): (A(50), 2, 2, "local")}
    out = table(df, "out")
    assert out == {("total", "total"): (A(600), 3, 3, None), ("local", "local"): (A(100), 3, 2, "local"),
                   ("outside", "outside"): (A(500), 1, 1, "outside"),
                   ("place", "440000"): (A(500), 1, 1, "outside"), ("place", "360100"): (A(100), 3, 2, "local")}


def test_flows_of_every_segment_of_a_chain_in_one_query(sstore):
    df = supply_view.flows(sstore, 2024, "segment", None, chain="EI")
    assert set(df["key"]) == {"EI-U1"}                 # EI-D1: B3 left it on 30 December
    got = table(df, "in")
    assert got[("total", "total")] == (A(200), 1, 3, None) and got[("local", "local")][0] == A(80)
    one = supply_view.flows(sstore, 2024, "segment", "EI-U1")
    assert table(one, "in") == got and table(one, "out") == table(df, "out")


def test_flows_of_one_enterprise_and_an_empty_year(sstore):
    from supply_data import U

    ent = sstore.table("enterprise").select("id", "uscc").execute()
    b2 = int(ent.loc[ent["uscc"] == U["B2"], "id"].iloc[0])
    got = table(supply_view.flows(sstore, 2024, "enterprise", str(b2)), "in")
    assert got[("total", "total")] == (A(100), 1, 2, None) and got[("local", "local")] == (A(40), 1, 1, "local")
    assert supply_view.flows(sstore, 2023, "chain", "NF").empty
    assert supply_view.supply_year(sstore) == 2025 and supply_view.supply_year(sstore, 2024) == 2024
    assert supply_view.supply_year(sstore, 2023) is None


def test_firm_flows(sstore):
    ff = supply_view.firm_flows(sstore, 2024, "chain", "EI")
    got = [(r["direction"], r["place"], r["amount_yuan"] / WAN, r["is_local"]) for r in ff.to_dict("records")]
    assert got == [("in", "440000", A(120), False), ("in", "360400", A(50), True), ("in", "360100", A(30), True),
                   ("out", "440000", A(500), False), ("out", "360100", A(20), True)]


def test_buyer_chains(sstore):
    nf = application_fields.buyer_chains(sstore, 2024, "NF")
    assert [(r["chain_code"], r["amount_yuan"] / WAN, r["firms"], r["partners"]) for r in nf.to_dict("records")] == \
        [("NF", A(100), 3, 2), ("EI", A(80), 2, 1)]        # B1 buys in both of its chains
    ei = application_fields.buyer_chains(sstore, 2024, "EI")
    assert [(r["chain_code"], r["amount_yuan"] / WAN) for r in ei.to_dict("records")] == [("NF", A(20))]


def test_county_presence(sstore):
    d = dt.date(2024, 12, 31)
    cs = regional_map.county_segments(sstore, "NF", d)
    assert [tuple(r) for r in cs.itertuples(index=False)] == [
        ("360102", "EI-U1", 2), ("360103", "NF-M1", 1), ("360402", "NF-M1", 1)]
    cc = regional_map.county_chain(sstore, "NF", d)
    assert [tuple(r) for r in cc.itertuples(index=False)] == [("360102", 2), ("360103", 1), ("360402", 1)]
    assert regional_map.county_chain(sstore, "EI", dt.date(2024, 12, 30)).to_dict("list") == {
        "region_code": ["360102", "360103"], "enterprise_count": [2, 1]}       # B3 still in EI-D1 that day


# ---------------------------------------------------------------- disclosure of flow tables (hand-made)
def _row(level, place, amount, firms, partners, side=None, direction="in"):
    return {"direction": direction, "level": level, "side": side, "place": place, "amount_yuan": amount,
            "firms": firms, "partners": partners}


def test_protect_flows_primary_then_one_unknown_member():
    rows = [_row("total", "total", 100.0, 5, 6), _row("local", "local", 60.0, 4, 4, "local"),
            _row("outside", "outside", 40.0, 3, 2, "outside"),                 # 2 partners: primary
            _row("place", "A", 35.0, 3, 3, "local"), _row("place", "B", 25.0, 2, 1, "local"),   # B primary
            _row("place", "X", 40.0, 3, 2, "outside")]                          # X primary
    got = flow_disclosure.protect_flows(rows, 3)
    hidden = {r["place"] for r in got if r["suppressed"]}
    # total = local + outside had one unknown (outside): its smallest shown child (local, 60) goes too
    assert hidden == {"outside", "B", "X", "local"}
    assert [r["amount_yuan"] for r in got if r["place"] in ("total", "A")] == [100.0, 35.0]
    assert flow_disclosure.local_rate(got) is None
    assert flow_disclosure.local_rate(flow_disclosure.protect_flows(rows, 1)) == A(0.6)   # min_cell 1: nothing
    assert not any(r["suppressed"] for r in flow_disclosure.protect_flows(rows, 3, True, True))


def test_protect_flows_small_sum_of_withheld_children():
    rows = [_row("total", "total", 100.0, 10, 10), _row("local", "local", 70.0, 8, 8, "local"),
            _row("outside", "outside", 30.0, 4, 4, "outside"),
            _row("place", "A", 40.0, 5, 5, "local"), _row("place", "B", 20.0, 2, 5, "local"),
            _row("place", "C", 10.0, 2, 5, "local"), _row("place", "X", 30.0, 4, 4, "outside")]
    got = flow_disclosure.protect_flows(rows, 3)
    # B and C (2 firms each, maybe the same two) together may hold 2 firms: local − A would give them back
    assert {r["place"] for r in got if r["suppressed"]} == {"A", "B", "C"}
    assert flow_disclosure.local_rate(got) == A(0.7)
    # boundary: 3 firms in each withheld child is not small; 2 is (strict min_cell = 3)
    rows[4]["firms"] = rows[5]["firms"] = 3
    assert not any(r["suppressed"] for r in flow_disclosure.protect_flows(rows, 3))
    # the partner side is seen by the viewer: only firm counts matter
    rows[4]["partners"] = 1
    assert not any(r["suppressed"] for r in flow_disclosure.protect_flows(rows, 3, seen_partners=True))
    # …else B (1 partner) is withheld, and C, the smallest shown cell of its relation, with it
    assert {r["place"] for r in flow_disclosure.protect_flows(rows, 3) if r["suppressed"]} == {"B", "C"}


def test_protect_flows_every_child_withheld_uses_the_parents_counts():
    # outside = X + Y, both primary (2 firms, 1 partner each); the subtotal itself holds 4 firms, 2 partners…
    rows = [_row("total", "total", 100.0, 6, 8), _row("local", "local", 60.0, 4, 6, "local"),
            _row("outside", "outside", 40.0, 4, 2, "outside"), _row("place", "A", 30.0, 3, 3, "local"),
            _row("place", "B", 30.0, 3, 3, "local"), _row("place", "X", 25.0, 2, 1, "outside"),
            _row("place", "Y", 15.0, 2, 1, "outside")]
    got = flow_disclosure.protect_flows(rows, 3)
    # …so X + Y (= the subtotal) is a sum over 2 partners: the subtotal goes, then local (one unknown in
    # total = local + outside), then A (the one unknown of local = A + B; A before B at equal amounts, by place)
    assert {r["place"] for r in got if r["suppressed"]} == {"X", "Y", "outside", "local", "A"}
    rows[2]["partners"] = rows[5]["partners"] = rows[6]["partners"] = 3     # 3 + 3 partners, subtotal 6 > 2
    rows[2]["partners"] = 6
    got = flow_disclosure.protect_flows(rows, 3)
    # X and Y are still primary (2 firms), but the subtotal counts its own 4 firms and 6 partners: shown
    assert {r["place"] for r in got if r["suppressed"]} == {"X", "Y"}
    assert flow_disclosure.local_rate(got) == A(0.6)


def test_local_rate_without_local_links():
    rows = [_row("total", "total", 50.0, 4, 4), _row("outside", "outside", 50.0, 4, 4, "outside"),
            _row("place", "X", 50.0, 4, 4, "outside")]
    assert flow_disclosure.local_rate(flow_disclosure.protect_flows(rows, 3)) == 0.0
    assert flow_disclosure.local_rate([]) is None


# ---------------------------------------------------------------- estimated buyer chains (IO estimate)
@pytest.fixture(scope="module")
def est_store(tmp_path_factory, request):
    from test_supply_estimate import eload

    view, store = engine_store("duckdb", tmp_path_factory.mktemp("est"), request, loader=eload)
    yield view
    store.close()


def test_estimated_buyer_chains_regroup_the_segment_flows(est_store):
    """The 3-sector table of test_supply_estimate.py: segment flows (its hand-computed values) summed by
    the buyer segment's chains — EI-U1 is listed under EI and NF, NF-M1 under NF."""
    from test_supply_estimate import r

    q = 90 / 1090
    nf_to_eiu1 = r[("32", "39")] * 1000 + q * r[("39", "39")] * 1000          # NF-M1 → EI-U1
    eiu1_to_eiu1 = (1 - q) * r[("39", "39")] * 1000
    eiu1_to_nfm1 = (1 - q) * (r[("39", "32")] * 200 + r[("39", "39")] * 90)
    nfm1_to_nfm1 = r[("32", "32")] * 200 + r[("32", "39")] * 90 + q * (r[("39", "32")] * 200 + r[("39", "39")] * 90)
    ei = application_fields.estimated_buyer_chains(est_store, 2024, "EI")     # supplier segments of EI: EI-U1
    assert list(ei.columns) == application_fields.EST_COLUMNS and set(ei["basis"]) == {"estimated"}
    assert dict(zip(ei["chain_code"], ei["amount_yuan"] / WAN)) == {
        "EI": A(eiu1_to_eiu1, abs=1e-6), "NF": A(eiu1_to_eiu1 + eiu1_to_nfm1, abs=1e-6)}
    nf = application_fields.estimated_buyer_chains(est_store, 2024, "NF")     # NF-M1 and EI-U1
    assert dict(zip(nf["chain_code"], nf["amount_yuan"] / WAN)) == {
        "EI": A(nf_to_eiu1 + eiu1_to_eiu1, abs=1e-6),
        "NF": A(nf_to_eiu1 + eiu1_to_eiu1 + eiu1_to_nfm1 + nfm1_to_nfm1, abs=1e-6)}
    assert nf["chain_code"].tolist() == ["NF", "EI"]                            # largest first


def test_local_rate_of_the_flows_is_supply_locals(sstore):
    """local inflows / all inflows of a key = ``chainbrain supply local-rate`` for that key (both years)."""
    from chainbrain.analytics.supply_local import local_rate

    for year in (2024, 2025):
        for by, keys in (("chain", ("EI", "NF")), ("segment", ("EI-U1", "NF-M1"))):
            ref = {r["key"]: r for r in local_rate(sstore, year, by)}
            for key in keys:
                got = table(supply_view.flows(sstore, year, by, key), "in")
                tot = got.get(("total", "total"))
                if ref[key]["purchases_yuan"] == 0:
                    assert tot is None
                    continue
                loc = got.get(("local", "local"), (0.0,))[0]
                assert tot[0] * WAN == A(ref[key]["purchases_yuan"]) and loc / tot[0] == A(ref[key]["local_rate"])
                assert (tot[2], got.get(("local", "local"), (0, 0, 0))[2]) == \
                    (ref[key]["suppliers"], ref[key]["local_suppliers"])


def test_segment_firms_largest_first(sstore):
    """Firms of a segment on the period's last day with revenue YTD (supply_data's December 2024 reports:
    B1 1000, B2 200, B3 90 万元; B4 none): NF-M1 holds B2 and B3 (from 31 December); EI-U1 holds B1 and,
    through its sub-segment EI-U1-2, B4 (no report: last)."""
    from chainbrain.analytics.chain_map import segment_firms
    from supply_data import U

    ent = sstore.table("enterprise").select("id", "uscc").execute()
    who = {int(i): k for k, u in U.items() for i in ent.loc[ent["uscc"] == u, "id"]}
    got = [(who[r["enterprise_id"]], r["revenue_ytd_yuan"]) for r in segment_firms(sstore, "NF", "NF-M1", "2024-12")]
    assert got == [("B2", A(200 * WAN)), ("B3", A(90 * WAN))]
    got = [(who[r["enterprise_id"]], r["revenue_ytd_yuan"]) for r in segment_firms(sstore, "EI", "EI-U1", "2024-12")]
    assert got == [("B1", A(1000 * WAN)), ("B4", None)]
    assert [who[r["enterprise_id"]] for r in segment_firms(sstore, "EI", "EI-D1", "2024-11")] == ["B3"]
