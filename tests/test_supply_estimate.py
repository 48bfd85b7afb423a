"""Estimated links and the local supporting rate on estimated / mixed links (``supply_data.py`` + a 3-sector table).

National table (万元; rows sell, columns buy), sectors 32 有色 (C), 39 电子 (C),
72 商务服务 (L, not industrial: left out of every estimate):
Z[32,32] = 1000, Z[32,39] = 4000, Z[39,32] = 500, Z[39,39] = 2000, Z[72,39] = 2000;
f = (5000, 17500, 8000) → x = (10000, 20000, 10000), N = 40000.
A: a(32,32) = 0.1, a(32,39) = 0.2, a(39,32) = 0.05, a(39,39) = 0.1 (a(72,39) = 0.1 dropped).

Province, 2024 (December 营业收入): B2 (3211 → 32) 200; B1 (3985 → 39) 1000,
B3 (3922 → 39) 90, B4 (3985 → 39) 0.  R = (200, 1090, 0), R/N = 1290/40000.
SLQ₃₂ = (200/1290)/0.25, SLQ₃₉ = (1090/1290)/0.5, λ* = log₂(1 + 1290/40000)^0.3,
r(i,j) = a(i,j)·min(FLQ(i,j), 1) with FLQ(i,j) = SLQᵢ/SLQⱼ·λ* (i ≠ j), SLQᵢ·λ* (i = j).
Cities: 南昌 (B1, B3, B4) has only sector 39 (R = 1090): r^c(39,39) = 0.1·min(2·λ_c, 1),
λ_c = log₂(1 + 1090/40000)^0.3, nothing from 32; 九江 (B2) only 32 (R = 200):
r^c(32,32) = 0.1·min(4·λ_j, 1), λ_j = log₂(1 + 200/40000)^0.3.
Per buyer: P̂ = x·Σᵢ a(i,j), L̂ = x·Σᵢ r(i,j), Ĉ = x·Σᵢ r^c(i,j).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from chainbrain.analytics.supply_basis import local_rate_table
from chainbrain.analytics.supply_estimate import OUTSIDE, enterprise_links, segment_flows
from chainbrain.ingest.io_table import IOTable
from supply_data import U, WAN, load
from test_monitor_data import ENGINES, engine_store, spark  # noqa: F401

A = pytest.approx
Z = np.array([[1000.0, 4000, 0], [500, 2000, 0], [0, 2000, 0]])
F = np.array([5000.0, 17500, 8000])
SECTORS = ["32 有色金属冶炼和压延加工业", "39 计算机、通信和其他电子设备制造业", "72 商务服务业"]

# hand computation (module docstring)
LAM = math.log2(1 + 1290 / 40000) ** 0.3
S32, S39 = (200 / 1290) / 0.25, (1090 / 1290) / 0.5
r = {("32", "32"): 0.1 * min(S32 * LAM, 1), ("32", "39"): 0.2 * min(S32 / S39 * LAM, 1),
     ("39", "32"): 0.05 * min(S39 / S32 * LAM, 1), ("39", "39"): 0.1 * min(S39 * LAM, 1)}
RC_NC = 0.1 * min(2 * math.log2(1 + 1090 / 40000) ** 0.3, 1)       # 南昌, 39 → 39
RC_JJ = 0.1 * min(4 * math.log2(1 + 200 / 40000) ** 0.3, 1)        # 九江, 32 → 32
L39 = r[("32", "39")] + r[("39", "39")]                             # regional input share of a 39 buyer
L32 = r[("32", "32")] + r[("39", "32")]
EST = {"B1": (300.0, 1000 * L39, 1000 * RC_NC), "B2": (30.0, 200 * L32, 200 * RC_JJ),
       "B3": (27.0, 90 * L39, 90 * RC_NC), "B4": (0.0, 0.0, 0.0)}
OBS = {"B1": (200, 80, 30), "B2": (100, 40, 40), "B3": (20, 20, 20), "B4": (0, 0, 0)}   # supply_data, 2024


def eload(store, tmp):
    from chainbrain.ingest.io_store import store_io_table

    load(store, tmp)
    store_io_table(store, IOTable(regions=["CN"] * 3, sectors=SECTORS, Z=Z, f=F, x=None), "t3", "万元", year=2020)


@pytest.fixture(scope="module", params=ENGINES)
def estore(request, tmp_path_factory):
    view, store = engine_store(request.param, tmp_path_factory.mktemp(request.param), request, loader=eload)
    yield view
    store.close()


def test_hand_flq_is_what_the_regional_module_gives():
    assert S39 * LAM < 1 and S39 / S32 * LAM > 1       # the cap binds for 39 → 32 only
    assert r[("39", "32")] == 0.05


def test_estimated_local_rate_by_chain(estore):
    got = {x.key: x for x in local_rate_table(estore, 2024, "chain", "estimated").itertuples()}
    ei, nf = ("B1", "B4"), ("B1", "B2", "B3", "B4")          # chain members on 31 Dec 2024
    for key, members in (("EI", ei), ("NF", nf)):
        p = sum(EST[b][0] for b in members)
        loc = sum(EST[b][1] for b in members)
        city = sum(EST[b][2] for b in members)
        row = got[key]
        assert row.purchases_yuan == A(p * WAN) and row.local_yuan == A(loc * WAN, abs=0.01)
        assert row.local_rate == A(loc / p) and row.city_local_rate == A(city / p)
        assert row.basis == "estimated"
        obs = sum(OBS[b][0] for b in members)
        assert row.observed_coverage == A(obs / sum(max(OBS[b][0], EST[b][0]) for b in members))
    assert got["EI"].observed_coverage == A(200 / 300) and got["NF"].observed_coverage == A(320 / 427)
    assert (got["NF"].buyers, got["NF"].suppliers, got["NF"].local_suppliers) == (4, 6, 4)   # observed counts


def test_mixed_local_rate_by_enterprise_and_chain(estore):
    got = {x.key: x for x in local_rate_table(estore, 2024, "enterprise", "mixed").itertuples()}

    def mixed(b):
        (o, ol, oc), (p, el, ec) = OBS[b], EST[b]
        d = max(0.0, p - o)
        return o + d, ol + (d * el / p if p else 0), oc + (d * ec / p if p else 0)
    for b, basis in (("B1", "mixed"), ("B2", "observed"), ("B3", "mixed"), ("B4", "observed")):
        p, loc, city = mixed(b)
        row = got[U[b]]
        assert row.basis == basis and row.purchases_yuan == A(p * WAN)
        if p:
            assert row.local_rate == A(loc / p) and row.city_local_rate == A(city / p)
        else:
            assert math.isnan(row.local_rate)
    assert got[U["B1"]].purchases_yuan == A(300 * WAN) and got[U["B2"]].purchases_yuan == A(100 * WAN)
    chain = {x.key: x for x in local_rate_table(estore, 2024, "chain", "mixed").itertuples()}
    p = sum(mixed(b)[0] for b in ("B1", "B2", "B3", "B4"))
    assert chain["NF"].purchases_yuan == A(p * WAN) and chain["NF"].basis == "mixed"
    assert chain["NF"].local_rate == A(sum(mixed(b)[1] for b in ("B1", "B2", "B3", "B4")) / p)


def test_no_observed_links_is_estimated_and_bad_basis(estore):
    got = {x.key: x for x in local_rate_table(estore, 2023, "chain", "mixed").itertuples()}
    assert {x.basis for x in got.values()} <= {"estimated", "observed"}
    with pytest.raises(ValueError, match="basis"):
        local_rate_table(estore, 2024, "chain", "guessed")
    with pytest.raises(ValueError, match="supplier-segment"):
        local_rate_table(estore, 2024, "supplier-segment", "mixed")
    with pytest.raises(ValueError, match="no input–output table"):
        local_rate_table(estore, 2024, "chain", "mixed", table="nope")


def test_segment_flows(estore):
    got = {(x.supplier_segment, x.buyer_segment): x.amount_yuan for x in segment_flows(estore, 2024).itertuples()}
    q = 90 / 1090                                   # B3's share of the province's sector 39
    expect = {
        ("NF-M1", "EI-U1"): r[("32", "39")] * 1000 + q * r[("39", "39")] * 1000,
        ("EI-U1", "EI-U1"): (1 - q) * r[("39", "39")] * 1000,
        ("EI-U1", "NF-M1"): (1 - q) * (r[("39", "32")] * 200 + r[("39", "39")] * 90),
        ("NF-M1", "NF-M1"): r[("32", "32")] * 200 + r[("32", "39")] * 90 + q * (r[("39", "32")] * 200
                                                                               + r[("39", "39")] * 90),
        (OUTSIDE, "EI-U1"): (0.3 - L39) * 1000,
        (OUTSIDE, "NF-M1"): (0.15 - L32) * 200 + (0.3 - L39) * 90,
    }
    assert set(got) == set(expect)
    for k, v in expect.items():
        assert got[k] == A(v * WAN, abs=0.01), k


def test_enterprise_links_gravity(estore):
    got = {x.supplier_uscc: x.amount_yuan for x in enterprise_links(estore, 2024, U["B1"]).itertuples()}
    assert set(got) == {U["B2"], U["B3"]}            # B4 has no output, B1 is the buyer itself
    assert got[U["B2"]] == A(r[("32", "39")] * 1000 * WAN, abs=0.01)
    assert got[U["B3"]] == A(90 / 1090 * r[("39", "39")] * 1000 * WAN, abs=0.01)
