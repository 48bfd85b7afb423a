"""Main attack points (主攻点) and breakthrough points (突破点) per city or county.

From the region × segment revenue table of one level (all counties, or all
cities, of the province) we compute the complexity measures of
``complexity.py`` (segments play the role of products) and rank, for one
region:

- **attack** — segments the region already has (M_rs = 1, RCA ≥ 1) on the
  target chains, scored by
  ``w_rca·pr(log RCA) + w_pci·pr(PCI) + w_share·pr(share of the province's
  segment revenue)``;
- **breakthrough** — segments it does not yet have (M_rs = 0) on the target
  chains, scored by ``w_density·pr(density) + w_pci·pr(PCI) + w_cog·pr(COG)``:
  feasibility (relatedness to what the region already does), attractiveness
  (complexity) and strategic value (how much the move opens up).

``pr`` is the percentile rank over all cells of the level (all present
cells for attack, all absent cells for breakthrough; over segments for PCI),
so scores are in [0, 1] and comparable between regions — which the
province-wide view needs.  Strategy presets follow the Growth Lab Atlas's
country "growth opportunities" strategies (low-hanging fruit, balanced
portfolio, long jumps), which weight distance (here density), complexity and
opportunity gain; the weights are ours.

Province-wide view: a segment is *crowded* when it is in the top-N
breakthrough list of at least ``min_regions`` regions; for each crowded
segment the regions are ordered by score and the first has the stronger
case (higher relatedness/complexity evidence).

Each item carries ``evidence``: the figures used (RCA, Mcp, density, PCI,
COG, revenue, enterprise count, the region's ECI, the subnational ECI — the
mean PCI over the region's present segments).  Revenue from fewer than 3
enterprises is suppressed (None, with the reason) per the statistical
confidentiality rule (the command line); the web page passes the viewer's
complementary-suppression pattern instead (``withhold``; cells, relations and
derived fields in :mod:`chainbrain.analytics.suppression_focus`).

Reference tables (``reference.py``): with an external PCI by segment the
subnational ECI is the mean *reference* PCI over the region's segments, and
the PCI term of both scores uses the reference PCI's percentile rank where a
segment has one (the province's own PCI elsewhere); with a national value by
segment the evidence adds ``lq_reference`` (the location quotient against
national shares).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainbrain.analytics.advantage.complexity import complexity_matrix, eci_from_pci, pivot

PRESETS = {
    "low_hanging_fruit": {"density": 0.60, "pci": 0.15, "cog": 0.25},
    "balanced": {"density": 0.45, "pci": 0.25, "cog": 0.30},
    "long_jumps": {"density": 0.25, "pci": 0.40, "cog": 0.35},
}
ATTACK_WEIGHTS = {"rca": 0.40, "pci": 0.35, "share": 0.25}
MIN_ENTERPRISES = 3


def _pr(x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Percentile rank (average ranks, in [0, 1]) of x over the cells in mask; NaN elsewhere."""
    x = np.asarray(x, dtype=float)
    m = ~np.isnan(x) if mask is None else (mask & ~np.isnan(x))
    out = np.full(x.shape, np.nan)
    n = m.sum()
    if n:
        r = pd.Series(x[m]).rank(method="average").to_numpy()
        out[m] = (r - 1) / (n - 1) if n > 1 else 1.0
    return out


class Advantage:
    """Complexity and scores of one level (all regions × segments), ready to query per region."""

    def __init__(self, values: pd.DataFrame, segments: pd.DataFrame | None = None,
                 target_chains: list[str] | None = None, strategy: str = "balanced",
                 threshold: float = 1.0, reference_pci: pd.Series | None = None,
                 reference_values: pd.Series | None = None):
        if strategy not in PRESETS:
            raise ValueError(f"strategy must be one of {', '.join(PRESETS)}")
        self.values = values
        X, regions, segs = pivot(values, "region", "segment", "revenue")
        self.cx = complexity_matrix(X, regions, segs, threshold=threshold)
        self.rix = {r: i for i, r in enumerate(regions)}
        meta = (segments.set_index("segment") if segments is not None
                else pd.DataFrame(index=pd.Index(segs, name="segment")))
        self.meta = meta.reindex(segs)
        on = (np.ones(len(segs), bool) if not target_chains or "chain_code" not in self.meta
              else self.meta["chain_code"].isin(target_chains).to_numpy())
        self.on_target = on
        cx = self.cx
        M = cx.mcp.astype(bool)
        with np.errstate(divide="ignore"):
            log_rca = np.log(cx.rca)
        share = X / np.nansum(X, axis=0)[None, :]
        pci_pr = _pr(cx.pci)
        self.pci_reference = None
        if reference_pci is not None:
            ref = pd.Series(reference_pci, dtype=float).reindex(segs).to_numpy(float)
            if (~np.isnan(ref)).any():
                self.pci_reference = ref
                pci_pr = np.where(np.isnan(ref), pci_pr, _pr(ref))
        self.pci_pr = pci_pr
        pci = np.broadcast_to(pci_pr, M.shape)
        a = ATTACK_WEIGHTS
        self.attack_score = (a["rca"] * _pr(log_rca, M) + a["pci"] * pci + a["share"] * _pr(share, M))
        w = PRESETS[strategy]
        self.breakthrough_score = (w["density"] * _pr(cx.density, ~M) + w["pci"] * pci
                                   + w["cog"] * _pr(cx.cog, ~M))
        self.share = share
        self.eci_sub = eci_from_pci(cx.mcp, cx.pci if self.pci_reference is None else self.pci_reference)
        self.lq_reference = None
        if reference_values is not None:
            rv = pd.Series(reference_values, dtype=float).reindex(segs).to_numpy(float)
            ok = ~np.isnan(rv) & (rv > 0)
            if ok.any():
                with np.errstate(divide="ignore", invalid="ignore"):
                    self.lq_reference = np.where(ok[None, :], (X / np.nansum(X, axis=1)[:, None])
                                                 / (rv / rv[ok].sum())[None, :], np.nan)
        cnt = values.set_index(["region", "segment"])
        cnt = cnt[~cnt.index.duplicated()]
        self.cells = cnt
        self.counts = (np.zeros(X.shape, dtype=np.int64) if "enterprises" not in values
                       else cnt["enterprises"].reindex(pd.MultiIndex.from_product([regions, segs]))
                       .fillna(0).to_numpy(np.int64).reshape(X.shape))

    # ------------------------------------------------------------------ per region
    def _evidence(self, i: int, j: int, limit: int = MIN_ENTERPRISES,
                  hide: tuple = ("revenue_yuan", "share_of_province"), withheld: list | None = None) -> dict:
        cx = self.cx
        n = int(self.counts[i, j]) if "enterprises" in self.cells else None
        rev = float(cx.value[i, j])
        f = lambda v: None if v is None or not np.isfinite(v) else round(float(v), 6)  # noqa: E731
        ev = {"rca": f(cx.rca[i, j]), "mcp": int(cx.mcp[i, j]), "density": f(cx.density[i, j]),
              "distance": f(1 - cx.density[i, j]), "pci": f(cx.pci[j]), "cog": f(cx.cog[i, j]),
              "ubiquity": int(cx.ubiquity[j]), "region_eci": f(cx.eci[i]), "region_eci_sub": f(self.eci_sub[i]),
              "region_coi": f(cx.coi[i]), "share_of_province": f(self.share[i, j]), "enterprises": n,
              "revenue_yuan": round(rev, 2)}
        if self.pci_reference is not None:
            ev["pci_reference"] = f(self.pci_reference[j])
        if self.lq_reference is not None:
            ev["lq_reference"] = f(self.lq_reference[i, j])
        if withheld is not None:                  # the viewer's suppression pattern decides
            gone = [k for k in withheld if k in ev]
            for k in gone:
                ev[k] = None
            if gone:
                ev["suppressed"] = "withheld by disclosure control (统计保密，不予显示)"
                ev["suppressed_fields"] = gone
        elif n is not None and 0 < n < limit:
            for k in hide:
                ev[k] = None
            ev["suppressed"] = f"fewer than {limit} enterprises (少于{limit}家企业，不予显示)"
            ev["suppressed_fields"] = list(hide)
        for k in ("chain_code", "name_zh", "stage"):
            if k in self.meta:
                v = self.meta[k].iloc[j]
                ev[k] = None if pd.isna(v) else v
        return ev

    def _limit(self, rule, i: int, j: int) -> int:
        if rule is None:
            return MIN_ENTERPRISES
        chain = self.meta["chain_code"].iloc[j] if "chain_code" in self.meta else None
        return int(rule(None if pd.isna(chain) else chain, str(self.cx.regions[i])))

    def _items(self, i: int, score: np.ndarray, mask: np.ndarray, top: int | None, rule=None,
               hide: tuple = ("revenue_yuan", "share_of_province"), withhold=None) -> list[dict]:
        idx = np.flatnonzero(mask & ~np.isnan(score))
        idx = idx[np.lexsort((self.cx.products[idx].astype(str), -score[idx]))]
        if top:
            idx = idx[:top]
        region = str(self.cx.regions[i])
        return [{"segment": str(self.cx.products[j]), "score": round(float(score[j]), 6),
                 "evidence": self._evidence(i, j, self._limit(rule, i, j), hide,
                                            None if withhold is None else withhold(region, str(self.cx.products[j])))}
                for j in idx]

    def recommend(self, region: str, top: int | None = 10, rule=None,
                  hide: tuple = ("revenue_yuan", "share_of_province"), withhold=None) -> dict:
        """``{"region", "attack", "breakthrough"}``; ``rule(chain, region)`` → minimum enterprises per cell
        (the primary rule alone), or ``withhold(region, segment)`` → the evidence fields to withhold (the
        viewer's complementary-suppression pattern, :mod:`chainbrain.analytics.suppression_focus`)."""
        if region not in self.rix:
            return {"region": region, "attack": [], "breakthrough": [],
                    "note": "no revenue recorded for this region in the year (该年度无营收数据)"}
        i = self.rix[region]
        M = self.cx.mcp[i].astype(bool)
        return {"region": region,
                "attack": self._items(i, self.attack_score[i], M & self.on_target, top, rule, hide, withhold),
                "breakthrough": self._items(i, self.breakthrough_score[i], ~M & self.on_target, top, rule, hide,
                                            withhold)}

    def points(self, region: str) -> pd.DataFrame:
        """Every segment for one region: kind (attack / breakthrough / other), scores and coordinates."""
        cx = self.cx
        if region not in self.rix:
            return pd.DataFrame(columns=["segment", "kind", "mcp", "density", "pci", "cog", "score"])
        i = self.rix[region]
        M = cx.mcp[i].astype(bool)
        kind = np.where(~self.on_target, "other", np.where(M, "attack", "breakthrough"))
        return pd.DataFrame({"segment": cx.products.astype(str), "kind": kind, "mcp": M.astype(int),
                             "density": cx.density[i], "pci": cx.pci, "cog": cx.cog[i],
                             "score": np.where(M, self.attack_score[i], self.breakthrough_score[i]),
                             "enterprises": self.counts[i]})

    def province_view(self, top: int = 5, min_regions: int = 3) -> list[dict]:
        """Segments in the top-``top`` breakthrough lists of ≥ ``min_regions`` regions."""
        B = np.where(~self.cx.mcp.astype(bool) & self.on_target[None, :], self.breakthrough_score, np.nan)
        order = np.argsort(-np.nan_to_num(B, nan=-np.inf), axis=1, kind="stable")[:, :top]
        picked = np.zeros(B.shape, bool)
        np.put_along_axis(picked, order, True, axis=1)
        picked &= ~np.isnan(B)
        counts = picked.sum(axis=0)
        out = []
        for j in np.flatnonzero(counts >= min_regions):
            rows = np.flatnonzero(picked[:, j])
            rows = rows[np.argsort(-B[rows, j], kind="stable")]
            out.append({"segment": str(self.cx.products[j]), "regions_targeting": int(counts[j]),
                        "ranking": [{"region": str(self.cx.regions[i]), "score": round(float(B[i, j]), 6),
                                     "density": round(float(self.cx.density[i, j]), 6)} for i in rows],
                        "stronger_case": str(self.cx.regions[rows[0]])})
        out.sort(key=lambda d: (-d["regions_targeting"], d["segment"]))
        return out


def level_advantage(store, level: str, year: int | None = None, strategy: str = "balanced",
                    target_chains: list[str] | None = None, reference=None) -> tuple[Advantage | None, int | None]:
    """The ``Advantage`` of all regions of ``level`` (county | prefecture) for ``year`` (default latest)."""
    from chainbrain.analytics.advantage import data
    from chainbrain.analytics.advantage.reference import segment_industry

    year = year or data.latest_year(store)
    if year is None:
        return None, None
    values = data.region_segment_values(store, year, level)
    if values.empty:
        return None, year
    ref_pci = ref_val = None
    if reference is not None:
        ref_pci = reference.pci_by_segment()
        if reference.kind == "industry":
            ref_val = reference.by_segment(segment_industry(store))
    return Advantage(values, data.segments(store), target_chains=target_chains, strategy=strategy,
                     reference_pci=ref_pci, reference_values=ref_val), year


def recommend_from_store(store, region: str, year: int | None = None, strategy: str = "balanced",
                         target_chains: list[str] | None = None, top: int | None = 10,
                         reference=None) -> dict:
    """Recommendations for a city (prefecture) or county code, from the store's annual reports.

    ``reference``: a :class:`chainbrain.analytics.advantage.reference.Reference` (external PCI or
    national values by industry), or None for the province's own figures.
    """
    from chainbrain.analytics.advantage import data

    if strategy not in PRESETS:
        raise ValueError(f"strategy must be one of {', '.join(PRESETS)}")
    level = data.region_level(store, region)
    if level not in data.LEVELS:
        raise ValueError(f"region {region} is a {level}; give a city or county code (请给出市或县代码)")
    adv, year = level_advantage(store, level, year, strategy, target_chains, reference)
    ref = None if reference is None else {"kind": reference.kind, "note": reference.note,
                                          "source": reference.source}
    if adv is None:
        return {"region": region, "level": level, "year": year, "strategy": strategy, "reference": ref,
                "attack": [], "breakthrough": [], "note": "no annual reports in the store (无年报数据)"}
    out = adv.recommend(region, top=top)
    return {"region": region, "level": level, "year": year, "strategy": strategy, "reference": ref,
            **{k: v for k, v in out.items() if k != "region"}}
