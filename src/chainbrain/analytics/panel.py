"""Every period at once (面板计算): the YTD indicators of many periods × groupings in one query.

Same figures as :func:`chainbrain.analytics.indicators.evaluate_many` on the
``ytd`` basis, period by period (tests compare the two on every engine), for an
industry scope without other filters and the groupings of :data:`BY` — what
``chainbrain compute`` stores. Instead of one query per period:

1. R: the latest report of every enterprise × (year, month) in the requested
   periods and the periods a year before them, with the enterprise's own
   report a year earlier (prior values, ``_in_prev``) and whether it reports a
   year later (``_has_next``) — two self-joins on (enterprise, year ± 1, month).
2. Membership at each report's period end d. Per enterprise, its validity
   bounds cut time into pieces on which the valid rows do not change
   (:func:`_pieces`); on each piece the ``enterprise_attr`` rows (newest
   revision per attribute, ``arg_max``) give region and industry class, and the
   ``enterprise_segment`` rows ⋈ ``segment_chain`` give the set of chains, as a
   bit mask. Each report takes the pieces holding its date (range joins).
3. One grouped pass keyed by (year, month, county, chain set): the
   current-sample sums, counts and comparable sums of
   :func:`~chainbrain.analytics.indicators._aggregate_expr`, plus ``leavers``
   (members without a report a year later). Every figure is a sum or a count,
   so county, city, province, chain and city × chain figures are sums of these
   rows (a chain: the sets holding its bit), rolled up in the same query
   (:func:`_rolled_expr`): a few thousand rows come back.
4. Last year's sample of period t is this year's sample of t − 1 year in its
   own scope, so ``m_prev``, ``prev_count``, ``loss_making_prev``, … of t are
   the current-sample figures of (t − 1 year, same key), and
   ``exits(t) = leavers(t − 1 year)``: a shift of the aggregate, in pandas.
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd

from chainbrain.analytics.formulas import MEASURES, MONEY, records, values_frame
from chainbrain.analytics.indicators import _count, _exact, _run, _sum_if
from chainbrain.analytics.registry import COLUMN, REGISTRY, REPORTED_PREV, SEI_PARTIAL_WEIGHT
from chainbrain.analytics.scope import SCOPES, latest_reports, sei_shares
from chainbrain.periods import Period, parse_period

BY = ("all", "chain", "city", "county", "city_chain", "county_chain")
KEYS = ["year", "month", "_part", "key"]
MAX_CHAINS = 52                       # chain sets are bit masks summed as DOUBLE (exact below 2**53)
_CURRENT_TO_PREV = {"above_scale_count": "prev_count", "leavers": "exits", "loss_making_count": "loss_making_prev",
                    "profit_reporters": "profit_reporters_prev",
                    **{m: f"{m}_prev" for m in MEASURES}, **{f"{m}_n": f"{m}_prev_n" for m in MEASURES}}


def _valid_at(t, d):
    return (t._vf.isnull() | (t._vf <= d)) & (t._vt.isnull() | (t._vt >= d))      # valid_to inclusive


#: the first piece of every enterprise starts here (before any report date)
SINCE = dt.date(1900, 1, 1)


def _pieces(t, eid: str):
    """(_e, _from, _to): per enterprise, the date ranges [_from, _to) (``_to`` NULL: open) between
    consecutive validity bounds of its rows in ``t`` (columns ``_vf``, ``_vt``), from :data:`SINCE`.

    Which rows are valid on a date d (``_vf ≤ d ≤ _vt``, both inclusive) is the same for every d of a
    piece as on its first day: every ``_vf`` and every day after a ``_vt`` is a piece boundary. So membership is resolved once per piece (one per
    enterprise whose rows carry no dates) instead of once per report.
    """
    bounds = t.filter(t._vf.notnull()).select(_e=t[eid], _from=t._vf).union(
        t.filter(t._vt.notnull()).select(_e=t[eid], _from=(t._vt + ibis.interval(days=1)).cast("date")),
        t.select(_e=t[eid], _from=ibis.literal(SINCE)), distinct=True)
    w = ibis.window(group_by=bounds._e, order_by=bounds._from)
    return bounds.mutate(_to=bounds._from.lead().over(w))


def _on_report_dates(rows, pieces):
    """``rows`` (enterprise_id, _n, …) ⋈ the piece of ``pieces`` holding each row's period end d, the day
    before ``_n`` (the first day of the next month): _from ≤ d ⟺ _from < _n, d < _to ⟺ _n ≤ _to."""
    return rows.join(pieces, [rows.enterprise_id == pieces._e, pieces._from < rows._n,
                              pieces._to.isnull() | (rows._n <= pieces._to)])


def _chain_codes(store) -> list[str]:
    codes = store.table("segment_chain").select("chain_code").distinct().execute()["chain_code"]
    codes = sorted(codes.dropna().astype(str))
    if len(codes) > MAX_CHAINS:
        raise ValueError(f"the panel encodes at most {MAX_CHAINS} chains (链条数超过 {MAX_CHAINS})")
    return codes


def _bit_of(chain_code, codes: list[str]):
    """The bit of each chain code in the chain-set masks (1 << its index in ``codes``; 0: not listed)."""
    return ibis.cases(*((chain_code == c, ibis.literal(1 << i, "int64")) for i, c in enumerate(codes)),
                      else_=ibis.literal(0, "int64"))


def _chain_bits(store, codes: list[str]):
    """(chain_code, _bit) for every chain code of ``codes`` (from ``segment_chain``, as the masks)."""
    sc = store.table("segment_chain")
    sc = sc.select("chain_code").distinct()
    return sc.filter(sc.chain_code.isin(codes)).mutate(_bit=_bit_of(sc.chain_code, codes))


def _panel_expr(store, periods: list[Period], codes: list[str] | None, scope: str):
    """The grouped sums (module docstring); ``codes``: the chain codes of the bit masks, None: no chains."""
    with_chains = codes is not None
    needed = sorted({(q.year, q.month) for p in periods for q in (p, p.shifted(-1))})
    t = store.table("monthly_report")
    t = t.filter(t.year.between(needed[0][0], needed[-1][0]),          # a plain range: zone maps skip the rest
                 (t.year * 100 + t.month).isin([y * 100 + m for y, m in needed]))
    r = latest_reports(t, ["enterprise_id", "year", "month"])
    f = r.select("enterprise_id", "year", "month",     # money stays DECIMAL: summed exactly (indicators._exact)
                 **{m: r[COLUMN[m]] if m in MONEY else r[COLUMN[m]].cast("float64") for m in MEASURES},
                 **{f"{m}_rep_prev": r[c] for m, c in REPORTED_PREV.items()}).alias("cb_panel_f")
    before = f.select(_pe=f.enterprise_id, _py=f.year + 1, _pm=f.month, _in_prev=ibis.literal(1),
                      **{f"_p_{m}": f[m] for m in MEASURES})
    after = f.select(_ne=f.enterprise_id, _ny=f.year - 1, _nm=f.month, _has_next=ibis.literal(1))
    x = f.left_join(before, [f.enterprise_id == before._pe, f.year == before._py, f.month == before._pm])
    x = x.left_join(after, [x.enterprise_id == after._ne, x.year == after._ny, x.month == after._nm])
    x = x.drop("_pe", "_py", "_pm", "_ne", "_ny", "_nm")
    x = x.mutate(_n=ibis.date(x.year + (x.month == 12).ifelse(1, 0), x.month % 12 + 1, 1))

    a = store.table("enterprise_attr")
    a = a.filter(a.attr.isin(("region_code", "industry_code")))
    # only enterprises with a report here: a piece depends on its enterprise's own rows alone, so the
    # result is the same, from a fifth of the registry's rows (most registered firms never report)
    a = a.semi_join(f, a.enterprise_id == f.enterprise_id)
    a = a.select(_ae=a.enterprise_id, _attr=a.attr, _val=a.attr_value, _vf=a.valid_from, _vt=a.valid_to,
                 _rev=a.revision)
    span = _pieces(a, "_ae")
    j = span.join(a, [span._e == a._ae, _valid_at(a, span._from)])
    loc = j.group_by("_e", "_from", "_to").aggregate(
        region_code=j._val.argmax(j._rev, where=j._attr == "region_code"),
        industry_code=j._val.argmax(j._rev, where=j._attr == "industry_code"))
    ind = store.table("industry")
    loc = loc.join(ind.select(industry_code=ind.code, _section=ind.section, sei=ind.sei), "industry_code")
    loc = loc.filter(loc._section.isin(SCOPES[scope]) & loc.region_code.notnull())
    # a step of its own (PostgreSQL: an analyzed table, so the joins below are planned from its true
    # size and join plain columns, not expressions of aggregates); the division of the class once per piece
    loc = loc.select("_e", "_from", "_to", "region_code", "sei", _ic=loc.industry_code,
                     _icd=loc.industry_code.substr(0, 2)).alias("cb_panel_loc")
    base = _on_report_dates(x, loc)
    years = sorted({q.year for p in periods for q in (p, p.shifted(-1))})
    shares = [sei_shares(store.table, y).mutate(_sy=ibis.literal(y, "int32")) for y in years]
    shares = (shares[0].union(*shares[1:], distinct=False) if len(shares) > 1 else shares[0]).alias("cb_panel_sei")
    base = base.left_join(shares, [base._ic == shares._sc, base.year == shares._sy])   # the report year's shares
    pi = store.table("price_index")
    pi = latest_reports(pi.filter((pi.year * 100 + pi.month).isin([y * 100 + m for y, m in needed])),
                        ["division", "year", "month"])
    pi = pi.select(_dv=pi.division, _dy=pi.year, _dm=pi.month, ppi=pi.ppi_ytd.cast("float64")).alias("cb_panel_ppi")
    base = base.left_join(pi, [base._icd == pi._dv, base.year == pi._dy, base.month == pi._dm])
    base = base.drop("_e", "_from", "_to", "_ic", "_icd", "_sc", "_sy", "_dv", "_dy", "_dm").alias("cb_panel_base")

    s = base
    if with_chains:        # the set of chains valid on each piece, as a bit mask (one bit per chain code)
        es = store.table("enterprise_segment")
        es = es.semi_join(f, es.enterprise_id == f.enterprise_id)      # as the attributes above
        es = es.select(_se=es.enterprise_id, segment_code=es.segment_code, _vf=es.valid_from, _vt=es.valid_to)
        seg, sc = store.table("segment"), store.table("segment_chain")
        es = es.join(seg.select(segment_code=seg.code), "segment_code").join(sc, "segment_code")
        span = _pieces(es, "_se")
        cj = span.join(es, [span._e == es._se, _valid_at(es, span._from)])
        cj = cj.select("_e", "_from", "_to", "chain_code").distinct()
        cj = cj.mutate(_bit=_bit_of(cj.chain_code, codes))
        # distinct chains per piece, so the sum of their bits is the mask (a DOUBLE: exact below 2**53)
        masks = cj.group_by("_e", "_from", "_to").aggregate(_mask=cj._bit.sum().cast("float64")).alias(
            "cb_panel_masks")
        keys = base.select("enterprise_id", "year", "month", "_n")
        per_report = _on_report_dates(keys, masks).select("enterprise_id", "year", "month", "_mask")
        s = base.left_join(per_report, ["enterprise_id", "year", "month"])     # no chain: mask 0
        s = s.mutate(_mask=s._mask.fill_null(0))
    else:
        s = s.mutate(_mask=ibis.literal(0, "int64"))
    agg = {"above_scale_count": s.count(), "scale_ups": _count(s._in_prev.isnull()),
           "leavers": _count(s._has_next.isnull()), "sei_partial_count": _count(s.sei == "partial"),
           "loss_making_count": _count(s.profit < 0), "profit_reporters": s.profit.count()}
    for m in MEASURES:
        v = s[m]
        prior = ibis.coalesce(s[f"{m}_rep_prev"], s[f"_p_{m}"]) if m in REPORTED_PREV else s[f"_p_{m}"]
        base = v.notnull().ifelse(prior, None)                  # prior where both years have a value
        agg |= {m: v.sum(), f"{m}_n": v.count(), f"{m}_cc": prior.notnull().ifelse(v, None).sum(),
                f"{m}_cb": base.sum(), f"{m}_cn": base.count()}
    okr = s.value_added.notnull() & s._p_value_added.notnull() & s.ppi.notnull()     # constant prices
    agg |= {"value_added_ccr": _sum_if(okr, s.value_added.cast("float64") / (s.ppi / 100)),
            "value_added_cnr": _count(okr)}
    agg |= {"sei_va_true": _sum_if(s.sei == "true", s.value_added),
            "sei_va_partial": _sum_if((s.sei == "partial") & s.sei_share.isnull(), s.value_added),
            "sei_va_shared": _sum_if((s.sei == "partial") & s.sei_share.notnull(),
                                     s.value_added.cast("float64") * s.sei_share.cast("float64")),
            "rd_base": _sum_if(s.rd_expense.notnull(), s.revenue),
            "export_base": _sum_if(s.export.notnull(), s.revenue)}
    return s.group_by("year", "month", "region_code", "_mask").aggregate(**agg)


def _rolled_expr(store, raw, parts: list[str], codes: list[str], reg):
    """Sums per (year, month, _part, key) from the sums per county × chain set ``raw``, in the same
    query: every figure is a sum or a count and each enterprise sits in one county and one chain set,
    so every grouping adds up exactly (a chain: the sets holding its bit — an enterprise in two
    chains counts in both). Counties from ``raw``, cities from counties, the province from cities;
    city × chain and county × chain from the rows of ``raw`` joined to the bits of their set, chains
    from cities × chains. SQL's SUM keeps NULL where no row has a value."""
    raw = raw.join(reg, "region_code").alias("cb_panel_raw")   # as membership's inner join with the region table
    values = [c for c in raw.columns if c not in ("year", "month", "region_code", "prefecture_code", "_mask")]
    done: dict[str, ibis.Table] = {}

    def _total(v):             # sums of counts as DOUBLE: a SUM of BIGINT is a HUGEINT on DuckDB; money exact
        return v.sum() if v.type().is_floating() or v.type().is_decimal() else v.cast("float64").sum()

    def grouped(t, by):
        return t.group_by(["year", "month", *by]).aggregate(**{c: _total(t[c]) for c in values})

    def county():
        return done.setdefault("county", grouped(raw, ["prefecture_code", "region_code"]))

    def city():
        return done.setdefault("city", grouped(county(), ["prefecture_code"]))

    def expanded():
        if "_x" not in done:
            bits = _chain_bits(store, codes)
            done["_x"] = raw.join(bits, (raw._mask.cast("int64") & bits._bit) != 0)
        return done["_x"]

    def city_chain():
        return done.setdefault("city_chain", grouped(expanded(), ["prefecture_code", "chain_code"]))

    build = {"all": lambda: grouped(city(), []), "city": city, "county": county,
             "county_chain": lambda: grouped(expanded(), ["region_code", "chain_code"]),
             "city_chain": city_chain, "chain": lambda: grouped(city_chain(), ["chain_code"])}
    key = {"all": lambda t: ibis.literal("all"), "city": lambda t: t.prefecture_code,
           "county": lambda t: t.region_code, "chain": lambda t: t.chain_code,
           "city_chain": lambda t: t.prefecture_code.concat("|", t.chain_code),
           "county_chain": lambda t: t.region_code.concat("|", t.chain_code)}
    out = []
    for i, part in enumerate(parts):
        t = build[part]()
        out.append(t.select("year", "month", _part=ibis.literal(i, "int64"), key=key[part](t).cast("string"),
                            **{c: _exact(t[c]) for c in values}))
    return ibis.union(*out, distinct=False) if len(out) > 1 else out[0]


#: report rows one query may read (the periods are computed in runs of years beyond; see panel_sums)
CHUNK_ROWS = 12_000_000


def panel_sums(store, periods, parts=BY, scope: str = "all", progress=None) -> pd.DataFrame:
    """Raw sums per (year, month, _part, key) for the periods (``YYYY-MM``), with last year's columns.

    A store with more than :data:`CHUNK_ROWS` monthly reports is computed in runs of whole years
    (:func:`_chunks`): a year's figures need only its reports and those a year earlier (its
    ``exits`` come from the earlier year's ``leavers``), so the runs are independent;
    ``progress(done, total)`` after each. Same result, memory bounded by the run's reports.
    """
    ps = [parse_period(p) if isinstance(p, str) else p for p in periods]
    parts = list(parts)
    chunks = _chunks(store, ps)
    out = []
    for i, chunk in enumerate(chunks):
        out.append(_chunk_sums(store, chunk, parts, scope))
        if progress is not None:
            progress(i + 1, len(chunks))
    return pd.concat(out, ignore_index=True) if len(out) > 1 else out[0]


def _chunks(store, ps: list[Period]) -> list[list[Period]]:
    """The periods in runs of whole years whose reports, with the year before the run, stay within
    :data:`CHUNK_ROWS` (at least one year per run); one run when the whole table does."""
    t = store.table("monthly_report")
    counts = t.group_by("year").aggregate(n=t.count()).execute()
    rows = dict(zip(counts["year"].astype(int), counts["n"].astype(int)))
    years = sorted({p.year for p in ps})
    if sum(rows.values()) <= CHUNK_ROWS or len(years) < 2:
        return [ps] if ps else []
    runs, run = [], []
    for y in years:
        if run and rows.get(run[0] - 1, 0) + sum(rows.get(x, 0) for x in run) + rows.get(y, 0) > CHUNK_ROWS:
            runs.append(run)
            run = []
        run.append(y)
    runs.append(run)
    return [[p for p in ps if p.year in r] for r in runs]


def _chunk_sums(store, ps, parts, scope) -> pd.DataFrame:
    codes = _chain_codes(store) if any("chain" in p for p in parts) else None
    yms = tuple(sorted({(q.year, q.month) for p in ps for q in (p, p.shifted(-1))}))

    def build():
        reg = store.table("region")
        reg = reg.select(region_code=reg.code, prefecture_code=reg.prefecture_code)
        return _rolled_expr(store, _panel_expr(store, ps, codes, scope), parts, codes or [], reg)

    df = _run(store, ("panel", yms, scope, tuple(parts), None if codes is None else tuple(codes)), build)
    ints = [k for k in df.columns if k.endswith(("_n", "_count", "_cn")) or k in ("scale_ups", "leavers",
                                                                                  "profit_reporters")]
    df[ints] = df[ints].astype("float64").fillna(0).round().astype("int64")
    floats = [k for k in df.columns if k not in ints and k not in ("year", "month", "_part", "key")]
    df[floats] = df[floats].astype("float64")
    for k in ("year", "month", "_part"):
        df[k] = df[k].astype("int64")
    df["key"] = df["key"].astype(object)
    prev = df[KEYS + list(_CURRENT_TO_PREV)].rename(columns=_CURRENT_TO_PREV)
    prev = prev.assign(year=prev["year"] + 1)
    out = df.drop(columns="leavers").merge(prev, on=KEYS, how="outer")
    want = pd.DataFrame({"year": [p.year for p in ps], "month": [p.month for p in ps]}).drop_duplicates()
    out = out.merge(want, on=["year", "month"])
    counts = [k for k in out.columns if k.endswith(("_n", "_count", "_cn")) or k in (
        "scale_ups", "exits", "profit_reporters", "profit_reporters_prev", "loss_making_prev")]
    out[counts] = out[counts].fillna(0).astype("int64")
    return out


def _parts(bys) -> list[str]:
    """Groupings to sum: the requested ones, the province (parents, shares) and chains (chain shares)."""
    return list(dict.fromkeys(["all", *(["chain"] if any("chain" in b for b in bys) else []), *bys]))


def panel_values(store, periods, bys=("all", "chain", "city", "county", "city_chain"), scope: str = "all",
                 partial_weight: float = SEI_PARTIAL_WEIGHT, progress=None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """(rows, values): one row (year, month, by, key) per period × grouping × key, sorted, and the
    indicator values of all of them from one :func:`~chainbrain.analytics.formulas.values_frame` call
    (parent and province: the period's province row; chain shares: the period's chain row)."""
    ps = [parse_period(p) if isinstance(p, str) else p for p in periods]
    bys = list(dict.fromkeys(bys))
    parts = _parts(bys)
    df = panel_sums(store, ps, parts, scope, progress)
    df["by"] = np.asarray(parts, dtype=object)[df["_part"].to_numpy()]
    df = df[df["by"].isin(bys) | (df["by"] == "all") | (df["by"] == "chain")]
    df = df.sort_values(["year", "month", "_part", "key"], ignore_index=True)
    sums = [c for c in df.columns if c not in ("year", "month", "_part", "key", "by")]
    prov = df[df["by"] == "all"][["year", "month", *sums]]
    parent = df[["year", "month"]].merge(prov, on=["year", "month"], how="left")
    chain_of = df["key"].where(df["by"] == "chain", df["key"].str.split("|", n=1).str[1])
    chain_of = chain_of.where(df["by"].str.contains("chain"), None)
    ch = df[df["by"] == "chain"][["year", "month", "key", *sums]].rename(columns={"key": "_chain"})
    chains = pd.DataFrame({"year": df["year"], "month": df["month"], "_chain": chain_of}).merge(
        ch, on=["year", "month", "_chain"], how="left")
    vals = values_frame(df, parent, parent, chains, partial_weight)
    keep = df["by"].isin(bys).to_numpy()
    rows = df.loc[keep, ["year", "month", "by", "key"]].reset_index(drop=True)
    return rows, {k: a[keep] for k, a in vals.items()}


def evaluate_periods(store, periods, bys=("all", "chain", "city", "county", "city_chain"), scope: str = "all",
                     partial_weight: float = SEI_PARTIAL_WEIGHT) -> dict[str, dict[str, list[dict]]]:
    """``{period: {by: records}}`` — :func:`~chainbrain.analytics.indicators.evaluate_many` on the YTD
    basis for each period, from one query (module docstring)."""
    ps = [parse_period(p) if isinstance(p, str) else p for p in periods]
    rows, vals = panel_values(store, ps, bys, scope, partial_weight)
    recs = records(vals)
    out = {p.label: {by: [] for by in dict.fromkeys(bys)} for p in ps}
    label = {(p.year, p.month): p for p in ps}
    for (y, m, by, key), rec in zip(rows.itertuples(index=False, name=None), recs):
        p = label[(y, m)]
        out[p.label][by].append({"period": p.label, "period_end": p.ytd_label, "basis": "ytd", "scope": scope,
                                 "by": by, "key": str(key), **rec, "unit": "yuan"})
    return out


def long_values(store, periods, bys=("all", "chain", "city", "county", "city_chain"), scope: str = "all",
                partial_weight: float = SEI_PARTIAL_WEIGHT, progress=None) -> pd.DataFrame:
    """(period, basis, scope, by, key, indicator, value, n) for every registry indicator — the rows
    :func:`~chainbrain.analytics.indicators.long_form` makes of :func:`evaluate_periods`, built column-wise
    (the label columns as categoricals: no string per row)."""
    ps = [parse_period(p) if isinstance(p, str) else p for p in periods]
    rows, vals = panel_values(store, ps, bys, scope, partial_weight, progress)
    names = [k for k in REGISTRY if k in vals]
    n_rows, n_ind = len(rows), len(names)
    period = np.asarray([p.label for p in ps], dtype=object)
    at = pd.MultiIndex.from_arrays([[p.year for p in ps], [p.month for p in ps]]).get_indexer(
        pd.MultiIndex.from_arrays([rows["year"], rows["month"]]))

    def labels(codes: np.ndarray, categories) -> pd.Categorical:       # no string copy per row
        return pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=object))

    def repeated(values) -> pd.Categorical:
        cat, codes = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
        return labels(np.tile(codes, n_ind), cat)

    return pd.DataFrame({
        "period": labels(np.tile(at, n_ind), period), "basis": labels(np.zeros(n_rows * n_ind, int), ["ytd"]),
        "scope": labels(np.zeros(n_rows * n_ind, int), [scope]),
        "by": repeated(rows["by"]), "key": repeated(rows["key"]),
        "indicator": labels(np.repeat(np.arange(n_ind), n_rows), names),
        "value": np.concatenate([vals[k].astype("float64") for k in names]) if names else [],
        "n": np.concatenate([np.asarray(vals.get(f"{k}_n", np.zeros(n_rows)), dtype=np.int64) for k in names])
        if names else []})
