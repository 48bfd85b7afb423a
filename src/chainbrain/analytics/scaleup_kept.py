"""Scale-up assessments kept per enterprise (``scaleup_assessment``, migration 0016; SQLAlchemy Core,
DuckDB and PostgreSQL).

:func:`keep` writes every scored firm of a target year (both directions) with the probabilities of
that day, replacing what was kept for the same year and month; :func:`kept` reads them back. The
lists then show, beside today's probability, the one kept earlier (``p_kept``), so a county can see
which of the candidates it was given did cross and enter, and when, whatever the model says now.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from chainbrain.store.schema_cultivation import scaleup_assessment as T


def keep(store, year: int, month: int | None, scored: dict, now: dt.datetime | None = None) -> int:
    """Keep the scores of ``scored`` (:func:`chainbrain.analytics.scaleup_report.score_year`); rows written."""
    now = now or dt.datetime.now().replace(microsecond=0)
    ids = scored["panel"].firms["enterprise_id"].to_numpy(np.int64)
    parts = []
    for direction in ("up", "down"):
        r = scored[direction]
        model = "logistic+isotonic" if r.model is not None else "gibrat"
        parts.append(pd.DataFrame({"year": year, "month": int(month or 0), "direction": direction,
                                   "enterprise_id": ids[r.idx], "p_baseline": r.p_baseline, "p_model": r.p_model,
                                   "p": r.p, "revenue_prev": np.round(r.prev, 2), "model": model, "kept_at": now}))
    df = pd.concat(parts, ignore_index=True)
    df = df[df["p"].notna()]
    with store.begin() as conn:
        conn.execute(sa.delete(T).where((T.c.year == year) & (T.c.month == int(month or 0))))
        if len(df):
            store.bulk_insert(conn, "scaleup_assessment", pa.Table.from_pandas(df, preserve_index=False))
    return int(len(df))


def kept(store, year: int, month: int | None = None) -> pd.DataFrame:
    """The kept rows of a target year and month (empty when none were kept, or before migration 0016)."""
    q = sa.select(T).where((T.c.year == year) & (T.c.month == int(month or 0)))
    cols = [c.name for c in T.columns]
    if not sa.inspect(store.engine).has_table("scaleup_assessment"):     # a store before 0016: nothing kept
        return pd.DataFrame(columns=cols)
    with store.engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=cols)
