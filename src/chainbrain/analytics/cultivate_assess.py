"""Batch assessment of firms against the SME tiers: one output row per ``case_id`` (issue #15).

Input: the typed frame of :func:`chainbrain.ingest.cultivate_csv.parse`.  Rules: the pack's
``cultivation.toml`` (:mod:`chainbrain.analytics.cultivate_rules`), evaluated by
:mod:`chainbrain.analytics.cultivate_tiers`, what-ifs by
:mod:`chainbrain.analytics.cultivate_whatif`.  Output columns (points are whole numbers;
statuses ``1`` / ``0`` / ``unknown``; ``;``-joined code lists; empty = none):

- ``innovative_score``, ``innov_innovation_pts``, ``innov_growth_pts``,
  ``innov_specialisation_pts``, ``innovative_qualifies`` (0/1), ``innovative_routes``
  (shortcut routes held), ``innovative_reason``, ``innovative_whatif``;
- ``srdi_gates_met`` (1 | 0 | unknown), ``srdi_failed_gate`` (gates that fail; an undecided
  gate is not listed), ``srdi_unknown_gate``, ``srdi_score_known`` (sourced indicators
  only), ``srdi_score_max`` (what the unknown indicators could add), ``srdi_routes``
  (G4 routes held), ``srdi_whatif``;
- ``giant_status`` (0 | unknown), ``giant_failed``, ``giant_unknown`` (dimension codes;
  ``[I]`` marks a recalled dimension);
- ``size_class`` (micro | small | medium | large; empty when employees or revenue is missing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainbrain.analytics import cultivate_tiers as T
from chainbrain.analytics.cultivate_rules import rules as load_rules
from chainbrain.analytics.cultivate_text import by_combination, codes
from chainbrain.analytics.cultivate_whatif import innov_whatif, srdi_whatif

OUTPUT = ["case_id", "innovative_score", "innov_innovation_pts", "innov_growth_pts", "innov_specialisation_pts",
          "innovative_qualifies", "innovative_routes", "innovative_reason", "innovative_whatif",
          "srdi_gates_met", "srdi_failed_gate", "srdi_unknown_gate", "srdi_score_known", "srdi_score_max",
          "srdi_routes", "srdi_whatif", "giant_status", "giant_failed", "giant_unknown", "size_class"]


def assess(df: pd.DataFrame, pack=None, r: dict | None = None) -> pd.DataFrame:
    """The assessment of every firm (vectorized; see the module docstring for the columns)."""
    r = r or load_rules(pack)
    n = len(df)
    # 创新型
    pts = T.innov_indicator_points(df, r)
    cats = T.innov_totals(pts, r)
    ok = T.innov_score_ok(cats, r)
    routes = T.innov_routes(df, r)
    anyroute = np.logical_or.reduce(list(routes.values())) if n else np.zeros(0, bool)
    qualifies = ok | anyroute
    # 专精特新
    known_d, possible_d = T.srdi_indicator_points(df, r)
    known, possible = sum(known_d.values()), sum(possible_d.values())
    sroutes = T.srdi_routes(df, r)
    gates = T.srdi_gates(df, r, known, possible, sroutes)
    # 小巨人
    dims = T.giant_dims(df, r)
    recalled = {k for k, v in r["giant"]["dims"].items() if v.get("recalled")}
    out = pd.DataFrame({
        "case_id": df["case_id"].to_numpy(),
        "innovative_score": cats["total"].astype(np.int64),
        "innov_innovation_pts": cats["innovation"].astype(np.int64),
        "innov_growth_pts": cats["growth"].astype(np.int64),
        "innov_specialisation_pts": cats["specialisation"].astype(np.int64),
        "innovative_qualifies": qualifies.astype(np.int64),
        "innovative_routes": codes(routes),
        "innovative_reason": _innov_reason(df, r, cats, ok, qualifies, routes),
        "innovative_whatif": innov_whatif(df, r, pts, cats, qualifies),
        "srdi_gates_met": _status(T.combine(list(gates.values()))),
        "srdi_failed_gate": codes({k: v == T.FAILED for k, v in gates.items()}),
        "srdi_unknown_gate": codes({k: v == T.UNKNOWN for k, v in gates.items()}),
        "srdi_score_known": np.round(known).astype(np.int64),
        "srdi_score_max": np.round(possible).astype(np.int64),
        "srdi_routes": codes(sroutes),
        "srdi_whatif": srdi_whatif(df, r, gates, known, possible),
        "giant_status": np.where(T.combine(list(dims.values())) == T.FAILED, "0", "unknown"),
        "giant_failed": codes({k: v == T.FAILED for k, v in dims.items()}),
        "giant_unknown": codes({(f"{k}[I]" if k in recalled else k): v == T.UNKNOWN for k, v in dims.items()}),
        "size_class": T.size_class(df, pack),
    })
    return out[OUTPUT]


def _status(s: np.ndarray) -> np.ndarray:
    return np.select([s == T.MET, s == T.FAILED], ["1", "0"], "unknown")


def _innov_reason(df, r, cats, ok, qualifies, routes) -> np.ndarray:
    """The reason, built once per combination of the points, the routes held and the missing inputs."""
    cfg = r["innovative"]
    names = list(routes)
    route_key = sum((np.asarray(v, dtype=np.int64) << i for i, v in enumerate(routes.values())),
                    np.zeros(len(df), dtype=np.int64))
    missing = []
    for spec in cfg["indicators"].values():
        x = np.asarray(df[spec["input"]])
        if x.dtype.kind == "f":
            missing.append((spec["input"], np.isnan(x)))
    miss_key = sum((np.asarray(v, dtype=np.int64) << i for i, (_, v) in enumerate(missing)),
                   np.zeros(len(df), dtype=np.int64))
    order = ("innovation", "growth", "specialisation")

    def text(q, good, total, inn, gro, spe, rk, mk):
        cat_pts = dict(zip(order, (inn, gro, spe)))
        parts = [f"score {total}" + (" meets the score rule" if good else "")]
        if total < cfg["total_min"]:
            parts.append(f"total {total} < {cfg['total_min']}")
        parts += [f"{c} {cat_pts[c]} < {m}" for c, m in cfg["category_min"].items() if cat_pts[c] < m]
        held = [n for i, n in enumerate(names) if rk >> i & 1]
        parts.append(f"routes held: {';'.join(held)}" if held else "no shortcut route")
        miss = [n for i, (n, _) in enumerate(missing) if mk >> i & 1]
        if miss:
            parts.append("not reported (0 points): " + ";".join(miss))
        return ("qualifies: " if q else "does not qualify: ") + "; ".join(parts)

    return by_combination([qualifies, ok, cats["total"], cats["innovation"], cats["growth"],
                           cats["specialisation"], route_key, miss_key], text)
