"""政策清单 (一链一策) — policies per chain and city with measures, validity and the requests and
tasks citing them (twins ``/api/policies`` and ``/api/policies/{policy_id}``).

``GET /api/policies?chain&region&validity``; ``POST /api/policies`` (201); ``GET
/api/policies/{policy_id}``; ``PATCH /api/policies/{policy_id}`` (``version``; stale 409);
``POST /api/policies/{policy_id}/cite`` (``{"request_id"}`` or ``{"task_id"}``). Work layer
:mod:`chainbrain.work.policies`.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from chainbrain.web.auth import require_user
from chainbrain.web.render import render
from chainbrain.web.state import get_state
from chainbrain.web.views.work_rd import _lang
from chainbrain.web.views.work_tasks import _reader, item_id, today
from chainbrain.web.workhttp import ERRORS, acting_user, answers, body_doc, json_body
from chainbrain.work import policies

router = APIRouter()
FIELDS = {"title": {"type": "string"}, "doc_number": {"type": "string"}, "issuer": {"type": "string"},
          "chain_code": {"type": "string"}, "region_code": {"type": "string"},
          "valid_from": {"type": "string", "format": "date"}, "valid_to": {"type": "string", "format": "date"},
          "summary": {"type": "string"}, "source": {"type": "string"},
          "measures": {"type": "array", "items": {"type": "string"}}}


def _list(request, user, chain, region, validity):
    with answers():
        return policies.list_policies(_reader(request), user, today(),
                                      {"chain": chain, "region": region, "validity": validity}, _lang(request))


def _one(request, user, policy_id):
    with answers():
        return policies.get_policy(_reader(request), user, item_id(policy_id), today(), _lang(request))


@router.get("/api/policies", tags=["work"], responses=ERRORS)
def api_policies(request: Request, user=Depends(require_user), chain: str | None = Query(None, description="chain code"),
                 region: str | None = Query(None, description="city code (with the province's)"),
                 validity: str | None = Query(None, description="|".join(policies.VALIDITY))):
    """Policies (一链一策) with validity today and how often requests and tasks cite them."""
    return _list(request, user, chain, region, validity)


@router.post("/api/policies", tags=["work"], status_code=201, responses=ERRORS,
             openapi_extra=body_doc(FIELDS, ["title", "issuer", "valid_from", "measures"]))
def api_create_policy(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Record a policy (the province; a chain office for its chain; a city bureau for its city)."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            pid = policies.create_policy(conn, user, body)
    return JSONResponse({"id": pid, "version": 1}, status_code=201)


@router.get("/api/policies/{policy_id}", tags=["work"], responses=ERRORS)
def api_policy(request: Request, policy_id: str, user=Depends(require_user)):
    """One policy with its measures and the requests and tasks citing it that the caller may see."""
    return _one(request, user, policy_id)


@router.patch("/api/policies/{policy_id}", tags=["work"], responses=ERRORS,
              openapi_extra=body_doc({"version": {"type": "integer"}, **FIELDS}, ["version"]))
def api_update_policy(request: Request, policy_id: str, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Change a policy; a stale ``version`` answers 409."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            policies.update_policy(conn, user, item_id(policy_id), body)
    return _one(request, user, policy_id)


@router.post("/api/policies/{policy_id}/cite", tags=["work"], responses=ERRORS,
             openapi_extra=body_doc({"request_id": {"type": "integer"}, "task_id": {"type": "integer"}}))
def api_cite(request: Request, policy_id: str, user=Depends(acting_user), body: dict = Depends(json_body)):
    """Cite the policy for a request or a task the caller sees."""
    st = get_state(request)
    with answers(), st.lock:
        with st.store.begin() as conn:
            policies.cite(conn, user, item_id(policy_id), body, today())
    return _one(request, user, policy_id)


@router.get("/policies", summary="政策清单 policy list page (twin: /api/policies)")
def policies_page(request: Request, user=Depends(require_user), chain: str | None = None, region: str | None = None,
                  validity: str | None = None):
    from chainbrain.web.views.work_pages import options

    return render(request, "policies.html", nav="lists", d=_list(request, user, chain, region, validity),
                  **options(request))


@router.get("/policies/{policy_id}", summary="policy page (twin: /api/policies/{policy_id})")
def policy_page(request: Request, policy_id: str, user=Depends(require_user)):
    return render(request, "policy.html", nav="lists", d=_one(request, user, policy_id))
