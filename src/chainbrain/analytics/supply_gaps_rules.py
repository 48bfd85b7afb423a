"""The gap rules: the pack's thresholds (``attract.toml`` ``[gaps]``, unsourced, strict inequalities),
the status of a segment with its coded reasons, and the feasibility reading from density.
See :mod:`chainbrain.analytics.supply_gaps` for the figures and docs/attract.md for the rules."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

@dataclass(frozen=True)
class Thresholds:
    """The pack's ``[gaps]`` thresholds (strict inequalities; unsourced unless ``sourced``)."""
    lq_below: float = 1.0
    local_rate_below: float = 0.3
    single_firms: int = 1
    top_share_above: float = 0.8
    spof_share_above: float = 0.1
    density_near_above: float = 0.3
    density_far_below: float = 0.1
    version: str = "default"
    sourced: bool = False
    note: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("lq_below", "local_rate_below", "single_firms", "top_share_above",
                                              "spof_share_above", "density_near_above", "density_far_below",
                                              "version", "sourced", "note")}


def attract_config(pack=None) -> dict:
    """The pack's ``attract.toml`` (empty when the pack has none)."""
    import tomllib

    from chainbrain.catalog.pack import load_pack

    pack = pack if pack is not None and not isinstance(pack, str) else load_pack(pack)
    name = pack.files.get("attract")
    if not name:
        return {}
    with open(pack.path / name, "rb") as f:
        return tomllib.load(f)


def thresholds(pack=None, **override) -> Thresholds:
    """:class:`Thresholds` from the pack, with ``override`` (e.g. ``lq_below=1.2``) on top."""
    g = dict(attract_config(pack).get("gaps", {}))
    known = {k for k in Thresholds.__dataclass_fields__ if k != "extra"}
    vals = {k: g[k] for k in known if k in g}
    vals.update({k: v for k, v in override.items() if v is not None})
    bad = set(vals) - known
    if bad:
        raise ValueError(f"unknown gap threshold(s) {', '.join(sorted(bad))} (未知的缺口阈值)")
    for k in ("lq_below", "local_rate_below", "top_share_above", "spof_share_above", "density_near_above",
              "density_far_below"):
        if k in vals and not (isinstance(vals[k], (int, float)) and math.isfinite(vals[k])):
            raise ValueError(f"gap threshold {k} must be a finite number (阈值 {k} 须为有限数值)")
    if "single_firms" in vals:
        vals["single_firms"] = int(vals["single_firms"])
    return Thresholds(**vals)


def _feasibility(d: float, t: Thresholds) -> str:
    if d is None or not np.isfinite(d):
        return "unknown"
    if d > t.density_near_above:
        return "near"
    if d < t.density_far_below:
        return "far"
    return "moderate"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


#: what each reason rests on: ``missing`` (firm count), ``top_share``, ``spof``, ``lq``, ``local_rate``,
#: ``single`` (firm count) — the codes of ``reason_codes``, in the order of ``reasons``
REASON_CODES = ("missing", "top_share", "spof", "lq", "local_rate", "single")


def classify(row: dict, t: Thresholds, where: str) -> tuple[str, list[str]]:
    """(status, reasons) of one segment row (module docstring); ``where`` names the region in the reasons."""
    status, coded = classify_coded(row, t, where)
    return status, [text for _, text in coded]


def classify_coded(row: dict, t: Thresholds, where: str) -> tuple[str, list[tuple[str, str]]]:
    """(status, [(reason code, text)]) — :func:`classify` with each reason's code (:data:`REASON_CODES`)."""
    reasons: list[tuple[str, str]] = []
    status = "ok"
    firms = int(row["firms"])
    if firms == 0:
        status = "missing"
        reasons.append(("missing", f"no producer in {where} (firms = 0; province: {int(row['province_firms'])}) "
                       f"({where}无该环节企业；全省 {int(row['province_firms'])} 家)"))
    broken = []
    ts = row.get("top_supplier_share")
    if ts is not None and np.isfinite(ts) and ts > t.top_share_above:
        broken.append(("top_share", f"largest supplier holds {_pct(ts)} > {_pct(t.top_share_above)} of local "
                                    f"buyers' purchases from the segment (最大供应商占本地采购 {_pct(ts)}，"
                                    f"高于 {_pct(t.top_share_above)})"))
    ss = row.get("spof_share")
    if ss is not None and np.isfinite(ss) and ss > t.spof_share_above:
        n = int(row.get("spof_firms") or 0)
        broken.append(("spof", f"single point of failure: {n} firm(s) carry up to {_pct(ss)} > "
                               f"{_pct(t.spof_share_above)} of a chain master's upstream purchases (单点断供风险："
                               f"{n} 家企业，最高承担链主上游采购 {_pct(ss)}，高于 {_pct(t.spof_share_above)})"))
    weak = []
    lq = row.get("lq")
    if lq is not None and np.isfinite(lq) and lq < t.lq_below:
        weak.append(("lq", f"location quotient {lq:.2f} < {t.lq_below:g} (区位熵 {lq:.2f}，低于 {t.lq_below:g})"))
    lr = row.get("local_rate")
    if lr is not None and np.isfinite(lr) and lr < t.local_rate_below:
        weak.append(("local_rate", f"local supporting rate {_pct(lr)} < {_pct(t.local_rate_below)} "
                                   f"(本地配套率 {_pct(lr)}，低于 {_pct(t.local_rate_below)})"))
    if row.get("single_supplier"):
        weak.append(("single", f"a single producer in {where} (firms = {firms}) ({where}仅 {firms} 家企业)"))
    if status != "missing":
        status = "broken_risk" if broken else "weak" if weak else "ok"
    return status, reasons + broken + weak
