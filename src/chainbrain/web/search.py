"""Search: enterprises by name, USCC or pinyin initials; chains; regions.

Pinyin initials come from ``pypinyin`` (first letter of each syllable, e.g.
南昌电子 → ``ncdz``); the index of enterprise names is built once per data
version of the store and kept in memory. Enterprise hits are filtered by the
viewer's scope (:mod:`chainbrain.web.policy`): a viewer who may see no
enterprise gets chains and regions only. Nothing in the answer depends on the
enterprises the viewer may not see — no count of withheld hits — so a USCC
outside the viewer's scope gets exactly the answer of an unknown one (same
body, same status; issue #20).
"""

from __future__ import annotations

import re
import threading

import sqlalchemy as sa

from chainbrain.web.cache import data_version
from chainbrain.web.policy import sees_enterprises, visible_ids

LIMIT = 50
_SUFFIX = re.compile(r"（演示）|\(演示\)")


def initials(name: str) -> str:
    """Pinyin initials of the Chinese characters in ``name`` (letters and digits kept)."""
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:                    # optional: search by name and USCC still works
        return ""
    name = _SUFFIX.sub("", name or "")
    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if p).lower()


class SearchIndex:
    """(id, name, uscc, initials) of every enterprise, rebuilt when the store's data changes."""

    def __init__(self):
        self.version = None
        self.rows: list[tuple[int, str, str, str]] = []
        self._building = threading.Lock()
        self._initials: dict[str, str] = {}      # name → initials of the last build (pinyin is the slow part)

    def refresh(self, store, version=None) -> None:
        """Rebuild for the data ``version`` (default: ``store``'s) unless built for it; one thread
        builds, concurrent callers wait for it (not for the analytics lock)."""
        v = data_version(store) if version is None else version
        if v == self.version:
            return
        with self._building:
            if v == self.version:
                return
            with store.engine.connect() as conn:
                rows = conn.execute(sa.text("SELECT id, name, uscc FROM enterprise")).all()
            # a rebuild after an import computes the initials of new names only: the province's
            # 124 k names took 16 s of pure Python, and searches wait for the rebuild (load test)
            known, memo = self._initials, {}
            for _, n, _ in rows:
                n = n or ""
                if n not in memo:
                    memo[n] = known[n] if n in known else initials(n)
            self.rows = [(int(i), n or "", (u or "").upper(), memo[n or ""]) for i, n, u in rows]
            self._initials = memo
            self.version = v

    def match(self, q: str) -> list[int]:
        q = q.strip()
        if not q:
            return []
        up, low = q.upper(), q.lower()
        ascii_only = q.isascii()
        exact, prefix, other = [], [], []
        for i, name, uscc, ini in self.rows:
            if uscc and uscc == up:
                exact.append(i)
            elif (uscc and len(q) >= 4 and uscc.startswith(up)) or (ascii_only and ini.startswith(low)):
                prefix.append(i)
            elif q in name or (ascii_only and len(q) >= 2 and low in ini):
                other.append(i)
        return exact + prefix + other


def normalize(q: str | None) -> str:
    """The query as searched: stripped, at most 60 characters."""
    return (q or "").strip()[:60]


def encode(payload: dict) -> bytes:
    """``payload`` as FastAPI would encode it (``jsonable_encoder`` + ``JSONResponse``)."""
    from fastapi.encoders import jsonable_encoder
    from fastapi.responses import JSONResponse

    return JSONResponse(jsonable_encoder(payload)).body


def search(store, index: SearchIndex, q: str, user, lang: str, version=None) -> dict:
    """Chains, regions and enterprises matching ``q`` (enterprises filtered by ``user``'s scope).

    Reads through ``store.engine`` only: the web view passes its lock-free reader
    (:func:`chainbrain.web.auth.read_store`) and the data ``version`` the index is built for."""
    q = normalize(q)
    out = {"q": q, "chains": [], "regions": [], "enterprises": [], "lists": []}
    if not q:
        return out
    words = q.split()
    if len(words) > 1:                     # "新余 锂电": place × chain / segment (+ name words)
        from chainbrain.web import search_words

        w = search_words.read(store, words, user)
        out["lists"] = w["lists"]
        if w["lists"]:
            for r in w["enterprises"]:
                r["initials"] = initials(r["name"])
            return out | {"enterprises": w["enterprises"]}
    like = f"%{q}%"
    with store.engine.connect() as conn:
        out["chains"] = [dict(r._mapping) | {"href": f"/chains/{r.code}"} for r in conn.execute(sa.text(
            "SELECT code, name_zh, name_en FROM chain WHERE name_zh LIKE :l OR lower(name_en) LIKE lower(:l) "
            "OR upper(code) = upper(:q) ORDER BY seq"), {"l": like, "q": q})]
        out["regions"] = [dict(r._mapping) | {"href": f"/regions/{r.code}"} for r in conn.execute(sa.text(
            "SELECT code, name, level FROM region WHERE status = 'current' AND level <> 'province' "
            "AND (name LIKE :l OR code = :q) ORDER BY code LIMIT 30"), {"l": like, "q": q})]
    index.refresh(store, version)
    hits = index.match(q)
    # the scope query runs whether or not anything matched (id 0 is no enterprise), so the time of an
    # answer does not tell a firm outside the scope from an unknown one (measured: 5.1 vs 4.3 ms without)
    allowed = visible_ids(store, user, hits or [0]) if sees_enterprises(user) else set()
    if not hits:
        return out
    shown = [i for i in hits if i in allowed][:LIMIT]
    if shown:
        marks = ",".join(str(i) for i in shown)
        with store.engine.connect() as conn:
            rows = {int(r.id): dict(r._mapping) for r in conn.execute(sa.text(
                "SELECT e.id, e.uscc, e.name, e.region_code, r.name AS county_name FROM enterprise e "
                f"LEFT JOIN region r ON r.code = e.region_code WHERE e.id IN ({marks})"))}
        for i in shown:
            r = rows[i]
            r["href"] = f"/enterprises/{r['uscc'] or r['id']}"
            r["initials"] = initials(r["name"])
            out["enterprises"].append(r)
    return out
