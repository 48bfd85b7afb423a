"""The above-scale line and the scale-up pipeline's settings, from the province pack's ``scaleup.toml``.

- ``[line]``: 20,000,000 yuan of annual main-business revenue (国统字〔2010〕87号, [Q], since 2011); "≥"
  includes the bound.
- ``[bands]``, ``[model]``: modelling choices, unsourced and configurable.
- ``[[targets]]``: scale-up targets (firms newly entering the sample per year); the references give
  none for Jiangxi, so the pack's one is marked ``source = "unsourced"`` and shown as such.
"""

from __future__ import annotations

from functools import lru_cache

from chainbrain.catalog.pack import load_pack


@lru_cache(maxsize=1)
def rules() -> dict:
    r = load_pack()._toml("scaleup")
    edges = list(r["bands"]["edges"])
    if edges != sorted(set(edges)) or not edges or edges[0] <= 0:
        raise ValueError("scaleup.toml: [bands] edges must be positive and strictly increasing "
                         "(分档边界须为正且严格递增)")
    return r


def threshold() -> float:
    return float(rules()["line"]["threshold_yuan"])


def targets_for(year: int) -> list[dict]:
    """The pack's targets valid for ``year`` (``year = 0``: every year), each with its source tag."""
    return [t for t in rules().get("targets", []) if int(t.get("year", 0)) in (0, year)]
