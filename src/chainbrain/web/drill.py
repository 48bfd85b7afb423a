"""企业清单 — the enterprises behind a figure, for the viewer (JSON twin ``/api/enterprises``).

Figures come from :mod:`chainbrain.analytics.enterprise_list` (one frame per
scope and period, viewer independent, cached); this module checks the
parameters (400 with one bilingual message), keeps the rows the viewer may
see and applies disclosure control:

- rows: exactly the enterprises of the viewer's scope
  (:func:`chainbrain.web.policy.visible_set`, the rule of every other firm
  list: region page, chain page's key firms, search); viewers who see no
  enterprise (viewer, unit, anonymous on a public deployment) get no rows,
  only the number withheld, as those lists do;
- the scope's comparable figures and each row's ``contribution_pp`` (which
  divides by the scope's comparable base, an aggregate) are shown only when the
  viewer sees every enterprise of the scope's comparable sample, or — for a
  chain × region cell without segment or cluster filter — when the viewer's
  suppression pattern publishes both comparable sums of the cell
  (:meth:`chainbrain.web.disclosure.Guard.hidden`); otherwise they are None and
  ``contribution_withheld`` is true.

``format=xlsx``: every row (not one page) as a workbook with number formats and
units in the headers (:func:`workbook`).
"""

from __future__ import annotations

import io

import sqlalchemy as sa

from chainbrain.analytics import enterprise_list as EL
from chainbrain.web import data, model
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import sees_enterprises

DEFAULT_LIMIT = 50


def list_url(period: str | None = None, region: str | None = None, chain: str | None = None,
             segment: str | None = None, scale: str | None = None) -> str:
    """The enterprise list of a scope (what a figure's click leads to)."""
    from urllib.parse import urlencode

    q = {"period": period, "region": region, "chain": chain, "segment": segment, "scale": scale}
    return "/enterprises?" + urlencode({k: v for k, v in q.items() if v})
#: sample_status → (中文, English)
STATUS = {"above": ("规上", "Above scale"), "below": ("规下", "Below scale"),
          "unreported": ("本期无月报", "No report this period")}


def _int(value, name: str, default: int, low: int, high: int | None = None) -> int:
    if value in (None, ""):
        return default
    try:
        n = int(str(value))
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {value!r} ({name} 应为整数)") from None
    if n < low or (high is not None and n > high):
        raise BadRequest(f"{name} must be between {low} and {high if high is not None else '∞'} "
                         f"({name} 应在 {low} 与 {high if high is not None else '∞'} 之间)")
    return n


def _one(store, sql: str, **params) -> dict | None:
    with store.engine.connect() as conn:
        r = conn.execute(sa.text(sql), params).first()
    return dict(r._mapping) if r is not None else None


def check(store, q: dict) -> dict:
    """The request's parameters, checked (``BadRequest`` naming the parameter otherwise)."""
    scope = model.check_scope(q.get("scope") or "all")
    p = model.resolve_period(store, q.get("period"))
    if p is None:
        raise BadRequest("no monthly reports in the store (库中没有月报数据)")
    reg = model.check_region(store, q.get("region") or None)
    county = model.check_region(store, q.get("county") or None)     # the form's county select
    if county and (reg is None or county["prefecture_code"] == reg["code"] or reg["level"] == "province"):
        reg = county
    chain = model.check_chain(store, q.get("chain") or None)
    segment = q.get("segment") or None
    seg = None
    if segment:
        seg = _one(store, "SELECT code, name_zh, name_en, chain_code FROM segment WHERE code = :c", c=segment)
        if seg is None:
            raise BadRequest(f"unknown segment code {segment} (未知环节代码 {segment})")
    cluster = q.get("cluster") or None
    clu = None
    if cluster:
        clu = _one(store, "SELECT code, name_zh, name_en FROM cluster WHERE code = :c", c=cluster)
        if clu is None:
            raise BadRequest(f"unknown cluster code {cluster} (未知集群代码 {cluster})")
    scale = q.get("scale") or "above"
    if scale not in EL.SCALES:
        raise BadRequest(f"scale must be one of {', '.join(EL.SCALES)} (规模应为 above 规上、below 规下或 all 全部)")
    sort = q.get("sort") or "-revenue_ytd_yuan"
    if sort.lstrip("-") not in EL.SORTS:
        raise BadRequest(f"sort must be one of {', '.join(EL.SORTS)}, optionally with - for descending "
                         f"(排序字段应为 {', '.join(EL.SORTS)}，降序前加 -)")
    limit = _int(q.get("limit"), "limit", DEFAULT_LIMIT, 1, EL.MAX_LIMIT)
    offset = _int(q.get("offset"), "offset", 0, 0)
    region = reg["code"] if reg and reg["level"] != "province" else None
    return {"period": p, "scope": scope, "region": region, "region_row": reg, "chain": chain,
            "segment": segment, "segment_row": seg, "cluster": cluster, "cluster_row": clu,
            "scale": scale, "sort": sort, "limit": limit, "offset": offset}


def frame_key(c: dict) -> tuple:
    return ("enterprise-frame", c["period"].label, c["scope"], c["region"], c["chain"], c["segment"], c["cluster"])


def frame(store, c: dict):
    return EL.scope_frame(store, c["period"].label, c["scope"], c["region"], c["chain"], c["segment"], c["cluster"])


def _contribution_shown(guard, c: dict, frame_df, visible) -> bool:
    """Whether the scope's comparable base may be derived by this viewer (module docstring)."""
    if visible is None:
        return True
    comparable = frame_df[frame_df["prior_comparable_yuan"].notna()]["enterprise_id"]
    if set(int(i) for i in comparable) <= set(visible):
        return True
    if c["segment"] or c["cluster"]:
        return False
    p = c["period"].label
    return not (guard.hidden(p, "cc", c["chain"], c["region"], c["scope"])
                or guard.hidden(p, "cb", c["chain"], c["region"], c["scope"]))


def _scope_title(store, c: dict, lang: str) -> str:
    parts = []
    reg = c["region_row"] or data.province(store)
    if reg:
        parts.append(reg["name"])
    names = {x["code"]: x for x in data.chains(store)}
    if c["chain"]:
        ch = names[c["chain"]]
        parts.append((ch.get("name_en") if lang == "en" else None) or ch["name_zh"])
    for row in (c["segment_row"], c["cluster_row"]):
        if row:
            parts.append((row.get("name_en") if lang == "en" else None) or row["name_zh"])
    return " · ".join(parts)


def answer(store, c: dict, frame_and_summary, guard, user, lang: str, limit_all: bool = False) -> dict:
    """The JSON twin's answer for checked parameters ``c`` (:func:`check`) and the viewer."""
    df, summary = frame_and_summary
    p = c["period"]
    in_scale = df if c["scale"] == "all" else df[df["above_scale"] == (c["scale"] == "above")]
    base = {"period": p.label, "period_text": p.describe_zh() if lang != "en" else p.describe_en(),
            "scope": c["scope"], "region": c["region"], "chain": c["chain"], "segment": c["segment"],
            "cluster": c["cluster"], "scale": c["scale"], "sort": c["sort"], "limit": c["limit"],
            "offset": c["offset"], "title": _scope_title(store, c, lang), "unit": "yuan; rates as fractions; "
            "contribution in percentage points (元；增速为小数；贡献为百分点)"}
    if not sees_enterprises(user):
        return {**base, "items": [], "total": 0, "withheld": int(len(in_scale)), "summary": None,
                "contribution_withheld": True}
    visible = guard.visible
    shown = _contribution_shown(guard, c, df, visible)
    out = EL.listing(store, df, p.label, visible, c["scale"], c["sort"],
                     None if limit_all else c["limit"], 0 if limit_all else c["offset"], lang)
    for r in out["items"]:
        r["href"] = f"/enterprises/{r['uscc'] or r['enterprise_id']}"
        if not shown:
            r["contribution_pp"] = None
    summ = dict(summary) if shown else {k: (v if k.endswith("count") else None) for k, v in summary.items()}
    return {**base, **out, "withheld": int(len(in_scale)) - out["total"], "summary": summ,
            "contribution_withheld": not shown}


# ---------------------------------------------------------------- Excel
COLUMNS = [  # key, 中文 header, English header, kind
    ("name", "企业名称", "Enterprise", "text"), ("uscc", "统一社会信用代码", "USCC", "text"),
    ("city_name", "设区市", "City", "text"), ("county_name", "县（市、区）", "County", "text"),
    ("industry_code", "行业代码", "Industry class", "text"), ("industry_name", "行业名称", "Industry", "text"),
    ("sample_status", "规模", "Scale", "scale"),
    ("revenue_ytd_yuan", "营业收入（万元）", "Revenue (10k yuan)", "wan"),
    ("yoy_comparable", "可比增速（%）", "Comparable growth (%)", "pct"),
    ("contribution_pp", "拉动（百分点）", "Contribution (pp)", "pp"),
    ("revenue_last_year_yuan", "上年营业收入（万元）", "Last year's revenue (10k yuan)", "wan"),
    ("designations", "认定与称号", "Designations", "list"),
]


def workbook(d: dict, version: str | None, lang: str) -> bytes:
    """All rows of ``d`` (:func:`answer` with every row) as an .xlsx: caption (title, period, basis,
    scope, data version), headers with units, 万元 with 2 decimals, growth as a percent format,
    contribution in points, statuses and scale in words."""
    import xlsxwriter

    en = lang == "en"
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    bold = wb.add_format({"bold": True, "bg_color": "#EEF2F8", "text_wrap": True})
    note = wb.add_format({"italic": True, "font_color": "#5B6B80"})
    fmts = {"wan": wb.add_format({"num_format": "#,##0.00"}), "pct": wb.add_format({"num_format": "0.0%"}),
            "pp": wb.add_format({"num_format": "0.00"})}
    ws = wb.add_worksheet("enterprises")
    scale = {"above": ("规上", "Above scale"), "below": ("规下", "Below scale"), "all": ("全部", "All")}[d["scale"]]
    caption = (f"{'Enterprises' if en else '企业清单'}: {d['title']} · {d['period_text']} · "
               f"{scale[1] if en else scale[0]} · {'comparable basis, current prices' if en else '可比口径，现价'}"
               f" · {'data version' if en else '数据版本'} {version or '—'} · "
               f"{'rows' if en else '共'} {d['total']}{'' if en else ' 家'}")
    ws.write(0, 0, caption, note)
    if d.get("contribution_withheld"):
        ws.write(1, 0, "Contribution withheld (disclosure control)" if en else "拉动已按保密规则隐去", note)
    for c, (key, zh, eng, kind) in enumerate(COLUMNS):
        ws.write(2, c, eng if en else zh, bold)
        ws.set_column(c, c, 30 if key in ("name", "designations") else 14)
    for r, row in enumerate(d["items"], start=3):
        for c, (key, _, _, kind) in enumerate(COLUMNS):
            v = row.get(key)
            if kind == "scale":
                ws.write(r, c, STATUS[v][1 if en else 0] if v in STATUS else "")
            elif v is None:
                continue
            elif kind == "wan":
                ws.write_number(r, c, round(float(v) / 10_000, 6), fmts["wan"])
            elif kind in ("pct", "pp"):
                ws.write_number(r, c, float(v), fmts[kind])
            elif kind == "list":
                ws.write(r, c, "、".join(v))
            else:
                ws.write(r, c, str(v))
    ws.freeze_panes(3, 1)
    wb.close()
    return buf.getvalue()
