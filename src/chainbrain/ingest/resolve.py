"""Entity resolution of registry imports: one enterprise across exports, renames, branches, status (#19).

Rules:

- the same USCC is the same enterprise in every export (a duplicate across exports updates it);
- a row without a USCC whose name or 曾用名 (former names) is the name of a known enterprise with
  a USCC is that enterprise (renamed): it takes that enterprise's USCC before the write;
- a branch (分公司 …) belongs to its parent: the parent given by 总公司统一社会信用代码 or
  总公司名称, else the name before the branch part ("江西甲有限公司南昌分公司" → "江西甲有限公司")
  when such an enterprise is known; kept in ``enterprise_registry.parent_id``;
- status (存续, 在业, 迁出, 注销, 吊销) and its date are kept in ``enterprise_registry``; a firm
  that becomes 注销, 吊销 or 迁出 stops being counted from that date: its open location
  (``enterprise_attr`` region_code) ends the day before (the analytics locate firms by it);
- every change of name, address, status or parent is a row of ``enterprise_registry_history``
  with the status date (else the import day) and the batch — a re-import of a newer export
  writes only what changed.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from chainbrain.store import schema as S

ENDED = ("注销", "吊销", "迁出")
_PARENT = re.compile(r"^(.+?(?:股份有限公司|有限责任公司|有限公司|公司))(?=.+(?:分公司|分店|分厂|营业部|分部|分支机构))")
FIELDS = ("name", "address", "status", "parent")


def _t(name):
    return S.metadata.tables[name]


def ended(status: str | None) -> bool:
    return any(w in (status or "") for w in ENDED)


def fill_from_former_names(conn, names, codes, former) -> int:
    """Give rows without a USCC the USCC of the known enterprise their 曾用名 names (in place)."""
    e = S.enterprise
    n = 0
    for i, (code, old) in enumerate(zip(codes, former)):
        if code or not (old or names[i]):
            continue
        olds = [o.strip() for o in [names[i] or "", *re.split(r"[;；,，|、]", old or "")] if o.strip()]
        hit = conn.execute(sa.select(e.c.uscc).where(e.c.name.in_(olds) & e.c.uscc.isnot(None))).first() if olds else None
        if hit:
            codes[i] = hit[0]
            n += 1
    return n


def before(conn, codes) -> dict[str, dict]:
    """What the store knows of these USCCs now (name, address, status, parent)."""
    e, r = S.enterprise, _t("enterprise_registry")
    out: dict[str, dict] = {}
    codes = sorted({c for c in codes if c})
    for i in range(0, len(codes), 5000):
        q = (sa.select(e.c.id, e.c.uscc, e.c.name, e.c.address, r.c.status, r.c.parent_id, r.c.former_names)
             .join(r, r.c.enterprise_id == e.c.id, isouter=True).where(e.c.uscc.in_(codes[i:i + 5000])))
        for row in conn.execute(q):
            out[row.uscc] = {"id": int(row.id), "name": row.name, "address": row.address, "status": row.status,
                             "parent": None if row.parent_id is None else str(row.parent_id),
                             "former_names": row.former_names}
    return out


def _parent_id(conn, rec) -> int | None:
    e = S.enterprise
    if rec.get("parent_uscc"):
        v = conn.execute(sa.select(e.c.id).where(e.c.uscc == rec["parent_uscc"].strip().upper())).scalar()
        if v is not None:
            return int(v)
    names = [rec.get("parent_name")]
    if rec.get("is_branch"):
        m = _PARENT.match(rec.get("name") or "")
        names.append(m.group(1) if m else None)
    for nm in filter(None, names):
        v = conn.execute(sa.select(e.c.id).where(e.c.name == nm.strip())).scalar()
        if v is not None:
            return int(v)
    return None


def apply(store, conn, recs: list[dict], known: dict[str, dict], batch: int, today: dt.date | None = None) -> dict:
    """After the enterprise rows are written: registry status, parents, history, ended locations."""
    today = today or dt.date.today()
    e, reg, hist, attr = S.enterprise, _t("enterprise_registry"), _t("enterprise_registry_history"), S.enterprise_attr
    stats = {"history": 0, "ended": 0, "branches": 0}
    for rec in recs:
        u = rec.get("uscc")
        if u:
            eid = conn.execute(sa.select(e.c.id).where(e.c.uscc == u)).scalar()
        else:
            eid = conn.execute(sa.select(e.c.id).where(e.c.name == rec["name"])).scalar()
        if eid is None:
            continue
        eid = int(eid)
        old = known.get(u) if u else None
        parent = _parent_id(conn, rec)
        stats["branches"] += parent is not None
        when = rec.get("status_date") or today
        new = {"name": rec.get("name"), "address": rec.get("address"), "status": rec.get("status"),
               "parent": None if parent is None else str(parent)}
        if old is not None:
            rows = [{"enterprise_id": eid, "field": f, "old_value": old.get(f), "new_value": new[f],
                     "changed_on": when if f == "status" else today, "batch_id": batch}
                    for f in FIELDS if new[f] is not None and new[f] != old.get(f)]
        else:
            rows = [{"enterprise_id": eid, "field": "status", "old_value": None, "new_value": new["status"],
                     "changed_on": when, "batch_id": batch}] if new["status"] else []
        if rows:
            conn.execute(hist.insert(), rows)
            stats["history"] += len(rows)
        former = set(filter(None, ((old or {}).get("former_names") or "").split("|")))
        former |= {o.strip() for o in re.split(r"[;；,，|、]", rec.get("former_names") or "") if o.strip()}
        if old is not None and old.get("name") and old["name"] != new["name"]:
            former.add(old["name"])
        cur = conn.execute(sa.select(reg).where(reg.c.enterprise_id == eid)).mappings().first()
        values = {"status": new["status"] or (cur["status"] if cur else None),
                  "status_on": rec.get("status_date") if new["status"] else (cur["status_on"] if cur else None),
                  "parent_id": parent if parent is not None else (cur["parent_id"] if cur else None),
                  "former_names": "|".join(sorted(former)) or None, "batch_id": batch}
        if cur:
            conn.execute(reg.update().where(reg.c.enterprise_id == eid).values(**values))
        else:
            conn.execute(reg.insert().values(enterprise_id=eid, **values))
        if ended(new["status"]) and not ended((old or {}).get("status")):
            last = when - dt.timedelta(days=1)
            n = conn.execute(attr.update().where((attr.c.enterprise_id == eid) & (attr.c.attr == "region_code")
                                                 & attr.c.valid_to.is_(None)).values(valid_to=last)).rowcount
            stats["ended"] += int(bool(n))
    return stats
