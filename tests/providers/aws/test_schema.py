"""Every registered aws type declares its schema as the installed pulumi_aws defines the type: every input (each
either implemented or refused with a hint), every output, which inputs are required and which properties secret.
An input missing from the declaration would be silently dropped; a wrong name would never match."""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass

import pytest

from envctl.providers.aws.registry import lookup_resource, supported_resource_types

_SECRET_OUTPUTS = re.compile(r"additional_secret_outputs=\[([^\]]*)\]")


@dataclass(frozen=True)
class PulumiAwsType:
    inputs: frozenset[str]
    outputs: frozenset[str]
    required: frozenset[str]
    secret: frozenset[str]


def pulumi_aws_type(token: str) -> PulumiAwsType:
    """A type as the installed pulumi_aws classes define it, in wire names."""
    module_name, class_name = token.split(":")[1].split("/")[0], token.rsplit(":", 1)[1]
    python_module = {"index": "", "lambda": ".lambda_"}.get(module_name, f".{module_name}")
    module = importlib.import_module(f"pulumi_aws{python_module}")
    resource = getattr(module, class_name)
    # `<Name>InitArgs` where pulumi-aws has one: `<Name>Args` is then a nested block of another type (the Bucket's
    # `versioning` is BucketVersioningArgs; the BucketVersioning resource takes BucketVersioningInitArgs).
    args = getattr(module, f"{class_name}InitArgs", None) or getattr(module, f"{class_name}Args")
    wire = {name: value.fget._pulumi_name for name, value in vars(args).items()
            if isinstance(value, property) and hasattr(value.fget, "_pulumi_name")}
    getters = {value.fget._pulumi_name for value in vars(resource).values()
               if isinstance(value, property) and hasattr(value.fget, "_pulumi_name")}
    parameters = inspect.signature(args.__init__).parameters.values()
    required = {wire[p.name] for p in parameters if p.name in wire and p.default is inspect.Parameter.empty}
    found = _SECRET_OUTPUTS.search(inspect.getsource(resource._internal_init))
    secret = {name.strip().strip('"') for name in found.group(1).split(",")} if found else set()
    inputs = frozenset(wire.values())
    return PulumiAwsType(inputs, frozenset(getters - inputs), frozenset(required), frozenset(secret))


@pytest.mark.parametrize("token", supported_resource_types())
def test_the_declared_schema_is_pulumi_aws_s(token: str) -> None:
    resource = lookup_resource(token)
    assert resource is not None
    assert resource.handled is not None, f"{token} declares no inputs it implements"
    declared = resource.schema()
    expected = pulumi_aws_type(token)
    assert {"missing": sorted(expected.inputs - declared.inputs),
            "unknown": sorted(declared.inputs - expected.inputs)} == {"missing": [], "unknown": []}, "inputs"
    assert {"missing": sorted(expected.outputs - declared.outputs),
            "unknown": sorted(declared.outputs - expected.outputs)} == {"missing": [], "unknown": []}, "outputs"
    assert declared.required == expected.required
    assert declared.secret == expected.secret
    assert declared.force_new <= declared.inputs
