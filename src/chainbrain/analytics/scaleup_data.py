"""The scale-up pipeline's inputs from the store, as a firm × year panel (Ibis: DuckDB, PostgreSQL).

- Firms: the industrial enterprises in scope (sections B–D, :func:`chainbrain.analytics.scope.members`)
  on 31 December of ``last_year``, with their county, city and chains (``enterprise_segment`` valid on
  that day through ``segment_chain``; ``segment`` = the first top segment and ``chain`` = the first
  chain code, the Gibrat cells; ``chains`` = all of them, for the lists' chain filter). Location and chains are those of that day for every
  year of the history.
- Annual figures: ``annual_report`` (above- and below-scale firms), newest revision per firm × year:
  revenue (main-business revenue, yuan), profit, R&D expense, employees.
- Sample membership: ``enterprise_scale`` (newest revision), for the "entered in" column.
- Monthly: ``monthly_report`` YTD revenue of year Y through ``month`` and the firm's own YTD of Y−1
  for the same months (its ``revenue_ytd_prev`` as reported, else its own report a year earlier):
  the YTD growth of firms that report monthly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from chainbrain.analytics.scope import Shared, latest_reports, members


@dataclass
class Panel:
    firms: pd.DataFrame           # enterprise_id, uscc, name, county, city, segment, chain, chains, founded_year
    years: np.ndarray             # the panel's years, ascending
    revenue: np.ndarray           # firms × years, NaN where no annual report
    profit: np.ndarray
    rd: np.ndarray
    employees: np.ndarray
    scale_years: np.ndarray       # years of ``sample``'s columns
    sample: np.ndarray            # firms × scale_years: in the direct-reporting sample (enterprise_scale)
    ytd_years: np.ndarray         # years of ``ytd_growth``'s columns
    ytd_growth: np.ndarray        # firms × ytd_years: log(YTD_t / YTD_{t−1}) through ``month``, NaN where unknown
    month: int | None

    def first_in_sample(self, rows: np.ndarray, from_year: int) -> np.ndarray:
        """First year ≥ ``from_year`` the firms of ``rows`` were in the sample; 0 when none."""
        cols = self.scale_years >= from_year
        if not cols.any() or rows.size == 0:
            return np.zeros(rows.size, dtype=np.int64)
        sub = self.sample[np.ix_(rows, np.flatnonzero(cols))]
        first = self.scale_years[cols][np.argmax(sub, axis=1)]
        return np.where(sub.any(axis=1), first, 0).astype(np.int64)

    def col(self, arr: np.ndarray, year: int) -> np.ndarray:
        j = np.flatnonzero(self.years == year)
        return arr[:, j[0]].astype(float) if j.size else np.full(len(self.firms), np.nan)


def load(store, last_year: int, month: int | None = None, first_year: int | None = None) -> Panel:
    """The panel of annual figures up to ``last_year`` (inclusive) of the firms in scope on 31 Dec of it."""
    day = dt.date(last_year, 12, 31)
    sh = Shared(store, cte=False)
    m = members(store, day, "all", None, None, "county", shared=sh).select("enterprise_id", "key").distinct()
    loc = m.execute().drop_duplicates("enterprise_id").rename(columns={"key": "county"})
    reg = store.table("region").select("code", "prefecture_code").execute()
    loc["city"] = loc["county"].map(dict(zip(reg["code"], reg["prefecture_code"])))
    ch = sh.enterprise_chains(day).execute().sort_values(["enterprise_id", "chain_code"])
    cid, codes = ch["enterprise_id"].to_numpy(np.int64), ch["chain_code"].to_numpy(str)
    cut = np.flatnonzero(cid[1:] != cid[:-1]) + 1
    chains = pd.Series([";".join(g) for g in np.split(codes, cut)] if cid.size else [],
                       index=cid[np.r_[0, cut]] if cid.size else [], dtype=object)
    e = store.table("enterprise")
    ent = e.select(enterprise_id=e.id, uscc=e.uscc, name=e.name, founded_on=e.founded_on).execute()
    firms = loc.merge(ent, on="enterprise_id", how="left")
    firms["chains"] = firms["enterprise_id"].map(chains).fillna("")
    firms["chain"] = firms["chains"].str.split(";").str[0].replace("", "-")
    sg = sh.segments(day).select("enterprise_id", "top_segment").execute().sort_values(["enterprise_id", "top_segment"])
    first_seg = sg.drop_duplicates("enterprise_id").set_index("enterprise_id")["top_segment"]
    firms["segment"] = firms["enterprise_id"].map(first_seg).fillna("-")
    founded = pd.to_datetime(firms["founded_on"], errors="coerce")
    firms["founded_year"] = founded.dt.year.astype(float)
    firms = firms.drop(columns="founded_on").sort_values("enterprise_id").reset_index(drop=True)
    ids = firms["enterprise_id"].to_numpy(np.int64)

    a = store.table("annual_report")
    a = a.filter(a.year <= last_year) if first_year is None else a.filter((a.year <= last_year) & (a.year >= first_year))
    a = latest_reports(a, ["enterprise_id", "year"])
    # NUMERIC → DOUBLE in the query (decimals in pandas are slow): exact to the fen below 2**53 fen
    a = a.select("enterprise_id", "year", **{c: a[c].cast("float64") for c in ("revenue", "profit", "rd_expense",
                                                                              "employees")})
    ann = a.execute()
    years = np.array(sorted(int(y) for y in ann["year"].unique())) if len(ann) else np.array([last_year], int)
    pos = np.searchsorted(ids, ann["enterprise_id"].to_numpy(np.int64))
    inside = (pos < ids.size) & (ids[np.minimum(pos, ids.size - 1)] == ann["enterprise_id"].to_numpy(np.int64))
    yj = np.searchsorted(years, ann["year"].to_numpy(int))

    def grid(col: str) -> np.ndarray:
        out = np.full((ids.size, years.size), np.nan)
        out[pos[inside], yj[inside]] = pd.to_numeric(ann[col], errors="coerce").to_numpy(float)[inside]
        return out

    s = store.table("enterprise_scale")
    s = latest_reports(s, ["enterprise_id", "year"])
    sc = s.filter(s.above_scale).select("enterprise_id", "year").execute()
    scale_years = np.arange(int(sc["year"].min()), int(sc["year"].max()) + 1) if len(sc) else np.array([], int)
    sample = np.zeros((ids.size, scale_years.size), dtype=bool)
    sp = np.searchsorted(ids, sc["enterprise_id"].to_numpy(np.int64))
    sok = (sp < ids.size) & (ids[np.minimum(sp, max(ids.size - 1, 0))] == sc["enterprise_id"].to_numpy(np.int64))
    sample[sp[sok], sc["year"].to_numpy(int)[sok] - (scale_years[0] if scale_years.size else 0)] = True

    ytd_years = np.arange(int(years[0]), last_year + 2)
    growth = np.full((ids.size, ytd_years.size), np.nan)
    if month:
        growth = _ytd_growth(store, ids, ytd_years, month)
    return Panel(firms, years, grid("revenue"), grid("profit"), grid("rd_expense"), grid("employees"),
                 scale_years, sample, ytd_years, growth, month)


def _ytd_growth(store, ids: np.ndarray, ytd_years: np.ndarray, month: int) -> np.ndarray:
    """log(YTD_t / YTD_{t−1}) through ``month`` for every year t of ``ytd_years`` (firms × years)."""
    r = store.table("monthly_report")
    r = latest_reports(r.filter(r.month == month), ["enterprise_id", "year", "month"])
    df = r.select("enterprise_id", "year", "revenue_ytd", "revenue_ytd_prev").execute()
    df["revenue_ytd"] = pd.to_numeric(df["revenue_ytd"], errors="coerce")
    df["revenue_ytd_prev"] = pd.to_numeric(df["revenue_ytd_prev"], errors="coerce")
    own = df.set_index(["enterprise_id", "year"])["revenue_ytd"]
    keys = pd.MultiIndex.from_arrays([df["enterprise_id"], df["year"] - 1])
    prev = df["revenue_ytd_prev"].fillna(pd.Series(own.reindex(keys).to_numpy(), index=df.index))
    g = np.log(df["revenue_ytd"] / prev).replace([np.inf, -np.inf], np.nan)
    out = np.full((ids.size, ytd_years.size), np.nan)
    pos = np.searchsorted(ids, df["enterprise_id"].to_numpy(np.int64))
    yj = df["year"].to_numpy(int) - int(ytd_years[0])
    ok = (pos < ids.size) & (yj >= 0) & (yj < ytd_years.size)
    ok &= ids[np.minimum(pos, ids.size - 1)] == df["enterprise_id"].to_numpy(np.int64)
    out[pos[ok], yj[ok]] = g.to_numpy(float)[ok]
    return out
