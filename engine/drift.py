"""Drift: what was changed in the cloud outside envctl, found by reading every resource of a stack's state.

Only the properties the program set (its inputs, with the defaults check filled in) that the provider
reads back count, compared by the provider's own diff, so that an equivalent policy document is no
drift; computed outputs that change on their own (versions, timestamps) are not looked at.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from envctl.engine import properties as props
from envctl.engine.providers import ProviderSet
from envctl.engine.state import ResourceState
from envctl.providers.aws.base import AwsResource, Props
from envctl.providers.aws.registry import lookup_resource

CHANGED, MISSING, UNREADABLE = "changed", "missing", "unreadable"
# Reads are independent; a few at a time keeps a large stack quick without tripping API rate limits.
_PARALLEL_READS = 8


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

    @property
    def drifted(self) -> bool:
        return bool(self.resources)

    def to_json(self) -> dict[str, Any]:
        return {"env": self.stack, "drifted": self.drifted, "checked": self.checked,
                "resources": [r.to_json() for r in self.resources]}


@dataclass(frozen=True)
class Observation:
    """One resource of the state and what the cloud says of it."""

    resource: ResourceState
    current: Props | None  # the outputs the provider reads now; None when the resource is gone
    drift: ResourceDrift | None  # None: as recorded


def checkable(resource: ResourceState) -> bool:
    """Resources envctl manages in the cloud: not components, providers, `get` reads or replaced copies."""
    return (resource.custom and bool(resource.id) and not resource.external and not resource.delete
            and lookup_resource(resource.type) is not None)


def observe(resources: list[ResourceState], providers: ProviderSet) -> list[Observation]:
    """Read every checkable resource from the cloud, in parallel, and compare it with its recorded state."""
    checked = [resource for resource in resources if checkable(resource)]
    with ThreadPoolExecutor(max_workers=_PARALLEL_READS) as pool:
        return list(pool.map(lambda resource: _observe(resource, providers), checked))


def find_drift(stack: str, resources: list[ResourceState], providers: ProviderSet) -> DriftReport:
    observations = observe(resources, providers)
    return DriftReport(stack, len(observations), [o.drift for o in observations if o.drift is not None])


def _observe(resource: ResourceState, providers: ProviderSet) -> Observation:
    provider = lookup_resource(resource.type)
    assert provider is not None  # only checkable resources are observed
    _, ctx = providers.resolve(resource.provider or "", "")
    try:
        current = provider.read(ctx, str(resource.id), props.reveal(resource.outputs))
    except (ClientError, BotoCoreError) as exc:
        return Observation(resource, None, _drift(resource, UNREADABLE, error=str(exc)))
    if current is None:
        return Observation(resource, None, _drift(resource, MISSING))
    changed = [_property(resource, key, current[key]) for key in _drifted_keys(provider, resource, current)]
    return Observation(resource, current, _drift(resource, CHANGED, changed) if changed else None)


def _drifted_keys(provider: AwsResource, resource: ResourceState, current: Props) -> list[str]:
    """The input properties whose value in the cloud differs from the one recorded, by the provider's diff."""
    # An ignoreChanges path names a top-level property first: the program does not care about any of it.
    ignored = {path.split(".")[0].split("[")[0] for path in resource.ignore_changes}
    keys = [key for key in resource.inputs if key in current and key not in ignored]
    recorded = {key: props.reveal(resource.outputs.get(key, resource.inputs[key])) for key in keys}
    return list(provider.diff(recorded, {key: current[key] for key in keys}).changed)


def _property(resource: ResourceState, key: str, actual: Any) -> PropertyDrift:
    recorded = resource.outputs.get(key, resource.inputs.get(key))
    if props.contains_secret(recorded) or props.contains_secret(resource.inputs.get(key)):
        return PropertyDrift(key, "[secret]", "[secret]")
    return PropertyDrift(key, recorded, actual)


def _drift(resource: ResourceState, status: str, changed: list[PropertyDrift] | None = None,
           error: str | None = None) -> ResourceDrift:
    return ResourceDrift(resource.urn, resource.type, resource.id, status, changed or [], error)
