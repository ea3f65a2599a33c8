"""`envctl import`: adopt a resource that exists in the cloud into an environment's state (Pulumi's `import`),
recorded in the ledger, and the program code that declares it as adopted."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from envctl.engine.properties import reveal_redacted
from envctl.engine.state import ResourceState
from envctl.environment import Environment
from envctl.state_edit import edit_state


@dataclass(frozen=True)
class Imported:
    resource: ResourceState
    snapshot: str | None
    code: str  # the Python declaration that matches the adopted state: the next `up` leaves it as it is


def import_resource(environment: Environment, type_: str, name: str, id: str, *, protect: bool = True) -> Imported:
    """Read `id` from the cloud and add it to the state as `name`, protected unless told otherwise (as Pulumi
    does, so that a mistake in the program cannot delete what was adopted)."""
    adopted: list[ResourceState] = []

    def change(resources: list[ResourceState]) -> tuple[list[ResourceState], str]:
        resource = environment.deployment().adoptable(resources, type_, name, id, protect=protect)
        adopted.append(resource)
        return [*resources, resource], f"imported {type_} {resource.id} as {resource.urn}"

    edit = edit_state(environment, "import", change)
    return Imported(adopted[0], edit.snapshot, declaration(adopted[0]))


def declaration(resource: ResourceState) -> str:
    """`aws.s3.Bucket("name", bucket="...", opts=...)`: the registration whose checked inputs are the state's."""
    package, module, class_name = _python_path(resource.type)
    arguments = [json.dumps(resource.name)]
    for key, value in sorted(reveal_redacted(resource.inputs).items()):
        arguments.append(f"{_snake(key)}={_python(value)}")
    if resource.protect:
        arguments.append("opts=pulumi.ResourceOptions(protect=True)")
    body = ",\n    ".join(arguments)
    return f"{package}.{module}.{class_name}(\n    {body},\n)" if module else f"{package}.{class_name}(\n    {body},\n)"


def _python_path(type_: str) -> tuple[str, str, str]:
    package, middle, class_name = type_.split(":")
    module = middle.split("/")[0]
    module = {"index": "", "lambda": "lambda_"}.get(module, module)
    return package, module, class_name


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _python(value: Any) -> str:
    """A Python literal of a JSON value."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_python(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_python(v) for v in value) + "]"
    return json.dumps(value)
