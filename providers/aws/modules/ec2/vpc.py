"""aws:ec2 VPC, subnet and internet gateway, with pulumi-aws 7 wire names and Terraform's rules."""

from __future__ import annotations

import ast
from typing import Any, NamedTuple

from envctl.providers.aws.base import CheckFailure, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.shared import (
    EC2_GONE,
    EC2_WAITER,
    Ec2Resource,
    ec2_remove,
    ec2_tags,
    tag_specifications,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.wire import api_name, renamed

# ---- VPC ------------------------------------------------------------------------------------

# DescribeVpcAttribute takes the wire name as attribute name and answers under the capitalized key.
_VPC_ATTRIBUTES = ("enableDnsSupport", "enableDnsHostnames", "enableNetworkAddressUsageMetrics")
_NEW_VPC_ATTRIBUTES = {"enableDnsSupport": True, "enableDnsHostnames": False, "enableNetworkAddressUsageMetrics": False}
_NO_IPAM = "IPAM pools are not emulated by the local cloud"


def live_ipv6_block(associations: list[dict] | None) -> dict:
    """The IPv6 block association that is in use (AWS keeps disassociated ones listed for a while)."""
    return next((a for a in associations or [] if _association_state(a) in ("associating", "associated")), {})


def _association_state(association: dict) -> str:
    state = association["Ipv6CidrBlockState"]["State"]
    # moto reports a subnet's block state as the text of the state structure: "{'State': 'associated'}".
    return ast.literal_eval(state)["State"] if state.startswith("{") else state


def cidr_block_failures(inputs: Props) -> list[CheckFailure]:
    """Without IPAM pools (or IPv6-only subnets) the IPv4 block is the one way to size the network."""
    if inputs.get("cidrBlock") is None:
        return [CheckFailure("cidrBlock", "missing required property 'cidrBlock' (IPAM pools are not emulated by "
                                          "the local cloud)")]
    return []


@resource_type
class Vpc(Ec2Resource):
    token = "aws:ec2/vpc:Vpc"
    tagged_type = "vpc"
    defaults = {"enableDnsSupport": True, "instanceTenancy": "default"}
    force_new = frozenset({"cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"})
    handled = frozenset({"cidrBlock", "instanceTenancy", "assignGeneratedIpv6CidrBlock", *_VPC_ATTRIBUTES})
    unsupported = {
        "ipv4IpamPoolId": _NO_IPAM,
        "ipv4NetmaskLength": _NO_IPAM,
        "ipv6IpamPoolId": _NO_IPAM,
        "ipv6NetmaskLength": _NO_IPAM,
        "ipv6CidrBlock": "an IPv6 block of your own comes from an IPAM pool, which the local cloud does not emulate; "
                         "set assignGeneratedIpv6CidrBlock for one from Amazon",
        "ipv6CidrBlockNetworkBorderGroup": "network border groups (Local Zones) are not emulated by the local cloud",
    }
    outputs = frozenset({"arn", "defaultNetworkAclId", "defaultRouteTableId", "defaultSecurityGroupId",
                         "dhcpOptionsId", "ipv6AssociationId", "mainRouteTableId", "ownerId"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return cidr_block_failures(inputs)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        vpc_id = ec2.create_vpc(
            CidrBlock=inputs["cidrBlock"],
            InstanceTenancy=inputs.get("instanceTenancy") or "default",
            AmazonProvidedIpv6CidrBlock=bool(inputs.get("assignGeneratedIpv6CidrBlock")),
            TagSpecifications=tag_specifications("vpc", self.tags_all(ctx, urn, inputs)),
        )["Vpc"]["VpcId"]
        ec2.get_waiter("vpc_available").wait(VpcIds=[vpc_id], WaiterConfig=EC2_WAITER)
        wanted = {k: inputs[k] for k in _VPC_ATTRIBUTES if inputs.get(k) is not None}
        _set_vpc_attributes(ec2, vpc_id, {k: v for k, v in wanted.items() if v != _NEW_VPC_ATTRIBUTES[k]})
        return vpc_id, self.read_back(ctx, vpc_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        ec2 = ctx.client("ec2")
        vpc = one_found(ec2.describe_vpcs, "Vpcs", EC2_GONE, VpcIds=[id])
        if vpc is None:
            return None
        in_vpc = {"Name": "vpc-id", "Values": [id]}
        main_table = one_found(ec2.describe_route_tables, "RouteTables", EC2_GONE,
                               Filters=[in_vpc, {"Name": "association.main", "Values": ["true"]}])
        default_group = one_found(ec2.describe_security_groups, "SecurityGroups", EC2_GONE,
                                  Filters=[in_vpc, {"Name": "group-name", "Values": ["default"]}])
        default_acl = one_found(ec2.describe_network_acls, "NetworkAcls", EC2_GONE,
                                Filters=[in_vpc, {"Name": "default", "Values": ["true"]}])
        ipv6 = live_ipv6_block(vpc.get("Ipv6CidrBlockAssociationSet"))
        main_table_id = main_table["RouteTableId"] if main_table else ""
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"vpc/{id}", account=vpc["OwnerId"]),
            "cidrBlock": vpc["CidrBlock"],
            "instanceTenancy": vpc["InstanceTenancy"],
            **{
                name: ec2.describe_vpc_attribute(VpcId=id, Attribute=name)[api_name(name)]["Value"]
                for name in _VPC_ATTRIBUTES
            },
            "assignGeneratedIpv6CidrBlock": ipv6.get("Ipv6Pool") == "Amazon",
            "ipv6CidrBlock": ipv6.get("Ipv6CidrBlock", ""),
            "ipv6AssociationId": ipv6.get("AssociationId", ""),
            "dhcpOptionsId": vpc.get("DhcpOptionsId", ""),
            "defaultNetworkAclId": default_acl["NetworkAclId"] if default_acl else "",
            "defaultRouteTableId": main_table_id,
            "mainRouteTableId": main_table_id,
            "defaultSecurityGroupId": default_group["GroupId"] if default_group else "",
            "ownerId": vpc["OwnerId"],
            **ec2_tags(ctx, vpc.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        ec2 = ctx.client("ec2")
        # These are optional and computed: a value removed from the program leaves AWS's as it is.
        _set_vpc_attributes(ec2, id, {k: news[k] for k in _VPC_ATTRIBUTES if k in changed and news.get(k) is not None})
        if "instanceTenancy" in changed:
            ec2.modify_vpc_tenancy(VpcId=id, InstanceTenancy=news.get("instanceTenancy") or "default")
        if "assignGeneratedIpv6CidrBlock" in changed:
            if news.get("assignGeneratedIpv6CidrBlock"):
                ec2.associate_vpc_cidr_block(VpcId=id, AmazonProvidedIpv6CidrBlock=True)
            elif olds.get("ipv6AssociationId"):
                ec2_remove(ec2.disassociate_vpc_cidr_block, AssociationId=olds["ipv6AssociationId"])

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2_remove(ctx.client("ec2").delete_vpc, VpcId=id)


def _set_vpc_attributes(ec2: Any, vpc_id: str, values: dict[str, bool]) -> None:
    """ModifyVpcAttribute takes one attribute per call. DNS hostnames need DNS support, so support is
    switched on first and off last."""
    names = [name for name in _VPC_ATTRIBUTES if name in values]
    if values.get("enableDnsSupport") is False:
        names.reverse()
    for name in names:
        ec2.modify_vpc_attribute(VpcId=vpc_id, **{api_name(name): {"Value": bool(values[name])}})


# ---- Subnet ---------------------------------------------------------------------------------


class _SubnetAttribute(NamedTuple):
    wire: str  # pulumi-aws property
    parameter: str  # ModifySubnetAttribute parameter
    path: tuple[str, ...]  # where DescribeSubnets reports it
    fresh: Any  # its value on a new subnet, when AWS omits it

    def read(self, subnet: dict) -> Any:
        value: Any = subnet
        for key in self.path:
            value = value.get(key) if isinstance(value, dict) else None
        return self.fresh if value is None else value

    def request(self, value: Any) -> dict[str, Any]:
        return {self.parameter: {"Value": bool(value)} if isinstance(self.fresh, bool) else value}


_DNS_ON_LAUNCH = "PrivateDnsNameOptionsOnLaunch"
_SUBNET_ATTRIBUTES = (
    _SubnetAttribute("mapPublicIpOnLaunch", "MapPublicIpOnLaunch", ("MapPublicIpOnLaunch",), False),
    _SubnetAttribute("assignIpv6AddressOnCreation", "AssignIpv6AddressOnCreation",
                     ("AssignIpv6AddressOnCreation",), False),
    _SubnetAttribute("enableDns64", "EnableDns64", ("EnableDns64",), False),
    _SubnetAttribute("enableResourceNameDnsARecordOnLaunch", "EnableResourceNameDnsARecordOnLaunch",
                     (_DNS_ON_LAUNCH, "EnableResourceNameDnsARecord"), False),
    _SubnetAttribute("enableResourceNameDnsAaaaRecordOnLaunch", "EnableResourceNameDnsAAAARecordOnLaunch",
                     (_DNS_ON_LAUNCH, "EnableResourceNameDnsAAAARecord"), False),
    _SubnetAttribute("privateDnsHostnameTypeOnLaunch", "PrivateDnsHostnameTypeOnLaunch",
                     (_DNS_ON_LAUNCH, "HostnameType"), "ip-name"),
)


_SUBNET_PLACEMENT = {"availabilityZone": "AvailabilityZone", "availabilityZoneId": "AvailabilityZoneId"}
_SUBNET_SETTABLE = ("mapPublicIpOnLaunch", "assignIpv6AddressOnCreation", "enableResourceNameDnsARecordOnLaunch")
_NO_OUTPOSTS = "Outposts are not emulated by the local cloud"
_IGNORED_BY_MOTO = "the local cloud (moto) keeps only mapPublicIpOnLaunch, assignIpv6AddressOnCreation and " \
                   "enableResourceNameDnsARecordOnLaunch of a subnet's settings"


@resource_type
class Subnet(Ec2Resource):
    token = "aws:ec2/subnet:Subnet"
    tagged_type = "subnet"
    required = ("vpcId",)
    defaults = {
        "assignIpv6AddressOnCreation": False,
        "enableDns64": False,
        "enableResourceNameDnsAaaaRecordOnLaunch": False,
        "enableResourceNameDnsARecordOnLaunch": False,
        "ipv6Native": False,
        "mapPublicIpOnLaunch": False,
    }
    force_new = frozenset({
        "vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId", "ipv4IpamPoolId", "ipv4NetmaskLength",
        "ipv6IpamPoolId", "ipv6Native", "ipv6NetmaskLength", "outpostArn",
    })
    handled = frozenset({"cidrBlock", "ipv6CidrBlock", *_SUBNET_PLACEMENT, *_SUBNET_SETTABLE})
    unsupported = {
        "ipv4IpamPoolId": _NO_IPAM,
        "ipv4NetmaskLength": _NO_IPAM,
        "ipv6IpamPoolId": _NO_IPAM,
        "ipv6NetmaskLength": _NO_IPAM,
        "ipv6Native": "IPv6-only subnets are not emulated by the local cloud; give a cidrBlock",
        "enableDns64": _IGNORED_BY_MOTO,
        "enableResourceNameDnsAaaaRecordOnLaunch": _IGNORED_BY_MOTO,
        "privateDnsHostnameTypeOnLaunch": _IGNORED_BY_MOTO,
        "customerOwnedIpv4Pool": _NO_OUTPOSTS,
        "mapCustomerOwnedIpOnLaunch": _NO_OUTPOSTS,
        "outpostArn": _NO_OUTPOSTS,
        "enableLniAtDeviceIndex": _NO_OUTPOSTS,
    }
    outputs = frozenset({"arn", "ipv6CidrBlockAssociationId", "ownerId"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = cidr_block_failures(inputs)
        if inputs.get("availabilityZone") and inputs.get("availabilityZoneId"):
            failures.append(CheckFailure("availabilityZoneId", "set availabilityZone or availabilityZoneId, not both"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        subnet_id = ec2.create_subnet(
            VpcId=inputs["vpcId"],
            CidrBlock=inputs["cidrBlock"],
            TagSpecifications=tag_specifications("subnet", self.tags_all(ctx, urn, inputs)),
            **renamed(inputs, {**_SUBNET_PLACEMENT, "ipv6CidrBlock": "Ipv6CidrBlock"}),
        )["Subnet"]["SubnetId"]
        ec2.get_waiter("subnet_available").wait(SubnetIds=[subnet_id], WaiterConfig=EC2_WAITER)
        _set_subnet_attributes(ec2, subnet_id, inputs, [a.wire for a in _SUBNET_ATTRIBUTES if a.wire in _SUBNET_SETTABLE
                                                        and inputs.get(a.wire) not in (None, a.fresh)])
        return subnet_id, self.read_back(ctx, subnet_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        subnet = one_found(ctx.client("ec2").describe_subnets, "Subnets", EC2_GONE, SubnetIds=[id])
        if subnet is None:
            return None
        ipv6 = live_ipv6_block(subnet.get("Ipv6CidrBlockAssociationSet"))
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"subnet/{id}", account=subnet["OwnerId"]),
            "vpcId": subnet["VpcId"],
            "cidrBlock": subnet["CidrBlock"],
            "availabilityZone": subnet["AvailabilityZone"],
            "availabilityZoneId": subnet["AvailabilityZoneId"],
            "ipv6Native": subnet.get("Ipv6Native", False),
            "ipv6CidrBlock": ipv6.get("Ipv6CidrBlock", ""),
            "ipv6CidrBlockAssociationId": ipv6.get("AssociationId", ""),
            **{attribute.wire: attribute.read(subnet) for attribute in _SUBNET_ATTRIBUTES},
            "ownerId": subnet["OwnerId"],
            **ec2_tags(ctx, subnet.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        ec2 = ctx.client("ec2")
        settings = [key for key in _SUBNET_SETTABLE if key in changed and news.get(key) is not None]
        # Addresses stop being assigned before their block goes, and start after the new block is there.
        stopping = [key for key in settings if key == "assignIpv6AddressOnCreation" and not news[key]]
        _set_subnet_attributes(ec2, id, news, stopping)
        if "ipv6CidrBlock" in changed:
            _replace_ipv6_block(ec2, id, olds.get("ipv6CidrBlockAssociationId"), news.get("ipv6CidrBlock"))
        _set_subnet_attributes(ec2, id, news, [key for key in settings if key not in stopping])

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2_remove(ctx.client("ec2").delete_subnet, SubnetId=id)


def _set_subnet_attributes(ec2: Any, subnet_id: str, values: Props, keys: list[str]) -> None:
    for attribute in _SUBNET_ATTRIBUTES:  # one attribute per ModifySubnetAttribute call
        if attribute.wire in keys:
            ec2.modify_subnet_attribute(SubnetId=subnet_id, **attribute.request(values[attribute.wire]))


def _replace_ipv6_block(ec2: Any, subnet_id: str, association_id: str | None, block: str | None) -> None:
    """A subnet's IPv6 block changes in place, as in Terraform: the old one is disassociated, the new associated."""
    if association_id:
        ec2_remove(ec2.disassociate_subnet_cidr_block, AssociationId=association_id)
    if block:
        ec2.associate_subnet_cidr_block(SubnetId=subnet_id, Ipv6CidrBlock=block)


# ---- Internet gateway -----------------------------------------------------------------------


@resource_type
class InternetGateway(Ec2Resource):
    token = "aws:ec2/internetGateway:InternetGateway"
    tagged_type = "internet-gateway"
    handled = frozenset({"vpcId"})
    outputs = frozenset({"arn", "ownerId"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        gateway_id = ec2.create_internet_gateway(
            TagSpecifications=tag_specifications("internet-gateway", self.tags_all(ctx, urn, inputs)),
        )["InternetGateway"]["InternetGatewayId"]
        ec2.get_waiter("internet_gateway_exists").wait(InternetGatewayIds=[gateway_id], WaiterConfig=EC2_WAITER)
        if inputs.get("vpcId"):
            ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=inputs["vpcId"])
        return gateway_id, self.read_back(ctx, gateway_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        gateway = one_found(ctx.client("ec2").describe_internet_gateways, "InternetGateways", EC2_GONE,
                            InternetGatewayIds=[id])
        if gateway is None:
            return None
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"internet-gateway/{id}", account=gateway["OwnerId"]),
            "vpcId": next(iter(_attached_vpcs(gateway)), ""),
            "ownerId": gateway["OwnerId"],
            **ec2_tags(ctx, gateway.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        if "vpcId" not in changed:
            return
        ec2 = ctx.client("ec2")
        if olds.get("vpcId"):
            _detach(ec2, id, olds["vpcId"])
        if news.get("vpcId"):
            ec2.attach_internet_gateway(InternetGatewayId=id, VpcId=news["vpcId"])

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2 = ctx.client("ec2")
        gateway = one_found(ec2.describe_internet_gateways, "InternetGateways", EC2_GONE, InternetGatewayIds=[id])
        if gateway is None:
            return
        for vpc_id in _attached_vpcs(gateway):  # what AWS has attached now, not what state remembers
            _detach(ec2, id, vpc_id)
        ec2_remove(ec2.delete_internet_gateway, InternetGatewayId=id)


def _attached_vpcs(gateway: dict) -> list[str]:
    attached = ("attaching", "attached", "available")  # AWS reports an attached gateway as "available"
    return [a["VpcId"] for a in gateway.get("Attachments", []) if a.get("State") in attached]


def _detach(ec2: Any, gateway_id: str, vpc_id: str) -> None:
    # DependencyViolation while addresses in the VPC are still mapped through the gateway.
    ec2_remove(ec2.detach_internet_gateway, also_gone=("Gateway.NotAttached",), InternetGatewayId=gateway_id,
               VpcId=vpc_id)
