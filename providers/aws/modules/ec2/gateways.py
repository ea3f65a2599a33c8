"""aws:ec2 NAT gateways and egress-only internet gateways: the ways out of a VPC's private subnets."""

from __future__ import annotations

from envctl.providers.aws.base import CheckFailure, Props
from envctl.providers.aws.context import AwsContext
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
from envctl.providers.aws.tags import tag_dict
from envctl.providers.aws.waiting import CONSISTENCY_TIMEOUT, attempts

# ---- NAT gateway ----------------------------------------------------------------------------

_NO_SECONDARY = "secondary NAT gateway addresses are not emulated by the local cloud (moto has no " \
                "AssociateNatGatewayAddress or AssignPrivateNatGatewayAddress)"
_NO_REGIONAL = "regional (multi-AZ) NAT gateways are not emulated by the local cloud; a NAT gateway is zonal, in " \
               "its subnetId"
_NAT_GATEWAY_GONE = ("deleting", "deleted", "failed")


@resource_type
class NatGateway(Ec2Resource):
    token = "aws:ec2/natGateway:NatGateway"
    tagged_type = "natgateway"
    defaults = {"connectivityType": "public"}
    force_new = frozenset({"allocationId", "connectivityType", "privateIp", "subnetId", "availabilityMode",
                           "secondaryPrivateIpAddressCount", "vpcId"})
    handled = frozenset({"allocationId", "connectivityType", "subnetId"})
    unsupported = {
        "privateIp": "the local cloud (moto) picks a NAT gateway's private address itself",
        "secondaryAllocationIds": _NO_SECONDARY,
        "secondaryPrivateIpAddressCount": _NO_SECONDARY,
        "secondaryPrivateIpAddresses": _NO_SECONDARY,
        "availabilityMode": _NO_REGIONAL,
        "availabilityZoneAddresses": _NO_REGIONAL,
        "vpcId": _NO_REGIONAL,
    }
    outputs = frozenset({"associationId", "autoProvisionZones", "autoScalingIps", "networkInterfaceId", "publicIp",
                         "regionalNatGatewayAddresses", "regionalNatGatewayAutoMode", "routeTableId"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        public = inputs.get("connectivityType") == "public"
        return (
            failure_unless(inputs.get("connectivityType") in ("public", "private"), "connectivityType",
                           "connectivityType must be 'public' or 'private'")
            + failure_unless(bool(inputs.get("subnetId")), "subnetId",
                             "a zonal NAT gateway needs its subnetId")
            + failure_unless(public or not inputs.get("allocationId"), "allocationId",
                             "allocationId is not supported with connectivityType = \"private\"")
            + failure_unless(not public or bool(inputs.get("allocationId")), "allocationId",
                             "a public NAT gateway needs the allocationId of an Elastic IP")
        )

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        # moto's DescribeTags names NAT gateways otherwise than AWS, and its DescribeNatGateways takes no tag
        # filter, so the gateways are read and their tags compared.
        urn_tag = ctx.envctl_tags(urn).get("envctl:urn")
        gateways = ctx.client("ec2").describe_nat_gateways()["NatGateways"]
        return [g["NatGatewayId"] for g in gateways if urn_tag and tag_dict(g.get("Tags")).get("envctl:urn") == urn_tag
                and g["State"] not in _NAT_GATEWAY_GONE]

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        request = {"SubnetId": inputs["subnetId"], "ConnectivityType": inputs["connectivityType"]}
        if inputs.get("allocationId"):
            request["AllocationId"] = inputs["allocationId"]
        gateway_id = ctx.client("ec2").create_nat_gateway(
            TagSpecifications=tag_specifications("natgateway", self.tags_all(ctx, urn, inputs)), **request,
        )["NatGateway"]["NatGatewayId"]
        return gateway_id, self.read_back(ctx, gateway_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        gateway = _nat_gateway(ctx, id)
        if gateway is None or gateway["State"] in _NAT_GATEWAY_GONE:
            return None
        addresses = gateway.get("NatGatewayAddresses") or [{}]
        primary = next((a for a in addresses if a.get("IsPrimary")), addresses[0])
        return {
            "id": id,
            "allocationId": primary.get("AllocationId", ""),
            "associationId": primary.get("AssociationId", ""),
            "networkInterfaceId": primary.get("NetworkInterfaceId", ""),
            "privateIp": primary.get("PrivateIp", ""),
            "publicIp": primary.get("PublicIp", ""),
            "connectivityType": gateway.get("ConnectivityType", "public"),
            "subnetId": gateway["SubnetId"],
            "vpcId": gateway["VpcId"],
            "availabilityMode": "zonal",
            "availabilityZoneAddresses": [],
            "secondaryAllocationIds": [],
            "secondaryPrivateIpAddressCount": 0,
            "secondaryPrivateIpAddresses": [],
            # What a regional NAT gateway has; a zonal one has none of it.
            "autoProvisionZones": "",
            "autoScalingIps": "",
            "regionalNatGatewayAddresses": [],
            "regionalNatGatewayAutoMode": "",
            "routeTableId": "",
            **ec2_tags(ctx, gateway.get("Tags"), state),
        }

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2 = ctx.client("ec2")
        ec2_remove(ec2.delete_nat_gateway, also_gone=("NatGatewayNotFound",), NatGatewayId=id)
        for last in attempts(CONSISTENCY_TIMEOUT):  # as Terraform, wait until it is gone
            gateway = _nat_gateway(ctx, id)
            if gateway is None or gateway["State"] in ("deleted", "failed") or last:
                break
        _release_address_mapping(ctx, state)


def _nat_gateway(ctx: AwsContext, id: str) -> dict | None:
    return one_found(ctx.client("ec2").describe_nat_gateways, "NatGateways", (*EC2_GONE, "NatGatewayNotFound"),
                     NatGatewayIds=[id])


def _release_address_mapping(ctx: AwsContext, state: Props) -> None:
    """AWS frees a deleted NAT gateway's Elastic IP and network interface; moto keeps both, so they are freed here,
    or the address could be neither released nor used again."""
    ec2 = ctx.client("ec2")
    if state.get("associationId"):
        ec2_remove(ec2.disassociate_address, also_gone=("InvalidAssociationID.NotFound",),
                   AssociationId=state["associationId"])
    if state.get("networkInterfaceId"):
        ec2_remove(ec2.delete_network_interface, NetworkInterfaceId=state["networkInterfaceId"])


# ---- Egress-only internet gateway -----------------------------------------------------------


@resource_type
class EgressOnlyInternetGateway(Ec2Resource):
    token = "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway"
    tagged_type = "egress-only-internet-gateway"
    required = ("vpcId",)
    force_new = frozenset({"vpcId"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        gateway_id = ctx.client("ec2").create_egress_only_internet_gateway(
            VpcId=inputs["vpcId"],
            TagSpecifications=tag_specifications("egress-only-internet-gateway", self.tags_all(ctx, urn, inputs)),
        )["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
        return gateway_id, self.read_back(ctx, gateway_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        gateway = one_found(ctx.client("ec2").describe_egress_only_internet_gateways, "EgressOnlyInternetGateways",
                            EC2_GONE, EgressOnlyInternetGatewayIds=[id])
        attached = [a["VpcId"] for a in (gateway or {}).get("Attachments", []) if a.get("State") == "attached"]
        if gateway is None or not attached:
            return None
        return {"id": id, "vpcId": attached[0], **ec2_tags(ctx, gateway.get("Tags"), state)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2_remove(ctx.client("ec2").delete_egress_only_internet_gateway, EgressOnlyInternetGatewayId=id)
