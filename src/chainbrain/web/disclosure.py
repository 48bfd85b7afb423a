"""Statistical disclosure control for aggregates: primary rule and the viewer's suppression pattern.

Every page applies one pattern per viewer scope and period (:class:`Guard`),
computed in :mod:`chainbrain.analytics.suppression` (primary and secondary
suppression over the region, scope, in-record and segment relations) and
cached per data key (content): the same cell is never hidden on one page and shown
on another. :func:`withheld` / :func:`protect` below are the primary rule on
counts alone, kept for records outside the pattern (e.g. target shares).

Rule (DESIGN.md §4, Statistics Law): an aggregate cell built from fewer than
``min_cell`` (3) enterprises is withheld wherever the viewer could not see
those enterprises individually. Until sign-in exists every viewer is
anonymous, so every public figure passes through :func:`protect`.

Each KPI field is built from a known set of enterprises:

- current sample (``above_scale_count``): revenue_ytd_yuan;
- base-year sample (``target_base_count``) and current sample together:
  target_path_yuan, target_ratio, target_status;
- previous-year sample (``prev_count``): revenue_ytd_prev_yuan; yoy_naive
  needs both samples;
- comparable sample (``comparable_count``): comparable_current_yuan,
  comparable_base_yuan, yoy_comparable.

Withheld fields become ``None`` and are listed in ``suppressed``; counts of
enterprises are not confidential and stay.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

MIN_CELL = 3

CURRENT = ("revenue_ytd_yuan",)
PATH = ("target_path_yuan", "target_ratio", "target_status")
PREVIOUS = ("revenue_ytd_prev_yuan",)
NAIVE = ("yoy_naive",)
COMPARABLE = ("comparable_current_yuan", "comparable_base_yuan", "yoy_comparable")


def withheld(rec: dict, min_cell: int = MIN_CELL) -> list[str]:
    """The fields of a KPI record that must be withheld from an anonymous viewer."""
    if min_cell <= 1:
        return []

    def small(n) -> bool:
        return 0 < int(n or 0) < min_cell

    out: list[str] = []
    cur, prev, comp = (rec.get("above_scale_count"), rec.get("prev_count"), rec.get("comparable_count"))
    if small(cur):
        out += CURRENT
    if small(cur) or small(rec.get("target_base_count")):
        out += PATH
    if small(prev):
        out += PREVIOUS
    if small(cur) or small(prev):
        out += NAIVE
    if small(comp):
        out += COMPARABLE
    return [f for f in out if f in rec]


def protect(rec: dict, min_cell: int = MIN_CELL) -> dict:
    """A copy of ``rec`` with withheld fields set to None and listed in ``suppressed``."""
    fields = withheld(rec, min_cell)
    out = dict(rec)
    for f in fields:
        out[f] = None
    out["suppressed"] = fields
    return out


# ---------------------------------------------------------------- the viewer's pattern
class Guard:
    """A viewer's disclosure control, for every page.

    ``guard(chain, region)`` is the old per-cell rule (``min_cell`` or 1 when the viewer's scope
    covers the cell; the operations page's own reporter counts); :meth:`protect` withholds the fields of a KPI record
    the viewer's suppression pattern for the record's period hides. ``visible``: the enterprises
    the viewer sees individually (``None``: all of them); ``key``: the viewer's scope (cache key).
    """

    def __init__(self, store, visible, min_cell: int = MIN_CELL, key: tuple = ("anon",), covers=None):
        self.store, self.visible, self.min_cell, self.key = store, visible, min_cell, key
        self._covers = covers

    def __call__(self, chain, region) -> int:
        return 1 if self._covers is not None and self._covers(chain, region) else self.min_cell

    def pattern(self, period: str, fresh: bool = False):
        """The :class:`~chainbrain.analytics.suppression.Pattern` of ``period``, computed with every
        year of the same month (:mod:`chainbrain.analytics.suppression_periods`: a sum shown in one
        period is never withheld in another); cached per data key (:func:`cache_version`), and kept in the store
        (:mod:`chainbrain.store.patterns`) for the next process. ``fresh``: compute it again and
        keep it (``chainbrain compute``)."""
        import dataclasses
        import time

        from chainbrain.analytics import suppression, suppression_periods
        from chainbrain.periods import parse_period
        from chainbrain.web.cache import MISSING
        from chainbrain.web.kept import AS_OF

        p = parse_period(period)
        if AS_OF.get() is not None:                       # as kept at an earlier data key (web/stale.py)
            pat = _pattern_as_of(self.store, p, self.key, self.min_cell, AS_OF.get())
            return pat if pat.period == p.label else dataclasses.replace(pat, period=p.label)
        cache = _cache_of(self.store)
        version = cache_version(self.store)
        key = ("pattern", p.ytd_label, self.key, self.min_cell)
        pat = MISSING if fresh else cache.lookup(version, key)
        if pat is MISSING:
            memo: dict = {}                 # memberships shared by the periods of the family

            def universe_of(label):
                u = cache.lookup(version, ("universe", label))
                if u is MISSING:
                    u = suppression.universe(self.store, label, memo=memo)
                    cache.put(version, ("universe", label), u)
                return u

            # viewer independent: computed once per data version and family (the years with reports for
            # the month, and the period's own year — a period without reports has a family of its own)
            t0, how = time.perf_counter(), "kept"
            fam = tuple(x.ytd_label for x in suppression_periods.family(self.store, p))
            with one_at_a_time((self.store.kind, str(self.store.db), version, "pattern", fam, self.key,
                                self.min_cell)):
                pat = MISSING if fresh else cache.lookup(version, key)
                if pat is not MISSING:                    # found by the caller it waited for
                    return pat if pat.period == p.label else dataclasses.replace(pat, period=p.label)
                pats = None if fresh else _kept(self.store, cache, version, fam, self.key, self.min_cell)
                inputs = None
                if pats is None:                          # kept at earlier data read from the same rows
                    inputs = _inputs_key(self.store, cache, version, p.month, fam, self.visible, self.min_cell)
                    pats = _carried(self.store, cache, version, fam, self.key, self.min_cell, inputs=inputs)
                    how = "carried, same rows"
                if pats is None:
                    with one_at_a_time((self.store.kind, str(self.store.db), version, "joint", fam)):
                        joint = cache.lookup(version, ("joint", fam))
                        how = "joint in memory"
                        if joint is MISSING:
                            joint, how = suppression_periods.joint(self.store, p, universe_of), "joint built"
                            cache.put(version, ("joint", fam), joint)
                    pats = _carried(self.store, cache, version, fam, self.key, self.min_cell, joint, self.visible,
                                    inputs)
                    if pats is None:
                        how += ", solved"
                        pats = suppression_periods.patterns_of_joint(joint, self.visible, self.min_cell)
                        _keep(self.store, cache, version, fam, self.key, self.min_cell, pats, joint, self.visible,
                              inputs)
                    else:
                        how += ", carried"
                _log.info("disclosure pattern %s for %s not in memory: %s, %.3f s", p.ytd_label,
                          "/".join(str(x) for x in self.key if x) or "-", how, time.perf_counter() - t0)
                for label, x in pats.items():
                    cache.put(version, ("pattern", label, self.key, self.min_cell), x)
                    if label == p.ytd_label:
                        pat = x
        return pat if pat.period == p.label else dataclasses.replace(pat, period=p.label)

    def focus_pattern(self, year: int):
        """The pattern of the focus pages' annual region × segment cells of ``year``
        (:mod:`chainbrain.analytics.suppression_focus`; cached per data key)."""
        from chainbrain.analytics import suppression_focus, suppression_periods
        from chainbrain.web.cache import MISSING

        cache, version = _cache_of(self.store), cache_version(self.store)
        key = ("focus-pattern", int(year), self.key, self.min_cell)
        pat = cache.lookup(version, key)
        if pat is MISSING:
            u = cache.lookup(version, ("focus-universe", int(year)))
            if u is MISSING:
                u = suppression_focus.universe(self.store, int(year))
                cache.put(version, ("focus-universe", int(year)), u)
            pat = suppression_periods.audited_pattern(u, self.visible, self.min_cell)
            cache.put(version, key, pat)
        return pat

    def focus_withheld(self, year: int, level: str):
        """``withhold(region, segment)`` → the evidence fields of a focus cell to withhold."""
        from chainbrain.analytics import suppression_focus

        if self.visible is None or self.min_cell <= 1:
            return lambda region, segment: []
        hidden = self.focus_pattern(year).hidden
        return lambda region, segment: suppression_focus.withheld(hidden, level, region, segment)

    def fields(self, rec: dict, chain, region) -> list[str]:
        if not rec.get("period") or self.visible is None or self.min_cell <= 1:
            return []
        return self.pattern(rec["period"]).fields(rec, chain, region, rec.get("scope") or "all")

    def protect(self, rec: dict, chain, region) -> dict:
        """A copy of ``rec`` (the KPI record of cell chain × region) with the pattern's fields None."""
        fields = self.fields(rec, chain, region)
        out = dict(rec)
        for f in fields:
            out[f] = None
        out["suppressed"] = fields
        return out

    def hidden(self, period: str, measure: str, chain, region, scope: str) -> bool:
        """Whether the sum ``measure`` (cur, cc, cb, prev, base) of the cell is withheld."""
        if self.visible is None or self.min_cell <= 1:
            return False
        return (measure, chain, region, scope) in self.pattern(period).hidden

    def segment_hidden(self, period: str, chain: str, segment: str, scope: str) -> bool:
        if self.visible is None or self.min_cell <= 1:
            return False
        return self.pattern(period).segment_hidden(chain, segment, scope)

    def knows(self, period: str, chain, region, scope: str) -> bool:
        """Whether the viewer sees every enterprise of the cell's current sample individually."""
        return self.visible is None or ("cur", chain, region, scope) in self.pattern(period).unseen_empty


_log = __import__("logging").getLogger(__name__)

_FLIGHTS: dict = {}                     # key → [lock, holders and waiters]
_FLIGHTS_LOCK = threading.Lock()


@contextmanager
def one_at_a_time(key: tuple):
    """Hold the lock of ``key`` (a family's joint universe, or a family's patterns for one scope): a
    second caller waits for the first and then finds its result in the cache or the store instead of
    building it again (the load test's log: two requests solved the same enterprise scope's family
    at once, 50–115 s each). A request waits at most ``CHAINBRAIN_QUEUE_WAIT_S``
    (:func:`~chainbrain.web.admission.deadline`), then is refused with 503; the server's own work
    waits its turn. Locks are taken in one order (a scope's patterns, then the family's joint)
    and the work under them takes no other, so no two callers wait for each other."""
    from chainbrain.web.admission import Busy, deadline

    with _FLIGHTS_LOCK:
        entry = _FLIGHTS.setdefault(key, [threading.Lock(), 0])
        entry[1] += 1
    try:
        wait = deadline()
        if not entry[0].acquire(timeout=-1 if wait is None else wait):
            raise Busy(503)
        try:
            yield
        finally:
            entry[0].release()
    finally:
        with _FLIGHTS_LOCK:
            entry[1] -= 1
            if entry[1] == 0 and _FLIGHTS.get(key) is entry:
                del _FLIGHTS[key]


_CACHES: dict = {}
_CACHES_LOCK = threading.Lock()


def cache_version(store) -> tuple:
    """What the suppression cache's entries are valid for: ``("data", data key)`` — the data key by
    content (:mod:`chainbrain.store.content`), read once per data version (remembered beside the
    cache, so it goes with it). Universes and patterns are functions of the data alone, so an import
    that changed no row (a new data version, the same key) keeps them in memory; keyed by the version,
    every import emptied the cache and the joint universes were built again under load (the load
    test's profile: a third of the interpreter lock's time, #20)."""
    from chainbrain.store.patterns import data_key
    from chainbrain.web.cache import data_version

    cache, version = _cache_of(store), data_version(store)
    memo = cache.content_keys
    got = memo.get(version)
    if got is None:
        got = ("data", data_key(store))
        with _CACHES_LOCK:
            memo[version] = got
            while len(memo) > 64:
                memo.pop(next(iter(memo)))
    return got


def _cache_of(store):
    """The suppression cache of the database behind ``store`` — shared by the application's store
    and the warm-up's side connection, so patterns the warm-up computes serve the requests."""
    from chainbrain.web.cache import ResultCache

    with _CACHES_LOCK:
        key = (store.kind, str(store.db))
        if key not in _CACHES:
            _CACHES[key] = ResultCache(size=256, enabled=True)
            _CACHES[key].content_keys = {}       # data version → cache_version (its data key)
        return _CACHES[key]


def _data_key(store, cache, version) -> str:
    """The data key the cache's ``version`` (:func:`cache_version`) stands for."""
    return version[1]


def _kept(store, cache, version, fam, viewer, min_cell):
    """The family's patterns kept in the store at the current data, or None (decoded once per content:
    :mod:`chainbrain.web.pattern_memo`)."""
    from chainbrain.web import pattern_memo

    try:
        return pattern_memo.kept(store, fam, viewer, min_cell, _data_key(store, cache, version))
    except Exception:                                    # noqa: BLE001 — a store without the table: compute
        _log.debug("no kept disclosure pattern", exc_info=True)
        return None


_AS_OF: dict = {}                       # (database, key, family, viewer, min_cell, label) → Pattern | None
_AS_OF_LOCK = threading.Lock()
_AS_OF_SIZE = 256


def _pattern_as_of(store, p, viewer, min_cell, key: str):
    """The pattern of period ``p`` kept for ``viewer`` at data key ``key`` (an earlier one: the answer
    from before an import, web/stale.py), never computed: :class:`~chainbrain.web.kept.NotKept`
    when it was not kept there. Remembered, found or not: nothing is kept at a key once the data
    have moved on from it, and what was kept there is the pattern of those data (the load test
    spent a sixth of the server's interpreter time decoding the same kept family again for every
    record of a page)."""
    from chainbrain.analytics import suppression_periods
    from chainbrain.web import pattern_memo
    from chainbrain.web.kept import NotKept

    fam = tuple(x.ytd_label for x in suppression_periods.family(store, p))
    memo = (store.kind, str(store.db), key, fam, viewer, min_cell, p.ytd_label)
    with _AS_OF_LOCK:
        found = _AS_OF.get(memo, MISSING_AS_OF)
    if found is MISSING_AS_OF:
        try:
            pats = pattern_memo.kept(store, fam, viewer, min_cell, key) or {}
        except Exception:                                # noqa: BLE001 — a store without the table
            pats = {}
        found = pats.get(p.ytd_label)
        with _AS_OF_LOCK:
            for label, pat in pats.items():              # the family's other periods come next
                _AS_OF[memo[:-1] + (label,)] = pat
            _AS_OF.setdefault(memo, found)
            while len(_AS_OF) > _AS_OF_SIZE:
                _AS_OF.pop(next(iter(_AS_OF)))
    if found is None:
        raise NotKept(("pattern", p.ytd_label, viewer))
    return found


MISSING_AS_OF = object()


def _keep(store, cache, version, fam, viewer, min_cell, pats, joint=None, visible=None, inputs=None) -> None:
    """Keep the family's patterns for the next process, with the digest of their joint universe when
    ``joint`` is given and the key of the rows it was built from (``inputs``, :func:`_inputs_key`) —
    best effort: a read-only store keeps none."""
    from chainbrain.analytics.suppression_digest import digest
    from chainbrain.analytics.suppression_periods import to_plain
    from chainbrain.store import patterns

    try:
        patterns.save(store, fam, viewer, min_cell, _data_key(store, cache, version),
                      {label: to_plain(x) for label, x in pats.items()},
                      None if joint is None else digest(joint, visible, min_cell), inputs)
    except Exception:                                    # noqa: BLE001
        _log.info("disclosure pattern not kept (read-only store?)", exc_info=True)


def _inputs_key(store, cache, version, month, fam, visible, min_cell) -> str | None:
    """The key of the rows the family's universe is built from, for this viewer
    (:mod:`chainbrain.analytics.suppression_inputs`): one statement per data version and month,
    remembered in the cache; None when it cannot be read (another engine, an old schema) or the data
    moved on while it was read (the rows read would not be those of ``version``)."""
    from chainbrain.analytics import suppression_inputs
    from chainbrain.store.patterns import data_key
    from chainbrain.web.cache import MISSING

    parts = cache.lookup(version, ("inputs", int(month)))
    if parts is MISSING:
        try:
            parts = suppression_inputs.fingerprint(store, month)
            if data_key(store) != _data_key(store, cache, version):
                return None                              # the data moved meanwhile: not these data's rows
        except Exception:                                # noqa: BLE001 — no such table: build and compare
            _log.debug("no fingerprint of the disclosure inputs", exc_info=True)
            parts = None
        cache.put(version, ("inputs", int(month)), parts)
    return None if parts is None else suppression_inputs.key(parts, fam, visible, min_cell)


def _carried(store, cache, version, fam, viewer, min_cell, joint=None, visible=None, inputs=None):
    """The family's patterns kept at an earlier data key, moved to the current one, when they were
    computed from the same rows (``inputs``: no universe built) or — ``joint`` given — from a joint
    universe of the same digest (:mod:`chainbrain.analytics.suppression_digest`): the same patterns a
    solve would give; else None."""
    from chainbrain.analytics.suppression_digest import digest
    from chainbrain.store import patterns

    if joint is None and inputs is None:
        return None
    try:
        key = _data_key(store, cache, version)
        row = patterns.load_any(store, fam, viewer, min_cell)
        if row is None or row[0] == key or not patterns.rekey(
                store, fam, viewer, min_cell, row[0], key,
                None if joint is None else digest(joint, visible, min_cell), inputs):
            return None
        return _kept(store, cache, version, fam, viewer, min_cell)
    except Exception:                                    # noqa: BLE001 — no table / read-only: solve
        _log.debug("kept disclosure pattern not carried", exc_info=True)
        return None


#: enterprise accounts whose own patterns ``chainbrain compute`` keeps (:func:`scopes`)
ENTERPRISE_SCOPES = 10


def enterprise_scopes() -> int:
    """``CHAINBRAIN_KEEP_ENTERPRISE_SCOPES`` (default :data:`ENTERPRISE_SCOPES`): a whole number ≥ 0."""
    from chainbrain.config import env_number

    return env_number("CHAINBRAIN_KEEP_ENTERPRISE_SCOPES", ENTERPRISE_SCOPES, int, 0)


def scopes(store) -> dict:
    """Disclosure key → a user of that scope (None: the anonymous viewer): the anonymous viewer, every
    enabled account's scope that needs a pattern of its own (not a province administrator, who sees
    everything), and of the enterprise accounts — one scope each — the :func:`enterprise_scopes`
    most recently signed in (:func:`~chainbrain.web.users.recent_enterprise_accounts`). An
    enterprise scope not kept is solved when it is first asked for: under the load test one such
    scope took half of the server's interpreter lock (a joint universe and a solve per month family,
    50–115 s each); kept, ≈ 11 solves per account in ``compute`` (a configuration limit: the
    operator's compute time, not a policy)."""
    from chainbrain.web.policy import disclosure_key
    from chainbrain.web.users import enabled_accounts, recent_enterprise_accounts

    viewers: dict = {("anon",): None}
    for user in enabled_accounts(store):
        if user.role not in ("enterprise", "province_admin"):
            viewers.setdefault(disclosure_key(user), user)
    for user in recent_enterprise_accounts(store, enterprise_scopes()):
        viewers.setdefault(disclosure_key(user), user)
    return viewers


def precompute(store, period: str | list[str], min_cell: int = MIN_CELL, progress=None,
               fresh: bool = True) -> list[dict]:
    """Compute and keep the published patterns of ``period``'s family — with the Decembers' family (the
    cockpit's projection chart shows each earlier year's December total with that period's pattern,
    ``model.protect_monitoring``) — or of each family of the list ``period``
    (:func:`~chainbrain.analytics.suppression_periods.every_family`: all of them), for the anonymous
    viewer and every scope of :func:`scopes`: ``chainbrain compute`` runs it so that no request
    waits for the audit (seconds to tens of seconds per scope and family at province scale);
    ``fresh=False`` uses what is kept at the current data (the server's warm-up
    does that, scope by scope). [{period, viewer, hidden, cells, seconds}], one per family and scope."""
    import time

    from chainbrain.periods import parse_period
    from chainbrain.web.policy import cell_rule

    if isinstance(period, str):
        p = parse_period(period)
        labels = ([] if p.month == 12 else [f"{p.year - 1}-12"]) + [period]
    else:
        labels = list(period)
    viewers = scopes(store)
    out = []
    for i, (key, user) in enumerate(viewers.items()):
        guard = cell_rule(store, user, min_cell)
        for j, label in enumerate(labels):
            if progress:
                progress(i * len(labels) + j, len(viewers) * len(labels),
                         f"disclosure {label} {'/'.join(str(x) for x in key if x)}")
            t0 = time.perf_counter()
            pat = guard.pattern(label, fresh=fresh)
            out.append({"period": label, "viewer": ":".join(str(x) for x in key if x), "hidden": len(pat.hidden),
                        "cells": pat.cells, "seconds": round(time.perf_counter() - t0, 1)})
    if progress:
        progress(len(viewers) * len(labels), len(viewers) * len(labels), "disclosure")
    return out


def guard_of(store, min_cell) -> Guard:
    """``min_cell`` as a :class:`Guard`: a Guard itself, or an int (an anonymous viewer's pattern)."""
    if isinstance(min_cell, Guard):
        return min_cell
    if callable(min_cell):
        raise TypeError("pass a Guard (chainbrain.web.policy.cell_rule), not a bare rule")
    return Guard(store, frozenset(), int(min_cell))
