"""Answers shared by ``chainbrain digital …``, the /digital page and its JSON twins.

- :func:`coverage_answer`: :func:`chainbrain.analytics.digital_coverage.coverage` with the table
  the page and the Excel download show.
- :func:`targets_answer`: progress against each coverage target of the pack (``digital.toml``:
  the plan's deadline, the 2027 national ones, local targets) in the viewer's area, and the firms
  still to reach each. For a target of share s over a population of n firms of which a meet its
  measure: ``required = ⌈s·n⌉``, ``remaining = max(0, required − a)`` firms,
  ``days_left = deadline − period end``; status ``met`` (remaining 0), ``overdue`` (remaining > 0
  and the deadline passed), else ``open``; ``per_month = remaining / months left`` (whole calendar
  months from the period end to the deadline, at least 1). A local target (with a region) is
  evaluated in its own region, and shown for the province and within that region only. The firm
  lists keep only the enterprises ``visible(ids)`` returns (the viewer's scope).
"""

from __future__ import annotations

import math

import pandas as pd

from chainbrain.analytics.digital_coverage import coverage, firm_frame, meets, to_reach
from chainbrain.analytics.digital_rules import rules, unsourced
from chainbrain.periods import parse_period

POP_NAMES = {"above_scale": ("规上工业企业", "above-scale industrial enterprises"),
             "srdi": ("专精特新企业", "SRDI firms")}
MEASURE_NAMES = {"assessed": ("已诊断评测", "assessed"), "transformed": ("已完成改造", "transformed"),
                 "level2_plus": ("达到二级及以上", "at level 2 or above")}
BY_NAMES = {"province": ("全省", "Province"), "city": ("设区市", "City"), "county": ("县（市、区）", "County"),
            "chain": ("产业链", "Chain")}


def coverage_answer(store, period: str, by: str = "province", pop: str = "above_scale", region: str | None = None,
                    chain: str | None = None, scope: str = "all", lang: str = "zh") -> dict:
    rows = coverage(store, period, by, scope, pop, region, chain)
    en = lang == "en"
    i = 1 if en else 0
    for r in rows:
        if by in ("city", "county"):
            r["href"] = f"/digital?region={r['key']}&period={period}"
        elif by == "chain":
            r["href"] = f"/digital?chain={r['key']}&period={period}"
    cols = [{"key": "name", "label": BY_NAMES[by][i], "kind": "link"},
            {"key": "firms", "label": "Firms" if en else "企业数", "kind": "count"},
            {"key": "assessed", "label": "Assessed" if en else "已评测", "kind": "count"},
            {"key": "transformed", "label": "Transformed" if en else "已完成改造", "kind": "count"},
            {"key": "level2_plus", "label": "Level ≥ 2" if en else "二级及以上", "kind": "count"},
            {"key": "assessed_share", "label": "Assessed share" if en else "评测覆盖率", "kind": "pct"},
            {"key": "transformed_share", "label": "Transformed share" if en else "改造覆盖率", "kind": "pct"},
            {"key": "level2_plus_share", "label": "Level ≥ 2 share" if en else "二级及以上占比", "kind": "pct"}]
    note = ("Firms: above-scale industrial enterprises reporting in the period (SRDI: those holding a valid "
            "专精特新 or 小巨人 designation). Assessed: any assessment dated on or before the period's end. Transformed: "
            "a completed transformation project (一链一场景) dated on or before the period's end (our reading, marked "
            "[I] in the pack). A firm's level: the highest over the schemes of its latest assessment in each.") if en else \
        ("企业数：本期联网直报的规上工业企业（专精特新口径：持有有效专精特新或小巨人认定者）。已评测：期末及以前有任一评测结果。"
         "已完成改造：期末及以前有已验收的改造项目（一链一场景应用；本系统口径，数据包标注 [I]）。"
         "企业等级：各评测体系中最近一次结果的最高等级。")
    return {"period": period, "by": by, "population": pop, "region": region, "chain": chain, "rows": rows,
            "unit": "enterprises (家); shares are fractions", "note": note,
            "tables": [{"id": "coverage", "title": ("Digital assessment coverage" if en else "数字化评测覆盖")
                        + f" · {POP_NAMES[pop][i]}", "period": period, "unit": "家", "columns": cols,
                        "rows": rows}]}


def _contains(store, outer: str, inner: str | None) -> bool:
    """Whether region ``inner`` (None: the province) lies within ``outer``."""
    if inner is None:
        return False
    if inner == outer:
        return True
    r = store.table("region")
    df = r.filter(r.code == inner).select("parent_code", "prefecture_code").execute()
    return bool(len(df)) and outer in (df["parent_code"].iloc[0], df["prefecture_code"].iloc[0])


def _months_between(a, b) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def progress(share: float, firms: int, achieved: int, deadline, end) -> dict:
    """required = ⌈share·firms⌉ (a product within 1e-9 of an integer counts as that integer: 0.9 × 10 is
    9, not 10), remaining = max(0, required − achieved), days_left = deadline − end, per_month =
    remaining / max(1, calendar months from end to deadline); status met | overdue (remaining > 0 and
    days_left < 0: the deadline day itself is still open) | open."""
    required = math.ceil(share * firms - 1e-9)
    remaining = max(0, required - achieved)
    days_left = (deadline - end).days
    months = max(1, _months_between(end, deadline))
    status = "met" if remaining == 0 else ("overdue" if days_left < 0 else "open")
    return {"required": required, "remaining": remaining, "days_left": days_left,
            "per_month": remaining / months if remaining else 0.0, "status": status}


def targets_answer(store, period: str, region: str | None, chain: str | None, visible, lang: str = "zh",
                   limit: int = 200) -> dict:
    """Each target's progress in the area and its firms still to reach (module docstring)."""
    p = parse_period(period)
    end = p.end_date
    en = lang == "en"
    i = 1 if en else 0
    frame = firm_frame(store, period, "all", region, chain)
    out = []
    for t in rules()["targets"]:
        if t.region is not None and region is not None and not _contains(store, t.region, region):
            continue
        area = t.region if t.region is not None and region is None else region
        df = frame
        if area is not None and area != region:           # a local target seen from the province
            df = df[(df["prefecture_code"] == area) | (df["region_code"] == area)]
        pop = df[df["srdi"]] if t.population == "srdi" else df
        n, a = len(pop), int(meets(pop, t.measure).sum())
        pr = progress(t.share, n, a, t.deadline, end)
        firms = to_reach(df, t.measure, t.population)
        seen = visible(firms["enterprise_id"].tolist())
        shown = firms[firms["enterprise_id"].isin(seen)]
        items = [{"enterprise_id": int(f.enterprise_id), "uscc": f.uscc, "name": f.name,
                  "county_name": f.county_name, "city_name": f.city_name,
                  "level": None if pd_na(f.level) else int(f.level),
                  "assessed_on": None if pd_na(f.assessed_on) else str(f.assessed_on)[:10],
                  "transformed_on": None if pd_na(f.transformed_on) else str(f.transformed_on)[:10],
                  "href": f"/enterprises/{f.uscc or f.enterprise_id}"} for f in shown.head(limit).itertuples()]
        out.append({"code": t.code, "title": t.title_en if en else t.title, "population": t.population,
                    "population_name": POP_NAMES[t.population][i], "measure": t.measure,
                    "measure_name": MEASURE_NAMES[t.measure][i], "share_target": t.share,
                    "deadline": t.deadline.isoformat(), "deadline_source": t.deadline_source,
                    "region": area, "source": t.source, "firms": n, "achieved": a,
                    "share": a / n if n else None, **pr, "to_reach_total": len(firms), "to_reach_visible": len(shown),
                    "to_reach": items})
    cols = [{"key": "name", "label": "Enterprise" if en else "企业", "kind": "link"},
            {"key": "city_name", "label": "City" if en else "设区市", "kind": "text"},
            {"key": "county_name", "label": "County" if en else "县（市、区）", "kind": "text"},
            {"key": "level", "label": "Level" if en else "当前等级", "kind": "text"},
            {"key": "assessed_on", "label": "Last assessed" if en else "最近评测", "kind": "text"},
            {"key": "transformed_on", "label": "First project" if en else "首个改造项目", "kind": "text"}]
    tables = [{"id": f"reach-{t['code']}"[:31], "title": ("Still to reach: " if en else "尚待达标：") + t["title"],
               "period": period, "columns": cols, "rows": t["to_reach"]} for t in out]
    return {"period": period, "region": region, "chain": chain, "targets": out, "unsourced": unsourced(),
            "tables": tables}


def benchmarks_answer(store, period: str, region: str | None, chain: str | None, visible, lang: str = "zh") -> dict:
    """:func:`chainbrain.analytics.digital_benchmarks.benchmarks` as two tables of the firms ``visible(ids)``
    keeps (the viewer's scope), with the totals before that filter."""
    from chainbrain.analytics.digital_benchmarks import benchmarks

    b = benchmarks(store, period, region, chain)
    en = lang == "en"
    cols = [{"key": "name", "label": "Enterprise" if en else "企业", "kind": "link"},
            {"key": "city_name", "label": "City" if en else "设区市", "kind": "text"},
            {"key": "county_name", "label": "County" if en else "县（市、区）", "kind": "text"},
            {"key": "level", "label": "Level" if en else "当前等级", "kind": "text"},
            {"key": "titles", "label": "Titles" if en else "称号", "kind": "text"},
            {"key": "providers", "label": "Providers" if en else "服务商", "kind": "link", "href": "providers_href"}]
    from chainbrain.analytics.digital_providers import providers_of_firms

    did = providers_of_firms(store, parse_period(period).end_date,
                             set(b["designated"]["enterprise_id"]) | set(b["candidates"]["enterprise_id"]))
    out, tables = {}, []
    for key, zh, e in (("designated", "数字化转型标杆 / 灯塔工厂", "Benchmarks and lighthouses"),
                       ("candidates", "标杆候选", "Benchmark candidates")):
        df = b[key]
        seen = visible(df["enterprise_id"].tolist())
        rows = [{"enterprise_id": int(f.enterprise_id), "uscc": f.uscc, "name": f.name, "city_name": f.city_name,
                 "county_name": f.county_name, "level": None if pd_na(f.level) else int(f.level),
                 "titles": f.titles, "key": str(f.enterprise_id), "href": f"/enterprises/{f.uscc or f.enterprise_id}",
                 "providers": "、".join(n for _, n in did.get(int(f.enterprise_id), [])) or None,
                 "providers_href": _providers_href(did.get(int(f.enterprise_id), []), period)}
                for f in df.itertuples() if int(f.enterprise_id) in seen]
        out[key] = {"total": len(df), "rows": rows}
        tables.append({"id": key, "title": e if en else zh, "period": period, "columns": cols, "rows": rows})
    note = (f"Candidates: firms at level ≥ {b['min_level']} without a title (digital.toml [benchmark] min_level)."
            if b["configured"] else
            "The selection criteria of benchmarks and 小灯塔 are not in the references: no candidates until the "
            "province sets digital.toml [benchmark] min_level.") if en else \
        (f"候选：当前等级 ≥ {b['min_level']} 且尚无称号的企业（digital.toml [benchmark] min_level）。" if b["configured"] else
         "标杆、小灯塔的遴选标准资料未载明：在本省设置 digital.toml [benchmark] min_level 之前不列候选。")
    return {"period": period, "region": region, "chain": chain, "configured": b["configured"],
            "min_level": b["min_level"], **out, "note": note, "tables": tables}


def _providers_href(did: list, period: str) -> str | None:
    """The providers page of a firm's provider (the first one's when several: the names list them all)."""
    if not did:
        return None
    return f"/digital/providers?provider={did[0][0]}&date={parse_period(period).end_date.isoformat()}"


def pd_na(v) -> bool:
    return v is None or v is pd.NaT or v != v


def _provider_keys(store, df) -> list:
    """The register USCC of each adoption's provider in ``df`` (by provider_uscc, else the registered name), or None."""
    from chainbrain.analytics.digital_providers import register

    reg = register(store)
    known, by_name = set(reg["uscc"]), dict(zip(reg["name"], reg["uscc"]))
    return [u if isinstance(u, str) and u in known else by_name.get(n) for u, n in zip(df["provider_uscc"], df["provider"])]


def scenarios_answer(store, date, chain: str | None, region: str | None, visible, lang: str = "zh") -> dict:
    """一链一场景: the catalogue (counts) and the adopters ``visible(ids)`` keeps (the viewer's scope)."""
    from chainbrain.analytics.digital_scenarios import adoptions, catalogue

    df = adoptions(store, date, chain, region)
    names = {c: n for c, n in store.table("chain").select("code", "name_zh").execute().itertuples(index=False)}
    from urllib.parse import urlencode

    cat = [dict(r, chain_name=names.get(r["chain_code"], r["chain_code"]), key=f"{r['chain_code']}|{r['scenario']}",
                href="/digital/providers?" + urlencode({"chain": r["chain_code"], "scenario": r["scenario"],
                                                        "date": date.isoformat()}))
           for r in catalogue(df)]
    keys = _provider_keys(store, df)
    seen = visible(df["enterprise_id"].tolist())
    rows = [{"enterprise_id": int(f.enterprise_id), "uscc": f.uscc, "name": f.name, "city_name": f.city_name,
             "county_name": f.county_name, "chain_name": names.get(f.chain_code, f.chain_code), "scenario": f.scenario,
             "provider": f.provider, "adopted_on": str(f.adopted_on)[:10],
             "href": f"/enterprises/{f.uscc or f.enterprise_id}",
             "provider_href": f"/digital/providers?provider={keys[i]}" if keys[i] else None}
            for i, f in enumerate(df.itertuples()) if int(f.enterprise_id) in seen]
    en = lang == "en"
    cat_cols = [{"key": "chain_name", "label": "Chain" if en else "产业链", "kind": "text"},
                {"key": "scenario", "label": "Scenario" if en else "场景", "kind": "link"},
                {"key": "firms", "label": "Firms" if en else "应用企业数", "kind": "count"},
                {"key": "providers", "label": "Providers" if en else "服务商数", "kind": "count"},
                {"key": "first_adopted", "label": "First" if en else "首次应用", "kind": "text"},
                {"key": "last_adopted", "label": "Latest" if en else "最近应用", "kind": "text"}]
    ad_cols = [{"key": "name", "label": "Enterprise" if en else "企业", "kind": "link"},
               {"key": "city_name", "label": "City" if en else "设区市", "kind": "text"},
               {"key": "chain_name", "label": "Chain" if en else "产业链", "kind": "text"},
               {"key": "scenario", "label": "Scenario" if en else "场景", "kind": "text"},
               {"key": "provider", "label": "Provider" if en else "服务商", "kind": "link", "href": "provider_href"},
               {"key": "adopted_on", "label": "Adopted" if en else "应用日期", "kind": "text"}]
    return {"date": date.isoformat(), "chain": chain, "region": region, "catalogue": cat,
            "adopters": {"total": len(df), "rows": rows},
            "tables": [{"id": "scenarios", "title": "One chain, one scenario" if en else "一链一场景",
                        "period": date.isoformat(), "unit": "家", "columns": cat_cols, "rows": cat},
                       {"id": "adopters", "title": "Adopters" if en else "应用企业", "period": date.isoformat(),
                        "columns": ad_cols, "rows": rows}]}
