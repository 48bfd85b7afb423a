"""The catalog as plain records, for ``chainbrain catalog …`` and for loading into a store.

Each function returns (columns, rows) for CSV output; ``chains_json`` and
``clusters_json`` return the nested JSON documents.
"""

from __future__ import annotations

from chainbrain.catalog.industries import industries
from chainbrain.catalog.pack import Pack


def regions(pack: Pack) -> tuple[list[str], list[dict]]:
    cols = ["code", "name", "level", "parent_code", "status", "successor_code"]
    rows = [{"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code,
             "status": r.status, "successor_code": r.successor_code} for r in pack.regions]
    return cols, rows


def industry_rows() -> tuple[list[str], list[dict]]:
    cols = ["code", "name", "level", "parent_code", "sei", "hightech"]
    return cols, [{k: getattr(c, k) for k in cols} for c in industries()]


def segments(pack: Pack) -> tuple[list[str], list[dict]]:
    cols = ["code", "chain_code", "also_chains", "stage", "parent", "level", "name_zh", "name_en",
            "industry_codes", "keywords", "flags"]
    rows = [{"code": s.code, "chain_code": s.chain_code, "also_chains": ";".join(s.also_chains),
             "stage": s.stage, "parent": s.parent_code, "level": s.level, "name_zh": s.name_zh,
             "name_en": s.name_en, "industry_codes": ";".join(s.industry_codes),
             "keywords": ";".join(s.keywords), "flags": ";".join(s.flags)} for s in pack.segments]
    return cols, rows


def chains_table(pack: Pack) -> tuple[list[str], list[dict]]:
    cols = ["seq", "code", "name_zh", "name_en", "category", "segments"]
    rows = [{"seq": c.seq, "code": c.code, "name_zh": c.name_zh, "name_en": c.name_en,
             "category": c.category, "segments": len(c.segments)} for c in pack.chains]
    return cols, rows


def chains_json(pack: Pack) -> list[dict]:
    out = []
    for c in pack.chains:
        out.append({
            "code": c.code, "seq": c.seq, "name_zh": c.name_zh, "name_en": c.name_en,
            "category": c.category, "source": c.source,
            "segments": [{
                "code": s.code, "name_zh": s.name_zh, "name_en": s.name_en, "stage": s.stage,
                "parent": s.parent_code or None, "level": s.level,
                "industry_codes": s.industry_codes, "keywords": s.keywords, "flags": s.flags,
                "also_chains": s.also_chains, "stronghold_cities": s.stronghold_cities,
                "source": s.source,
            } for s in c.segments],
        })
    return out


def clusters_table(pack: Pack) -> tuple[list[str], list[dict]]:
    cols = ["seq", "code", "name_zh", "name_en", "segments", "cities"]
    rows = [{"seq": c["seq"], "code": c["code"], "name_zh": c["name_zh"], "name_en": c["name_en"],
             "segments": ";".join(c["segments"]), "cities": ";".join(x["code"] for x in c["cities"])}
            for c in pack.clusters]
    return cols, rows


def clusters_json(pack: Pack) -> list[dict]:
    return [{**c, "cities": [x["code"] for x in c["cities"]], "city_roles": c["cities"]}
            for c in pack.clusters]


def parks(pack: Pack) -> tuple[list[str], list[dict]]:
    cols = ["code", "name", "level", "kind", "region_code", "chain_focus", "source"]
    return cols, [{k: p.get(k, "") for k in cols} for p in pack.parks]


def targets(pack: Pack) -> tuple[list[str], list[dict]]:
    cols = ["code", "name_zh", "name_en", "indicator", "kind", "scope", "chain_code", "region_code",
            "base_year", "annual_rate", "target_year", "target_value", "deadline", "unit",
            "yellow_band", "source"]
    return cols, [{k: t.get(k, "") for k in cols} for t in pack.targets]
