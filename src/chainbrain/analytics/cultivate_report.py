"""Answers shared by the pages and their JSON twins: the tier funnel and the self-check.

- :func:`funnel_answer`: :func:`chainbrain.analytics.cultivate_funnel.funnel` with the table the page
  and the Excel download show (counts of enterprises).
- :func:`check_answer`: one firm's figures (the assessment CSV's columns, as a JSON object) through
  the same parser and engine as ``chainbrain cultivate assess``; a bad value raises ``ValueError``
  with the bilingual message naming the field.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from chainbrain.analytics.cultivate_funnel import STAGES, funnel, renewals

STAGE_NAMES = {"library": ("库", "Library"), "innovative_sme": ("创新型中小企业", "Innovative SMEs"),
               "srdi": ("专精特新中小企业", "SRDI SMEs"), "little_giant": ("专精特新“小巨人”", "Little giants"),
               "single_champion": ("制造业单项冠军", "Single champions")}


def funnel_answer(store, date: dt.date, by: str, region: str | None, chain: str | None, lang: str = "zh",
                  within_days: int = 365) -> dict:
    rows = funnel(store, date, by, region, chain, within_days)
    en = lang == "en"
    label = {k: v[1 if en else 0] for k, v in STAGE_NAMES.items()}
    cols = []
    if by != "chain":
        cols.append({"key": "city_name", "label": "City" if en else "设区市", "kind": "text"})
    if by != "city":
        cols.append({"key": "chain_name", "label": "Chain" if en else "产业链", "kind": "text"})
    cols += [{"key": k, "label": label[k], "kind": "count"} for k in ("library", *STAGES)]
    cols += [{"key": f"expiring_{k}", "label": (f"{label[k]}: expiring in {within_days} days" if en
                                                else f"{label[k]}：{within_days}天内到期"), "kind": "count"}
             for k in STAGES[:3]]
    total = {k: sum(r[k] for r in rows) for k in ("library", *STAGES, *(f"expiring_{s}" for s in STAGES))}
    return {"date": date.isoformat(), "by": by, "region": region, "chain": chain, "within_days": within_days,
            "stages": ["library", *STAGES], "rows": rows, "total": total,
            "unit": "enterprises (家)",
            "note": ("Counts of library enterprises holding each designation valid on the date; a stage counts "
                     "its own designation (a higher tier is not taken to imply the lower ones). SME tiers without "
                     "a stored end are valid 3 years (工信部企业〔2022〕63号, [Q-2nd]).") if en else
                    ("企业库中在该日持有各项有效认定的企业数；各档只计本档认定（不以高档推定低档）。未记录到期日的梯度"
                     "认定按三年有效期计算（工信部企业〔2022〕63号）。"),
            "tables": [{"id": "funnel", "title": "Tier funnel" if en else "梯度培育漏斗", "period": date.isoformat(),
                        "unit": "家", "columns": cols, "rows": rows}]}


def renewals_answer(store, date: dt.date, region: str | None, chain: str | None, within_days: int,
                    visible, lang: str = "zh") -> dict:
    """The renewal list, keeping only the enterprises ``visible(ids)`` returns (the viewer's scope)."""
    from chainbrain.catalog.designations import kind_name, level_name

    rows = renewals(store, date, region, chain, within_days)
    seen = visible({r["enterprise_id"] for r in rows})
    rows = [dict(r, kind_name=kind_name(r["kind"], lang), level_name=level_name(r["level"], lang),
                 key=f"{r['enterprise_id']}|{r['kind']}|{r['valid_from']}",
                 href=f"/enterprises/{r['uscc'] or r['enterprise_id']}")
            for r in rows if r["enterprise_id"] in seen]
    en = lang == "en"
    cols = [{"key": "name", "label": "Enterprise" if en else "企业", "kind": "link"},
            {"key": "kind_name", "label": "Designation" if en else "认定", "kind": "text"},
            {"key": "level_name", "label": "Level" if en else "级别", "kind": "text"},
            {"key": "valid_from", "label": "From" if en else "起始日", "kind": "text"},
            {"key": "ends_on", "label": "Ends on" if en else "到期日", "kind": "text"},
            {"key": "end_basis", "label": "End from" if en else "到期日依据", "kind": "text"}]
    return {"date": date.isoformat(), "region": region, "chain": chain, "within_days": within_days,
            "rows": rows, "note": ("end_basis: stored = the designation's end date; validity = start + 3 years "
                                   "(工信部企业〔2022〕63号, [Q-2nd])") if en else
            "到期日依据：stored＝认定记录的到期日；validity＝起始日起三年有效期（工信部企业〔2022〕63号）",
            "tables": [{"id": "renewals", "title": "Expiring designations" if en else "即将到期的认定",
                        "period": date.isoformat(), "columns": cols, "rows": rows}]}


def check_answer(body: dict) -> dict:
    """The assessment of one firm given as a JSON object (missing fields = empty = none)."""
    from chainbrain.analytics.cultivate_assess import assess
    from chainbrain.ingest.cultivate_csv import NAMES, AssessInputError, parse

    unknown = sorted(set(body) - set(NAMES))
    if unknown:
        raise ValueError(f"field {unknown[0]}: not an assessment field (不是评估字段)")
    row = {c: ("" if body.get(c) is None else str(body.get(c))) for c in NAMES}
    row["case_id"] = row["case_id"] or "self-check"
    try:
        df = parse(pd.DataFrame([row], columns=NAMES), "form")
    except AssessInputError as exc:
        raise ValueError(str(exc).replace("form: row 2, ", "")) from None
    out = assess(df).iloc[0].to_dict()
    return {k: (int(v) if hasattr(v, "dtype") and v.dtype.kind in "iu" else v) for k, v in out.items()}
