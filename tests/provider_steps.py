"""What the aws:* provider tests share: steps that drive a provider the way the engine does (check, diff, then
the provider's call) against the session's moto server, and the checks made of what they leave in the cloud.

Three ways to hold what a step made, for three kinds of test: `create`/`update` by id and outputs; `Deployed`
for a resource followed through its inputs; and the `provision` and `provisioner` fixtures (conftest.py),
which delete whatever a test leaves behind.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pulumi.runtime import rpc

from envctl.engine.deployment import DeploymentResult
from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.package import with_region
from envctl.providers.aws.registry import lookup_invoke, lookup_resource

from engine_support import destroy, up, write_program

LAMBDA_TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})
READ_ONLY_LOGS = "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess"


def urn(token: str, name: str) -> str:
    return f"urn:pulumi:test::provider-tests::{token}::{name}"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def provider(token: str) -> AwsResource:
    found = lookup_resource(token)
    assert found is not None, token
    return found


def invoke(token: str, ctx: AwsContext, args: Props) -> Props:
    fn = lookup_invoke(token)
    assert fn is not None, token
    return fn(ctx, args)


def checked(token: str, logical: str, news: Props, olds: Props | None = None) -> Props:
    result = provider(token).check(logical, olds, news)
    assert not result.failures, result.failures
    return result.inputs


def failed_properties(token: str, inputs: Props) -> set[str]:
    return {failure.property for failure in provider(token).check("x", None, inputs).failures}


def failures(token: str, **inputs: Any) -> dict[str, str]:
    """Each input check rejects, with the reason."""
    return {failure.property: failure.reason for failure in provider(token).check("x", None, inputs).failures}


def error_code(call: Callable[..., Any], **params: Any) -> str:
    """The code of the error AWS answers the call with (it must fail)."""
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]["Code"]


def tag_map(pairs: list[dict], key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {pair[key]: pair[value] for pair in pairs}


def tags_of(described: dict) -> dict[str, str]:
    """The tags of something EC2 describes."""
    return tag_map(described.get("Tags", []))


def group_of(ec2: Any, group_id: str) -> dict:
    return ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]


def sdk_wire(value: Any) -> Any:
    """A value as the Pulumi SDK sends it to the engine (assets and archives in their wire form)."""
    return asyncio.run(rpc.serialize_property(value, [], None))


# ---- by id and outputs ---------------------------------------------------------------------


def create(ctx: AwsContext, token: str, logical: str, inputs: Props) -> tuple[str, Props]:
    return created(ctx, token, logical, checked(token, logical, inputs))


def read_from_cloud(ctx: AwsContext, token: str, id: str, state: Props) -> Props | None:
    """The provider's read, as the engine takes it (with the region of a regional type)."""
    resource = provider(token)
    found = resource.read(ctx, id, state)
    return None if found is None else with_region(resource, ctx, found)


def created(ctx: AwsContext, token: str, logical: str, inputs: Props) -> tuple[str, Props]:
    """The provider's create, as the engine takes it (with the region of a regional type); every output property
    of the type's schema must be there (computed, or read back from AWS)."""
    resource = provider(token)
    id, outputs = resource.create(ctx, urn(token, logical), inputs)
    outputs = with_region(resource, ctx, outputs)
    missing = resource.schema().outputs - set(outputs)
    assert not missing, f"{token}: create returned no {', '.join(sorted(missing))}"
    return id, outputs


def update(ctx: AwsContext, token: str, logical: str, id: str, olds: Props, changes: Props) -> Props:
    """Apply `changes` to the inputs in `olds`, as the engine does: diff, then update in place."""
    resource = provider(token)
    news = resource.check(logical, olds, {**_inputs_of(olds), **changes}).inputs
    diff = resource.diff(_inputs_of(olds), news)
    assert not diff.needs_replace, diff
    return with_region(resource, ctx, resource.update(ctx, urn(token, logical), id, olds, news, diff))


def _inputs_of(outputs: Props) -> Props:
    computed = {"id", "arn", "createDate", "uniqueId", "tagsAll", "version", "region"}
    return {k: v for k, v in outputs.items() if k not in computed and v is not None}


def assert_deleted(ctx: AwsContext, token: str, id: str, state: Props) -> None:
    """Delete leaves nothing, deleting again is fine, and read then reports the resource gone."""
    resource = provider(token)
    resource.delete(ctx, id, state)
    resource.delete(ctx, id, state)
    assert read_from_cloud(ctx, token, id, state) is None


# ---- followed through its inputs -----------------------------------------------------------


@dataclass(frozen=True)
class Deployed:
    """A resource as the engine keeps it between steps: its id, its checked inputs and its outputs."""

    token: str
    name: str
    id: str
    inputs: Props
    outputs: Props

    @property
    def urn(self) -> str:
        return urn(self.token, self.name)


def deploy(ctx: AwsContext, token: str, logical_name: str, news: Props) -> Deployed:
    inputs = checked(token, logical_name, news)
    id, outputs = created(ctx, token, logical_name, inputs)
    return Deployed(token, logical_name, id, inputs, outputs)


def diff_of(deployed: Deployed, news: Props) -> DiffResult:
    """What the engine would decide for new inputs: old and new checked inputs compared."""
    inputs = checked(deployed.token, deployed.name, news, deployed.inputs)
    return provider(deployed.token).diff(deployed.inputs, inputs)


def redeploy(ctx: AwsContext, deployed: Deployed, news: Props) -> Deployed:
    """Check and diff like the engine, insist on an in-place update, and run it."""
    inputs = checked(deployed.token, deployed.name, news, deployed.inputs)
    diff = provider(deployed.token).diff(deployed.inputs, inputs)
    assert diff.has_changes and not diff.needs_replace, diff
    resource = provider(deployed.token)
    outputs = with_region(resource, ctx,
                          resource.update(ctx, deployed.urn, deployed.id, deployed.outputs, inputs, diff))
    return Deployed(deployed.token, deployed.name, deployed.id, inputs, outputs)


def read(ctx: AwsContext, deployed: Deployed) -> Props:
    found = read_from_cloud(ctx, deployed.token, deployed.id, deployed.outputs)
    assert found is not None
    return found


def destroy_for_good(ctx: AwsContext, deployed: Deployed) -> None:
    assert_deleted(ctx, deployed.token, deployed.id, deployed.outputs)


# ---- provisioned for a test, and deleted after it ------------------------------------------


@dataclass
class Provisioned:
    """A resource created through its provider, with what the engine would keep in state; changes apply to the
    checked inputs (the `provision` fixture)."""

    ctx: AwsContext
    resource: AwsResource
    name: str
    urn: str
    id: str
    inputs: Props
    outputs: Props

    def checked(self, **changes: Any) -> Props:
        news = {k: v for k, v in {**self.inputs, **changes}.items() if v is not None}
        result = self.resource.check(self.name, self.inputs, news)
        assert not result.failures, result.failures
        return result.inputs

    def diff(self, **changes: Any) -> DiffResult:
        return self.resource.diff(self.inputs, self.checked(**changes))

    def update(self, **changes: Any) -> DiffResult:
        news = self.checked(**changes)
        diff = self.resource.diff(self.inputs, news)
        assert diff.has_changes and not diff.needs_replace
        self.outputs = with_region(self.resource, self.ctx,
                                   self.resource.update(self.ctx, self.urn, self.id, self.outputs, news, diff))
        self.inputs = news
        return diff

    def read(self) -> Props | None:
        return read_from_cloud(self.ctx, self.resource.token, self.id, self.outputs)

    def delete(self) -> None:
        self.resource.delete(self.ctx, self.id, self.outputs)

    def assert_deleted(self, still_there: Callable[[], bool] | None = None) -> None:
        """Delete leaves nothing (`still_there` says so from the cloud), deleting again is fine, and read then
        reports the resource gone."""
        self.delete()
        assert still_there is None or not still_there()
        self.delete()
        assert self.read() is None


Provision = Callable[..., Provisioned]


def provisioned(ctx: AwsContext, token: str, name: str, inputs: Props) -> Provisioned:
    inputs = checked(token, name, inputs)
    id, outputs = created(ctx, token, name, inputs)
    return Provisioned(ctx, provider(token), name, urn(token, name), id, inputs, outputs)


@dataclass(frozen=True)
class Made:
    """A resource created through its provider: the program's inputs, the checked inputs the engine records
    (defaults and auto-names filled in) and the outputs; changes apply to the program (the `provisioner`
    fixture)."""

    token: str
    logical: str
    program: Props
    id: str = ""
    inputs: Props | None = None
    outputs: Props | None = None

    @property
    def urn(self) -> str:
        return urn(self.token, self.logical)


class Provisioner:
    """Creates, changes and deletes resources the way the engine does (check, diff, then the provider call),
    and deletes whatever a test leaves behind."""

    def __init__(self, ctx: AwsContext) -> None:
        self.ctx = ctx
        self._made: list[Made] = []

    def create(self, token: str, logical: str, inputs: Props) -> Made:
        made = Made(token, logical, inputs)
        news = checked(token, logical, inputs)
        id, outputs = created(self.ctx, token, logical, news)
        made = replace(made, id=id, inputs=news, outputs=outputs)
        self._made.append(made)
        return made

    def plan(self, made: Made, changes: Props) -> DiffResult:
        """The diff the engine would compute for the program's inputs changed by `changes` (None removes)."""
        return self._checked_diff(made, changes)[2]

    def update(self, made: Made, changes: Props) -> Made:
        """An in-place update: it must not need a replacement, and the id must stay."""
        program, news, diff = self._checked_diff(made, changes)
        assert diff.has_changes and not diff.needs_replace, diff
        resource = provider(made.token)
        outputs = with_region(resource, self.ctx,
                              resource.update(self.ctx, made.urn, made.id, made.outputs, news, diff))
        assert outputs.get("id", made.id) == made.id
        updated = replace(made, program=program, inputs=news, outputs=outputs)
        self._made[self._made.index(made)] = updated
        return updated

    def _checked_diff(self, made: Made, changes: Props) -> tuple[Props, Props, DiffResult]:
        program = {k: v for k, v in {**made.program, **changes}.items() if v is not None}
        news = checked(made.token, made.logical, program, made.inputs)
        return program, news, provider(made.token).diff(made.inputs, news)

    def read(self, made: Made) -> Props | None:
        return read_from_cloud(self.ctx, made.token, made.id, made.outputs)

    def assert_deleted(self, made: Made) -> None:
        assert_deleted(self.ctx, made.token, made.id, made.outputs)
        self._made.remove(made)

    def cleanup(self) -> None:
        for made in reversed(self._made):
            provider(made.token).delete(self.ctx, made.id, made.outputs)


# ---- whole programs through the local engine -----------------------------------------------


def up_program(directory: Path, program: str, endpoint: str, name: str = "testproj") -> tuple[Path, DeploymentResult]:
    """A one-file program written to `directory` and brought up; the up must succeed."""
    project = write_program(directory, program, name=name)
    result = up(project, "test", endpoint)
    assert result.succeeded, result.error
    return project, result


def assert_up_again_changes_nothing_and_destroy_deletes(project: Path, endpoint: str, created: int) -> None:
    """A second up keeps all `created` resources (the stack included) as they are; destroy deletes them all."""
    again = up(project, "test", endpoint)
    assert again.succeeded, again.error
    assert not again.has_changes and again.changes["same"] == created
    destroyed = destroy(project, "test", endpoint)
    assert destroyed.succeeded, destroyed.error
    assert destroyed.changes["delete"] == created
