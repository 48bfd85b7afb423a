"""Statistics of enterprise requests by responsible unit, chain or city (over what the caller sees).

Per group, on day ``today``:

- ``requests``: requests submitted; ``open``: not answered or closed; ``escalated``;
- ``response_rate`` = requests accepted on or before ``respond_due`` ÷ requests whose
  response is decided (accepted, or ``respond_due`` passed) — a fraction, None when 0;
- ``ontime_resolution_rate`` = requests answered on or before ``resolve_due`` ÷ requests
  whose resolution is decided (answered, or ``resolve_due`` passed);
- ``satisfaction``: mean rating (1–5 points) of the rated requests, ``rated`` their
  number, ``satisfied_share`` the fraction rated 4 or 5.

Groups: ``unit`` — the responsible bureau or unit (a request keeps its unit after
escalation); ``chain`` — the request's chain; ``city`` — the prefecture of the
enterprise's county.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from chainbrain.store.schema import chain, region
from chainbrain.store.schema_work import work_request as wr
from chainbrain.work.records import Invalid
from chainbrain.work.request_scope import visible_clause
from chainbrain.work.units import unit_name

BY = ("unit", "chain", "city")


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def summarize(rows, today: dt.date) -> dict:
    n = len(rows)
    resp_dec = [r for r in rows if r.accepted_at is not None or today > r.respond_due]
    resp_ok = [r for r in resp_dec if r.accepted_at is not None and r.accepted_at.date() <= r.respond_due]
    res_dec = [r for r in rows if r.answered_at is not None or today > r.resolve_due]
    res_ok = [r for r in res_dec if r.answered_at is not None and r.answered_at.date() <= r.resolve_due]
    rated = [r.rating for r in rows if r.rating is not None]
    return {"requests": n, "open": sum(r.status in ("submitted", "accepted", "in_progress") for r in rows),
            "escalated": sum(bool(r.escalated) for r in rows),
            "response_decided": len(resp_dec), "responded_on_time": len(resp_ok),
            "response_rate": _ratio(len(resp_ok), len(resp_dec)),
            "resolution_decided": len(res_dec), "resolved_on_time": len(res_ok),
            "ontime_resolution_rate": _ratio(len(res_ok), len(res_dec)),
            "rated": len(rated), "satisfaction": (sum(rated) / len(rated)) if rated else None,
            "satisfied_share": _ratio(sum(x >= 4 for x in rated), len(rated))}


def stats(conn, user, by: str = "unit", today: dt.date | None = None, lang: str = "zh") -> dict:
    if by not in BY:
        raise Invalid(f"by: must be one of {', '.join(BY)} (字段 by 应为 unit、chain 或 city)")
    today = today or dt.date.today()
    rows = conn.execute(sa.select(wr).where(visible_clause(conn, user))).all()
    regions = {r.code: (r.name, r.prefecture_code) for r in conn.execute(
        sa.select(region.c.code, region.c.name, region.c.prefecture_code))}
    chains = {r.code: r.name_zh if lang == "zh" else r.name_en for r in conn.execute(
        sa.select(chain.c.code, chain.c.name_zh, chain.c.name_en))}

    def key(r):
        if by == "unit":
            return (r.route_unit, unit_name(r.route_unit, lang)) if r.route_unit else \
                (r.route_region, regions.get(r.route_region, (r.route_region,))[0])
        if by == "chain":
            return (r.chain_code, chains.get(r.chain_code, r.chain_code)) if r.chain_code else (None, "—")
        city = regions.get(r.region_code, (None, None))[1]
        return (city, regions.get(city, (city,))[0]) if city else (None, "—")
    groups: dict = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    items = [{"code": k[0], "name": k[1], **summarize(v, today)}
             for k, v in sorted(groups.items(), key=lambda kv: (kv[0][0] is None, str(kv[0][0])))]
    return {"by": by, "as_of": today.isoformat(), "unit_note": "rates are fractions; satisfaction in points 1–5",
            "items": items, "total": summarize(rows, today)}
