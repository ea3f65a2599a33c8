"""aws:servicediscovery resource types (Cloud Map): PrivateDnsNamespace, a private DNS namespace in a VPC, and
Service, the DNS records and health checks its instances are registered under."""

from __future__ import annotations

import uuid
from typing import Any

from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none, remove
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.waiting import wait_until
from envctl.providers.aws.wire import block_from_api, block_to_api

_NAMESPACE_GONE = ("NamespaceNotFound",)
_SERVICE_GONE = ("ServiceNotFound",)
_IMPORT_SEPARATOR = ":"


def _tags(ctx: AwsContext, arn: str, state: Props) -> Props:
    pairs = ctx.client("servicediscovery").list_tags_for_resource(ResourceARN=arn)["Tags"]
    return tags_from_cloud(ctx, state, tag_dict(pairs))


def _retag(ctx: AwsContext, arn: str, old: dict[str, str], new: dict[str, str]) -> None:
    client = ctx.client("servicediscovery")
    sync_tags(old, new, lambda tags: client.tag_resource(ResourceARN=arn, Tags=tag_list(tags)),
              lambda keys: client.untag_resource(ResourceARN=arn, TagKeys=keys))


def _finished(ctx: AwsContext, operation_id: str) -> dict[str, Any]:
    """Namespace calls answer with an operation; Terraform waits for it to succeed."""
    client = ctx.client("servicediscovery")
    wait_until(lambda: client.get_operation(OperationId=operation_id)["Operation"]["Status"] in ("SUCCESS", "FAIL"),
               f"Cloud Map operation {operation_id}")
    operation = client.get_operation(OperationId=operation_id)["Operation"]
    if operation["Status"] == "FAIL":
        raise OperationFailed(f"Cloud Map operation {operation_id} failed: {operation.get('ErrorMessage')}")
    return operation


# ---- PrivateDnsNamespace --------------------------------------------------------------------


@resource_type
class PrivateDnsNamespace(AwsResource):
    token = "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace"
    name_property = "name"  # required by Terraform, auto-named by pulumi-aws
    required = ("vpc",)
    force_new = frozenset({"name", "vpc"})
    handled = frozenset({"description"})
    outputs = frozenset({"arn", "hostedZone"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"Name": inputs["name"], "Vpc": inputs["vpc"], "CreatorRequestId": str(uuid.uuid4())}
        if inputs.get("description"):
            params["Description"] = inputs["description"]
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        operation = ctx.client("servicediscovery").create_private_dns_namespace(**params)["OperationId"]
        namespace_id = _finished(ctx, operation)["Targets"]["NAMESPACE"]
        return namespace_id, {**inputs, **self.read_back(ctx, namespace_id, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        # Terraform imports a namespace by <namespace id>:<vpc id>, as AWS reports no VPC.
        id, _, vpc = id.partition(_IMPORT_SEPARATOR)
        state = {**state, "vpc": state.get("vpc") or vpc or None}
        found = found_or_none(ctx.client("servicediscovery").get_namespace, _NAMESPACE_GONE, Id=id)
        if found is None:
            return None
        namespace = found["Namespace"]
        dns = (namespace.get("Properties") or {}).get("DnsProperties") or {}
        return {
            "id": namespace["Id"],
            "arn": namespace["Arn"],
            "name": namespace["Name"],
            "description": namespace.get("Description"),
            "hostedZone": dns.get("HostedZoneId"),
            "vpc": state["vpc"],
            **_tags(ctx, namespace["Arn"], state),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        if "description" in diff.changed:
            operation = ctx.client("servicediscovery").update_private_dns_namespace(
                Id=id, UpdaterRequestId=str(uuid.uuid4()), Namespace={"Description": news.get("description") or ""})
            _finished(ctx, operation["OperationId"])
        _retag(ctx, olds["arn"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        found = found_or_none(ctx.client("servicediscovery").delete_namespace, _NAMESPACE_GONE, Id=id)
        if found is not None:
            _finished(ctx, found["OperationId"])


# ---- Service --------------------------------------------------------------------------------

_SERVICE_FIELDS: dict[str, tuple[str, ...]] = {
    "dnsConfig": ("namespaceId", "routingPolicy", "dnsRecords"),
    "dnsConfig.dnsRecords": ("ttl", "type"),
    "healthCheckConfig": ("failureThreshold", "resourcePath", "type"),
    "healthCheckCustomConfig": ("failureThreshold",),
}
_SERVICE_RENAMES = {"dnsConfig.dnsRecords.ttl": "TTL"}
_BLOCKS = {"dnsConfig": "DnsConfig", "healthCheckConfig": "HealthCheckConfig",
           "healthCheckCustomConfig": "HealthCheckCustomConfig"}


@resource_type
class Service(AwsResource):
    token = "aws:servicediscovery/service:Service"
    name_property = "name"
    force_new = frozenset({"name", "namespaceId", "type", "healthCheckCustomConfig"})
    handled = frozenset({"description", "namespaceId", "type", "forceDestroy", *_BLOCKS})
    outputs = frozenset({"arn"})

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """Only a DNS configuration's records change in place: its namespace and routing policy do not."""
        old, new = olds.get("dnsConfig") or {}, news.get("dnsConfig") or {}
        fixed = ("namespaceId", "routingPolicy")
        if "dnsConfig" in diff.changed and any(old.get(key) != new.get(key) for key in fixed):
            return diff.replacing({"dnsConfig"})
        return diff

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"Name": inputs["name"], "CreatorRequestId": str(uuid.uuid4()),
                                  **self._blocks(inputs)}
        for wire, api in (("description", "Description"), ("namespaceId", "NamespaceId"), ("type", "Type")):
            if inputs.get(wire):
                params[api] = inputs[wire]
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        service_id = ctx.client("servicediscovery").create_service(**params)["Service"]["Id"]
        return service_id, {**inputs, **self.read_back(ctx, service_id, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        found = found_or_none(ctx.client("servicediscovery").get_service, _SERVICE_GONE, Id=id)
        if found is None:
            return None
        service = found["Service"]
        return {
            "id": service["Id"],
            "arn": service["Arn"],
            "name": service["Name"],
            "description": service.get("Description"),
            "namespaceId": service.get("NamespaceId") or (service.get("DnsConfig") or {}).get("NamespaceId"),
            "type": service.get("Type"),
            **{wire: block_from_api(service[api], wire, _SERVICE_RENAMES, _SERVICE_FIELDS) if service.get(api)
               else None for wire, api in _BLOCKS.items()},
            "forceDestroy": state.get("forceDestroy"),  # envctl's own switch, not stored by AWS
            **_tags(ctx, service["Arn"], state),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        if set(diff.changed) & {"description", "dnsConfig", "healthCheckConfig"}:
            # UpdateService drops the records and health check it is not given: both are sent again.
            details: dict[str, Any] = {"Description": news.get("description") or ""}
            blocks = self._blocks(news)
            if "DnsConfig" in blocks:
                details["DnsConfig"] = {"DnsRecords": blocks["DnsConfig"]["DnsRecords"]}
            if "HealthCheckConfig" in blocks:
                details["HealthCheckConfig"] = blocks["HealthCheckConfig"]
            ctx.client("servicediscovery").update_service(Id=id, Service=details)
        _retag(ctx, olds["arn"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        client = ctx.client("servicediscovery")
        if state.get("forceDestroy"):  # as Terraform: deregister the instances first
            answer = found_or_none(client.list_instances, _SERVICE_GONE, ServiceId=id)
            for instance in (answer or {}).get("Instances") or []:
                client.deregister_instance(ServiceId=id, InstanceId=instance["Id"])
        remove(client.delete_service, gone=_SERVICE_GONE, Id=id)

    @staticmethod
    def _blocks(inputs: Props) -> dict[str, Any]:
        return {api: block_to_api(inputs[wire], wire, _SERVICE_RENAMES) for wire, api in _BLOCKS.items()
                if inputs.get(wire)}
