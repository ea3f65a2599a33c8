"""Drift: what was changed in the cloud outside envctl, decided from what the provider reads back (pure: the
reads are the executor's).

Only the properties the program set (its inputs, with the defaults check filled in) that the provider reads back
count, compared by the provider's own diff, so that an equivalent policy document is no drift; computed outputs
that change on their own (versions, timestamps) are not looked at. A refresh takes the cloud's word into the
state: outputs as reported, a changed input at the cloud's value (so the next `up` puts back what the program
says), a resource gone from the cloud out of the state (so the next `up` creates it again).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from envctl.engine import properties as props
from envctl.engine.provider import Provider
from envctl.engine.state import ResourceState, now_iso

CHANGED, MISSING, UNREADABLE = "changed", "missing", "unreadable"


@dataclass(frozen=True)
class Observation:
    """A resource of the state and what its provider reads of it now."""

    resource: ResourceState
    current: dict[str, Any] | None  # None: gone, or unreadable (then `error` says why)
    error: str | None = None


@dataclass(frozen=True)
class PropertyDrift:
    """One input property: its value as envctl last recorded it and as the cloud has it now."""

    property: str
    recorded: Any  # secrets appear as "[secret]"
    actual: Any

    def to_json(self) -> dict[str, Any]:
        return {"property": self.property, "from": self.recorded, "to": self.actual}


@dataclass(frozen=True)
class ResourceDrift:
    urn: str
    type: str
    id: str | None
    status: str  # changed | missing | unreadable
    properties: list[PropertyDrift] = field(default_factory=list)
    error: str | None = None  # why an unreadable resource could not be read

    @property
    def name(self) -> str:
        return self.urn.rpartition("::")[2]

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["properties"] = [p.to_json() for p in self.properties]
        return document


@dataclass(frozen=True)
class DriftReport:
    stack: str
    checked: int  # resources read from the cloud
    resources: list[ResourceDrift]  # only those that drifted (or could not be read)
    not_compared: list[str] = field(default_factory=list)  # `name.property`: secrets read without their key

    @property
    def drifted(self) -> bool:
        return bool(self.resources)

    def to_json(self) -> dict[str, Any]:
        return {"env": self.stack, "drifted": self.drifted, "checked": self.checked,
                "resources": [r.to_json() for r in self.resources], "not_compared": self.not_compared}


def resource_drift(provider: Provider, observation: Observation) -> ResourceDrift | None:
    """How the resource differs from its recorded state; None when it does not."""
    resource, current = observation.resource, observation.current
    if observation.error is not None:
        return _drift(resource, UNREADABLE, error=observation.error)
    if current is None:
        return _drift(resource, MISSING)
    changed = [_property(resource, key, current[key]) for key in _drifted_keys(provider, resource, current)]
    return _drift(resource, CHANGED, changed) if changed else None


def refreshed_state(observation: Observation, drift: ResourceDrift | None) -> ResourceState | None:
    """The resource as the cloud has it, or None when its state already says so (or it cannot be read)."""
    resource, current = observation.resource, observation.current
    if current is None:
        return None
    inputs = dict(resource.inputs)
    for drifted in drift.properties if drift is not None else []:
        key = drifted.property
        inputs[key] = props.secret(current[key]) if props.contains_secret(inputs[key]) else current[key]
    secret_keys = {key for key, value in {**resource.inputs, **resource.outputs}.items()
                   if props.contains_secret(value)} | set(resource.additional_secret_outputs)
    outputs = props.mark_secrets(current, secret_keys)
    if inputs == resource.inputs and props.reveal(outputs) == props.reveal(resource.outputs):
        return None
    return replace(resource, inputs=inputs, outputs=outputs, modified=now_iso())


def refreshed_states(state: list[ResourceState], observations: list[Observation],
                     drifts: list[ResourceDrift | None]) -> list[ResourceState]:
    """`state` with each observed resource as the cloud has it, and those gone from the cloud left out."""
    by_urn: dict[str, ResourceState | None] = {}
    for observation, drift in zip(observations, drifts, strict=True):
        if observation.error is not None:
            continue
        gone = observation.current is None
        by_urn[observation.resource.urn] = None if gone else refreshed_state(observation, drift) or observation.resource
    result = []
    for resource in state:
        if resource.delete or resource.urn not in by_urn:
            result.append(resource)
        elif (refreshed := by_urn[resource.urn]) is not None:
            result.append(refreshed)
    return result


def _drifted_keys(provider: Provider, resource: ResourceState, current: dict[str, Any]) -> list[str]:
    """The input properties whose value in the cloud differs from the one recorded, by the provider's diff."""
    # An ignoreChanges path names a top-level property first: the program does not care about any of it.
    ignored = {path.split(".")[0].split("[")[0] for path in resource.ignore_changes} | set(sealed_inputs(resource))
    keys = [key for key in resource.inputs if key in current and key not in ignored]
    recorded = {key: props.reveal(resource.outputs.get(key, resource.inputs[key])) for key in keys}
    return list(provider.diff(resource.type, recorded, {key: current[key] for key in keys}).changed)


def sealed_inputs(resource: ResourceState) -> list[str]:
    """The inputs whose recorded value holds a secret read without its key: they cannot be compared."""
    return [key for key, value in resource.inputs.items()
            if props.contains_sealed(resource.outputs.get(key, value)) or props.contains_sealed(value)]


def _property(resource: ResourceState, key: str, actual: Any) -> PropertyDrift:
    recorded = resource.outputs.get(key, resource.inputs.get(key))
    if props.contains_secret(recorded) or props.contains_secret(resource.inputs.get(key)):
        return PropertyDrift(key, "[secret]", "[secret]")
    return PropertyDrift(key, recorded, actual)


def _drift(resource: ResourceState, status: str, changed: list[PropertyDrift] | None = None,
           error: str | None = None) -> ResourceDrift:
    return ResourceDrift(resource.urn, resource.type, resource.id, status, changed or [], error)
