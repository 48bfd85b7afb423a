"""Early warnings (预警): rules over the indicators, each alert with its evidence.

Rules (thresholds in :data:`RULES`, all on the YTD basis at period P = Y-M):

- ``below_path``: a chain below its growth-target path on the comparable
  basis (``target_ratio = I / (1 + r)^(Y−B) < 1``, the chained comparable
  index of :mod:`kpi` / :mod:`chained`) in each of the last 3 reporting
  periods (P and the two before it; Jan–Feb is one period, the sequence
  crosses into the previous year). A period without a comparable index
  (a link with no comparable data) does not count as below. Severity high
  when the worst ratio < 0.97. The figures also give the level ratio
  (总量口径, ``ratio_level``) as a second, labelled figure.
- ``chain_master_drop``: a chain-master enterprise (designation
  ``chain_master`` valid at P's end) whose revenue fell more than 10 % on its
  own comparable basis (上年同期 else its own report a year earlier).
  Enterprise-level: ``confidential`` is true (DESIGN.md §4).
- ``loss_share_rising``: a chain's (or the province's) loss-making share
  (亏损面) up by at least 2 percentage points on the same period last year,
  with at least 3 reporting enterprises.
- ``city_share_shrinking``: a city's share of the province's chain revenue
  down by at least 1 percentage point on the same period last year, with at
  least 3 enterprises now.

Each alert: rule, severity, subject (chain / city / enterprise code), period,
figures (the numbers the rule compared) and one sentence in Chinese and English
that names its subject by name — chain names (电子信息 / Electronic
information), region names (南昌市; the store has Chinese region names only,
so English sentences carry them too), 全省 / the province — never by code.
"""

from __future__ import annotations

import ibis

from chainbrain.analytics.indicators import evaluate, evaluate_one, facts
from chainbrain.analytics.kpi import kpi_table
from chainbrain.analytics.scope import latest
from chainbrain.periods import Period, parse_period
from chainbrain.store.schema import DESIGNATION_KEY

RULES = {
    "below_path": {"months": 3},
    "chain_master_drop": {"threshold": -0.10},
    "loss_share_rising": {"pp": 2.0, "min_n": 3},
    "city_share_shrinking": {"pp": 1.0, "min_n": 3},
}


def previous_periods(p: Period, k: int) -> list[Period]:
    """P and the k−1 reporting periods before it (months 2..12, across years)."""
    out, y, m = [], p.year, p.month
    while len(out) < k:
        out.append(Period(f"{y}-{m:02d}", y, m))
        m -= 1
        if m < 2:
            y, m = y - 1, 12
    return out


def names(store) -> tuple[dict, dict]:
    """({chain code: (name_zh, name_en)}, {region code: name}) from the pack tables."""
    c = store.table("chain").select("code", "name_zh", "name_en").execute()
    r = store.table("region").select("code", "name").execute()
    return ({x.code: (x.name_zh, x.name_en) for x in c.itertuples()},
            {x.code: x.name for x in r.itertuples()})


def _chain_name(chains: dict, code: str, lang: int) -> str:
    return chains.get(code, (code, code))[lang]


def _below_path(store, p: Period) -> list[dict]:
    memo: dict = {}
    return below_path_of(p, lambda q: kpi_table(store, q, by="chain", memo=memo), names(store)[0])


def below_path_of(p: Period, kpi_chain, chains: dict) -> list[dict]:
    """The ``below_path`` rule at ``p``; ``kpi_chain(q)``: the chain KPI records of period q
    (:func:`chainbrain.analytics.kpi.kpi_table` by chain, or the same records of every period at once)."""
    k = RULES["below_path"]["months"]
    hist: dict[str, list[dict]] = {}
    for q in previous_periods(p, k):
        for r in kpi_chain(q):
            hist.setdefault(r["key"], []).append(r)
    out = []
    for chain, rows in sorted(hist.items()):
        if len(rows) < k or any(r["target_ratio"] is None or r["target_ratio"] >= 1 for r in rows):
            continue
        figs = [{"period": r["period"], "basis": "comparable", "index": r["target_index_comparable"],
                 "path_index": r["target_index_comparable"] / r["target_ratio"], "ratio": r["target_ratio"],
                 "n": r["target_index_count"], "revenue_ytd_yuan": r["revenue_ytd_yuan"],
                 "path_yuan": r["target_path_yuan"], "ratio_level": r["target_ratio_level"],
                 "n_level": min(r["above_scale_count"], r["target_base_count"])} for r in rows]
        worst = min(r["target_ratio"] for r in rows)
        zh, en = _chain_name(chains, chain, 0), _chain_name(chains, chain, 1)
        out.append(_alert("below_path", "high" if worst < 0.97 else "medium", "chain", chain, p, figs,
                          f"{zh}产业链营业收入可比口径累计增长连续{k}个月低于目标路径"
                          f"（{p.label}为路径的{rows[0]['target_ratio']:.1%}）",
                          f"{en} chain: cumulative comparable revenue growth below its target path for {k} "
                          f"consecutive months ({rows[0]['target_ratio']:.1%} of the path in {p.label})",
                          n=min(r["target_index_count"] for r in rows), name=zh))
    return out


def chain_master_drop(store, p: Period) -> list[dict]:
    """The ``chain_master_drop`` rule at ``p``: one small query (module docstring)."""
    thr = RULES["chain_master_drop"]["threshold"]
    d = store.table("designation")
    end = ibis.literal(p.end_date)
    d = latest(d, list(DESIGNATION_KEY))
    d = d.filter((d.kind == "chain_master") & (d.valid_from <= end) & (d.valid_to.isnull() | (d.valid_to >= end)))
    cur, prv = facts(store, p.year, p.month), facts(store, p.year - 1, p.month)
    x = cur.join(d.select("enterprise_id", "chain_code").distinct(), "enterprise_id").left_join(
        prv.select("enterprise_id", own=prv.revenue), "enterprise_id")
    e = store.table("enterprise")
    x = x.join(e.select(enterprise_id=e.id, name=e.name), "enterprise_id")
    df = x.select("enterprise_id", "name", "chain_code", current=x.revenue,
                  prior=ibis.coalesce(x.revenue_rep_prev, x.own)).execute()
    df = df.sort_values(["enterprise_id", "chain_code"], kind="stable")   # not the engine's row order
    chains, _ = names(store)
    out = []
    for r in df.itertuples():
        if r.prior is None or r.prior != r.prior or r.prior <= 0:
            continue
        g = float(r.current) / float(r.prior) - 1
        if g < thr:
            out.append(_alert("chain_master_drop", "high", "enterprise", str(r.enterprise_id), p,
                              [{"period": p.label, "revenue_yuan": float(r.current), "prior_yuan": float(r.prior),
                                "yoy": g, "chain": r.chain_code}],
                              f"链主企业{r.name}（{_chain_name(chains, r.chain_code, 0)}产业链）"
                              f"营业收入同比下降{-g:.1%}",
                              f"Chain master {r.name} ({_chain_name(chains, r.chain_code, 1)} chain) revenue down "
                              f"{-g:.1%} year on year",
                              n=1, confidential=True, name=r.name))
    return out


def _loss_share_rising(store, p: Period) -> list[dict]:
    rows = evaluate(store, p, "chain", only=["loss_share", "loss_share_prev"])
    rows.append(evaluate_one(store, p, only=["loss_share", "loss_share_prev"]))
    return loss_share_of(p, rows, names(store)[0])


def loss_share_of(p: Period, rows: list[dict], chains: dict) -> list[dict]:
    """The ``loss_share_rising`` rule at ``p`` over the indicator records of every chain and the
    province (key ``all``)."""
    rule = RULES["loss_share_rising"]
    out = []
    for r in rows:
        a, b = r.get("loss_share"), r.get("loss_share_prev")
        if a is None or b is None or r["loss_share_n"] < rule["min_n"]:
            continue
        if (a - b) * 100 >= rule["pp"]:
            subj = "province" if r["key"] == "all" else r["key"]
            zh = "全省" if subj == "province" else f"{_chain_name(chains, subj, 0)}产业链"
            en = "The province" if subj == "province" else f"{_chain_name(chains, subj, 1)} chain"
            out.append(_alert("loss_share_rising", "medium", "chain" if subj != "province" else "province", subj, p,
                              [{"period": p.label, "loss_share": a, "loss_share_prev": b, "n": r["loss_share_n"]}],
                              f"{zh}亏损面{a:.1%}，较上年同期上升{(a - b) * 100:.1f}个百分点",
                              f"{en}: share of loss-making enterprises {a:.1%}, up {(a - b) * 100:.1f} pp "
                              f"on a year earlier", n=r["loss_share_n"], name=zh))
    return out


def _city_share_shrinking(store, p: Period) -> list[dict]:
    rows = evaluate(store, p, "city_chain", only=["share_of_chain", "share_of_chain_prev", "above_scale_count"])
    return city_share_of(p, rows, *names(store))


def city_share_of(p: Period, rows: list[dict], chains: dict, regions: dict) -> list[dict]:
    """The ``city_share_shrinking`` rule at ``p`` over the indicator records of every city × chain."""
    rule = RULES["city_share_shrinking"]
    out = []
    for r in rows:
        a, b = r.get("share_of_chain"), r.get("share_of_chain_prev")
        if a is None or b is None or r["above_scale_count"] < rule["min_n"]:
            continue
        if (b - a) * 100 >= rule["pp"]:
            city, chain = r["key"].split("|")
            cname = regions.get(city, city)
            out.append(_alert("city_share_shrinking", "medium", "city_chain", r["key"], p,
                              [{"period": p.label, "share": a, "share_prev": b, "n": r["above_scale_count"]}],
                              f"{cname}在全省{_chain_name(chains, chain, 0)}产业链营业收入中的占比"
                              f"由{b:.1%}降至{a:.1%}",
                              f"{cname}'s share of the province's {_chain_name(chains, chain, 1)} chain revenue "
                              f"fell from {b:.1%} to {a:.1%}", n=r["above_scale_count"],
                              name=f"{cname} · {_chain_name(chains, chain, 0)}"))
    return out


def _alert(rule, severity, subject_kind, subject, p, figures, zh, en, n, confidential=False, name=None) -> dict:
    return {"rule": rule, "severity": severity, "subject_kind": subject_kind, "subject": subject,
            "subject_name": name, "period": p.label, "figures": figures, "message_zh": zh, "message_en": en,
            "n": n, "confidential": confidential, "threshold": RULES[rule]}


def alerts(store, period: str | Period, rules: list[str] | None = None) -> list[dict]:
    """Every alert at ``period`` (JSON-ready), rule by rule."""
    p = parse_period(period) if isinstance(period, str) else period
    fns = {"below_path": _below_path, "chain_master_drop": chain_master_drop,
           "loss_share_rising": _loss_share_rising, "city_share_shrinking": _city_share_shrinking}
    out = []
    for name in rules or list(fns):
        out += fns[name](store, p)
    return out
