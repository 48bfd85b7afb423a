"""The loop-by-loop construction of a suppression universe, kept as the tests' reference.

This is how :func:`chainbrain.analytics.suppression.universe` and :func:`~chainbrain.analytics.suppression.pattern` were first written (one Python loop
over enterprises, cells and relations). The vectorized construction
(:mod:`chainbrain.analytics.suppression_cells`) must give the very same cells, enterprise sets,
values (to rounding) and relations in the same order: ``tests/test_suppression_cells.py``.
"""

from __future__ import annotations

import collections
import datetime as dt

import ibis
import pandas as pd

from chainbrain.analytics.indicators import _both_years
from chainbrain.analytics.scope import SCOPES, Shared, _valid_on, latest, latest_reports
from chainbrain.analytics.suppression import MEASURES, MIN_CELL, Pattern, Relation, Universe, _target_base_year
from chainbrain.periods import Period, parse_period


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


def universe(store, period: str | Period, breakdowns: bool = False) -> Universe:  # noqa: C901
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
