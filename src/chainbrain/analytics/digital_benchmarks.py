"""Digital-transformation benchmarks (标杆, 灯塔工厂 / 小灯塔): who holds the title, and who could be put forward.

Among the population of :func:`chainbrain.analytics.digital_coverage.population` at a period P (end d):

- ``designated``: the firms holding a ``benchmark`` (数字化转型标杆) or ``lighthouse`` (灯塔工厂 /
  小灯塔) designation valid on d, with their level on d
  (:func:`~chainbrain.analytics.digital_coverage.levels_on`);
- ``candidates``: the other firms whose level on d is at least the pack's ``[benchmark] min_level``
  (``digital.toml``). The selection criteria are NOT in the references (policy-facts §2.4: no
  definition of 小灯塔 found), so ``min_level`` ships empty and there are no candidates until the
  province sets it; ``configured`` says which. A set ``min_level`` is a bound that includes itself
  (level = min_level qualifies).
"""

from __future__ import annotations

import pandas as pd

from chainbrain.analytics.digital_coverage import firm_frame
from chainbrain.analytics.digital_rules import rules
from chainbrain.analytics.scope import _valid_on
from chainbrain.periods import parse_period

KINDS = ("benchmark", "lighthouse")


def min_level(r: dict | None = None) -> int | None:
    """The pack's candidate bound, or None while it is not configured (unsourced)."""
    v = (r or rules())["raw"].get("benchmark", {}).get("min_level", "")
    if v in ("", None):
        return None
    v = int(v)
    if v < 1:
        raise ValueError("digital.toml [benchmark] min_level must be a level ≥ 1 (标杆候选等级须 ≥ 1)")
    return v


def benchmarks(store, period: str, region: str | None = None, chain: str | None = None,
               r: dict | None = None) -> dict:
    """``{"designated": DataFrame, "candidates": DataFrame, "configured": bool, "min_level"}``; frames with
    enterprise_id, uscc, name, county_name, city_name, level (None: not assessed), titles."""
    p = parse_period(period)
    df = firm_frame(store, period, "all", region, chain)
    d = _valid_on(store.table("designation"), p.end_date)
    d = d.filter(d.kind.isin(KINDS)).select("enterprise_id", "kind", "level").distinct().execute()
    titles: dict[int, list[str]] = {}
    from chainbrain.catalog.designations import kind_name, level_name
    for t in d.sort_values(["enterprise_id", "kind", "level"]).itertuples():
        titles.setdefault(int(t.enterprise_id), []).append(f"{level_name(t.level)}{kind_name(t.kind)}")
    df["titles"] = [", ".join(titles.get(int(e), [])) for e in df["enterprise_id"]]
    held = df["enterprise_id"].isin(titles)
    bound = min_level(r)
    lvl = pd.to_numeric(df["level"], errors="coerce")
    cand = df[~held & (lvl >= bound)] if bound is not None else df.iloc[0:0]
    order = dict(by=["level", "uscc"], ascending=[False, True], na_position="last", kind="mergesort")
    return {"designated": df[held].sort_values(**order).reset_index(drop=True),
            "candidates": cand.sort_values(**order).reset_index(drop=True),
            "configured": bound is not None, "min_level": bound}
