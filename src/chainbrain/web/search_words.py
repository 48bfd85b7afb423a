"""Search with several words ("新余 锂电"): a place and a chain or segment, and name words.

Each word of a query with two or more words is read as one of, in this order:

- a place: the name of a current city or county (``新余`` → 新余市); the first city
  match wins, else the first county;
- a chain (``新能源``) or the segments whose name or keywords (the pack's segment
  keywords, e.g. 锂电池) contain the word (top-level segments; a sub-segment's
  firms are found through its parent's keyword list too);
- otherwise a part of the enterprise's name.

Answer: the enterprise lists (企业清单, ``/enterprises``) of the place × each chain or
segment found, by name, and the enterprises that satisfy every word (located in the place,
with a current segment among those found, the name words in their name), filtered by the
viewer's scope (:func:`chainbrain.web.policy.enterprise_where`) like every firm list. Data
access only: no statistics.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.web.drill import list_url
from chainbrain.web.policy import enterprise_where, sees_enterprises

LISTS = 8


def _rows(conn, sql: str, **params) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]


def read(store, words: list[str], user, period: str | None = None, limit: int = 50) -> dict:
    """``{"place", "chain", "segments", "name_words", "lists", "enterprises"}`` for ``words`` (no count of
    the enterprises outside the viewer's scope: it would tell that a named firm exists)."""
    out = {"place": None, "chain": None, "segments": [], "name_words": [], "lists": [], "enterprises": []}
    with store.engine.connect() as conn:
        for w in words:
            like = f"%{w}%"
            if out["place"] is None:
                hit = _rows(conn, "SELECT code, name, level FROM region WHERE status = 'current' AND level <> 'province' "
                                  "AND name LIKE :l ORDER BY CASE level WHEN 'prefecture' THEN 0 ELSE 1 END, code",
                            l=like)
                if hit:
                    out["place"] = hit[0]
                    continue
            if out["chain"] is None and not out["segments"]:
                ch = _rows(conn, "SELECT code, name_zh, name_en FROM chain WHERE name_zh LIKE :l ORDER BY seq", l=like)
                if ch:
                    out["chain"] = ch[0]
                    continue
                segs = _rows(conn, "SELECT code, name_zh, name_en, chain_code FROM segment WHERE level = 'segment' "
                                   "AND (name_zh LIKE :l OR keywords LIKE :l) ORDER BY chain_code, code", l=like)
                if segs:
                    out["segments"] = segs
                    continue
            out["name_words"].append(w)
        if out["place"] is None and out["chain"] is None and not out["segments"]:
            return out
        place = out["place"]["code"] if out["place"] else None
        if out["chain"]:
            out["lists"].append({"title": " · ".join(x for x in (out["place"] and out["place"]["name"],
                                                                 out["chain"]["name_zh"]) if x),
                                 "href": list_url(period, place, out["chain"]["code"])})
        for s in out["segments"][:LISTS]:
            out["lists"].append({"title": " · ".join(x for x in (out["place"] and out["place"]["name"], s["name_zh"])
                                                     if x),
                                 "href": list_url(period, place, s["chain_code"], s["code"])})
        if not out["segments"] and not out["chain"] and place:
            out["lists"].append({"title": out["place"]["name"], "href": list_url(period, place)})
        conds, params = [], {}
        if out["place"]:
            params["place"] = place
            conds.append("e.region_code = :place" if out["place"]["level"] == "county" else
                         "e.region_code IN (SELECT code FROM region WHERE prefecture_code = :place)")
        seg_codes = [s["code"] for s in out["segments"]]
        if out["chain"]:
            conds.append("e.id IN (SELECT es.enterprise_id FROM enterprise_segment es JOIN segment_chain sc "
                         "ON sc.segment_code = es.segment_code WHERE sc.chain_code = :chain "
                         "AND (es.valid_to IS NULL OR es.valid_to >= CURRENT_DATE))")
            params["chain"] = out["chain"]["code"]
        elif seg_codes:
            marks = ", ".join(f":s{i}" for i in range(len(seg_codes)))
            conds.append("e.id IN (SELECT es.enterprise_id FROM enterprise_segment es JOIN segment s "
                         "ON s.code = es.segment_code WHERE (s.code IN ({m}) OR s.parent_code IN ({m})) "
                         "AND (es.valid_to IS NULL OR es.valid_to >= CURRENT_DATE))".format(m=marks))
            params.update({f"s{i}": c for i, c in enumerate(seg_codes)})
        for i, w in enumerate(out["name_words"]):
            conds.append(f"e.name LIKE :n{i}")
            params[f"n{i}"] = f"%{w}%"
        where = " AND ".join(conds)
        if not sees_enterprises(user):
            return out
        scope, sp = enterprise_where(user)
        rows = _rows(conn, "SELECT e.id, e.uscc, e.name, e.region_code, r.name AS county_name FROM enterprise e "
                           f"LEFT JOIN region r ON r.code = e.region_code WHERE {where} AND {scope} "
                           "ORDER BY e.uscc, e.id", **params, **sp)
    for r in rows[:limit]:
        r["href"] = f"/enterprises/{r['uscc'] or r['id']}"
        out["enterprises"].append(r)
    return out
