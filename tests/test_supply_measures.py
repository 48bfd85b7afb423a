"""The local rate and the concentration in one statement: the same rows as the two functions (``supply_data.py``)."""

from __future__ import annotations

import pandas as pd
import pytest

from chainbrain.analytics.supply_concentration import concentration_table
from chainbrain.analytics.supply_local import local_rate_table
from chainbrain.analytics.supply_measures import local_rate_and_concentration
from supply_data import WAN, load
from test_monitor_data import ENGINES, engine_store, spark  # noqa: F401


@pytest.fixture(scope="module", params=ENGINES)
def mstore(request, tmp_path_factory):
    view, store = engine_store(request.param, tmp_path_factory.mktemp(request.param), request, loader=load)
    yield view
    store.close()


@pytest.mark.parametrize("by", ["chain", "segment", "city", "county", "enterprise"])
def test_same_rows_as_the_two_functions(mstore, by):
    for year in (2023, 2024, 2025):
        lr, cc = local_rate_and_concentration(mstore, year, by)
        pd.testing.assert_frame_equal(lr, local_rate_table(mstore, year, by), check_dtype=False)
        pd.testing.assert_frame_equal(cc, concentration_table(mstore, year, by), check_dtype=False)


def test_hand_figures(mstore):
    lr, cc = local_rate_and_concentration(mstore, 2024, "chain")
    nf = lr.set_index("key").loc["NF"]
    assert nf["purchases_yuan"] == pytest.approx(320 * WAN) and nf["local_rate"] == pytest.approx(0.4375)
    assert cc.set_index("key").loc["NF", "hhi"] == pytest.approx(0.228515625)
    with pytest.raises(ValueError, match="by"):
        local_rate_and_concentration(mstore, 2024, "supplier-segment")
