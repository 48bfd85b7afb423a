"""A synthetic national input–output table for the demo, clearly labelled as such.

The 2020 NBS table (153 sectors) is not in the project's reach, so the demo
ships a made-up one with the same shape of content: one national region
(``CN``), one sector per GB/T 4754 division of the store's ``industry`` table
(97 divisions, labelled ``code 名称``), final demand in five categories.

Construction (seeded, reproducible): technical coefficients A with about
40 % of the cells nonzero, column sums (input shares) drawn in 0.25–0.75
(manufacturing divisions 0.55–0.75), larger on the diagonal and within a
section; final demand f lognormal; x = (I − A)⁻¹ f; Z = A·x̂; Y splits f over
居民消费 / 政府消费 / 资本形成 / 出口 by random shares and adds a small
inventory change (存货变动, either sign) balanced out of 资本形成.  Values in
万元, rounded to 0.01.  Nothing here is a statistic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainbrain.ingest.io_table import IOTable

TITLE = "合成演示全国投入产出表（按国民经济行业大类，虚构数据，非统计数据） Synthetic demo IO table — not real data"
CATEGORIES = ["居民消费", "政府消费", "资本形成", "出口", "存货变动"]


def demo_io_table(divisions: pd.DataFrame, seed: int = 2023) -> IOTable:
    """The synthetic table for ``divisions`` (columns ``code, name, section``), in 万元."""
    rng = np.random.default_rng(seed)
    d = divisions.sort_values("code").reset_index(drop=True)
    n = len(d)
    sec = d["section"].to_numpy()
    W = rng.lognormal(0, 1.2, (n, n)) * (rng.random((n, n)) < 0.4)
    W *= np.where(sec[:, None] == sec[None, :], 3.0, 1.0)
    W[np.diag_indices(n)] += rng.lognormal(1.0, 0.5, n)
    share = np.where(sec == "C", rng.uniform(0.55, 0.75, n), rng.uniform(0.25, 0.6, n))
    A = W / W.sum(axis=0, keepdims=True) * share[None, :]
    f = rng.lognormal(12, 1.3, n)                                   # 万元
    x = np.linalg.solve(np.eye(n) - A, f)
    Z = np.round(A * x[None, :], 2)
    parts = rng.dirichlet([6, 2, 4, 2], n)
    Y = np.zeros((n, len(CATEGORIES)))
    Y[:, :4] = parts * f[:, None]
    inv = f * rng.uniform(-0.03, 0.03, n)
    Y[:, 4] = inv
    Y[:, 2] -= inv
    Y = np.round(Y, 2)
    return IOTable(regions=["CN"] * n, sectors=[f"{c} {nm}" for c, nm in zip(d["code"], d["name"])], Z=Z,
                   f=Y.sum(axis=1), x=None, Y=Y, y_columns=[("CN", c) for c in CATEGORIES])


def store_demo_io_table(store, name: str = "demo-national", seed: int = 2023, batch: int | None = None) -> dict:
    """Build the table from the store's GB/T 4754 divisions and store it as ``synthetic`` (unit 万元);
    ``batch``: the demo build's import batch (else a logged batch of its own)."""
    from chainbrain.ingest.io_store import store_io_table

    ind = store.table("industry")
    divisions = ind.filter(ind.level == "division").select("code", "name", "section").execute()
    t = demo_io_table(divisions, seed)
    return store_io_table(store, t, name, "万元", year=2020, title=TITLE, source="chainbrain.demo.io_table",
                          synthetic=True, batch=batch)
