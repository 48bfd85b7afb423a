"""Shared pieces of the work programmes (joint R&D, guidance fund, policy list): money input,
the created/updated stamp, the caller's own enterprise, the managing-office check, and names of
enterprises shown only to callers who may see them.

A party that is an enterprise (a problem's poster, an applicant, an investee) is named only to a
caller who may see that enterprise individually (``visible(ids) -> set``, the web layer's
:func:`chainbrain.web.policy.visible_ids`); anyone else reads the masked label.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from chainbrain.work import task_scope as scope
from chainbrain.work.records import Invalid, NotAllowed
from chainbrain.work.task_write import _now

MASK = ("（企业，名称不公开）", "(an enterprise, name withheld)")


def money(value, field: str, required: bool = True) -> Decimal | None:
    """An amount in yuan, rounded to the fen; negative or non-numeric → :class:`Invalid`."""
    if value is None or value == "":
        if required:
            raise Invalid(f"{field} is required ({field} 为必填项)")
        return None
    try:
        d = Decimal(str(value).replace(",", "")).quantize(Decimal("0.01"))
    except Exception:
        raise Invalid(f"{field} must be an amount in yuan ({field} 应为金额，单位元)") from None
    if not d.is_finite() or d < 0:
        raise Invalid(f"{field} must not be negative ({field} 不能为负)")
    return d


def stamp(user, is_demo: bool = False) -> dict:
    now = _now()
    return {"version": 1, "created_at": now, "created_by": user.username, "updated_at": now, "is_demo": is_demo}


def own_enterprise(conn, user) -> tuple[int, str | None] | None:
    """(id, region) of an enterprise user's firm; None for other roles."""
    if user is None or user.role != "enterprise" or not user.uscc:
        return None
    r = conn.execute(sa.text("SELECT id, region_code FROM enterprise WHERE uscc = :u"), {"u": user.uscc}).first()
    return (int(r[0]), r[1]) if r else None


def check_chain(conn, code, field: str = "chain_code") -> str:
    if not code or not conn.execute(sa.text("SELECT 1 FROM chain WHERE code = :c"), {"c": code}).scalar():
        raise Invalid(f"{field}: unknown chain {code!r} ({field}：未知的产业链)")
    return code


def check_region(conn, code, field: str = "region_code") -> str:
    if not code or not conn.execute(sa.text("SELECT 1 FROM region WHERE code = :c"), {"c": code}).scalar():
        raise Invalid(f"{field}: unknown region {code!r} ({field}：未知的行政区划)")
    return code


def manages_chain(user, chain: str | None) -> bool:
    """The province, or the chain's own office."""
    return user is not None and (user.role == "province_admin"
                                 or (user.role == "chain_office" and chain is not None and user.chain_code == chain))


def require_manager(conn, user, chain: str | None, region: str | None, what: tuple[str, str]) -> None:
    """The province, the chain's office, or (with a region) that region's bureau; else :class:`NotAllowed`."""
    if manages_chain(user, chain):
        return
    if region and user is not None and user.role in ("city", "county") and scope.in_region(conn, user, region):
        return
    raise NotAllowed(f"only the province, the chain's office or the region's bureau may change this {what[0]} "
                     f"(只有省级、本链链长办或属地工信部门可以维护该{what[1]})")


def names(conn, ids) -> dict[int, str]:
    ids = sorted({int(i) for i in ids if i is not None})
    if not ids:
        return {}
    rows = conn.execute(sa.text(f"SELECT id, name FROM enterprise WHERE id IN ({', '.join(map(str, ids))})"))
    return {int(r[0]): r[1] for r in rows}


def party(eid, label: str | None, seen: set, lang: str) -> str | None:
    """A party's label: its own text unless it is an enterprise the caller may not see."""
    if eid is not None and int(eid) not in seen:
        return MASK[1 if lang == "en" else 0]
    return label
