"""Breakdowns of the monthly analysis: 41 divisions and 增长面, 高技术制造业 / 装备制造业, size classes, rankings.

All figures are YTD (1–M月累计) and come from one
:func:`chainbrain.analytics.operations.aggregate_ops` pass (or, for the
rankings, :func:`chainbrain.analytics.indicators.evaluate_many`).

- **Divisions** (行业大类, GB/T 4754-2017: 41 industrial divisions, B 06–12,
  C 13–43, D 44–46; names from the industry catalogue): one record per
  division present. **增长面** ``growth_breadth`` = #{divisions with
  comparable growth of the measure > 0} / #{divisions with a growth figure
  built from at least ``min_n`` enterprises} (default 3, the disclosure
  threshold: a division's sign is never counted from a cell that may not be
  shown). ``divisions_growing`` and ``divisions_counted`` are the two counts.
- **高技术制造业 / 装备制造业** ``structure``: value added of the group, its share
  of the scope's value added (``hightech_va_share`` = VA_hightech / VA, the
  bureau's 高技术制造业增加值占规上工业比重), comparable value-added and revenue
  growth; high-tech = classes flagged in 高技术产业（制造业）分类（2017）,
  equipment = the pack's divisions 33–40 (``classifications.toml``).
- **Size classes** ``by="size"`` of :mod:`operations` (rule: :mod:`sizes`).
- **Rankings** ``rank_regions``: cities or counties ordered by a comparable
  growth rate (default value added, 可比口径), descending; equal rates share a
  rank (competition ranking 1, 2, 2, 4); regions without a rate are listed
  last without a rank. ``rank_n`` is the region's comparable sample.
"""

from __future__ import annotations

from chainbrain.analytics.indicators import evaluate_many
from chainbrain.analytics.operations import operations_many
from chainbrain.periods import Period, parse_period

MIN_N = 3
DIVISIONS_TOTAL = 41


def _p(period) -> Period:
    return parse_period(period) if isinstance(period, str) else period


def division_names() -> dict[str, str]:
    from chainbrain.catalog.industries import by_code
    return {c: i.name for c, i in by_code().items() if len(c) == 2 and c.isdigit()}


def growth_breadth(rows: list[dict], measure: str = "value_added", min_n: int = MIN_N) -> dict:
    """增长面 of division records (``by="division"`` of :func:`operations_many`)."""
    counted = [r for r in rows if r.get(f"{measure}_yoy") is not None and r.get(f"{measure}_yoy_n", 0) >= min_n]
    growing = [r for r in counted if r[f"{measure}_yoy"] > 0]
    share = len(growing) / len(counted) if counted else None
    return {"measure": measure, "min_n": min_n, "divisions_total": DIVISIONS_TOTAL,
            "divisions_present": len(rows), "divisions_counted": len(counted), "divisions_growing": len(growing),
            "growth_breadth": share, "growth_breadth_n": len(counted),
            "growing": sorted(r["key"] for r in growing)}


def divisions(store, period, measure: str = "value_added", min_n: int = MIN_N, **kw) -> dict:
    """Division records (with names) and the 增长面 of ``measure``."""
    return divisions_of(operations_many(store, period, ("division",), **kw)["division"], measure, min_n)


def divisions_of(rows: list[dict], measure: str = "value_added", min_n: int = MIN_N) -> dict:
    """:func:`divisions` from division records of :func:`operations_many`."""
    names = division_names()
    for r in rows:
        r["name"] = names.get(r["key"], r["key"])
    return {"rows": rows, **growth_breadth(rows, measure, min_n)}


def structure(store, period, *, scope: str = "all", region: str | None = None, chain: str | None = None,
              pack=None) -> dict:
    """高技术制造业 and 装备制造业: value added, share of the scope's value added, comparable growth."""
    p = _p(period)
    g = operations_many(store, p, ("hightech", "equipment", "all"), scope=scope, region=region, chain=chain,
                        pack=pack)
    return {"period": p.label, "scope": scope, "region": region, "chain": chain,
            **structure_of(g["all"], g["hightech"], g["equipment"])}


def structure_of(all_rows: list[dict], hightech_rows: list[dict], equipment_rows: list[dict]) -> dict:
    """:func:`structure` from records of :func:`operations_many` (by all, hightech, equipment)."""
    total = all_rows[0] if all_rows else {}
    va_all, va_all_n = total.get("value_added"), int(total.get("value_added_n") or 0)
    out = {"value_added": va_all, "value_added_n": va_all_n}
    for group, rows in (("hightech", hightech_rows), ("equipment", equipment_rows)):
        r = next((x for x in rows if x["key"] == group), {})
        va = r.get("value_added")
        share = va / va_all if va is not None and va_all and va_all > 0 else None
        out |= {f"{group}_value_added": va, f"{group}_value_added_n": int(r.get("value_added_n") or 0),
                f"{group}_va_share": share, f"{group}_va_share_n": min(int(r.get("value_added_n") or 0), va_all_n),
                f"{group}_va_yoy": r.get("value_added_yoy"), f"{group}_va_yoy_n": int(r.get("value_added_yoy_n") or 0),
                f"{group}_revenue_yoy": r.get("revenue_yoy"), f"{group}_revenue_yoy_n": int(r.get("revenue_yoy_n") or 0),
                f"{group}_enterprises": int(r.get("enterprises") or 0)}
    return out


def rank(rows: list[dict], value: str, n_key: str | None = None) -> list[dict]:
    """``rows`` ordered by ``value`` descending with a competition rank (ties share it); rows without a
    value last, rank None. Adds ``rank``, ``rank_of`` (how many were ranked) and ``rank_n``."""
    has = sorted((r for r in rows if r.get(value) is not None), key=lambda r: (-r[value], str(r["key"])))
    out, prev, rk = [], None, 0
    for i, r in enumerate(has, start=1):
        if r[value] != prev:
            rk, prev = i, r[value]
        out.append({**r, "rank": rk})
    out += [{**r, "rank": None} for r in sorted((r for r in rows if r.get(value) is None), key=lambda r: str(r["key"]))]
    for r in out:
        r["rank_of"] = len(has)
        r["rank_n"] = int(r.get(n_key or f"{value}_n") or 0)
    return out


def rank_regions(store, period, level: str = "city", measure: str = "value_added", *, scope: str = "all",
                 region: str | None = None, chain: str | None = None) -> list[dict]:
    """Cities or counties (within ``region`` if given) ranked by comparable growth of ``measure`` (YTD)."""
    if level not in ("city", "county"):
        raise ValueError("level must be city or county (排名层级应为 city 或 county)")
    key = f"{measure}_yoy"
    rows = evaluate_many(store, period, (level,), scope=scope, region=region, chain=chain,
                         only=[key, measure])[level]
    slim = [{"key": r["key"], "by": level, "period": r["period"], "scope": scope, "measure": measure,
             "value": r.get(key), "value_n": r.get(f"{key}_n", 0)} for r in rows]
    return rank(slim, "value", "value_n")
