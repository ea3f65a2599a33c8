"""aws:ec2 site-to-site VPN building blocks: customer gateways (the on-premises end), virtual private gateways (the
VPC's end) and their attachment to a VPC. VPN connections themselves are not implemented here."""

from __future__ import annotations

import zlib
from typing import Any

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
from envctl.providers.aws.waiting import wait_until

_GONE_STATES = ("deleting", "deleted")
_LIVE_ATTACHMENTS = ("attaching", "attached")

# ---- customer gateway -----------------------------------------------------------------------

_NOT_KEPT = "the local cloud (moto) keeps only a customer gateway's type, IP address and BGP ASN"


@resource_type
class CustomerGateway(Ec2Resource):
    token = "aws:ec2/customerGateway:CustomerGateway"
    tagged_type = "customer-gateway"
    required = ("type",)
    force_new = frozenset({"type", "bgpAsn", "bgpAsnExtended", "certificateArn", "deviceName", "ipAddress"})
    handled = frozenset({"bgpAsn", "ipAddress"})
    unsupported = {"bgpAsnExtended": _NOT_KEPT, "certificateArn": _NOT_KEPT, "deviceName": _NOT_KEPT}
    outputs = frozenset({"arn"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return failure_unless(inputs.get("type") == "ipsec.1", "type", "type must be ipsec.1")

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        request: dict[str, Any] = {"Type": inputs["type"]}
        if inputs.get("ipAddress"):
            request["IpAddress"] = inputs["ipAddress"]
        if inputs.get("bgpAsn"):
            request["BgpAsn"] = int(inputs["bgpAsn"])
        gateway_id = ctx.client("ec2").create_customer_gateway(
            TagSpecifications=tag_specifications("customer-gateway", self.tags_all(ctx, urn, inputs)), **request,
        )["CustomerGateway"]["CustomerGatewayId"]
        return gateway_id, self.read_back(ctx, gateway_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        gateway = one_found(ctx.client("ec2").describe_customer_gateways, "CustomerGateways", EC2_GONE,
                            CustomerGatewayIds=[id])
        if gateway is None or gateway.get("State") in _GONE_STATES:
            return None
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"customer-gateway/{id}"),
            "type": gateway.get("Type", "ipsec.1"),
            "ipAddress": gateway.get("IpAddress", ""),
            "bgpAsn": str(gateway.get("BgpAsn") or ""),  # pulumi-aws keeps the ASN as text
            "bgpAsnExtended": "",
            "certificateArn": "",
            "deviceName": "",
            **ec2_tags(ctx, gateway.get("Tags"), state),
        }

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if self.read(ctx, id, state) is not None:
            ec2_remove(ctx.client("ec2").delete_customer_gateway, CustomerGatewayId=id)


# ---- virtual private gateway and its attachment ---------------------------------------------


def _vpn_gateway(ctx: AwsContext, id: str) -> dict | None:
    gateway = one_found(ctx.client("ec2").describe_vpn_gateways, "VpnGateways", EC2_GONE, VpnGatewayIds=[id])
    return None if gateway is None or gateway.get("State") in _GONE_STATES else gateway


def _attached_vpcs(gateway: dict | None) -> list[str]:
    return [a["VpcId"] for a in (gateway or {}).get("VpcAttachments", []) if a.get("State") in _LIVE_ATTACHMENTS]


def _attach(ctx: AwsContext, gateway_id: str, vpc_id: str) -> None:
    ctx.client("ec2").attach_vpn_gateway(VpnGatewayId=gateway_id, VpcId=vpc_id)
    wait_until(lambda: vpc_id in _attached_vpcs(_vpn_gateway(ctx, gateway_id)),
               f"VPN gateway {gateway_id} to attach to {vpc_id}")


def _detach(ctx: AwsContext, gateway_id: str, vpc_id: str) -> None:
    ec2_remove(ctx.client("ec2").detach_vpn_gateway, VpnGatewayId=gateway_id, VpcId=vpc_id)
    wait_until(lambda: vpc_id not in _attached_vpcs(_vpn_gateway(ctx, gateway_id)),
               f"VPN gateway {gateway_id} to detach from {vpc_id}")


@resource_type
class VpnGateway(Ec2Resource):
    token = "aws:ec2/vpnGateway:VpnGateway"
    tagged_type = "vpn-gateway"
    force_new = frozenset({"amazonSideAsn", "availabilityZone"})
    handled = frozenset({"amazonSideAsn", "availabilityZone", "vpcId"})
    outputs = frozenset({"arn"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        request: dict[str, Any] = {"Type": "ipsec.1"}
        if inputs.get("amazonSideAsn"):
            request["AmazonSideAsn"] = int(inputs["amazonSideAsn"])
        if inputs.get("availabilityZone"):
            request["AvailabilityZone"] = inputs["availabilityZone"]
        gateway_id = ctx.client("ec2").create_vpn_gateway(
            TagSpecifications=tag_specifications("vpn-gateway", self.tags_all(ctx, urn, inputs)), **request,
        )["VpnGateway"]["VpnGatewayId"]
        if inputs.get("vpcId"):
            _attach(ctx, gateway_id, inputs["vpcId"])
        return gateway_id, self.read_back(ctx, gateway_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        gateway = _vpn_gateway(ctx, id)
        if gateway is None:
            return None
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"vpn-gateway/{id}"),
            "amazonSideAsn": str(gateway.get("AmazonSideAsn") or ""),  # pulumi-aws keeps the ASN as text
            "availabilityZone": gateway.get("AvailabilityZone") or "",
            "vpcId": next(iter(_attached_vpcs(gateway)), ""),
            **ec2_tags(ctx, gateway.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        if "vpcId" in changed:
            if olds.get("vpcId"):
                _detach(ctx, id, olds["vpcId"])
            if news.get("vpcId"):
                _attach(ctx, id, news["vpcId"])

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        gateway = _vpn_gateway(ctx, id)
        if gateway is None:
            return
        for vpc_id in _attached_vpcs(gateway):
            _detach(ctx, id, vpc_id)
        ec2_remove(ctx.client("ec2").delete_vpn_gateway, VpnGatewayId=id)


@resource_type
class VpnGatewayAttachment(Ec2Resource):
    """A VPN gateway attached to a VPC apart from the gateway, known by Terraform's id: vpn-attachment-<crc32 in
    hex of "<vpc id>-<gateway id>">."""

    token = "aws:ec2/vpnGatewayAttachment:VpnGatewayAttachment"
    taggable = False
    required = ("vpcId", "vpnGatewayId")
    force_new = frozenset(required)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        _attach(ctx, inputs["vpnGatewayId"], inputs["vpcId"])
        pair = f"{inputs['vpcId']}-{inputs['vpnGatewayId']}"
        attachment_id = f"vpn-attachment-{zlib.crc32(pair.encode()):x}"
        return attachment_id, self.read_back(ctx, attachment_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        if state["vpcId"] not in _attached_vpcs(_vpn_gateway(ctx, state["vpnGatewayId"])):
            return None
        return {"id": id, "vpcId": state["vpcId"], "vpnGatewayId": state["vpnGatewayId"]}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if self.read(ctx, id, state) is not None:
            _detach(ctx, state["vpnGatewayId"], state["vpcId"])
