"""User accounts: create, verify, list, disable (argon2id password hashes).

Used by the ``chainbrain users`` command, the demo build
(:mod:`chainbrain.web.demo_users`) and sign-in (:mod:`chainbrain.web.auth`).
A role's scope is checked against the catalog when the account is created:
a ``city`` user needs a prefecture code, a ``county`` user a county code, a
``chain_office`` user a chain code, an ``enterprise`` user a valid USCC
(GB 32100-2015), a ``unit`` user a unit code of the pack (``work/units.csv``).

Passwords follow the policy of :mod:`chainbrain.web.passwords` (at least 12 characters, not
common, not the user name) whenever one is set: :func:`add_user`, :func:`set_password`,
:func:`reset_password`. They are hashed with argon2id with :data:`HASH_PARAMS` (RFC 9106
§4 second recommended option: t=3, m=64 MiB, p=4); the plain text is never stored. A hash
made with other parameters is replaced at the next successful sign-in (:func:`new_hash_if_needed`).

A reset (:func:`reset_password`) or a temporary password (``must_change=True``) marks the account
``must_change_password``: after signing in, the user can only choose a new password
(:mod:`chainbrain.web.password_gate`, :func:`change_password`), which must meet the policy and differ
from the one it replaces and from the user's last ``[server] password_history`` passwords (default 5:
every replaced hash goes to ``password_history``, :func:`_remember`; GB/T 22239-2019 asks for
password management without fixing a number, so the count is a setting).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from chainbrain.catalog.uscc import problem as uscc_problem
from chainbrain.store.schema_users import ROLES, user_account

#: argon2id parameters of new hashes (RFC 9106 §4, second recommended option); changing them makes
#: every older hash be replaced at its user's next sign-in
HASH_PARAMS = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4, "hash_len": 32, "salt_len": 16}
_hasher = PasswordHasher(**HASH_PARAMS)


class UserError(ValueError):
    """A bad account request; the message is bilingual."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    region_code: str | None = None
    chain_code: str | None = None
    uscc: str | None = None
    disabled: bool = False
    unit_code: str | None = None
    must_change: bool = False                 # a reset or temporary password: change it first

    @property
    def scope(self) -> str:
        """A short description of the scope, e.g. ``county:360102``."""
        value = {"city": self.region_code, "county": self.region_code, "chain_office": self.chain_code,
                 "enterprise": self.uscc, "unit": self.unit_code}.get(self.role)
        return f"{self.role}:{value}" if value else self.role


def _row_user(r) -> User:
    return User(id=int(r.id), username=r.username, role=r.role, region_code=r.region_code,
                chain_code=r.chain_code, uscc=r.uscc, disabled=bool(r.disabled),
                unit_code=getattr(r, "unit_code", None),
                must_change=bool(getattr(r, "must_change_password", None)))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password: str | None, username: str | None) -> None:
    """Raise :class:`UserError` when ``password`` breaks the policy (:mod:`chainbrain.web.passwords`)."""
    from chainbrain.web.passwords import problem

    why = problem(password, username)
    if why:
        raise UserError(why)


def check_scope(conn, role: str, region: str | None, chain: str | None, uscc: str | None,
                unit: str | None = None) -> dict:
    """The scope columns for ``role``, validated against the catalog."""
    if role not in ROLES:
        raise UserError(f"role {role!r} must be one of {', '.join(ROLES)} (角色应为 {'、'.join(ROLES)})")
    out = {"region_code": None, "chain_code": None, "uscc": None, "unit_code": None}
    if role in ("city", "county"):
        level = "prefecture" if role == "city" else "county"
        found = conn.execute(sa.text("SELECT level FROM region WHERE code = :c"), {"c": region or ""}).scalar()
        if found != level:
            raise UserError(f"role {role} needs --region with a {level} code, got {region!r} "
                            f"（{'市' if role == 'city' else '县'}级用户需要{'设区市' if role == 'city' else '县（市、区）'}代码）")
        out["region_code"] = region
    elif role == "chain_office":
        if not conn.execute(sa.text("SELECT 1 FROM chain WHERE code = :c"), {"c": chain or ""}).scalar():
            raise UserError(f"role chain_office needs --chain with a chain code, got {chain!r} (链长办用户需要产业链代码)")
        out["chain_code"] = chain
    elif role == "enterprise":
        code = (uscc or "").strip().upper()
        why = uscc_problem(code)
        if why:
            raise UserError(f"role enterprise needs --uscc with a valid USCC: {why} (企业用户需要有效的统一社会信用代码)")
        out["uscc"] = code
    elif role == "unit":
        from chainbrain.work.units import unit as find_unit, units

        if find_unit(unit) is None:
            known = ", ".join(u["code"] for u in units())
            raise UserError(f"role unit needs --unit with a unit code of the pack ({known}), got {unit!r} "
                            f"（部门用户需要单位代码）")
        out["unit_code"] = unit
    return out


_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")


def check_email(value: str | None) -> str | None:
    """A user's e-mail address, trimmed (None or "" → None); :class:`UserError` when malformed.

    The accepted form is the usual ``local@domain`` of RFC 5321 in ASCII: a local part of the
    characters RFC 5322 allows unquoted (no leading, trailing or doubled dot), a domain of at
    least two dot-separated labels of letters, digits and inner hyphens, 254 characters at most."""
    if value is None or not str(value).strip():
        return None
    v = str(value).strip()
    local = v.rpartition("@")[0]
    if (len(v) > 254 or len(local) > 64 or not _EMAIL.fullmatch(v) or local.startswith(".")
            or local.endswith(".") or ".." in local):
        raise UserError(f"email: {v!r} is not a valid e-mail address (email：{v} 不是有效的电子邮件地址)")
    return v


def add_user(store, username: str, password: str, role: str, region: str | None = None,
             chain: str | None = None, uscc: str | None = None, unit: str | None = None,
             email: str | None = None, must_change: bool = False) -> User:
    """Create an account; raises :class:`UserError` on a bad role/scope, short password, taken name
    or malformed e-mail address. ``must_change``: the password is temporary (changed at first sign-in)."""
    username = (username or "").strip()
    email = check_email(email)
    if not username or len(username) > 64:
        raise UserError("username must be 1–64 characters (用户名应为 1–64 个字符)")
    check_password(password, username)
    with store.begin() as conn:
        scope = check_scope(conn, role, region, chain, uscc, unit)
        if conn.execute(sa.select(user_account.c.id).where(user_account.c.username == username)).first():
            raise UserError(f"username {username!r} is taken (用户名 {username} 已存在)")
        uid = store.next_id(conn, "user_account")
        conn.execute(user_account.insert().values(
            id=uid, username=username, password_hash=hash_password(password), role=role, disabled=False,
            created_at=dt.datetime.now().replace(microsecond=0), email=email, must_change_password=must_change,
            **scope))
    return User(id=uid, username=username, role=role, must_change=must_change, **scope)


def list_users(store) -> list[dict]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(user_account).order_by(user_account.c.id)).all()
    return [{"id": int(r.id), "username": r.username, "role": r.role, "region_code": r.region_code,
             "chain_code": r.chain_code, "uscc": r.uscc, "unit_code": r.unit_code, "email": r.email,
             "disabled": bool(r.disabled), "must_change_password": bool(r.must_change_password),
             "created_at": r.created_at.isoformat(sep=" ") if r.created_at else None} for r in rows]


def enabled_accounts(store) -> list[User]:
    """Every enabled account as a :class:`User`, by id (the scopes the server prepares patterns and
    answers for: :func:`chainbrain.web.disclosure.scopes`, :func:`chainbrain.web.viewers.account_scopes`)."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(user_account).where(user_account.c.disabled.is_(False))
                            .order_by(user_account.c.id)).all()
    return [_row_user(r) for r in rows]


def recent_enterprise_accounts(store, limit: int) -> list[User]:
    """The enabled enterprise accounts, the most recently signed in first (a successful sign-in in
    ``login_attempt``; never signed in: last, by id), at most ``limit`` of them — the enterprise
    scopes ``chainbrain compute`` keeps patterns for (:func:`chainbrain.web.disclosure.scopes`)."""
    from chainbrain.store.schema_users import login_attempt

    if limit <= 0:
        return []
    last = (sa.select(login_attempt.c.username, sa.func.max(login_attempt.c.attempted_at).label("last"))
            .where(login_attempt.c.ok.is_(True)).group_by(login_attempt.c.username).subquery())
    q = (sa.select(user_account).select_from(user_account.outerjoin(last, last.c.username == user_account.c.username))
         .where(user_account.c.disabled.is_(False), user_account.c.role == "enterprise")
         .order_by(last.c.last.desc().nulls_last(), user_account.c.id).limit(limit))
    with store.engine.connect() as conn:
        return [_row_user(r) for r in conn.execute(q).all()]


def set_disabled(store, username: str, disabled: bool = True) -> bool:
    """Disable (or re-enable) an account and end its sessions; False when no such user."""
    from chainbrain.store.schema_users import web_session

    with store.begin() as conn:
        uid = conn.execute(sa.select(user_account.c.id).where(user_account.c.username == username)).scalar()
        if uid is None:
            return False
        conn.execute(user_account.update().where(user_account.c.id == uid).values(disabled=disabled))
        if disabled:
            conn.execute(web_session.delete().where(web_session.c.user_id == uid))
    return True


def set_email(store, username: str, email: str | None) -> bool:
    """Set (``None`` or "": clear) a user's e-mail address; False when no such user,
    :class:`UserError` when the address is malformed."""
    email = check_email(email)
    with store.begin() as conn:
        n = conn.execute(user_account.update().where(user_account.c.username == username).values(email=email)
                         .returning(user_account.c.id)).all()
    return bool(n)


def set_password(store, username: str, password: str, must_change: bool = False) -> bool:
    """Give ``username`` a new password (policy checked), end its sessions and lift its sign-in
    pauses; False when no such user, :class:`UserError` when the password breaks the policy.
    ``must_change``: a temporary password, to be replaced at the next sign-in."""
    from chainbrain.store.schema_users import web_session
    from chainbrain.web.throttle import forget_user

    check_password(password, username)
    digest = hash_password(password)                         # slow: before the transaction
    with store.begin() as conn:
        uid = conn.execute(sa.select(user_account.c.id).where(user_account.c.username == username)).scalar()
        if uid is None:
            return False
        old = conn.execute(sa.select(user_account.c.password_hash).where(user_account.c.id == uid)).scalar()
        conn.execute(user_account.update().where(user_account.c.id == uid)
                     .values(password_hash=digest, must_change_password=must_change))
        _remember(conn, uid, old)
        conn.execute(web_session.delete().where(web_session.c.user_id == uid))
        forget_user(conn, username)
    return True


def _matches(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class WrongPassword(UserError):
    """The current password given for a change is wrong (counted as a failed sign-in)."""


def account_row(store, user_id: int):
    """The account row of ``user_id`` (None when absent); a quick read the caller may serialize."""
    with store.engine.connect() as conn:
        return conn.execute(sa.select(user_account).where(user_account.c.id == user_id)).first()


def history_size() -> int:
    """How many replaced passwords a user's own change may not reuse (``[server] password_history``)."""
    from chainbrain.config import load_settings

    return load_settings().password_history


def previous_hashes(store, user_id: int) -> list[str]:
    """The hashes of ``user_id``'s last :func:`history_size` replaced passwords, newest first."""
    from chainbrain.store.schema_users import password_history as H

    n = history_size()
    if n <= 0:
        return []
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(H.c.password_hash).where(H.c.user_id == user_id)
                                 .order_by(H.c.replaced_at.desc()).limit(n)).scalars())


def _remember(conn, user_id: int, digest: str | None) -> None:
    """Keep ``digest`` (the hash being replaced) in ``password_history``; drop all but the newest
    :func:`history_size` of the user's."""
    from chainbrain.store.schema_users import password_history as H

    if not digest:
        return
    n = history_size()
    conn.execute(H.delete().where(H.c.user_id == user_id, H.c.password_hash == digest))
    if n > 0:
        conn.execute(H.insert().values(user_id=user_id, password_hash=digest,
                                       replaced_at=dt.datetime.now()))
    keep = sa.select(H.c.password_hash).where(H.c.user_id == user_id).order_by(H.c.replaced_at.desc()).limit(n)
    conn.execute(H.delete().where(H.c.user_id == user_id, H.c.password_hash.not_in(keep)))


def check_change(row, current: str, new: str, previous: list[str] = ()) -> str:
    """The hash of ``new`` for a user's own change of password on ``row`` (its account row), after the
    checks: ``current`` is the password now (:class:`WrongPassword` otherwise), ``new`` meets the policy,
    is not the password it replaces and none of ``previous`` (:func:`previous_hashes`) (:class:`UserError`).
    Slow (argon2, once per remembered password): call outside any lock."""
    if row is None or row.disabled:
        raise UserError("no such active user (无此有效用户)")
    if not _matches(row.password_hash, current):
        raise WrongPassword("the current password is wrong (当前密码不正确)")
    check_password(new, row.username)
    if _matches(row.password_hash, new):
        raise UserError("the new password must differ from the current one (新密码不能与当前密码相同)")
    if any(_matches(old, new) for old in previous):
        raise UserError(f"the new password was used before: choose one not among your last {len(previous)} "
                        f"(新密码与最近 {len(previous)} 次用过的密码之一相同，请另选)")
    return hash_password(new)


def commit_change(store, row, digest: str) -> User:
    """Store ``digest`` (:func:`check_change`) as ``row``'s password if no one changed it meanwhile, clear
    ``must_change_password`` and end every session of the user (the caller starts a new one)."""
    from chainbrain.store.schema_users import web_session

    with store.begin() as conn:
        done = conn.execute(user_account.update().where(user_account.c.id == row.id,
                                                        user_account.c.password_hash == row.password_hash)
                            .values(password_hash=digest, must_change_password=False)
                            .returning(user_account.c.id)).all()
        if not done:
            raise UserError("the password was changed meanwhile: sign in again (密码已被更改，请重新登录)")
        _remember(conn, row.id, row.password_hash)
        conn.execute(web_session.delete().where(web_session.c.user_id == row.id))
    return replace(_row_user(row), must_change=False)


def change_password(store, user_id: int, current: str, new: str) -> User:
    """A user's own change of password (:func:`check_change` then :func:`commit_change`); the changed user."""
    row = account_row(store, user_id)
    return commit_change(store, row, check_change(row, current, new, previous_hashes(store, user_id)))


def new_password() -> str:
    """A random password of 20 URL-safe characters (120 bits, ``secrets``) that meets the policy."""
    import secrets

    from chainbrain.web.passwords import problem

    while True:
        password = secrets.token_urlsafe(15)
        if problem(password) is None:
            return password


def reset_password(store, username: str) -> str | None:
    """Give ``username`` a new random one-time password (:func:`new_password`), to be changed at the next
    sign-in, and end its sessions; the password, or None when no such user."""
    password = new_password()
    return password if set_password(store, username, password, must_change=True) else None


def new_hash_if_needed(row, password: str) -> str | None:
    """After a successful check of ``password`` against ``row`` (its account row): a new hash when the
    stored one was made with other parameters than :data:`HASH_PARAMS` (slow: argon2), else None."""
    try:
        if not _hasher.check_needs_rehash(row.password_hash):
            return None
    except InvalidHashError:
        return None
    return hash_password(password)


def replace_hash(store, row, digest: str) -> None:
    """Store ``digest`` (:func:`new_hash_if_needed`) as ``row``'s hash if it is still the one checked."""
    with store.begin() as conn:
        conn.execute(user_account.update().where(user_account.c.id == row.id,
                                                 user_account.c.password_hash == row.password_hash)
                     .values(password_hash=digest))


def get_user(conn, user_id: int) -> User | None:
    r = conn.execute(sa.select(user_account).where(user_account.c.id == user_id)).first()
    return _row_user(r) if r else None


def lookup(store, username: str):
    """The account row for ``username`` (or None); a quick read the caller may serialize."""
    with store.engine.connect() as conn:
        return conn.execute(sa.select(user_account).where(user_account.c.username == (username or ""))).first()


def verify(store, username: str, password: str, row=...) -> User | None:
    """The enabled user with this password, else None (constant work for unknown names).

    ``row``: the account row already read with :func:`lookup` (so the slow argon2
    check can run without holding the store's lock)."""
    r = lookup(store, username) if row is ... else row
    if r is None:
        try:                                   # spend the same time as a real check
            _hasher.verify(_DUMMY, password or "")
        except (VerificationError, InvalidHashError):
            pass
        return None
    try:
        _hasher.verify(r.password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return None if r.disabled else _row_user(r)


_DUMMY = _hasher.hash("not-a-password")
