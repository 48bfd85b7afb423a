"""The policy list (政策清单, 一链一策): policies per chain and city with their measures, validity,
and the enterprise requests and tasks that cite them.

- A policy belongs to a chain (``chain_code``; none = every chain) and to the province or a city
  (``region_code``). Validity on a day: ``pending`` before ``valid_from``, ``in_force`` from it
  through ``valid_to`` (inclusive; none = no end), ``expired`` after.
- Citations: a handler who sees a request or task cites a policy for it (同题共答 answers often
  do); a policy's page lists the citing requests and tasks the caller may see (the request and
  task scope rules), and counts the others only.

Who: every signed-in role reads the list (policies are public documents). The province maintains
any; a chain office its chain's (at province level); a city bureau its city's. Edits name the
``version`` they read (stale → 409); every change is in the audit trail.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store.schema_work import work_request
from chainbrain.store.schema_work_programs import work_policy as pol
from chainbrain.store.schema_work_programs import work_policy_cite as cite_t
from chainbrain.store.schema_work_programs import work_policy_measure as meas_t
from chainbrain.store.schema_work_tasks import work_task
from chainbrain.work import program_base as pb
from chainbrain.work import records
from chainbrain.work import request_scope, task_scope
from chainbrain.work.records import Invalid, Missing, NotAllowed
from chainbrain.work.task_write import _date, _now, _text

ENTITY = ("policy", "政策")
PROVINCE = "360000"
READERS = ("province_admin", "chain_office", "city", "county", "unit", "viewer", "enterprise")
VALIDITY = {"pending": ("未生效", "not yet in force"), "in_force": ("有效", "in force"), "expired": ("已失效", "expired")}
HANDLERS = ("province_admin", "chain_office", "city", "county", "unit")


class PolicyNotFound(Missing):
    def __str__(self) -> str:
        return "policy not found (未找到该政策)"


def validity(r, day: dt.date) -> str:
    if day < r.valid_from:
        return "pending"
    return "expired" if r.valid_to is not None and day > r.valid_to else "in_force"


def _province(conn) -> str:
    return conn.execute(sa.text("SELECT code FROM region WHERE level = 'province'")).scalar() or PROVINCE


def _may_edit(conn, user, chain, region) -> bool:
    if user is None:
        return False
    if user.role == "province_admin":
        return True
    if user.role == "chain_office":
        return chain == user.chain_code and region == _province(conn)
    if user.role == "city":
        return region == user.region_code
    return False


def _measures(value) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").splitlines()
    out = [str(x).strip() for x in items if str(x).strip()]
    if not out:
        raise Invalid("measures: at least one measure (measures：至少填写一条政策措施)")
    if any(len(x) > 2000 for x in out):
        raise Invalid("measures: a measure is longer than 2000 characters (measures：单条措施超过 2000 字)")
    return out


def _fields(conn, user, data: dict, old=None) -> dict:
    get = (lambda k: data[k] if k in data else getattr(old, k)) if old is not None else data.get
    chain = get("chain_code") or None
    if chain:
        pb.check_chain(conn, chain)
    region = get("region_code") or (user.region_code if user.role == "city" else _province(conn))
    pb.check_region(conn, region)
    level = conn.execute(sa.text("SELECT level FROM region WHERE code = :c"), {"c": region}).scalar()
    if level not in ("province", "prefecture"):
        raise Invalid(f"region_code {region}: a policy belongs to the province or a city (region_code：政策属于全省或设区市)")
    vf = _date(get("valid_from"), "valid_from 生效日期")
    vt = _date(get("valid_to"), "valid_to 失效日期") if get("valid_to") else None
    if vt is not None and vt < vf:
        raise Invalid("valid_to must not be before valid_from (valid_to 失效日期不能早于生效日期)")
    return dict(title=_text(get("title"), "title 政策名称", 300), doc_number=_text(get("doc_number"), "doc_number 文号", 64, False),
                issuer=_text(get("issuer"), "issuer 发文单位", 128), chain_code=chain, region_code=region,
                valid_from=vf, valid_to=vt, summary=_text(get("summary"), "summary 摘要", 20000, False),
                source=_text(get("source"), "source 来源", 300, False))


def _snap(values: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()
            if k not in ("created_at", "updated_at", "is_demo", "created_by")}


def create_policy(conn, user, data: dict, is_demo: bool = False) -> int:
    values = _fields(conn, user, data)
    if not _may_edit(conn, user, values["chain_code"], values["region_code"]):
        raise NotAllowed("only the province, the chain's office (its chain) or a city bureau (its city) records "
                         "policies (只有省级、本链链长办或本市工信部门可以登记政策)")
    measures = _measures(data.get("measures"))
    pid = records.new_id(conn, "work_policy")
    conn.execute(pol.insert().values(id=pid, **values, **pb.stamp(user, is_demo)))
    for i, m in enumerate(measures, start=1):
        conn.execute(meas_t.insert().values(policy_id=pid, seq=i, text=m))
    records.trail(conn, user, "work_policy", pid, "create", None, {**_snap(values), "measures": measures})
    return pid


def _row(conn, user, pid):
    try:
        pid = int(pid)
    except (TypeError, ValueError):
        raise Invalid("policy_id must be an integer (policy_id 应为整数)") from None
    r = conn.execute(sa.select(pol).where(pol.c.id == pid)).first() if user and user.role in READERS else None
    if r is None:
        raise PolicyNotFound()
    return r


def update_policy(conn, user, pid, data: dict) -> int:
    """Change fields (and ``measures``); ``version`` required, stale → 409."""
    r = _row(conn, user, pid)
    sent = records.require_version(data.get("version"))
    if not _may_edit(conn, user, r.chain_code, r.region_code):
        raise NotAllowed("you may not change this policy (您不能修改该政策)")
    if sent != r.version:
        raise records.Conflict(ENTITY, int(r.id), r.version, sent)
    values = _fields(conn, user, data, r)
    if not _may_edit(conn, user, values["chain_code"], values["region_code"]):
        raise NotAllowed("you may not move this policy outside your chain or city (不能将政策改到本链或本市以外)")
    before = {k: getattr(r, k) for k in values}
    old_m = [m.text for m in conn.execute(sa.select(meas_t.c.text).where(meas_t.c.policy_id == r.id).order_by(meas_t.c.seq))]
    new_m = _measures(data["measures"]) if "measures" in data else old_m
    v = records.update_versioned(conn, pol, int(r.id), r.version, {**values, "updated_at": _now()}, ENTITY)
    if new_m != old_m:
        conn.execute(meas_t.delete().where(meas_t.c.policy_id == r.id))
        for i, m in enumerate(new_m, start=1):
            conn.execute(meas_t.insert().values(policy_id=int(r.id), seq=i, text=m))
    b, a = records.changed({**_snap(before), "measures": old_m}, {**_snap(values), "measures": new_m})
    records.trail(conn, user, "work_policy", int(r.id), "update", {**b, "version": r.version}, {**a, "version": v})
    return v


def cite(conn, user, pid, data: dict, today: dt.date) -> None:
    """Cite the policy for a request (``request_id``) or a task (``task_id``) the caller handles or sees."""
    r = _row(conn, user, pid)
    if user.role not in HANDLERS:
        raise NotAllowed("only offices, bureaus and units cite policies (只有工作部门可以引用政策)")
    if data.get("request_id") not in (None, ""):
        entity, table, where = "request", work_request, request_scope.visible_clause(conn, user)
        key = data["request_id"]
    elif data.get("task_id") not in (None, ""):
        entity, table, where, key = "task", work_task, task_scope.task_where(user), data["task_id"]
    else:
        raise Invalid("request_id or task_id is required (须填写 request_id 或 task_id)")
    try:
        eid = int(key)
    except (TypeError, ValueError):
        raise Invalid(f"{entity}_id must be an integer ({entity}_id 应为整数)") from None
    if conn.execute(sa.select(table.c.id).where(table.c.id == eid, where)).first() is None:
        raise Missing(f"{entity} {eid} not found or outside your scope (未找到或无权查看)")
    if conn.execute(sa.select(cite_t.c.policy_id).where(cite_t.c.policy_id == r.id, cite_t.c.entity == entity,
                                                         cite_t.c.entity_id == eid)).first():
        return
    conn.execute(cite_t.insert().values(policy_id=int(r.id), entity=entity, entity_id=eid, cited_on=today,
                                        cited_by=user.username))
    records.trail(conn, user, "work_policy", int(r.id), "cite", None, {"entity": entity, "entity_id": eid})


def list_policies(store, user, today: dt.date, filters: dict | None = None, lang: str = "zh") -> dict:
    """Policies (newest first) filtered by chain (its own and the every-chain ones), city (its own and
    the province's) and validity; with counts of citations."""
    if user is None or user.role not in READERS:
        raise PolicyNotFound()
    f = {k: v for k, v in (filters or {}).items() if v}
    if f.get("validity") and f["validity"] not in VALIDITY:
        raise Invalid(f"validity must be one of {', '.join(VALIDITY)} (validity 取值无效)")
    q = sa.select(pol)
    with store.engine.connect() as conn:
        prov = _province(conn)
        if f.get("chain"):
            q = q.where((pol.c.chain_code == f["chain"]) | pol.c.chain_code.is_(None))
        if f.get("region"):
            q = q.where(pol.c.region_code.in_([f["region"], prov]))
        rows = conn.execute(q.order_by(pol.c.valid_from.desc(), pol.c.id.desc())).all()
        ids = [int(r.id) for r in rows]
        counts = {}
        measures = {}
        if ids:
            for p, e, n in conn.execute(sa.select(cite_t.c.policy_id, cite_t.c.entity, sa.func.count())
                                        .where(cite_t.c.policy_id.in_(ids)).group_by(cite_t.c.policy_id, cite_t.c.entity)):
                counts[(int(p), e)] = int(n)
            for p, n in conn.execute(sa.select(meas_t.c.policy_id, sa.func.count()).where(meas_t.c.policy_id.in_(ids))
                                     .group_by(meas_t.c.policy_id)):
                measures[int(p)] = int(n)
        chains = {c: n for c, n in conn.execute(sa.text("SELECT code, name_zh FROM chain"))}
        regions = {c: n for c, n in conn.execute(sa.text("SELECT code, name FROM region"))}
    i = 1 if lang == "en" else 0
    items = []
    for r in rows:
        v = validity(r, today)
        if f.get("validity") and v != f["validity"]:
            continue
        items.append({"id": int(r.id), "title": r.title, "doc_number": r.doc_number, "issuer": r.issuer,
                      "chain_code": r.chain_code, "chain_name": chains.get(r.chain_code) if r.chain_code else
                      ("全部产业链" if i == 0 else "all chains"), "region_code": r.region_code,
                      "region_name": regions.get(r.region_code), "valid_from": r.valid_from.isoformat(),
                      "valid_to": r.valid_to.isoformat() if r.valid_to else None, "validity": v,
                      "validity_label": VALIDITY[v][i], "measures": measures.get(int(r.id), 0),
                      "cited_requests": counts.get((int(r.id), "request"), 0),
                      "cited_tasks": counts.get((int(r.id), "task"), 0), "version": r.version})
    return {"items": items, "total": len(items), "filters": f, "day": today.isoformat(),
            "by_validity": [{"validity": k, "label": VALIDITY[k][i], "policies": sum(t["validity"] == k for t in items)}
                            for k in VALIDITY],
            "can_create": user.role in ("province_admin", "chain_office", "city")}


def get_policy(store, user, pid, today: dt.date, lang: str = "zh") -> dict:
    with store.engine.connect() as conn:
        r = _row(conn, user, pid)
        ms = [m.text for m in conn.execute(sa.select(meas_t.c.text).where(meas_t.c.policy_id == r.id).order_by(meas_t.c.seq))]
        cites = conn.execute(sa.select(cite_t).where(cite_t.c.policy_id == r.id)).all()
        req_ids = [int(c.entity_id) for c in cites if c.entity == "request"]
        task_ids = [int(c.entity_id) for c in cites if c.entity == "task"]
        reqs = conn.execute(sa.select(work_request.c.id, work_request.c.title, work_request.c.status).where(
            work_request.c.id.in_(req_ids or [-1]), request_scope.visible_clause(conn, user)).order_by(work_request.c.id)).all()
        tasks = conn.execute(sa.select(work_task.c.id, work_task.c.title, work_task.c.status).where(
            work_task.c.id.in_(task_ids or [-1]), task_scope.task_where(user)).order_by(work_task.c.id)).all()
        editable = _may_edit(conn, user, r.chain_code, r.region_code)
        chains = {c: n for c, n in conn.execute(sa.text("SELECT code, name_zh FROM chain"))}
        regions = {c: n for c, n in conn.execute(sa.text("SELECT code, name FROM region"))}
        history = records.history(conn, "work_policy", int(r.id)) if editable else []
    i = 1 if lang == "en" else 0
    v = validity(r, today)
    return {"id": int(r.id), "title": r.title, "doc_number": r.doc_number, "issuer": r.issuer, "chain_code": r.chain_code,
            "chain_name": chains.get(r.chain_code) if r.chain_code else ("全部产业链" if i == 0 else "all chains"),
            "region_code": r.region_code, "region_name": regions.get(r.region_code),
            "valid_from": r.valid_from.isoformat(), "valid_to": r.valid_to.isoformat() if r.valid_to else None,
            "validity": v, "validity_label": VALIDITY[v][i], "summary": r.summary, "source": r.source,
            "measures": ms, "version": r.version, "editable": editable, "can_cite": user.role in HANDLERS,
            "requests": [{"id": int(x.id), "title": x.title, "status": x.status} for x in reqs],
            "tasks": [{"id": int(x.id), "title": x.title, "status": x.status} for x in tasks],
            "citations_hidden": len(cites) - len(reqs) - len(tasks), "history": history}
