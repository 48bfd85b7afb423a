"""What the task and meeting pages show besides their JSON twin: filter options and labels
(presentation only; the figures come from :mod:`chainbrain.work`)."""

from __future__ import annotations

import sqlalchemy as sa

from chainbrain.web.auth import read_store
from chainbrain.web.state import get_state
from chainbrain.work import task_scope as scope
from chainbrain.work.task_states import LABELS, STATES

RAG_LABELS = {"red": ("逾期", "Overdue"), "yellow": ("临期", "At risk"), "green": ("正常", "On track")}


def options(request) -> dict:
    with read_store(get_state(request).store).engine.connect() as conn:
        chains = [(r[0], r[1]) for r in conn.execute(sa.text("SELECT code, name_zh FROM chain ORDER BY seq"))]
        cities = [(r[0], r[1]) for r in conn.execute(sa.text(
            "SELECT code, name FROM region WHERE level = 'prefecture' AND status = 'current' ORDER BY code"))]
    return {"chains": chains, "cities": cities}


def task_list_context(request, user, d: dict) -> dict:
    lang = "en" if request.query_params.get("lang") == "en" else "zh"
    units = sorted({t["lead_unit"] for t in d["items"]} | {u for t in d["items"] for u in t["coop_units"]})
    return {**options(request), "units": units, "statuses": [(s, LABELS[s][lang == "en"]) for s in STATES],
            "rag_labels": {k: v[lang == "en"] for k, v in RAG_LABELS.items()},
            "manager": user.role in scope.MANAGERS, "f": d["filters"]}
