"""Sign-in throttling: attempts counted atomically, before the password is checked, with exponential back-off.

Every sign-in attempt is counted against three keys (table ``login_throttle``, one row each):

==========  ====================================  ====  ==========  ===========  =========
key         what it stops                          free  forgotten   first pause  longest
==========  ====================================  ====  ==========  ===========  =========
``pair``    guessing one account from one address     5  1 / 15 min  60 s         1 h
``addr``    one address trying many accounts         20  1 / min     60 s         1 h
``user``    many addresses guessing one account      50  1 / min     30 s         15 min
==========  ====================================  ====  ==========  ===========  =========

- A key counts its *failures*, of which one is forgotten every "forgotten" interval (a leaky
  bucket: ``updated_at`` is the clock of the leak). A failure that brings the count to ``free`` or
  above starts a pause of ``first pause × 2^(failures − free)`` (capped at "longest"); during the
  pause the key refuses every attempt (HTTP 429 with ``Retry-After``) without checking the password.
- Reservation (:func:`reserve`): in one transaction, before the password is checked, each key's
  row is read (locked on PostgreSQL) and its *pending* count raised. An attempt is refused while a
  key pauses, or while attempts in flight would take the count past ``free``
  (``failures + pending ≥ free`` with ``pending > 0``): 30 simultaneous wrong passwords reach the
  password check at most ``free`` times, and after a pause one attempt at a time.
- Release (:func:`release`): a failure adds one to every key's count; a success forgets the
  *pair*'s only. A success never clears an address or a user name, so a valid account of one's
  own cannot reset the counts of one's guesses at others.
- The owner of an account is not locked out by someone else's failures at another address:
  those count on the attacker's pair and address, and on the account's ``user`` key only,
  whose threshold (50 failures, forgotten at one a minute) is ten times the pair's; only an
  attack from many addresses at once reaches it, and then the owner waits at most 15 minutes.
- A reservation whose password check never ended (a killed process) stops counting as in
  flight after :data:`STALE` seconds.
- Refused attempts are audited once per pause (``audited_until``), not once per attempt
  (:func:`chainbrain.web.auth.sign_in`). Rows idle for :data:`FORGET` are deleted.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from chainbrain.store.schema_users import login_attempt, login_throttle
from chainbrain.web.cache import per_store


@dataclass(frozen=True)
class Rule:
    kind: str           # pair | addr | user
    free: int           # failures before the back-off starts
    leak_s: float       # one failure forgotten every leak_s seconds
    base_s: float       # the first pause
    max_s: float        # the longest pause


RULES = (Rule("pair", 5, 900.0, 60.0, 3600.0), Rule("addr", 20, 60.0, 60.0, 3600.0),
         Rule("user", 50, 60.0, 30.0, 900.0))
STALE = dt.timedelta(seconds=60)            # a reservation older than this is no longer in flight
FORGET = dt.timedelta(days=2)               # rows idle this long (and not pausing) are deleted
SWEEP = dt.timedelta(minutes=10)            # ... looked for at most this often per process
INFLIGHT_AUDIT = dt.timedelta(seconds=60)   # audit window of refusals caused by attempts in flight


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0            # seconds (refused attempts)
    rule: str | None = None         # the key that refused
    audit: bool = False             # the first refusal of this pause: write one audit row
    until: dt.datetime | None = None


def keys(username: str, client: str) -> list[tuple[Rule, str]]:
    """The rows one attempt counts on, in lock order."""
    names = {"pair": f"pair:{client}|{username}", "addr": f"addr:{client}", "user": f"user:{username}"}
    return sorted(((r, names[r.kind]) for r in RULES), key=lambda x: x[1])


def settle(row, rule: Rule, now: dt.datetime) -> tuple[int, dt.datetime]:
    """The row's failures at ``now`` (one forgotten per whole ``rule.leak_s`` since ``updated_at``) and
    the leak's new clock."""
    count = int(row.failures)
    leaked = int(max(0.0, (now - row.updated_at).total_seconds()) // rule.leak_s)
    if leaked >= count:
        return 0, now
    return count - leaked, row.updated_at + dt.timedelta(seconds=leaked * rule.leak_s)


def pending_at(row, now: dt.datetime) -> int:
    """Attempts in flight: the row's count unless its last reservation is stale."""
    if not row.pending or row.reserved_at is None or now - row.reserved_at >= STALE:
        return 0
    return int(row.pending)


def pause(failures: int, rule: Rule) -> float:
    """Seconds of back-off after a failure that left ``failures`` (0 below ``rule.free``)."""
    if failures < rule.free:
        return 0.0
    return min(rule.max_s, rule.base_s * 2.0 ** min(failures - rule.free, 32))


def refusal(row, rule: Rule, now: dt.datetime) -> dt.datetime | None:
    """When the key stops refusing (None: it allows an attempt now)."""
    if row.blocked_until is not None and row.blocked_until > now:
        return row.blocked_until
    pending = pending_at(row, now)
    if pending > 0 and settle(row, rule, now)[0] + pending >= rule.free:
        return now + dt.timedelta(seconds=1)           # wait for the attempts in flight
    return None


def _rows(conn, store, names: list[str], now: dt.datetime) -> dict:
    """The keys' rows, created if missing, locked on PostgreSQL until the transaction ends."""
    fresh = [{"key": k, "failures": 0, "pending": 0, "updated_at": now} for k in names]
    conn.execute(pg_insert(login_throttle).values(fresh).on_conflict_do_nothing(index_elements=["key"]))
    q = sa.select(login_throttle).where(login_throttle.c.key.in_(names)).order_by(login_throttle.c.key)
    if store.kind == "postgres":
        q = q.with_for_update()
    return {r.key: r for r in conn.execute(q)}


def _update(conn, key: str, **values) -> None:
    conn.execute(login_throttle.update().where(login_throttle.c.key == key).values(**values))


def reserve(store, username: str, client: str, now: dt.datetime | None = None) -> Verdict:
    """Count an attempt before its password is checked (one transaction); the :class:`Verdict`.

    Allowed: every key's ``pending`` is raised, and :func:`release` must follow. Refused: nothing is
    counted; ``audit`` is True for the first refusal of the refusing key's pause."""
    now = now or dt.datetime.now()
    order = keys(username, client)
    swept = per_store(store, "throttle-swept", lambda: [None])
    with store.begin() as conn:
        if swept[0] is None or abs(now - swept[0]) >= SWEEP:        # idle rows, now and then
            swept[0] = now
            conn.execute(login_throttle.delete().where(
                login_throttle.c.updated_at < now - FORGET,
                sa.or_(login_throttle.c.reserved_at.is_(None), login_throttle.c.reserved_at < now - FORGET),
                sa.or_(login_throttle.c.blocked_until.is_(None), login_throttle.c.blocked_until < now)))
        rows = _rows(conn, store, [k for _, k in order], now)
        for rule, key in order:
            row = rows[key]
            until = refusal(row, rule, now)
            if until is None:
                continue
            first = row.audited_until is None or row.audited_until <= now
            if first:
                _update(conn, key, audited_until=max(until, now + INFLIGHT_AUDIT))
            return Verdict(False, max(1, math.ceil((until - now).total_seconds())), rule.kind, first, until)
        for rule, key in order:
            row = rows[key]
            _update(conn, key, reserved_at=now, pending=pending_at(row, now) + 1)
    return Verdict(True)


def release(store, username: str, client: str, ok: bool, now: dt.datetime | None = None) -> None:
    """The password check of a reserved attempt ended (``ok``: it matched): one transaction that
    lowers ``pending``, counts a failure on every key (and starts its pause) or forgets the pair's
    failures, and records the attempt in ``login_attempt``."""
    now = now or dt.datetime.now()
    order = keys(username, client)
    with store.begin() as conn:
        rows = _rows(conn, store, [k for _, k in order], now)
        for rule, key in order:
            row = rows[key]
            values = {"pending": max(0, pending_at(row, now) - 1)}
            if ok and rule.kind == "pair":
                values.update(failures=0, updated_at=now, blocked_until=None)
            elif not ok:
                failures, clock = settle(row, rule, now)
                wait = pause(failures + 1, rule)
                values.update(failures=failures + 1, updated_at=clock)
                if wait:
                    values["blocked_until"] = now + dt.timedelta(seconds=wait)
            _update(conn, key, **values)
        conn.execute(login_attempt.insert().values(id=store.next_id(conn, "login_attempt"), username=username[:64],
                                                   client=client[:64], attempted_at=now.replace(microsecond=0),
                                                   ok=ok))


def forget_user(conn, username: str) -> None:
    """Lift ``username``'s pauses: its ``user`` key and its pairs at every address (a new password
    was set by an administrator); the addresses' own counts stay."""
    name = username.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    conn.execute(login_throttle.delete().where(sa.or_(
        login_throttle.c.key == f"user:{username}",
        login_throttle.c.key.like(f"pair:%|{name}", escape="!"))))
