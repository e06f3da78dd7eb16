"""State machines as tables: each action names the states it may start from and the state it leads to.

A model's `choices.py` declares its table; its services call `machine.target(action, current)`, which refuses
what the table does not allow. The UI and API ask `machine.allowed(current)` to show only possible actions.
We use a table instead of a library such as django-fsm so that transitions stay in services, next to the audit
entry and the side effects, rather than in model methods (docs/decisions/0003-state-machines.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .errors import InvalidTransition


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    label: str | Promise = ""


@dataclass
class StateMachine:
    name: str
    transitions: dict[str, Transition] = field(default_factory=dict)
    state_labels: dict[str, str | Promise] = field(default_factory=dict)

    @classmethod
    def build(cls, name: str, table: dict[str, tuple[Iterable[str], str, str | Promise]],
              state_labels: dict[str, str | Promise] | None = None) -> StateMachine:
        return cls(name, {a: Transition(frozenset(s), t, label) for a, (s, t, label) in table.items()},
                   dict(state_labels or {}))

    def target(self, action: str, current: str) -> str:
        transition = self.transitions.get(action)
        if transition is None or current not in transition.sources:
            label = transition.label if transition else action
            raise InvalidTransition(
                _("“%(action)s” is not possible while the record is “%(state)s”.")
                % {"action": label or action, "state": self.state_labels.get(current, current)},
                action=action, state=current,
            )
        return transition.target

    def can(self, action: str, current: str) -> bool:
        transition = self.transitions.get(action)
        return transition is not None and current in transition.sources

    def allowed(self, current: str) -> list[str]:
        return [a for a, t in self.transitions.items() if current in t.sources]
