"""智改数转网联 — digital-assessment coverage, targets and the enterprise self-assessment (JSON twins as always).

- ``/digital`` ⇄ ``/api/digital/coverage?period&by=province|city|county|chain&population=above_scale|srdi
  &region&chain`` (``format=xlsx`` downloads the table): counts of firms assessed and at level ≥ 2
  (:mod:`chainbrain.analytics.digital_coverage`). Counts of enterprises only, which the disclosure
  rule leaves (web/disclosure.py); aggregates as everywhere (:func:`require_aggregates`).
- ``/api/digital/targets?period&region&chain``: progress against each target of the pack (deadlines)
  and the firms still to reach each — only the enterprises the viewer may see
  (:func:`chainbrain.web.policy.visible_ids`; anonymous and aggregate-only viewers: none).
- ``/api/digital/benchmarks?period&region&chain``: firms holding a 标杆 / 灯塔工厂 title and the candidates
  at the pack's configured level (:mod:`chainbrain.analytics.digital_benchmarks`), filtered like the targets.
- ``/digital/scenarios`` ⇄ ``/api/digital/scenarios?date&region&chain``: 一链一场景, the scenarios per chain
  (counts of adopters and providers) and the adopters the viewer may see one by one
  (:mod:`chainbrain.analytics.digital_scenarios`).
- ``/digital/self-assessment`` (form) → ``POST /api/digital/self-assessment`` (an enterprise user, CSRF;
  body ``{"scheme", "level", "assessed_on", "score"?, "answers"?}``): stored for the user's own firm only,
  source ``self`` (:func:`chainbrain.ingest.digital.record_self_assessment`). ``answers`` (GB/T 39116 only:
  requirement id → answer option) give the level by the pack's GB/T 39117 rule
  (:mod:`chainbrain.analytics.digital_gbt39117`) — refused while that rule is not configured (unsourced). Other roles 403; bad input 400
  naming the field.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request

from chainbrain.analytics.digital_report import benchmarks_answer, coverage_answer, scenarios_answer, targets_answer
from chainbrain.analytics.digital_rules import rules
from chainbrain.analytics.kpi import latest_period
from chainbrain.periods import parse_period
from chainbrain.web import data, model
from chainbrain.web.auth import Forbidden, current_user, require_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import require_aggregates, resolve_enterprise, visible_ids
from chainbrain.web.render import chart_json, render, reply
from chainbrain.web.state import get_state
from chainbrain.web.workhttp import ERRORS, acting_user, body_doc, json_body

router = APIRouter()
BY = ("province", "city", "county", "chain")
POPS = ("above_scale", "srdi")


def _params(st, period: str | None, by: str, population: str, region: str | None, chain: str | None):
    """Checked (period, region or None for the province, chain) — call under the state's lock."""
    if by not in BY:
        raise BadRequest(f"by must be province, city, county or chain (分组须为 province、city、county 或 chain): {by}")
    if population not in POPS:
        raise BadRequest(f"population must be above_scale or srdi (对象口径须为 above_scale 或 srdi): {population}")
    period = period or latest_period(st.store)
    if period is None:
        raise BadRequest("no monthly reports in the store (库中没有月度数据)")
    try:
        period = parse_period(period).label
    except ValueError as exc:
        raise BadRequest(f"period: {exc}") from None
    reg = model.check_region(st.store, region) if region else None
    if reg is not None and reg["level"] not in ("prefecture", "county", "province"):
        raise BadRequest(f"not a city or county code: {region} (不是设区市或县级代码)")
    chain = model.check_chain(st.store, chain)
    return period, (None if reg is None or reg["level"] == "province" else region), chain


def _coverage(request: Request, period, by, population, region, chain) -> dict:
    st, lang = get_state(request), lang_of(request.query_params.get("lang"))
    with st.lock:
        period, region, chain = _params(st, period, by, population, region, chain)
        return st.cached(("digital-coverage", period, by, population, region, chain, lang),
                         lambda: coverage_answer(st.store, period, by, population, region, chain, lang=lang))


def _with_firms(answer, request: Request, period, region, chain) -> dict:
    """``answer(store, period, region, chain, visible, lang)`` — the firms in it limited to those the
    caller may see one by one (``policy.visible_ids``)."""
    st, lang = get_state(request), lang_of(request.query_params.get("lang"))
    user = current_user(request)
    with st.lock:
        period, region, chain = _params(st, period, "province", "above_scale", region, chain)
        return answer(st.store, period, region, chain, lambda ids: visible_ids(st.store, user, ids), lang)


def _targets(request: Request, period, region, chain) -> dict:
    return _with_firms(targets_answer, request, period, region, chain)


@router.get("/api/digital/coverage", tags=["digital"], dependencies=[Depends(require_aggregates)],
            response_model=dict)
def api_coverage(request: Request, period: str | None = None, by: str = Query("city", description="province, city, "
                 "county or chain"), population: str = "above_scale", region: str | None = None,
                 chain: str | None = None, format: str | None = None):
    """Firms (家) of the population reporting in the period, those assessed (any assessment on or before the
    period's end) and those at level ≥ 2, with the shares (fractions; null when there are no firms)."""
    return reply(request, _coverage(request, period, by, population, region, chain), "digital-coverage")


@router.get("/api/digital/targets", tags=["digital"], dependencies=[Depends(require_aggregates)],
            response_model=dict)
def api_targets(request: Request, period: str | None = None, region: str | None = None, chain: str | None = None,
                format: str | None = None):
    """Each coverage target of the pack (deadline, share) in the area, and the firms still to reach it that the
    caller may see one by one."""
    return reply(request, _targets(request, period, region, chain), "digital-targets")


def _benchmarks(request: Request, period, region, chain) -> dict:
    return _with_firms(benchmarks_answer, request, period, region, chain)


@router.get("/api/digital/benchmarks", tags=["digital"], dependencies=[Depends(require_aggregates)],
            response_model=dict)
def api_benchmarks(request: Request, period: str | None = None, region: str | None = None, chain: str | None = None,
                   format: str | None = None):
    """Firms holding a 数字化转型标杆 / 灯塔工厂 title, and candidates at the pack's configured level (none while the
    criteria are unsourced) — the firms the caller may see one by one, with the totals."""
    return reply(request, _benchmarks(request, period, region, chain), "digital-benchmarks")


MAP_MEASURES = ("assessed", "transformed", "level2_plus")


@router.get("/digital", dependencies=[Depends(require_aggregates)], summary="智改数转网联 digital coverage")
def page(request: Request, period: str | None = None, by: str | None = None, population: str = "above_scale",
         region: str | None = None, chain: str | None = None, measure: str = "assessed"):
    st = get_state(request)
    if measure not in MAP_MEASURES:
        raise BadRequest(f"measure must be assessed, transformed or level2_plus (地图指标须为 assessed、transformed 或 "
                         f"level2_plus): {measure}")
    if by is None:
        by = "county" if region else "city"
    d = _coverage(request, period, by, population, region, chain)
    tg = _targets(request, d["period"], region, chain)
    bm = _benchmarks(request, d["period"], region, chain)
    with st.lock:
        chains = data.chains(st.store)
        area = data.region(st.store, region) if region else None
    query = str(request.url.query)
    return render(request, "digital.html", d=d, tg=tg, bm=bm, nav="digital", map_json=_map(st, d, area, measure),
                  chains=chains, area=area, measure=measure,
                  excel_base="/api/digital/coverage" + (f"?{query}" if query else ""),
                  targets_excel="/api/digital/targets" + (f"?{query}" if query else ""),
                  benchmarks_excel="/api/digital/benchmarks" + (f"?{query}" if query else ""))


def _map(st, d: dict, area: dict | None, measure: str = "assessed") -> str | None:
    """The JSON for digital_map.js: the coverage rows' shares of ``measure`` (assessed | transformed |
    level2_plus) on the city map (province) or the county map of a city — the rows as computed, nothing new;
    None for other groupings."""
    level = d["by"]
    if level not in ("city", "county") or (level == "city" and area) or \
            (level == "county" and (area is None or area["level"] != "prefecture")):
        return None
    with st.lock:
        pack = data.pack_meta(st.store)
    units = [{"code": r["key"], "name": r["name"], "value": r[f"{measure}_share"], "firms": r["firms"],
              "count": r[measure]} for r in d["rows"]]
    return chart_json({"level": level, "parent": area["code"] if area else None, "period": d["period"],
                       "measure": measure, "population": d["population"], "geo_url": data.map_url(pack, level),
                       "units": units})


def _scenarios(request: Request, date: str | None, region: str | None, chain: str | None) -> dict:
    st, lang = get_state(request), lang_of(request.query_params.get("lang"))
    user = current_user(request)
    try:
        day = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        raise BadRequest(f"date {date!r} is not YYYY-MM-DD (日期格式应为 YYYY-MM-DD)") from None
    with st.lock:
        _, region, chain = _params(st, None, "province", "above_scale", region, chain)
        return scenarios_answer(st.store, day, chain, region, lambda ids: visible_ids(st.store, user, ids), lang)


@router.get("/api/digital/scenarios", tags=["digital"], dependencies=[Depends(require_aggregates)],
            response_model=dict)
def api_scenarios(request: Request, date: str | None = None, region: str | None = None, chain: str | None = None,
                  format: str | None = None):
    """一链一场景: scenarios per chain with the number of adopting firms and providers (counts), and the adopters
    the caller may see one by one (provider, date)."""
    return reply(request, _scenarios(request, date, region, chain), "digital-scenarios")


@router.get("/digital/scenarios", dependencies=[Depends(require_aggregates)], summary="一链一场景 scenarios")
def scenarios_page(request: Request, date: str | None = None, region: str | None = None, chain: str | None = None):
    d = _scenarios(request, date, region, chain)
    st = get_state(request)
    with st.lock:
        chains = data.chains(st.store)
    query = str(request.url.query)
    return render(request, "digital_scenarios.html", d=d, nav="digital", chains=chains,
                  excel_base="/api/digital/scenarios" + (f"?{query}" if query else ""))


def _own_enterprise(st, user) -> int:
    if user.role != "enterprise" or not user.uscc:
        raise Forbidden()
    eid = resolve_enterprise(st.store, user.uscc)
    if eid is None:
        raise Forbidden()
    return eid


@router.post("/api/digital/self-assessment", tags=["digital"], responses=ERRORS,
             openapi_extra=body_doc({"scheme": {"type": "string"}, "level": {"type": "integer"},
                                     "assessed_on": {"type": "string"}, "score": {"type": "number"},
                                     "answers": {"type": "object"}},
                                    ["scheme", "assessed_on"]))
def api_self_assessment(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
    """An enterprise user's self-assessment of its own firm (stored, source ``self``)."""
    from chainbrain.ingest.digital import record_self_assessment

    st = get_state(request)
    if user.role != "enterprise" or not user.uscc:        # the role first: others get 403 whatever the body
        raise Forbidden()
    scheme = str(body.get("scheme") or "").strip()
    answers = body.get("answers")
    level = None
    if answers is not None:                       # GB/T 39117 requirement answers → the level (pack rule)
        level = _level_of_answers(scheme, answers)
    if level is None or body.get("level") not in (None, ""):
        try:
            given = int(str(body.get("level", "")).strip())
        except ValueError:
            raise BadRequest("level: not an integer (等级须为整数)") from None
        if level is not None and given != level:
            raise BadRequest(f"level: {given} differs from the level {level} the answers reach "
                             f"(等级与作答得出的等级 {level} 不符)")
        level = given
    try:
        day = dt.date.fromisoformat(str(body.get("assessed_on") or ""))
    except ValueError:
        raise BadRequest("assessed_on: not YYYY-MM-DD (评测日期格式应为 YYYY-MM-DD)") from None
    score = body.get("score")
    if score in ("", None):
        score = None
    else:
        try:
            score = float(score)
        except (TypeError, ValueError):
            raise BadRequest("score: not a number (总分须为数字)") from None
    with st.lock:
        eid = _own_enterprise(st, user)
        try:
            res = record_self_assessment(st.store, user.username, eid, scheme, level, day, score)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
    return {"uscc": user.uscc, "scheme": scheme, "level": level, "assessed_on": day.isoformat(), "score": score,
            "source": "self", **res}


def _level_of_answers(scheme: str, answers) -> int:
    """The GB/T 39116 level the requirement ``answers`` reach (:mod:`chainbrain.analytics.digital_gbt39117`);
    400 when the scheme is not GB/T 39116, the scoring is not configured, an answer is bad or no level is reached."""
    from chainbrain.analytics.digital_gbt39117 import CODE, score
    from chainbrain.analytics.digital_rules import RuleError

    if scheme != CODE or not isinstance(answers, dict):
        raise BadRequest("answers: requirement answers are an object and only for gbt39116 (仅智能制造能力成熟度可按要求项作答)")
    try:
        got = score(answers)
    except RuleError as exc:
        raise BadRequest(f"answers: {exc}") from None
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    if got["level"] is None:
        raise BadRequest("answers: level 1 is not reached (作答未达到一级)")
    return got["level"]


@router.get("/digital/self-assessment", summary="数字化水平自评 self-assessment")
def self_assessment_page(request: Request, user=Depends(require_user)):
    st = get_state(request)
    schemes = [{"code": s.code, "title": s.title, "document": s.document, "levels": list(s.levels),
                "level_names": s.level_names, "bands": [b.printed + f" → {b.level}" for b in s.bands]}
               for s in rules()["schemes"].values()]
    own = None
    if user.role == "enterprise" and user.uscc:
        with st.lock:
            eid = resolve_enterprise(st.store, user.uscc)
            if eid is not None:
                from chainbrain.analytics.digital_coverage import assessments_of
                own = assessments_of(st.store, eid)
    from chainbrain.analytics.digital_gbt39117 import method

    return render(request, "digital_self.html", nav="digital", schemes=schemes, own=own, gbt39117=method(),
                  allowed=user.role == "enterprise", today=dt.date.today().isoformat())
