"""Monitoring indicators (运行监测指标) for any scope × period, written once in Ibis.

A *scope* is an industry scope (``all`` = sections B–D, ``manufacturing`` = C)
× filters (region: province / prefecture / county; park; chain; segment;
cluster; SEI) × a grouping ``by`` (all, chain, city, county, segment, cluster,
city_chain, county_chain) — see :func:`chainbrain.analytics.scope.members`.
A *period* is ``YYYY-MM`` / ``YYYY-Qn`` / ``YYYY`` (:mod:`periods`) and a
*basis*: ``ytd`` (1–M 月累计, as reported), ``month`` (当月) or ``quarter``
(当季).

Flows on a month / quarter basis are differences of each enterprise's YTD
reports (DESIGN.md §4): ``flow(M) = YTD(M) − YTD(L)`` where L is the
*adjacent* report of the same year, month M−1 (month) or M−3 (quarter).
Without any report of the year before M the enterprise entered the sample
in M and its flow is its YTD (Jan–Feb and Q1 are their own YTD); with an
earlier report but not the adjacent one (a missing month) the flow is
unknown (NULL: out of the sum, its ``_n`` and the comparable sample).
Comparable growth on these bases needs adjacent reports in both years: the
prior flow is the difference of the two reports' 上年同期 (revenue, profit)
or of the enterprise's own adjacent reports a year earlier. The monthly
flows add up to the YTD for every enterprise that reports each month from
its first report of the year through M (docs/monitoring.md states when the
totals do). Employees are a stock: the period-end report's value on every
basis.

Money is summed as exact decimals (:func:`_exact`); ``value_added_yoy_real``
deflates value added by each enterprise's division PPI (constant prices,
可比价; every other money figure is at current prices, 现价).

For each measure m ∈ {revenue, profit, value_added, export, rd_expense,
employees} and each key g:

- ``m`` = Σ_{e ∈ S_t(g)} m_e, the current sample S_t = enterprises in scope at
  the period end with a report for the period; ``m_n`` = reporters of m.
- ``m_prev`` = Σ_{e ∈ S_{t−1}(g)} m_e(t−1): last year's sample in last year's
  scope (naive / 总量口径).  ``m_yoy_naive = m / m_prev − 1``.
- Comparable (可比口径): over C = {e ∈ S_t(g) with m_e(t) and a prior value},
  prior = the report's own 上年同期 (revenue, profit) else the enterprise's
  own report a year earlier; ``m_yoy = Σ_C m_e(t) / Σ_C prior_e − 1``;
  ``m_yoy_n = |C|``.  A growth rate whose base is ≤ 0 is None (profit).
- ``above_scale_count = |S_t(g)|``; ``scale_ups`` = |S_t(g) \\ S_{t−1}| (in
  the sample now, in no sample a year earlier: 新增规上, incl. new firms);
  ``exits`` = |S_{t−1}(g) \\ S_t| (退出样本).
- ``loss_share`` (亏损面) = #{profit_ytd < 0} / #{profit_ytd reported};
  ``loss_share_prev`` the same a year earlier (YTD profit on every basis).
- ``share_of_province`` = revenue(g) / revenue(province, same industry
  scope, no other filter); ``share_of_chain`` = revenue(g) / revenue(the
  province's same chain), for keys that carry a chain; ``*_prev`` a year ago.
- SEI share of value added (战略性新兴产业增加值占比): classes flagged
  ``true`` count fully; a ``partial`` class (the SEI catalogue lists only some
  of its products) with a loaded share s (import kind ``sei-shares``: the
  product-level SEI share from the bureau's SEI value-added tables, the
  latest year ≤ the period's year) counts at s in the estimate and in both
  bounds; the partial classes without one (VA_partial) are unknown:
  ``sei_va_share_low = (VA_true + Σ s·VA_s) / VA`` (they count 0),
  ``sei_va_share_high = (VA_true + Σ s·VA_s + VA_partial) / VA`` (they count
  fully) and the point estimate ``sei_va_share`` counts them with weight w
  (``partial_weight``, default 0.5: the midpoint of the bounds). A status is
  graded only when both bounds fall on the same side of a target.
  ``sei_partial_count`` = how many partial-class firms are in the scope.
- ``rd_intensity`` = Σ rd_expense / Σ revenue and ``export_share`` = Σ export /
  Σ revenue, each over the enterprises that report the numerator.
- Contribution (贡献率) of g to its parent P (same filters, no grouping):
  ``m_contribution = ΔC_g / ΔC_P`` with ΔC = Σ_C current − Σ_C prior on the
  comparable basis; pull (拉动, percentage points)
  ``m_pull = ΔC_g / Σ_{C_P} prior × 100``. Chains overlap (a segment may sit
  in two chains), so chain contributions need not add up to 100 %.

Every value carries ``<key>_n``: how many enterprises it is built from, so the
web layer can suppress cells from fewer than 3 (DESIGN.md §4). Money is yuan,
rates and shares are fractions.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import asdict, dataclass

import ibis
import pandas as pd

from chainbrain.analytics.formulas import MEASURES, MONEY, values_frame
from chainbrain.analytics.formulas import records as formula_records
from chainbrain.analytics.scope import Shared, latest_reports, members
from chainbrain.periods import Period, parse_period

from chainbrain.analytics.registry import BASES, COLUMN, REGISTRY, REPORTED_PREV, SEI_PARTIAL_WEIGHT


@dataclass(frozen=True)
class Scope:
    """Filters of a figure (see :func:`chainbrain.analytics.scope.members`)."""
    scope: str = "all"
    region: str | None = None
    chain: str | None = None
    segment: str | None = None
    cluster: str | None = None
    sei: bool = False
    park: str | None = None

    def filters(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "scope" and v not in (None, False)}


# ------------------------------------------------------------------ enterprise-level flows

def _narrow(t):
    """The report columns the indicators read (keys, revision, the measures and their 上年同期): a row
    store (PostgreSQL) copies whole rows into every intermediate step, and a report has ~40 columns."""
    return t.select("enterprise_id", "year", "month", "revision", *dict.fromkeys(COLUMN.values()),
                    *dict.fromkeys(REPORTED_PREV.values()))


def _latest_reports(store, year: int, table=None):
    t = (table or store.table)("monthly_report")
    return latest_reports(_narrow(t.filter(t.year == year)), ["enterprise_id", "year", "month"])


def facts(store, year: int, month: int, basis: str = "ytd", *, shared: Shared | None = None):
    """One row per enterprise with a report for (year, month): flows of the basis, stock of employees.

    Columns: enterprise_id, the measures, ``<m>_rep_prev`` (reported 上年同期
    flow, revenue and profit) and ``profit_ytd`` (for the loss-making count).
    """
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}")
    return _facts_of(_latest_reports(store, year, shared.table if shared is not None else None), month, basis)


def _facts_of(r, month: int, basis: str, measures=MEASURES):
    """:func:`facts` from ``r``, the latest reports of one year (at least months ≤ ``month``; only
    ``month`` itself on the ``ytd`` basis), for the listed ``measures`` only."""
    cur = r.filter(r.month == month)
    money = [m for m in MONEY if m in measures]
    reported = {m: c for m, c in REPORTED_PREV.items() if m in measures}
    loss = {"profit_ytd": cur.profit_ytd.cast("float64")} if "profit" in measures else {}
    # money stays DECIMAL (NUMERIC(20,2)) through differences and sums: exact to the fen (_exact)
    flows = {m: cur[COLUMN[m]] if m in MONEY else cur[COLUMN[m]].cast("float64") for m in measures}
    prevs = {m: cur[c] for m, c in reported.items()}
    since = {"ytd": 0, "month": month - 1, "quarter": month - 3}[basis]
    if since <= 0:
        return cur.select("enterprise_id", **loss, **flows, **{f"{m}_rep_prev": v for m, v in prevs.items()},
                          _adj=ibis.literal(1, "int8"))
    lag = r.filter(r.month <= since)
    w = ibis.window(group_by=lag.enterprise_id, order_by=ibis.desc(lag.month))
    lag = lag.mutate(_k=ibis.row_number().over(w)).filter(ibis._._k == 0)
    lag = lag.select("enterprise_id", _has=ibis.literal(1), _lm=lag.month,
                     **{f"_l_{m}": lag[COLUMN[m]] for m in money},
                     **{f"_lp_{m}": lag[c] for m, c in reported.items()})
    j = cur.left_join(lag, "enterprise_id")
    # adjacent: the report of the previous period (M−1, or M−3 on the quarter basis) exists; no earlier
    # report this year: the enterprise entered the sample now, its whole YTD is the flow; an earlier
    # report but not the adjacent one (a gap): the flow of this period is unknown (NULL)
    adj = j._lm == since
    out = {m: ibis.cases((j._has.isnull(), j[COLUMN[m]]),
                         (adj, j[COLUMN[m]] - j[f"_l_{m}"]), else_=None) for m in money}
    if "employees" in measures:
        out["employees"] = j.employees.cast("float64")
    for m, c in reported.items():      # the 上年同期 flow: both reports carry it
        out[f"{m}_rep_prev"] = ibis.cases((adj, j[c] - j[f"_lp_{m}"]), else_=None)
    loss = {"profit_ytd": j.profit_ytd.cast("float64")} if "profit" in measures else {}
    return j.select(j.enterprise_id, **loss, **out, _adj=ibis.cases((adj, ibis.literal(1, "int8")), else_=None))


def _count(cond):
    """How many rows meet ``cond``: ``COUNT(CASE WHEN cond THEN 1 END)``, a BIGINT on every engine
    (a SUM of 0/1 is a 128-bit HUGEINT on DuckDB, slow to hand to Arrow, and a dearer aggregate)."""
    return cond.ifelse(1, None).count()


def _sum_if(cond, value):
    return ibis.cases((cond, value), else_=None).sum()


def _exact(total):
    """A sum handed to Python as float64: money is summed as DECIMAL (exact on every engine: DuckDB
    DECIMAL(38,2), PostgreSQL NUMERIC, Spark DecimalType) and converted once, after the sum, to the
    nearest double — the same double on every engine and code path, whose shortest decimal is the
    exact sum to the fen. (Casting each value to float64 first makes the sum depend on the order of
    additions: engines and paths could disagree in the last digit.)"""
    return total.cast("float64") if total.type().is_decimal() else total


_INTS = ("scale_ups", "exits", "profit_reporters", "profit_reporters_prev", "loss_making_prev")


def _both_years(store, p: Period, basis: str, shared: Shared, measures=MEASURES):
    """One row per enterprise with a report this year or a year earlier (full outer join of the two
    years' :func:`facts`): ``_in_cur`` / ``_in_prev`` flags, this year's columns under their names,
    last year's as ``_p_<col>``."""
    prev = p.shifted(-1)
    if basis == "ytd":      # both years' period-end reports in one scan of monthly_report
        def reports():
            t = shared.table("monthly_report")
            t = t.filter(((t.year == p.year) | (t.year == prev.year)) & (t.month == p.month))
            return latest_reports(_narrow(t), ["enterprise_id", "year", "month"])
        r = shared.shared(("reports", p.year, p.month), reports)
        cur = _facts_of(r.filter(r.year == p.year), p.month, basis, measures)
        prv = _facts_of(r.filter(r.year == prev.year), p.month, basis, measures)
    else:
        cur = _facts_of(_latest_reports(store, p.year, shared.table), p.month, basis, measures)
        prv = _facts_of(_latest_reports(store, prev.year, shared.table), prev.month, basis, measures)
    cur = cur.mutate(_in_cur=ibis.literal(1))
    loss = {"_p_profit_ytd": prv.profit_ytd} if "profit" in measures else {}
    prv = prv.select(_pid=prv.enterprise_id, _in_prev=ibis.literal(1), **loss, _p_adj=prv._adj,
                     **{f"_p_{m}": prv[m] for m in measures})
    j = cur.outer_join(prv, cur.enterprise_id == prv._pid)
    cols = [c for c in j.columns if c not in ("enterprise_id", "_pid")]
    return j.select(_eid=ibis.coalesce(j.enterprise_id, j._pid), **{c: j[c] for c in cols})


class Results:
    """Results of statements at one data version: a thread-safe LRU of ``size`` frames keyed by
    the statement (its key and SQL), emptied when the data version moves on. Frames are copied
    in and out (callers change the frames they get)."""

    def __init__(self, size: int):
        self.size, self.version, self.items = size, None, OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, version, key):
        with self.lock:
            if version != self.version:
                self.items.clear()
                self.version = version
            df = self.items.get(key)
            if df is None:
                self.misses += 1
                return None
            self.hits += 1
            self.items.move_to_end(key)
            return df.copy() if isinstance(df, pd.DataFrame) else df

    def put(self, version, key, df) -> None:
        with self.lock:
            if version != self.version:              # the data moved on while it ran
                return
            self.items[key] = df.copy() if isinstance(df, pd.DataFrame) else df
            while len(self.items) > self.size:
                self.items.popitem(last=False)


RESULTS = "statement results"
#: results the same for every viewer and asked for many (a chain's segment presence and ranked
#: enterprises: every viewer's chain page computed them again, a quarter of the load test's
#: interpreter time after an import — analytics.presence)
SHARED = "shared results"


def remember_results(store, size: int = 32) -> Results:
    """Turn on the statement memo for ``store`` (one per open store and process; the web
    application's stores): :func:`_run` serves a statement it already ran at the store's current
    data version (:func:`chainbrain.store.version.data_version`, re-read at most once a second;
    the application's own writes bump it at once) from memory instead of running it again — the
    cockpit runs some statements twice (the KPI record and the KPI tables share their base-year
    and chained-index statements). Off by default: a process that writes and reads within a second
    (tests, imports) must not see an older result."""
    from chainbrain.store.version import per_store

    per_store(store, SHARED, lambda: Results(256))
    return per_store(store, RESULTS, lambda: Results(size))


def remembered(store, key: tuple, compute, name: str = RESULTS):
    """``compute()``, or its result at the current data version when :func:`remember_results` is on
    for ``store`` (small look-ups asked several times per page: the newest period, the periods on
    file; each a scan of ``monthly_report``; ``name=SHARED``: larger results every viewer's page
    asks for). The result must not be changed by the caller (a DataFrame is copied)."""
    from chainbrain.store.version import data_version, existing

    memo = existing(store, name)
    if memo is None:
        return compute()
    version = data_version(store)
    value = memo.get(version, key)
    if value is None:
        value = compute()
        memo.put(version, key, value)
    return value


_COMPILED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()   # backend → OrderedDict(key → SQL)
_COMPILED_SIZE = 1024
_COMPILED_LOCK = threading.Lock()


def _run(store, key: tuple, build):
    """Execute the expression ``build()`` names by ``key`` (one round trip), compiling it once per backend.

    On DuckDB and PostgreSQL the SQL compiled for ``key`` is kept (an LRU of
    :data:`_COMPILED_SIZE` per backend connection) and re-run as is on later calls
    with the same key: the engine recomputes everything from the tables, only the
    Python work of building and compiling an identical Ibis expression is skipped
    (on PostgreSQL ≈ 0.3 s per statement of the province cockpit, plus splitting it
    into steps, :mod:`chainbrain.store.pgplan`). On PostgreSQL the SQL names the membership
    snapshot tables of the data it was compiled against (:mod:`chainbrain.store.snapshots`):
    after a change of their fingerprint (an import) the kept SQL is re-pointed at the
    snapshots of the new data (:func:`~chainbrain.store.snapshots.renamed`) instead of being
    compiled again — compiling was most of PostgreSQL's re-warm after an import. Other engines
    execute ``build()`` through Ibis. ``key`` must determine the SQL completely.
    With :func:`remember_results` on, a statement already run at the current data version is
    not run again (its result is kept in memory, per store).
    """
    be = store.ibis()
    name = getattr(be, "name", None)
    if name not in ("duckdb", "postgres"):
        return build().execute()
    fp, snapshots = None, None
    if name == "postgres":
        from chainbrain.store import snapshots

        fp = snapshots.fingerprint(store) if snapshots.enabled(store) else None
    with _COMPILED_LOCK:
        per = _COMPILED.setdefault(be, OrderedDict())
        hit = per.get(key)
        if hit is not None:
            per.move_to_end(key)
    if hit is not None and hit[2] != fp:       # compiled against the snapshots of earlier data
        sql = snapshots.renamed(store, hit[0], hit[2], fp) if fp is not None and hit[2] is not None else None
        hit = None if sql is None else (sql, hit[1], fp)
        if hit is not None:
            with _COMPILED_LOCK:
                per[key] = hit
    if hit is None:
        table = build().as_table()
        be._run_pre_execute_hooks(table)
        hit = (be.compile(table), table.schema(), fp)
        with _COMPILED_LOCK:
            per[key] = hit
            while len(per) > _COMPILED_SIZE:
                per.popitem(last=False)
    sql, schema = hit[0], hit[1]
    from chainbrain.store.version import data_version, existing

    memo = existing(store, RESULTS)
    if memo is not None:
        version = data_version(store)
        df = memo.get(version, (key, sql))
        if df is not None:
            return df
    df = _execute(be, name, sql, schema)
    if memo is not None:
        memo.put(version, (key, sql), df)
    return df


def _execute(be, name: str, sql: str, schema):
    """The result of compiled ``sql`` on backend ``be`` (DuckDB or PostgreSQL) as a frame of ``schema``."""
    if name == "duckdb":
        return be.con.sql(sql).to_arrow_table().to_pandas()
    from ibis.backends.postgres.converter import PostgresPandasData

    with be.con.cursor() as cur, be.con.transaction():          # as Ibis' PostgreSQL backend executes
        rows = cur.execute(sql).fetchall()
    df = pd.DataFrame.from_records(rows, columns=schema.names, coerce_float=True)
    return PostgresPandasData.convert_table(df, schema)


def _aggregate_expr(store, p: Period, basis: str, specs: list[tuple[str, Scope]], sh: Shared,
                    measures=MEASURES):
    prev = p.shifted(-1)
    f = sh.shared(("facts", p.year, p.month, basis, measures), lambda: _both_years(store, p, basis, sh, measures))
    sh.universe = f.select(enterprise_id=f._eid)       # only reporters can survive the join below
    stacks = []
    for i, (by, sc) in enumerate(specs):
        kw = dict(segment=sc.segment, cluster=sc.cluster, sei=sc.sei, park=sc.park, shared=sh, stats=True)
        for side, date in ((0, p.end_date), (1, prev.end_date)):
            m = members(store, date, sc.scope, sc.region, sc.chain, by, **kw)
            stacks.append(m.select("enterprise_id", key=m.key.cast("string"), sei=m.sei.cast("string"),
                                   sei_share=m.sei_share.cast("float64"), ppi=m.ppi_ytd.cast("float64"),
                                   _part=ibis.literal(i, "int16"),
                                   _side=ibis.literal(side, "int8")))
    mem = stacks[0].union(*stacks[1:], distinct=False) if len(stacks) > 1 else stacks[0]
    x = mem.join(f, mem.enterprise_id == f._eid)
    x = x.filter(((x._side == 0) & x._in_cur.notnull()) | ((x._side == 1) & x._in_prev.notnull()))
    c, q = x._side == 0, x._side == 1
    a = {"above_scale_count": _count(c), "scale_ups": _count(c & x._in_prev.isnull()),
         "sei_partial_count": _count(c & (x.sei == "partial"))}
    if "profit" in measures:
        a |= {"loss_making_count": _count(c & (x.profit_ytd < 0)),
              "profit_reporters": _count(c & x.profit_ytd.notnull())}
    for m in measures:
        v = x[m]
        if m == "employees":                                          # a stock: no flow, no adjacency
            prior, ok = x[f"_p_{m}"], c & v.notnull() & x[f"_p_{m}"].notnull()
        else:     # flows: both years' flows from adjacent reports (single month / quarter, module docstring)
            own = ibis.cases((x._p_adj.notnull(), x[f"_p_{m}"]), else_=None)
            prior = ibis.coalesce(x[f"{m}_rep_prev"], own) if m in REPORTED_PREV else own
            ok = c & v.notnull() & x._adj.notnull() & prior.notnull()
        a |= {m: _sum_if(c, v), f"{m}_n": _count(c & v.notnull()), f"{m}_cc": _sum_if(ok, v),
              f"{m}_cb": _sum_if(ok, prior), f"{m}_cn": _count(ok)}
    if "value_added" in measures:
        va = x.value_added
        part = c & (x.sei == "partial")
        a |= {"sei_va_true": _sum_if(c & (x.sei == "true"), va),
              "sei_va_partial": _sum_if(part & x.sei_share.isnull(), va),              # share unknown
              "sei_va_shared": _sum_if(part & x.sei_share.notnull(), va.cast("float64") * x.sei_share)}
    if "value_added" in measures and basis == "ytd":      # constant prices: the YTD PPI deflates YTD flows
        va, pva = x.value_added, x._p_value_added                # value added: no 上年同期 on the form
        okr = c & va.notnull() & pva.notnull() & x.ppi.notnull()
        a |= {"value_added_ccr": _sum_if(okr, va.cast("float64") / (x.ppi / 100)),
              "value_added_cnr": _count(okr)}
    for m, base in (("rd_expense", "rd_base"), ("export", "export_base")):
        if m in measures and "revenue" in measures:
            a[base] = _sum_if(c & x[m].notnull(), x.revenue)
    a |= {"prev_count": _count(q), "exits": _count(q & x._in_cur.isnull())}
    a = {k: _exact(v) for k, v in a.items()}
    if "profit" in measures:
        a |= {"loss_making_prev": _count(q & (x._p_profit_ytd < 0)),
              "profit_reporters_prev": _count(q & x._p_profit_ytd.notnull())}
    for m in measures:
        a |= {f"{m}_prev": _sum_if(q, x[f"_p_{m}"]), f"{m}_prev_n": _count(q & x[f"_p_{m}"].notnull())}
    return x.group_by("_part", "key").aggregate(**a)


def aggregate_many(store, p: Period, basis: str, specs: list[tuple[str, Scope]],
                   shared: Shared | None = None, measures: tuple[str, ...] = MEASURES) -> list[pd.DataFrame]:
    """:func:`aggregate` for several (by, scope) specs of one period, in ONE query.

    Membership is built once per date (:class:`chainbrain.analytics.scope.Shared`:
    each date's located enterprises, industry scope and chains are one named CTE
    that every spec refers to); the specs' members at the period end (side 0) and
    a year earlier (side 1) are stacked with their spec number, joined once to the
    enterprise-level table of both years (:func:`_both_years`, which also carries
    each enterprise's own prior-year values for the comparable basis), and every
    current and previous-year sum is a conditional sum of one grouped pass.
    The compiled SQL is reused for identical requests (:func:`_run`).
    ``measures``: the measures summed (counts are always there); the KPI asks for revenue only.
    """
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}")
    sh = shared if shared is not None else Shared(store)
    levels = tuple(sorted({(sc.region, sh.region_level(sc.region)) for _, sc in specs if sc.region}))
    measures = tuple(m for m in MEASURES if m in measures)
    key = ("aggregate", p.year, p.month, basis, tuple(specs), levels, measures)
    df = _run(store, key, lambda: _aggregate_expr(store, p, basis, specs, sh, measures))
    ints = [k for k in df.columns if k.endswith(("_n", "_count", "_cn")) or k in _INTS]
    df[ints] = df[ints].astype("float64").fillna(0).astype("int64")
    floats = [k for k in df.columns if k not in ints and k not in ("_part", "key")]
    df[floats] = df[floats].astype("float64")
    return split_parts(df, len(specs))


def split_parts(df: pd.DataFrame, n: int) -> list[pd.DataFrame]:
    """The rows of each ``_part`` 0 … n−1 of a stacked aggregate, indexed by key (sorted)."""
    parts = df["_part"].astype("int64")
    out = []
    for i in range(n):
        d = df[parts == i].drop(columns="_part").set_index("key")
        d.index = d.index.astype(object)
        out.append(d.sort_index())
    return out


def aggregate(store, p: Period, basis: str, by: str, sc: Scope) -> pd.DataFrame:
    """Raw sums per key (one row per key): the inputs of every indicator."""
    return aggregate_many(store, p, basis, [(by, sc)])[0]


# ------------------------------------------------------------------ records

def _chain_of(key: str, by: str, sc: Scope) -> str | None:
    if by == "chain":
        return key
    if by in ("city_chain", "county_chain"):
        return key.split("|", 1)[1]
    return sc.chain


def evaluate_many(store, period: str | Period, bys=("all",), *, scope: str = "all", region: str | None = None,
                  chain: str | None = None, segment: str | None = None, cluster: str | None = None,
                  sei: bool = False, park: str | None = None, basis: str = "ytd",
                  partial_weight: float = SEI_PARTIAL_WEIGHT, only: list[str] | None = None) -> dict[str, list[dict]]:
    """:func:`evaluate` for several groupings of one scope and period: ``{by: records}``, one query.

    The groupings, their parent (same filters, no grouping), the province and
    the province's chains are the distinct specs of one :func:`aggregate_many` pass.
    """
    p = parse_period(period) if isinstance(period, str) else period
    sc = Scope(scope, region, chain, segment, cluster, sei, park)
    if only:
        unknown = [k for k in only if k not in REGISTRY]
        if unknown:
            raise KeyError(f"unknown indicator(s): {', '.join(unknown)} (未知指标)")
    province_sc = Scope(scope)
    parent, province = ("all", sc), ("all", province_sc)
    chains = ("chain", Scope(scope, chain=chain) if chain else province_sc)
    bys = list(dict.fromkeys(bys))
    with_chain = chain or any(by in ("chain", "city_chain", "county_chain") for by in bys)
    specs = [(by, sc) for by in bys] + [parent, province] + ([chains] if with_chain else [])
    unique = list(dict.fromkeys(specs))                              # one query for every distinct spec
    frames = dict(zip(unique, aggregate_many(store, p, basis, unique)))
    prow = next(iter(frames[parent].to_dict("index").values()), None)
    vrow = next(iter(frames[province].to_dict("index").values()), None)
    head = {"period": p.label, "period_end": p.ytd_label, "basis": basis, "scope": scope}
    return {by: _records(frames[(by, sc)], by, sc, prow, vrow, frames[chains] if with_chain else None,
                         partial_weight, only, head) for by in bys}


def _records(main: pd.DataFrame, by: str, sc: Scope, parent, province, chains, partial_weight, only, head):
    """Records of ``main`` (raw sums by key) with the indicator values of :func:`formulas.values_frame`."""
    keys = [str(k) for k in main.index]
    chain_rows = None
    if chains is not None:
        chain_rows = chains.reindex([_chain_of(k, by, sc) for k in keys])
        chain_rows.index = main.index
    vals = values_frame(main, parent, province, chain_rows, partial_weight)
    if only:
        vals = {k: a for k, a in vals.items() if k in only or (k.endswith("_n") and k[:-2] in only)}
    return [{**head, "by": by, "key": k, **sc.filters(), **v, "unit": "yuan"}
            for k, v in zip(keys, formula_records(vals))]


def evaluate(store, period: str | Period, by: str = "all", **kw) -> list[dict]:
    """Indicator records for each key of ``by`` within the scope (module docstring has every formula).

    Keywords as :func:`evaluate_many` (scope, region, chain, segment, cluster, sei, park, basis,
    partial_weight); ``only``: restrict the returned indicator keys (their ``_n`` companions are kept).
    """
    return evaluate_many(store, period, (by,), **kw)[by]


def evaluate_one(store, period: str | Period, **kw) -> dict:
    """The record for one scope (no grouping); an empty scope gives zero counts and None values."""
    rows = evaluate(store, period, "all", **kw)
    if rows:
        return rows[0]
    p = parse_period(period) if isinstance(period, str) else period
    vals = formula_records(values_frame(pd.DataFrame(index=[0]), None, None, None, SEI_PARTIAL_WEIGHT))[0]
    only = kw.get("only")
    if only:
        vals = {k: vals[k] for k in vals if k in only or (k.endswith("_n") and k[:-2] in only)}
    return {"period": p.label, "period_end": p.ytd_label, "basis": kw.get("basis", "ytd"),
            "scope": kw.get("scope", "all"), "by": "all", "key": "all", **vals, "unit": "yuan"}


def long_form(records: list[dict]) -> pd.DataFrame:
    """(period, basis, scope, by, key, indicator, value, n) rows of ``evaluate`` records."""
    out = []
    for r in records:
        for k in REGISTRY:
            if k in r:
                out.append({"period": r["period"], "basis": r["basis"], "scope": r["scope"], "by": r["by"],
                            "key": r["key"], "indicator": k, "value": r[k], "n": int(r.get(f"{k}_n") or 0)})
    return pd.DataFrame(out, columns=["period", "basis", "scope", "by", "key", "indicator", "value", "n"])
