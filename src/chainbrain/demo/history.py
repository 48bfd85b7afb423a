"""Region moves: about 1% of enterprises relocate once between 2021 and 2025.

A move is recorded in ``enterprise_attr`` as two ``region_code`` rows: the old
county with ``valid_to`` = the day before the move (inclusive: the last day
there) and the new one with ``valid_from`` = the move date. Most moves stay inside the city (a new
county or park); about 30% cross to another city, and only small enterprises
(potential revenue under three times the above-scale line) do that, so city
totals stay calibrated whichever way a reader dates the region. The
enterprise's USCC keeps the county where it first registered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from chainbrain.demo.spec import THRESHOLD

MOVE_SHARE = 0.01
CROSS_CITY_SHARE = 0.3


@dataclass
class Moves:
    idx: np.ndarray          # enterprise positions that move
    date: np.ndarray         # datetime64[D]
    old_city: np.ndarray
    old_county: np.ndarray

    def city_of_year(self, city: np.ndarray, year: int) -> np.ndarray:
        """City at the end of ``year`` (31 December)."""
        out = city.copy()
        before = self.date.astype("datetime64[Y]").astype(int) + 1970 > year
        out[self.idx[before]] = self.old_city[before]
        return out

    def registered_county(self, county: np.ndarray) -> np.ndarray:
        out = county.copy()
        out[self.idx] = self.old_county
        return out


def make_moves(firms, world, rng: np.random.Generator) -> Moves:
    """Pick movers, move them (``firms.city``/``county`` become the new place) and return the history."""
    eligible = np.flatnonzero((firms.birth_year < 2020) & ~firms.giant)
    idx = np.sort(rng.choice(eligible, size=int(round(firms.n * MOVE_SHARE)), replace=False))
    start = dt.date(2021, 1, 1).toordinal()
    days = rng.integers(0, dt.date(2025, 12, 31).toordinal() - start, idx.size)
    date = (np.datetime64("2021-01-01") + days).astype("datetime64[D]")
    old_city = firms.city[idx].copy()
    old_county = firms.county[idx].copy()
    cross = (rng.random(idx.size) < CROSS_CITY_SHARE) & (firms.pot[idx] < 3 * THRESHOLD) & (world.n_city > 1)
    new_city = old_city.copy()
    shift = rng.integers(1, max(world.n_city, 2), idx.size)
    new_city[cross] = (old_city[cross] + shift[cross]) % world.n_city
    new_county = old_county.copy()
    for j in range(idx.size):
        counties = world.counties[new_city[j]]
        options = [c for c in counties if c != old_county[j]] or counties
        new_county[j] = options[rng.integers(len(options))]
    firms.city[idx] = new_city
    firms.county[idx] = new_county
    firms.park[idx] = None
    return Moves(idx, date, old_city, old_county)
