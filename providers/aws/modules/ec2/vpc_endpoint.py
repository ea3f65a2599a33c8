"""aws:ec2 VPC endpoints: private access to an AWS service, through route tables (Gateway) or network
interfaces in subnets (Interface)."""

from __future__ import annotations

import json
from typing import Any

from envctl.errors import OperationFailed
from envctl.providers.aws.base import CheckFailure, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import document_from_cloud, policies_equivalent
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.shared import (
    EC2_GONE,
    Ec2Resource,
    ec2_remove,
    ec2_tags,
    failure_unless,
    tag_specifications,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.wire import in_configured_order

# Set input -> CreateVpcEndpoint parameter, and ModifyVpcEndpoint's Add.../Remove... suffix.
_ATTACHED = {"routeTableIds": ("RouteTableIds", "RouteTableIds"), "subnetIds": ("SubnetIds", "SubnetIds"),
             "securityGroupIds": ("SecurityGroupIds", "SecurityGroupIds")}
_TYPES = ("Gateway", "Interface", "GatewayLoadBalancer")
_NO_LATTICE = "VPC Lattice resource and service network endpoints are not emulated by the local cloud"
_FULL_ACCESS = json.dumps({"Version": "2008-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})
_ENDED = ("deleting", "deleted", "rejected", "failed", "expired")


@resource_type
class VpcEndpoint(Ec2Resource):
    token = "aws:ec2/vpcEndpoint:VpcEndpoint"
    tagged_type = "vpc-endpoint"
    required = ("vpcId",)
    defaults = {"vpcEndpointType": "Gateway"}
    force_new = frozenset({"serviceName", "vpcEndpointType", "vpcId", "serviceRegion", "resourceConfigurationArn",
                           "serviceNetworkArn"})
    set_properties = tuple(_ATTACHED)
    documents = {"policy": policies_equivalent}
    handled = frozenset({"serviceName", "vpcEndpointType", "privateDnsEnabled", "autoAccept", *_ATTACHED})
    unsupported = {
        "dnsOptions": "the local cloud (moto) does not keep an endpoint's DNS options",
        "ipAddressType": "the local cloud (moto) does not keep an endpoint's IP address type",
        "subnetConfigurations": "the local cloud (moto) does not take an endpoint's addresses per subnet",
        "serviceRegion": "cross-region endpoints are not emulated by the local cloud",
        "resourceConfigurationArn": _NO_LATTICE,
        "serviceNetworkArn": _NO_LATTICE,
    }
    outputs = frozenset({"arn", "cidrBlocks", "dnsEntries", "networkInterfaceIds", "ownerId", "prefixListId",
                         "requesterManaged", "state"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return (failure_unless(bool(inputs.get("serviceName")), "serviceName",
                               "serviceName is required (endpoints to Lattice resources are not emulated)")
                + failure_unless(inputs.get("vpcEndpointType") in _TYPES, "vpcEndpointType",
                                 f"vpcEndpointType must be one of {', '.join(_TYPES)}"))

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        request: dict[str, Any] = {"VpcId": inputs["vpcId"], "ServiceName": inputs["serviceName"],
                                   "VpcEndpointType": inputs["vpcEndpointType"]}
        for key, (parameter, _) in _ATTACHED.items():
            if inputs.get(key):
                request[parameter] = list(inputs[key])
        if inputs.get("policy"):
            request["PolicyDocument"] = inputs["policy"]
        if inputs.get("privateDnsEnabled") is not None:
            request["PrivateDnsEnabled"] = bool(inputs["privateDnsEnabled"])
        endpoint_id = ctx.client("ec2").create_vpc_endpoint(
            TagSpecifications=tag_specifications("vpc-endpoint", self.tags_all(ctx, urn, inputs)), **request,
        )["VpcEndpoint"]["VpcEndpointId"]
        return endpoint_id, self.read_back(ctx, endpoint_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        ec2 = ctx.client("ec2")
        endpoint = one_found(ec2.describe_vpc_endpoints, "VpcEndpoints", EC2_GONE, VpcEndpointIds=[id])
        if endpoint is None or endpoint["State"].lower() in _ENDED:
            return None
        prefix_list = _service_prefix_list(ec2, endpoint) or {}
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"vpc-endpoint/{id}", account=endpoint["OwnerId"]),
            "vpcId": endpoint["VpcId"],
            "serviceName": endpoint["ServiceName"],
            "vpcEndpointType": endpoint.get("VpcEndpointType") or "Gateway",
            "state": endpoint["State"],
            "policy": document_from_cloud(state.get("policy"), endpoint.get("PolicyDocument") or ""),
            "privateDnsEnabled": bool(endpoint.get("PrivateDnsEnabled")),
            "routeTableIds": in_configured_order(state.get("routeTableIds"), endpoint.get("RouteTableIds") or []),
            "subnetIds": in_configured_order(state.get("subnetIds"), endpoint.get("SubnetIds") or []),
            "securityGroupIds": in_configured_order(state.get("securityGroupIds"),
                                                    [g["GroupId"] for g in endpoint.get("Groups", [])]),
            "networkInterfaceIds": list(endpoint.get("NetworkInterfaceIds") or []),
            "dnsEntries": [{"dnsName": e.get("DnsName", ""), "hostedZoneId": e.get("HostedZoneId", "")}
                           for e in endpoint.get("DnsEntries") or []],
            "prefixListId": prefix_list.get("PrefixListId", ""),
            "cidrBlocks": sorted(prefix_list.get("Cidrs", [])),
            "requesterManaged": bool(endpoint.get("RequesterManaged")),
            "ownerId": endpoint["OwnerId"],
            "autoAccept": state.get("autoAccept"),  # the endpoint is accepted already in the local cloud
            "ipAddressType": endpoint.get("IpAddressType") or "",
            **ec2_tags(ctx, endpoint.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        if "privateDnsEnabled" in changed:
            raise OperationFailed("the local cloud (moto) cannot change an endpoint's privateDnsEnabled "
                                  "(ModifyVpcEndpoint ignores it); replace the endpoint instead")
        if "routeTableIds" in changed and news.get("vpcEndpointType") == "Gateway":
            raise OperationFailed("the local cloud (moto) cannot move a Gateway endpoint to other route tables "
                                  "(ModifyVpcEndpoint does not route them); replace the endpoint instead")
        if "subnetIds" in changed and news.get("vpcEndpointType") == "Interface":
            raise OperationFailed("the local cloud (moto) cannot move an Interface endpoint to other subnets "
                                  "(ModifyVpcEndpoint makes no network interfaces); replace the endpoint instead")
        request: dict[str, Any] = {}
        for key, (_, suffix) in _ATTACHED.items():
            if key in changed:
                old, new = set(olds.get(key) or []), set(news.get(key) or [])
                request.update({f"Add{suffix}": sorted(new - old), f"Remove{suffix}": sorted(old - new)})
        if "policy" in changed:
            # A policy taken away resets to AWS's full access; moto ignores ResetPolicy, so the policy is given.
            request["PolicyDocument"] = news.get("policy") or _FULL_ACCESS
        request = {key: value for key, value in request.items() if value}
        if request:
            ctx.client("ec2").modify_vpc_endpoint(VpcEndpointId=id, **request)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2_remove(ctx.client("ec2").delete_vpc_endpoints, VpcEndpointIds=[id])


def _service_prefix_list(ec2: Any, endpoint: dict[str, Any]) -> dict[str, Any] | None:
    """The prefix list of a Gateway endpoint's service (as Terraform finds it: by the service's name), whose
    address ranges its routes cover."""
    if (endpoint.get("VpcEndpointType") or "Gateway") != "Gateway":
        return None
    lists = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [endpoint["ServiceName"]]}])
    return next(iter(lists.get("PrefixLists", [])), None)
