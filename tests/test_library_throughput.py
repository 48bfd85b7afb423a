"""Registry mapping at scale (#19): the keyword scan, each distinct firm mapped once, and the chain rules
added with model v3 (mutual cross-listings, side-line chains of later production items)."""

from __future__ import annotations

from chainbrain.ingest import chainmap
from chainbrain.ingest.map_many import map_all
from chainbrain.ingest.mapping import default_mapper


def test_keyword_scan_finds_what_the_regex_finds():
    m = default_mapper()
    for text in ("塑料制品、编织袋生产、销售", "电线电缆、电磁线制造，稀土永磁电机", "江西某某铜箔科技有限公司", "", "锂电池隔膜涂覆膜"):
        assert m.find(text) == [(x.start(), x.group(0)) for x in m.regex.finditer(text)]
    assert m.find("电线电缆") == [(0, "电线电缆")]                     # longest keyword first


def test_map_all_maps_each_distinct_firm_once():
    chainmap.remember(True)
    try:
        seen = []
        row = ("萍乡市某某塑料制品厂", "个人独资企业", 400_000.0, "塑料制品、编织袋生产、销售", None, None)
        n = map_all([row, row, ("南昌某某商贸有限公司", None, None, "五金产品批发", None, None)],
                    lambda stage, done=None, total=None: seen.append((stage, done, total)))
        assert n == 2 and seen[0] == ("map", 0, 2) and seen[-1] == ("map", 2, 2)
        kept = chainmap.map_firm(*row)                                  # the memo answers the import's later step, compactly
        assert kept is chainmap.map_firm(*row) and isinstance(kept, chainmap.Kept) and kept.activity.industrial
        assert [c.segment.split("-")[0] for c in kept.segments] == ["PC"] and "编织袋" in kept.activity.items_json
        assert map_all([row]) == 0
    finally:
        chainmap.remember(False)


def test_mutual_cross_listing_counts_in_both_chains():
    # 电线电缆: NF-D1 and EQ-M2 list each other → a cable maker is in both chains (mapping guide §2)
    m = chainmap.map_firm("江西某某电线电缆有限公司", "有限责任公司", 5_000_000, "电线、电缆、电磁线制造、销售")
    assert m.chains() == {"NF", "EQ"}
    # 电机: ST-D3 lists EQ but EQ-U3 does not list ST → only EQ
    assert chainmap.map_firm("江西某某电机有限公司", None, None, "电机生产、销售").chains() == {"EQ"}


def test_side_line_of_a_later_production_item_is_dropped():
    # a plastics maker that also makes moulds: the first production item places it in PC
    m = chainmap.map_firm("江西某某塑料制品有限公司", None, 1_000_000, "塑料制品生产、销售；塑料模具加工")
    assert m.chains() == {"PC"}
    # a non-producer is mapped on its first item only: a fireworks shop that also sells tea
    m = chainmap.map_firm("某某烟花爆竹经营部", None, None, "烟花爆竹零售；茶叶销售")
    assert not m.activity.industrial and m.chains() == set()
