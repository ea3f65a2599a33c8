"""Provider resources: the default aws provider registered like Pulumi's, explicit `aws.Provider`s, and
the AwsContext each one gives its resources."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from envctl.engine.properties import UNKNOWN, reveal
from envctl.engine.state import ResourceState, now_iso
from envctl.engine.urn import default_provider_name, make_urn, provider_reference, split_provider_reference
from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext

AWS_PROVIDER_TYPE = "pulumi:providers:aws"


@dataclass(frozen=True)
class CloudTarget:
    """Where resources live: the embedded local cloud (an endpoint) or real AWS (the credential chain)."""

    name: str  # "local" or "aws"
    endpoint_url: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    default_region: str = "us-east-1"


class ProviderSet:
    """Provider resources of one deployment, by reference string `<urn>::<id>`."""

    def __init__(
        self,
        stack: str,
        project: str,
        cloud: CloudTarget,
        aws_config: dict[str, Any],
        old: dict[str, ResourceState],
        record: Callable[[ResourceState], None],
        dry_run: bool,
    ) -> None:
        self._stack = stack
        self._project = project
        self._cloud = cloud
        self._aws_config = aws_config
        self._old = old
        self._record = record
        self._dry_run = dry_run
        self._lock = threading.Lock()
        self._contexts: dict[str, AwsContext] = {}
        self._default_refs: dict[str, str] = {}

    def resolve(self, reference: str, version: str) -> tuple[str, AwsContext]:
        """The provider reference a resource carries and its context; "" means the default provider."""
        if not reference:
            reference = self.default_reference(version)
        with self._lock:
            context = self._contexts.get(reference)
        if context is None:
            raise BadInput(f"unknown provider reference {reference}")
        return reference, context

    def default_reference(self, version: str) -> str:
        """Register the default aws provider once, the first time a resource needs it."""
        with self._lock:
            if version in self._default_refs:
                return self._default_refs[version]
            urn = make_urn(self._stack, self._project, "", AWS_PROVIDER_TYPE, default_provider_name(version))
            inputs: dict[str, Any] = dict(self._aws_config)
            inputs["version"] = version
            inputs["__internal"] = {}
            reference = self._register_locked(urn, inputs)
            self._default_refs[version] = reference
            return reference

    def register_explicit(self, urn: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """An `aws.Provider` resource of the program: returns its id and outputs."""
        with self._lock:
            reference = self._register_locked(urn, inputs)
        return split_provider_reference(reference)[1], inputs

    def adopt(self, resource: ResourceState) -> None:
        """Make a provider from the previous state usable (deletions of resources the program dropped)."""
        with self._lock:
            reference = provider_reference(resource.urn, str(resource.id))
            self._contexts.setdefault(reference, self._context(resource.inputs))

    def _register_locked(self, urn: str, inputs: dict[str, Any]) -> str:
        old = self._old.get(urn)
        if old is not None and old.id:
            provider_id = old.id
        else:
            provider_id = UNKNOWN if self._dry_run else str(uuid.uuid4())
        resource = ResourceState(
            urn=urn, type=AWS_PROVIDER_TYPE, custom=True, id=provider_id, inputs=inputs, outputs=inputs,
            created=old.created if old else now_iso(), modified=now_iso(),
        )
        reference = provider_reference(urn, provider_id)
        self._contexts[reference] = self._context(inputs)
        self._record(resource)
        return reference

    def _context(self, inputs: dict[str, Any]) -> AwsContext:
        plain = reveal(inputs)
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
