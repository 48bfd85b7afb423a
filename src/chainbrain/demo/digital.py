"""Demo digital-maturity assessments (智改数转网联, issue #16): a believable coverage path.

Synthetic, labelled like the rest of the demo (batch of the demo build). For the demo's enterprises
with a monthly report in the last two report years (the above-scale sample):

- about 80 % get a first diagnosis (85 % of the SRDI holders), dated between 2023-01-01 and the
  newest report period's end, later dates more likely (a cumulative coverage that rises, as the
  province's 16,030 diagnoses by January 2025 did, policy-facts §2.4);
- the scheme is the MIIT SME edition in force on that date (2022 edition before 2024-09-04, then the
  2024 edition); one firm in ten is also rated on GB/T 39116;
- first levels form a pyramid (L1 45 %, L2 35 %, L3 15 %, L4 5 %; SRDI firms one level up more
  often), and a third of the firms diagnosed before 2024-07 are re-assessed later, one level up
  at most (the "pyramid to olive" shift); a level of a scheme that the draw left out is given to
  one diagnosed firm, so even the tiny demo carries every level of every scheme;
- sources: one in four results is a self-assessment;
- 一链一场景: about two thirds of the diagnosed firms complete a project — one of five generic scenarios of
  their primary chain, after their diagnosis (policy-facts §2.4: 10900 implemented of 16030 diagnosed) —
  so "transformed" trails "assessed";
- service providers: a register of twelve (USCC, a home county, two to four chains and three scenarios
  each, every chain served); each project goes to a provider serving the firm's chain and carries the
  firm's rating (1–5, mostly 4) four times in five. Scenario and provider names are invented for the demo
  (the references name none), like every demo name.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

EDITION_2024 = dt.date(2024, 9, 4)
SCENARIOS = ("设备联网与数据采集", "智能排产", "质量在线检测", "能耗监测", "供应链协同")
PROVIDERS = tuple(f"演示数字化服务商{i:02d}" for i in range(1, 13))
RATINGS = (1, 2, 3, 4, 5)
RATING_P = (0.03, 0.07, 0.25, 0.4, 0.25)


def _register(conn, rng, batch: int) -> tuple[pa.Table, dict[str, list[int]]]:
    """The demo's provider register and, per chain, the providers (indices) serving it."""
    from chainbrain.catalog.uscc import make

    chains = [r[0] for r in conn.execute(sa.text("SELECT code FROM chain ORDER BY seq"))]
    counties = [r[0] for r in conn.execute(sa.text(
        "SELECT code FROM region WHERE level = 'county' AND status = 'current' ORDER BY code"))]
    serve: dict[str, list[int]] = {c: [] for c in chains}
    rows = {k: [] for k in ("uscc", "name", "region_code", "chains", "scenarios", "listed_on")}
    for i, name in enumerate(PROVIDERS):
        mine = [chains[i % len(chains)]] + [str(c) for c in rng.choice(chains, int(rng.integers(1, 4)), replace=False)]
        mine = list(dict.fromkeys(mine))
        for c in mine:
            serve[c].append(i)
        region = counties[int(rng.integers(len(counties)))] if counties else "360102"
        rows["uscc"].append(make(region, 880000 + i))
        rows["name"].append(name)
        rows["region_code"].append(region)
        rows["chains"].append(";".join(mine))
        rows["scenarios"].append(";".join(str(x) for x in rng.choice(SCENARIOS, 3, replace=False)))
        rows["listed_on"].append(dt.date(2022, 6, 1) + dt.timedelta(days=int(rng.integers(0, 500))))
    n = len(PROVIDERS)
    t = pa.table({**{k: rows[k] for k in ("uscc", "name", "region_code", "chains", "scenarios")},
                  "listed_on": pa.array(rows["listed_on"], pa.date32()), "batch_id": pa.array([batch] * n, pa.int64()),
                  "revision": pa.array([1] * n, pa.int32())})
    return t, serve


def write_assessments(store, seed: int, batch: int) -> dict[str, int]:
    """Write the demo's assessments and scenario adoptions; rows written per table."""
    rng = np.random.default_rng(seed + 16)
    with store.engine.connect() as conn:
        ym = conn.execute(sa.text("SELECT MAX(year * 100 + month) FROM monthly_report")).scalar()
        if ym is None:
            return {}
        y, m = divmod(int(ym), 100)
        ids = np.array(sorted(r[0] for r in conn.execute(sa.text(
            "SELECT DISTINCT r.enterprise_id FROM monthly_report r JOIN enterprise e ON e.id = r.enterprise_id "
            "WHERE e.is_demo AND r.year >= :y"), {"y": y - 1})), dtype=np.int64)
        srdi = {r[0] for r in conn.execute(sa.text(
            "SELECT DISTINCT enterprise_id FROM designation WHERE kind IN ('srdi', 'little_giant')"))}
    if not len(ids):
        return {}
    end = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
    start = dt.date(2023, 1, 1)
    span = (end - start).days
    is_srdi = np.array([i in srdi for i in ids])
    diagnosed = rng.random(len(ids)) < np.where(is_srdi, 0.85, 0.80)
    rows: dict[str, list] = {k: [] for k in ("enterprise_id", "scheme", "assessed_on", "level", "score", "source")}

    def add(e, scheme, day, level):
        rows["enterprise_id"].append(int(e))
        rows["scheme"].append(scheme)
        rows["assessed_on"].append(day)
        rows["level"].append(int(level))
        lo = {1: 20, 2: 40, 3: 60, 4: 80}.get(level) if scheme == "miit_sme_2022" else None
        rows["score"].append(None if lo is None else round(lo + rng.random() * (20 if level < 4 else 15), 1))
        rows["source"].append("self" if rng.random() < 0.25 else "third_party")

    def miit(day):
        return "miit_sme_2024" if day >= EDITION_2024 else "miit_sme_2022"

    for e, s, ok in zip(ids, is_srdi, diagnosed):
        if not ok:
            continue
        day = start + dt.timedelta(days=int(span * rng.random() ** 0.6))
        level = int(rng.choice([1, 2, 3, 4], p=[0.45, 0.35, 0.15, 0.05]))
        if s and level < 4 and rng.random() < 0.5:
            level += 1
        add(e, miit(day), day, level)
        if day < dt.date(2024, 7, 1) and rng.random() < 1 / 3:
            later = day + dt.timedelta(days=int(200 + rng.random() * max(1, (end - day).days - 200)))
            if later <= end:
                add(e, miit(later), later, min(4, level + int(rng.random() < 0.7)))
        if rng.random() < 0.1:
            gday = start + dt.timedelta(days=int(span * rng.random()))
            add(e, "gbt39116", gday, int(rng.choice([1, 2, 3, 4, 5], p=[0.35, 0.35, 0.2, 0.07, 0.03])))
    present = set(zip(rows["scheme"], rows["level"]))
    done = ids[diagnosed]
    for scheme, top, lo, hi in (("miit_sme_2022", 4, start, EDITION_2024 - dt.timedelta(days=1)),
                                ("miit_sme_2024", 4, EDITION_2024, end), ("gbt39116", 5, start, end)):
        for level in range(1, top + 1):      # every level of every scheme at least once (small demos)
            if (scheme, level) not in present and len(done) and hi >= lo:
                add(rng.choice(done), scheme, lo + dt.timedelta(days=int((hi - lo).days * rng.random())), level)
    n = len(rows["enterprise_id"])
    t = pa.table({"enterprise_id": pa.array(rows["enterprise_id"], pa.int64()), "scheme": rows["scheme"],
                  "assessed_on": pa.array(rows["assessed_on"], pa.date32()),
                  "level": pa.array(rows["level"], pa.int32()), "score": pa.array(rows["score"], pa.float64()),
                  "source": rows["source"], "batch_id": pa.array([batch] * n, pa.int64()),
                  "revision": pa.array([1] * n, pa.int32())})
    # one row per key: a firm re-rated on the same day in the same scheme keeps its first result
    keys = {}
    keep = []
    for i, k in enumerate(zip(rows["enterprise_id"], rows["scheme"], rows["assessed_on"])):
        if k not in keys:
            keys[k] = i
            keep.append(i)
    t = t.take(pa.array(keep))
    with store.engine.connect() as conn:
        chain_of = dict(conn.execute(sa.text(
            "SELECT es.enterprise_id, MIN(s.chain_code) FROM enterprise_segment es JOIN segment s "
            "ON s.code = es.segment_code GROUP BY es.enterprise_id")).fetchall())
        register, serve = _register(conn, rng, batch)
    first = {}
    for e, day in zip(rows["enterprise_id"], rows["assessed_on"]):
        first[e] = min(day, first.get(e, day))
    ad = {k: [] for k in ("enterprise_id", "chain_code", "scenario", "adopted_on", "provider", "provider_uscc", "rating")}
    for e in sorted(first):
        if e in chain_of and rng.random() < 0.68:
            day = first[e] + dt.timedelta(days=int(30 + rng.random() * 300))
            if day <= end:
                who = serve.get(chain_of[e]) or list(range(len(PROVIDERS)))
                i = who[int(rng.integers(len(who)))]
                ad["enterprise_id"].append(e)
                ad["chain_code"].append(chain_of[e])
                ad["scenario"].append(SCENARIOS[int(rng.integers(len(SCENARIOS)))])
                ad["adopted_on"].append(day)
                ad["provider"].append(PROVIDERS[i])
                ad["provider_uscc"].append(register["uscc"][i].as_py())
                ad["rating"].append(int(rng.choice(RATINGS, p=RATING_P)) if rng.random() < 0.8 else None)
    m = len(ad["enterprise_id"])
    adopt = pa.table({"enterprise_id": pa.array(ad["enterprise_id"], pa.int64()), "chain_code": ad["chain_code"],
                      "scenario": ad["scenario"], "adopted_on": pa.array(ad["adopted_on"], pa.date32()),
                      "provider": ad["provider"], "provider_uscc": pa.array(ad["provider_uscc"], pa.string()),
                      "rating": pa.array(ad["rating"], pa.int32()), "batch_id": pa.array([batch] * m, pa.int64()),
                      "revision": pa.array([1] * m, pa.int32())})
    with store.begin() as conn:
        n = store.bulk_insert(conn, "digital_assessment", t)
        k = store.bulk_insert(conn, "digital_adoption", adopt) if m else 0
        p = store.bulk_insert(conn, "digital_provider", register)
    return {"digital_assessment": n, "digital_adoption": k, "digital_provider": p}
