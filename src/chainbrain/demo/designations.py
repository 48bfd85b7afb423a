"""Designations: chain masters, SRDI tiers, high-tech enterprises, champions, listings, lighthouses.

Counts follow policy-facts §2.2 (Jiangxi, 2024-08-04): 8187 innovative SMEs
within their 3-year validity, 3791 provincial 专精特新 SMEs, 255 national
"little giants" — scaled by the build's factor.

- ``chain_master`` (链主, provincial, with ``chain_code``): the largest
  enterprises of each chain by 2023 revenue (counting ``also_chains``
  membership), 3–6 per chain by chain size, from 2023-09-15.
- SRDI ladder, yearly batches on 1 July 2021–2025, each valid three years
  (stored ``valid_to`` = the last valid day, inclusive): ``innovative_sme`` (provincial) among SMEs
  (revenue < 4亿元) weighted by R&D intensity; ``srdi`` (provincial) among
  holders of a valid innovative designation; ``little_giant`` (national) among
  valid ``srdi`` holders. 60% of expiring holders still eligible are renewed.
  Batch sizes are a third of the 2024 stock, so the stock on 2024-08-04 is
  close to the published one.
- ``high_tech`` (national, 3 years, batches each 1 December): R&D intensity at
  least 5% / 4% / 3% for revenue under 5000万 / under 2亿 / above.
- ``single_champion`` (national), ``listed`` (national, no end) and
  ``lighthouse`` (provincial digital benchmarks) among large enterprises.
Weighted sampling without replacement uses the Gumbel-top-k trick.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from chainbrain.demo.spec import YI, year_index

STOCK_2024 = {"innovative_sme": 8187, "srdi": 3791, "little_giant": 255}
LEVEL = {"innovative_sme": "provincial", "srdi": "provincial", "little_giant": "national"}
BATCH_YEARS = range(2021, 2026)
RENEW = 0.6


def _topk(score: np.ndarray, cand: np.ndarray, k: int, rng) -> np.ndarray:
    if k <= 0 or cand.size == 0:
        return cand[:0]
    key = np.log(np.maximum(score[cand], 1e-12)) + rng.gumbel(size=cand.size)
    return cand[np.argsort(-key)[: min(k, cand.size)]]


class _Rows:
    """Designation rows collected as arrays (dates as datetime64[D]; no end = far future)."""

    FAR = np.datetime64("9999-12-31")

    def __init__(self):
        self.parts: list[tuple] = []

    def add(self, idx, kind, level, chain, start: dt.date, end: dt.date | None):
        idx = np.atleast_1d(np.asarray(idx, dtype=np.int64))
        if idx.size:
            self.parts.append((idx, kind, level, chain, np.datetime64(start), np.datetime64(end) if end else self.FAR))

    def _of(self, kinds):
        parts = [p for p in self.parts if p[1] in kinds]
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, "datetime64[D]"), np.zeros(0, "datetime64[D]")
        return (np.concatenate([p[0] for p in parts]),
                np.concatenate([np.full(p[0].size, p[4]) for p in parts]),
                np.concatenate([np.full(p[0].size, p[5]) for p in parts]))

    def active(self, n: int, kinds: tuple[str, ...], on: dt.date) -> np.ndarray:
        idx, a, b = self._of(kinds)
        out = np.zeros(n, dtype=bool)
        d = np.datetime64(on)
        out[idx[(a <= d) & (b > d)]] = True
        return out

    def ending(self, n: int, kind: str, on: dt.date) -> np.ndarray:
        idx, _, b = self._of((kind,))
        out = np.zeros(n, dtype=bool)
        out[idx[b == np.datetime64(on)]] = True
        return out

    def table(self, ids: np.ndarray, batch: int) -> pa.Table:
        idx = np.concatenate([p[0] for p in self.parts])
        rep = [p[0].size for p in self.parts]
        end = np.concatenate([np.full(p[0].size, p[5]) for p in self.parts])
        return pa.table({
            "enterprise_id": pa.array(ids[idx], type=pa.int64()),
            "kind": np.repeat([p[1] for p in self.parts], rep),
            "level": np.repeat([p[2] for p in self.parts], rep),
            "chain_code": pa.array(np.repeat(np.array([p[3] for p in self.parts], dtype=object), rep),
                                   type=pa.string()),
            "valid_from": pa.array(np.concatenate([np.full(p[0].size, p[4]) for p in self.parts]), type=pa.date32()),
            # stored inclusive (the last valid day); kept exclusive (the first day after) in here
            "valid_to": pa.array(end - np.timedelta64(1, "D"), type=pa.date32(), mask=end == self.FAR),
            "batch_id": np.full(idx.size, batch, dtype=np.int64),
            "revision": np.ones(idx.size, dtype=np.int32),
        })


def _plus3(d: dt.date) -> dt.date:
    return d.replace(year=d.year + 3)


def designations(firms, paths, traits, world, targets, factor: float, ids: np.ndarray, batch: int,
                 rng: np.random.Generator) -> pa.Table:
    n = firms.n
    out = _Rows()
    j23 = year_index(2023)
    dec23 = paths.dec(2023)
    for k, code in enumerate(world.chains):
        cand = np.flatnonzero(dec23 & firms.member[:, k])
        if not cand.size:
            continue
        total = paths.rev[cand, j23].sum()
        m = int(np.clip(round(total / (1500 * YI * max(factor, 1e-9))), 3, 6))
        top = cand[np.argsort(-paths.rev[cand, j23])[:m]]
        out.add(top, "chain_master", "provincial", code, dt.date(2023, 9, 15), None)

    batch_size = {k: max(1, round(v * factor / 3)) for k, v in STOCK_2024.items()}
    score = traits.rd_int * np.exp(rng.normal(0, 0.3, n)) * np.where(firms.seg >= 0, 1.3, 1.0)
    for y in BATCH_YEARS:
        on = dt.date(y, 7, 1)
        j = year_index(y)
        ok = paths.exists[:, j] & (paths.death_year > y) & (paths.rev[:, j] < 4 * YI) & (paths.rev[:, j] > 0)
        for kind, pool in (("innovative_sme", None), ("srdi", "innovative_sme"), ("little_giant", "srdi")):
            held = out.active(n, (kind,), on - dt.timedelta(days=1))
            expiring = out.ending(n, kind, on)
            renew = np.flatnonzero(expiring & ok & (rng.random(n) < RENEW))
            out.add(renew, kind, LEVEL[kind], None, on, _plus3(on))
            base = ok if pool is None else ok & out.active(n, (pool,), on)
            cand = np.flatnonzero(base & ~held & ~expiring)
            out.add(_topk(score, cand, batch_size[kind] - renew.size, rng), kind, LEVEL[kind], None, on, _plus3(on))

    for y in range(2019, 2026):
        on = dt.date(y, 12, 1)
        j = year_index(max(y, 2020))
        r = paths.rev[:, j]
        need = np.where(r < 0.5 * YI, 0.05, np.where(r < 2 * YI, 0.04, 0.03))
        ok = paths.exists[:, j] & (r > 0) & (traits.rd_int >= need)
        held = out.active(n, ("high_tech",), on)
        cand = np.flatnonzero(ok & ~held)
        out.add(_topk(score, cand, max(1, round(2200 * factor)), rng), "high_tech", "national", None, on, _plus3(on))

    j25 = year_index(2025)
    big = np.flatnonzero(paths.dec(2025) & (paths.rev[:, j25] > 5 * YI))
    if big.size:
        sizes = paths.rev[:, j25]
        for idx in _topk(np.sqrt(sizes), big, max(1, round(15 * factor)), rng):
            y = int(rng.integers(2019, 2025))
            out.add(idx, "single_champion", "national", None, dt.date(y, 11, 1), _plus3(dt.date(y, 11, 1)))
        for idx in _topk(np.sqrt(sizes), big, max(1, round(90 * factor)), rng):
            day = dt.date(1995, 1, 1) + dt.timedelta(days=int(rng.integers(0, 30 * 365)))
            out.add(idx, "listed", "national", None, day, None)
        for idx in _topk(np.sqrt(sizes), big, max(1, round(60 * factor)), rng):
            out.add(idx, "lighthouse", "provincial", None, dt.date(int(rng.integers(2023, 2026)), 6, 1), None)

    return out.table(ids, batch)
