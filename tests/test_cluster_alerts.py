"""Cluster alerts (analytics/cluster_alerts.py, pack clusters.toml [alerts]) at their boundaries (the
pages and the CLI: tests/test_web_clusters.py).

Hand-made cards against the pack's rule (growth target +10 %, high below 0; score < 60, dimensions
< 40 named): every threshold is strict, so a value exactly at it raises nothing.
"""

from __future__ import annotations

import pytest

from chainbrain.analytics.cluster_alerts import alerts
from chainbrain.catalog.pack import load_pack

RULE = load_pack().cluster_rules["alerts"]
TARGETS = {"items": [{"code": "cluster_revenue_growth", "target": 0.10}]}


def card(growth=None, score=None, dims=(None, None), members=5):
    return {"code": "CL-X", "name_zh": "测试集群", "name_en": "Test cluster", "score": score,
            "dimensions": [{"code": "ecology", "name_zh": "要素集聚与产业生态", "name_en": "Ecology", "score": dims[0],
                            "indicators": [{"code": "revenue_growth", "value": growth, "n": 4},
                                           {"code": "member_firms", "value": members, "n": 0}]},
                           {"code": "governance", "name_zh": "现代治理", "name_en": "Governance", "score": dims[1],
                            "indicators": []}]}


def test_rule_is_versioned_and_marked():
    assert RULE["version"] == load_pack().version == "2026.12.2"
    assert RULE["growth_sourced"] is True and RULE["score_sourced"] is False


@pytest.mark.parametrize("growth, severity", [(0.10, None), (0.0999, "medium"), (0.0, "medium"),
                                              (-0.0001, "high"), (None, None)])
def test_growth_boundary(growth, severity):
    got = alerts([card(growth=growth)], TARGETS, RULE, "2025-12")
    assert [a["severity"] for a in got] == ([severity] if severity else [])
    if severity:
        a = got[0]
        assert (a["rule"], a["subject_kind"], a["subject"], a["n"]) == ("cluster_growth_below_target", "cluster", "CL-X", 4)
        assert a["figures"] == [{"period": "2025-12", "growth": growth, "growth_target": 0.10, "n": 4}]
        assert "低于提能升级方案年均增长10%" in a["message_zh"] and a["version"] == "2026.12.2"


@pytest.mark.parametrize("score, dims, named", [(60.0, (10.0, 10.0), None), (59.9, (40.0, 39.9), ["governance"]),
                                                (59.9, (40.0, None), []), (None, (0.0, 0.0), None)])
def test_score_boundary(score, dims, named):
    got = alerts([card(score=score, dims=dims)], TARGETS, RULE, "2025-12")
    if named is None:
        assert got == []
        return
    (a,) = got
    assert a["rule"] == "cluster_score_below" and a["n"] == 5
    assert sorted(k[4:] for k in a["figures"][0] if k.startswith("dim_")) == named
    assert ("现代治理" in a["message_zh"]) is bool(named)


def test_no_rule_no_period():
    assert alerts([card(growth=-0.5)], TARGETS, {}, "2025-12") == []
    assert alerts([card(growth=-0.5)], TARGETS, RULE, None) == []
