"""Scheduled report sets: which reports are generated without anyone asking, and when.

A schedule (``report_schedule``, migration 0020) names a set — ``units`` among ``province``
(the province's report), ``chains`` (one per chain of the pack), ``cities`` (one per
prefecture-level city) — its ``formats`` and whose view it is written in (``as_user``; none =
the operator's full view, whose cover says so). It is *due*:

- ``trigger = data``: when the newest month on file has no run of the schedule for its current
  data batch (:func:`chainbrain.reports.gather.data_version`) — so once after each month's data
  arrive, and again after a revision of that month;
- ``trigger = day``: from day ``day_of_month`` (1–28) of each calendar month on, when the
  schedule has no run started in that calendar month; it writes the newest month on file.

A run (``report_run``) is recorded before it starts (``running``), each file is kept in
``report_file`` with the run's id and its data version (:mod:`archive`), and the run ends
``done`` or ``failed`` with the error (bilingual when it is the report's own). A failed run is
not retried by itself (it would fail again every minute); ``run_schedule`` with ``force``
(``chainbrain report schedule run --force``) starts it again. Who runs them: the web server
in a background thread on its own connection (:mod:`chainbrain.web.report_jobs`), or cron
with ``chainbrain report schedule run``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

import sqlalchemy as sa

from chainbrain.reports import FORMATS
from chainbrain.reports.viewer import ReportError
from chainbrain.store.schema_reports import report_run, report_schedule

log = logging.getLogger("chainbrain.reports")
UNITS = ("province", "chains", "cities")
TRIGGERS = ("data", "day")


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _split(value: str, allowed: tuple, what_en: str, what_zh: str) -> list[str]:
    items = [v.strip().lower() for v in str(value or "").split(",") if v.strip()]
    bad = [v for v in items if v not in allowed]
    if not items or bad:
        raise ReportError(f"{what_en} {value!r}: must be a comma list of {', '.join(allowed)} "
                          f"({what_zh}应为 {'、'.join(allowed)} 中的一项或多项，以逗号分隔)")
    return list(dict.fromkeys(items))


def add(store, name: str, units: str = "province,chains,cities", formats: str = "docx,pdf,xlsx",
        trigger: str = "data", day_of_month: int | None = None, as_user: str | None = None,
        created_by: str = "cli") -> int:
    """A new schedule (checked: units, formats, trigger, day 1–28, a known and active user); its id."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ReportError(f"schedule name {name!r}: 1 to 64 characters (计划名称应为 1 至 64 个字符)")
    u = _split(units, UNITS, "units", "报告范围")
    f = _split(formats, FORMATS, "formats", "格式")
    if trigger not in TRIGGERS:
        raise ReportError(f"trigger {trigger!r}: must be data or day (触发方式应为 data 或 day)")
    if trigger == "day" and (day_of_month is None or not 1 <= int(day_of_month) <= 28):
        raise ReportError(f"day of month {day_of_month!r}: must be 1 to 28 with trigger day (按日生成时日期应为 1 至 28)")
    if trigger == "data" and day_of_month is not None:
        raise ReportError("day of month: only with trigger day (仅按日生成时可指定日期)")
    if as_user:
        from chainbrain.reports.viewer import as_user as viewer_as

        viewer_as(store, as_user)                      # unknown or disabled user: ReportError
    with store.begin() as conn:
        if conn.execute(sa.select(report_schedule.c.id).where(report_schedule.c.name == name)).first():
            raise ReportError(f"schedule {name!r} exists already (计划 {name} 已存在)")
        sid = store.next_id(conn, "report_schedule")
        conn.execute(report_schedule.insert().values(
            id=sid, name=name, units=",".join(u), formats=",".join(f), trigger=trigger,
            day_of_month=int(day_of_month) if day_of_month is not None else None, as_user=as_user or None,
            enabled=True, created_at=_now(), created_by=created_by[:64]))
    return sid


def remove(store, name: str) -> None:
    """Delete a schedule (its runs and kept files stay, as records of what was generated)."""
    with store.begin() as conn:
        if conn.execute(sa.select(report_schedule.c.id).where(report_schedule.c.name == name)).first() is None:
            raise ReportError(f"no schedule {name!r} (没有名为 {name} 的计划)")
        conn.execute(report_schedule.delete().where(report_schedule.c.name == name))


def schedules(store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(report_schedule).order_by(report_schedule.c.id))]


def runs(store, limit: int = 20) -> list[dict]:
    """The newest runs with their schedule's name, newest first."""
    q = (sa.select(report_run, report_schedule.c.name)
         .select_from(report_run.outerjoin(report_schedule, report_schedule.c.id == report_run.c.schedule_id))
         .order_by(report_run.c.id.desc()).limit(limit))
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def _newest(store) -> tuple[str | None, int | None]:
    """The newest month on file and its data batch."""
    from chainbrain.periods import parse_period
    from chainbrain.reports.gather import data_version
    from chainbrain.web import data

    periods = data.periods(store)
    if not periods:
        return None, None
    return periods[0], data_version(store, parse_period(periods[0]))["batch_id"]


def due(store, today: dt.date | None = None) -> list[tuple[dict, str, int | None]]:
    """``[(schedule, period, data batch)]`` of the enabled schedules due now (module docstring)."""
    today = today or dt.date.today()
    with store.engine.connect() as conn:
        every = conn.execute(sa.select(report_schedule).where(report_schedule.c.enabled)
                             .order_by(report_schedule.c.id)).mappings().all()
    if not every:                                  # the server asks every minute: no schedule, no query
        return []
    period, batch = _newest(store)
    if period is None:
        return []
    out = []
    with store.engine.connect() as conn:
        for s in every:
            r = report_run.c
            if s["trigger"] == "data":
                q = sa.select(r.id).where(r.schedule_id == s["id"], r.period == period,
                                          r.data_batch_id == batch if batch is not None else r.data_batch_id.is_(None))
            else:
                if today.day < s["day_of_month"]:
                    continue
                first = dt.datetime(today.year, today.month, 1)
                q = sa.select(r.id).where(r.schedule_id == s["id"], r.started_at >= first)
            if conn.execute(q.limit(1)).first() is None:
                out.append((dict(s), period, batch))
    return out


def units_of(store, s: dict) -> list[tuple[str | None, str | None]]:
    """``[(chain, region)]`` of a schedule's reports, in the order they are written."""
    from chainbrain.web import data

    want = s["units"].split(",")
    out = [(None, None)] if "province" in want else []
    if "chains" in want:
        out += [(c["code"], None) for c in data.chains(store)]
    if "cities" in want:
        out += [(None, r["code"]) for r in data.regions(store, "prefecture")]
    return out


def run_schedule(store, s: dict, period: str, trigger: str, batch: int | None = None,
                 progress=None) -> dict:
    """Generate and keep ``s``'s set for ``period``; returns the run record (status done | failed).

    ``progress(done, total, label)`` is called after each report (the web job's progress)."""
    from chainbrain.reports import write
    from chainbrain.reports.archive import keep
    from chainbrain.reports.gather import gather
    from chainbrain.reports.viewer import as_user as viewer_as, operator

    with store.begin() as conn:
        rid = store.next_id(conn, "report_run")
        conn.execute(report_run.insert().values(id=rid, schedule_id=s["id"], trigger=trigger, period=period,
                                                data_batch_id=batch, status="running", files=0,
                                                started_at=_now()))
    files, status, error = 0, "done", None
    try:
        viewer = viewer_as(store, s["as_user"]) if s.get("as_user") else operator(store)
        units = units_of(store, s)
        for i, (chain, region) in enumerate(units):
            model = gather(store, period, chain, region, "all", viewer)
            for fmt in s["formats"].split(","):
                buf = io.BytesIO()
                write(model, fmt, buf)
                keep(store, model, fmt, buf.getvalue(), f"schedule:{s['name']}"[:64], run_id=rid)
                files += 1
            if progress:
                progress(i + 1, len(units), model.title)
    except ReportError as exc:
        status, error = "failed", str(exc)
    except Exception as exc:                       # recorded, shown on /reports; the loop goes on
        log.exception("report schedule %s failed", s["name"])
        status, error = "failed", f"{type(exc).__name__}: {exc} (报告生成失败)"
    with store.begin() as conn:
        conn.execute(report_run.update().where(report_run.c.id == rid).values(
            status=status, files=files, error=error, finished_at=_now()))
    return {"id": rid, "schedule": s["name"], "period": period, "status": status, "files": files, "error": error}


def run_due(store, today: dt.date | None = None, force: str | None = None, progress=None) -> list[dict]:
    """Run every due schedule (or, with ``force``, the schedule of that name now); the runs."""
    if force is not None:
        s = next((s for s in schedules(store) if s["name"] == force), None)
        if s is None:
            raise ReportError(f"no schedule {force!r} (没有名为 {force} 的计划)")
        period, batch = _newest(store)
        if period is None:
            raise ReportError("no monthly reports in the store (库中没有月报数据)")
        return [run_schedule(store, s, period, "manual", batch, progress)]
    return [run_schedule(store, s, period, s["trigger"], batch, progress) for s, period, batch in due(store, today)]
