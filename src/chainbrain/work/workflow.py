"""State machines of the work system, on the ``transitions`` library.

A :class:`Workflow` is declared once per kind of item (a request, a task…)
with its states, its actions (``transitions`` triggers) and their Chinese
labels. :meth:`Workflow.next_state` answers the state an action leads to from
a given state, or raises :class:`Refused` — one bilingual message naming the
item, the action and the state ("cannot close a request that is submitted
(「已提交」状态的诉求不能执行「销号」)"). Routes turn :class:`Refused` into 409.

Items live in the store, so no model object persists between requests: each
check builds a throw-away model in the item's current state and fires the
trigger (the library's own validation decides what is allowed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from transitions import Machine, MachineError


class Refused(ValueError):
    """A state change the workflow does not allow (bilingual message)."""

    def __init__(self, message: str, state: str = "", action: str = ""):
        super().__init__(message)
        self.state, self.action = state, action


class _Item:
    """The throw-away model the machine moves."""


@dataclass
class Workflow:
    """States and actions of one kind of item.

    ``transitions``: ``(action, sources, dest)`` with ``sources`` a state, a list
    of states or ``"*"``; ``labels``: Chinese names of states and actions;
    ``entity``: (English, Chinese) name of the item in messages.
    """

    entity: tuple[str, str]
    states: list[str]
    transitions: list[tuple[str, object, str]]
    labels: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self._specs = [{"trigger": a, "source": s, "dest": d} for a, s, d in self.transitions]
        self.actions = list(dict.fromkeys(a for a, _, _ in self.transitions))

    def _machine(self, state: str) -> _Item:
        item = _Item()
        Machine(model=item, states=self.states, transitions=self._specs, initial=state,
                auto_transitions=False, ignore_invalid_triggers=False)
        return item

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    def refuse(self, state: str, action: str, why: str = "") -> Refused:
        en, zh = self.entity
        extra = f": {why}" if why else ""
        return Refused(f"cannot {action.replace('_', ' ')} {'an' if en[0] in 'aeiou' else 'a'} {en} that is "
                       f"{state.replace('_', ' ')}{extra} "
                       f"(「{self.label(state)}」状态的{zh}不能执行「{self.label(action)}」)", state, action)

    def next_state(self, state: str, action: str) -> str:
        """The state ``action`` leads to from ``state``; :class:`Refused` when not allowed."""
        if state not in self.states or action not in self.actions:
            raise self.refuse(state, action)
        item = self._machine(state)
        try:
            getattr(item, action)()
        except MachineError as exc:
            raise self.refuse(state, action) from exc
        return item.state

    def allowed(self, state: str) -> list[str]:
        """The actions possible from ``state`` (in declaration order)."""
        if state not in self.states:
            return []
        item = self._machine(state)
        return [a for a in self.actions if item.may_trigger(a)] if hasattr(item, "may_trigger") \
            else [a for a, s, _ in self.transitions if s == "*" or s == state or (isinstance(s, list) and state in s)]
