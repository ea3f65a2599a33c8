"""Refresh: bring a stack's state in line with the cloud before an operation, as `pulumi refresh` does.

Every resource is read: its outputs become what the cloud reports, an input changed outside envctl takes
the cloud's value (so the next `up` sees that the program wants it back, and updates it), and a resource
gone from the cloud leaves the state (so the next `up` creates it again).
"""

from __future__ import annotations

from dataclasses import replace

from envctl.engine import properties as props
from envctl.engine.drift import MISSING, DriftReport, Observation, observe
from envctl.engine.providers import ProviderSet
from envctl.engine.state import ResourceState, StateStore, now_iso


def refresh_state(store: StateStore, stack: str, resources: list[ResourceState],
                  providers: ProviderSet) -> DriftReport:
    """Reconcile `resources` (as `store` loaded them) with the cloud; returns the drift that was taken in.
    A resource that cannot be read stays as it was, and the report names it."""
    observations = observe(resources, providers)
    for observation in observations:
        if observation.drift is not None and observation.drift.status == MISSING:
            store.settle(None, remove=observation.resource)
        elif observation.current is not None:
            refreshed = _refreshed(observation)
            if refreshed is not None:
                store.settle(None, put=refreshed)
    return DriftReport(stack, len(observations), [o.drift for o in observations if o.drift is not None])


def _refreshed(observation: Observation) -> ResourceState | None:
    """The resource as the cloud has it, or None when its state already says so."""
    resource, current = observation.resource, observation.current
    assert current is not None
    inputs = dict(resource.inputs)
    for drifted in observation.drift.properties if observation.drift is not None else []:
        key = drifted.property
        inputs[key] = props.secret(current[key]) if props.contains_secret(inputs[key]) else current[key]
    secret_keys = {key for key, value in {**resource.inputs, **resource.outputs}.items()
                   if props.contains_secret(value)} | set(resource.additional_secret_outputs)
    outputs = props.mark_secrets(current, secret_keys)
    if inputs == resource.inputs and props.reveal(outputs) == props.reveal(resource.outputs):
        return None
    return replace(resource, inputs=inputs, outputs=outputs, modified=now_iso())
