"""先进制造业集群 — the clusters overview and one cluster's page (JSON twins as always).

- ``/clusters`` ⇄ ``/api/clusters?year=``: every cluster (the six of the plan, the provincial and
  national clusters) with programme, places, revenue, comparable growth, member firms, score and
  its best city's stars; the targets of the 2025 upgrade plan with progress.
- ``/clusters/{code}`` ⇄ ``/api/clusters/{code}?year=``: the cluster's membership rule and places,
  its scorecard along MIIT's five dimensions (value, national reference, gap, score, sources), the
  monitoring indicators of the cluster scope, and the European Cluster Observatory stars per city.

Computed once per year and data version (:func:`chainbrain.analytics.cluster_answer.compute`); every
figure goes through the cluster disclosure rules (:mod:`chainbrain.analytics.cluster_disclosure`,
the primary rule of web/disclosure.py) for the viewer's visible enterprises. Aggregates as
everywhere (:func:`require_aggregates`). Bad year or code: 400/404 with a bilingual message.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request

from chainbrain.analytics import cluster_answer as CA
from chainbrain.web.auth import current_user
from chainbrain.web.i18n import lang_of
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import require_aggregates, visible_ids
from chainbrain.web.render import render, reply
from chainbrain.web.state import get_state

router = APIRouter()


def _answer(request: Request, kind: str, year: str | None, code: str | None = None) -> dict:
    st, lang, user = get_state(request), lang_of(request.query_params.get("lang")), current_user(request)
    y = None
    if year:
        try:
            y = int(year)
        except ValueError:
            raise BadRequest(f"year must be a number, e.g. 2025 (年份应为数字): {year}") from None
        if not 1990 <= y <= 2100:
            raise BadRequest(f"year must be 1990–2100 (年份应在 1990–2100 之间): {y}")
    full = st.cached(("clusters", y), lambda: CA.compute(st.store, y))
    if code is not None and code not in {c["code"] for c in full["clusters"]}:
        raise HTTPException(404, f"unknown cluster {code} (未知集群代码 {code})")
    ids = {i for c in full["cards"] for d in c["dimensions"] for x in d["indicators"] for i in x.get("firms", [])}
    ids |= {i for s in full["stars"] for i in (s.get("ids") or []) + (s.get("total_ids") or [])}
    with st.lock:
        visible = visible_ids(st.store, user, ids)
    vis = None if ids and visible >= ids else visible
    return CA.view(full, kind, vis, st.min_cell, lang, code)


@router.get("/api/clusters", tags=["clusters"], dependencies=[Depends(require_aggregates)], response_model=dict)
def api_clusters(request: Request, year: str | None = None, format: str | None = None):
    """Every cluster: programme, places, revenue (yuan), comparable growth (fraction), member firms,
    scorecard score, best city's stars; progress against the 2025 upgrade plan's targets."""
    return reply(request, _answer(request, "overview", year), "clusters")


@router.get("/api/clusters/{code}", tags=["clusters"], dependencies=[Depends(require_aggregates)],
            response_model=dict)
def api_cluster(request: Request, code: str, year: str | None = None, format: str | None = None):
    """One cluster: scorecard (five dimensions, indicators with value, reference, gap, score, sources),
    monitoring indicators of the cluster scope, and the star rule per city."""
    return reply(request, _answer(request, "cluster", year, code), f"cluster-{code}")


@router.get("/clusters", dependencies=[Depends(require_aggregates)], summary="先进制造业集群 clusters")
def clusters_page(request: Request, year: str | None = None):
    d = _answer(request, "overview", year)
    return render(request, "clusters.html", d=d, nav="clusters", alert_rows=_alert_rows(request, d))


@router.get("/clusters/{code}", dependencies=[Depends(require_aggregates)], summary="集群 cluster")
def cluster_page(request: Request, code: str, year: str | None = None):
    d = _answer(request, "cluster", year, code)
    return render(request, "cluster.html", d=d, nav="clusters", alert_rows=_alert_rows(request, d))


def _alert_rows(request: Request, d: dict) -> list[dict]:
    """The answer's cluster alerts as the cockpit shows alerts (severity text, link, figures in words)."""
    from chainbrain.web.alerts_view import view as alert_view

    return alert_view(d.get("alerts") or [], None, lang_of(request.query_params.get("lang")))
