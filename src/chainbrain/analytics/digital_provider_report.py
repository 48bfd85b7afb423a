"""The /digital/providers answer (page, JSON twin, Excel): the service providers per chain / scenario, and the
projects of one provider or of the chain / scenario asked — the firms limited to those the viewer may see
one by one (``visible(ids)``). Figures and the disclosure rule: :mod:`chainbrain.analytics.digital_providers`."""

from __future__ import annotations

import datetime as dt

from chainbrain.analytics.digital_providers import projects, providers, register
from chainbrain.analytics.digital_rules import rules


def providers_answer(store, date: dt.date, chain: str | None, scenario: str | None, provider: str | None,
                     visible, lang: str = "zh") -> dict:
    """``{"date", "chain", "scenario", "provider", "providers": [..], "projects": {"total", "rows"}, "tables"}``.

    Raises ValueError (bilingual) for a ``provider`` not in the register."""
    en = lang == "en"
    names = {c: (n, ne) for c, n, ne in store.table("chain").select("code", "name_zh", "name_en").execute()
             .itertuples(index=False)}
    cname = (lambda c: names.get(c, (c, c))[1 if en else 0])
    reg = register(store)
    if provider and provider not in set(reg["uscc"]):
        raise ValueError(f"provider {provider!r} is not in the register (服务商不在名录中)")
    df = providers(store, date, chain, scenario, visible)
    if provider:                                  # one provider: its row (whatever it serves) and its projects
        df = [r for r in providers(store, date, None, None, visible) if r["uscc"] == provider]
    rows = [{**r, "chain_names": "、".join(cname(c) for c in r["chains"]), "scenario_names": "、".join(r["scenarios"]),
             "key": r["uscc"], "href": f"/digital/providers?provider={r['uscc']}&date={date.isoformat()}"}
            for r in df]
    pj = projects(store, date, reg)
    if provider:
        pj = pj[pj["provider_key"] == provider]
    else:
        if chain:
            pj = pj[pj["chain_code"] == chain]
        if scenario:
            pj = pj[pj["scenario"] == scenario]
    seen = set(visible(pj["enterprise_id"].tolist()))
    pname = dict(zip(reg["uscc"], reg["name"]))
    prow = [{"enterprise_id": int(f.enterprise_id), "uscc": f.uscc, "name": f.name, "city_name": f.city_name,
             "county_name": f.county_name, "chain_name": cname(f.chain_code), "scenario": f.scenario,
             "provider": pname.get(f.provider_key, f.provider), "provider_uscc": f.provider_key,
             "adopted_on": str(f.adopted_on)[:10], "rating": None if f.rating != f.rating or f.rating is None
             else int(f.rating), "href": f"/enterprises/{f.uscc or f.enterprise_id}"}
            for f in pj.itertuples() if int(f.enterprise_id) in seen]
    lo, hi = rules()["rating"]
    unit = f"rating {lo}–{hi} (unsourced scale)" if en else f"评价 {lo}–{hi} 分（分值资料未载明，可配置）"
    pcols = [{"key": "name", "label": "Provider" if en else "服务商", "kind": "link"},
             {"key": "region_name", "label": "Based in" if en else "所在地区", "kind": "text"},
             {"key": "chain_names", "label": "Chains served" if en else "服务产业链", "kind": "text"},
             {"key": "scenario_names", "label": "Scenarios" if en else "服务场景", "kind": "text"},
             {"key": "projects", "label": "Projects" if en else "完成项目数", "kind": "count"},
             {"key": "firms", "label": "Firms" if en else "服务企业数", "kind": "count"},
             {"key": "rated", "label": "Rating firms" if en else "评价企业数", "kind": "count"},
             {"key": "rating", "label": "Mean rating" if en else "平均评价", "kind": "num"},
             {"key": "last_project", "label": "Latest project" if en else "最近项目", "kind": "text"}]
    jcols = [{"key": "name", "label": "Enterprise" if en else "企业", "kind": "link"},
             {"key": "city_name", "label": "City" if en else "设区市", "kind": "text"},
             {"key": "chain_name", "label": "Chain" if en else "产业链", "kind": "text"},
             {"key": "scenario", "label": "Scenario" if en else "场景", "kind": "text"},
             {"key": "provider", "label": "Provider" if en else "服务商", "kind": "text"},
             {"key": "adopted_on", "label": "Completed" if en else "完成日期", "kind": "text"},
             {"key": "rating", "label": "Rating" if en else "企业评价", "kind": "num"}]
    note = ("Projects: 一链一场景 adoptions on or before the date that name the provider (by USCC or registered "
            "name). Mean rating over all its rated projects; withheld (—) when 1 or 2 of the rating firms are "
            "outside what you may see one by one.") if en else \
        ("完成项目：截至该日、注明该服务商（统一社会信用代码或名录名称）的一链一场景应用。平均评价覆盖其全部有评价的项目；"
         "评价企业中您不能逐家查看的有 1–2 家时不显示（—）。")
    return {"date": date.isoformat(), "chain": chain, "scenario": scenario, "provider": provider,
            "provider_name": pname.get(provider) if provider else None,
            "providers": rows, "projects": {"total": len(pj), "rows": prow}, "rating_scale": [lo, hi],
            "rating_source": rules()["raw"].get("provider", {}).get("rating_source", ""), "note": note,
            "tables": [{"id": "providers", "title": "Service providers" if en else "数字化服务商", "unit": unit,
                        "period": date.isoformat(), "columns": pcols, "rows": rows},
                       {"id": "projects", "title": "Completed projects" if en else "完成项目",
                        "period": date.isoformat(), "columns": jcols, "rows": prow}]}
