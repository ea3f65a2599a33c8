"""The provider protocol: what the engine asks of a provider package, in neutral values.

A package (`aws`, `random`, ...) is found by the first segment of a type token (`aws:s3/bucket:Bucket`) or by its
provider type (`pulumi:providers:aws`). Configured with a provider resource's inputs, it gives a `Provider` whose
methods are Pulumi's provider RPCs, small: check and diff decide (no cloud call), create, read, update and delete
act, find looks a resource up after a crash, invoke answers a data source. Providers see plain values (the
engine unwraps secrets and turns resource references into ids); a failure is a `ProviderError` whose message is
already readable. Nothing here knows a cloud.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

Props = dict[str, Any]


@dataclass(frozen=True)
class CheckFailure:
    """An input the provider rejects before any call: `unsupported` when envctl does not implement it (the
    program is fine, envctl cannot honour it), else invalid."""

    property: str
    reason: str
    unsupported: bool = False


@dataclass(frozen=True)
class CheckResult:
    """The inputs as the provider will use them (defaults and auto-names filled in), and what it rejects."""

    inputs: Props
    failures: tuple[CheckFailure, ...] = ()


@dataclass(frozen=True)
class DiffResult:
    """Top-level properties that changed, and those of them whose change forces a replacement."""

    changed: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()

    @property
    def has_changes(self) -> bool:
        return bool(self.changed)

    @property
    def needs_replace(self) -> bool:
        return bool(self.replaces)

    def without(self, keys: Iterable[str]) -> DiffResult:
        """The diff with the properties in `keys` taken out: they are no change after all."""
        dropped = set(keys)
        return DiffResult(tuple(k for k in self.changed if k not in dropped),
                          tuple(k for k in self.replaces if k not in dropped))

    def replacing(self, keys: Iterable[str]) -> DiffResult:
        """The diff with the changed properties in `keys` forcing a replacement too."""
        forced = set(keys)
        return DiffResult(self.changed, tuple(k for k in self.changed if k in self.replaces or k in forced))


class ProviderError(Exception):
    """A provider call failed. The message is the cloud's answer, readable as it is."""


@dataclass(frozen=True)
class TypeInfo:
    """What `envctl types` shows of one resource type or invoke."""

    token: str
    kind: str  # "resource" or "invoke"
    implemented: tuple[str, ...] = ()  # inputs envctl honours
    unimplemented: Mapping[str, str] = field(default_factory=dict)  # inputs it refuses, with a hint each
    outputs: tuple[str, ...] = ()
    secret: tuple[str, ...] = ()  # properties the package marks secret whatever the program says
    note: str = ""  # e.g. what the local cloud cannot emulate


class Provider(Protocol):
    """One configured provider (a provider resource's instance): the calls of one account, region, ..."""

    def check(self, type_: str, name: str, olds: Props | None, news: Props) -> CheckResult:
        """Validate and complete the inputs of a registration; `olds` are the previous inputs (None when new)."""
        ...

    def diff(self, type_: str, olds: Props, news: Props) -> DiffResult:
        """Which properties differ between checked inputs, and which of them force a replacement."""
        ...

    def create(self, type_: str, urn: str, inputs: Props) -> tuple[str, Props]:
        """Create the resource; its id and all outputs."""
        ...

    def read(self, type_: str, id: str, state: Props) -> Props | None:
        """The resource's outputs as the cloud has them now; None when it no longer exists."""
        ...

    def update(self, type_: str, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        """Change the properties `diff` names in place; all outputs."""
        ...

    def delete(self, type_: str, id: str, state: Props) -> None:
        """Delete the resource; quietly when it is already gone."""
        ...

    def find(self, type_: str, urn: str, inputs: Props, known_ids: set[str]) -> tuple[str, Props] | None:
        """The resource a create with these inputs made, if it exists and is not one of `known_ids`: how a create
        whose outcome a crash left unknown is settled."""
        ...

    def invoke(self, token: str, args: Props) -> Props:
        """A data source's answer."""
        ...


class ProviderPackage(Protocol):
    """A provider plugin: its name, what it implements, and a provider for given provider inputs."""

    name: str

    def supports(self, type_: str) -> bool: ...

    def supports_invoke(self, token: str) -> bool: ...

    def configure(self, inputs: Props) -> Provider:
        """A provider for these provider-resource inputs (config values are strings, structured ones JSON)."""
        ...

    def types(self) -> list[TypeInfo]:
        """Every resource type and invoke the package implements."""
        ...

    def unsupported_reason(self, type_: str) -> str | None:
        """Why the package does not implement a type of its own, where it knows (the cloud cannot hold it, say)."""
        ...


def package_of(type_: str) -> str:
    """The package a type or invoke token belongs to: `aws` for `aws:s3/bucket:Bucket` and `pulumi:providers:aws`."""
    if type_.startswith("pulumi:providers:"):
        return type_.removeprefix("pulumi:providers:")
    return type_.split(":", 1)[0]
