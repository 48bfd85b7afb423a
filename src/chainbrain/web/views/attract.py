"""补链 · 精准招商 — a chain's gaps, ranked attraction targets, 链主+ and leads (JSON twins as always).

Pages and twins (``format=xlsx[&table=ID]`` downloads the twin's tables):

- ``/attract/{chain}`` ⇄ ``/api/attract/{chain}?region&year`` — the chain's gaps per segment
  (:mod:`chainbrain.analytics.supply_gaps`), for the province or a city / county, each status
  explained figure by figure, with the pack's thresholds;
- ``/attract/{chain}/targets`` ⇄ ``/api/attract/{chain}/targets?segment&region&year&top&w_<criterion>``
  — out-of-province candidates ranked by TOPSIS with every component; the weights are the pack's
  unless ``w_<criterion>`` override them (normalised to sum 1); the chain's leads below;
- ``/attract/{chain}/masters`` ⇄ ``/api/attract/{chain}/masters?year`` — 链主+;
- ``GET /api/attract/leads?chain&status``, ``POST /api/attract/leads`` (mark a target:
  ``{"enterprise_id" | "uscc", "chain_code", "segment_code", "region_code", "year", "score",
  "score_basis", "owner", "note"}``, 201), ``GET /api/attract/leads/{lead_id}`` (with its audit
  trail), ``POST /api/attract/leads/{lead_id}/{follow_up|sign|land|drop|reopen}``
  (``{"version", "on", "note", "owner"}``; stale version or refused move 409).

Scope (docs/attract.md, *Who sees what*): firm-level lists (targets, 链主+, leads) are for the
province (``province_admin``) and the chain offices (their own chains) — everybody else gets 403
(anonymous 401). The gaps page is an aggregate: for the province and the chain's office every
figure; for every other viewer the status, the firm counts, density and feasibility are shown,
revenue and LQ go through the viewer's disclosure pattern of the focus cells
(:meth:`chainbrain.web.disclosure.Guard.focus_withheld` — LQ is the RCA of that table), the local
supporting rate only when at least ``min_cell`` suppliers stand on each side of it (local and
outside, or none), and the purchase amounts, the largest supplier's share and the
single-point-of-failure shares (figures of one firm) are withheld; a reason resting on a withheld
figure names its test without the figure.
"""

from __future__ import annotations

import copy

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from chainbrain.analytics import attract as AT
from chainbrain.analytics.attract_report import gaps_answer, masters_answer, targets_answer
from chainbrain.web import data, model
from chainbrain.web.auth import SignInRequired, current_user, require_user
from chainbrain.web.disclosure import guard_of
from chainbrain.web.i18n import lang_of
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import cell_rule, require_aggregates
from chainbrain.web.paging import Paging
from chainbrain.web.render import page_url, render, reply
from chainbrain.web.state import get_state
from chainbrain.web.workhttp import ERRORS, acting_user, answers, body_doc, json_body
from chainbrain.work import attract_leads as L

router = APIRouter()
YEAR = Query(None, description="data year (default: the newest annual-report year)")
REGION = Query(None, description="city or county code (default: the province)")
FORMAT = Query(None, description="xlsx: download the tables as Excel (with table=ID: one table)")
MASKED = {"top_share": ("largest supplier's share above {t} (figure withheld) (最大供应商占比高于 {t}（数值保密）)",
                        "top_share_above"),
          "spof": ("a single point of failure above {t} of a chain master's purchases (figure withheld) "
                   "(存在单点断供风险，高于链主采购 {t}（数值保密）)", "spof_share_above"),
          "lq": ("location quotient below {t} (figure withheld) (区位熵低于 {t}（数值保密）)", "lq_below"),
          "local_rate": ("local supporting rate below {t} (figure withheld) (本地配套率低于 {t}（数值保密）)",
                         "local_rate_below")}
SUPPLY_FIGURES = ("purchases_yuan", "local_yuan", "top_supplier_share", "spof_share")


def _chain(store, chain: str) -> dict:
    for c in data.chains(store):
        if c["code"] == chain:
            return c
    raise HTTPException(404, f"unknown chain {chain} (未知产业链 {chain})")


def _latest(store) -> int | None:
    """The newest annual-report year, else the newest supply-link year."""
    from chainbrain.analytics.advantage.data import latest_year

    y = latest_year(store)
    if y is None:
        got = store.table("supply_link").aggregate(y=lambda t: t.year.max()).execute()
        y = got["y"].iloc[0] if len(got) and got["y"].iloc[0] == got["y"].iloc[0] else None
    return None if y is None else int(y)


def _year(st, year: int | None) -> int:
    y = year or st.cached(("attract-latest-year",), lambda: _latest(st.store))
    if y is None:
        raise BadRequest("no annual reports or supply links in the store (库中无年报或供货数据)")
    if not 1900 <= int(y) <= 2200:
        raise BadRequest(f"year {y} is not a plausible year (年度无效)")
    return int(y)


def _region(store, region: str | None) -> str | None:
    if not region:
        return None
    reg = model.check_region(store, region)
    if reg is None or reg["level"] not in ("prefecture", "county", "province"):
        raise BadRequest(f"not a city or county code: {region} (不是设区市或县级代码)")
    return None if reg["level"] == "province" else region


def _firm_viewer(request: Request, chain: str):
    """The signed-in user if firm-level lists of ``chain`` are theirs; 401 anonymous, 403 otherwise."""
    user = current_user(request)
    if user is None:
        raise SignInRequired()
    if not L.sees_firms(user, chain):
        raise HTTPException(403, "firm-level attraction lists are for the province and the chain's office "
                                 "(企业级招商名单仅限省级和本链链长办查看)")
    return user


def _err(fn):
    try:
        return fn()
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


# ------------------------------------------------------------------ gaps (aggregate)
def _mask(ans: dict, user, guard, min_cell: int, level: str, region: str | None, year: int) -> dict:
    """The gaps answer as ``user`` may see it (module docstring)."""
    if L.sees_firms(user, ans["chain"]):
        ans["disclosure"] = "full"
        return ans
    from chainbrain.analytics import suppression_focus as SF

    hidden = set()
    if guard.visible is not None and guard.min_cell > 1:
        hidden = guard.focus_pattern(year).hidden
    lv = {"county": "county", "prefecture": "prefecture"}.get(level)
    th = ans["thresholds"]
    rows = []
    for r in ans["rows"]:
        r = dict(r)
        seg = r["segment_code"]
        if lv:
            gone = SF.withheld(hidden, lv, region, seg)
            rev_gone, lq_gone = "revenue_yuan" in gone, "rca" in gone
        else:
            col, grand = SF.cell(SF.PROVINCE, None, seg) in hidden, SF.cell(SF.PROVINCE, None, None) in hidden
            rev_gone, lq_gone = col, col or grand
        out = [f for f in SUPPLY_FIGURES]
        if rev_gone:
            out.append("revenue_yuan")
        if lq_gone:
            out.append("lq")
        loc, outside = r.get("local_suppliers") or 0, (r.get("suppliers") or 0) - (r.get("local_suppliers") or 0)
        if not all(n == 0 or n >= min_cell for n in (loc, outside)) or (r.get("suppliers") or 0) < min_cell:
            out.append("local_rate")
        for f in out:
            r[f] = None
        texts = []
        for code, text in zip(r.get("reason_codes") or [], r.get("reasons") or []):
            masked = code in ("top_share", "spof") or (code == "lq" and "lq" in out) or \
                (code == "local_rate" and "local_rate" in out)
            if masked:
                tmpl, key = MASKED[code]
                v = th[key]
                texts.append(tmpl.format(t=f"{100 * v:.0f}%" if key != "lq_below" else f"{v:g}"))
            else:
                texts.append(text)
        r["reasons"] = texts
        r["withheld"] = out
        rows.append(r)
    ans = dict(ans, rows=rows, disclosure="aggregate")
    for tb in ans["tables"]:
        tb["rows"] = [{**r, "reasons_text": "；".join(r["reasons"])} for r in rows]
    return ans


def _gaps(request: Request, chain: str, region: str | None, year: int | None) -> dict:
    st, user, lang = get_state(request), current_user(request), lang_of(request.query_params.get("lang"))
    store = st.store
    with st.lock:
        info = _chain(store, chain)
        y = _year(st, year)
        reg = _region(store, region)
        level = "province" if reg is None else model.check_region(store, reg)["level"]
        base = st.cached(("attract-gaps", chain, reg, y, lang),
                         lambda: _err(lambda: gaps_answer(store, y, chain, reg, lang)))
        guard = guard_of(store, cell_rule(store, user, st.min_cell))
        ans = _mask(copy.deepcopy(base), user, guard, st.min_cell, level, reg, y)
    ans["chain_name"] = info["name_en"] if lang == "en" else info["name_zh"]
    ans["region_level"] = level
    ans["firm_lists"] = L.sees_firms(user, chain)
    return ans


@router.get("/api/attract/leads", tags=["attract"], responses=ERRORS)
def api_leads(request: Request, chain: str | None = None, status: str | None = None):
    """The attraction leads the caller may see (province: all; chain office: its chain's; others: none)."""
    user = require_user(request)
    st = get_state(request)
    with answers(), st.lock, st.store.engine.connect() as conn:
        return {"leads": L.leads(conn, user, chain, status)}


@router.post("/api/attract/leads", tags=["attract"], status_code=201, responses=ERRORS,
             openapi_extra=body_doc({"enterprise_id": {"type": "integer"}, "uscc": {"type": "string"},
                                     "chain_code": {"type": "string"}, "segment_code": {"type": "string"},
                                     "region_code": {"type": "string"}, "year": {"type": "integer"},
                                     "score": {"type": "number"}, "score_basis": {"type": "object"},
                                     "owner": {"type": "string"}, "note": {"type": "string"}}, ["chain_code"]))
def api_mark_lead(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Mark a ranked target as a lead (the province, the chain's office)."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            lead = L.mark(conn, user, body, _home(st))
    return JSONResponse(lead, status_code=201)


def _home(st) -> str:
    from chainbrain.analytics.supply_local import home_province

    return st.cached(("attract-home",), lambda: home_province(st.store))


def _lead_id(lead_id: str) -> int:
    try:
        return int(lead_id)
    except ValueError:
        raise HTTPException(404, "attraction lead not found (未找到该招商线索)") from None


@router.get("/api/attract/leads/{lead_id}", tags=["attract"], responses=ERRORS)
def api_lead(request: Request, lead_id: str):
    """One lead with its audit trail (who did what, when)."""
    user = require_user(request)
    st = get_state(request)
    with answers(), st.lock, st.store.engine.connect() as conn:
        return L.get(conn, user, _lead_id(lead_id), with_history=True)


@router.post("/api/attract/leads/{lead_id}/{action}", tags=["attract"], responses=ERRORS,
             openapi_extra=body_doc({"version": {"type": "integer"}, "on": {"type": "string", "format": "date"},
                                     "note": {"type": "string"}, "owner": {"type": "string"}}, ["version"]))
def api_move_lead(request: Request, lead_id: str, action: str, user=Depends(acting_user),
                  body: dict = Depends(json_body)):
    """Move a lead: follow_up, sign, land, drop, reopen (version check; a refused move 409)."""
    st = get_state(request)
    if action not in L.WORKFLOW.actions:
        raise BadRequest(f"action must be one of {', '.join(L.WORKFLOW.actions)} (操作无效)")
    with answers(), st.lock:
        with st.store.begin() as conn:
            return L.move(conn, user, _lead_id(lead_id), action, body.get("version"), body.get("on"),
                          body.get("note"), body.get("owner"))


@router.get("/api/attract/{chain}", tags=["attract"], dependencies=[Depends(require_aggregates)])
def api_gaps(request: Request, chain: str, region: str | None = REGION, year: int | None = YEAR,
             format: str | None = FORMAT, table: str | None = None):
    """Gaps of the chain per segment (缺链/弱链/断链 risk) with the figures, thresholds and feasibility."""
    return reply(request, _gaps(request, chain, region, year), f"gaps-{chain}")


def _regions(store) -> list[tuple[str, str, str]]:
    r = store.table("region")
    d = r.filter(r.level.isin(("prefecture", "county")) & (r.status == "current")).select(
        "code", "name", "level", "prefecture_code").execute().sort_values("code")
    return [(c, n, lv) for c, n, lv in zip(d["code"], d["name"], d["level"])]


def _chains(store) -> list[tuple[str, str]]:
    t = store.table("chain").select("code", "name_zh", "seq").execute().sort_values("seq")
    return list(zip(t["code"], t["name_zh"]))


@router.get("/attract/{chain}", dependencies=[Depends(require_aggregates)],
            summary="gaps of a chain (twin: /api/attract/{chain})")
def gaps_view(request: Request, chain: str, region: str | None = REGION, year: int | None = YEAR):
    d = _gaps(request, chain, region, year)
    st = get_state(request)
    with st.lock:
        regions, chains = _regions(st.store), _chains(st.store)
    excel = page_url(request, "/api" + request.url.path, keep=("region", "year", "lang"))
    return render(request, "attract_gaps.html", d=d, nav="chains", regions=regions, chains=chains, excel_base=excel)


# ------------------------------------------------------------------ targets and 链主+ (firm level)
def _weights(request: Request) -> dict[str, float]:
    out = {}
    for c in AT.CRITERIA:
        v = request.query_params.get(f"w_{c}")
        if v is None or v == "":
            continue
        try:
            out[c] = float(v)
        except ValueError:
            raise BadRequest(f"w_{c}: {v!r} is not a number (权重 w_{c} 不是数值)") from None
    return out


def _targets(request: Request, chain: str, segment: str | None, region: str | None, year: int | None,
             top: int | None) -> dict:
    master = request.query_params.get("master") or None
    user = _firm_viewer(request, chain)
    st, lang = get_state(request), lang_of(request.query_params.get("lang"))
    store = st.store
    w = _weights(request)
    _err(lambda: AT.weights_for(AT.config(), w))
    with st.lock:
        info = _chain(store, chain)
        y = _year(st, year)
        reg = _region(store, region)
        gaps_df = st.cached(("attract-gap-frame", chain, reg, y),
                            lambda: _err(lambda: AT.G.gaps(store, y, chain, reg)))
        key = ("attract-targets", chain, segment, reg, y, top, tuple(sorted(w.items())), lang, master)
        ans = dict(st.cached(key, lambda: _err(lambda: targets_answer(store, y, chain, segment, reg, w, top, lang,
                                                                       gap_table=gaps_df, master=master))))
        with store.engine.connect() as conn:
            ans["leads"] = L.leads(conn, user, chain)
            codes = list(ans.get("segments") or [])
            seg_names = {r.code: (r.name_en if lang == "en" else r.name_zh) for r in conn.execute(
                sa.text("SELECT code, name_zh, name_en FROM segment"))}
            reg_names = {r.code: r.name for r in conn.execute(sa.text("SELECT code, name FROM region"))}
    ans["segment_names"] = [seg_names.get(c, c) for c in codes]   # the page names segments and regions, not codes
    ans["leads"] = [{**x, "segment_name": seg_names.get(x.get("segment_code"), x.get("segment_code")),
                     "region_name": reg_names.get(x.get("region_code"), x.get("region_code"))} for x in ans["leads"]]
    en = lang == "en"
    cols = [("id", "#", "count"), ("name", "Enterprise" if en else "企业", "text"),
            ("uscc", "USCC" if en else "统一社会信用代码", "text"), ("segment_name", "Segment" if en else "环节", "text"),
            ("region_name", "Region" if en else "落地地区", "text"), ("status_label", "Status" if en else "状态", "text"),
            ("owner", "Owner" if en else "负责人", "text"), ("score", "Score when marked" if en else "标记时得分", "num"),
            ("followed_up_on", "Followed up" if en else "对接日期", "text"),
            ("signed_on", "Signed" if en else "签约日期", "text"), ("landed_on", "Landed" if en else "落地日期", "text"),
            ("created_by", "Marked by" if en else "标记人", "text"), ("created_at", "Marked at" if en else "标记时间", "text"),
            ("projects_text", "Projects from it" if en else "落地项目", "text")]
    ans["tables"] = list(ans["tables"]) + [{
        "id": "leads", "title": "Leads" if en else "招商线索", "unit": "", "period": str(ans["year"]),
        "columns": [{"key": k, "label": lb, "kind": kd} for k, lb, kd in cols],
        "rows": [{**x, "key": x["id"], "projects_text": "、".join(p["name"] for p in x["projects"])}
                 for x in ans["leads"]]}]
    ans["chain_name"] = info["name_en"] if lang == "en" else info["name_zh"]
    return ans


@router.get("/api/attract/{chain}/targets", tags=["attract"], responses=ERRORS)
def api_targets(request: Request, chain: str, segment: str | None = None, region: str | None = REGION,
                year: int | None = YEAR, top: int | None = Query(None, ge=1, le=5000), format: str | None = FORMAT,
                table: str | None = None):
    """Out-of-province candidates for the chain's gap segments (or ``segment``), ranked by TOPSIS with
    every criterion's value, normalised and weighted value; ``w_<criterion>`` override the weights;
    ``master`` (a chain master's USCC) counts the links to that master only. The ranking is paged
    (``limit`` ≤ 500, default 50, ``offset``, ``sort`` rank|score|name, ``q`` in name, USCC, province,
    segment; ``page`` gives ``limit``, ``offset``, ``total``); ``format=xlsx``: every row."""
    d = _targets(request, chain, segment, region, year, top)
    return reply(request, d if format == "xlsx" else _paged_targets(request, d), f"targets-{chain}")


@router.get("/attract/{chain}/targets", summary="attraction targets of a chain (twin: /api/attract/{chain}/targets)")
def targets_view(request: Request, chain: str, segment: str | None = None, region: str | None = REGION,
                 year: int | None = YEAR, top: int | None = Query(100, ge=1, le=5000)):
    keep = ("segment", "region", "year", "top", "lang", "master") + tuple(f"w_{c}" for c in AT.CRITERIA)
    d = _paged_targets(request, _targets(request, chain, segment, region, year, top),
                       lambda **kw: page_url(request, keep=keep + ("limit", "sort", "q"), **kw))
    excel = page_url(request, "/api" + request.url.path, keep=keep)
    hidden = {k: v for k, v in request.query_params.items() if k in keep + ("limit",) and k != "lang"}
    return render(request, "attract_targets.html", d=d, nav="chains", excel_base=excel,
                  actions=L.LABELS, workflow=L.WORKFLOW, pager_hidden=hidden)


TARGET_SORTS = ("rank", "score", "name")
TARGET_FIELDS = ("name", "uscc", "province_name", "segment_name")


def _paged_targets(request: Request, d: dict, url=None) -> dict:
    """The ranking cut to the page asked for (:mod:`chainbrain.web.paging`; default: by rank), its table
    too; ``page`` = limit, offset, total (+ prev/next with ``url``). Callers skip it for Excel."""
    pg = Paging.from_query(request.query_params, sorts=TARGET_SORTS, default_sort="rank")
    rows, meta = pg.apply(d["rows"], TARGET_FIELDS)
    tables = [{**tb, "rows": rows} if tb["id"] == "targets" else tb for tb in d["tables"]]
    return {**d, "rows": rows, "tables": tables, "page": {**meta, **(pg.links(url, meta["total"]) if url else {})}}


def _masters(request: Request, chain: str, year: int | None) -> dict:
    _firm_viewer(request, chain)
    st, lang = get_state(request), lang_of(request.query_params.get("lang"))
    store = st.store
    with st.lock:
        info = _chain(store, chain)
        y = _year(st, year)
        gaps_df = st.cached(("attract-gap-frame", chain, None, y), lambda: _err(lambda: AT.G.gaps(store, y, chain)))
        ans = dict(st.cached(("attract-masters", chain, y, lang),
                             lambda: _err(lambda: masters_answer(store, y, chain, lang, gap_table=gaps_df))))
    ans["chain_name"] = info["name_en"] if lang == "en" else info["name_zh"]
    return ans


@router.get("/api/attract/{chain}/masters", tags=["attract"], responses=ERRORS)
def api_masters(request: Request, chain: str, year: int | None = YEAR, format: str | None = FORMAT,
                table: str | None = None):
    """链主+: each chain master's out-of-province suppliers in segments the province lacks or depends on."""
    return reply(request, _masters(request, chain, year), f"masters-{chain}")


@router.get("/attract/{chain}/masters", summary="链主+ list of a chain (twin: /api/attract/{chain}/masters)")
def masters_view(request: Request, chain: str, year: int | None = YEAR):
    d = _masters(request, chain, year)
    excel = page_url(request, "/api" + request.url.path, keep=("year", "lang"))
    return render(request, "attract_masters.html", d=d, nav="chains", excel_base=excel)


__all__ = ["router"]
