"""A preview takes no step: the program is answered with what each step would make, as far as a preview can know
it (values only the cloud can give stay unknown), and nothing is written. Reads of existing resources and invokes
still go to the cloud, through the executor, so the program sees what is there."""

from __future__ import annotations

from typing import Any

from envctl.engine.executor import StepExecutor
from envctl.engine.state import ResourceState
from envctl.engine.steps import READ, Step, planned_state


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
