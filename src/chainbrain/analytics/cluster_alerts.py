"""Cluster alerts (集群预警): a cluster behind the upgrade plan's growth or below the scorecard threshold.

Rules (pack ``clusters.toml [alerts]``, versioned; strict "<" throughout):

- ``cluster_growth_below_target``: the cluster's comparable revenue growth g of the year (the
  scorecard's ``revenue_growth``: the monitoring engine's ``revenue_yoy`` of the cluster scope) below
  the plan's rate r (``[[targets.item]]`` ``growth_target``, +10 % a year, 赣工强省小组字〔2025〕4号
  [Q]): g < r. Severity high when g < ``growth_high_below`` (0: the cluster shrank), else medium
  (the cut is unsourced).
- ``cluster_score_below``: the scorecard score s (0–100) < ``min_score``; the dimensions scoring
  < ``min_dimension_score`` are named. Thresholds unsourced (MIIT publishes none), marked so.

Each alert has the shape of the chain alerts (:func:`chainbrain.analytics.alerts._alert`: rule,
severity, subject_kind ``cluster``, subject, subject_name, period, figures, message_zh/en, n,
confidential, threshold) plus ``version``. :func:`alerts` reads a cluster answer *after* the viewer's
disclosure (:func:`chainbrain.analytics.cluster_answer.view`): a withheld figure is None and raises no
alert, and a score is the score the viewer sees — an alert never tells more than the page.
"""

from __future__ import annotations


def _find(card: dict, code: str) -> dict | None:
    return next((x for d in card["dimensions"] for x in d["indicators"] if x["code"] == code), None)


def _alert(rule: str, severity: str, card: dict, period, figures: dict, zh: str, en: str, n: int, cfg: dict) -> dict:
    keys = {"cluster_growth_below_target": ("growth_high_below", "growth_sourced"),
            "cluster_score_below": ("min_score", "min_dimension_score", "score_sourced")}[rule]
    return {"rule": rule, "severity": severity, "subject_kind": "cluster", "subject": card["code"],
            "subject_name": card["name_zh"], "period": period, "figures": [{"period": period, **figures}],
            "message_zh": zh, "message_en": en, "n": n, "confidential": False,
            "threshold": {k: cfg.get(k) for k in keys}, "version": cfg.get("version")}


def alerts(cards: list[dict], targets: dict, cfg: dict, period: str | None) -> list[dict]:
    """The alerts of the (disclosed) scorecards ``cards`` against ``cfg`` (``clusters.toml [alerts]``)."""
    if not cfg or period is None:
        return []
    rate = next((it["target"] for it in targets.get("items", []) if it["code"] == cfg.get("growth_target")), None)
    out = []
    for card in cards:
        zh, en = card["name_zh"], card.get("name_en") or card["name_zh"]
        g = _find(card, "revenue_growth")
        if rate is not None and g and g["value"] is not None and g["value"] < rate:
            v = g["value"]
            high = cfg.get("growth_high_below")
            out.append(_alert("cluster_growth_below_target", "high" if high is not None and v < high else "medium",
                              card, period, {"growth": v, "growth_target": rate, "n": g["n"]},
                              f"{zh}营业收入可比增长{v:.1%}，低于提能升级方案年均增长{rate:.0%}的目标",
                              f"{en}: comparable revenue growth {v:.1%}, below the upgrade plan's {rate:.0%} a year",
                              g["n"], cfg))
        s, floor = card.get("score"), cfg.get("min_score")
        if s is not None and floor is not None and s < floor:
            low = [d for d in card["dimensions"] if d["score"] is not None
                   and cfg.get("min_dimension_score") is not None and d["score"] < cfg["min_dimension_score"]]
            weak_zh = "、".join(d["name_zh"] for d in low)
            weak_en = ", ".join(d["name_en"] for d in low)
            out.append(_alert("cluster_score_below", "medium", card, period,
                              {"score": s, "min_score": floor, **{f"dim_{d['code']}": d["score"] for d in low}},
                              f"{zh}集群评分{s:.1f}，低于{floor:.0f}分" + (f"（薄弱维度：{weak_zh}）" if low else ""),
                              f"{en}: scorecard {s:.1f}, below {floor:.0f}" + (f" (weak: {weak_en})" if low else ""),
                              int((_find(card, "member_firms") or {}).get("value") or 0), cfg))
    return out
