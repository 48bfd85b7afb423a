"""链长制组织 — a chain's organisation: leaders, units, task force, chain masters, working modes and
the interaction log (JSON twin ``/api/organisation``; work layer :mod:`chainbrain.work.organisation`).

``GET /api/organisation?chain=EI`` (default: the caller's chain, else the first chain);
``POST /api/organisation/members|relations|interactions`` (the province and the chain's office).
Enterprise names appear only to callers who may see the enterprise (:func:`chainbrain.web.policy.visible_ids`).
"""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from chainbrain.web.auth import read_store
from chainbrain.web.i18n import lang_of
from chainbrain.web.policy import visible_ids
from chainbrain.web.render import render
from chainbrain.web.state import get_state
from chainbrain.web.views.work_tasks import lister, today
from chainbrain.web.workhttp import ERRORS, acting_user, answers, body_doc, json_body
from chainbrain.work.organisation import KINDS, MODES, ROLES, add_interaction, add_member, add_relation, organisation

router = APIRouter()
CHAIN = Query(None, description="chain code (default: the caller's chain, else the first chain)")


def _org(request: Request, user, chain: str | None) -> dict:
    reader = read_store(get_state(request).store)
    if not chain:
        chain = user.chain_code if user.role == "chain_office" else None
    if not chain:
        with reader.engine.connect() as conn:
            chain = conn.execute(sa.text("SELECT code FROM chain ORDER BY seq")).scalar()
    with answers():
        return organisation(reader, user, chain, today(), lambda ids: visible_ids(reader, user, ids),
                            lang_of(request.query_params.get("lang")))


@router.get("/api/organisation", tags=["work"], responses=ERRORS)
def api_organisation(request: Request, user=Depends(lister), chain: str | None = CHAIN) -> dict:
    """A chain's leaders (总链长, 链长, 副链长), lead and member units, task force (专班), chain
    masters (from the designations), working-mode relationships and, for the province and the
    chain's office, the interaction log."""
    return _org(request, user, chain)


def _post(kind, fn, fields, required):
    def endpoint(request: Request, user=Depends(acting_user), body: dict = Depends(json_body)):
        st = get_state(request)
        with answers(), st.lock:
            with st.store.begin() as conn:
                new = fn(conn, user, body)
        return JSONResponse({"id": new}, status_code=201)
    endpoint.__name__ = f"api_org_{kind}"
    endpoint.__doc__ = f"Add one {kind[:-1]} to a chain's organisation (the province and the chain's office; 201)."
    router.add_api_route(f"/api/organisation/{kind}", endpoint, methods=["POST"], status_code=201, tags=["work"],
                         responses=ERRORS, openapi_extra=body_doc(fields, required))


_post("members", add_member, {"role": {"type": "string", "enum": list(ROLES)}, "chain_code": {"type": "string"},
                              "name": {"type": "string"}, "title": {"type": "string"}, "unit": {"type": "string"}},
      ["role", "name"])
_post("relations", add_relation, {"mode": {"type": "string", "enum": list(MODES)}, "chain_code": {"type": "string"},
                                  "leader": {"type": "string"}, "enterprise_id": {"type": "integer"},
                                  "partner": {"type": "string"}, "since": {"type": "string", "format": "date"}},
      ["mode", "leader"])
_post("interactions", add_interaction, {"kind": {"type": "string", "enum": list(KINDS)}, "chain_code": {"type": "string"},
                                        "held_on": {"type": "string", "format": "date"}, "leader": {"type": "string"},
                                        "enterprise_id": {"type": "integer"}, "summary": {"type": "string"},
                                        "commitment": {"type": "string"}},
      ["kind", "held_on", "leader", "summary"])


@router.get("/organisation", summary="链长制组织 organisation page (twin: /api/organisation)")
def organisation_page(request: Request, user=Depends(lister), chain: str | None = CHAIN):
    from chainbrain.web.views.work_pages import options

    return render(request, "organisation.html", nav="tasks", d=_org(request, user, chain), kinds=KINDS,
                  **options(request))
