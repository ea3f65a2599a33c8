"""A registration in neutral form: what the program declares one resource should be (Pulumi's goal state)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Goal:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None = None
    provider: str = ""  # the provider reference `<urn>::<id>` of a custom resource
    inputs: Mapping[str, Any] = field(default_factory=dict)  # secrets wrapped, resource references as ids
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    protect: bool = False
    delete_before_replace: bool = False
    retain_on_delete: bool = False
    ignore_changes: tuple[str, ...] = ()
    replace_on_changes: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # URNs the resource may have had before
    read_id: str | None = None  # a resource the program reads by id (`get`) rather than manages
