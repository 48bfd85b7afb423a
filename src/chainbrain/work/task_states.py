"""The states of a task (项目化清单式) and their labels; the machine is :mod:`chainbrain.work.task_flow`.

assigned (已交办) → in_progress (推进中) → awaiting_verification (待核验: the responsible unit
reports completion) → verified (已核验: the assigning office checked it) → closed (已办结/销号).
The assigning office may send a task back from awaiting_verification to in_progress (退回).
"Overdue" is not a state: it is the supervision clock's reading of an open task past its deadline
(:mod:`chainbrain.work.supervision`).
"""

from __future__ import annotations

STATES = ("assigned", "in_progress", "awaiting_verification", "verified", "closed")
OPEN = ("assigned", "in_progress")                       # the responsible unit still owes the work
DONE = ("awaiting_verification", "verified", "closed")   # completion reported: the clock stops

LABELS = {
    "assigned": ("已交办", "assigned"),
    "in_progress": ("推进中", "in progress"),
    "awaiting_verification": ("待核验", "awaiting verification"),
    "verified": ("已核验", "verified"),
    "closed": ("已办结", "closed"),
}

#: names offices write in the 状态 column → state
SYNONYMS = {
    "已交办": "assigned", "未启动": "assigned", "待启动": "assigned", "已下达": "assigned",
    "推进中": "in_progress", "进行中": "in_progress", "正在推进": "in_progress", "办理中": "in_progress",
    "待核验": "awaiting_verification", "已完成待核验": "awaiting_verification", "申请销号": "awaiting_verification",
    "申请办结": "awaiting_verification",
    "已核验": "verified", "核验通过": "verified",
    "已办结": "closed", "已销号": "closed", "已完成": "closed",
}


def label(state: str, lang: str = "zh") -> str:
    zh, en = LABELS.get(state, (state, state))
    return en if lang == "en" else zh


def state_of(text: str | None) -> str | None:
    """The state for a cell of the 状态 column (code, Chinese or English label); None if unknown."""
    s = (text or "").strip()
    if not s:
        return "assigned"
    if s in STATES:
        return s
    if s in SYNONYMS:
        return SYNONYMS[s]
    for code, (zh, en) in LABELS.items():
        if s.lower() == en:
            return code
    return None
