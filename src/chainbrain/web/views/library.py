"""企业库复核 — the chain offices' review queue of doubtful registry mappings (#19).

- ``/library/review`` ⇄ ``/api/library/review?chain&status=pending|decided`` (signed in; the
  province admin sees every chain, a chain office only its own; others 403): queued firms with
  their parsed scope items, main activity and suggested segments, most doubtful first, and the
  counts of pending and reviewed firms per chain (:mod:`chainbrain.ingest.review`); only firms
  the viewer may see (:func:`chainbrain.web.policy.visible_ids`); the queue paged on the server
  (:mod:`chainbrain.web.paging`).
- ``POST /api/library/review`` (signed in, CSRF; body ``{"uscc", "action": accept|change|reject,
  "segments": [...], "note"}``): the decision, stored as overrides that survive re-imports and
  audited. 404 for a firm that is not queued or outside the caller's scope; 400 for bad input.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request

from chainbrain.ingest import review as RV
from chainbrain.web.auth import Forbidden, require_user
from chainbrain.web.model import BadRequest
from chainbrain.web.policy import visible_ids
from chainbrain.web.paging import page_rows
from chainbrain.web.render import page_url, render
from chainbrain.web.state import get_state
from chainbrain.web.workhttp import ERRORS, acting_user, body_doc, json_body

router = APIRouter()
STATUSES = ("pending", "decided")


def _chain_of(user, chain: str | None) -> str | None:
    if user.role == "province_admin":
        return chain or None
    if user.role == "chain_office":
        if chain and chain != user.chain_code:
            raise Forbidden()
        return user.chain_code
    raise Forbidden()


def _answer(request: Request, user, chain: str | None, status: str) -> dict:
    if status not in STATUSES:
        raise BadRequest(f"status must be pending or decided (状态须为 pending 或 decided): {status}")
    chain = _chain_of(user, chain)
    st = get_state(request)
    with st.lock:
        rows = RV.queue(st.store, chain, status, visible=lambda ids: visible_ids(st.store, user, ids))
        counts = RV.counts(st.store, chain if user.role == "chain_office" else None)
    items = [{"uscc": r["uscc"], "name": r["name"], "chain_code": r["chain_code"], "status": r["status"],
              "confidence": round(r["confidence"] or 0.0, 3), "section": r["section"], "class_code": r["class_code"],
              "p_industrial": None if r["probability"] is None else round(r["probability"], 3),
              "items": [{"text": i["text"], "role": i["role"], "section": i["section"]} for i in r["items"]],
              "suggested": r["suggested_segments"], "decided": r["decided_segments"], "actor": r["actor"],
              "note": r["note"]} for r in rows]
    d = {"chain": chain, "status": status, "bounds": [RV.LOWER, RV.UPPER], "counts": counts, "rows": items}
    url = lambda **kw: page_url(request, keep=("chain", "status", "lang", "limit", "sort", "q"), **kw)  # noqa: E731
    return page_rows(request.query_params, d, url, sorts=("confidence", "name", "uscc"),
                     text_fields=("name", "uscc", "chain_code"))         # one page of the queue (web/paging.py)


@router.get("/api/library/review", tags=["library"], responses=ERRORS, response_model=dict)
def api_review(request: Request, user=Depends(require_user), chain: str | None = None, status: str = "pending",
               limit: str | None = None, offset: str | None = None, sort: str | None = None, q: str | None = None):
    """Firms whose chain mapping waits for a chain office's decision (confidence between the bounds),
    most doubtful first, paged (``limit`` ≤ 500 default 50, ``offset``, ``sort`` confidence|name|uscc,
    ``q``; ``page`` gives ``total``)."""
    return _answer(request, user, chain, status)


@router.get("/library/review", summary="企业库复核 review queue")
def review_page(request: Request, user=Depends(require_user), chain: str | None = None, status: str = "pending",
                limit: str | None = None, offset: str | None = None, sort: str | None = None, q: str | None = None):
    d = _answer(request, user, chain, status)
    return render(request, "library_review.html", d=d, nav="library")


@router.post("/api/library/review", tags=["library"], responses=ERRORS,
             openapi_extra=body_doc({"uscc": {"type": "string"}, "action": {"type": "string"},
                                     "segments": {"type": "array", "items": {"type": "string"}},
                                     "note": {"type": "string"}}, ["uscc", "action"]))
def api_decide(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Accept, change or reject the suggested segments of one queued firm."""
    from chainbrain.catalog.uscc import normalize
    from chainbrain.ingest.mapping import enterprise_id

    chain = _chain_of(user, None)
    uscc = normalize(str(body.get("uscc") or ""))
    segments = body.get("segments") or []
    if not isinstance(segments, list):
        raise BadRequest("segments must be a list of segment codes (segments 须为环节代码列表)")
    st = get_state(request)
    with st.lock:
        with st.store.engine.connect() as conn:
            eid = enterprise_id(conn, uscc) if uscc else None
        rv = RV.row(st.store, eid) if eid is not None else None
        if rv is None or (chain and rv["chain_code"] != chain) or not visible_ids(st.store, user, [eid]):
            raise HTTPException(404, "not in your review queue (不在您的复核队列中)")
        try:
            row = RV.decide(st.store, eid, str(body.get("action") or ""), [str(s) for s in segments],
                            user.username, str(body.get("note") or "")[:500])
        except RV.ReviewError as exc:
            raise BadRequest(str(exc)) from None
        st.invalidate()                                   # chain figures depend on the mapping
    return {"uscc": uscc, "status": row["status"], "decided": [s for s in (row["decided"] or "").split("|") if s]}
