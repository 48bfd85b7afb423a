"""Hand-made digital assessments on the web fixture (tests/web_fixture.py, period 2025-06), with the
coverage worked out by hand (see test_digital_coverage.py).

Reporting at 2025-06: E1, E2, E3, E5, E6 (E4 exited after 2024-06). Assessments (scheme, level, date):

| firm | rows | level on 2025-06-30 |
| E1 | miit_sme_2022 L1 2023-05-01; miit_sme_2024 L2 2025-03-01 (self); gbt39116 L3 2025-07-15 (after) | 2 |
| E2 | miit_sme_2022 L3 2023-01-10; miit_sme_2022 L2→L1 (revised) 2024-06-01 | 1 (latest of the scheme) |
| E3 | miit_sme_2024 L2 2025-06-30 (the period's last day) | 2 |
| E4 | miit_sme_2022 L4 2024-01-01 (exited: not in 2025-06) | — |
| E5 | gbt39116 L2 2025-07-01 (the day after) | none |
| E6 | — | none |

Designations: E2 专精特新 (provincial, from 2025-01-01, open); E3 小巨人 ended 2024-06-30; E1 数字化转型标杆
(provincial, from 2025-01-01); E5 灯塔工厂 from 2025-07-01 (after the period).
"""
from __future__ import annotations

import datetime as dt

import pyarrow as pa

import web_fixture as W
from chainbrain.catalog.uscc import make

D = dt.date
FIRST = [  # uscc, scheme, level, assessed_on, score, source
    (1, "miit_sme_2022", 1, "2023-05-01", "25", ""), (1, "miit_sme_2024", 2, "2025-03-01", "", "自评"),
    (1, "gbt39116", 3, "2025-07-15", "", ""),
    (2, "miit_sme_2022", 3, "2023-01-10", "60", "第三方"), (2, "miit_sme_2022", 2, "2024-06-01", "", ""),
    (3, "miit_sme_2024", 2, "2025-06-30", "", ""), (4, "miit_sme_2022", 4, "2024-01-01", "80", ""),
    (5, "gbt39116", 2, "2025-07-01", "", ""),
]
CORRECTION = [(2, "miit_sme_2022", 1, "2024-06-01", "", "")]
# Service-provider register (uscc, name, chains, scenarios, region, listed_on): P1 甲 serves EI (by name),
# P2 乙 serves EI and NF, P3 丙 serves NF 能耗监测 and has no project.
PROVIDER = {1: make("360102", 7001), 2: make("360402", 7002), 3: make("360103", 7003)}
PROVIDERS = [(1, "甲数字科技", "EI", "智能排产；设备联网", "360102", "2023-06-01"),
             (2, "乙工业互联网", "EI、NF", "智能排产、能耗监测", "", ""),
             (3, "丙智造服务", "NF", "能耗监测", "360103", "2024-01-01")]
# 一链一场景 (uscc, chain, scenario, adopted_on, provider, provider key in PROVIDER or None, rating): on 2025-06-30
# EI 智能排产 has E1 (甲, by name, rated 5) and E2 (乙 by USCC, rated 4), NF 能耗监测 has E3 (no provider);
# EI 设备联网 (E5, 甲 by USCC, rated 2) comes on 2025-07-02. So on 2025-06-30 E1, E2, E3 are transformed (E5 the
# day after the period); 甲's mean rating is 5 (E1) on 2025-06-30 and 3.5 (E1, E5) on 2025-07-02.
SCENARIOS = [(1, "EI", "智能排产", "2024-03-01", "甲数字科技", None, 5),
             (2, "EI", "智能排产", "2025-02-01", "乙工业互联网", 2, 4),
             (3, "NF", "能耗监测", "2024-05-01", "", None, None), (5, "EI", "设备联网", "2025-07-02", "", 1, 2)]


def providers_csv(rows) -> str:
    return "uscc,name,chains,scenarios,region,listed_on\n" + "".join(
        f"{PROVIDER[k]},{n},{c},{s},{r},{d}\n" for k, n, c, s, r, d in rows)


def scenarios_csv(rows) -> str:
    return "uscc,chain_code,scenario,adopted_on,provider,provider_uscc,rating\n" + "".join(
        f"{W.USCC[e]},{c},{s},{d},{p},{PROVIDER[k] if k else ''},{'' if r is None else r}\n"
        for e, c, s, d, p, k, r in ((*row, None, None)[:7] for row in rows))


def csv_text(rows) -> str:
    lines = ["uscc,scheme,level,assessed_on,score,source"]
    lines += [f"{W.USCC[e]},{s},{lv},{d},{sc},{src}" for e, s, lv, d, sc, src in rows]
    return "\n".join(lines) + "\n"


def load(store, tmp) -> None:
    """Import the two files (the second revises E2's 2024 result) and the designations."""
    from chainbrain.ingest.load import import_file

    for name, rows in (("first.csv", FIRST), ("correction.csv", CORRECTION)):
        f = tmp / name
        f.write_text(csv_text(rows), encoding="utf-8")
        res = import_file(store, "digital", f)
        assert res.status == "loaded", [i.line() for i in res.issues.errors]
    f = tmp / "providers.csv"
    f.write_text(providers_csv(PROVIDERS), encoding="utf-8")
    res = import_file(store, "digital-providers", f)
    assert res.status == "loaded" and res.new == 3, [i.line() for i in res.issues.errors]
    f = tmp / "scenarios.csv"
    f.write_text(scenarios_csv(SCENARIOS), encoding="utf-8")
    res = import_file(store, "digital-scenarios", f)
    assert res.status == "loaded" and res.new == 4, [i.line() for i in res.issues.errors]
    with store.begin() as conn:
        store.bulk_insert(conn, "designation", pa.table({
            "enterprise_id": [2, 3, 1, 5], "kind": ["srdi", "little_giant", "benchmark", "lighthouse"],
            "level": ["provincial", "national", "provincial", "provincial"],
            "chain_code": pa.array([None] * 4, pa.string()),
            "valid_from": [D(2025, 1, 1), D(2021, 7, 1), D(2025, 1, 1), D(2025, 7, 1)],
            "valid_to": pa.array([None, D(2024, 6, 30), None, None], pa.date32()), "batch_id": [1] * 4,
            "revision": [1] * 4}))
