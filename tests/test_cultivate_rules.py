"""The cultivation rule data (pack cultivation.toml): versioned, sourced, bands that partition their domain."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chainbrain.analytics.cultivate_rules import RuleError, band_points, bands, rules, unapplied


def test_scheme_is_versioned_with_its_document():
    s = rules()["scheme"]
    assert (s["document"], s["valid_from"], s["edition"]) == ("工信部企业〔2022〕63号", "2022-08-01", "2022")
    assert s["presupposes_lower_tier"] is False and s["presupposes_lower_tier_source"] == "I"


def test_every_indicator_has_a_source_and_every_band_a_reading():
    r = rules()
    for scheme in ("innovative", "srdi"):
        for name, ind in r[scheme]["indicators"].items():
            assert ind["source"] in ("Q", "Q-2nd", "I"), name
            for key in ("bands", "ratio_bands"):
                for b in ind.get(key, []):
                    assert b["reading"] and "printed" in b, (name, b)


def test_unapplied_are_exactly_the_recalled_and_the_provincial_ones():
    r = rules()
    names = {k for k, _ in unapplied(r)}
    assert names == {"local_features", "rd_staff", "rd_institution"}
    assert sum(v["max"] for _, v in unapplied(r)) == 30
    assert all(v["source"] != "I" for k, v in r["srdi"]["indicators"].items() if k not in names)
    assert sum(v["max"] for v in r["srdi"]["indicators"].values()) == 100
    assert sum(v["max"] for v in r["innovative"]["indicators"].values()) == 100
    recalled = {k for k, v in r["giant"]["dims"].items() if v.get("recalled")}
    assert recalled == {"chain", "product"}


def test_band_partition_is_checked():
    ok = bands([{"hi": 55, "points": 10}, {"lo": 55, "hi": 75, "hi_incl": True, "points": 5},
                {"lo": 75, "lo_incl": False, "points": 0}])
    assert list(band_points(np.array([54.99, 55, 75, 75.01, np.nan]), ok)[:4]) == [10, 5, 5, 0]
    assert math.isnan(band_points(np.array([np.nan]), ok)[0])
    with pytest.raises(RuleError):      # 75 owned by both bands
        bands([{"hi": 75, "hi_incl": True, "points": 1}, {"lo": 75, "points": 0}])
    with pytest.raises(RuleError):      # 75 owned by neither
        bands([{"hi": 75, "points": 1}, {"lo": 75, "lo_incl": False, "points": 0}])
    with pytest.raises(RuleError):      # a gap
        bands([{"hi": 70, "points": 1}, {"lo": 75, "points": 0}])
    with pytest.raises(RuleError):      # no lower band
        bands([{"lo": 0, "points": 1}])
