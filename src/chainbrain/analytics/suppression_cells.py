"""The cells and relations of one period's suppression universe, built with array operations.

The rule and the cells are documented in :mod:`chainbrain.analytics.suppression`. Every cell is a
sum over a set of enterprises: ``(measure, chain|None, region|None, scope)`` for the KPI family
and ``("seg", chain, segment, scope)`` for the chain page's segments. An enterprise of sample
``m`` (on the memberships of the sample's date) belongs to every cell of

    {m} × ({None} ∪ its chains) × ({None, its city, its county}) × ({all} ∪ {manufacturing if C}),

so the cells are the groups of one long (cell, enterprise, value) array: the enterprises of each
sample are joined to their regions, chains and scopes (pandas merges on integer codes), each
row's cell is one integer key, and one sort groups them. The construction is the same as the
loop it replaces (``tests/suppression_reference.py``; the test compares cells, sets, values and
relations), in a fraction of the time (≈ 0.4 s instead of 3.3 s for a province period).
Memberships of a date are shared between the periods of one family (``memo``).
"""

from __future__ import annotations

import collections
import datetime as dt
from dataclasses import dataclass, field

import ibis
import numpy as np
import pandas as pd

from chainbrain.analytics.gcpause import paused
from chainbrain.analytics.indicators import _both_years
from chainbrain.analytics.scope import SCOPES, Shared, _valid_on, latest, latest_reports
from chainbrain.periods import Period, parse_period

MEASURES = ("cur", "cc", "cb", "prev", "base")
_SCOPE_NAMES = ("all", "manufacturing")


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
    #: viewer-independent arrays :func:`~chainbrain.analytics.suppression.pattern` derives from the
    #: cells and relations, kept for the next viewer (rebuilt when cells or relations are added)
    index: dict = field(default_factory=dict, compare=False, repr=False)
    #: a linked universe's periods (:mod:`suppression_periods`): label → cells of that period
    parts: dict = field(default_factory=dict, compare=False, repr=False)
    #: a linked universe's revised enterprises per period and the target base year (the firm-level
    #: audit, :mod:`suppression_firms`)
    revised_by: dict = field(default_factory=dict, compare=False, repr=False)
    base_year: int | None = None


def _target_base_year(store) -> int | None:
    from chainbrain.analytics.kpi import growth_target
    t = growth_target(store, None, None, "all")
    if t is None or t.get("base_year") is None or pd.isna(t["base_year"]):
        return None
    return int(t["base_year"])


# ---------------------------------------------------------------- memberships of a date
def _located(sh: Shared, date: dt.date) -> pd.DataFrame:
    """enterprise_id, county, city, manufacturing (bool): where each enterprise is on ``date``
    (the last row of an enterprise wins, as a dict built row by row would keep it)."""
    m = sh.base(date, "all")
    df = m.select("enterprise_id", "region_code", "prefecture_code", "section").execute()
    df = df.drop_duplicates("enterprise_id", keep="last")
    return pd.DataFrame({"e": df.enterprise_id.astype("int64").to_numpy(),
                         "county": df.region_code.astype(object).to_numpy(),
                         "city": df.prefecture_code.astype(object).to_numpy(),
                         "manu": df.section.isin(SCOPES["manufacturing"]).to_numpy()})


def _chains(sh: Shared, date: dt.date) -> pd.DataFrame:
    """enterprise_id, chain_code on ``date`` (every row, as :meth:`Shared.enterprise_chains` gives them)."""
    df = sh.enterprise_chains(date).execute()
    return pd.DataFrame({"e": df.enterprise_id.astype("int64").to_numpy(),
                         "c": df.chain_code.astype(object).to_numpy()})


def _segments(store, date: dt.date) -> pd.DataFrame:
    """(enterprise_id, chain_code, own, top) valid on ``date``, as the chain page counts segments."""
    es = latest(_valid_on(store.table("enterprise_segment"), date), ["enterprise_id", "segment_code", "valid_from"])
    sc, seg = store.table("segment_chain"), store.table("segment")
    j = es.join(sc, es.segment_code == sc.segment_code).join(seg, es.segment_code == seg.code)
    return j.select(j.enterprise_id, j.chain_code, own=es.segment_code,
                    top=ibis.coalesce(seg.parent_code, es.segment_code)).distinct().execute()


class _Codes:
    """Integer codes of chain and region names (0 = None), shared by every sample of a universe."""

    def __init__(self):
        self.chain: dict = {None: 0}
        self.region: dict = {None: 0}

    @staticmethod
    def _code(book: dict, values: np.ndarray) -> np.ndarray:
        """The codes of ``values`` in ``book`` (names not yet in it are added; None/NaN is 0)."""
        if not len(values):
            return np.empty(0, dtype=np.int64)
        inv, uniq = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        codes = np.fromiter((book.setdefault(name, len(book)) for name in uniq.tolist()), dtype=np.int64,
                            count=len(uniq))
        return np.where(inv < 0, 0, codes[np.maximum(inv, 0)]) if len(codes) else np.zeros(len(inv), np.int64)

    def chains(self, values) -> np.ndarray:
        return self._code(self.chain, values)

    def regions(self, values) -> np.ndarray:
        return self._code(self.region, values)


_CX = 21     # bits of a region code in a cell key; chain codes take the next 21 bits, the measure the rest


def _repeat_ranges(first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """first[0] … first[0]+count[0]−1, first[1] … — the concatenated ranges, without a loop."""
    total = int(count.sum())
    return np.repeat(first - (np.cumsum(count) - count), count) + np.arange(total)


def _membership(loc: pd.DataFrame, chains: pd.DataFrame, codes: _Codes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells of the located enterprises on a date, one row per (enterprise, chain|None,
    region|None, scope): ``(uniq, starts, part)`` — the enterprises in ascending order, where each
    one's rows start, and each row's cell key without the measure,
    ``chain << 22 | region << 1 | scope`` (integer codes; scope 0 = all, 1 = manufacturing).

    Each enterprise's rows are the product of its (region, scope) pairs — province, city and
    county (when it differs from the city) × all, and manufacturing when its section is — with
    None and its chains (every chain row, as given)."""
    order = np.argsort(loc.e.to_numpy(), kind="stable")
    e = loc.e.to_numpy()[order]
    n = len(e)
    city = codes.regions(loc.city.to_numpy()[order])
    county = codes.regions(loc.county.to_numpy()[order])
    differs = loc.county.to_numpy()[order] != loc.city.to_numpy()[order]
    manu = loc.manu.to_numpy()[order]
    # the six candidate (region, scope) pairs of each enterprise, then the valid ones, grouped by enterprise
    x6 = np.stack([np.zeros(n, np.int64), city, county] * 2, axis=1)
    s6 = np.repeat(np.array([[0, 0, 0, 1, 1, 1]], np.int64), n, axis=0)
    ok6 = np.stack([np.ones(n, bool), np.ones(n, bool), differs, manu, manu, manu & differs], axis=1)
    rs_e = np.repeat(np.arange(n), 6).reshape(n, 6)[ok6]
    rs = (x6[ok6] << 1) | s6[ok6]
    # None and the chains of each enterprise, grouped by enterprise
    ch = chains[chains.e.isin(e)]
    ce = np.searchsorted(e, ch.e.to_numpy())
    corder = np.argsort(ce, kind="stable")
    cpos = np.concatenate([np.arange(n), ce[corder]])
    ccode = np.concatenate([np.zeros(n, np.int64), codes.chains(ch.c.to_numpy())[corder]])
    corder2 = np.argsort(cpos, kind="stable")
    cpos, ccode = cpos[corder2], ccode[corder2]
    c_first = np.searchsorted(cpos, np.arange(n))
    c_count = np.bincount(cpos, minlength=n)
    # product: each (region, scope) row with each chain of its enterprise
    reps = c_count[rs_e]
    row_e = np.repeat(rs_e, reps)
    chain_idx = _repeat_ranges(c_first[rs_e], reps)
    part = (ccode[chain_idx] << (_CX + 1)) | np.repeat(rs, reps)
    counts = np.bincount(row_e, minlength=n)
    return e, np.r_[0, np.cumsum(counts)], part


def _expand(ids: np.ndarray, vals: np.ndarray, memb: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cell key part, enterprise, value) of every cell of each sample enterprise (the enterprises
    not located on the date have none)."""
    uniq, starts, part = memb
    pos = np.searchsorted(uniq, ids)
    ok = pos < len(uniq)
    ok[ok] = uniq[pos[ok]] == ids[ok]
    ids, vals, pos = ids[ok], vals[ok], pos[ok]
    first, cnt = starts[pos], starts[pos + 1] - starts[pos]
    which = np.repeat(np.arange(len(ids)), cnt)
    return part[_repeat_ranges(first, cnt)], ids[which], vals[which]


# ---------------------------------------------------------------- the universe
def _samples(store, p: Period, sh: Shared, memo: dict) -> tuple[dict, frozenset]:
    """measure → (enterprise ids, values, date) and the revised enterprises (see the module docstring
    of :mod:`suppression`: ``cb`` is the prior value — the previous-year report revised, else that
    report — of the current sample's enterprises with both a revenue and a prior)."""
    prev = p.shifted(-1)
    f = _both_years(store, p, "ytd", sh, ("revenue",))
    df = f.select(eid=f._eid, in_cur=f._in_cur, in_prev=f._in_prev, rev=f.revenue.cast("float64"),
                  rep_prev=f.revenue_rep_prev.cast("float64"), p_rev=f._p_revenue.cast("float64")).execute()
    eid = df.eid.astype("int64").to_numpy()
    in_cur, in_prev = df.in_cur.notna().to_numpy(), df.in_prev.notna().to_numpy()
    rev = df.rev.astype("float64").to_numpy()
    prior = df.rep_prev.astype("float64").fillna(df.p_rev.astype("float64")).to_numpy()
    p_rev = df.p_rev.astype("float64").to_numpy()
    has_cb = in_cur & ~np.isnan(rev) & ~np.isnan(prior)
    cur_v = np.where(np.isnan(rev), 0.0, rev)
    prev_v = np.where(np.isnan(p_rev), 0.0, p_rev)
    out = {"cur": (eid[in_cur], cur_v[in_cur], p.end_date),
           "cc": (eid[has_cb], cur_v[has_cb], p.end_date),
           "cb": (eid[has_cb], prior[has_cb], p.end_date),
           "prev": (eid[in_prev], prev_v[in_prev], prev.end_date)}
    revised = frozenset(eid[has_cb & in_prev & (prev_v != prior)].tolist())
    by = memo["base_year"] if "base_year" in memo else memo.setdefault("base_year", _target_base_year(store))
    if by is not None:
        b = p.shifted(by - p.year)
        t = store.table("monthly_report")
        r = latest_reports(t.filter((t.year == b.year) & (t.month == b.month)), ["enterprise_id", "year", "month"])
        bdf = r.select("enterprise_id", v=r.revenue_ytd.cast("float64")).execute()
        out["base"] = (bdf.enterprise_id.astype("int64").to_numpy(),
                       bdf.v.astype("float64").fillna(0.0).to_numpy(), b.end_date)
    return out, revised


def universe(store, period: str | Period, breakdowns: bool = False, memo: dict | None = None):
    """:func:`_universe` with the garbage collector paused (:mod:`chainbrain.analytics.gcpause`)."""
    with paused():
        return _universe(store, period, breakdowns, memo)


def _universe(store, period: str | Period, breakdowns: bool = False, memo: dict | None = None):
    """All cells and relations of ``period`` (:mod:`chainbrain.analytics.suppression`). ``breakdowns``:
    also the operations page's division / size / group cells (:mod:`suppression_ops`). They are not part
    of the published pattern: with two breakdowns of the same total, the one-relation rule leaves
    single-firm cells that the relations solved together determine (a linear audit found 30 on the
    tiny demo), so the page publishes breakdowns only to viewers who see the whole scope
    (web.operations_page). ``memo``: a dict kept between the periods of one family — memberships of
    a date are read once."""
    p = parse_period(period) if isinstance(period, str) else period
    memo = {} if memo is None else memo
    sh = Shared(store, cte=False)
    samples, revised = _samples(store, p, sh, memo)
    codes = memo.setdefault("codes", _Codes())

    def where(date):
        key = ("where", date)
        if key not in memo:
            loc, ch = _located(sh, date), _chains(sh, date)
            memo[key] = (loc, ch, _membership(loc, ch, codes))
        return memo[key]

    keys, eids, vals = [], [], []
    for mi, m in enumerate(MEASURES):
        if m not in samples:
            continue
        ids, v, date = samples[m]
        part, e, v = _expand(ids, v, where(date)[2])
        keys.append(part | (mi << (2 * _CX + 1)))
        eids.append(e)
        vals.append(v)
    sets, values = _group(np.concatenate(keys), np.concatenate(eids), np.concatenate(vals), codes)
    # segment cells (current sample, province)
    seg = memo.get(("segments", p.end_date))
    if seg is None:
        seg = memo[("segments", p.end_date)] = _segments(store, p.end_date)
    loc = where(p.end_date)[0]
    s_sets, s_values = _segment_cells(seg, samples["cur"][0], samples["cur"][1], loc, codes)
    sets.update(s_sets)
    values.update(s_values)
    u = Universe(p.label, sets=sets, values=values, revised=revised)
    rows = list(zip(*(seg[c].tolist() for c in ("enterprise_id", "chain_code", "own", "top"))))
    u.relations = relations(store, u, rows, memo)
    if breakdowns:                                        # the 运行分析 page's breakdown cells (not published yet)
        from chainbrain.analytics import suppression_ops
        suppression_ops.add_cells(store, p, u, _as_dicts(samples), _where_dicts(where(p.end_date)))
    return u


def _group(keys: np.ndarray, eids: np.ndarray, vals: np.ndarray, codes: _Codes) -> tuple[dict, dict]:
    """cell → frozenset of enterprises and cell → Σ value, from one row per (cell, enterprise)."""
    order = np.argsort(keys, kind="stable")
    k, e, v = keys[order], eids[order], vals[order]
    if not len(k):
        return {}, {}
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    ends = np.r_[starts[1:], len(k)]
    sums = np.add.reduceat(v, starts)
    head = k[starts]
    mask = (1 << _CX) - 1
    chains = {v: c for c, v in codes.chain.items()}
    regions = {v: x for x, v in codes.region.items()}
    cells = zip([MEASURES[i] for i in (head >> (2 * _CX + 1)).tolist()],
                [chains[i] for i in ((head >> (_CX + 1)) & mask).tolist()],
                [regions[i] for i in ((head >> 1) & mask).tolist()],
                [_SCOPE_NAMES[i] for i in (head & 1).tolist()])
    el = e.tolist()
    sets, values = {}, {}
    for cell, a, b, total in zip(cells, starts.tolist(), ends.tolist(), sums.tolist()):
        sets[cell] = frozenset(el[a:b])
        values[cell] = total
    return sets, values


def _segment_cells(seg: pd.DataFrame, cur_ids: np.ndarray, cur_vals: np.ndarray, loc: pd.DataFrame,
                   codes: _Codes) -> tuple[dict, dict]:
    """The chain page's segment cells ("seg", chain, segment, scope): the located enterprises of the
    current sample in the segment — own or as the top of a sub-segment, once per (chain, enterprise,
    code) — each with its current value."""
    e = seg.enterprise_id.astype("int64").to_numpy()
    loc_e = loc.e.to_numpy()
    keep = np.isin(e, cur_ids) & np.isin(e, loc_e)
    ee = np.concatenate([e[keep], e[keep]])
    chain = codes.chains(np.concatenate([seg.chain_code.to_numpy(dtype=object)[keep]] * 2))
    code = codes.regions(np.concatenate([seg.own.to_numpy(dtype=object)[keep], seg.top.to_numpy(dtype=object)[keep]]))
    key = (chain << (_CX + 1)) | (code << 1)                      # segment codes share the region book
    both = pd.DataFrame({"k": key, "e": ee}).drop_duplicates()    # once per (chain, code, enterprise)
    key, ee = both.k.to_numpy(), both.e.to_numpy()
    lpos = np.searchsorted(np.sort(loc_e), ee)
    manu = loc.manu.to_numpy()[np.argsort(loc_e, kind="stable")][lpos]
    order = np.argsort(cur_ids, kind="stable")
    vals = cur_vals[order][np.searchsorted(cur_ids[order], ee)]
    keys = np.concatenate([key, key[manu] | 1])
    sets, values = _group(keys, np.concatenate([ee, ee[manu]]), np.concatenate([vals, vals[manu]]), codes)
    return ({("seg", c, code, sc): v for (_, c, code, sc), v in sets.items()},
            {("seg", c, code, sc): v for (_, c, code, sc), v in values.items()})


def _as_dicts(samples: dict) -> dict:
    """The samples as :mod:`suppression_ops` takes them: measure → ({enterprise: value}, date)."""
    return {m: (dict(zip(ids.tolist(), vals.tolist())), date) for m, (ids, vals, date) in samples.items()}


def _where_dicts(where: tuple) -> tuple[dict, dict]:
    """(located, chains) on a date as dicts: enterprise → (scopes, regions), enterprise → [chains]."""
    loc, ch = where[0], where[1]
    located = {}
    for e, county, city, manu in zip(loc.e.tolist(), loc.county.tolist(), loc.city.tolist(), loc.manu.tolist()):
        scopes = ("all", "manufacturing") if manu else ("all",)
        located[e] = (scopes, (None, city, county) if county != city else (None, city))
    chains = collections.defaultdict(list)
    for e, c in zip(ch.e.tolist(), ch.c.tolist()):
        chains[e].append(c)
    return located, chains


# ---------------------------------------------------------------- relations
def relations(store, u: Universe, seg: list[tuple], memo: dict | None = None) -> list[Relation]:
    """The relations of the module docstring of :mod:`suppression`, in a fixed order (the same
    pattern in every process)."""
    memo = {} if memo is None else memo
    sets = u.sets
    if "regions" not in memo:
        reg = store.table("region").select("code", "level", "prefecture_code").execute()
        cities = list(reg.loc[reg.level == "prefecture", "code"])
        counties = collections.defaultdict(list)
        for code, pc in zip(reg.loc[reg.level == "county", "code"], reg.loc[reg.level == "county", "prefecture_code"]):
            counties[pc].append(code)
        memo["regions"] = (cities, counties)
    cities, counties = memo["regions"]
    heads = {(k[0], k[1], k[3]) for k in sets if k[0] != "seg" and k[2] is None}
    rels: list[Relation] = []
    empty = frozenset()

    def add(parent, children):
        """parent = Σ disjoint children + rest. The children are subsets of the parent by
        construction (same sample, same date: a county's enterprises are in its city), so equal
        sizes mean an empty rest."""
        kids = tuple(k for k in children if k in sets)
        if parent not in sets and not kids:
            return
        par = sets.get(parent, empty)
        if len(par) == sum(len(sets[k]) for k in kids):
            res = empty
        elif len(kids) == 1:
            res = par - sets[kids[0]]
        else:
            res = par.difference(*(sets[k] for k in kids))
        rels.append(Relation(parent, kids, res))

    def add_net(parent, children):
        """parent = Σ children with the net coefficient of each enterprise (children may overlap)."""
        kids = tuple(k for k in children if k in sets)
        if parent not in sets and not kids:
            return
        count = collections.Counter(sets.get(parent, ()))
        for k in kids:
            count.subtract(sets[k])
        rels.append(Relation(parent, kids, frozenset(e for e, c in count.items() if c != 0)))

    for m, c, s in sorted(heads, key=str):
        add((m, c, None, s), [(m, c, x, s) for x in cities])
        for city in cities:
            add((m, c, city, s), [(m, c, x, s) for x in counties.get(city, [])])
    units = {(k[1], k[2]) for k in sets if k[0] != "seg"}
    for c, x in sorted(units, key=str):
        for m in MEASURES:
            add((m, c, x, "all"), [(m, c, x, "manufacturing")])
        for s in SCOPES:
            add(("cur", c, x, s), [("cc", c, x, s)])
            pk, bk = ("prev", c, x, s), ("cb", c, x, s)
            if pk in sets or bk in sets:
                a, b = sets.get(pk, empty), sets.get(bk, empty)
                rels.append(Relation(pk, (bk,) if bk in sets else (), (a ^ b) | (a & b & u.revised)))
    tree = collections.defaultdict(set)
    tops = collections.defaultdict(set)
    for _e, chain, own, top in seg:
        if own != top:
            tree[(chain, top)].add(own)
        tops[chain].add(top)
    for s in SCOPES:
        for c, ts in sorted(tops.items()):
            add_net(("cur", c, None, s), [("seg", c, t, s) for t in sorted(ts)])
            for t in sorted(ts):
                subs = [("seg", c, x, s) for x in sorted(tree.get((c, t), ()))]
                if subs:
                    add_net(("seg", c, t, s), subs)
    return rels


__all__ = ["MEASURES", "Relation", "Universe", "universe", "relations"]
