"""Search: enterprises by name, USCC or pinyin initials; chains; regions.

Pinyin initials come from ``pypinyin`` (first letter of each syllable, e.g.
南昌电子 → ``ncdz``). Enterprises are matched in the application's index
(:mod:`chainbrain.analytics.search_index`: Arrow arrays, matched in C), which is
re-read in the background when the data change, spelling only new names; a search
waits for that at most half a second, then answers from the previous index, marked
``"search_index": "previous"`` (and not cached: the next search after the rebuild
is exact). Before the first index is read (a cold start: ≈ 13 s of pinyin at the
demo province) names and USCCs are matched in the database, marked ``"building"``.
The rows shown are always read from the current data, so a firm removed since the
previous index is not shown. Enterprise hits are filtered by the
viewer's scope (:mod:`chainbrain.web.policy`): a viewer who may see no
enterprise gets chains and regions only. Nothing in the answer depends on the
enterprises the viewer may not see — no count of withheld hits — so a USCC
outside the viewer's scope gets exactly the answer of an unknown one (same
body, same status; issue #20).
"""

from __future__ import annotations

from itertools import islice

import sqlalchemy as sa

from chainbrain.analytics.search_index import Kept, database_match, initials
from chainbrain.web.cache import data_version
from chainbrain.web.policy import scope_set, sees_enterprises

LIMIT = 50
__all__ = ["SearchIndex", "initials", "normalize", "encode", "search"]


class SearchIndex:
    """The application's search index (:class:`chainbrain.analytics.search_index.Kept`): the newest
    :class:`~chainbrain.analytics.search_index.NameIndex`, rebuilt in the background per data version."""

    def __init__(self):
        self.kept = Kept()

    @property
    def version(self):
        index = self.kept.index
        return None if index is None else index.version

    @property
    def rows(self) -> list[tuple[int, str, str, str]]:
        index = self.kept.index
        return [] if index is None else index.rows()

    def refresh(self, store, version=None) -> bool:
        """Make the index current for the data ``version`` (default: ``store``'s) if that takes at most
        a moment; True when it is (False: the previous index, or none yet, answers meanwhile)."""
        v = data_version(store) if version is None else version
        return self.kept.get(store.engine.connect, v)[1]

    def start(self, store, version=None) -> dict:
        """Start reading the index in the background if it is not at ``version`` (the warm-up's first job)."""
        v = data_version(store) if version is None else version
        return {"started": self.kept.start(store.engine.connect, v) is not None}

    def build(self, store, version=None) -> dict:
        """Read the index now (the warm-up); a summary."""
        v = data_version(store) if version is None else version
        index = self.kept.build(store.engine.connect, v)
        return {"firms": 0 if index is None else len(index), "spelled": 0 if index is None else index.spelled}

    def match(self, q: str) -> list[int]:
        index = self.kept.index
        return [] if index is None else index.match(q)


def normalize(q: str | None) -> str:
    """The query as searched: stripped, at most 60 characters."""
    return (q or "").strip()[:60]


def encode(payload: dict) -> bytes:
    """``payload`` as FastAPI would encode it (``jsonable_encoder`` + ``JSONResponse``'s compact UTF-8
    JSON). Plain data (and dates, decimals, sets) directly with :func:`json.dumps`: FastAPI's
    recursive encoder was 2.5 % of the server's interpreter time under the load test; anything
    else through FastAPI's encoder, as before."""
    import datetime as dt
    import json
    from decimal import Decimal

    class Other(Exception):
        pass

    def plain(v):
        if isinstance(v, (dt.date, dt.datetime, dt.time)):
            return v.isoformat()
        if isinstance(v, Decimal):
            return int(v) if v.as_tuple().exponent >= 0 else float(v)       # as FastAPI's decimal_encoder
        if isinstance(v, (set, frozenset)):
            return list(v)
        raise Other
    try:
        return json.dumps(payload, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"),
                          default=plain).encode("utf-8")
    except (Other, TypeError):              # e.g. a key that is not a string: FastAPI's encoder converts it
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
    fresh = index.refresh(store, version)
    if index.version is None:              # no index read yet (a cold start): name and USCC from the database
        with store.engine.connect() as conn:
            hits = database_match(conn, q)
        out["search_index"] = "building"
    else:
        hits = index.match(q)
        if not fresh:                      # read at older data: a firm new since then is not yet found
            out["search_index"] = "previous"
    # the viewer's whole scope (one query per data version and scope, then kept) is looked up whether or
    # not anything matched, so the time of an answer does not tell a firm outside the scope from an
    # unknown one; hits are checked in order until LIMIT are shown (a query such as "9136" matches every
    # firm: asking the database about 85 k ids took 100 ms for a county viewer at the demo province)
    scope = scope_set(store, user, version) if sees_enterprises(user) else frozenset()
    if not hits:
        return out
    shown = hits[:LIMIT] if scope is None else list(islice((i for i in hits if i in scope), LIMIT))
    if shown:
        marks = ",".join(str(i) for i in shown)
        with store.engine.connect() as conn:
            rows = {int(r.id): dict(r._mapping) for r in conn.execute(sa.text(
                "SELECT e.id, e.uscc, e.name, e.region_code, r.name AS county_name FROM enterprise e "
                f"LEFT JOIN region r ON r.code = e.region_code WHERE e.id IN ({marks})"))}
        known = index.kept.index.spelled_as(shown) if index.version is not None else {}
        for i in shown:
            r = rows.get(i)
            if r is None:                  # gone since the (previous) index was read
                continue
            r["href"] = f"/enterprises/{r['uscc'] or r['id']}"
            name, ini = known.get(i, (None, None))
            r["initials"] = ini if name == (r["name"] or "") else initials(r["name"])
            out["enterprises"].append(r)
    return out
