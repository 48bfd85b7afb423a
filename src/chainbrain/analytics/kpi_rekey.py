"""Re-key the stored KPI figures after an import: recompute only the periods whose inputs changed (issue #20).

The KPI figures of period P (:mod:`chainbrain.analytics.kpi_stored`) are a function of

- the panel's sums (every grouping) at P, at P's base period and at the Decembers the chained
  index links (:func:`chainbrain.analytics.kpi_stored._needed`),
- the growth targets that apply (and which regions share each), the region tree, the scope and
  ChainBrain's version

and of nothing else (:func:`chainbrain.analytics.kpi.records_of` reads only these). The *input
digest* of P is a SHA-256 over exactly these values; the digests of every period are kept beside
the figures (name ``(version, "kpi digests", scope)``) at the data key they were computed at.

After an import the data key changes. :func:`keep` computes the panel once (one grouped query, as
the full pass), and for every period whose digest equals the one kept with the previous figures
moves those figures to the new key (an ``UPDATE`` of their ``data_key``: the records, their JSON
and their compressed blobs are not rebuilt); only the other periods' records are computed and
written. So the figures kept after :func:`keep` equal a full recompute's, name for name
(tested), and a figure whose inputs changed is never carried to the new key. Correctness rests
only on the digest of the inputs actually read, not on what the import says it touched.
"""

from __future__ import annotations

import hashlib
import time

import pandas as pd
import sqlalchemy as sa

from chainbrain.analytics import chained

#: kept-figure name (after the version) of the periods' input digests
DIGESTS = "kpi digests"

#: the tables the KPI figures and the monitoring figures kept with them are computed from (whole
#: rows; ``pack_meta``: any pack load): unchanged, the kept figures move to new data at once
#: (:mod:`chainbrain.store.figures_carry`; checked by perturbation, ``tests/test_figure_inputs.py``)
SOURCES = ("monthly_report", "enterprise_attr", "enterprise_segment", "industry", "region", "segment",
           "segment_chain", "chain", "sei_share", "price_index", "target", "pack_meta")


def _frame_bytes(f: pd.DataFrame) -> bytes:
    f = f.sort_index()
    return (repr(list(f.columns)).encode() + repr(list(f.index)).encode()
            + pd.util.hash_pandas_object(f, index=False).to_numpy().tobytes())


def month_digests(panel) -> dict[tuple[int, int], str]:
    """SHA-256 of every grouping's sums by (year, month) of ``panel`` (a ``kpi_stored._Panel``)."""
    parts: dict[tuple[int, int], list] = {}
    for (y, m, by), f in panel.frames.items():
        parts.setdefault((int(y), int(m)), []).append((by, _frame_bytes(f)))
    out = {}
    for ym, items in parts.items():
        h = hashlib.sha256()
        for by, b in sorted(items):
            h.update(by.encode() + b"\0" + b)
        out[ym] = h.hexdigest()
    return out


def _needed_months(p, target) -> list[tuple[int, int]]:
    out = [(p.year, p.month)]
    if target is not None and target.get("base_year") and not pd.isna(target["base_year"]):
        b = int(target["base_year"])
        base = p.shifted(b - p.year)
        out.append((base.year, base.month))
        out += [(y, 12) for y in chained.link_years(p, b)]
    return out


def period_digests(ps, panel, by_target: dict, regions: tuple, scope: str) -> dict[str, str]:
    """The input digest of every period of ``ps`` (module docstring)."""
    import chainbrain

    months = month_digests(panel)
    common = hashlib.sha256(repr((chainbrain.__version__, scope, regions, sorted(
        (repr(sorted((t or {}).items())), sorted(map(str, rs))) for t, rs in by_target.values()))).encode()).hexdigest()
    out = {}
    for p in ps:
        h = hashlib.sha256(common.encode())
        for target, _ in sorted(by_target.values(), key=lambda tr: repr(sorted((tr[0] or {}).items()))):
            for ym in _needed_months(p, target):
                h.update(repr((ym, months.get(ym, "-"))).encode())
        out[p.label] = h.hexdigest()
    return out


def names_of(label: str, regions: list, prov, county_city: dict, scope: str) -> list[tuple]:
    """The figure names (without the version) :func:`kpi_stored._period_figures` writes for period
    ``label`` and the filters ``regions`` (None: the province)."""
    out = []
    for r in regions:
        if r is None:
            out.append(("kpi", label, None, scope))
            if prov is not None:
                out.append(("kpi", label, prov, scope))
            out += [("kpi_table", label, "city", None, scope, None), ("kpi_table", label, "chain", None, scope, None)]
        elif r in county_city:
            out += [("kpi", label, r, scope), ("kpi_table", label, "city", r, scope, None),
                    ("kpi_table", label, "chain", r, scope, None)]
        else:
            out += [("kpi", label, r, scope), ("kpi_table", label, "city", r, scope, None),
                    ("kpi_table", label, "county", r, scope, None), ("kpi_table", label, "chain", r, scope, None)]
    return out


def chain_names_of(label: str, chains: list, scope: str) -> list[tuple]:
    """The figure names (without the version) :func:`kpi_stored._chain_figures` writes for period
    ``label`` and ``chains``."""
    return [n for c in chains for n in (("kpi_chain", label, c, scope), ("kpi_table", label, "city", None, scope, c))]


def carry(store, by_period: dict[str, list[tuple]], old: str, new: str) -> list[str]:
    """Move the figures of each period (``{label: names with the version}``) from data key ``old`` to
    ``new``, in one transaction; a period moves only when all its names are kept at ``old``. The
    labels moved."""
    from chainbrain.store.figures import T, _name

    with store.engine.begin() as conn:
        have = set(conn.execute(sa.select(T.c.name).where(T.c.data_key == old)).scalars())
        moved = [label for label, names in by_period.items() if all(_name(n) in have for n in names)]
        wanted = [_name(n) for label in moved for n in by_period[label]]
        for i in range(0, len(wanted), 1000):
            conn.execute(sa.update(T).where(T.c.data_key == old, T.c.name.in_(wanted[i:i + 1000]))
                         .values(data_key=new))
    return moved


def keep(store, scope: str = "all", progress=None) -> dict:
    """Keep the KPI figures of every period at the current data key, recomputing only the periods
    whose input digest differs from the one kept with the previous figures (module docstring).
    ``{"figures", "periods", "data_key", "carried", "recomputed", "seconds", "computed"}``."""
    import chainbrain
    from chainbrain.analytics import kpi_stored as ks
    from chainbrain.store import figures as kept
    from chainbrain.store.figures_carry import inputs_after, inputs_before

    version = chainbrain.__version__
    t0 = time.perf_counter()
    before = inputs_before(store, list(SOURCES))
    key = before[0]                              # before the pass: a change while it runs makes them stale
    inp = ks.inputs(store, None, scope, progress)
    digests = period_digests(inp.ps, inp.panel, inp.target_groups(), inp.regions_key, scope)
    prev = kept.load_any(store, (version, DIGESTS, scope))
    old_key, old = (prev[0], prev[1]) if prev is not None else (None, {})
    names = {p.label: [(version,) + n for _, rs in inp.by_target.values()
                       for n in names_of(p.label, rs, inp.prov, inp.county_city, scope)]
                      + [(version,) + n for _, cs in inp.by_chain_target.values()
                         for n in chain_names_of(p.label, cs, scope)] for p in inp.ps}
    # kept at the same key (an import that changed no row keeps it, store/content.py): the periods
    # whose figures are all there stay as they are, the others are recomputed
    same = {x: names[x] for x in names if old_key is not None and old.get(x) == digests[x]}
    carried = set(carry(store, same, old_key, key)) if same else set()
    todo = [p for p in inp.ps if p.label not in carried]
    values: dict[tuple, object] = {}
    for i, p in enumerate(todo):
        if progress:
            progress(i + 1, len(todo) + 1, f"KPI figures {p.label}")
        ks.period_figures(values, inp, p, scope)
    out = {"figures": len(values) + sum(len(names[x]) for x in carried),
           "periods": len(inp.ps), "data_key": key, "carried": len(carried), "recomputed": len(todo),
           "inputs": inputs_after(store, before)}
    named = {(version,) + name: v for name, v in values.items()}
    named[ks._marker(scope)] = out
    named[(version, DIGESTS, scope)] = digests
    kept.save_many(store, named, key)
    return {**out, "seconds": round(time.perf_counter() - t0, 2), "computed": True}


__all__ = ["carry", "chain_names_of", "keep", "month_digests", "names_of", "period_digests"]
