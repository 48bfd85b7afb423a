"""Enterprises new to the store, written column-wise (issue #19: 1 M registry rows in ≤ 10 minutes).

A row whose USCC is in no stored enterprise and in no other row of the file, and whose name is
not the name of a row without USCC (which the per-row rules may link to it by name), meets none
of :func:`chainbrain.ingest.write.write_enterprises`' update rules: it creates one enterprise. Such
rows ("fresh") are written here as Arrow columns, with what the per-row rules would write:

- the enterprise row (``province_code`` of the pack, ``revision`` 1, ``is_industrial`` true unless
  the row says otherwise, empty cells ``NULL``), its id the one the per-row loop would give it
  (ids follow the file's row order over all rows that create an enterprise);
- its ``region_code`` / ``industry_code`` as ``enterprise_attr`` rows valid since always;
- its chain mapping (:func:`map_fresh`): what ``mapping.compute`` would read back and compute —
  ``chainmap.map_firm`` on the stored fields for a firm with a business scope (its main activity
  kept in ``enterprise_activity`` and the review queue), else the catalog's candidates — without
  reading the rows back or looking for overrides (a new enterprise has none).

Every other row goes through the per-row rules; ``tests/test_registry_fast.py`` compares both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from chainbrain.ingest.batch import fetch_arrow

SLICE = 50_000                 # rows turned into Python values at a time (memory of a 1 M-row file)


@dataclass
class Fresh:
    """Fresh rows: their positions in the import's ``keep`` and their enterprise ids."""
    pos: np.ndarray
    ids: np.ndarray


def stored_usccs(store, conn) -> pa.Array:
    """Every USCC in the store (one scan; a 1 M-row file would otherwise ask in 200 chunks)."""
    t = fetch_arrow(store, conn, "SELECT uscc FROM enterprise WHERE uscc IS NOT NULL")
    return t.column(0).combine_chunks().cast(pa.string()) if t.num_rows else pa.array([], pa.string())


def fresh_mask(uscc: np.ndarray, names: np.ndarray, known: pa.Array) -> np.ndarray:
    """Which rows are fresh (see module docstring): ``uscc`` and ``names`` per kept row."""
    u = pd.Series(uscc, dtype=object)
    has = u.notna().to_numpy() & (u.fillna("") != "").to_numpy()
    arr = pa.array(u.where(has, None), pa.string())
    stored = pc.is_in(arr, value_set=known).fill_null(False).to_numpy(zero_copy_only=False) if len(known) else \
        np.zeros(len(u), bool)
    dup = u.duplicated(keep=False).to_numpy()
    fresh = has & ~stored & ~dup
    if (~has).any():
        loose = pa.array(pd.Series(names, dtype=object)[~has].dropna().unique(), pa.string())
        clash = pc.is_in(pa.array(pd.Series(names, dtype=object), pa.string()), value_set=loose)
        fresh &= ~clash.fill_null(False).to_numpy(zero_copy_only=False)
    return fresh


def column(values, target: pa.DataType, idx: np.ndarray) -> pa.Array:
    """``values`` (Arrow, NumPy or list, one per kept row) at ``idx`` as ``target``; NaN and None → NULL."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        out = pc.take(values, pa.array(idx, pa.int64()))
        out = out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out
        return out if out.type == target else pc.cast(out, target)
    if isinstance(values, np.ndarray):
        return pa.array(values[idx], target, from_pandas=True)
    return pa.array([values[i] for i in idx], target, from_pandas=True)


def enterprise_table(cols: dict[str, pa.Array], ids: np.ndarray, province: str, batch: int, types) -> pa.Table:
    """The enterprise rows of fresh rows, columns in the order the per-row writer uses (sorted names)."""
    n = len(ids)
    data = dict(cols)
    data["id"] = pa.array(ids, pa.int64())
    data["province_code"] = pa.array(np.full(n, province, object), pa.string())
    data["batch_id"] = pa.array(np.full(n, batch, np.int64))
    data["revision"] = pa.array(np.ones(n, np.int64))
    ind = data.get("is_industrial")
    data["is_industrial"] = (pa.array(np.ones(n, bool)) if ind is None
                             else pc.fill_null(pc.cast(ind, pa.bool_()), True))
    return pa.table({c: pc.cast(data[c], types(c)) for c in sorted(data)})


ATTR_SCHEMA = pa.schema([("enterprise_id", pa.int64()), ("attr", pa.string()), ("attr_value", pa.string()),
                         ("valid_from", pa.date32()), ("valid_to", pa.date32()), ("batch_id", pa.int64()),
                         ("revision", pa.int32())])


def attr_table(tbl: pa.Table, batch: int) -> pa.Table:
    """``region_code`` / ``industry_code`` of fresh enterprises (non-empty ones) as attributes valid since always."""
    parts, rank = [], []
    for k, a in enumerate(("region_code", "industry_code")):
        if a not in tbl.column_names:
            continue
        v = tbl.column(a).combine_chunks()
        ok = pc.and_(pc.is_valid(v), pc.not_equal(pc.fill_null(v, ""), ""))
        ids, vals = pc.filter(tbl.column("id"), ok), pc.filter(pc.cast(v, pa.string()), ok)
        n = len(ids)
        parts.append(pa.table([ids, pa.array(np.full(n, a, object), pa.string()), vals, pa.nulls(n, pa.date32()),
                               pa.nulls(n, pa.date32()), pa.array(np.full(n, batch, np.int64)),
                               pa.array(np.ones(n, np.int32))], schema=ATTR_SCHEMA))
        rank.append(np.full(n, k))
    if not parts:
        return ATTR_SCHEMA.empty_table()
    # the per-row writer emits each firm's region before its industry: keep that order
    t = pa.concat_tables(parts).combine_chunks()
    order = np.lexsort((np.concatenate(rank), t.column("enterprise_id").to_numpy()))
    return t.take(pa.array(order))


SEGMENT_SCHEMA = pa.schema([("enterprise_id", pa.int64()), ("segment_code", pa.string()), ("method", pa.string()),
                            ("confidence", pa.float64()), ("evidence", pa.string()), ("batch_id", pa.int64()),
                            ("revision", pa.int32())])


def map_fresh(store, conn, tbl: pa.Table, batch: int, fresh_from: int, mapped: list | None = None) -> dict:
    """The chain mapping of the fresh enterprises ``tbl`` (as inserted): activity, review queue, segments.

    Per firm exactly what ``mapping.compute`` / ``mapping.map_enterprises`` do for it, on the values
    it would read back: the main activity and segments of ``map_firm(name, entity_type,
    registered_capital, business_scope, main_products, industry_code)`` when the scope is not blank
    (``mapped``: that result per row, as the import computed it; else looked up), otherwise
    ``Mapper.candidates(name, main_products, business_scope, industry_code, guessed_section)``;
    candidates ordered by (−confidence, segment). Activities are written as ``chainmap.write_activities``
    writes them."""
    from chainbrain.ingest.chainmap import map_firm, model_version
    from chainbrain.ingest.mapping import _apply_overrides, default_mapper
    from chainbrain.ingest.review import refresh

    mapper = default_mapper()
    version = model_version()
    get = lambda t, c: t.column(c).to_pylist() if c in t.column_names else [None] * t.num_rows  # noqa: E731
    n_mapped = n_links = 0
    for start in range(0, tbl.num_rows, SLICE):
        t = tbl.slice(start, SLICE)
        acts: dict = {}
        seg = {f: [] for f in SEGMENT_SCHEMA.names}
        names, products, scopes, inds = get(t, "name"), get(t, "main_products"), get(t, "business_scope"), \
            get(t, "industry_code")
        if mapped is None:
            types, caps = get(t, "entity_type"), get(t, "registered_capital")
        secs = None
        for k, eid in enumerate(get(t, "id")):
            scope = scopes[k]
            if scope and scope.strip():
                m = (mapped[start + k] if mapped is not None
                     else map_firm(names[k], types[k], caps[k], scope, products[k], inds[k]))
                acts[eid] = m
                cands = m.segments
            else:
                secs = secs or get(t, "guessed_section")
                cands = mapper.candidates(names[k], products[k], scope, inds[k], secs[k])
            cands = _apply_overrides(cands, [])
            n_mapped += bool(cands)
            for c in cands:
                seg["enterprise_id"].append(eid)
                seg["segment_code"].append(c.segment)
                seg["method"].append(c.method)
                seg["confidence"].append(round(c.confidence, 3))
                seg["evidence"].append("; ".join(c.evidence))
        if acts:
            store.bulk_insert(conn, "enterprise_activity", activity_table(acts, version, batch))
            refresh(store, conn, acts, batch, fresh_from=fresh_from)
        if mapped is not None:                        # written: let the results go (a 1 M-row import's memory)
            mapped[start:start + SLICE] = [None] * t.num_rows
            del acts
            _trim()
        k = len(seg["enterprise_id"])
        if k:
            seg["batch_id"] = [batch] * k
            seg["revision"] = [1] * k
            store.bulk_insert(conn, "enterprise_segment", pa.table(seg, schema=SEGMENT_SCHEMA))
        n_links += k
    return {"enterprises": tbl.num_rows, "mapped": n_mapped, "links": n_links}


def _trim() -> None:
    """Hand freed heap memory back to the system (glibc ``malloc_trim``; elsewhere nothing)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


ACTIVITY_SCHEMA = pa.schema([
    ("enterprise_id", pa.int64()), ("section", pa.string()), ("class_code", pa.string()), ("industrial", pa.bool_()),
    ("probability", pa.float64()), ("items", pa.string()), ("evidence", pa.string()), ("model", pa.string()),
    ("batch_id", pa.int64())])


def activity_table(acts: dict, version: str, batch: int) -> pa.Table:
    """``enterprise_activity`` rows of id → ``chainmap.Kept`` (or ``Mapped``), the columns
    ``chainmap.write_activities`` writes, built column by column."""
    import json

    from chainbrain.ingest.chainmap import KeptActivity

    ms = list(acts.values())
    a = [m.activity for m in ms]
    items = [x.items_json if isinstance(x, KeptActivity) else json.dumps([it.as_dict() for it in x.items],
                                                                          ensure_ascii=False) for x in a]
    ev = [x.evidence_json if isinstance(x, KeptActivity) else json.dumps(x.evidence, ensure_ascii=False) for x in a]
    n = len(ms)
    return pa.table([pa.array(list(acts), pa.int64()), pa.array([x.section for x in a], pa.string()),
                     pa.array([m.class_code for m in ms], pa.string()), pa.array([bool(x.industrial) for x in a]),
                     pa.array([round(x.probability, 4) for x in a], pa.float64()), pa.array(items, pa.string()),
                     pa.array(ev, pa.string()), pa.array([version] * n, pa.string()),
                     pa.array(np.full(n, batch, np.int64))], schema=ACTIVITY_SCHEMA)
