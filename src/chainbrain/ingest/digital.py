"""``digital`` import kind: digital-maturity assessments (issue #16, table ``digital_assessment``).

Columns: ``uscc, scheme, level, assessed_on`` (required) and ``score``, ``source`` (optional).

- ``scheme``: one of the pack's schemes (``packs/<province>/digital.toml``: ``miit_sme_2022``,
  ``miit_sme_2024``, ``gbt39116``) — rule ``digital_scheme``;
- ``level``: an integer within the scheme's levels (1–4, or 1–5 for GB/T 39116) — rule
  ``digital_level``;
- ``assessed_on``: a date, not after today (rule ``digital_future``) and not before the scheme's
  edition took effect (rule ``digital_edition``: a 2024-edition result dated before 2024-09-04);
- ``score`` (optional, 0–100): where the scheme has sourced score bands (the 2022 edition) the
  level must be the one the score reaches (rule ``digital_score``);
- ``source`` (optional): ``self`` (自评) or ``third_party`` (第三方, the default).

The enterprise must be registered (``not_registered``); a key (enterprise, scheme, date) twice in
the file is a ``duplicate``. Stored as revisions like every import (the diff rule of
:mod:`chainbrain.ingest.load`): same values → unchanged; other values → a new revision.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import sqlalchemy as sa

from chainbrain.analytics.digital_rules import RuleError, level_of_score, rules
from chainbrain.ingest import errors as E
from chainbrain.ingest import rules as R

E.RULES.update({
    "digital_scheme": ("未知的评测体系「{d}」（应为 miit_sme_2022 / miit_sme_2024 / gbt39116）",
                       "unknown scheme {d!r} (expected miit_sme_2022, miit_sme_2024 or gbt39116)"),
    "digital_level": ("等级超出该评测的范围（{d}）", "level outside the scheme's range ({d})"),
    "digital_score": ("等级与总分不符：{d}", "level does not match the score: {d}"),
    "digital_score_range": ("总分应在 0–100 之间", "a score lies in 0–100"),
    "digital_future": ("评测日期晚于今天", "assessment date is after today"),
    "digital_edition": ("评测日期早于该版本生效日期 {d}", "assessment dated before the edition took effect ({d})"),
    "digital_source": ("无法识别的来源「{d}」（应为 自评/self 或 第三方/third_party）",
                       "unknown source {d!r} (expected self or third_party)"),
})


_SOURCE_WORDS = {"self": "self", "自评": "self", "企业自评": "self", "third_party": "third_party",
                 "thirdparty": "third_party", "第三方": "third_party", "第三方评测": "third_party", "": "third_party"}


def _hdr(p, key: str) -> str:
    from chainbrain.ingest.checks import _hdr as hdr
    return hdr(p, key)


def check_digital(store, conn, p, ids, today: dt.date | None = None) -> dict:
    from chainbrain.ingest.checks import _duplicates, _registered

    if p.issues.fatal():
        return {}
    r = rules()
    rn = p.raw.rownum
    eid = _registered(p, "uscc", ids)
    schemes = R.to_np_str(p.cols["scheme"])
    schemes = np.array([None if s is None else s.strip().lower() for s in schemes], dtype=object)
    known = np.array([s in r["schemes"] for s in schemes], bool)
    p.issues.add_mask(~known & (schemes != None), "digital_scheme", rownum=rn,  # noqa: E711
                      column=_hdr(p, "scheme"), values=schemes, detail=schemes)
    level = p.cols["level"].to_numpy(zero_copy_only=False) if not isinstance(p.cols["level"], np.ndarray) \
        else p.cols["level"]
    level = np.array([None if v is None or (isinstance(v, float) and np.isnan(v)) else int(v) for v in level],
                     dtype=object)
    out_of_range = np.zeros(p.n, bool)
    ranges = [""] * p.n
    for i in range(p.n):
        if known[i] and level[i] is not None:
            s = r["schemes"][schemes[i]]
            ranges[i] = f"{s.code}: 1–{s.max_level}"
            out_of_range[i] = not 1 <= level[i] <= s.max_level
    p.issues.add_mask(out_of_range, "digital_level", rownum=rn, column=_hdr(p, "level"),
                      values=[str(v) for v in level], detail=ranges)
    dates = p.cols["assessed_on"].to_pylist()
    today = today or dt.date.today()
    future = np.array([d is not None and d > today for d in dates], bool)
    p.issues.add_mask(future, "digital_future", rownum=rn, column=_hdr(p, "assessed_on"),
                      values=[str(d) for d in dates])
    early = np.zeros(p.n, bool)
    starts = [""] * p.n
    for i in range(p.n):
        if known[i] and dates[i] is not None:
            vf = r["schemes"][schemes[i]].valid_from
            early[i] = vf is not None and dates[i] < vf
            starts[i] = str(vf)
    p.issues.add_mask(early, "digital_edition", rownum=rn, column=_hdr(p, "assessed_on"),
                      values=[str(d) for d in dates], detail=starts)
    score = R.to_float(p.cols["score"]) if "score" in p.cols else np.full(p.n, np.nan)
    p.issues.add_mask(~np.isnan(score) & (score > 100), "digital_score_range", rownum=rn,
                      column=_hdr(p, "score"), values=[str(x) for x in score])
    mismatch = np.zeros(p.n, bool)
    why = [""] * p.n
    for i in range(p.n):
        if known[i] and level[i] is not None and not np.isnan(score[i]) and 0 <= score[i] <= 100:
            try:
                want = level_of_score(schemes[i], float(score[i]), r)
            except RuleError:
                continue                     # no sourced bands: the level is taken as given
            if want != level[i]:
                mismatch[i] = True
                why[i] = (f"score {score[i]:g} → {'no level' if want is None else f'level {want}'}, "
                          f"file says {level[i]}")
    p.issues.add_mask(mismatch, "digital_score", rownum=rn, column=_hdr(p, "level"),
                      values=[str(v) for v in level], detail=why)
    if "source" in p.cols:
        raw_src = R.to_np_str(p.cols["source"])
        src = np.array([_SOURCE_WORDS.get((s or "").strip().lower().replace(" ", "")) for s in raw_src], dtype=object)
        p.issues.add_mask(src == None, "digital_source", rownum=rn, column=_hdr(p, "source"),  # noqa: E711
                          values=raw_src, detail=raw_src)
    else:
        src = np.full(p.n, "third_party", dtype=object)
    _duplicates(p, [eid, schemes, np.array([str(d) for d in dates], dtype=object)], _hdr(p, "uscc"))
    return {"eid": eid, "scheme": schemes, "level": level, "score": score, "source": src, "dates": dates}


def write_digital(store, conn, p, keep, batch, ctx, res):
    """Insert new keys (revision 1) and changed values (next revision); count unchanged rows."""
    from chainbrain.store.schema_digital import digital_assessment as T

    if not len(keep):
        return
    eids = sorted({int(ctx["eid"][i]) for i in keep})
    latest: dict[tuple, tuple] = {}
    for row in conn.execute(sa.select(T.c.enterprise_id, T.c.scheme, T.c.assessed_on, T.c.level, T.c.score,
                                      T.c.source, T.c.revision).where(T.c.enterprise_id.in_(eids))):
        k = (int(row.enterprise_id), row.scheme, row.assessed_on)
        if k not in latest or row.revision > latest[k][3]:
            latest[k] = (int(row.level), None if row.score is None else float(row.score), row.source, row.revision)
    rows = []
    for i in keep:
        k = (int(ctx["eid"][i]), str(ctx["scheme"][i]), ctx["dates"][i])
        score = None if np.isnan(ctx["score"][i]) else float(ctx["score"][i])
        vals = (int(ctx["level"][i]), score, str(ctx["source"][i]))
        old = latest.get(k)
        if old is not None and old[:3] == vals:
            res.unchanged += 1
            continue
        if old is None:
            res.new += 1
        else:
            res.updated += 1
        rows.append({"enterprise_id": k[0], "scheme": k[1], "assessed_on": k[2], "level": vals[0],
                     "score": vals[1], "source": vals[2], "batch_id": batch,
                     "revision": 1 if old is None else old[3] + 1})
    if rows:
        conn.execute(T.insert(), rows)


def record_self_assessment(store, user: str, enterprise_id: int, scheme_code: str, level: int,
                           assessed_on: dt.date, score: float | None = None) -> dict:
    """An enterprise user's self-assessment (web form): checked like an imported row, stored with
    source ``self`` as one logged batch (so every cache keyed on the data version sees it).
    Raises ValueError with a bilingual message naming the field."""
    from chainbrain.ingest.batch import Result, log_batch, new_batch_id

    r = rules()
    if scheme_code not in r["schemes"]:
        raise ValueError("scheme: " + E.message("digital_scheme", scheme_code)[1] + " ("
                         + E.message("digital_scheme", scheme_code)[0] + ")")
    s = r["schemes"][scheme_code]
    if not 1 <= level <= s.max_level:
        zh, en = E.message("digital_level", f"{s.code}: 1–{s.max_level}")
        raise ValueError(f"level: {en} ({zh})")
    if assessed_on > dt.date.today():
        zh, en = E.message("digital_future")
        raise ValueError(f"assessed_on: {en} ({zh})")
    if s.valid_from and assessed_on < s.valid_from:
        zh, en = E.message("digital_edition", str(s.valid_from))
        raise ValueError(f"assessed_on: {en} ({zh})")
    if score is not None:
        if not 0 <= score <= 100:
            zh, en = E.message("digital_score_range")
            raise ValueError(f"score: {en} ({zh})")
        try:
            want = level_of_score(scheme_code, score, r)
        except RuleError:
            want = level
        if want != level:
            zh, en = E.message("digital_score", f"score {score:g} → {'no level' if want is None else want}")
            raise ValueError(f"level: {en} ({zh})")
    idx = np.array([0])
    ctx = {"eid": np.array([enterprise_id]), "scheme": np.array([scheme_code], dtype=object),
           "level": np.array([level], dtype=object), "score": np.array([np.nan if score is None else score]),
           "source": np.array(["self"], dtype=object), "dates": [assessed_on]}
    with store.begin() as conn:
        batch = new_batch_id(store, conn)
        res = Result("digital", "self-assessment", "loaded", rows=1, batch_id=batch)
        write_digital(store, conn, None, idx, batch, ctx, res)
        log_batch(store, conn, batch, "digital", f"self-assessment by {user}", 1, "loaded", res.summary_en())
    return {"batch_id": batch, "new": res.new, "updated": res.updated, "unchanged": res.unchanged}

