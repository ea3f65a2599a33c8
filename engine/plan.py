"""The confirmed plan: the steps a preview showed, against which an apply's steps are checked before they are taken.

The apply runs the program again, so its steps are decided again; a value the preview did not know yet may turn
out to change less than planned, never more. So a step is allowed when the plan holds the same URN with the same
operation, or a lesser one of the same kind (a planned replace may be an update or no change, a planned update no
change), and it changes no property the plan did not name. Creates and deletes must be planned as such.
(Pulumi's update plans: `pulumi up --plan`.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from envctl.engine.steps import CREATE, DELETE, READ, REPLACE, SAME, UPDATE, Op, Step

_IN_PLACE_RANK = {SAME: 0, UPDATE: 1, REPLACE: 2}
_EXACT = frozenset({CREATE, DELETE, READ, Op.SKIP})  # planned as such, or not at all


@dataclass(frozen=True)
class PlannedStep:
    op: Op
    urn: str
    type: str
    changed: frozenset[str]


class Plan:
    """The steps of one preview, by URN (a URN may have a delete of a replaced copy and a step of its own)."""

    def __init__(self, steps: Iterable[Step]) -> None:
        self._by_urn: dict[str, list[PlannedStep]] = {}
        for step in steps:
            self._add(PlannedStep(step.op, step.urn, step.type, frozenset(step.diff.changed)))

    @classmethod
    def of(cls, planned: Iterable[PlannedStep]) -> Plan:
        """The plan of steps decided earlier (a saved plan)."""
        plan = cls([])
        for step in planned:
            plan._add(step)
        return plan

    def _add(self, planned: PlannedStep) -> None:
        self._by_urn.setdefault(planned.urn, []).append(planned)

    def violation(self, step: Step) -> str | None:
        """Why the plan does not allow `step`, or None when it does."""
        planned = self._by_urn.get(step.urn, [])
        if any(_allows(p, step) for p in planned):
            return None
        if not planned:
            return f"{step.describe()} is not in the confirmed plan (it planned nothing for {step.urn})"
        shown = ", ".join(_describe(p) for p in planned)
        return f"{_describe_step(step)} is not what the confirmed plan holds for {step.name!r} ({shown})"


def _allows(planned: PlannedStep, step: Step) -> bool:
    if step.op in _EXACT or planned.op in _EXACT:
        return planned.op == step.op
    if step.op not in _IN_PLACE_RANK or planned.op not in _IN_PLACE_RANK:
        return False
    return _IN_PLACE_RANK[step.op] <= _IN_PLACE_RANK[planned.op] and set(step.diff.changed) <= planned.changed


def _describe(planned: PlannedStep) -> str:
    changed = f" of {', '.join(sorted(planned.changed))}" if planned.changed else ""
    return f"{planned.op}{changed}"


def _describe_step(step: Step) -> str:
    changed = f" of {', '.join(step.diff.changed)}" if step.diff.changed else ""
    return f"{step.op}{changed} of {step.type} {step.name!r}"
