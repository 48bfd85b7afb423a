"""The report model: every figure of a monthly analysis report, gathered from the engines.

Nothing here computes a statistic. The figures are records of
:func:`chainbrain.analytics.kpi.kpi_tables` (level, naive and comparable growth, the target
verdict on the comparable basis, the growth still required), of
:func:`chainbrain.analytics.contributions.decompose` (pull 拉动 and contribution 贡献率),
:func:`chainbrain.analytics.targets.target_progress`,
:func:`chainbrain.analytics.projection.projection` and the alerts of
:func:`chainbrain.web.model.period_alerts` — each passed through the viewer's disclosure
control exactly as the pages pass it (:mod:`chainbrain.reports.viewer`): KPI records through
``Guard.protect``, targets and projection through :func:`chainbrain.web.model.protect_monitoring`,
a pull or contribution withheld with any of the sums it is built from (the unit's comparable
current / base and its parent's), confidential alerts through ``alerts_for``.

Report scope: the province (no chain, no region), a chain, a region (city or county), or a
chain in a region. Units: the scope's chains (when no chain is given) and its sub-regions
(cities of the province, counties of a city). The two periods before P in the same year give
the change of growth (比上期加快 / 回落) and turning points.

Every figure carries its source (:class:`Source`): the engine call with its arguments, the
inputs and the data date (the period's end and the newest import batch behind the period's
reports) — the report's appendix.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import sqlalchemy as sa

from chainbrain.analytics.alerts import previous_periods
from chainbrain.analytics.contributions import decompose, growth_of
from chainbrain.analytics.kpi import kpi_tables
from chainbrain.analytics.projection import projection
from chainbrain.analytics.targets import target_progress
from chainbrain.periods import Period, PeriodError, parse_period
from chainbrain.reports.viewer import ReportError, Viewer
from chainbrain.web import data
from chainbrain.web import model as web_model

INPUTS_KPI = "monthly_report（规上工业企业月报，最新修订）、enterprise_attr（地区、行业）、enterprise_segment + segment_chain（产业链）"


@dataclass
class Source:
    id: str
    figure: str
    query: str
    inputs: str
    data_date: str


@dataclass
class ReportModel:
    period: str
    year: int
    month: int
    period_zh: str
    kind: str                                   # province | chain | region | chain_region
    scope: str
    chain: dict | None
    region: dict | None
    province: dict | None
    subject_zh: str                             # 全省 / 电子信息产业链 / 南昌市 / 南昌市电子信息产业链
    title: str
    viewer: Viewer
    generated_at: str
    data_version: dict
    headline: dict
    previous: list[dict] = field(default_factory=list)     # headline of P−1, P−2 (same year)
    chains: list[dict] = field(default_factory=list)
    regions: list[dict] = field(default_factory=list)
    region_level: str | None = None
    regions_in_chain: dict = field(default_factory=dict)
    chains_in_region: dict = field(default_factory=dict)
    previous_units: dict = field(default_factory=dict)     # (by, key) → yoy_comparable at P−1
    targets: list[dict] = field(default_factory=list)
    projection: dict | None = None
    alerts: list[dict] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    timings: dict = field(default_factory=dict)             # seconds per step (benchmark, logs)

    def source(self, sid: str, figure: str, query: str, inputs: str = INPUTS_KPI) -> str:
        self.sources.append(Source(sid, figure, query, inputs, self.data_version["text"]))
        return sid


def period_zh(p: Period) -> str:
    return f"{p.year}年1—{p.month}月"


def data_version(store, p: Period) -> dict:
    """The newest import batch behind the period's reports: id and load time (the data date)."""
    sql = ("SELECT MAX(b.id) AS id, MAX(b.created_at) AS at, COUNT(*) AS n FROM import_batch b WHERE b.id IN "
           "(SELECT DISTINCT batch_id FROM monthly_report WHERE year = :y AND month = :m)")
    with store.engine.connect() as conn:
        r = conn.execute(sa.text(sql), {"y": p.year, "m": p.month}).mappings().one()
    at = r["at"].isoformat(sep=" ", timespec="seconds") if isinstance(r["at"], dt.datetime) else r["at"]
    return {"batch_id": r["id"], "loaded_at": at, "batches": int(r["n"] or 0), "period_end": p.end_date.isoformat(),
            "text": f"统计期末 {p.end_date.isoformat()}；数据批次 #{r['id']}（导入于 {at}）"}


def _check(store, period: str, chain: str | None, region: str | None, scope: str):
    try:
        p = parse_period(period)
    except PeriodError as exc:
        raise ReportError(str(exc)) from exc
    if p.label != p.ytd_label:
        raise ReportError(f"period {period}: the monthly report needs a month YYYY-MM (月度报告的统计期应为年月 YYYY-MM)")
    try:
        web_model.check_scope(scope)
        chain = web_model.check_chain(store, chain)
        reg = web_model.check_region(store, region)
    except web_model.BadRequest as exc:
        raise ReportError(str(exc)) from exc
    if p.ytd_label not in data.periods(store):
        raise ReportError(f"no monthly reports for {p.label} in the store (库中没有 {p.label} 的月报数据)")
    return p, chain, reg


def _named(rows: list[dict], names: dict, key: str = "key") -> list[dict]:
    for r in rows:
        r["name"] = names.get(r[key], r[key])
    return rows


def _protect_pull(guard, period: str, rec: dict, scope: str) -> dict:
    """Withhold a pull / contribution with any sum it is built from (own and parent cc, cb)."""
    cells = [(rec["chain"], rec["region"]), (rec.get("parent_chain"), rec.get("parent_region"))]
    gone = any(guard.hidden(period, m, c, r, scope) for c, r in cells for m in ("cc", "cb"))
    if gone:
        rec = {**rec, "cc": None, "cb": None, "growth": None, "pull_pp": None, "contribution": None}
    rec["suppressed"] = gone
    return rec


#: the steps of :func:`gather`, in order (``progress`` is called with each one's name when it is done)
STEPS = ("checks", "kpi", "previous", "pulls", "targets_projection", "alerts")


def gather(store, period: str, chain: str | None = None, region: str | None = None, scope: str = "all",
           viewer: Viewer | None = None, progress=None) -> ReportModel:
    """The :class:`ReportModel` of the monthly report for one scope, as ``viewer`` may see it.

    The year series are read once for the target path, the projection and its chart
    (:func:`chainbrain.analytics.targets.shared_series`)."""
    from chainbrain.analytics.targets import shared_series

    with shared_series():
        return _gather(store, period, chain, region, scope, viewer, progress or (lambda step: None))


def _gather(store, period, chain, region, scope, viewer, progress) -> ReportModel:
    from chainbrain.reports.viewer import operator

    t0 = time.perf_counter()
    p, chain, reg = _check(store, period, chain, region, scope)
    viewer = viewer or operator(store)
    guard = viewer.guard
    code = reg["code"] if reg and reg["level"] != "province" else None
    prov = data.province(store)
    chain_names = {c["code"]: c["name_zh"] for c in data.chains(store)}
    chain_rec = {"code": chain, "name": chain_names[chain]} if chain else None
    region_names = {r["code"]: r["name"] for lv in ("prefecture", "county") for r in data.regions(store, lv)}
    place = reg["name"] if code else (prov["name"] if prov else "全省")
    subject = (place if code else "全省") + (f"{chain_names[chain]}产业链" if chain else "")
    kind = {(False, False): "province", (True, False): "chain", (False, True): "region",
            (True, True): "chain_region"}[(bool(chain), bool(code))]
    title = f"{period_zh(p)}{place if code else (prov['name'] if prov else '')}" \
            f"{chain_names[chain] + '产业链' if chain else '产业链'}运行分析"
    m = ReportModel(period=p.label, year=p.year, month=p.month, period_zh=period_zh(p), kind=kind, scope=scope,
                    chain=chain_rec, region=reg if code else None, province=prov, subject_zh=subject, title=title,
                    viewer=viewer, generated_at=dt.datetime.now().isoformat(sep=" ", timespec="seconds"),
                    data_version=data_version(store, p), headline={})

    m.timings["checks"], t0 = time.perf_counter() - t0, time.perf_counter()
    progress("checks")
    # ---- KPI: the scope, its chains, its sub-regions (one call, three queries)
    from chainbrain.analytics.contributions import sub_level

    level = sub_level(store, code)
    m.region_level = level
    bys = ("all",) + (("chain",) if chain is None else ()) + ((level,) if level else ())
    args = f"period='{p.label}', bys={bys!r}, chain={chain!r}, region={code!r}, scope='{scope}'"
    kt = kpi_tables(store, p, bys, chain=chain, region=code, scope=scope)
    m.headline = guard.protect(kt["all"][0], chain, code) if kt["all"] else {}
    m.source("K1", f"{subject}营业收入、同比增速（可比口径与总量口径）、目标进度", f"analytics.kpi.kpi_tables({args})")
    if "chain" in kt:
        m.chains = _named([{**guard.protect(r, r["key"], code), "key": r["key"]} for r in kt["chain"]], chain_names)
        m.source("K2", "分产业链营业收入与增速", f"analytics.kpi.kpi_tables({args}) ['chain']")
    if level:
        m.regions = _named([{**guard.protect(r, chain, r["key"]), "key": r["key"]} for r in kt[level]], region_names)
        m.source("K3", "分地区营业收入与增速", f"analytics.kpi.kpi_tables({args}) ['{level}']")

    m.timings["kpi"], t0 = time.perf_counter() - t0, time.perf_counter()
    progress("kpi")
    # ---- the two periods before P in the same year: change of growth, turning points
    for i, q in enumerate(previous_periods(p, 3)[1:]):
        if q.year != p.year:
            break
        t = growth_of(store, q, bys if i == 0 else ("all",), scope, code, chain)
        for by, rows in t.items():
            for key, r in rows.items():
                cell = (chain, code) if by == "all" else ((key, code) if by == "chain" else (chain, key))
                gone = any(guard.hidden(q.label, x, *cell, scope) for x in ("cc", "cb"))
                g = None if gone else r["growth"]
                if by == "all":
                    m.previous.append({"period": q.label, "yoy_comparable": g, "comparable_count": r["n"],
                                       "comparable_current_yuan": None if gone else r["cc"],
                                       "comparable_base_yuan": None if gone else r["cb"]})
                else:
                    m.previous_units[(by, key)] = g
        m.source(f"K{len(m.previous) + 3}", f"{period_zh(q)}可比口径增速（比较上期、判断拐点）",
                 f"analytics.contributions.growth_of(period='{q.label}', bys={bys if i == 0 else ('all',)!r}, "
                 f"scope='{scope}', region={code!r}, chain={chain!r})")

    m.timings["previous"], t0 = time.perf_counter() - t0, time.perf_counter()
    progress("previous")
    # ---- pulls and contributions
    dec = decompose(store, p, scope, code, chain)
    pulls = {(r["chain"], r["region"]): _protect_pull(guard, p.label, r, scope) for r in dec["chains"] + dec["regions"]}
    for rec in m.chains:
        rec.update({k: pulls.get((rec["key"], code), {}).get(k) for k in ("pull_pp", "contribution")})
    for rec in m.regions:
        rec.update({k: pulls.get((chain, rec["key"]), {}).get(k) for k in ("pull_pp", "contribution")})
    m.regions_in_chain = {c: _named([_protect_pull(guard, p.label, r, scope) for r in rows], region_names, "region")
                          for c, rows in dec["regions_in_chain"].items()}
    m.chains_in_region = {g: _named([_protect_pull(guard, p.label, r, scope) for r in rows], chain_names, "chain")
                          for g, rows in dec["chains_in_region"].items()}
    m.source("C1", "拉动（百分点）与贡献率：产业链、地区及其交叉",
             f"analytics.contributions.decompose(period='{p.label}', scope='{scope}', region={code!r}, chain={chain!r})")

    m.timings["pulls"], t0 = time.perf_counter() - t0, time.perf_counter()
    progress("pulls")
    # ---- targets and projection (protected as on the cockpit)
    mon = {"period": p.label, "targets": target_progress(store, p, chain=chain, region=code, scope=scope),
           "projection": projection(store, p.label, chain=chain, region=code, scope=scope)}
    growth = next((t for t in mon["targets"] if t["kind"] == "growth"), None)
    mon["projection"]["n"] = growth.get("n") if growth else None
    from chainbrain.analytics.indicators import Scope

    mon["projection"]["series"] = web_model._annual_series(store, p, growth, mon["projection"],
                                                           Scope(scope, code, chain))
    mon = web_model.protect_monitoring(store, mon, guard, code, scope, chain=chain)
    m.targets, m.projection = mon["targets"], mon["projection"]
    m.source("T1", "规划目标进度（增长目标按可比口径链式指数；占比、总量目标）",
             f"analytics.targets.target_progress(period='{p.label}', chain={chain!r}, region={code!r}, scope='{scope}')",
             "target（省级规划目标包）+ " + INPUTS_KPI)
    m.source("P1", "全年营业收入预测及80%区间",
             f"analytics.projection.projection(period='{p.label}', chain={chain!r}, region={code!r}, scope='{scope}')",
             "monthly_report（基年以来各月累计）+ target")

    m.timings["targets_projection"], t0 = time.perf_counter() - t0, time.perf_counter()
    progress("targets_projection")
    # ---- alerts of the scope that the viewer may see
    every = web_model.period_alerts(store, p.label)
    m.alerts = [a for a in viewer.alerts(store, every["alerts"]) if _in_scope(a, chain, code, reg)]
    m.source("A1", "运行预警", f"analytics.alerts.alerts(period='{p.label}') [{every['alerts_source']}]",
             "KPI 与指标记录、designation（链主企业）")
    m.timings["alerts"] = time.perf_counter() - t0
    progress("alerts")
    return m


def _alert_chain(a: dict) -> str | None:
    kind, subject = a.get("subject_kind"), str(a.get("subject"))
    if kind == "chain":
        return subject
    if kind == "city_chain":
        return subject.split("|", 1)[1]
    figs = a.get("figures") or [{}]
    return figs[0].get("chain") if isinstance(figs[0], dict) else None


def _in_scope(a: dict, chain: str | None, code: str | None, reg: dict | None) -> bool:
    """An alert belongs to the report when its chain (if any) is the report's chain and, in a
    regional report, its subject is the report's city (alerts without a place stay out)."""
    if chain and _alert_chain(a) != chain:
        return False
    if code:
        city = reg["prefecture_code"] or reg["code"]
        return a.get("subject_kind") == "city_chain" and str(a["subject"]).split("|", 1)[0] == city
    return True
