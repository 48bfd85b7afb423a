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

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from chainbrain.store import schema as S

ENDED = ("注销", "吊销", "迁出")
_PARENT = re.compile(r"^(.+?(?:股份有限公司|有限责任公司|有限公司|公司))(?=.+(?:分公司|分店|分厂|营业部|分部|分支机构))")
FIELDS = ("name", "address", "status", "parent")
_REG_SCHEMA = pa.schema([("enterprise_id", pa.int64()), ("status", pa.string()), ("status_on", pa.date32()),
                         ("parent_id", pa.int64()), ("former_names", pa.string()), ("batch_id", pa.int64())])
_HIST_SCHEMA = pa.schema([("enterprise_id", pa.int64()), ("field", pa.string()), ("old_value", pa.string()),
                          ("new_value", pa.string()), ("changed_on", pa.date32()), ("batch_id", pa.int64())])


def _t(name):
    return S.metadata.tables[name]


def ended(status: str | None) -> bool:
    return any(w in (status or "") for w in ENDED)


def fill_from_former_names(conn, names, codes, former) -> int:
    """Give rows without a USCC the USCC of the known enterprise their name or 曾用名 names (in place);
    a name that several enterprises with a USCC share names none of them (no guess)."""
    want = {}
    for i, code in enumerate(codes):
        if not code:
            olds = [o.strip() for o in [names[i] or "", *re.split(r"[;；,，|、]", former[i] or "")] if o.strip()]
            if olds:
                want[i] = olds
    if not want:
        return 0
    e = S.enterprise
    seen: dict[str, set] = {}
    allnames = sorted({n for olds in want.values() for n in olds})
    for i in range(0, len(allnames), 5000):
        for nm, u in conn.execute(sa.select(e.c.name, e.c.uscc).where(e.c.name.in_(allnames[i:i + 5000])
                                                                      & e.c.uscc.isnot(None))):
            seen.setdefault(nm, set()).add(u)
    found = {nm: next(iter(us)) for nm, us in seen.items() if len(us) == 1}
    n = 0
    for i, olds in want.items():
        hit = next((found[o] for o in olds if o in found), None)
        if hit:
            codes[i] = hit
            n += 1
    return n


def before(conn, codes) -> dict[str, dict]:
    """What the store knows of these USCCs now (name, address, status, parent). Many codes are first
    matched against one scan of the stored USCCs, so only stored ones are asked for in chunks."""
    e, r = S.enterprise, _t("enterprise_registry")
    out: dict[str, dict] = {}
    codes = sorted({c for c in codes if c})
    if len(codes) > 5000:
        from chainbrain.ingest.write_fresh import stored_usccs

        stored = stored_usccs(None, conn)
        if len(stored) == 0:
            return out
        hit = pc.is_in(pa.array(codes, pa.string()), value_set=stored).to_numpy(zero_copy_only=False)
        codes = [c for c, h in zip(codes, hit) if h]
    for i in range(0, len(codes), 5000):
        q = (sa.select(e.c.id, e.c.uscc, e.c.name, e.c.address, r.c.status, r.c.parent_id, r.c.former_names)
             .join(r, r.c.enterprise_id == e.c.id, isouter=True).where(e.c.uscc.in_(codes[i:i + 5000])))
        for row in conn.execute(q):
            out[row.uscc] = {"id": int(row.id), "name": row.name, "address": row.address, "status": row.status,
                             "parent": None if row.parent_id is None else str(row.parent_id),
                             "former_names": row.former_names}
    return out


def _lookup(conn, col, values) -> dict:
    """value → enterprise id for an enterprise column (uscc or name), in chunks.

    A USCC names one firm. A name may be shared: it resolves to the one firm of that name that has a
    USCC, else to the one firm of that name; a name still shared by several is left out (no parent is
    guessed). :func:`_lookup_uscc_less` resolves a record without USCC as the writer matched it."""
    e = S.enterprise
    values = sorted({v for v in values if v})
    found: dict = {}
    for i in range(0, len(values), 5000):
        for eid, v, u in conn.execute(sa.select(e.c.id, e.c[col], e.c.uscc).where(e.c[col].in_(values[i:i + 5000]))):
            found.setdefault(v, []).append((u is not None, int(eid)))
    if col == "uscc":
        return {v: ids[0][1] for v, ids in found.items()}
    out = {}
    for v, ids in found.items():
        pick = [i for has, i in ids if has] or [i for _, i in ids]
        if len(pick) == 1:
            out[v] = pick[0]
    return out


def _lookup_uscc_less(conn, names) -> dict:
    """name → id among firms without a USCC (the firms an import without USCC updates or creates:
    ``write`` matches such a record by name among them), the newest where several share it."""
    e = S.enterprise
    names = sorted({n for n in names if n})
    out: dict = {}
    for i in range(0, len(names), 5000):
        for eid, v in conn.execute(sa.select(e.c.id, e.c.name).where(e.c.name.in_(names[i:i + 5000])
                                                                      & e.c.uscc.is_(None)).order_by(e.c.id)):
            out[v] = int(eid)
    return out


def _parent_names(rec) -> list[str]:
    names = [(rec.get("parent_name") or "").strip()]
    if rec.get("is_branch"):
        m = _PARENT.match(rec.get("name") or "")
        names.append(m.group(1) if m else "")
    return [n for n in names if n]


def apply(store, conn, recs: list[dict], known: dict[str, dict], batch: int, today: dt.date | None = None,
          fresh_from: int | None = None) -> dict:
    """After the enterprise rows are written: registry status, parents, history, ended locations (set-wise).
    Firms created in this transaction (id ≥ ``fresh_from``) have no registry row to read or replace."""
    from chainbrain.ingest.mapping import older

    today = today or dt.date.today()
    reg, hist = _t("enterprise_registry"), _t("enterprise_registry_history")
    stats = {"history": 0, "ended": 0, "branches": 0}
    by_uscc = _lookup(conn, "uscc", [r.get("uscc") for r in recs] + [(r.get("parent_uscc") or "").strip().upper()
                                                                      for r in recs])
    by_name = _lookup(conn, "name", [n for r in recs for n in _parent_names(r)])
    uscc_less = _lookup_uscc_less(conn, [r["name"] for r in recs if not r.get("uscc")])
    eids = {}
    for k, rec in enumerate(recs):
        eid = by_uscc.get(rec["uscc"]) if rec.get("uscc") else uscc_less.get(rec["name"])
        if eid is not None:
            eids[k] = eid
    current: dict[int, dict] = {}
    ids = older(sorted(set(eids.values())), fresh_from)
    for i in range(0, len(ids), 5000):
        for r in conn.execute(sa.select(reg).where(reg.c.enterprise_id.in_(ids[i:i + 5000]))).mappings():
            current[int(r["enterprise_id"])] = dict(r)
    history, rows, ends = [], {}, {}
    for k, eid in eids.items():
        rec = recs[k]
        u = rec.get("uscc")
        old = known.get(u) if u else None
        parent = by_uscc.get((rec.get("parent_uscc") or "").strip().upper()) or next(
            (by_name[n] for n in _parent_names(rec) if n in by_name), None)
        stats["branches"] += parent is not None
        when = rec.get("status_date") or today
        new = {"name": rec.get("name"), "address": rec.get("address"), "status": rec.get("status"),
               "parent": None if parent is None else str(parent)}
        if old is not None:
            history += [{"enterprise_id": eid, "field": f, "old_value": old.get(f), "new_value": new[f],
                         "changed_on": when if f == "status" else today, "batch_id": batch}
                        for f in FIELDS if new[f] is not None and new[f] != old.get(f)]
        elif new["status"] and not (current.get(eid) or {}).get("status"):
            history.append({"enterprise_id": eid, "field": "status", "old_value": None, "new_value": new["status"],
                            "changed_on": when, "batch_id": batch})
        cur = current.get(eid) or rows.get(eid) or {}
        former = set(filter(None, ((old or {}).get("former_names") or cur.get("former_names") or "").split("|")))
        former |= {o.strip() for o in re.split(r"[;；,，|、]", rec.get("former_names") or "") if o.strip()}
        if old is not None and old.get("name") and old["name"] != new["name"]:
            former.add(old["name"])
        rows[eid] = {"enterprise_id": eid, "status": new["status"] or cur.get("status"),
                     "status_on": rec.get("status_date") if new["status"] else cur.get("status_on"),
                     "parent_id": parent if parent is not None else cur.get("parent_id"),
                     "former_names": "|".join(sorted(former)) or None, "batch_id": batch}
        if ended(new["status"]) and not ended((old or {}).get("status") or cur.get("status")):
            ends[eid] = when - dt.timedelta(days=1)
    changed = [r for eid, r in rows.items() if {k: v for k, v in r.items() if k != "batch_id"}
               != {k: v for k, v in (current.get(eid) or {}).items() if k != "batch_id"}]
    ch_ids = older([r["enterprise_id"] for r in changed], fresh_from)
    for i in range(0, len(ch_ids), 5000):
        conn.execute(reg.delete().where(reg.c.enterprise_id.in_(ch_ids[i:i + 5000])))
    if changed:
        store.bulk_insert(conn, "enterprise_registry", pa.Table.from_pylist(changed, schema=_REG_SCHEMA))
    if history:
        store.bulk_insert(conn, "enterprise_registry_history", pa.Table.from_pylist(history, schema=_HIST_SCHEMA))
        stats["history"] = len(history)
    if ends:
        stats["ended"] = _close_locations(store, conn, ends)
    return stats


def apply_fresh(store, conn, recs: dict[str, list], eids, batch: int, today: dt.date | None = None) -> dict:
    """:func:`apply` for enterprises this import created (``write_fresh``: no stored values, no registry row,
    no other row of the file naming them), column by column: ``recs`` holds the fields of :func:`apply`'s
    records as lists (one value per firm), ``eids`` their ids. The same rules then reduce to: a registry row
    for every firm (status and its date, the parent, the 曾用名), a status history row where a status is
    given, and an ended firm's location closed the day before its status date (else the import day)."""
    today = today or dt.date.today()
    n = len(eids)
    stats = {"history": 0, "ended": 0, "branches": 0}
    if not n:
        return stats
    pu = [(u or "").strip().upper() for u in recs["parent_uscc"]]
    names = {k: _parent_names({"parent_name": recs["parent_name"][k], "is_branch": recs["is_branch"][k],
                               "name": recs["name"][k]})
             for k in range(n) if recs["parent_name"][k] or recs["is_branch"][k]}
    by_uscc = _lookup(conn, "uscc", pu)
    by_name = _lookup(conn, "name", [x for v in names.values() for x in v])
    status, dates = recs["status"], recs["status_date"]
    reg = {"enterprise_id": [], "status": [], "status_on": [], "parent_id": [], "former_names": [], "batch_id": []}
    history, ends = [], {}
    for k in range(n):
        eid, st = int(eids[k]), status[k]
        parent = by_uscc.get(pu[k]) or next((by_name[x] for x in names.get(k, ()) if x in by_name), None)
        stats["branches"] += parent is not None
        when = dates[k] or today
        if st:
            history.append({"enterprise_id": eid, "field": "status", "old_value": None, "new_value": st,
                            "changed_on": when, "batch_id": batch})
        former = {o.strip() for o in re.split(r"[;；,，|、]", recs["former_names"][k] or "") if o.strip()}
        for c, v in (("enterprise_id", eid), ("status", st or None), ("status_on", dates[k] if st else None),
                     ("parent_id", parent), ("former_names", "|".join(sorted(former)) or None), ("batch_id", batch)):
            reg[c].append(v)
        if ended(st):
            ends[eid] = when - dt.timedelta(days=1)
    store.bulk_insert(conn, "enterprise_registry", pa.table(reg, schema=_REG_SCHEMA))
    if history:
        store.bulk_insert(conn, "enterprise_registry_history", pa.Table.from_pylist(history, schema=_HIST_SCHEMA))
        stats["history"] = len(history)
    if ends:
        stats["ended"] = _close_locations(store, conn, ends)
    return stats


def _close_locations(store, conn, ends: dict[int, dt.date]) -> int:
    """End the open ``region_code`` attribute of each firm on its date, in one statement; the number of firms
    whose location was open (counted before the update: DuckDB reports no row count for an UPDATE … FROM)."""
    conn.execute(sa.text("DROP TABLE IF EXISTS _cb_ends"))
    conn.execute(sa.text("CREATE TEMPORARY TABLE _cb_ends (enterprise_id BIGINT, last_day DATE)"))
    store.bulk_insert(conn, "_cb_ends", pa.table({"enterprise_id": pa.array(list(ends), pa.int64()),
                                                  "last_day": pa.array(list(ends.values()), pa.date32())}))
    n = conn.execute(sa.text(
        "SELECT COUNT(DISTINCT a.enterprise_id) FROM enterprise_attr a JOIN _cb_ends e ON a.enterprise_id = "
        "e.enterprise_id WHERE a.attr = 'region_code' AND a.valid_to IS NULL")).scalar_one()
    conn.execute(sa.text(
        "UPDATE enterprise_attr SET valid_to = e.last_day FROM _cb_ends e WHERE enterprise_attr.enterprise_id = "
        "e.enterprise_id AND enterprise_attr.attr = 'region_code' AND enterprise_attr.valid_to IS NULL"))
    conn.execute(sa.text("DROP TABLE _cb_ends"))
    return int(n)
