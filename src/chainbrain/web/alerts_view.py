"""预警 as a county bureau reads them: severity in words, the subject by name with a link to the
enterprises behind it, the figures as one sentence, only the alerts of the page's region.

Formatting only (the rules and their figures: :mod:`chainbrain.analytics.alerts`).
"""

from __future__ import annotations

import re

from chainbrain.web import format as fmt
from chainbrain.web.drill import list_url

SEVERITY = {"high": ("高", "High"), "medium": ("中", "Medium"), "low": ("低", "Low")}
BASIS = {"comparable": ("可比口径", "comparable basis"), "level": ("总量口径", "level basis")}
#: figure key → (中文, English, kind): kind pct (fraction), yi (yuan shown in 亿元), count, ratio (of path)
LABELS = {
    "index": ("可比累计指数", "comparable index", "pct"), "path_index": ("路径指数", "path index", "pct"),
    "ratio": ("为路径的", "of the path", "pct"),
    "revenue_ytd_yuan": ("营业收入", "revenue", "yi"), "path_yuan": ("路径值", "path value", "yi"),
    "ratio_level": ("总量为路径的", "level of the path", "pct"),
    "revenue_yuan": ("营业收入", "revenue", "yi"), "prior_yuan": ("上年同期", "a year earlier", "yi"),
    "yoy": ("同比", "year on year", "pct"),
    "loss_share": ("亏损面", "loss-making share", "pct"), "loss_share_prev": ("上年同期", "a year earlier", "pct"),
    "share": ("占比", "share", "pct"), "share_prev": ("上年同期", "a year earlier", "pct"),
    "n": ("企业", "enterprises", "count"),
    "growth": ("可比增速", "comparable growth", "pct"), "growth_target": ("目标增速", "target growth", "pct"),
    "score": ("评分", "score", "points"), "min_score": ("阈值", "threshold", "points"),
}


def _value(v, kind: str, en: bool) -> str:
    if kind == "pct":
        return fmt.pct(v)
    if kind == "yi":
        return fmt.yi(v) + (" 100m yuan" if en else " 亿元")
    if kind == "points":
        return f"{v:.1f}"
    if kind == "count":
        return f"{fmt.count(v)}{'' if en else ' 家'}"
    return str(v)


def sentence(figs, lang: str = "zh") -> str:
    """An alert's figures as sentences, newest first, e.g. "2026年1–10月（可比口径）：可比累计指数 110.9%，
    路径指数 141.2%，为路径的 78.5%，营业收入 9.17 亿元……". Codes and raw keys never appear."""
    en = lang == "en"
    out = []
    for f in figs if isinstance(figs, list) else [figs]:
        if not isinstance(f, dict):
            continue
        head = fmt.period_words(f.get("period"), lang) if f.get("period") else ""
        if f.get("basis") in BASIS:
            head += f"（{BASIS[f['basis']][0]}）" if not en else f" ({BASIS[f['basis']][1]})"
        parts = []
        for k, v in f.items():
            if k in LABELS and isinstance(v, (int, float)) and not isinstance(v, bool):
                zh_label, en_label, kind = LABELS[k]
                parts.append(f"{en_label} {_value(v, kind, en)}" if en else f"{zh_label} {_value(v, kind, en)}")
        if parts:
            out.append((head + ": " if en else head + "：") * bool(head) + (", " if en else "，").join(parts))
    return ("; " if en else "；").join(out)


def message(a: dict, lang: str) -> str:
    """The alert's own sentence with periods in words (``2026-10`` → 2026年1–10月)."""
    text = a.get("message_en" if lang == "en" else "message_zh") or ""
    return re.sub(r"(?<!\d)(\d{4}-\d{2})(?!\d)", lambda m: fmt.period_words(m.group(1), lang), text)


def view(alerts: list[dict], region: dict | None, lang: str) -> list[dict]:
    """The alerts of the page's region (the province: all; a city or county: its city's own alerts and
    those about enterprises the viewer may see — province-wide chain alerts stay on the province
    page), each with severity text, subject link and sentence."""
    en = lang == "en"
    city = (region or {}).get("prefecture_code") or (region or {}).get("code") \
        if region and region.get("level") != "province" else None
    out = []
    for a in alerts:
        kind, subj = a.get("subject_kind"), str(a.get("subject") or "")
        if city and (kind in ("chain", "province") or (kind == "city_chain" and not subj.startswith(city))):
            continue                                         # province-wide, or another city's alert
        if kind == "chain":
            href = list_url(a.get("period"), city, subj)
        elif kind == "city_chain":
            href = f"/?region={subj[:6]}"
        elif kind == "enterprise":
            href = f"/enterprises/{subj}"
        elif kind == "cluster":
            href = f"/clusters/{subj}"
        else:
            href = list_url(a.get("period"), city)
        wide = kind in ("chain", "province", "cluster")
        out.append({**a, "severity_text": SEVERITY.get(a.get("severity"), ("—", "—"))[1 if en else 0],
                    "scope_text": ("Province" if en else "全省") if wide else (a.get("subject_name") or ""),
                    "subject_text": a.get("subject_name") or ("Province" if en else "全省"),
                    "href": href, "sentence": sentence(a.get("figures"), lang), "text": message(a, lang)})
    return out
