"""A province pack (and the national industry table) as the rows of the catalog tables.

Pure: pack in, Arrow tables out. Writing them into a store is
:func:`chainbrain.store.admin.load_catalog` (loading belongs to ``store/``).
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from chainbrain.catalog.industries import industries
from chainbrain.catalog.pack import Pack


def _arrow(rows: list[dict], columns: list[str]) -> pa.Table:
    return pa.table({c: [r.get(c) for r in rows] for c in columns})


def catalog_tables(pack: Pack) -> dict[str, pa.Table]:
    now = dt.datetime.now().replace(microsecond=0)
    t: dict[str, pa.Table] = {}
    t["pack_meta"] = _arrow([{
        "name": pack.name, "version": pack.version, "effective_date": pack.effective_date,
        "province_code": pack.province_code, "title": pack.info.get("title"), "loaded_at": now,
    }], ["name", "version", "effective_date", "province_code", "title", "loaded_at"])
    t["region"] = _arrow([{
        "code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code or None,
        "prefecture_code": r.prefecture_code or None, "status": r.status,
        "successor_code": r.successor_code or None, "retired_year": r.retired_year,
    } for r in pack.regions], ["code", "name", "level", "parent_code", "prefecture_code", "status",
                               "successor_code", "retired_year"])
    t["industry"] = _arrow([{
        "code": c.code, "name": c.name, "level": c.level, "parent_code": c.parent_code or None,
        "section": c.section, "sei": c.sei, "hightech": c.hightech == "true",
    } for c in industries()], ["code", "name", "level", "parent_code", "section", "sei", "hightech"])
    t["chain"] = _arrow([vars(c) for c in pack.chains],
                        ["code", "seq", "name_zh", "name_en", "category", "source"])
    segs = pack.segments
    t["segment"] = _arrow([{
        "code": s.code, "chain_code": s.chain_code, "stage": s.stage, "parent_code": s.parent_code or None,
        "level": s.level, "name_zh": s.name_zh, "name_en": s.name_en, "keywords": ";".join(s.keywords),
        "flags": ";".join(s.flags), "source": s.source,
    } for s in segs], ["code", "chain_code", "stage", "parent_code", "level", "name_zh", "name_en",
                       "keywords", "flags", "source"])
    t["segment_industry"] = _arrow(
        [{"segment_code": s.code, "industry_code": i} for s in segs for i in dict.fromkeys(s.industry_codes)],
        ["segment_code", "industry_code"])
    t["segment_chain"] = _arrow(
        [{"segment_code": s.code, "chain_code": c, "is_primary": c == s.chain_code}
         for s in segs for c in dict.fromkeys([s.chain_code, *s.also_chains])],
        ["segment_code", "chain_code", "is_primary"])
    t["cluster"] = _arrow(pack.clusters, ["code", "seq", "name_zh", "name_en", "source"])
    t["cluster_segment"] = _arrow(
        [{"cluster_code": c["code"], "segment_code": s} for c in pack.clusters for s in dict.fromkeys(c["segments"])],
        ["cluster_code", "segment_code"])
    t["cluster_city"] = _arrow(
        [{"cluster_code": c["code"], "city_code": x["code"], "role": x["role"]} for c in pack.clusters
         for x in c["cities"]], ["cluster_code", "city_code", "role"])
    t["cluster_info"] = _arrow([{"cluster_code": c["code"], "program": c["program"],
                                 "designated_year": c["designated_year"]} for c in pack.clusters],
                               ["cluster_code", "program", "designated_year"])
    t["cluster_place"] = _arrow([{"cluster_code": c["code"], **x} for c in pack.clusters for x in c["places"]],
                                ["cluster_code", "kind", "code", "source"])
    t["park"] = _arrow(pack.parks, ["code", "name", "level", "kind", "region_code", "chain_focus", "source"])
    trows = []
    for x in pack.targets:
        trows.append({
            "code": x["code"], "name_zh": x["name_zh"], "name_en": x.get("name_en"),
            "indicator": x["indicator"], "kind": x["kind"], "scope": x.get("scope", "all"),
            "chain_code": x.get("chain_code"), "region_code": x.get("region_code"),
            "base_year": x.get("base_year"), "base_value": x.get("base_value"),
            "annual_rate": x.get("annual_rate"), "target_year": x.get("target_year"),
            "target_value": float(x["target_value"]) if "target_value" in x else None,
            "deadline": dt.date.fromisoformat(x["deadline"]) if x.get("deadline") else None,
            "unit": x.get("unit"), "yellow_band": x.get("yellow_band"), "source": x.get("source"),
        })
    t["target"] = pa.Table.from_pylist(trows, schema=pa.schema([
        ("code", pa.string()), ("name_zh", pa.string()), ("name_en", pa.string()),
        ("indicator", pa.string()), ("kind", pa.string()), ("scope", pa.string()),
        ("chain_code", pa.string()), ("region_code", pa.string()), ("base_year", pa.int32()),
        ("base_value", pa.float64()), ("annual_rate", pa.float64()), ("target_year", pa.int32()),
        ("target_value", pa.float64()), ("deadline", pa.date32()), ("unit", pa.string()),
        ("yellow_band", pa.float64()), ("source", pa.string())]))
    return t
