"""The annual cluster progress report (集群年度进展报告) as a workflow: a city drafts, the province reviews.

《江西省先进制造业集群培育管理办法》 (赣工信规字〔2024〕2号; policy-facts §5.1): city industry and IT
bureaus build the clusters and file annual progress reports by the end of March; the province
evaluates. One report per cluster × city × year (``cluster_progress``):

    draft ──submit──▶ submitted ──approve──▶ approved
      ▲                   │
      └──── returned ◀────┘ return (with a note)      returned ──submit──▶ submitted

- **draft / edit**: a ``city`` user whose city is one of the cluster's places (a listed city, or the
  city of a listed county or park), while the report is a draft or returned;
- **submit**: the same city; the figures the drafter saw (the cluster's figures from the store,
  through the drafter's disclosure) are kept with the report as JSON;
- **approve / return**: ``province_admin``, a submitted report; returning needs a note.

Reading: the province sees every city's report, a city its own; other roles see none (404, as out of
scope). Due date: 31 March of the next year (``late`` when submitted after it). SQLAlchemy Core on
the store (DuckDB and PostgreSQL); optimistic lock by ``version``.
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from chainbrain.store.schema_clusters import cluster_progress as T
from chainbrain.work.records import Conflict, Invalid, Missing, NotAllowed, new_id, now
from chainbrain.work.workflow import Refused

STATES = ("draft", "submitted", "returned", "approved")
MAX_BODY = 20_000


def due(year: int) -> dt.date:
    return dt.date(int(year) + 1, 3, 31)


def cities_of(conn, cluster: str) -> set[str]:
    """The cities a cluster is placed in: listed cities, and the cities of its listed counties and parks."""
    out = {r[0] for r in conn.execute(sa.text("SELECT city_code FROM cluster_city WHERE cluster_code = :c"),
                                      {"c": cluster})}
    out |= {r[0] for r in conn.execute(sa.text(
        "SELECT r.prefecture_code FROM cluster_place p JOIN region r ON r.code = p.code "
        "WHERE p.cluster_code = :c AND p.kind = 'county'"), {"c": cluster}) if r[0]}
    out |= {r[0] for r in conn.execute(sa.text(
        "SELECT r.prefecture_code FROM cluster_place p JOIN park k ON k.code = p.code "
        "JOIN region r ON r.code = k.region_code WHERE p.cluster_code = :c AND p.kind = 'park'"),
        {"c": cluster}) if r[0]}
    return out


def _check_cluster(conn, cluster: str) -> None:
    if conn.execute(sa.text("SELECT COUNT(*) FROM cluster WHERE code = :c"), {"c": cluster}).scalar() == 0:
        raise Missing(cluster)


def _year(year) -> int:
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise Invalid(f"field year: {year!r} is not a year (字段 year 应为年份)") from None
    if not 2000 <= y <= 2100:
        raise Invalid(f"field year: {y} must be 2000–2100 (字段 year 应在 2000–2100 之间)")
    return y


def may_draft(conn, user, cluster: str) -> bool:
    return user is not None and user.role == "city" and user.region_code in cities_of(conn, cluster)


def _row(r) -> dict:
    d = dict(r._mapping)
    d["figures"] = json.loads(d["figures"]) if d.get("figures") else None
    for k in ("created_at", "updated_at", "submitted_at", "reviewed_at"):
        d[k] = d[k].isoformat(sep=" ") if d.get(k) else None
    d["due"] = due(d["year"]).isoformat()
    d["late"] = bool(d["submitted_at"] and d["submitted_at"][:10] > d["due"])
    return d


def reports(store, user, cluster: str, year) -> dict:
    """{cluster, year, due, may_draft, may_review, reports}: the reports the user may read."""
    y = _year(year)
    with store.engine.connect() as conn:
        _check_cluster(conn, cluster)
        if user is None or user.role not in ("province_admin", "city"):
            raise Missing(cluster)
        q = sa.select(T).where(T.c.cluster_code == cluster, T.c.year == y).order_by(T.c.city_code)
        if user.role == "city":
            q = q.where(T.c.city_code == user.region_code)
        rows = [_row(r) for r in conn.execute(q)]
        names = dict(conn.execute(sa.text("SELECT code, name FROM region WHERE level = 'prefecture'")).all())
        for r in rows:
            r["city_name"] = names.get(r["city_code"], r["city_code"])
        draft = may_draft(conn, user, cluster)
    return {"cluster": cluster, "year": y, "due": due(y).isoformat(), "may_draft": draft,
            "may_review": user.role == "province_admin", "reports": rows}


def _get(conn, report_id, cluster: str):
    try:
        rid = int(report_id)
    except (TypeError, ValueError):
        raise Missing(report_id) from None
    r = conn.execute(sa.select(T).where(T.c.id == rid, T.c.cluster_code == cluster)).first()
    if r is None:
        raise Missing(report_id)
    return r


def _get_public(store, cluster: str, report_id, user) -> dict:
    """The report ``report_id`` of ``cluster`` if ``user`` may read it (Missing otherwise)."""
    with store.engine.connect() as conn:
        r = _get(conn, report_id, cluster)
    if user is None or not (user.role == "province_admin" or (user.role == "city" and user.region_code == r.city_code)):
        raise Missing(report_id)
    return _row(r)


def save_draft(store, user, cluster: str, year, body: str, version=None) -> dict:
    """Create the city's report for the year, or edit it while a draft or returned."""
    y = _year(year)
    text = (body or "").strip() if isinstance(body, str) else None
    if not text:
        raise Invalid("field body: the report text is required (字段 body：须填写报告正文)")
    if len(text) > MAX_BODY:
        raise Invalid(f"field body: at most {MAX_BODY} characters (字段 body：不超过 {MAX_BODY} 字)")
    with store.begin() as conn:
        _check_cluster(conn, cluster)
        if not may_draft(conn, user, cluster):
            raise NotAllowed("only a city bureau of the cluster's cities drafts its report "
                             "(只有集群所在设区市的工信部门可以起草进展报告)")
        cur = conn.execute(sa.select(T).where(T.c.cluster_code == cluster, T.c.city_code == user.region_code,
                                              T.c.year == y)).first()
        t = now()
        if cur is None:
            rid = new_id(conn, "cluster_progress")
            conn.execute(T.insert().values(id=rid, cluster_code=cluster, city_code=user.region_code, year=y,
                                           status="draft", body=text, version=1, created_at=t,
                                           created_by=user.username, updated_at=t, updated_by=user.username))
        else:
            rid = cur.id
            if cur.status not in ("draft", "returned"):
                raise Refused(f"the report is {cur.status}: it can no longer be edited (报告已{_zh(cur.status)}，不能再修改)",
                              cur.status, "edit")
            if version is not None and int(version) != cur.version:
                raise Conflict(("cluster_progress", str(rid)), rid, cur.version, version)
            conn.execute(T.update().where(T.c.id == rid).values(body=text, version=cur.version + 1,
                                                                updated_at=t, updated_by=user.username))
        return _row(conn.execute(sa.select(T).where(T.c.id == rid)).one())


def _zh(status: str) -> str:
    return {"draft": "为草稿", "submitted": "提交", "returned": "退回", "approved": "审核通过"}.get(status, status)


def submit(store, user, cluster: str, report_id, figures: dict) -> dict:
    """The drafting city submits (draft or returned → submitted), keeping the figures it saw."""
    with store.begin() as conn:
        r = _get(conn, report_id, cluster)
        if user is None or user.role != "city" or user.region_code != r.city_code:
            raise Missing(report_id)
        if r.status not in ("draft", "returned"):
            raise Refused(f"only a draft or returned report can be submitted; this one is {r.status} "
                          f"(只有草稿或被退回的报告可以提交)", r.status, "submit")
        t = now()
        conn.execute(T.update().where(T.c.id == r.id).values(
            status="submitted", figures=json.dumps(figures, ensure_ascii=False, default=str), submitted_at=t,
            version=r.version + 1, updated_at=t, updated_by=user.username))
        return _row(conn.execute(sa.select(T).where(T.c.id == r.id)).one())


def review(store, user, cluster: str, report_id, action: str, note: str | None = None) -> dict:
    """The province approves or returns (with a note) a submitted report."""
    if action not in ("approve", "return"):
        raise Invalid(f"field action: {action!r} must be approve or return (字段 action 应为 approve 或 return)")
    note = (note or "").strip() if isinstance(note, (str, type(None))) else ""
    if action == "return" and not note:
        raise Invalid("field note: say why the report is returned (字段 note：退回须说明理由)")
    with store.begin() as conn:
        r = _get(conn, report_id, cluster)
        if user is None or user.role != "province_admin":
            raise NotAllowed("only the province reviews progress reports (只有省级部门审核进展报告)")
        if r.status != "submitted":
            raise Refused(f"only a submitted report can be reviewed; this one is {r.status} (只有已提交的报告可以审核)",
                          r.status, action)
        t = now()
        conn.execute(T.update().where(T.c.id == r.id).values(
            status="approved" if action == "approve" else "returned", review_note=note or None, reviewed_at=t,
            reviewed_by=user.username, version=r.version + 1, updated_at=t, updated_by=user.username))
        return _row(conn.execute(sa.select(T).where(T.c.id == r.id)).one())
