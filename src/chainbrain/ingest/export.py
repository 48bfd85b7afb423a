"""Enterprise list export: one row per enterprise with its segments and mapping confidence.

Columns: ``uscc,name,region_code,industry_code,above_scale,industrial,segments,
mapping_confidence,guessed_section`` where ``segments`` is segment codes joined by
``|`` (highest confidence first) and ``mapping_confidence`` the highest over them;
``above_scale`` is the latest year's flag (empty when unknown).
"""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa

COLUMNS = ["uscc", "name", "region_code", "industry_code", "above_scale", "industrial", "segments",
           "mapping_confidence", "guessed_section"]

SQL = """
WITH sc AS (
  SELECT s.enterprise_id, s.above_scale FROM enterprise_scale s
  JOIN (SELECT enterprise_id, MAX(year) AS y FROM enterprise_scale GROUP BY enterprise_id) l
    ON s.enterprise_id = l.enterprise_id AND s.year = l.y
  JOIN (SELECT enterprise_id, year, MAX(revision) AS r FROM enterprise_scale GROUP BY enterprise_id, year) rv
    ON s.enterprise_id = rv.enterprise_id AND s.year = rv.year AND s.revision = rv.r
)
SELECT e.id, e.uscc, e.name, e.region_code, e.industry_code, sc.above_scale, e.is_industrial, e.guessed_section
FROM enterprise e LEFT JOIN sc ON sc.enterprise_id = e.id
ORDER BY e.id
"""


def rows(store):
    with store.engine.connect() as conn:
        ents = conn.execute(sa.text(SQL)).fetchall()
        segs: dict[int, list] = {}
        for eid, code, conf in conn.execute(sa.text(
                "SELECT enterprise_id, segment_code, confidence FROM enterprise_segment ORDER BY enterprise_id")):
            segs.setdefault(int(eid), []).append((code, float(conf)))
    for eid, uscc, name, region, ind, above, industrial, section in ents:
        ss = sorted(set(segs.get(int(eid), [])), key=lambda x: (-x[1], x[0]))
        codes = list(dict.fromkeys(c for c, _ in ss))
        yield {"uscc": uscc or "", "name": name, "region_code": region or "", "industry_code": ind or "",
               "above_scale": "" if above is None else int(bool(above)), "industrial": int(bool(industrial)),
               "segments": "|".join(codes), "mapping_confidence": f"{ss[0][1]:.2f}" if ss else "",
               "guessed_section": section or ""}


def export_enterprises(store, out, fmt: str = "csv") -> int:
    if fmt != "csv":
        raise ValueError("only csv is supported")
    n = 0
    f = open(out, "w", encoding="utf-8-sig", newline="") if isinstance(out, (str, Path)) else out
    try:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows(store):
            w.writerow(r)
            n += 1
    finally:
        if isinstance(out, (str, Path)):
            f.close()
    return n
