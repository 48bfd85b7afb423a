"""The search answer's JSON (web/search.py ``encode``) is byte for byte what FastAPI's
``jsonable_encoder`` + ``JSONResponse`` give, on the direct path and on the fallback."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from chainbrain.web.search import encode


@dataclasses.dataclass
class Point:
    x: int
    when: dt.date


@pytest.mark.parametrize("payload", [
    {"q": "锂电", "chains": [{"code": "EI", "name": "电子信息", "score": 1.5}], "regions": [], "enterprises": [
        {"uscc": "91360100MA00000000", "name": "江西甲", "founded_on": dt.date(2019, 3, 1), "revenue": Decimal("12.50"),
         "employees": Decimal("30"), "big": Decimal("1E+3"), "tags": ("a", "b"), "none": None, "ok": True}],
     "at": dt.datetime(2026, 12, 7, 3, 4, 5), "lists": {"x": {"y": [1, 2, 3]}}},
    {"fallback": Point(1, dt.date(2024, 1, 2)), "q": "新余"},            # a dataclass: FastAPI's encoder
    {"by_day": {dt.date(2024, 1, 2): 3}},                                # a date key: FastAPI's encoder too
])
def test_encode_is_fastapis_json(payload):
    assert encode(payload) == JSONResponse(jsonable_encoder(payload)).body


def test_nan_is_refused_as_fastapi_refuses_it():
    with pytest.raises(ValueError):
        JSONResponse(jsonable_encoder({"v": float("nan")}))
    with pytest.raises(ValueError):
        encode({"v": float("nan")})
