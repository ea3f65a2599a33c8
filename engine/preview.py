"""A preview takes no step: the program is answered with what each step would make, as far as a preview can know
it (values only the cloud can give stay unknown), and nothing is written. Reads of existing resources and invokes
still go to the cloud, through the executor, so the program sees what is there."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from envctl.engine import properties as props
from envctl.engine.executor import StepExecutor
from envctl.engine.providers import PROVIDER_TYPE_PREFIX
from envctl.engine.state import ResourceState
from envctl.engine.steps import CREATE, DELETE, READ, SAME, UPDATE, Step


class PreviewSink:
    def __init__(self, reader: StepExecutor) -> None:
        self._reader = reader

    def take(self, steps: list[Step]) -> ResourceState | None:
        result = None
        for step in steps:
            result = self._reader.fetch(step) if step.op == READ else planned_state(step)
        return result

    def invoke(self, reference: str, token: str, args: dict[str, Any]) -> dict[str, Any]:
        return self._reader.invoke(reference, token, args)

    def record_outputs(self, state: ResourceState) -> None:
        """A preview writes nothing."""


def planned_state(step: Step) -> ResourceState | None:
    """The resource as it would be after `step`: outputs the cloud computes are not known yet (the SDK treats an
    output missing from the answer as unknown in a preview)."""
    if step.op == DELETE:
        return None
    new = step.new
    assert new is not None
    if step.op == SAME or not new.custom:
        return new
    if new.type.startswith(PROVIDER_TYPE_PREFIX):
        return new if step.op != CREATE else replace(new, id=props.UNKNOWN)
    if step.op == UPDATE and step.old is not None:
        return replace(new, id=step.old.id, outputs={**step.old.outputs, **new.inputs})
    return replace(new, id=None, outputs=dict(new.inputs))
