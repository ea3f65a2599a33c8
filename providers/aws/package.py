"""The aws provider package through the engine's provider protocol: a provider resource's inputs (region, profile,
credentials, assumeRoles, defaultTags) become an AwsContext for the environment's cloud, and each call is handed to
the type's implementation, with AWS's errors turned into readable ProviderErrors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from envctl.cloud.target import CloudTarget
from envctl.engine.properties import reveal
from envctl.engine.provider import CheckResult, DiffResult, ProviderError, TypeInfo
from envctl.errors import BadInput
from envctl.providers.aws.base import AwsResource, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.registry import (
    lookup_invoke,
    lookup_resource,
    registered_resource_types,
    supported_invokes,
)

_T = TypeVar("_T")


class AwsPackage:
    """The `aws` package for one environment: its cloud, and the stack whose resources it tags."""

    name = "aws"

    def __init__(self, cloud: CloudTarget, stack: str) -> None:
        self._cloud = cloud
        self._stack = stack

    def supports(self, type_: str) -> bool:
        return lookup_resource(type_) is not None

    def supports_invoke(self, token: str) -> bool:
        return lookup_invoke(token) is not None

    def unsupported_reason(self, type_: str) -> str | None:
        from envctl.providers.aws.not_emulated import UNREGISTERED

        return UNREGISTERED.get(type_)

    def configure(self, inputs: Props) -> AwsProvider:
        try:
            return AwsProvider(self._context(reveal(inputs)))
        except NoCredentialsError:
            raise BadInput("no AWS credentials found for the aws cloud: configure a profile (AWS_PROFILE) or keys "
                           "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or use the local cloud (--cloud local)"
                           ) from None
        except (ClientError, BotoCoreError) as exc:
            raise ProviderError(aws_message(exc)) from None

    def types(self) -> list[TypeInfo]:
        resources = [TypeInfo(token, "resource", **_declared(_resource(token)))
                     for token in registered_resource_types()]
        return resources + [TypeInfo(token, "invoke") for token in supported_invokes()]

    def _context(self, plain: Props) -> AwsContext:
        region = plain.get("region") or self._cloud.default_region
        default_tags = _json_value(plain.get("defaultTags")) or {}
        common = {"region": region, "stack": self._stack, "default_tags": dict(default_tags.get("tags") or {})}
        if self._cloud.name == "local":
            context = AwsContext(endpoint_url=self._cloud.endpoint_url, access_key=self._cloud.access_key,
                                 secret_key=self._cloud.secret_key, **common)
        else:
            context = AwsContext(access_key=plain.get("accessKey"), secret_key=plain.get("secretKey"),
                                 session_token=plain.get("token"), profile=plain.get("profile"), **common)
            identity = context.client("sts").get_caller_identity()
            context.account_id = identity["Account"]
            context.partition = identity["Arn"].split(":")[1]
        for role in _json_value(plain.get("assumeRoles")) or []:
            context = _assume(context, role)
        return context


class AwsProvider:
    """One configured aws provider: every call in its account, and in its region unless the resource names its
    own (`region`, which then is part of the resource's outputs)."""

    def __init__(self, ctx: AwsContext) -> None:
        self.ctx = ctx

    def check(self, type_: str, name: str, olds: Props | None, news: Props) -> CheckResult:
        return _resource(type_).check(name, olds, news)

    def diff(self, type_: str, olds: Props, news: Props) -> DiffResult:
        return _resource(type_).diff(olds, news)

    def create(self, type_: str, urn: str, inputs: Props) -> tuple[str, Props]:
        resource, ctx = self._for(type_, inputs)
        id_, outputs = _calling(lambda: resource.create(ctx, urn, inputs))
        return id_, with_region(resource, ctx, outputs)

    def read(self, type_: str, id: str, state: Props) -> Props | None:
        resource, ctx = self._for(type_, state)
        outputs = _calling(lambda: resource.read(ctx, id, state))
        return None if outputs is None else with_region(resource, ctx, outputs)

    def update(self, type_: str, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        resource, ctx = self._for(type_, news)
        return with_region(resource, ctx, _calling(lambda: resource.update(ctx, urn, id, olds, news, diff)))

    def delete(self, type_: str, id: str, state: Props) -> None:
        resource, ctx = self._for(type_, state)
        _calling(lambda: resource.delete(ctx, id, state))

    def find(self, type_: str, urn: str, inputs: Props, known_ids: set[str]) -> tuple[str, Props] | None:
        resource, ctx = self._for(type_, inputs)
        found = _calling(lambda: resource.find(ctx, urn, inputs, known_ids))
        return None if found is None else (found[0], with_region(resource, ctx, found[1]))

    def invoke(self, token: str, args: Props) -> Props:
        invoke = lookup_invoke(token)
        if invoke is None:
            raise ProviderError(f"invoke {token} is not supported")
        return _calling(lambda: invoke(self.ctx, args))

    def _for(self, type_: str, props: Props) -> tuple[AwsResource, AwsContext]:
        resource = _resource(type_)
        region = props.get("region") if resource.regional else None
        return resource, self.ctx.in_region(region) if isinstance(region, str) and region else self.ctx


def with_region(resource: AwsResource, ctx: AwsContext, outputs: Props) -> Props:
    """Outputs with the region a regional resource lives in (pulumi-aws 7's `region` output)."""
    return {**outputs, "region": outputs.get("region") or ctx.region} if resource.regional else outputs


def aws_message(exc: Exception) -> str:
    """AWS's answer as one readable line: `<Code>: <Message>`."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'Error')}: {error.get('Message', str(exc))}"
    return str(exc)


def _calling(call: Callable[[], _T]) -> _T:
    try:
        return call()
    except (ClientError, BotoCoreError) as exc:
        raise ProviderError(aws_message(exc)) from None


def _resource(type_: str) -> AwsResource:
    resource = lookup_resource(type_)
    if resource is None:
        raise ProviderError(f"resource type {type_} is not supported")
    return resource


def _declared(resource: AwsResource) -> dict[str, Any]:
    schema = resource.schema()
    return {"implemented": tuple(sorted(schema.implemented)), "unimplemented": dict(schema.unimplemented),
            "outputs": tuple(sorted(schema.outputs)), "secret": tuple(sorted(schema.secret))}


def _assume(context: AwsContext, role: dict[str, Any]) -> AwsContext:
    """The provider's `assumeRoles`: each role is assumed with the credentials of the one before."""
    role_arn = role.get("roleArn") or role.get("role_arn")
    if not role_arn:
        return context
    request = {"RoleArn": role_arn, "RoleSessionName": role.get("sessionName") or role.get("session_name") or "envctl"}
    external_id = role.get("externalId") or role.get("external_id")
    if external_id:
        request["ExternalId"] = external_id
    credentials = context.client("sts").assume_role(**request)["Credentials"]
    return AwsContext(
        region=context.region, endpoint_url=context.endpoint_url, access_key=credentials["AccessKeyId"],
        secret_key=credentials["SecretAccessKey"], session_token=credentials["SessionToken"],
        account_id=role_arn.split(":")[4] or context.account_id, partition=context.partition, stack=context.stack,
        default_tags=context.default_tags,
    )


def _json_value(value: Any) -> Any:
    """Provider config arrives as strings; structured values are JSON text."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value
