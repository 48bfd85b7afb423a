"""Estimated supply links: input–output coefficients, regionalized with the FLQ, allocated to enterprises by size.

Where invoice data are missing, purchases are estimated from a stored national
input–output table (``import io-table``; the demo's is synthetic):

1. **Sectors → GB/T 4754 → firms.**  A sector's code is its label's first
   token.  The pack's ``io_sectors.csv`` (``sector,industry_codes``) lists the
   GB/T 4754 codes (any level; a division covers its classes) of each sector of
   a real table; a sector it does not list whose code is itself a GB/T 4754
   code (the demo table: one sector per division) stands for that code.  A
   firm belongs to the sector of the longest code matching its class on
   31 December.  Industrial sectors: those whose codes lie in sections B–D
   (the library's scope); supply from the others (services, agriculture) is
   left out of every estimate, as the library holds no such suppliers.
2. **Coefficients.**  National aᵢⱼ = zᵢⱼ / xⱼ (:mod:`chainbrain.analytics.io`).
   Regional rᵢⱼ = aᵢⱼ·min(FLQᵢⱼ, 1) (:mod:`chainbrain.analytics.io_regional`,
   δ from the pack's ``supply_estimate.toml``, default 0.3) with Rᵢ the
   December year-to-date 营业收入 of the province's library firms of sector i
   and Nᵢ = xᵢ; in-city rᶜᵢⱼ likewise with the city's firms as the region.
   For a table marked ``synthetic`` (made-up levels) N is rescaled so that
   R/N over the industrial sectors equals the pack's
   ``synthetic_region_share`` (unsourced, a demo setting).
3. **Per buyer** b of sector j with output x_b (its 营业收入):
   purchases P̂_b = x_b Σᵢ aᵢⱼ, from the province L̂_b = x_b Σᵢ rᵢⱼ, from its
   own city Ĉ_b = x_b Σᵢ rᶜᵢⱼ (i over industrial sectors).
4. **To enterprises** (gravity / maximum entropy): the province's flow from
   sector i into buyer b, rᵢⱼ x_b, is shared among the in-province firms s of
   sector i in proportion to their output: F_sb = rᵢⱼ x_b x_s / Xᵢ, Xᵢ = Σ x_s
   (:func:`enterprise_links` leaves the buyer itself out: no self links).
   This product form meets both margins — each buyer's purchases from the
   sector (rᵢⱼ x_b) and each supplier's sales in proportion to its output —
   and is the entropy-maximizing flow under them (A. G. Wilson, *Entropy in
   Urban and Regional Modelling*, Pion, 1970).  Segment-to-segment flows are
   the sums of F over the firms' segments (a firm in several segments splits
   its output equally among them); what buyers of a segment purchase from
   outside the province, Σ (aᵢⱼ − rᵢⱼ) x_b, is the row ``OUTSIDE``.

Every estimated figure is labelled ``basis = estimated``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from chainbrain.analytics.io import technical_coefficients
from chainbrain.analytics.io_regional import DEFAULT_DELTA, flq
from chainbrain.analytics.scope import Shared, latest_reports

OUTSIDE = "OUTSIDE"
FLOW_COLUMNS = ["supplier_segment", "buyer_segment", "amount_yuan", "basis"]
LINK_COLUMNS = ["supplier_uscc", "buyer_uscc", "amount_yuan", "basis"]


def settings() -> dict:
    """The pack's ``supply_estimate.toml`` (delta, synthetic_region_share) and ``io_sectors.csv`` rows."""
    from chainbrain.catalog.pack import load_pack

    path = load_pack().path
    out = {"delta": DEFAULT_DELTA, "synthetic_region_share": 0.03, "sectors": {}}
    f = path / "supply_estimate.toml"
    if f.exists():
        with open(f, "rb") as fh:
            out.update(tomllib.load(fh))
    f = path / "io_sectors.csv"
    if f.exists():
        rows = pd.read_csv(f, dtype=str, keep_default_na=False)
        out["sectors"] = {r.sector.strip(): [c.strip() for c in r.industry_codes.split(";") if c.strip()]
                          for r in rows.itertuples()}
    return out


def choose_table(store, name: str | None) -> str:
    """``name``, else the only stored table, else ``demo-national`` (bilingual error when none fits)."""
    t = store.table("io_table").select("name").execute()
    names = sorted(t["name"])
    if name is not None:
        if name not in names:
            raise ValueError(f"no input–output table named {name!r} in the store (库中没有名为 {name} 的投入产出表)")
        return name
    if len(names) == 1:
        return names[0]
    if "demo-national" in names:
        return "demo-national"
    raise ValueError("no input–output table chosen: store one with `import io-table` or name it with --io-table "
                     f"(未指定投入产出表; stored: {', '.join(names) or 'none'})")


def sector_codes(store, labels: list[str], mapping: dict) -> tuple[list[list[str]], np.ndarray]:
    """(GB/T 4754 codes of each sector, industrial flag) — module docstring, step 1."""
    ind = store.table("industry").select("code", "section").execute()
    section = dict(zip(ind["code"].astype(str), ind["section"]))
    codes, industrial = [], []
    for lab in labels:
        key = str(lab).split()[0] if str(lab).split() else ""
        cs = mapping.get(key) or ([key] if key.isdigit() and key in section else [])
        codes.append(cs)
        industrial.append(any(section.get(c[:2]) in ("B", "C", "D") for c in cs))
    return codes, np.array(industrial, dtype=bool)


def firm_sector(industry: pd.Series, codes: list[list[str]]) -> np.ndarray:
    """Sector index of each class (longest matching code; −1 when none)."""
    out = np.full(len(industry), -1, dtype=np.int64)
    best = np.zeros(len(industry), dtype=np.int64)
    cls = industry.astype(str).to_numpy()
    for k, cs in enumerate(codes):
        for c in cs:
            hit = np.char.startswith(cls.astype(str), c) & (len(c) > best)
            out[hit], best[hit] = k, len(c)
    return out


def firms(store, year: int) -> pd.DataFrame:
    """(enterprise_id, industry_code, prefecture_code, revenue) of the library firms in scope on 31 December
    (sections B–D), revenue = December year-to-date 营业收入 (latest revision, 0 when not reported)."""
    date = dt.date(year, 12, 31)
    sh = Shared(store, cte=False)
    b = sh.base(date, "all")
    t = sh.table("monthly_report")
    t = latest_reports(t.filter((t.year == year) & (t.month == 12)), ["enterprise_id", "year", "month"])
    t = t.select(_rid=t.enterprise_id, _rev=t.revenue_ytd.cast("float64"))
    j = b.left_join(t, b.enterprise_id == t._rid)
    df = j.select("enterprise_id", "industry_code", "prefecture_code", revenue=j._rev.fill_null(0.0)).execute()
    df["enterprise_id"] = df["enterprise_id"].astype(np.int64)
    return df


@dataclass
class Estimate:
    year: int
    table: str
    delta: float
    sectors: list[str]
    industrial: np.ndarray
    A: np.ndarray            # national coefficients
    r: np.ndarray            # regional (province) coefficients
    firms: pd.DataFrame      # + sector, est_purchases, est_local, est_city


def estimate(store, year: int, table: str | None = None, delta: float | None = None) -> Estimate:
    """Coefficients and per-buyer estimates (module docstring, steps 1–3)."""
    from chainbrain.ingest.io_store import load_io_table

    cfg = settings()
    delta = cfg["delta"] if delta is None else delta
    name = choose_table(store, table)
    io = load_io_table(store, name)
    it = store.table("io_table")
    synthetic = bool(it.filter(it.name == name).select("synthetic").execute()["synthetic"].iloc[0])
    x = io.x if io.x is not None else io.Z.sum(axis=1) + io.f
    A = technical_coefficients(io.Z, x)
    codes, industrial = sector_codes(store, io.sectors, cfg["sectors"])
    f = firms(store, year)
    f["sector"] = firm_sector(f["industry_code"], codes)
    n = len(io.sectors)
    ok = f["sector"].to_numpy() >= 0
    sec = f["sector"].to_numpy()
    rev = f["revenue"].to_numpy(dtype=float)
    R = np.bincount(sec[ok], weights=rev[ok], minlength=n)
    N = x.astype(float).copy()
    if synthetic and R.sum() > 0:
        N = N * (R.sum() / cfg["synthetic_region_share"]) / N[industrial].sum()
    Aind = A * industrial[:, None]                      # supply from industrial sectors only
    r = flq(Aind, R, N, delta).A if R.sum() > 0 else np.zeros_like(A)
    P = np.where(ok, rev * Aind.sum(axis=0)[np.maximum(sec, 0)], 0.0)
    L = np.where(ok, rev * r.sum(axis=0)[np.maximum(sec, 0)], 0.0)
    C = np.zeros(len(f))
    city = f["prefecture_code"].astype(str).to_numpy()
    for c in np.unique(city[ok]):
        m = ok & (city == c)
        Rc = np.bincount(sec[m], weights=rev[m], minlength=n)
        if Rc.sum() > 0:
            rc = flq(Aind, Rc, N, delta).A
            C[m] = rev[m] * rc.sum(axis=0)[sec[m]]
    f["est_purchases"], f["est_local"], f["est_city"] = P, L, C
    return Estimate(year, name, float(delta), list(io.sectors), industrial, Aind, r, f)


def _segments(store, year: int) -> pd.DataFrame:
    sh = Shared(store, cte=False)
    s = sh.segments(dt.date(year, 12, 31))
    return s.select("enterprise_id", seg=s.top_segment).distinct().execute()


def segment_flows(store, year: int, table: str | None = None, delta: float | None = None) -> pd.DataFrame:
    """Estimated flows between segments inside the province and from outside it (module docstring, step 4):
    rows ``supplier_segment, buyer_segment, amount_yuan, basis`` (yuan, ``basis = estimated``)."""
    est = estimate(store, year, table, delta)
    f = est.firms[(est.firms["sector"] >= 0) & (est.firms["revenue"] > 0)]
    seg = _segments(store, year)
    m = f.merge(seg, on="enterprise_id")
    m["w"] = m["revenue"] / m.groupby("enterprise_id")["seg"].transform("size")
    segs = sorted(m["seg"].unique())
    gi = {g: k for k, g in enumerate(segs)}
    n = len(est.sectors)
    S = np.zeros((len(segs), n))                       # revenue by segment × sector
    np.add.at(S, (m["seg"].map(gi).to_numpy(), m["sector"].to_numpy()), m["w"].to_numpy())
    X = np.bincount(f["sector"].to_numpy(), weights=f["revenue"].to_numpy(), minlength=n)
    Q = np.divide(S, X[None, :], out=np.zeros_like(S), where=X[None, :] > 0)     # segment's share of sector i
    inside = Q @ est.r @ S.T                            # [supplier segment, buyer segment]
    outside = ((est.A - est.r) @ S.T).sum(axis=0)
    rows = [(segs[a], segs[b], float(inside[a, b])) for a, b in zip(*np.nonzero(inside > 0))]
    rows += [(OUTSIDE, segs[b], float(outside[b])) for b in np.flatnonzero(outside > 0)]
    out = pd.DataFrame(rows, columns=FLOW_COLUMNS[:3])
    out["amount_yuan"] = out["amount_yuan"].round(2)
    out["basis"] = "estimated"
    return out.sort_values(["buyer_segment", "supplier_segment"]).reset_index(drop=True)


def enterprise_links(store, year: int, buyer: str, table: str | None = None, delta: float | None = None,
                     est: Estimate | None = None) -> pd.DataFrame:
    """The estimated in-province links into one buyer (USCC), F_sb = rᵢⱼ x_b x_s / Xᵢ (module docstring):
    rows ``supplier_uscc, buyer_uscc, amount_yuan, basis``, largest first."""
    est = est or estimate(store, year, table, delta)
    ent = store.table("enterprise")
    got = ent.filter(ent.uscc == buyer.strip().upper()).select("id").execute()
    if got.empty:
        raise ValueError(f"no enterprise with USCC {buyer} (没有统一社会信用代码为 {buyer} 的企业)")
    f = est.firms
    me = f[f["enterprise_id"] == int(got["id"].iloc[0])]
    if me.empty or me["sector"].iloc[0] < 0:
        return pd.DataFrame(columns=LINK_COLUMNS)
    j, xb = int(me["sector"].iloc[0]), float(me["revenue"].iloc[0])
    s = f[(f["sector"] >= 0) & (f["revenue"] > 0) & (f["enterprise_id"] != int(got["id"].iloc[0]))]
    X = np.bincount(f["sector"][f["sector"] >= 0], weights=f["revenue"][f["sector"] >= 0], minlength=len(est.sectors))
    amt = est.r[s["sector"].to_numpy(), j] * xb * s["revenue"].to_numpy() / X[s["sector"].to_numpy()]
    keep = amt > 0
    ids = s["enterprise_id"].to_numpy()[keep]
    us = ent.filter(ent.id.isin([int(i) for i in ids])).select("id", "uscc").execute() if ids.size else \
        pd.DataFrame(columns=["id", "uscc"])
    um = dict(zip(us["id"].astype(np.int64), us["uscc"]))
    out = pd.DataFrame({"supplier_uscc": [um.get(int(i)) or f"#{int(i)}" for i in ids],
                        "buyer_uscc": buyer.strip().upper(), "amount_yuan": np.round(amt[keep], 2),
                        "basis": "estimated"})
    return out.sort_values(["amount_yuan", "supplier_uscc"], ascending=[False, True]).reset_index(drop=True)
