"""aws:ec2 VPC, subnet and internet gateway, with pulumi-aws 7 wire names and Terraform's rules."""

from __future__ import annotations

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


@resource_type
class Vpc(Ec2Resource):
    token = "aws:ec2/vpc:Vpc"
    tagged_type = "vpc"
    required = ("cidrBlock",)
    defaults = {"enableDnsSupport": True, "instanceTenancy": "default"}
    force_new = frozenset({"cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"})
    handled = frozenset({"instanceTenancy", "assignGeneratedIpv6CidrBlock", *_VPC_ATTRIBUTES})

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
        ipv6 = next(
            (a for a in vpc.get("Ipv6CidrBlockAssociationSet", [])
             if a["Ipv6CidrBlockState"]["State"] in ("associating", "associated")),
            {},
        )
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


@resource_type
class Subnet(Ec2Resource):
    token = "aws:ec2/subnet:Subnet"
    tagged_type = "subnet"
    # IPAM pools and IPv6 CIDRs are not implemented, so the IPv4 CIDR is required here.
    required = ("vpcId", "cidrBlock")
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
    # Without an IPv6 CIDR the IPv6 switches (assignIpv6AddressOnCreation, enableDns64, ipv6Native) can
    # only be false, so they are read but not handled.
    handled = frozenset({
        "availabilityZone", "availabilityZoneId", "mapPublicIpOnLaunch", "enableResourceNameDnsARecordOnLaunch",
        "enableResourceNameDnsAaaaRecordOnLaunch", "privateDnsHostnameTypeOnLaunch",
    })

    def validate(self, inputs: Props) -> list[CheckFailure]:
        if inputs.get("availabilityZone") and inputs.get("availabilityZoneId"):
            return [CheckFailure("availabilityZoneId", "set availabilityZone or availabilityZoneId, not both")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        subnet_id = ec2.create_subnet(
            VpcId=inputs["vpcId"],
            CidrBlock=inputs["cidrBlock"],
            TagSpecifications=tag_specifications("subnet", self.tags_all(ctx, urn, inputs)),
            **renamed(inputs, _SUBNET_PLACEMENT),
        )["Subnet"]["SubnetId"]
        ec2.get_waiter("subnet_available").wait(SubnetIds=[subnet_id], WaiterConfig=EC2_WAITER)
        for attribute in _SUBNET_ATTRIBUTES:
            if inputs.get(attribute.wire) not in (None, attribute.fresh):
                ec2.modify_subnet_attribute(SubnetId=subnet_id, **attribute.request(inputs[attribute.wire]))
        return subnet_id, self.read_back(ctx, subnet_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        subnet = one_found(ctx.client("ec2").describe_subnets, "Subnets", EC2_GONE, SubnetIds=[id])
        if subnet is None:
            return None
        ipv6 = next(
            (a for a in subnet.get("Ipv6CidrBlockAssociationSet", [])
             if a["Ipv6CidrBlockState"]["State"] in ("associating", "associated")),
            {},
        )
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
        for attribute in _SUBNET_ATTRIBUTES:  # one attribute per ModifySubnetAttribute call
            if attribute.wire in changed and news.get(attribute.wire) is not None:
                ec2.modify_subnet_attribute(SubnetId=id, **attribute.request(news[attribute.wire]))

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2_remove(ctx.client("ec2").delete_subnet, SubnetId=id)


# ---- Internet gateway -----------------------------------------------------------------------


@resource_type
class InternetGateway(Ec2Resource):
    token = "aws:ec2/internetGateway:InternetGateway"
    tagged_type = "internet-gateway"
    handled = frozenset({"vpcId"})

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
