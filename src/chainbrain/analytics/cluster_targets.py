"""Progress against the cluster targets of the 2025 upgrade plan (pack ``clusters.toml`` ``[targets]``).

《江西省产业集群提能升级实施方案》 (赣工强省小组字〔2025〕4号, 2025-08-28; policy-facts §5.1):
cluster revenue +10 % a year to more than 5万亿, 20 provincial advanced clusters, and by 2028 10
clusters above 1,000亿 and 30 above 500亿, 7,000 SRDI SMEs and 9,000 high-tech enterprises.

Values from the store for the year's period (:mod:`.cluster_figures`):

- ``cluster_revenue`` / ``cluster_revenue_growth``: the union of all clusters' members (a firm in
  two clusters counted once): Σ revenue, and comparable growth Σ revenue / Σ revenue_prev − 1;
- ``provincial_clusters``: clusters of the pack whose programme is listed (``programs``);
- ``clusters_over_…``: clusters whose revenue reaches ``threshold_yuan`` (year-to-date revenue when
  the year is not complete: ``partial_year``);
- designation targets: enterprises of the province holding one valid on the period's last day.

share = value / target; ``met`` = value ≥ target. The plan's cluster universe is the province's
list of 136 clusters (policy-facts §2): the store knows only the pack's clusters, which the
answer says (``note``). No intermediate path is published, so none is drawn.
"""

from __future__ import annotations

import sqlalchemy as sa


def designation_count(store, kinds: list[str], date) -> int:
    with store.engine.connect() as conn:
        q = sa.text("SELECT COUNT(DISTINCT enterprise_id) FROM designation WHERE kind IN :k "
                    "AND valid_from <= :d AND (valid_to IS NULL OR valid_to >= :d)").bindparams(
            sa.bindparam("k", expanding=True))
        return int(conn.execute(q, {"k": list(kinds), "d": date}).scalar() or 0)


def progress(store, rules: dict, clusters: list[dict], revenue: dict[str, float | None], union: dict,
             date, has_data: bool) -> dict:
    """The targets with value, share and met; ``revenue``: cluster → revenue (None = no data)."""
    t = rules.get("targets", {})
    items = []
    for it in t.get("item", []):
        code, value = it["code"], None
        if code == "cluster_revenue":
            value = union["revenue"]
        elif code == "cluster_revenue_growth":
            value = union["revenue_growth"]
        elif code == "provincial_clusters":
            value = sum(c["program"] in it.get("programs", ["provincial"]) for c in clusters)
        elif "threshold_yuan" in it:
            value = sum(1 for v in revenue.values() if v is not None and v >= it["threshold_yuan"]) \
                if has_data else None
        elif it.get("designation"):
            value = designation_count(store, it["designation"], date)
        target = it["target"]
        items.append({"code": code, "name_zh": it["name_zh"], "name_en": it["name_en"], "unit": it["unit"],
                      "value": value, "target": target,
                      "share": None if value is None or not target else value / target,
                      "met": None if value is None else value >= target,
                      "qualifying": sorted(k for k, v in revenue.items() if v is not None
                                           and v >= it["threshold_yuan"]) if "threshold_yuan" in it else None,
                      "note": it.get("note")})
    return {"source": t.get("source"), "base_year": t.get("base_year"), "target_year": t.get("target_year"),
            "items": items}
