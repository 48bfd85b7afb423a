"""融通 needs kept in the store (``match_need``, migration 0026): imported, entered, closed.

Who may enter a need (:func:`may_enter`): the province (``province_admin``) for any buyer; a chain
office for a buyer of its chain (an enterprise it may see); an enterprise user for itself, when it is
a chain master (designation ``chain_master`` valid today). The need's chain is its segment's.
:func:`import_csv` loads the needs CSV (:mod:`chainbrain.ingest.match_needs`) all or nothing: a need id
already stored is replaced. :func:`record_event` writes a match event for a need the user may enter. Bad input raises :class:`~chainbrain.work.records.Invalid` (bilingual,
naming the field) before anything is written.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from chainbrain.store.schema_cultivation import match_need as T
from chainbrain.work.records import Invalid, NotAllowed, now

ROLES = ("province_admin", "chain_office", "enterprise")


def _segment_chain(conn, seg: str, where: str) -> str | None:
    row = conn.execute(sa.text("SELECT chain_code FROM segment WHERE code = :c"), {"c": seg}).first()
    if row is None:
        raise Invalid(f"{where}field segment_code: unknown segment {seg} (未知环节 {seg})")
    return row[0]


def _buyer(conn, uscc: str, where: str) -> int:
    row = conn.execute(sa.text("SELECT id FROM enterprise WHERE uscc = :u"), {"u": (uscc or "").upper()}).first()
    if row is None:
        raise Invalid(f"{where}field buyer_uscc: {uscc} is not in the library (需求方不在企业库中)")
    return int(row[0])


def _city(conn, city: str | None, where: str) -> str | None:
    if not city:
        return None
    lv = conn.execute(sa.text("SELECT level FROM region WHERE code = :c"), {"c": city}).scalar()
    if lv != "prefecture":
        raise Invalid(f"{where}field city: {city} is not a city code (不是设区市代码)")
    return city


def is_chain_master(conn, eid: int, day: dt.date) -> bool:
    return conn.execute(sa.text(
        "SELECT COUNT(*) FROM designation WHERE enterprise_id = :e AND kind = 'chain_master' "
        "AND valid_from <= :d AND (valid_to IS NULL OR valid_to >= :d)"), {"e": eid, "d": day}).scalar() > 0


def may_enter(store, user, buyer_id: int, chain: str | None) -> bool:
    """Whether ``user`` may enter (or close) a need of ``buyer_id`` in ``chain`` (module docstring)."""
    from chainbrain.web.policy import visible_ids

    if user is None or user.role not in ROLES:
        return False
    if user.role == "province_admin":
        return True
    if user.role == "chain_office":
        return chain == user.chain_code and buyer_id in visible_ids(store, user, [buyer_id])
    with store.engine.connect() as conn:
        own = conn.execute(sa.text("SELECT id FROM enterprise WHERE uscc = :u"), {"u": user.uscc}).scalar()
        return own == buyer_id and is_chain_master(conn, buyer_id, dt.date.today())


def _text(body: dict, key: str, limit: int) -> str:
    v = body.get(key)
    v = "" if v is None else str(v).strip()
    if len(v) > limit:
        raise Invalid(f"field {key}: at most {limit} characters (字段 {key} 最多 {limit} 个字符)")
    return v


def enter(store, user, body: dict) -> dict:
    """One need entered on the page: {need_id?, buyer_uscc (an enterprise user: its own), segment_code,
    product, city}. A new id ``N-<yyyymmdd>-<n>`` when none is given; an existing id is refused."""
    if user is None or user.role not in ROLES:
        raise NotAllowed("only the province, a chain office or a chain master may enter needs "
                         "(仅省厅、链长办或链主企业可录入需求)")
    buyer_uscc = user.uscc if user.role == "enterprise" else _text(body, "buyer_uscc", 18)
    seg, product, city = _text(body, "segment_code", 32), _text(body, "product", 500), _text(body, "city", 12)
    need_id = _text(body, "need_id", 64)
    if not buyer_uscc:
        raise Invalid("field buyer_uscc: empty (需求方统一社会信用代码不能为空)")
    if not seg:
        raise Invalid("field segment_code: empty (环节不能为空)")
    with store.engine.connect() as conn:
        buyer = _buyer(conn, buyer_uscc, "")
        chain = _segment_chain(conn, seg, "")
        city = _city(conn, city, "")
    if not may_enter(store, user, buyer, chain):
        raise NotAllowed("you may enter needs only for a chain master in your scope, or your own firm as a chain "
                         "master (只能为本范围内的链主企业录入需求，或以链主企业身份录入本企业需求)")
    with store.begin() as conn:
        if need_id:
            if conn.execute(sa.select(T.c.need_id).where(T.c.need_id == need_id)).first():
                raise Invalid(f"field need_id: {need_id} exists already (需求编号 {need_id} 已存在)")
        else:
            stem = f"N-{dt.date.today():%Y%m%d}-"
            n = conn.execute(sa.select(sa.func.count()).where(T.c.need_id.like(stem + "%"))).scalar()
            need_id = f"{stem}{int(n) + 1}"
        row = {"need_id": need_id, "buyer_id": buyer, "segment_code": seg, "chain_code": chain,
               "product": product or None, "city": city, "status": "open", "entered_by": user.username,
               "entered_at": now()}
        conn.execute(T.insert().values(**row))
    return {**row, "entered_at": row["entered_at"].isoformat(sep=" ")}


def import_csv(store, path, actor: str) -> int:
    """Load the needs CSV into the store (all or nothing; a stored need id is replaced); rows written."""
    from chainbrain.ingest.match_needs import read

    df = read(path)
    rows = []
    with store.engine.connect() as conn:
        for i, r in enumerate(df.to_dict("records"), start=2):
            where = f"{path}: row {i}, "
            rows.append({"need_id": r["need_id"], "buyer_id": _buyer(conn, r["buyer_uscc"], where),
                         "segment_code": r["segment_code"],
                         "chain_code": _segment_chain(conn, r["segment_code"], where),
                         "product": r["product"] or None, "city": _city(conn, r["city"], where),
                         "status": "open", "entered_by": actor[:64], "entered_at": now()})
    with store.begin() as conn:
        if rows:
            conn.execute(T.delete().where(T.c.need_id.in_([r["need_id"] for r in rows])))
            conn.execute(T.insert(), rows)
    return len(rows)


def needs(store, status: str | None = "open") -> pd.DataFrame:
    """The stored needs (``status`` None: all) as the frame :func:`chainbrain.analytics.cultivate_match.match`
    reads (buyer by USCC), with the buyer's id and name, chain and who entered it."""
    q = sa.text("SELECT n.need_id, e.uscc AS buyer_uscc, n.buyer_id, e.name AS buyer_name, n.segment_code, "
                "n.chain_code, COALESCE(n.product, '') AS product, COALESCE(n.city, '') AS city, n.status, "
                "n.entered_by, n.entered_at FROM match_need n JOIN enterprise e ON e.id = n.buyer_id"
                + (" WHERE n.status = :s" if status else "") + " ORDER BY n.need_id")
    with store.engine.connect() as conn:
        rows = conn.execute(q, {"s": status} if status else {}).mappings().all()
    cols = ["need_id", "buyer_uscc", "buyer_id", "buyer_name", "segment_code", "chain_code", "product", "city",
            "status", "entered_by", "entered_at"]
    return pd.DataFrame([dict(r) for r in rows], columns=cols)


def record_event(store, user, body: dict) -> int:
    """A match event from the page: {need_id, supplier_uscc, stage, date?, note?} by someone who may enter
    the need, about a supplier they may see (:func:`chainbrain.work.match_events.record`)."""
    from chainbrain.web.policy import visible_ids
    from chainbrain.work.match_events import record
    from chainbrain.work.records import Missing

    need_id = _text(body, "need_id", 64)
    with store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT n.buyer_id, n.chain_code, e.uscc FROM match_need n JOIN enterprise e "
                                   "ON e.id = n.buyer_id WHERE n.need_id = :n"), {"n": need_id}).first()
        sup = conn.execute(sa.text("SELECT id FROM enterprise WHERE uscc = :u"),
                           {"u": _text(body, "supplier_uscc", 18).upper()}).scalar()
    if row is None or not may_enter(store, user, int(row[0]), row[1]):
        raise Missing(need_id)
    if sup is None or int(sup) not in visible_ids(store, user, [int(sup)]):
        raise Invalid("field supplier_uscc: not an enterprise you may see (供应商不在您的数据权限范围内)")
    day = _text(body, "date", 10)
    try:
        day = dt.date.fromisoformat(day) if day else dt.date.today()
    except ValueError:
        raise Invalid(f"field date: {day!r} is not YYYY-MM-DD (日期格式应为 YYYY-MM-DD)") from None
    try:
        return record(store, need_id, row[2], _text(body, "supplier_uscc", 18).upper(), _text(body, "stage", 16),
                      day, user.username, row[1], _text(body, "note", 500) or None)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
