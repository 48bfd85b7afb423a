"""``digital-providers`` import kind: the register of 智改数转 service providers (服务商名录, issue #16).

Columns ``uscc, name`` (required) and ``chains, scenarios, region, listed_on`` (optional). One row per
provider: its USCC (GB 32100 check; a provider need not be an enterprise of the store), name (at most
200 characters), the chains it serves (chain codes or Chinese names, separated by ``;；,，、`` — each must
be one of the pack's chains: rule ``chain_unknown``), the scenarios it serves (names of at most 100
characters, ``too_long``), its home region and the date it entered the register (not after today:
``digital_future``). A USCC twice in the file is a ``duplicate``. All-or-nothing and stored as revisions
(same values → unchanged, other values → a new revision), like every import (:mod:`chainbrain.ingest.load`).
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import sqlalchemy as sa

from chainbrain.ingest import digital as _digital  # noqa: F401  (registers the digital_* messages)
from chainbrain.ingest import errors as E
from chainbrain.ingest import rules as R

MAX_NAME = 200
MAX_SCENARIO = 100
SEP = re.compile(r"[;；,，、\n]+")

E.RULES.update({
    "provider_unknown": ("服务商「{d}」不在服务商名录中（请先导入 digital-providers）",
                         "provider {d!r} is not in the provider register (import digital-providers first)"),
    "digital_rating": ("企业评价超出分值范围（{d}）", "rating outside the scale ({d})"),
})


def split(text) -> list[str]:
    """The items of a register cell: split on ; ； , ， 、 or a line break, blanks dropped."""
    if text is None:
        return []
    return [x.strip() for x in SEP.split(str(text)) if x.strip()]


def check_digital_providers(store, conn, p, ids, today: dt.date | None = None) -> dict:
    from chainbrain.ingest.checks import _duplicates, _hdr

    if p.issues.fatal():
        return {}
    rn = p.raw.rownum
    by_code, by_name = {}, {}
    for code, name in conn.execute(sa.text("SELECT code, name_zh FROM chain")):
        by_code[code.upper()] = code
        by_name[name] = code
    uscc = R.to_np_str(p.cols["uscc"])
    name = np.array([None if s is None else s.strip() for s in R.to_np_str(p.cols["name"])], dtype=object)
    p.issues.add_mask(np.array([s is not None and len(s) > MAX_NAME for s in name]), "too_long", rownum=rn,
                      column=_hdr(p, "name"), detail=MAX_NAME)
    chains, bad_chain, chain_detail = [], np.zeros(p.n, bool), [""] * p.n
    raw = R.to_np_str(p.cols["chains"]) if "chains" in p.cols else np.full(p.n, None, dtype=object)
    for i, cell in enumerate(raw):
        codes = []
        for item in split(cell):
            code = by_code.get(item.upper()) or by_name.get(item)
            if code is None:
                bad_chain[i], chain_detail[i] = True, item
                break
            if code not in codes:
                codes.append(code)
        chains.append(";".join(codes) or None)
    p.issues.add_mask(bad_chain, "chain_unknown", rownum=rn, column=_hdr(p, "chains"), values=raw,
                      detail=chain_detail)
    scen, long_scen = [], np.zeros(p.n, bool)
    raw = R.to_np_str(p.cols["scenarios"]) if "scenarios" in p.cols else np.full(p.n, None, dtype=object)
    for i, cell in enumerate(raw):
        items = list(dict.fromkeys(split(cell)))
        long_scen[i] = any(len(x) > MAX_SCENARIO for x in items)
        scen.append(";".join(items) or None)
    p.issues.add_mask(long_scen, "too_long", rownum=rn, column=_hdr(p, "scenarios"), detail=MAX_SCENARIO)
    region = R.to_np_str(p.cols["region"]) if "region" in p.cols else np.full(p.n, None, dtype=object)
    dates = p.cols["listed_on"].to_pylist() if "listed_on" in p.cols else [None] * p.n
    today = today or dt.date.today()
    p.issues.add_mask(np.array([d is not None and d > today for d in dates]), "digital_future", rownum=rn,
                      column=_hdr(p, "listed_on"), values=[str(d) for d in dates])
    _duplicates(p, [np.array(uscc, dtype=object)], _hdr(p, "uscc"))
    return {"uscc": uscc, "name": name, "chains": chains, "scenarios": scen, "region": region, "dates": dates}


def write_digital_providers(store, conn, p, keep, batch, ctx, res):
    """Insert new providers (revision 1) and changed entries (next revision); count unchanged rows."""
    from chainbrain.store.schema_digital import digital_provider as T

    if not len(keep):
        return
    latest: dict[str, tuple] = {}
    for row in conn.execute(sa.select(T.c.uscc, T.c.name, T.c.region_code, T.c.chains, T.c.scenarios, T.c.listed_on,
                                      T.c.revision)):
        if row.uscc not in latest or row.revision > latest[row.uscc][-1]:
            latest[row.uscc] = (row.name, row.region_code, row.chains, row.scenarios, row.listed_on, row.revision)
    rows = []
    for i in keep:
        code = str(ctx["uscc"][i])
        vals = (ctx["name"][i], ctx["region"][i], ctx["chains"][i], ctx["scenarios"][i], ctx["dates"][i])
        old = latest.get(code)
        if old is not None and old[:5] == vals:
            res.unchanged += 1
            continue
        res.new += old is None
        res.updated += old is not None
        rows.append({"uscc": code, "name": vals[0], "region_code": vals[1], "chains": vals[2], "scenarios": vals[3],
                     "listed_on": vals[4], "batch_id": batch, "revision": 1 if old is None else old[-1] + 1})
    if rows:
        conn.execute(T.insert(), rows)
