"""The 融通 matching answer (page, JSON twin, Excel): stored needs, ranked suppliers, outcomes, counts per chain.

:func:`answer` takes the open needs of the store (``match_need``, optionally one chain's), keeps the
needs whose buyer the viewer may see (``visible``: ids → the visible subset; None = operator, all),
ranks suppliers for them (:func:`chainbrain.analytics.cultivate_match.match`: points and reasons) and
shows a proposed supplier only when the viewer may see it too; the others are counted per need
(``hidden``: a count of enterprises, which the disclosure rule leaves, web/disclosure.py). Each pair
carries the latest stage of its match events (``match_event``: the latest day, then the latest id).

Counts per chain, made from the needs shown only: needs, needs with a proposal, proposals (shown and
hidden), proposals among existing suppliers, and pairs by latest stage. Only counts of needs and
enterprises — no statistical figure of any firm is shown or summed.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.analytics.cultivate_match import TIER_NAMES, match
from chainbrain.store.schema_cultivation import MATCH_STAGES

STAGE_NAMES = {"proposed": ("已推荐", "proposed"), "contacted": ("已对接", "contacted"),
               "trial_order": ("试单", "trial order"), "supplier": ("已成为供应商", "supplier"),
               "declined": ("未成", "declined")}


def latest_stages(store) -> dict:
    """(need_id, supplier_id) → the latest stage of its events."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, need_id, supplier_id, stage, occurred_on FROM match_event")).all()
    best: dict = {}
    for r in rows:
        key = (r.need_id, int(r.supplier_id))
        if key not in best or (r.occurred_on, r.id) > best[key][0]:
            best[key] = ((r.occurred_on, r.id), r.stage)
    return {k: v[1] for k, v in best.items()}


def _names(store) -> tuple[dict, dict, dict]:
    with store.engine.connect() as conn:
        reg = dict(conn.execute(sa.text("SELECT code, name FROM region")).all())
        seg = {r[0]: (r[1], r[2]) for r in conn.execute(sa.text("SELECT code, name_zh, name_en FROM segment"))}
        ch = {r[0]: (r[1], r[2]) for r in conn.execute(sa.text("SELECT code, name_zh, name_en FROM chain"))}
    return reg, seg, ch


def answer(store, day: dt.date, chain: str | None = None, visible=None, lang: str = "zh", top: int | None = None,
           needs=None, matched: list[dict] | None = None) -> dict:
    """The answer; ``matched``: :func:`match` of every stored open need on ``day`` with ``top`` (the
    viewer-independent part, which the web caches), else matched here."""
    from chainbrain.work.match_needs import needs as stored

    en = lang == "en"
    df = stored(store) if needs is None else needs
    if chain:
        df = df[df["chain_code"] == chain]
    if visible is not None and len(df):
        seen = visible(set(int(i) for i in df["buyer_id"]))
        df = df[df["buyer_id"].astype(int).isin(seen)]
    df = df.reset_index(drop=True)
    if matched is not None:
        keep = set(df["need_id"])
        rows = [r for r in matched if r["need_id"] in keep]
    else:
        rows = match(store, df, day, top) if len(df) else []
    shown_ids = visible({r["supplier_id"] for r in rows}) if visible is not None and rows else None
    stages = latest_stages(store)
    reg, seg, chn = _names(store)
    li = 1 if en else 0
    per_need = {n: {"proposals": 0, "hidden": 0, "best": None, "existing": 0} for n in df["need_id"]}
    shown = []
    for r in rows:
        c = per_need[r["need_id"]]
        c["proposals"] += 1
        c["existing"] += int(r["existing"])
        c["best"] = max(c["best"] or 0, r["points"])
        if shown_ids is not None and r["supplier_id"] not in shown_ids:
            c["hidden"] += 1
            continue
        st = stages.get((r["need_id"], r["supplier_id"]))
        shown.append({**r, "city_name": reg.get(r["city"]), "tier_name": TIER_NAMES.get(r["tier"]) if r["tier"] else None,
                      "stage": st, "stage_name": STAGE_NAMES[st][li] if st else None,
                      "existing_text": ("yes" if en else "是") if r["existing"] else "",
                      "href": f"/enterprises/{r['uscc'] or r['supplier_id']}", "key": f"{r['need_id']}|{r['supplier_id']}"})
    need_rows = []
    for n in df.to_dict("records"):
        c = per_need[n["need_id"]]
        need_rows.append({"need_id": n["need_id"], "key": n["need_id"], "buyer_id": int(n["buyer_id"]),
                          "buyer_uscc": n["buyer_uscc"], "buyer_name": n["buyer_name"],
                          "href": f"/enterprises/{n['buyer_uscc'] or n['buyer_id']}",
                          "chain_code": n["chain_code"], "chain_name": chn.get(n["chain_code"], ("", ""))[li],
                          "segment_code": n["segment_code"], "segment_name": seg.get(n["segment_code"], ("", ""))[li],
                          "product": n["product"], "city": n["city"] or None, "city_name": reg.get(n["city"]) if n["city"] else None,
                          "entered_by": n["entered_by"], "proposals": c["proposals"], "hidden": c["hidden"],
                          "best_points": c["best"], "existing": c["existing"]})
    per_chain: dict = {}
    for n in need_rows:
        k = per_chain.setdefault(n["chain_code"], {"chain_code": n["chain_code"], "key": n["chain_code"],
                                                   "chain_name": n["chain_name"], "needs": 0, "needs_matched": 0,
                                                   "proposals": 0, "existing": 0, "pairs": 0,
                                                   **{s: 0 for s in MATCH_STAGES}})
        k["needs"] += 1
        k["needs_matched"] += int(n["proposals"] > 0)
        k["proposals"] += n["proposals"]
        k["existing"] += n["existing"]
    ids = set(df["need_id"])
    chain_of = dict(zip(df["need_id"], df["chain_code"]))
    for (need, _sup), st in stages.items():
        if need in ids:
            k = per_chain[chain_of[need]]
            k["pairs"] += 1
            k[st] += 1
    counts = sorted(per_chain.values(), key=lambda c: c["chain_code"] or "")
    from chainbrain.analytics.scaleup_rules import rules

    note = ("Points: pack scaleup.toml [matching] (unsourced weights): segment exact 3 / related 2, same city 2, "
            "product word 2, SME tier 1–3; large firms (工信部联企业〔2011〕300号) left out. Suppliers outside your "
            "scope are counted, not named." if en else
            "分值：省包 scaleup.toml [matching]（权重未找到出处，可配置）：同环节 3／相关环节 2，同城 2，产品词 2，"
            "梯度培育层级 1–3；大型企业（工信部联企业〔2011〕300号）不推荐。超出您数据权限的供应商只计数、不列名。")
    return {"date": day.isoformat(), "chain": chain, "needs": need_rows, "rows": shown, "counts": counts,
            "stages": list(MATCH_STAGES), "stage_names": {k: STAGE_NAMES[k][li] for k in MATCH_STAGES}, "top": top or int(rules()["matching"]["top"]),
            "unit": "points; counts of needs and enterprises (家)", "note": note,
            "tables": _tables(need_rows, shown, counts, day, en)}


def _tables(needs: list[dict], rows: list[dict], counts: list[dict], day: dt.date, en: bool) -> list[dict]:
    def col(key, zh, e, kind="text"):
        return {"key": key, "label": e if en else zh, "kind": kind}

    ncols = [col("need_id", "需求编号", "Need"), col("buyer_name", "需求方（链主）", "Buyer (chain master)", "link"),
             col("chain_name", "产业链", "Chain"), col("segment_name", "环节", "Segment"),
             col("product", "产品", "Product"), col("city_name", "优先城市", "City preferred"),
             col("proposals", "推荐供应商（家）", "Suppliers proposed", "count"),
             col("hidden", "其中超出权限（家）", "of which outside your scope", "count"),
             col("best_points", "最高分", "Best points", "count"),
             col("existing", "已是供应商（家）", "Existing suppliers", "count")]
    mcols = [col("need_id", "需求编号", "Need"), col("rank", "排名", "Rank", "count"),
             col("name", "供应商", "Supplier", "link"), col("uscc", "统一社会信用代码", "USCC"),
             col("city_name", "城市", "City"), col("points", "分值", "Points", "count"),
             col("tier_name", "梯度培育层级", "SME tier"), col("existing_text", "已供货", "Supplies already"),
             col("stage_name", "对接进展", "Outcome"), col("reasons", "推荐理由", "Reasons")]
    ccols = [col("chain_name", "产业链", "Chain"), col("needs", "需求数", "Needs", "count"),
             col("needs_matched", "有推荐的需求", "Needs with proposals", "count"),
             col("proposals", "推荐数", "Proposals", "count"), col("existing", "已是供应商", "Existing", "count"),
             col("pairs", "已跟踪对接", "Pairs followed", "count"), col("contacted", "已对接", "Contacted", "count"),
             col("trial_order", "试单", "Trial order", "count"), col("supplier", "成为供应商", "Supplier", "count"),
             col("declined", "未成", "Declined", "count")]
    p = day.isoformat()
    return [{"id": "match-needs", "title": "Chain masters' needs" if en else "链主企业采购需求", "period": p,
             "columns": ncols, "rows": needs},
            {"id": "match-proposals", "title": "Suppliers proposed" if en else "推荐供应商", "period": p,
             "unit": "points" if en else "分", "columns": mcols, "rows": rows},
            {"id": "match-chains", "title": "Per chain" if en else "分产业链统计", "period": p,
             "unit": "counts" if en else "个／家", "columns": ccols, "rows": counts}]
