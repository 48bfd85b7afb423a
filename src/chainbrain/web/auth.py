"""Sign-in, sessions, CSRF tokens, login rate limiting and the audit trail.

- Session: a random 256-bit token in the ``cb_session`` cookie (HttpOnly,
  SameSite=Lax; ``Secure`` and named ``__Host-cb_session`` with ``serve --secure-cookies``,
  :mod:`chainbrain.web.headers`); the store keeps only
  its SHA-256 (``web_session``) with an expiry (8 hours) and the session's
  CSRF token.
- CSRF (OWASP synchronizer token): every state-changing request made with the
  session cookie must carry the session's token in the ``csrf_token`` form
  field or the ``X-CSRF-Token`` header. Before sign-in, the login form uses a
  double-submit cookie (``cb_csrf`` cookie = form field). ``POST /api/login``
  with a JSON body needs no token: a cross-site form cannot send JSON.
- Rate limiting (:mod:`chainbrain.web.throttle`): each attempt is counted per user name at its
  address, per address and per user name, in one transaction *before* the password is checked,
  with exponential back-off; a refused attempt gets 429 with ``Retry-After`` and is audited once
  per pause. The client address is the peer's, or with trusted proxies configured the rightmost
  untrusted ``X-Forwarded-For`` hop (:mod:`chainbrain.web.proxies`).
- A hash made with older argon2 parameters is replaced at sign-in (:func:`chainbrain.web.users.new_hash_if_needed`).
- Audit (``audit_log``): sign-in, sign-out, failed sign-in, import, export,
  edit — actor, action and a JSON detail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time

import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.pool import QueuePool

from chainbrain.store.schema_users import web_session
from chainbrain.web import throttle
from chainbrain.web import users as U
from chainbrain.web.cache import per_store
from chainbrain.web.headers import cookie_name
from chainbrain.web.proxies import client_address
from chainbrain.web.state import get_state

COOKIE = "cb_session"
CSRF_COOKIE = "cb_csrf"
SESSION_HOURS = 8


class SignInRequired(Exception):
    """Raised when a request needs a signed-in user (401)."""


class Forbidden(Exception):
    """Raised when the signed-in user's role may not do this (403)."""


class CsrfFailed(Exception):
    """Raised when a state-changing request lacks the right CSRF token (403)."""


class TooManyAttempts(Exception):
    """Raised when sign-in is rate limited (429); ``retry_after`` in seconds."""

    def __init__(self, retry_after: int = 60):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_of(request: Request) -> str:
    """The client's address: the peer's, or behind a trusted proxy the rightmost untrusted
    ``X-Forwarded-For`` hop (:mod:`chainbrain.web.proxies`)."""
    peer = request.client.host if request.client else "unknown"
    networks = getattr(get_state(request), "trusted_networks", ())
    return client_address(peer, request.headers.getlist("x-forwarded-for"), networks)[:64]


def session_cookie(request: Request) -> str:
    """The session cookie's name in this deployment (``__Host-`` prefixed with secure cookies)."""
    return cookie_name(COOKIE, get_state(request).secure_cookies)


def csrf_cookie(request: Request) -> str:
    """The pre-sign-in CSRF cookie's name in this deployment."""
    return cookie_name(CSRF_COOKIE, get_state(request).secure_cookies)


# ---------------------------------------------------------------- audit
def audit(store, actor: str, action: str, object: str | None = None, /, **detail) -> None:
    """Append one entry to the hash-chained audit log (:func:`chainbrain.store.audit.append`; no lock needed)."""
    from chainbrain.store.audit import append

    append(store, actor, action, object, **detail)


def actor_of(request: Request) -> str:
    u = current_user(request)
    return u.username if u else f"anonymous@{client_of(request)}"


# ---------------------------------------------------------------- sessions
class _Reader:
    """Reads of a DuckDB store from any thread: a pool of the store's own cursors (each a
    connection of its own to the same database; closed when the store closes)."""

    def __init__(self, store, size: int = 40, overflow: int = 8):
        # 40 kept open (one per worker thread of the server's pool): an overflow connection is a new
        # DuckDB connection, opened and closed per checkout — measured up to 190 ms under load
        import duckdb_engine

        raw = store._raw
        self.db, self.kind = store.db, store.kind
        self.engine = sa.create_engine("duckdb://", creator=lambda: duckdb_engine.ConnectionWrapper(raw.cursor()),
                                       poolclass=QueuePool, pool_size=size, max_overflow=overflow)


def read_store(store):
    """``store`` for reads without the analytics lock, from any request thread (``.engine`` only).

    PostgreSQL: ``store`` itself (its connection pool is thread-safe). DuckDB: one
    :class:`_Reader` per store, whose pooled connections are the store's cursors, so
    concurrent reads neither share nor wait for the application's connection. Reads see
    what writers have committed.
    """
    if store.kind != "duckdb":
        return store
    return per_store(store, "reader", lambda: _Reader(store))


#: seconds a session lookup is reused in this process. Sign-out here drops it at once; a session
#: ended or an account disabled by another process (the CLI) stops working within this time.
SESSION_TTL = 5.0


def _session_memo(store) -> dict:
    """{token digest: (valid until, user, csrf)} of this process."""
    return per_store(store, "sessions", dict)


def forget_sessions(store) -> None:
    """Drop this process's memo of every session (a user disabled or a password changed elsewhere)."""
    _session_memo(store).clear()


def forget_session(store, token: str | None) -> None:
    """Drop this process's memo of a session (sign-out)."""
    if token:
        _session_memo(store).pop(_digest(token), None)


def _lookup_session(store, digest: str):
    """(user, csrf) of a live session, or (None, None); reused for :data:`SESSION_TTL` seconds."""
    memo = _session_memo(store)
    hit = memo.get(digest)
    now = time.monotonic()
    if hit is not None and hit[0] > now:
        return hit[1], hit[2]
    ua = U.user_account
    q = sa.select(ua, web_session.c.csrf_token, web_session.c.expires_at).join(
        web_session, web_session.c.user_id == ua.c.id).where(web_session.c.token_hash == digest)
    with read_store(store).engine.connect() as conn:           # session and account in one query
        row = conn.execute(q).first()
    user = U._row_user(row) if row and row.expires_at > _now() else None
    out = (user, row.csrf_token) if user and not user.disabled else (None, None)
    if len(memo) > 10_000:
        memo.clear()
    if out[0] is not None:
        memo[digest] = (now + SESSION_TTL, *out)
    return out


def current_user(request: Request) -> U.User | None:
    """The signed-in user of this request (looked up once per request, without the analytics
    lock: :func:`read_store`), or None."""
    if "user" in request.state._state:
        return request.state.user
    request.state.user = None
    request.state.csrf = None
    token = request.cookies.get(session_cookie(request))
    if token:
        st = get_state(request)
        request.state.user, request.state.csrf = _lookup_session(st.store, _digest(token))
        if request.state.user is not None:
            st.note_viewer(request.state.user)     # its scope's answers kept ready (web/viewers.py)
    return request.state.user


def require_user(request: Request) -> U.User:
    """FastAPI dependency: a signed-in user, else 401."""
    user = current_user(request)
    if user is None:
        raise SignInRequired()
    return user


def require_admin(request: Request) -> U.User:
    """FastAPI dependency: a signed-in province administrator, else 401/403."""
    user = require_user(request)
    if user.role != "province_admin":
        raise Forbidden()
    return user


def start_session(store, user: U.User) -> tuple[str, str]:
    """A new session for ``user``: (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = _now()
    with store.begin() as conn:
        conn.execute(web_session.delete().where(web_session.c.expires_at < now))
        conn.execute(web_session.insert().values(token_hash=_digest(token), user_id=user.id, csrf_token=csrf,
                                                 created_at=now,
                                                 expires_at=now + dt.timedelta(hours=SESSION_HOURS)))
    return token, csrf


def end_session(store, token: str | None) -> None:
    if token:
        with store.begin() as conn:
            conn.execute(web_session.delete().where(web_session.c.token_hash == _digest(token)))


def set_session_cookie(response, token: str, secure: bool = False) -> None:
    response.set_cookie(cookie_name(COOKIE, secure), token, max_age=SESSION_HOURS * 3600, httponly=True,
                        samesite="lax", secure=secure, path="/")


def clear_session_cookie(response, secure: bool = False) -> None:
    response.delete_cookie(cookie_name(COOKIE, secure), path="/", secure=secure, httponly=True, samesite="lax")


# ---------------------------------------------------------------- CSRF
def csrf_token(request: Request) -> str:
    """The token a page embeds in its forms: the session's, or a fresh double-submit token."""
    current_user(request)
    if request.state.csrf:
        return request.state.csrf
    token = request.cookies.get(csrf_cookie(request))
    if not token:
        token = getattr(request.state, "new_csrf_cookie", None) or secrets.token_urlsafe(24)
        request.state.new_csrf_cookie = token          # app middleware sets the cookie
    return token


def check_csrf(request: Request, sent: str | None) -> None:
    """Raise :class:`CsrfFailed` unless ``sent`` (form field or header) is this client's token."""
    sent = sent or request.headers.get("x-csrf-token") or ""
    current_user(request)
    expected = request.state.csrf or request.cookies.get(csrf_cookie(request)) or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):   # bytes: any text
        raise CsrfFailed()


# ---------------------------------------------------------------- sign-in
def sign_in(request: Request, username: str, password: str) -> tuple[U.User, str, str]:
    """Check the password (throttled, audited); returns (user, cookie token, CSRF token).

    The attempt is counted (:func:`chainbrain.web.throttle.reserve`) before the password is checked
    and settled after it; a refused attempt raises :class:`TooManyAttempts` (audited once per
    pause) and a wrong name or password :class:`SignInRequired`.
    """
    st = get_state(request)
    client = client_of(request)
    username = (username or "").strip()[:64]
    with st.lock:                                           # the lock twice only: it also serves analytics
        verdict = throttle.reserve(st.store, username, client)
        if not verdict.allowed:
            if verdict.audit:
                audit(st.store, username or "?", "login_blocked", client=client, rule=verdict.rule,
                      until=verdict.until)
            raise TooManyAttempts(verdict.retry_after)
        try:
            row = U.lookup(st.store, username)               # the shared connection is used under the lock
        except BaseException:
            throttle.release(st.store, username, client, False)
            raise
    try:
        user = U.verify(st.store, username, password, row)  # argon2: slow on purpose, outside the lock
        rehash = U.new_hash_if_needed(row, password) if user else None
    except BaseException:
        with st.lock:
            throttle.release(st.store, username, client, False)
        raise
    with st.lock:
        throttle.release(st.store, username, client, user is not None)
        if user is None:
            audit(st.store, username or "?", "login_failed", client=client)
            raise SignInRequired()
        if rehash:
            U.replace_hash(st.store, row, rehash)
        token, csrf = start_session(st.store, user)
        audit(st.store, user.username, "login", client=client, role=user.role)
    return user, token, csrf


def sign_out(request: Request) -> None:
    st = get_state(request)
    user = current_user(request)
    token = request.cookies.get(session_cookie(request))
    forget_session(st.store, token)
    with st.lock:
        end_session(st.store, token)
        if user:
            audit(st.store, user.username, "logout", client=client_of(request))


# ---------------------------------------------------------------- own password
def change_own_password(request: Request, current: str, new: str) -> tuple[U.User, str, str]:
    """The signed-in user replaces its password (forced after a reset, or chosen); returns (user, cookie
    token, CSRF token) of a new session, every older session of the user having ended.

    A wrong ``current`` counts as a failed sign-in (:mod:`chainbrain.web.throttle`, 429 when paused).
    Audited: ``password_changed`` (with ``forced``), ``password_change_failed`` (with the reason).
    :class:`chainbrain.web.users.UserError` (bilingual) when refused.
    """
    st = get_state(request)
    user = require_user(request)
    client = client_of(request)
    with st.lock:
        verdict = throttle.reserve(st.store, user.username, client)
        if not verdict.allowed:
            if verdict.audit:
                audit(st.store, user.username, "login_blocked", client=client, rule=verdict.rule,
                      until=verdict.until)
            raise TooManyAttempts(verdict.retry_after)
        try:
            row = U.account_row(st.store, user.id)
            previous = U.previous_hashes(st.store, user.id)
        except BaseException:
            throttle.release(st.store, user.username, client, False)
            raise
    try:
        digest = U.check_change(row, current, new, previous)          # argon2: slow on purpose, outside the lock
    except U.UserError as exc:
        with st.lock:
            throttle.release(st.store, user.username, client, not isinstance(exc, U.WrongPassword))
            audit(st.store, user.username, "password_change_failed", client=client, reason=str(exc))
        raise
    except BaseException:
        with st.lock:
            throttle.release(st.store, user.username, client, False)
        raise
    with st.lock:
        throttle.release(st.store, user.username, client, True)
        changed = U.commit_change(st.store, row, digest)
        forget_sessions(st.store)                           # this process's memo of the ended sessions
        token, csrf = start_session(st.store, changed)
        audit(st.store, user.username, "password_changed", client=client, forced=user.must_change)
    request.state.user, request.state.csrf = changed, csrf
    return changed, token, csrf
