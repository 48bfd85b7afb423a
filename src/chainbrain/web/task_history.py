"""A task's change log (审计留痕) in words: actions, field names and values as the office writes them.

The audit trail stores each change as field → value (``status: assigned → in_progress``); the
task page shows it as "状态：已交办 → 推进中". Internal fields (ids, versions, the assigner's scope,
flags) are left out; codes become names (region, chain, state, supervision step). Nothing is computed.
"""

from __future__ import annotations

from chainbrain.work.supervision import STEP_LABELS
from chainbrain.work.task_flow import ACTION_LABELS
from chainbrain.work.task_states import LABELS as STATE_LABELS

ACTIONS = {"create": ("创建", "created"), "update": ("调整", "changed"), "progress": ("报送进展", "progress report"),
           "escalate": ("自动升级督办", "escalated"), **ACTION_LABELS}
FIELDS = {"title": ("工作任务", "task"), "lead_unit": ("责任单位", "lead unit"), "lead_person": ("责任人", "lead person"),
          "co_units": ("配合单位", "co-units"), "chain_code": ("产业链", "chain"), "region_code": ("地区", "region"),
          "deadline": ("完成时限", "deadline"), "status": ("状态", "status"), "progress_pct": ("完成进度 %", "progress %"),
          "progress_note": ("进展", "progress"), "last_progress_on": ("最近报送", "last report"),
          "escalation_level": ("督办级别", "supervision level"), "description": ("说明", "description"),
          "reported_on": ("申请办结日期", "reported on"), "verified_on": ("核验日期", "verified on"),
          "verified_by": ("核验人", "verified by"), "closed_on": ("办结日期", "closed on"), "year": ("年度", "year")}


def _value(key: str, v, lang: str, names: dict) -> str:
    if v is None or v == "":
        return "—"
    if key == "status":
        zh, en = STATE_LABELS.get(v, (v, v))
        return en if lang == "en" else zh
    if key in ("region_code", "chain_code"):
        return names.get(str(v), str(v))
    if isinstance(v, (list, tuple)):
        return "、".join(str(x) for x in v) or "—"
    return str(v)


def _note(action: str, note: str | None, lang: str) -> str:
    if not note:
        return ""
    if action == "escalate":                 # the steps applied, comma-separated codes
        steps = [s.strip() for s in note.split(",")]
        if all(s in STEP_LABELS for s in steps):
            return ("; " if lang == "en" else "、").join(STEP_LABELS[s][lang == "en"] for s in steps)
    return note


def rows(history: list[dict], lang: str, names: dict) -> list[dict]:
    """``[{at, actor, action, changes, note}]``: each entry of ``history`` (records.history) in words;
    ``names`` maps region and chain codes to their names."""
    en = lang == "en"
    out = []
    for h in history:
        before, after = h.get("before") or {}, h.get("after") or {}
        changes = []
        for key, v in after.items():
            if key not in FIELDS:
                continue
            label = FIELDS[key][en]
            now = _value(key, v, lang, names)
            if h.get("before") is not None:
                changes.append(f"{label}{': ' if en else '：'}{_value(key, before.get(key), lang, names)} → {now}")
            elif now != "—":
                changes.append(f"{label}{': ' if en else '：'}{now}")
        out.append({"at": h.get("at"), "actor": h.get("actor"), "action": ACTIONS.get(h.get("action"),
                    (h.get("action"), h.get("action")))[en], "changes": ("; " if en else "；").join(changes),
                    "note": _note(h.get("action"), h.get("note"), lang)})
    return out
