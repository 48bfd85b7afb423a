"""Arrow tables for ``enterprise``, ``enterprise_attr`` and ``enterprise_segment``.

- ``enterprise``: in-province enterprises (current county, park, class,
  founding date, group) then out-of-province partners (``region_code`` NULL,
  ``uscc`` NULL for ~30%); every row ``is_demo`` = true.
- ``enterprise_attr``: a ``region_code`` and an ``industry_code`` row per
  in-province enterprise (open-ended), two ``region_code`` rows for the ~1%
  that moved (:mod:`history`); partners get an ``industry_code`` row.
- ``enterprise_segment`` (method ``demo``): the primary segment (revenue share
  1, or 0.55–0.9 when there is a second segment), the second segment (the
  rest), a sub-segment row for ~40% carrying the same share as its parent
  (readers summing shares must stay at one level), one row per partner.
- Groups (``parent_group``): the largest enterprise of each chain heads a
  group with 2–6 other enterprises of the chain, mostly in other cities;
  the largest utilities form one more.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from chainbrain.catalog.industries import INDUSTRY_SECTIONS, by_code
from chainbrain.demo.names import company_names, group_name, industry_word, make_usccs, serials


def _dates(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> pa.Array:
    months = ((y - 1970) * 12 + (m - 1)).astype("int64").astype("datetime64[M]")
    return pa.array(months.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]"), type=pa.date32())


def parent_groups(firms, world, rng) -> np.ndarray:
    group = np.full(firms.n, None, dtype=object)
    place = np.array([n.removesuffix("市") for n in world.city_names])
    for k in range(-1, world.n_chain):
        inchain = np.flatnonzero((firms.chain == k) & firms.above_type)
        if inchain.size < 3:
            continue
        head = inchain[np.argmax(firms.pot[inchain])]
        if k < 0 and not firms.industry[head].startswith("44"):
            continue
        name = group_name(place[firms.city[head]], industry_word(firms.industry[head]))
        others = inchain[inchain != head]
        w = np.where(firms.city[others] != firms.city[head], 3.0, 1.0) * np.sqrt(firms.pot[others])
        pick = rng.choice(others, size=min(int(rng.integers(2, 7)), others.size), replace=False, p=w / w.sum())
        group[head] = name
        group[pick] = name
    return group


def enterprise_table(firms, partners, world, moves, ids, pids, seed, batch, rng) -> pa.Table:
    place = np.array([n.removesuffix("市") for n in world.city_names])
    big = firms.pot > 50 * 2e7
    names = company_names(place[firms.city], firms.industry, big, rng)
    pnames = company_names(partners.place, partners.industry, partners.size > 1e9, rng)
    clash = set(names)
    pnames = np.array([x if x not in clash else x.replace("（演示）", "（演示·外省）") for x in pnames], dtype=object)
    reg = moves.registered_county(firms.county)
    usccs = make_usccs(reg.astype(str), serials(ids, seed))
    preg = np.array([p[:2] + "0100" for p in partners.province])
    pusccs = make_usccs(preg, serials(pids, seed)).astype(object)
    pusccs[~partners.has_uscc] = None
    groups = parent_groups(firms, world, rng)
    industrial = np.array([by_code()[c].section in INDUSTRY_SECTIONS for c in partners.industry])
    n, m = firms.n, partners.n
    pmonth = rng.integers(1, 13, m)
    pday = rng.integers(1, 29, m)
    return pa.table({
        "id": np.concatenate([ids, pids]),
        "uscc": pa.array(np.concatenate([usccs, pusccs]), type=pa.string()),
        "name": pa.array(np.concatenate([names, pnames]), type=pa.string()),
        "province_code": pa.array(np.concatenate([np.full(n, world.province_code, dtype=object),
                                                  partners.province.astype(object)]), type=pa.string()),
        "region_code": pa.array(np.concatenate([firms.county, np.full(m, None, dtype=object)]), type=pa.string()),
        "park_code": pa.array(np.concatenate([firms.park, np.full(m, None, dtype=object)]), type=pa.string()),
        "industry_code": pa.array(np.concatenate([firms.industry, partners.industry]).astype(object), type=pa.string()),
        "founded_on": pa.concat_arrays([_dates(firms.birth_year, firms.birth_month, firms.birth_day),
                                        _dates(partners.founded_year, pmonth, pday)]),
        "parent_group": pa.array(np.concatenate([groups, np.full(m, None, dtype=object)]), type=pa.string()),
        "is_industrial": np.concatenate([np.ones(n, dtype=bool), industrial]),
        "is_demo": np.ones(n + m, dtype=bool),
        "batch_id": np.full(n + m, batch, dtype=np.int64),
        "revision": np.ones(n + m, dtype=np.int32),
    })


def attr_table(firms, partners, moves, ids, pids, batch) -> pa.Table:
    moved = np.zeros(firms.n, dtype=bool)
    moved[moves.idx] = True
    stay = np.flatnonzero(~moved)
    ent = np.concatenate([ids[stay], ids[moves.idx], ids[moves.idx], ids, pids])
    attr = ["region_code"] * (stay.size + 2 * moves.idx.size) + ["industry_code"] * (firms.n + partners.n)
    value = np.concatenate([firms.county[stay], moves.old_county, firms.county[moves.idx],
                            firms.industry, partners.industry]).astype(object)
    none = np.full(stay.size, np.datetime64("NaT"), dtype="datetime64[D]")
    date = moves.date.astype("datetime64[D]")
    nat_rest = np.full(firms.n + partners.n, np.datetime64("NaT"), dtype="datetime64[D]")
    vfrom = np.concatenate([none, np.full(moves.idx.size, np.datetime64("NaT"), "datetime64[D]"), date, nat_rest])
    vto = np.concatenate([none, date - np.timedelta64(1, "D"), np.full(moves.idx.size, np.datetime64("NaT"), "datetime64[D]"), nat_rest])
    k = ent.size
    return pa.table({
        "enterprise_id": ent, "attr": attr, "attr_value": pa.array(value, type=pa.string()),
        "valid_from": pa.array(vfrom, type=pa.date32(), mask=np.isnat(vfrom)),
        "valid_to": pa.array(vto, type=pa.date32(), mask=np.isnat(vto)),
        "batch_id": np.full(k, batch, dtype=np.int64), "revision": np.ones(k, dtype=np.int32),
    })


def segment_table(firms, partners, world, ids, pids, batch, rng) -> pa.Table:
    codes = np.array(world.seg_codes, dtype=object)
    p = np.flatnonzero(firms.seg >= 0)
    s2 = np.flatnonzero(firms.seg2 >= 0)
    sub = np.flatnonzero(firms.sub != None)  # noqa: E711 (object array)
    ent = np.concatenate([ids[p], ids[s2], ids[sub], pids])
    seg = np.concatenate([codes[firms.seg[p]], codes[firms.seg2[s2]], firms.sub[sub], codes[partners.seg]])
    share = np.concatenate([firms.share1[p], 1 - firms.share1[s2], firms.share1[sub], np.ones(partners.n)])
    conf = np.concatenate([rng.uniform(0.7, 1.0, p.size), rng.uniform(0.5, 0.9, s2.size),
                           rng.uniform(0.5, 0.9, sub.size), rng.uniform(0.6, 1.0, partners.n)])
    k = ent.size
    none = pa.nulls(k, type=pa.date32())
    return pa.table({
        "enterprise_id": ent, "segment_code": pa.array(seg, type=pa.string()),
        "method": pa.array(["demo"] * k, type=pa.string()), "confidence": np.round(conf, 3),
        "revenue_share": np.round(share, 3), "valid_from": none, "valid_to": none,
        "batch_id": np.full(k, batch, dtype=np.int64), "revision": np.ones(k, dtype=np.int32),
    })


def import_batch_row(batch: int, seed: int, scale: str, rows: int) -> pa.Table:
    return pa.table({
        "id": pa.array([batch], type=pa.int64()), "kind": ["demo"],
        "source": [f"demo build (synthetic data) seed={seed} scale={scale}"],
        "created_at": pa.array([dt.datetime.now().replace(microsecond=0)], type=pa.timestamp("us")),
        "row_count": pa.array([rows], type=pa.int64()), "status": ["loaded"],
        "note": ["合成演示数据，非真实统计 / synthetic demo data, not real statistics"],
    })
