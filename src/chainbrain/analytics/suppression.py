"""Complementary (secondary) cell suppression: one pattern per viewer scope and period.

Primary rule (Statistics Law; DESIGN.md §4): a figure built from fewer than
``min_cell`` (3) enterprises the viewer cannot see individually is withheld.
Withholding those cells alone is not enough: a published parent minus its
published children gives the hidden child back (a city minus its other
counties, scope ``all`` minus ``manufacturing``, revenue minus comparable
revenue = the entrants). Statistical offices therefore suppress further cells
(τ-ARGUS, sdcTable: "secondary suppression" over the table's linear
relations). This module does it with a simple rule that can be checked.

**Cells.** Every figure the KPI record family can show is a sum over a set of
enterprises: cell = (measure, chain|None, region|None, scope) with measures

- ``cur``  Σ revenue YTD of the current sample (``revenue_ytd_yuan``),
- ``cc``   comparable current (``comparable_current_yuan``; the comparable set),
- ``cb``   comparable base (``comparable_base_yuan``; same set, prior values),
- ``prev`` Σ revenue of the previous-year sample (``revenue_ytd_prev_yuan``),
- ``base`` Σ revenue of the base-year sample behind target paths (``target_path_yuan``),

each on the membership (region, chain, industry class) of its own date, as
:mod:`chainbrain.analytics.kpi` computes them; plus the chain page's segment
cells ``("seg", chain, segment, scope)`` (current sample, province), and the operations page's
breakdown cells ``("ops", measure, group, chain, region, scope)`` with their relations
(:mod:`chainbrain.analytics.suppression_ops`: divisions, size classes, high-tech / equipment).

**Relations** (parent = Σ children + residual; the residual is never published
and is built from the enterprises whose net coefficient is not 0):

- region: province = Σ cities; city = Σ its counties (per measure, chain, scope);
- scope: ``all`` = ``manufacturing`` + the rest (sections B, D);
- inside a record: ``cur`` = ``cc`` + entrants; ``prev`` = ``cb`` + exits (and
  revisions of the prior value);
- chain → its top segments → their sub-segments (a firm in k segments counts k times).

**Rule** (iterated to a fixed point, per viewer; ``unseen(x)`` = enterprises of
x the viewer cannot see individually — cells with none are known to the viewer
anyway and are never withheld):

1. primary: withhold x when 0 < |unseen(x)| < min_cell;
2. in every relation let U be its unknown members (withheld cells with unseen
   enterprises, and the residual when it has any). If |U| = 1 and that member
   is a withheld cell or a sensitive residual, it could be recovered; if the
   parent is known and the unknown children together (their union of unseen
   enterprises) number 1 … min_cell − 1, their sum is sensitive. In both cases
   also withhold the published member with the smallest value (a child before
   the parent), then re-check every relation that member belongs to.

Suppression only grows, so the iteration ends. At the fixed point, every
relation with a withheld cell has ≥ 2 unknown members and the sum the
relation reveals (parent − Σ known children) covers 0 or ≥ min_cell unseen
enterprises; every derived field (growth rates, ratios, status, the target
index) is withheld with any sum it is computed from.
"""

from __future__ import annotations

import collections
import datetime as dt
from dataclasses import dataclass, field

import ibis
import pandas as pd

from chainbrain.analytics.indicators import _both_years
from chainbrain.analytics.scope import SCOPES, Shared, _valid_on, latest, latest_reports
from chainbrain.periods import Period, parse_period

MIN_CELL = 3
MEASURES = ("cur", "cc", "cb", "prev", "base")

#: KPI fields → the measures (sums) each is computed from
FIELDS = {
    "revenue_ytd_yuan": ("cur",),
    "comparable_current_yuan": ("cc",),
    "comparable_base_yuan": ("cb",),
    "revenue_ytd_prev_yuan": ("prev",),
    "target_path_yuan": ("base",),
    "yoy_naive": ("cur", "prev"),
    "yoy_comparable": ("cc", "cb"),
    "target_ratio_level": ("cur", "base"),
    "target_status_level": ("cur", "base"),
}
#: fields derived from the chained comparable index (helper *targets*' contract): withheld when
#: ``target_index_count`` is small or the current year's comparable growth is withheld
INDEX_FIELDS = ("target_ratio", "target_status", "target_index_comparable", "target_required_growth",
                "target_required_growth_rest_of_year")
#: before the comparable index exists, target_ratio / target_status are the level ones
LEVEL_TARGET = ("target_ratio", "target_status")


@dataclass
class Relation:
    parent: tuple
    children: tuple
    residual: frozenset          # enterprises of the unpublished rest


@dataclass
class Universe:
    """Every cell of one period (viewer independent): its enterprises and value, and the relations."""
    period: str
    sets: dict = field(default_factory=dict)        # cell → frozenset of enterprise ids
    values: dict = field(default_factory=dict)      # cell → Σ value (yuan; the suppression cost)
    relations: list = field(default_factory=list)
    revised: frozenset = frozenset()                # prior value ≠ previous-year report (prev − cb keeps them)


@dataclass
class Pattern:
    """The withheld cells for one viewer and period (``hidden`` ⊇ ``primary``)."""
    period: str
    min_cell: int
    primary: frozenset
    hidden: frozenset
    unseen_empty: frozenset     # cells the viewer knows from the enterprises it sees
    cells: int                  # cells with at least one enterprise

    def hidden_measures(self, chain, region, scope) -> set[str]:
        return {m for m in MEASURES if (m, chain, region, scope) in self.hidden}

    def fields(self, rec: dict, chain, region, scope) -> list[str]:
        """The fields of a KPI record for cell (chain, region, scope) to withhold, in record order."""
        gone = self.hidden_measures(chain, region, scope)
        out = {f for f, ms in FIELDS.items() if gone & set(ms)}
        if "target_index_count" in rec:
            n = int(rec.get("target_index_count") or 0)
            known = ("cur", chain, region, scope) in self.unseen_empty
            if (0 < n < self.min_cell and not known) or gone & {"cc", "cb"}:
                out |= set(INDEX_FIELDS)
        elif gone & {"cur", "base"}:
            out |= set(LEVEL_TARGET)
        return [f for f in rec if f in out]

    def segment_hidden(self, chain, segment, scope) -> bool:
        return ("seg", chain, segment, scope) in self.hidden

    def stats(self) -> dict:
        n = max(self.cells, 1)
        return {"cells": self.cells, "primary": len(self.primary), "secondary": len(self.hidden - self.primary),
                "primary_share": len(self.primary) / n, "secondary_share": len(self.hidden - self.primary) / n}


# ---------------------------------------------------------------- the cells of a period
def _target_base_year(store) -> int | None:
    from chainbrain.analytics.kpi import growth_target
    t = growth_target(store, None, None, "all")
    if t is None or t.get("base_year") is None or pd.isna(t["base_year"]):
        return None
    return int(t["base_year"])


def _located(store, sh: Shared, date: dt.date) -> dict[int, tuple]:
    """enterprise → (scopes, regions) on ``date``: its industry scopes and province/city/county keys."""
    m = sh.base(date, "all")
    df = m.select("enterprise_id", "region_code", "prefecture_code", "section").execute()
    out = {}
    for e, county, city, section in zip(*(df[c].tolist() for c in ("enterprise_id", "region_code", "prefecture_code",
                                                                     "section"))):
        scopes = ("all", "manufacturing") if section in SCOPES["manufacturing"] else ("all",)
        regions = (None, city, county) if county != city else (None, city)
        out[int(e)] = (scopes, regions)
    return out


def _chains(store, sh: Shared, date: dt.date) -> dict[int, list[str]]:
    df = sh.enterprise_chains(date).execute()
    out: dict[int, list[str]] = collections.defaultdict(list)
    for e, c in zip(df.enterprise_id.tolist(), df.chain_code.tolist()):
        out[int(e)].append(c)
    return out


def _segments(store, date: dt.date) -> pd.DataFrame:
    """(enterprise_id, chain_code, own, top) valid on ``date``, as the chain page counts segments."""
    es = latest(_valid_on(store.table("enterprise_segment"), date), ["enterprise_id", "segment_code", "valid_from"])
    sc, seg = store.table("segment_chain"), store.table("segment")
    j = es.join(sc, es.segment_code == sc.segment_code).join(seg, es.segment_code == seg.code)
    return j.select(j.enterprise_id, j.chain_code, own=es.segment_code,
                    top=ibis.coalesce(seg.parent_code, es.segment_code)).distinct().execute()


def universe(store, period: str | Period, breakdowns: bool = False) -> Universe:
    """All cells and relations of ``period`` (see the module docstring). ``breakdowns``: also the
    operations page's division / size / group cells (:mod:`suppression_ops`). They are not part of the
    published pattern: with two breakdowns of the same total, the one-relation rule leaves single-firm
    cells that the relations solved together determine (a linear audit found 30 on the tiny demo), so
    the page publishes breakdowns only to viewers who see the whole scope (web.operations_page)."""
    p = parse_period(period) if isinstance(period, str) else period
    prev = p.shifted(-1)
    sh = Shared(store, cte=False)
    f = _both_years(store, p, "ytd", sh, ("revenue",))
    df = f.select(eid=f._eid, in_cur=f._in_cur, in_prev=f._in_prev, rev=f.revenue,
                  rep_prev=f.revenue_rep_prev, p_rev=f._p_revenue).execute()
    cur_v, prev_v, cb_v = {}, {}, {}
    cols = [df[c].astype(object).where(df[c].notna(), None).tolist()
            for c in ("eid", "in_cur", "in_prev", "rev", "rep_prev", "p_rev")]
    for e, in_cur, in_prev, rev, rep_prev, p_rev in zip(*cols):
        e = int(e)
        if in_cur is not None:
            cur_v[e] = 0.0 if rev is None else float(rev)
            prior = rep_prev if rep_prev is not None else p_rev
            if rev is not None and prior is not None:
                cb_v[e] = float(prior)
        if in_prev is not None:
            prev_v[e] = 0.0 if p_rev is None else float(p_rev)
    samples = {"cur": (cur_v, p.end_date), "cc": ({e: cur_v[e] for e in cb_v}, p.end_date),
               "cb": (cb_v, p.end_date), "prev": (prev_v, prev.end_date)}
    by = _target_base_year(store)
    if by is not None:
        b = p.shifted(by - p.year)
        t = store.table("monthly_report")
        r = latest_reports(t.filter((t.year == b.year) & (t.month == b.month)), ["enterprise_id", "year", "month"])
        bdf = r.select("enterprise_id", v=r.revenue_ytd.cast("float64")).execute()
        samples["base"] = ({int(e): (0.0 if v is None or v != v else float(v))
                            for e, v in zip(bdf.enterprise_id.tolist(), bdf.v.astype(object).tolist())},
                           b.end_date)
    u = Universe(p.label, revised=frozenset(e for e, v in cb_v.items() if e in prev_v and prev_v[e] != v))
    sets: dict = collections.defaultdict(set)
    values: dict = collections.defaultdict(float)
    where: dict = {}
    for m, (vals, date) in samples.items():
        if date not in where:
            where[date] = (_located(store, sh, date), _chains(store, sh, date))
        loc, chains = where[date]
        for e, v in vals.items():
            if e not in loc:
                continue
            scopes, regions = loc[e]
            for c in [None] + chains.get(e, []):
                for x in regions:
                    for s in scopes:
                        sets[(m, c, x, s)].add(e)
                        values[(m, c, x, s)] += v
    # segment cells (current sample, province)
    seg = _segments(store, p.end_date)
    loc = where[p.end_date][0]
    seg_of: dict = collections.defaultdict(set)         # (chain, e) → {(own, top)}
    rows = list(zip(*(seg[c].tolist() for c in ("enterprise_id", "chain_code", "own", "top"))))
    for e, chain, own, top in rows:
        e = int(e)
        if e in cur_v and e in loc:
            seg_of[(chain, e)].add((own, top))
    for (c, e), pairs in seg_of.items():
        scopes = loc[e][0]
        codes = {own for own, _ in pairs} | {top for _, top in pairs}
        for code in codes:
            for s in scopes:
                sets[("seg", c, code, s)].add(e)
                values[("seg", c, code, s)] += cur_v[e]
    u.sets = {k: frozenset(v) for k, v in sets.items()}
    u.values = dict(values)
    u.relations = _relations(store, u, rows)
    if breakdowns:                                        # the 运行分析 page's breakdown cells (not published yet)
        from chainbrain.analytics import suppression_ops
        suppression_ops.add_cells(store, p, u, samples, where[p.end_date])
    return u


def _relations(store, u: Universe, seg: list[tuple]) -> list[Relation]:
    sets = u.sets
    reg = store.table("region").select("code", "level", "prefecture_code").execute()
    cities = list(reg.loc[reg.level == "prefecture", "code"])
    counties = collections.defaultdict(list)
    for code, pc in zip(reg.loc[reg.level == "county", "code"], reg.loc[reg.level == "county", "prefecture_code"]):
        counties[pc].append(code)
    heads = {(k[0], k[1], k[3]) for k in sets if k[0] != "seg" and k[2] is None}
    rels: list[Relation] = []

    def add(parent, children, coef=None):
        kids = tuple(k for k in children if k in sets)
        if parent not in sets and not kids:
            return
        if coef is None:                        # disjoint children: the rest is what they miss
            inside = frozenset().union(*(sets[k] for k in kids)) if kids else frozenset()
            res = sets.get(parent, frozenset()) - inside
        else:
            res = frozenset(e for e, c in coef.items() if c != 0)
        rels.append(Relation(parent, kids, res))

    for m, c, s in sorted(heads, key=str):          # a fixed order: the same pattern in every process
        add((m, c, None, s), [(m, c, x, s) for x in cities])
        for city in cities:
            add((m, c, city, s), [(m, c, x, s) for x in counties.get(city, [])])
    # scope and inside-record relations, for every (chain, region)
    units = {(k[1], k[2]) for k in sets if k[0] != "seg"}
    for c, x in sorted(units, key=str):
        for m in MEASURES:
            add((m, c, x, "all"), [(m, c, x, "manufacturing")])
        for s in SCOPES:
            add(("cur", c, x, s), [("cc", c, x, s)])
            # prev = cb + exits: an enterprise cancels only when it is in both sums with the same value
            pk, bk = ("prev", c, x, s), ("cb", c, x, s)
            if pk in sets or bk in sets:
                a, b = sets.get(pk, frozenset()), sets.get(bk, frozenset())
                rels.append(Relation(pk, (bk,) if bk in sets else (), (a ^ b) | (a & b & u.revised)))
    # chain → top segments → sub-segments (net coefficients)
    tree = collections.defaultdict(set)
    tops = collections.defaultdict(set)
    for _e, chain, own, top in seg:
        if own != top:
            tree[(chain, top)].add(own)
        tops[chain].add(top)
    for s in SCOPES:
        for c, ts in sorted(tops.items()):
            kids = [("seg", c, t, s) for t in sorted(ts)]
            coef = {e: 1 for e in sets.get(("cur", c, None, s), ())}
            for k in kids:
                for e in sets.get(k, ()):
                    coef[e] = coef.get(e, 0) - 1
            add(("cur", c, None, s), kids, coef)
            for t in sorted(ts):
                subs = [("seg", c, x, s) for x in sorted(tree.get((c, t), ()))]
                if not subs:
                    continue
                coef = {e: 1 for e in sets.get(("seg", c, t, s), ())}
                for k in subs:
                    for e in sets.get(k, ()):
                        coef[e] = coef.get(e, 0) - 1
                add(("seg", c, t, s), subs, coef)
    return rels


# ---------------------------------------------------------------- the pattern of one viewer
def pattern(u: Universe, visible: frozenset | None, min_cell: int = MIN_CELL, force=frozenset()) -> Pattern:
    """The withheld cells for a viewer who sees ``visible`` enterprises individually
    (``None``: every enterprise, e.g. the province administrator — nothing is withheld); ``force``:
    cells to withhold besides the primary ones (:mod:`chainbrain.analytics.suppression_audit`)."""
    if visible is None or min_cell <= 1:
        return Pattern(u.period, min_cell, frozenset(), frozenset(), frozenset(u.sets), len(u.sets))
    unseen = {k: (v - visible) if visible else v for k, v in u.sets.items()}

    def sensitive(n: int) -> bool:
        return 0 < n < min_cell

    primary = {k for k, v in unseen.items() if sensitive(len(v))}
    hidden = set(primary) | {k for k in force if unseen.get(k)}
    rels_of = collections.defaultdict(list)
    for i, r in enumerate(u.relations):
        rels_of[r.parent].append(i)
        for k in r.children:
            rels_of[k].append(i)
    res_unseen = [(r.residual - visible) if visible else r.residual for r in u.relations]
    todo = collections.deque(range(len(u.relations)))
    queued = set(todo)
    while todo:
        i = todo.popleft()
        queued.discard(i)
        r, ru = u.relations[i], res_unseen[i]
        members = (r.parent,) + r.children
        unknown = [k for k in members if k in hidden and unseen.get(k)]
        n = len(unknown) + (1 if ru else 0)
        need = False
        if n == 1:
            need = bool(unknown) or sensitive(len(ru))
        elif n >= 2 and r.parent not in unknown:
            union = set(ru)
            for k in unknown:
                union |= unseen[k]
            need = sensitive(len(union))
        if not need:
            continue
        choices = [k for k in members if k not in hidden and unseen.get(k)]
        if not choices:
            continue                      # nothing left to withhold here (the audit in the tests checks)
        pick = min(choices, key=lambda k: (k == r.parent, u.values.get(k, 0.0), str(k)))
        hidden.add(pick)
        for j in rels_of[pick] + [i]:
            if j not in queued:
                todo.append(j)
                queued.add(j)
    known = frozenset(k for k, v in unseen.items() if not v)
    return Pattern(u.period, min_cell, frozenset(primary), frozenset(hidden), known, len(u.sets))


def share_report(store, period: str, min_cell: int = MIN_CELL) -> dict:
    """Cells, primary and secondary suppressions for an anonymous viewer (docs: the measured share)."""
    pat = pattern(universe(store, period), frozenset(), min_cell)
    out = pat.stats()
    by = collections.Counter(k[0] for k in pat.hidden - pat.primary)
    out["secondary_by_measure"] = dict(by)
    out["period"] = period
    return out


__all__ = ["MIN_CELL", "Universe", "Pattern", "universe", "pattern", "share_report", "FIELDS", "INDEX_FIELDS"]
