"""The cockpit's KPI figures of EVERY period × region, from one grouped pass (issue #20).

A cockpit or /api/kpi request for (period P, region R, scope) shows analytics results that do
not depend on the viewer (disclosure control is applied to them afterwards, on every request):

- ``kpi(P, region=R)`` — the headline record (R None: the province; also R = the province code);
- ``kpi_table(P, by="city", region=R)`` — the city rows (R a county: its one row, keyed by its city);
- ``kpi_table(P, by="county", region=C)`` for every city C — the county rows of a city's or
  county's cockpit;
- ``kpi_table(P, by="chain", region=R)`` — the chain rows.

Every field of those records is built from the revenue sums of :mod:`chainbrain.analytics.kpi`:
the period's current, previous-year and comparable sums of the cell, the same sums at the
base period (the target's base year, same month: the level path) and at the Decembers the
chained index links (:mod:`chainbrain.analytics.chained`). All of them are rows of ONE
:func:`chainbrain.analytics.panel.panel_sums` pass over every period on file, grouped by
province, city, county, chain, city × chain and county × chain (the panel's sums are
:func:`~chainbrain.analytics.indicators.aggregate_many`'s, checked by its tests on every engine);
the records are then made by :func:`chainbrain.analytics.kpi.records_of`, the code the live
path runs, once per period, grouping and growth target, and relabelled (``region``, ``key``) for
each request that shows them. So a stored answer has the live answer's digits.

:func:`figures` returns them named as :func:`chainbrain.web.model.build` asks the kept figures
(:mod:`chainbrain.web.kept`); :func:`keep` stores them in ``cockpit_figure`` at the data key
read BEFORE the pass (:func:`chainbrain.store.patterns.data_key`): if the data change while it
runs, the figures carry the old key and are never served.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import sqlalchemy as sa

from chainbrain.analytics import chained
from chainbrain.analytics.kpi import _record, growth_target, growth_targets, records_of
from chainbrain.analytics.panel import panel_sums
from chainbrain.periods import parse_period

#: the panel's groupings: province, cities, counties and their chains
PARTS = ("all", "city", "county", "chain", "city_chain", "county_chain")
#: the sums a KPI record is built from
SUMS = ("above_scale_count", "revenue", "revenue_prev", "prev_count", "revenue_cc", "revenue_cb", "revenue_cn")
#: kept-figure names this module writes (after the version): what they replace
KINDS = ("kpi", "kpi_table", "kpi_chain", "monitoring")


def periods_on_file(store) -> list[str]:
    """Every ``YYYY-MM`` with monthly reports, oldest first (not January: published with February)."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT DISTINCT year, month FROM monthly_report WHERE month >= 2 "
                                    "ORDER BY year, month")).all()
    return [f"{int(y)}-{int(m):02d}" for y, m in rows]


def _regions(store) -> tuple[str | None, list[str], dict[str, str]]:
    """(province code, city codes, county → city)."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT code, level, prefecture_code FROM region ORDER BY code")).all()
    prov = next((c for c, lv, _ in rows if lv == "province"), None)
    return prov, [c for c, lv, _ in rows if lv == "prefecture"], {c: p for c, lv, p in rows if lv == "county"}


class _Panel:
    """The panel's sums as frames by (year, month, grouping), indexed by key."""

    def __init__(self, df: pd.DataFrame):
        df = df[["year", "month", "_part", "key", *SUMS]].copy()
        df["by"] = np.asarray(PARTS, dtype=object)[df["_part"].to_numpy()]
        self.frames = {k: g.drop(columns=["year", "month", "_part", "by"]).set_index("key")
                       for k, g in df.groupby(["year", "month", "by"], sort=False)}
        self.empty = pd.DataFrame(columns=list(SUMS), index=pd.Index([], dtype=object, name="key"))

    def at(self, year: int, month: int, by: str) -> pd.DataFrame:
        return self.frames.get((year, month, by), self.empty)

    def base(self, year: int, month: int, by: str) -> pd.DataFrame:
        """(total, n) by key with reporters, as the base-year query gives them."""
        g = self.at(year, month, by)
        g = g[g["above_scale_count"] > 0]
        return pd.DataFrame({"total": g["revenue"].astype("float64"), "n": g["above_scale_count"].astype("int64")})

    def link(self, year: int, by: str) -> pd.DataFrame:
        """December (total, cc, cb, cn) by key with reporters, as :func:`chained.links` gives them."""
        g = self.at(year, 12, by)
        g = g[g["above_scale_count"] > 0]
        return pd.DataFrame({"total": g["revenue"], "cc": g["revenue_cc"], "cb": g["revenue_cb"],
                             "cn": g["revenue_cn"].astype("int64")})


def _needed(ps, targets) -> list[str]:
    """The periods the records read: the periods, their base periods and the linked Decembers."""
    out = {p.label for p in ps}
    for t in targets:
        if t is None or not t.get("base_year") or pd.isna(t["base_year"]):
            continue
        b = int(t["base_year"])
        for p in ps:
            out.add(p.shifted(b - p.year).label)
            out.update(f"{y}-12" for y in chained.link_years(p, b))
    return sorted(out)


def _band(target) -> float:
    return float(target["yellow_band"]) if target is not None and target.get("yellow_band") else 0.03


class Inputs:
    """What the figures of the periods are computed from: the periods, the region tree, the growth
    targets by the regions they apply to and by the chains they apply to (a chain page's figures),
    and the panel's sums (:func:`inputs`)."""

    def __init__(self, ps, prov, cities, county_city, by_target, panel, by_chain_target=None):
        self.ps, self.prov, self.cities, self.county_city = ps, prov, cities, county_city
        self.by_target, self.panel = by_target, panel
        self.by_chain_target = by_chain_target or {}
        self.regions_key = (prov, tuple(cities), tuple(sorted(county_city.items())))

    def target_groups(self) -> dict:
        """Every (target, filters) the figures are computed under, chains' filters as ``chain:CODE``
        (what a period's input digest covers, :func:`chainbrain.analytics.kpi_rekey.period_digests`)."""
        out = {("region", k): v for k, v in self.by_target.items()}
        out.update({("chain", k): (t, [f"chain:{c}" for c in cs]) for k, (t, cs) in self.by_chain_target.items()})
        return out


def inputs(store, periods: list[str] | None = None, scope: str = "all", progress=None) -> Inputs:
    """Read the inputs of :func:`figures` (one grouped panel query; see the module docstring)."""
    labels = periods or periods_on_file(store)
    ps = [parse_period(x) for x in labels]
    prov, cities, county_city = _regions(store)
    filters = [None] + cities + list(county_city)
    rows = growth_targets(store)                   # read once: one look-up per region below
    targets = {r: growth_target(store, None, r, scope, rows) for r in filters}
    by_target: dict[str, tuple[dict | None, list]] = {}
    for r, t in targets.items():                 # usually one: the pack's province-wide growth target
        by_target.setdefault(None if t is None else t["code"], (t, []))[1].append(r)
    by_chain: dict[str, tuple[dict | None, list]] = {}
    for c in _chain_codes(store):                # a chain page's target: the chain's own, else the province's
        t = growth_target(store, c, None, scope, rows)
        by_chain.setdefault(None if t is None else t["code"], (t, []))[1].append(c)
    if progress:
        progress(0, len(ps) + 1, "KPI sums of every period")
    needed = _needed(ps, [t for t, _ in by_target.values()] + [t for t, _ in by_chain.values()])
    panel = _Panel(panel_sums(store, needed, PARTS, scope))
    return Inputs(ps, prov, cities, county_city, by_target, panel, by_chain)


def _chain_codes(store) -> list[str]:
    with store.engine.connect() as conn:
        return [c for (c,) in conn.execute(sa.text("SELECT code FROM chain ORDER BY code"))]


def figures(store, periods: list[str] | None = None, scope: str = "all", progress=None,
            inp: Inputs | None = None) -> dict[tuple, object]:
    """``{name: value}`` of every period × region (module docstring), names as the cockpit asks them:
    ``("kpi", P, R, scope)`` and ``("kpi_table", P, by, R, scope, None)``."""
    inp = inp or inputs(store, periods, scope, progress)
    out: dict[tuple, object] = {}
    for i, p in enumerate(inp.ps):
        if progress:
            progress(i + 1, len(inp.ps) + 1, f"KPI figures {p.label}")
        period_figures(out, inp, p, scope)
    return out


def period_figures(out: dict, inp: Inputs, p, scope: str) -> None:
    """Every figure of period ``p``: the regions' (:func:`_period_figures`) and the chains'
    (:func:`_chain_figures`)."""
    for target, regions in inp.by_target.values():
        _period_figures(out, inp.panel, p, target, regions, inp.prov, inp.cities, inp.county_city, scope)
    for target, chains in inp.by_chain_target.values():
        _chain_figures(out, inp.panel, p, target, chains, scope)


def _target_parts(p, target) -> tuple:
    """(base period or None, the Decembers the chained index links, the yellow band) of ``p`` under ``target``."""
    base = p.shifted(int(target["base_year"]) - p.year) if target is not None and target.get("base_year") \
        and not pd.isna(target["base_year"]) else None
    return base, chained.link_years(p, int(target["base_year"])) if base is not None else [], _band(target)


def _of_chain(f: pd.DataFrame, chain: str, by: str) -> pd.DataFrame:
    """The cells of ``chain`` in ``f`` keyed as a query within the chain keys them: the chain's
    own cell (``by`` chain) as ``all``, its city × chain cells (``city_chain``) by city."""
    if by == "chain":
        f = f[f.index == chain]
        return f.set_axis(["all"] * len(f), axis=0)
    f = f[f.index.str.endswith(f"|{chain}")]
    return f.set_axis([k.split("|", 1)[0] for k in f.index], axis=0)


def _chain_figures(out: dict, panel: _Panel, p, target, chains: list[str], scope: str) -> None:
    """A chain page's figures of period ``p`` for each of ``chains`` (growth target ``target``): its
    headline record ``("kpi_chain", P, chain, scope)`` — ``kpi(P, chain=…)`` — and its cities
    ``("kpi_table", P, "city", None, scope, chain)`` — ``kpi_table(P, by="city", chain=…)``: the panel's
    chain and city × chain cells, keyed as the live query keys them, through the same records_of."""
    base, years, band = _target_parts(p, target)
    for c in chains:
        for by in ("chain", "city_chain"):
            bases = _of_chain(panel.base(base.year, base.month, by), c, by) if base is not None \
                else pd.DataFrame(columns=["total", "n"])
            links = {y: _of_chain(panel.link(y, by), c, by) for y in years}
            recs = records_of(p, _of_chain(panel.at(p.year, p.month, by), c, by), bases, links, target, band,
                              scope, c, None)
            if by == "chain":
                rec = dict(recs[0]) if recs else _record(p, scope, c, None)
                rec.pop("key", None)
                out[("kpi_chain", p.label, c, scope)] = rec
            else:
                out[("kpi_table", p.label, "city", None, scope, c)] = recs


def _records(panel: _Panel, p, target, scope: str, parts=PARTS) -> dict[str, dict[str, dict]]:
    """``{by: {key: record}}``: the KPI records of every cell of ``parts`` at ``p`` under ``target``
    (:func:`~chainbrain.analytics.kpi.records_of`, region and key as the province's table has them)."""
    base, years, band = _target_parts(p, target)
    recs = {}
    for by in parts:                      # every cell of the grouping, relabelled per request below
        bases = panel.base(base.year, base.month, by) if base is not None else pd.DataFrame(columns=["total", "n"])
        links = {y: panel.link(y, by) for y in years}
        recs[by] = {r["key"]: r for r in records_of(p, panel.at(p.year, p.month, by), bases, links, target, band,
                                                     scope, None, None)}
    return recs


def chain_table(inp: Inputs, p, scope: str = "all") -> list[dict]:
    """``kpi_table(P, by="chain")`` of the province (the records the live call gives) from the inputs."""
    target = next((t for t, regions in inp.by_target.values() if None in regions), None)
    return [{**x, "region": None} for x in _records(inp.panel, p, target, scope, ("chain",))["chain"].values()]


def _period_figures(out: dict, panel: _Panel, p, target, regions, prov, cities, county_city, scope) -> None:
    """The figures of period ``p`` for the filters ``regions`` (all with growth target ``target``)."""
    recs = _records(panel, p, target, scope)

    def one(by: str, key: str, region, as_key: str) -> list[dict]:
        r = recs[by].get(key)
        return [] if r is None else [{**r, "region": region, "key": as_key}]

    of_region: dict[tuple, list] = {}             # "region|chain" cells by region, in key order
    for by in ("city_chain", "county_chain"):
        for k, r in recs[by].items():
            region, chain = k.split("|", 1)
            of_region.setdefault((by, region), []).append((chain, r))

    def chains(by: str, region) -> list[dict]:
        return [{**r, "region": region, "key": c} for c, r in of_region.get((by, region), ())]

    def headline(table: list[dict], region) -> dict:
        rec = dict(table[0]) if table else _record(p, scope, None, region)
        rec.pop("key", None)
        return rec

    for r in regions:
        if r is None:
            cells = one("all", "all", None, "all")
            out[("kpi", p.label, None, scope)] = headline(cells, None)
            if prov is not None:
                out[("kpi", p.label, prov, scope)] = headline(one("all", "all", prov, "all"), prov)
            out[("kpi_table", p.label, "city", None, scope, None)] = [{**x, "region": None} for x in recs["city"].values()]
            out[("kpi_table", p.label, "chain", None, scope, None)] = [{**x, "region": None} for x in recs["chain"].values()]
        elif r in county_city:
            city = county_city[r]
            out[("kpi", p.label, r, scope)] = headline(one("county", r, r, "all"), r)
            out[("kpi_table", p.label, "city", r, scope, None)] = one("county", r, r, city)
            out[("kpi_table", p.label, "chain", r, scope, None)] = chains("county_chain", r)
        else:
            out[("kpi", p.label, r, scope)] = headline(one("city", r, r, "all"), r)
            out[("kpi_table", p.label, "city", r, scope, None)] = one("city", r, r, r)
            out[("kpi_table", p.label, "county", r, scope, None)] = [
                {**x, "region": r} for k, x in recs["county"].items() if county_city.get(k) == r]
            out[("kpi_table", p.label, "chain", r, scope, None)] = chains("city_chain", r)


def _marker(scope: str) -> tuple:
    import chainbrain

    return (chainbrain.__version__, "kpi_stored", scope)


def kept_at(store, scope: str = "all") -> dict | None:
    """The summary of the figures of every period kept at the store's current data key, or None
    (never kept, or the data changed since)."""
    from chainbrain.store import figures as kept
    from chainbrain.store.patterns import data_key

    return kept.load(store, _marker(scope), data_key(store))


def carried(store, scope: str = "all") -> dict | None:
    """The KPI figures of every period (and the monitoring figures ``chainbrain compute`` kept with
    them at the same data key) moved from the data key they were kept at to the current one, when the
    rows they are computed from (:data:`chainbrain.analytics.kpi_rekey.SOURCES`) are unchanged: their
    summary, else None (:mod:`chainbrain.store.figures_carry`)."""
    import chainbrain
    from chainbrain.analytics.kpi_rekey import DIGESTS, SOURCES
    from chainbrain.store import figures_carry

    version = chainbrain.__version__
    return figures_carry.carried(store, _marker(scope), tuple((version, k) for k in KINDS),
                                 ((version, DIGESTS, scope),), list(SOURCES))


def keep(store, periods: list[str] | None = None, scope: str = "all", progress=None, force: bool = True,
         monitoring: bool = True) -> dict:
    """Compute :func:`figures` of every period (or of ``periods``) and keep them in the store (module
    docstring): one transaction replacing this version's stored KPI figures. ``force=False``: nothing
    is done when they are already kept at the current data (:func:`kept_at`; the server's warm-up),
    and they are moved to it when the rows they are computed from are unchanged (:func:`carried`).
    ``monitoring``: also the targets and projection of every period × region
    (:mod:`chainbrain.analytics.monitoring_stored`).
    ``{"figures", "periods", "seconds", "data_key", "computed"}``."""
    import chainbrain
    from chainbrain.analytics import kpi_rekey
    from chainbrain.store import figures as kept
    from chainbrain.store import figures_carry

    if not force and periods is None:
        done = kept_at(store, scope)
        if done is not None:
            return {**done, "computed": False}
        got = carried(store, scope)              # the rows they are computed from unchanged: moved
        if got is not None:
            return {**got, "computed": False}
        if not monitoring:                       # the warm-up after an import: changed periods only
            return kpi_rekey.keep(store, scope, progress)
    t0 = time.perf_counter()
    before = figures_carry.inputs_before(store, list(kpi_rekey.SOURCES))
    key = before[0]                              # before the pass: a change while it runs makes them stale
    inp = inputs(store, periods, scope, progress)
    values = figures(store, periods, scope, progress, inp)
    kpi_s = time.perf_counter() - t0
    if monitoring:                               # targets and projection from the same records
        from chainbrain.analytics import monitoring_stored

        values.update(monitoring_stored.figures(store, values, periods or periods_on_file(store), scope, progress))
    version = chainbrain.__version__
    out = {"figures": len(values), "periods": len({name[1] for name in values}), "data_key": key,
           "kpi_seconds": round(kpi_s, 2), "monitoring_seconds": round(time.perf_counter() - t0 - kpi_s, 2),
           "inputs": figures_carry.inputs_after(store, before)}
    named = {(version,) + name: v for name, v in values.items()}
    if periods is None:                          # the marker says every period is kept at this key
        from chainbrain.analytics.kpi_rekey import DIGESTS, period_digests

        named[_marker(scope)] = out
        named[(version, DIGESTS, scope)] = period_digests(inp.ps, inp.panel, inp.target_groups(), inp.regions_key,
                                                          scope)
    kinds = KINDS if monitoring else tuple(k for k in KINDS if k != "monitoring")
    kept.save_many(store, named, key, replace=tuple((version, k) for k in kinds) if periods is None else ())
    return {**out, "seconds": round(time.perf_counter() - t0, 2), "computed": True}
