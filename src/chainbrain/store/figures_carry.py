"""Kept figures moved to new data when the rows they are computed from are unchanged (issue #20).

A group of kept figures (:mod:`chainbrain.store.figures`: the KPI figures of every period, the
alerts of every period) is written with a *marker* whose summary holds ``inputs``: the key of the
rows its module declares it reads (:func:`chainbrain.store.content.sources_key`), read before the
pass and recorded only when the data key did not move during it. After an import that changed
none of those rows (an enterprise's employee count or address: a registry refresh) the data key
changes but :func:`carried` finds the same inputs key and moves the group's rows to the new key
(one ``UPDATE``), instead of the pass (the KPI panel: 14–22 s under load at province scale; the
alerts: 28–37 s). Each declaration is checked by perturbation in ``tests/test_figure_inputs.py``.
"""

from __future__ import annotations

import sqlalchemy as sa


def inputs_before(store, sources: list[str]) -> tuple[str, str | None]:
    """``(data key, inputs key)`` read before a pass, in that order."""
    from chainbrain.store.content import data_key, sources_key

    return data_key(store), sources_key(store, sources)


def inputs_after(store, before: tuple[str, str | None]) -> str | None:
    """The inputs key of :func:`inputs_before` if the data key is still the same after the pass, else
    None (the pass may have read other rows: nothing is carried by it)."""
    from chainbrain.store.content import data_key

    key, inputs = before
    return inputs if data_key(store) == key else None


def move(store, heads: tuple, names: tuple, old: str, new: str) -> int:
    """Move the rows kept at data key ``old`` whose name starts with one of ``heads`` (name tuples'
    heads) or is one of ``names`` to key ``new``, in one transaction; how many moved."""
    from chainbrain.store.figures import T, _name

    cond = [T.c.name.startswith(_name(h)[:-1] + ",", autoescape=True) for h in heads]
    cond += [T.c.name == _name(n) for n in names]
    where = sa.and_(T.c.data_key == old, sa.or_(*cond))
    with store.engine.begin() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(T).where(where)).scalar()
        conn.execute(sa.update(T).where(where).values(data_key=new))
    return int(n)


def carried(store, marker: tuple, heads: tuple, names: tuple, sources: list[str]) -> dict | None:
    """When the group of ``marker`` was kept at an earlier data key from rows of the same inputs key as
    now: its rows (``heads``, ``names`` and the marker) moved to the current key, and the marker's
    summary with ``carried`` (rows moved); else None (nothing moved)."""
    from chainbrain.store import figures
    from chainbrain.store.content import data_key, sources_key

    key = data_key(store)
    prev = figures.load_any(store, marker)
    if prev is None or prev[0] == key or not isinstance(prev[1], dict) or prev[1].get("inputs") is None:
        return None
    now = sources_key(store, sources)
    if now != prev[1]["inputs"] or data_key(store) != key:
        return None
    moved = move(store, heads, names + (marker,), prev[0], key)
    return {**prev[1], "data_key": key, "carried_rows": moved}


__all__ = ["carried", "inputs_after", "inputs_before", "move"]
