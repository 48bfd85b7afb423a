"""Chain modernization index (产业链现代化水平指数) per chain and per city × chain.

Indicators x_ij for unit i (a chain, or a city's part of a chain) in year Y,
grouped in dimensions:

| dimension | indicator | formula | direction |
|---|---|---|---|
| scale & growth | ``scale`` | ln(1 + revenue_Y) (YTD December, yuan) | + |
|  | ``growth`` | comparable revenue YoY (:mod:`indicators`) | + |
| innovation | ``rd_intensity`` | Σ R&D / Σ revenue | + |
|  | ``hightech_share`` | high-tech designated firms / firms | + |
|  | ``srdi_count`` | firms designated srdi, little_giant or single_champion | + |
| digitalization | ``digital_share`` | firms designated lighthouse or benchmark / firms (only when any exist) | + |
| completeness | ``segment_coverage`` | the chain's top segments with ≥ 1 firm / all its top segments | + |
|  | ``local_supply_rate`` | purchases of the unit's firms from in-province suppliers / all their purchases (supply_link, Y) | + |
| leading firms | ``chain_masters`` | chain-master firms of the chain | + |
| green | ``energy_intensity`` | Σ energy_tce / Σ revenue (annual_report, Y; tce per 10⁴ yuan) | − |
| openness | ``export_share`` | Σ export / Σ revenue | + |

Weights (default ``method="fixed"``): the pack's ``modernization.toml`` — fixed
weights and fixed goalposts, a configurable choice marked UNSOURCED (no policy
document gives them), versioned with the pack so that scores are comparable
over time and across levels: ``z_ij = clip((x_ij − lo_j) / (hi_j − lo_j), 0, 1)``
(``(hi_j − x_ij) / (hi_j − lo_j)`` for negative indicators); weights of the
indicators present are renormalized to sum 1.

Alternative (``method="entropy"`` or user ``weights``): min–max over the units compared: positive
``z_ij = (x_ij − min_j) / (max_j − min_j)``, negative ``(max_j − x_ij) / (max_j −
min_j)``; a constant column gives 0; a missing value gives 0 and is flagged.
Indicators with no data at all are dropped.

Entropy weights (default; e.g. Zou, Yun & Sun 2006): ``p_ij = z_ij / Σ_i z_ij``,
``e_j = −(1/ln n) Σ_i p_ij ln p_ij``, ``d_j = 1 − e_j``, ``w_j = d_j / Σ_j d_j``.
User weights may be given instead (normalized to sum 1 over the indicators used).

Score ``S_i = 100 · Σ_j w_j z_ij``; the breakdown lists for each indicator the
raw value, z and the points ``100 · w_j z_ij``, and per dimension the sum of its points.

Disclosure control (``min_cell``, default 3): a unit whose December revenue
cell is withheld for an anonymous viewer by the suppression pattern of
:mod:`chainbrain.analytics.suppression` (primary or complementary) has its score,
rank and whole breakdown withheld (``None``; ``suppressed`` lists them): its
``ln(1 + revenue)`` and every other figure of its few firms would otherwise be
shown, and its score minus the other points would give them back. Ranks
count the shown units only. ``min_cell=1`` (administrators' analysis) shows all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainbrain.analytics.indicators import evaluate
from chainbrain.analytics.scope import _enterprise_segments, latest, members
from chainbrain.periods import Period, parse_period
from chainbrain.store.schema import DESIGNATION_KEY

DIMENSIONS = {
    "scale": "scale_growth", "growth": "scale_growth", "rd_intensity": "innovation", "hightech_share": "innovation",
    "srdi_count": "innovation", "digital_share": "digitalization", "segment_coverage": "completeness",
    "local_supply_rate": "completeness", "chain_masters": "leading", "energy_intensity": "green",
    "export_share": "openness",
}
NEGATIVE = {"energy_intensity"}


def normalize(x: pd.DataFrame) -> pd.DataFrame:
    """Min–max normalization per column (negative indicators reversed; NaN → 0)."""
    z = pd.DataFrame(index=x.index)
    for c in x.columns:
        col = x[c].astype(float)
        lo, hi = col.min(), col.max()
        if not np.isfinite(hi - lo) or hi == lo:
            z[c] = 0.0
            continue
        z[c] = ((hi - col) if c in NEGATIVE else (col - lo)) / (hi - lo)
    return z.fillna(0.0)


def entropy_weights(z: pd.DataFrame) -> pd.Series:
    """Entropy weights of normalized indicators (module docstring)."""
    n = len(z)
    if n < 2:
        return pd.Series(1 / z.shape[1], index=z.columns)
    s = z.sum(axis=0)
    p = z.div(s.where(s > 0, 1.0), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(n)
    e = np.where(s > 0, e, 1.0)                  # a column of zeros carries no information
    d = pd.Series(1 - e, index=z.columns)
    return d / d.sum() if d.sum() > 0 else pd.Series(1 / z.shape[1], index=z.columns)


def _designated(store, date, kinds) -> pd.DataFrame:
    d = latest(store.table("designation"), list(DESIGNATION_KEY))
    d = d.filter(d.kind.isin(kinds) & (d.valid_from <= date) & (d.valid_to.isnull() | (d.valid_to >= date)))
    return d.select("enterprise_id", "kind", "chain_code").distinct().execute()


def indicators_frame(store, year: int, level: str = "chain", scope: str = "all",
                     period: str | None = None) -> pd.DataFrame:
    """Raw indicators x_ij per unit (index: chain or 'city|chain'), plus ``n`` (firms in the sample).

    Flows are YTD December of ``year`` unless ``period`` (YYYY-MM) is given.
    """
    p = parse_period(period) if period else Period(str(year), year, 12)
    year = p.year
    rows = evaluate(store, p, level, scope=scope,
                    only=["revenue", "revenue_yoy", "rd_intensity", "export_share", "above_scale_count"])
    if not rows:
        return pd.DataFrame({"n": pd.Series(dtype=int)})
    ev = pd.DataFrame(rows).set_index("key")
    x = pd.DataFrame(index=ev.index)
    x["scale"] = np.log1p(ev["revenue"].astype(float))
    x["growth"] = ev["revenue_yoy"].astype(float)
    x["rd_intensity"] = ev["rd_intensity"].astype(float)
    x["export_share"] = ev["export_share"].astype(float)
    n = ev["above_scale_count"].astype(int)
    # members of the sample (firms with a December report) per unit
    t = store.table("monthly_report")
    sample = latest(t.filter((t.year == year) & (t.month == p.month)), ["enterprise_id", "year", "month"])
    mem = members(store, p.end_date, scope, by=level).join(sample.select("enterprise_id"), "enterprise_id")
    mem = mem.select("enterprise_id", "key").execute()
    mem["chain"] = mem["key"].str.split("|").str[-1]
    des = _designated(store, p.end_date, ["high_tech", "srdi", "little_giant", "single_champion", "chain_master",
                                          "lighthouse", "benchmark"])

    def share(kinds):
        ids = set(des.loc[des.kind.isin(kinds), "enterprise_id"])
        return mem.assign(f=mem.enterprise_id.isin(ids)).groupby("key")["f"].mean()

    def count(kinds):
        ids = set(des.loc[des.kind.isin(kinds), "enterprise_id"])
        return mem.assign(f=mem.enterprise_id.isin(ids)).groupby("key")["f"].sum()

    x["hightech_share"] = share(["high_tech"])
    x["srdi_count"] = count(["srdi", "little_giant", "single_champion"])
    if des.kind.isin(["lighthouse", "benchmark"]).any():
        x["digital_share"] = share(["lighthouse", "benchmark"])
    cm = des[des.kind == "chain_master"][["enterprise_id", "chain_code"]]
    m2 = mem.merge(cm, left_on=["enterprise_id", "chain"], right_on=["enterprise_id", "chain_code"])
    x["chain_masters"] = m2.groupby("key").size().reindex(x.index).fillna(0)
    # completeness: top segments present
    es = _enterprise_segments(store, p.end_date).select("enterprise_id", "top_segment").distinct().execute()
    seg = store.table("segment").execute()
    tops = seg[seg.level == "segment"].groupby("chain_code").size()
    me = mem.merge(es, on="enterprise_id").merge(seg[["code", "chain_code"]], left_on="top_segment", right_on="code")
    me = me[me.chain_code == me.chain]
    x["segment_coverage"] = me.groupby("key")["top_segment"].nunique() / \
        pd.Series(x.index.str.split("|").str[-1].map(tops).to_numpy(dtype=float), index=x.index)
    # local supply
    sl = latest(store.table("supply_link"), ["supplier_id", "buyer_id", "year"])
    sl = sl.filter(sl.year == year)
    ent = store.table("enterprise")
    prov = store.table("pack_meta").execute()["province_code"].iloc[0] if "pack_meta" in store.ibis().list_tables() \
        else None
    sl = sl.join(ent.select(supplier_id=ent.id, sprov=ent.province_code), "supplier_id")
    sdf = sl.select("buyer_id", "sprov", amount=sl.amount.cast("float64")).execute()
    if len(sdf) and prov is not None:
        sm = mem.merge(sdf, left_on="enterprise_id", right_on="buyer_id")
        tot = sm.groupby("key")["amount"].sum()
        loc = sm[sm.sprov == prov].groupby("key")["amount"].sum()
        x["local_supply_rate"] = (loc.reindex(tot.index).fillna(0) / tot.where(tot > 0)).reindex(x.index)
    # green: annual energy per 10^4 yuan revenue
    a = latest(store.table("annual_report"), ["enterprise_id", "year"])
    a = a.filter((a.year == year) & a.energy_tce.notnull())
    adf = a.select("enterprise_id", energy=a.energy_tce.cast("float64"), rev=a.revenue.cast("float64")).execute()
    if len(adf):
        am = mem.merge(adf, on="enterprise_id").groupby("key")[["energy", "rev"]].sum()
        x["energy_intensity"] = (am["energy"] / (am["rev"].where(am["rev"] > 0) / 1e4)).reindex(x.index)
    x = x.dropna(axis=1, how="all")
    x["n"] = n
    return x


def pack_weights(store) -> dict:
    """The pack's fixed weights and goalposts (``modernization.toml``; version, ``sourced = false``)."""
    from chainbrain.catalog.pack import load_pack
    name = None
    try:
        meta = store.table("pack_meta").execute()
        name = str(meta["name"].iloc[0]) if len(meta) else None
    except Exception:                              # a store without pack metadata: the default pack
        name = None
    try:
        return load_pack(name).modernization
    except (FileNotFoundError, KeyError):
        return load_pack(None).modernization


def normalize_fixed(x: pd.DataFrame, goalposts: dict) -> pd.DataFrame:
    """Goalpost normalization ``clip((x − lo)/(hi − lo), 0, 1)`` (reversed for negative indicators; NaN → 0)."""
    z = pd.DataFrame(index=x.index)
    for c in x.columns:
        lo, hi = (float(v) for v in goalposts[c])
        col = x[c].astype(float)
        v = (hi - col) if c in NEGATIVE else (col - lo)
        z[c] = (v / (hi - lo)).clip(0.0, 1.0)
    return z.fillna(0.0)


def _withheld(store, year: int, level: str, scope: str, period: str | None, keys, min_cell: int) -> set:
    """Units whose revenue cell the anonymous suppression pattern withholds (module docstring)."""
    if min_cell <= 1:
        return set()
    from chainbrain.analytics import suppression_periods
    p = period or f"{year}-12"
    pat = suppression_periods.linked_pattern(store, p, frozenset(), min_cell)   # as the web pages
    out = set()
    for key in keys:
        parts = str(key).split("|")
        chain = parts[-1]
        region = parts[0] if len(parts) > 1 else None
        if ("cur", chain, region, scope) in pat.hidden:
            out.add(key)
    return out


def index(store, year: int, level: str = "chain", weights: dict[str, float] | str | None = None,
          scope: str = "all", period: str | None = None, min_cell: int = 3) -> list[dict]:
    """Scores with breakdown, ranked (JSON-ready). ``weights``: None (the pack's fixed weights),
    ``"entropy"``, or a dict of user weights; ``min_cell``: disclosure control (module docstring)."""
    x = indicators_frame(store, year, level, scope, period)
    n = x.pop("n")
    if x.empty or x.shape[1] == 0:
        return []
    fixed = pack_weights(store) if weights is None else {}
    version = None
    if isinstance(weights, dict) and weights:
        z = normalize(x)
        w = pd.Series({k: float(v) for k, v in weights.items() if k in z.columns}, dtype=float)
        w = w.reindex(z.columns).fillna(0.0)
        w = w / w.sum()
        method = "user"
    elif weights == "entropy" or not fixed.get("weights"):
        z = normalize(x)
        w = entropy_weights(z)
        method = "entropy"
    else:
        cols = [c for c in x.columns if c in fixed["weights"] and c in fixed.get("goalposts", {})]
        x = x[cols]
        z = normalize_fixed(x, fixed["goalposts"])
        w = pd.Series({c: float(fixed["weights"][c]) for c in cols}, dtype=float)
        w = w / w.sum()
        method = "fixed"
        version = fixed.get("modernization", {}).get("version")
    points = z.mul(w, axis=1) * 100
    score = points.sum(axis=1).sort_values(ascending=False)
    hidden = _withheld(store, year, level, scope, period, score.index, min_cell)
    out = []
    shown = [k for k in score.index if k not in hidden]
    ranks = {k: i for i, k in enumerate(shown, start=1)}
    for key, s in score.items():
        if key in hidden:
            out.append({"year": year, "level": level, "key": key, "score": None, "rank": None, "n": int(n[key]),
                        "dimensions": None, "weights_method": method, "weights_version": version,
                        "indicators": None, "suppressed": ["score", "rank", "dimensions", "indicators"]})
            continue
        rank = ranks[key]
        dims: dict[str, float] = {}
        for c in z.columns:
            dims[DIMENSIONS[c]] = dims.get(DIMENSIONS[c], 0.0) + float(points.at[key, c])
        out.append({"year": year, "level": level, "key": key, "score": float(s), "rank": rank, "n": int(n[key]),
                    "dimensions": dims, "weights_method": method, "weights_version": version, "suppressed": [],
                    "indicators": {c: {"value": None if pd.isna(x.at[key, c]) else float(x.at[key, c]),
                                       "z": float(z.at[key, c]), "weight": float(w[c]),
                                       "points": float(points.at[key, c]), "missing": bool(pd.isna(x.at[key, c]))}
                                   for c in z.columns}})
    return out
