"""找准主攻点、突破点 — the focus page of a city or county (JSON twin: ``/api/focus/{region}``).

What the region should focus on, from :mod:`chainbrain.analytics.advantage`
(comparative advantage, relatedness and complexity of the chain segments
across all regions of the same level, from the annual reports of the newest
year):

- a feasibility–attractiveness scatter of every segment (x: density —
  relatedness to what the region already does; y: PCI or COG), coloured by
  main attack point (已有优势) / breakthrough point (尚未形成) — its table is
  the ``points`` table;
- the ranked lists with their evidence (``attack``, ``breakthrough``);
- the province-wide view: segments that many regions of the level have in
  their top breakthrough lists, and which region has the stronger case
  (``crowded``), and each region's top targets (``targets``);
- strategy presets (``?strategy=low_hanging_fruit|balanced|long_jumps``).

JSON twin ``GET /api/focus/{region}`` (``region``: a city or county code;
query ``strategy``, ``year``, ``top``; ``format=xlsx[&table=ID]`` for Excel):
``{"region": {...}, "level", "year", "strategy", "attack": [...],
"breakthrough": [...], "points": [...], "crowded": [...], "targets": [...],
"tables": [...]}`` where each attack/breakthrough item is
``{"segment", "name", "chain_code", "score", "evidence": {...}}`` as in
``chainbrain advantage recommend --format json``.

Disclosure: the viewer's complementary-suppression pattern of the year's
region × segment cells (:meth:`chainbrain.web.disclosure.Guard.focus_pattern`,
:mod:`chainbrain.analytics.suppression_focus`: both levels' cells, row and
column totals and their relations): a withheld cell shows no revenue, share of
the province or RCA; a withheld column total no share or RCA, a withheld row
total no RCA. Counts of enterprises, the binary presence and the percentile
scores (ordinal) are not withheld.
"""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Depends, Query, Request

from chainbrain.web import data, drill, model, pending
from chainbrain.web.auth import current_user
from chainbrain.web.disclosure import guard_of
from chainbrain.web.i18n import lang_of, strings
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import cell_rule, disclosure_key, require_aggregates
from chainbrain.web.render import chart_json, page_url, render, reply, table
from chainbrain.web.state import get_state

router = APIRouter()

STRATEGY = Query("balanced", description="low_hanging_fruit, balanced or long_jumps (Atlas-style presets)")
YEAR = Query(None, description="annual-report year; default: newest")
TOP = Query(10, ge=1, le=100, description="items per ranked list")
FORMAT = Query(None, description="xlsx: download the page's tables as Excel (with table=ID: one table)")

S: dict[str, tuple[str, str]] = {
    "title": ("找准主攻点、突破点", "Where to focus"),
    "nav": ("主攻方向", "Focus"),
    "intro": ("依据全省同级地区各产业链环节的比较优势（RCA）、关联密度与复杂度（PCI/COG）测算；"
              "主攻点 = 已具优势且复杂度高的环节，突破点 = 尚未形成但关联度高、复杂度高的环节。",
              "From comparative advantage (RCA), relatedness (density) and complexity (PCI/COG) of every "
              "chain segment across the province's regions of the same level; attack points = segments "
              "the region already has, high complexity; breakthrough points = not yet present, related "
              "and complex."),
    "strategy": ("策略", "Strategy"),
    "s_low_hanging_fruit": ("近水楼台（关联优先）", "Low-hanging fruit"),
    "s_balanced": ("均衡组合", "Balanced portfolio"),
    "s_long_jumps": ("长跳（复杂度优先）", "Long jumps"),
    "apply": ("查询", "Apply"),
    "year": ("年度", "Year"),
    "level_county": ("县（市、区）", "county"),
    "level_prefecture": ("设区市", "city"),
    "scatter_title": ("可行性—吸引力", "Feasibility vs attractiveness"),
    "scatter_sub": ("横轴：关联密度；纵轴：", "x: density; y: "),
    "y_axis": ("纵轴", "y axis"),
    "attack": ("主攻点", "Main attack points"),
    "breakthrough": ("突破点", "Breakthrough points"),
    "other": ("非目标产业链", "Other chains"),
    "points_title": ("全部环节", "All segments"),
    "crowded_title": ("多地同时瞄准的环节", "Segments many regions target"),
    "crowded_sub": ("进入至少 {k} 个地区突破点前 {n} 位；首位地区依据更充分",
                    "in the top-{n} breakthrough lists of at least {k} regions; the first region has the "
                    "stronger case"),
    "targets_title": ("各地区的突破点（前 {n}）", "Each region's top-{n} breakthrough points"),
    "map_title": ("谁在瞄准什么", "Who targets what"),
    "map_sub": ("地图；表格为各地区突破点", "map; table: each region's breakthrough points"),
    "map_first": ("各地区首位突破点", "Each region's first breakthrough point"),
    "map_segment": ("地图显示", "Map shows"),
    "map_rank": ("第 {r} 位，得分 {s}", "rank {r}, score {s}"),
    "map_not_targeting": ("未列入前 5 位", "not in its top 5"),
    "segment": ("环节", "Segment"), "code": ("代码", "Code"), "chain": ("产业链", "Chain"),
    "kind": ("类别", "Kind"), "score": ("得分", "Score"), "rca": ("显示性比较优势 RCA", "RCA"),
    "density": ("关联密度", "Density"), "distance": ("距离", "Distance"), "pci": ("复杂度 PCI", "PCI"),
    "cog": ("机会增益 COG", "COG"), "ubiquity": ("具优势地区数", "Ubiquity"),
    "share": ("占全省该环节比重", "Share of province"), "revenue": ("营业收入（亿元）", "Revenue (亿元)"),
    "enterprises": ("企业数（家）", "Enterprises"), "regions_targeting": ("瞄准地区数", "Regions targeting"),
    "stronger_case": ("依据更充分", "Stronger case"), "ranking": ("地区排序", "Regions, by score"),
    "region": ("地区", "Region"), "top_targets": ("突破点", "Breakthrough points"),
    "map_empty": ("本级地区暂无可标注的突破点（库中缺少可测算的企业年报）", "No breakthrough points to map at this level"),
    "map_failed": ("地图未能绘制，请刷新页面或查看下方表格", "The map could not be drawn: reload, or use the table below"),
    "eci": ("地区复杂度 ECI", "Region ECI"), "eci_sub": ("次国家法 ECI（PCI 均值）", "Subnational ECI (mean PCI)"),
    "coi": ("复杂度前景 COI", "Complexity outlook COI"),
    "year_note": ("年度：企业年报（全年）", "year: enterprises' annual reports (full year)"),
    "glossary": ("指标说明", "What the measures mean"),
    "x_rca": ("显示性比较优势 RCA：本地该环节营收占本地营收的比重 ÷ 全省同一比重；大于 1 即本地相对更集中、已有优势。",
              "RCA: the segment's share of local revenue ÷ its share of provincial revenue; above 1, the region is "
              "relatively specialised in it."),
    "x_density": ("关联密度：本地已具优势的环节中，与该环节“常在同一地区一起出现”的程度（0–1），越高越容易发展起来。",
                  "Density (0–1): how much of what the region already does well usually goes with this segment; "
                  "higher means easier to develop."),
    "x_distance": ("距离：1 − 关联密度，越小越近。", "Distance: 1 − density; smaller is closer."),
    "x_pci": ("复杂度 PCI：该环节需要的能力有多少、多难；分布越少、越集中在能力多的地区，PCI 越高。",
              "PCI: how many and how rare the capabilities a segment needs are; segments found in few, "
              "diversified regions score high."),
    "x_cog": ("机会增益 COG：发展该环节后，本地向更多高复杂度环节延伸的机会增加多少。",
              "COG: how much developing the segment opens the way to more complex segments."),
    "x_eci": ("地区复杂度 ECI：本地产业结构的能力水平（全省同级地区相比，0 为平均）。",
              "ECI: the capability level of the region's industry mix (0 = average of its level)."),
    "x_coi": ("复杂度前景 COI：本地尚未具优势、但离得近的高复杂度环节有多少。",
              "COI: how many complex segments the region does not yet have are close to what it has."),
    "no_data": ("库中没有该年度的企业年报，无法测算。", "No annual reports for the year: nothing to compute."),
    "not_here": ("该地区本年度没有营收记录。", "No revenue recorded for this region in the year."),
    "method_note": ("方法：Hidalgo & Hausmann (2009) 经济复杂度（与 Growth Lab ecomplexity 0.5.3 一致）；"
                    "得分为全省同级所有格子的百分位加权，可跨地区比较。",
                    "Method: Hidalgo & Hausmann (2009) economic complexity (agrees with Growth Lab's "
                    "ecomplexity 0.5.3); scores are weighted percentile ranks over all cells of the level, "
                    "comparable across regions."),
    "suppressed_note": ("“—*”：统计保密——该格企业少于 {n} 家，或与其他格相减可推算出少于 {n} 家企业的数据，"
                        "营业收入、比重与 RCA 不予公开。",
                        "“—*”: withheld (statistical confidentiality) — fewer than {n} enterprises, or "
                        "derivable from other cells as a figure of fewer than {n}: revenue, share and RCA."),
}


def fstrings(lang: str) -> dict:
    i = 1 if lang == "en" else 0
    return {k: v[i] for k, v in S.items()}


def _f(v):
    return None if v is None or not np.isfinite(v) else round(float(v), 6)


def _level_adv(st, level: str, year: int | None, strategy: str):
    from chainbrain.analytics.advantage.recommend import level_advantage

    return st.cached(("focus-level", level, year, strategy),
                     lambda: level_advantage(st.store, level, year, strategy))


def focus_page(st, code: str, strategy: str, year: int | None, top: int, rule, lang: str) -> dict:
    """The JSON twin's answer (see the module docstring)."""
    from chainbrain.analytics.advantage.recommend import PRESETS

    t, f = strings(lang), fstrings(lang)
    if strategy not in PRESETS:
        raise BadRequest(f"strategy must be one of {', '.join(PRESETS)} (策略无效)")
    store = st.store
    reg = model.check_region(store, code)
    if reg is None or reg["level"] not in ("county", "prefecture"):
        raise BadRequest(f"not a city or county code: {code} (不是设区市或县级代码)")
    level = reg["level"]
    adv, year = _level_adv(st, level, year, strategy)
    rt = store.table("region").select("code", "name").execute()
    names = dict(zip(rt["code"], rt["name"]))                 # retired codes keep their names
    en = {}
    if lang == "en":
        sg = store.table("segment").select("code", "name_en").execute()
        en = {c: n for c, n in zip(sg["code"], sg["name_en"]) if isinstance(n, str) and n}
    out = {"region": reg, "level": level, "year": year, "strategy": strategy, "strategies": list(PRESETS),
           "attack": [], "breakthrough": [], "points": [], "crowded": [], "targets": [], "note": None}
    if adv is None:
        out["note"] = f["no_data"]
    else:
        meta = adv.meta

        def seg_name(s):
            if s in en:
                return en[s]
            if s not in meta.index or "name_zh" not in meta or not isinstance(meta.at[s, "name_zh"], str):
                return s
            return meta.at[s, "name_zh"]

        def chain_of(s):
            return None if "chain_code" not in meta or s not in meta.index else meta.at[s, "chain_code"]

        rec = adv.recommend(code, top=top, withhold=guard_of(store, rule).focus_withheld(year, level))
        out["note"] = f["not_here"] if "note" in rec else None
        for kind in ("attack", "breakthrough"):
            out[kind] = [{"segment": it["segment"], "name": seg_name(it["segment"]),
                          "chain_code": chain_of(it["segment"]), "score": it["score"], "evidence": it["evidence"]}
                         for it in rec[kind]]
        pts = adv.points(code)
        out["points"] = [{"segment": r.segment, "name": seg_name(r.segment), "chain_code": chain_of(r.segment),
                          "kind": r.kind, "kind_text": f[r.kind], "mcp": int(r.mcp), "density": _f(r.density),
                          "pci": _f(r.pci), "cog": _f(r.cog), "score": _f(r.score),
                          "enterprises": int(r.enterprises)} for r in pts.itertuples()]
        n_regions = len(adv.cx.regions)
        k = 3 if n_regions >= 6 else 2
        out["crowded_rule"] = {"top": 5, "min_regions": k}
        for v in adv.province_view(top=5, min_regions=k):
            out["crowded"].append({
                "segment": v["segment"], "name": seg_name(v["segment"]), "chain_code": chain_of(v["segment"]),
                "regions_targeting": v["regions_targeting"], "stronger_case": v["stronger_case"],
                "stronger_case_name": names.get(v["stronger_case"], v["stronger_case"]),
                "ranking": v["ranking"],
                "ranking_text": "、".join(names.get(r["region"], r["region"]) for r in v["ranking"]),
                "mine": any(r["region"] == code for r in v["ranking"])})
        B = np.where(~adv.cx.mcp.astype(bool) & adv.on_target[None, :], adv.breakthrough_score, np.nan)
        for i, r in enumerate(adv.cx.regions):
            row = B[i]
            idx = [j for j in np.argsort(-np.nan_to_num(row, nan=-np.inf), kind="stable")[:3] if np.isfinite(row[j])]
            out["targets"].append({"region": str(r), "name": names.get(str(r), str(r)),
                                   "targets": [str(adv.cx.products[j]) for j in idx],
                                   "targets_text": "、".join(seg_name(str(adv.cx.products[j])) for j in idx),
                                   "href": f"/focus/{r}", "key": str(r)})
        i = adv.rix.get(code)
        out["region_measures"] = None if i is None else {
            "eci": _f(adv.cx.eci[i]), "eci_sub": _f(adv.eci_sub[i]), "coi": _f(adv.cx.coi[i]),
            "diversity": int(adv.cx.diversity[i])}
    unit = t["unit_yi_short"]
    period = str(year) if year else None
    chain_names = {c["code"]: (c.get("name_en") if lang == "en" else None) or c["name_zh"] for c in data.chains(store)}
    month = f"{year}-12" if year else None                   # the focus year's enterprises (1–12月)

    def list_href(seg):
        return drill.list_url(month, code, segment=seg, scale="all") if month else None
    for p in out["points"]:
        p["chain_name"] = chain_names.get(p["chain_code"], p["chain_code"])
        p["list_href"] = list_href(p["segment"])

    def flat(items):
        rows = []
        for it in items:
            ev = it["evidence"]
            rows.append({"key": it["segment"], "segment": it["segment"], "name": it["name"],
                         "chain_code": it["chain_code"], "chain_name": chain_names.get(it["chain_code"], it["chain_code"]),
                         "list_href": list_href(it["segment"]), "score": it["score"], **{x: ev.get(x) for x in (
                             "rca", "density", "distance", "pci", "cog", "ubiquity", "share_of_province",
                             "revenue_yuan", "enterprises")},
                         "suppressed": ev.get("suppressed_fields", [])})
        return rows

    a_cols = [("name", f["segment"], "text"), ("chain_name", f["chain"], "text"),
              ("score", f["score"], "num"), ("rca", f["rca"], "num"), ("pci", f["pci"], "num"),
              ("share_of_province", f["share"], "pct"), ("revenue_yuan", f["revenue"], "yi"),
              ("enterprises", f["enterprises"], "count")]
    b_cols = [("name", f["segment"], "text"), ("chain_name", f["chain"], "text"),
              ("score", f["score"], "num"), ("density", f["density"], "num"), ("distance", f["distance"], "num"),
              ("pci", f["pci"], "num"), ("cog", f["cog"], "num"), ("ubiquity", f["ubiquity"], "count")]
    p_rows = [{**p, "key": p["segment"]} for p in out["points"]]
    out["tables"] = [
        table("attack", f["attack"], a_cols, flat(out["attack"]), unit, period),
        table("breakthrough", f["breakthrough"], b_cols, flat(out["breakthrough"]), "", period),
        table("points", f["points_title"],
              [("name", f["segment"], "text"), ("chain_name", f["chain"], "text"),
               ("kind_text", f["kind"], "text"), ("density", f["density"], "num"), ("pci", f["pci"], "num"),
               ("cog", f["cog"], "num"), ("score", f["score"], "num"), ("enterprises", f["enterprises"], "count")],
              p_rows, "", period),
        table("crowded", f["crowded_title"],
              [("name", f["segment"], "text"),
               ("regions_targeting", f["regions_targeting"], "count"),
               ("stronger_case_name", f["stronger_case"], "text"), ("ranking_text", f["ranking"], "text")],
              [{**c, "key": c["segment"]} for c in out["crowded"]], "", period),
        table("targets", f["targets_title"].format(n=3),
              [("name", f["region"], "link"), ("targets_text", f["top_targets"], "text")], out["targets"], "",
              period),
    ]
    return out


def _map_data(request: Request, d: dict) -> dict:
    """The page's map of who targets what: the level's boundaries, each region's top breakthrough
    points (the targets table) and, per crowded segment, the regions that target it with their scores."""
    st = get_state(request)
    with st.lock:
        geo_url = data.map_url(data.pack_meta(st.store), d["level"])
    return {"geo_url": geo_url, "selected": d["region"]["code"],
            "regions": [{"code": x["region"], "name": x["name"], "targets": x["targets"],
                         "targets_text": x["targets_text"]} for x in d["targets"]],
            "names": {p["segment"]: p["name"] for p in d["points"]} | {c["segment"]: c["name"] for c in d["crowded"]},
            "crowded": [{"segment": c["segment"], "name": c["name"], "stronger_case": c["stronger_case"],
                         "ranking": [{"region": r["region"], "score": r["score"]} for r in c["ranking"]]}
                        for c in d["crowded"]]}


def _answer(request: Request, region: str, strategy: str, year: int | None, top: int) -> dict:
    st, user, lang = get_state(request), current_user(request), lang_of(request.query_params.get("lang"))
    return st.cached(("focus", region, strategy, year, top, lang, disclosure_key(user)),
                     lambda: focus_page(st, region, strategy, year, top,
                                        cell_rule(st.store, user, st.min_cell), lang))


@router.get("/api/focus/{region}", tags=["api"], dependencies=[Depends(require_aggregates)])
def api_focus(request: Request, region: str, strategy: str = STRATEGY, year: int | None = YEAR, top: int = TOP,
              format: str | None = FORMAT, table: str | None = None):
    """Where a city or county should focus: main attack points and breakthrough points with evidence,
    every segment's density / PCI / COG, and the province-wide view of segments many regions target."""
    return reply(request, _answer(request, region, strategy, year, top), f"focus-{region}")


@router.get("/focus/{region}", dependencies=[Depends(require_aggregates)],
            summary="focus page of a city or county (twin: /api/focus/{region})")
def focus_view(request: Request, region: str, strategy: str = STRATEGY, year: int | None = YEAR, top: int = TOP):
    pending.allow(request)
    d = _answer(request, region, strategy, year, top)
    lang = lang_of(request.query_params.get("lang"))
    f = fstrings(lang)
    keep = ("strategy", "year", "top", "lang")
    excel = page_url(request, "/api" + request.url.path, keep=keep)
    charts = {"points": [{k: p[k] for k in ("segment", "name", "kind", "density", "pci", "cog", "score")}
                         for p in d["points"]],
              "crowded": [{"segment": c["segment"], "name": c["name"], "n": c["regions_targeting"]}
                          for c in d["crowded"]],
              "labels": {k: f[k] for k in ("attack", "breakthrough", "other", "density", "pci", "cog",
                                            "regions_targeting", "stronger_case", "top_targets", "map_rank",
                                            "map_not_targeting", "map_empty", "map_failed")},
              "map": _map_data(request, d)}
    return render(request, "focus.html", d=d, f=f, nav="focus", excel_base=excel, charts=chart_json(charts),
                  strategy_url=page_url(request, keep=("year", "top", "lang")))
