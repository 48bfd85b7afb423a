"""Property-based tests (hypothesis) for parsers and validators."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
from hypothesis import example, given, settings, strategies as st

from chainbrain.catalog import uscc as U
from chainbrain.ingest import rules as R
from chainbrain.ingest.headers import KINDS, match_headers

codes = st.text(alphabet=U.ALPHABET, min_size=17, max_size=17).map(lambda s: s + U.check_char(s))


@settings(max_examples=200, deadline=None)
@given(st.lists(codes, min_size=1, max_size=20), st.lists(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF), max_size=20), max_size=5))
# found by hypothesis (2026-12-07): U+0085 and other whitespace str.strip trims were not trimmed by the vectorised check
@example(good=["000000000000000000"], junk=["\x85", "\u2028 ", "\u1680"])
def test_uscc_vectorised_matches_reference(good, junk):
    vals = good + junk
    _, bad, _ = R.check_uscc(pa.array(vals))
    for v, b in zip(vals, bad):
        n = U.normalize(v)
        assert bool(b) == (bool(n) and not U.is_valid(n))


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False),
       st.sampled_from([1, 1000, 10000, 100000000]))
def test_money_is_exact(x, factor):
    text = f"{x:,.2f}"
    y, bad, big = R.parse_money(pa.array([text]), factor)
    assert not bad[0] and not big[0]
    assert y[0].as_py() == (x * factor).quantize(Decimal("0.01"))


@given(st.text(max_size=12))
def test_money_parser_never_crashes(s):
    y, bad, big = R.parse_money(pa.array([s]), 1)
    assert bad[0] or big[0] or y[0].as_py() is not None or not s.strip()


@given(st.dates(min_value=__import__('datetime').date(1000, 1, 1)))  # 4-digit years (5 digits read as Excel serials)
def test_dates_roundtrip(d):
    for text in (d.isoformat(), d.strftime("%Y/%m/%d"), d.strftime("%Y%m%d"), f"{d.year}年{d.month}月{d.day}日"):
        v, bad = R.parse_date(pa.array([text]))
        if 1900 <= d.year <= 2100:
            assert v[0].as_py() == d and not bad[0]
        else:
            assert bad[0]


@given(st.sampled_from(list(KINDS)), st.data())
def test_headers_match_any_spelling(kind, data):
    fields = KINDS[kind]
    heads = [data.draw(st.sampled_from([f.key, f.zh, *f.synonyms])) for f in fields]
    m = match_headers(kind, heads)
    assert set(m.columns) == {f.key for f in fields} and not m.missing


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=30))
def test_first_duplicates(keys):
    a = np.array([k[0] for k in keys])
    b = np.array([k[1] for k in keys])
    first = R.first_duplicates([a, b])
    for i, f in enumerate(first):
        earlier = [j for j in range(i) if keys[j] == keys[i]]
        assert f == (earlier[0] if earlier else -1)
