"""aws:ec2 networking types (VPC, subnet, internet gateway, route table, route, route table association,
security group) and the availability-zones invoke, with pulumi-aws 7 wire names and Terraform's rules.

EC2 is eventually consistent: a resource may be missing right after it is created and may still be
in use right after what used it is gone, so reads after writes poll and deletes retry for a while.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, NamedTuple

from envctl.engine.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.engine.aws.context import AwsContext
from envctl.engine.aws.errors import one_found, remove
from envctl.engine.aws.naming import unique_id_prefix
from envctl.engine.aws.registry import invoke, resource_type
from envctl.engine.aws.tags import Tags, sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.engine.aws.waiting import CONSISTENCY_TIMEOUT
from envctl.engine.aws.wire import api_name, inverse, renamed
from envctl.errors import BadInput, OperationFailed

EC2_WAITER = {"Delay": 2, "MaxAttempts": 60}
EC2_GONE = ("*.NotFound",)  # EC2's answers for an id that does not exist: InvalidVpcID.NotFound, ...
_STILL_IN_USE = ("DependencyViolation", "InvalidGroup.InUse")

# ---- shared by the EC2 types ----------------------------------------------------------------


def ec2_remove(call: Callable[..., Any], also_gone: Iterable[str] = (), **params: Any) -> None:
    """A delete, detach or revoke: already gone counts as done; a dependency EC2 still holds is waited out."""
    remove(call, gone=(*EC2_GONE, *also_gone), busy=_STILL_IN_USE, timeout=CONSISTENCY_TIMEOUT, **params)


def tag_specifications(resource_type_name: str, tags: Tags) -> list[dict[str, Any]]:
    """Tags for a create call, which EC2 takes per kind of resource it makes."""
    return [{"ResourceType": resource_type_name, "Tags": tag_list(tags)}] if tags else []


def ec2_tags(ctx: AwsContext, pairs: Iterable[dict[str, str]] | None, state: Props) -> dict[str, Tags]:
    return tags_from_cloud(ctx, state, tag_dict(pairs))


def exactly_one(inputs: Props, keys: Iterable[str], what: str) -> list[CheckFailure]:
    keys = tuple(keys)
    given = [k for k in keys if inputs.get(k) not in (None, "")]
    if len(given) == 1:
        return []
    return [CheckFailure(what, f"exactly one of {', '.join(keys)} must be set, got {len(given)}")]


class Ec2Resource(AwsResource):
    """What the EC2 types share: finding a resource by envctl's tags, and an update that changes properties,
    syncs tags and reads back. Every type lists the inputs it implements."""

    handled = frozenset()
    # DescribeTags' resource-type, for finding a resource by envctl's URN tag after a crash.
    tagged_type: ClassVar[str | None] = None

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        if self.tagged_type is None:
            return []
        tags = ctx.client("ec2").describe_tags(Filters=[
            {"Name": "resource-type", "Values": [self.tagged_type]},
            {"Name": "key", "Values": ["envctl:urn"]},
            {"Name": "value", "Values": [ctx.envctl_tags(urn)["envctl:urn"]]},
        ])["Tags"]
        return [t["ResourceId"] for t in tags]

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._change(ctx, id, olds, news, set(diff.changed))
        if self.taggable:
            # Sync even when `tags` did not change: the provider's default tags may have.
            ec2 = ctx.client("ec2")
            sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                      lambda tags: ec2.create_tags(Resources=[id], Tags=tag_list(tags)),
                      lambda keys: ec2.delete_tags(Resources=[id], Tags=[{"Key": key} for key in keys]))
        return self.read_back(ctx, id, news)

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        """Apply the changed properties other than tags in place."""


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


# ---- Routes (shared by RouteTable's inline routes and Route) --------------------------------

# Target property -> CreateRoute/ReplaceRoute parameter and DescribeRouteTables key (AWS reports a
# VPC endpoint target under GatewayId).
_ROUTE_TARGETS = {
    "carrierGatewayId": "CarrierGatewayId",
    "coreNetworkArn": "CoreNetworkArn",
    "egressOnlyGatewayId": "EgressOnlyInternetGatewayId",
    "gatewayId": "GatewayId",
    "localGatewayId": "LocalGatewayId",
    "natGatewayId": "NatGatewayId",
    "networkInterfaceId": "NetworkInterfaceId",
    "transitGatewayId": "TransitGatewayId",
    "vpcEndpointId": "VpcEndpointId",
    "vpcPeeringConnectionId": "VpcPeeringConnectionId",
}
# Destination property -> parameter, for inline routes and for the Route resource.
_INLINE_DESTINATIONS = {
    "cidrBlock": "DestinationCidrBlock",
    "ipv6CidrBlock": "DestinationIpv6CidrBlock",
    "destinationPrefixListId": "DestinationPrefixListId",
}
_ROUTE_DESTINATIONS = {
    "destinationCidrBlock": "DestinationCidrBlock",
    "destinationIpv6CidrBlock": "DestinationIpv6CidrBlock",
    "destinationPrefixListId": "DestinationPrefixListId",
}


def _route_part(route: Props, names: dict[str, str]) -> tuple[str, str]:
    """The (API parameter, value) of the route's destination or target, whichever `names` lists."""
    for key, parameter in names.items():
        if route.get(key):
            return parameter, route[key]
    raise BadInput(f"the route {route} sets none of {', '.join(names)}")


def _route_parameters(route: Props, destinations: dict[str, str]) -> dict[str, str]:
    return dict([_route_part(route, destinations), _route_part(route, _ROUTE_TARGETS)])


def _route_outputs(api_route: dict, destinations: dict[str, str]) -> Props:
    route = {**renamed(api_route, inverse(destinations)), **renamed(api_route, inverse(_ROUTE_TARGETS))}
    if route.get("gatewayId", "").startswith("vpce-"):
        route["vpcEndpointId"] = route.pop("gatewayId")
    return route


def _route_failures(route: Props, destinations: dict[str, str], what: str) -> list[CheckFailure]:
    return exactly_one(route, destinations, what) + exactly_one(route, _ROUTE_TARGETS, what)


def _find_route(ec2: Any, route_table_id: str, parameter: str, destination: str) -> dict | None:
    table = one_found(ec2.describe_route_tables, "RouteTables", EC2_GONE, RouteTableIds=[route_table_id])
    routes = table["Routes"] if table else []
    return next((r for r in routes if r.get(parameter) == destination), None)


def _route_id(route_table_id: str, destination: str) -> str:
    """Terraform's route id: r-<route table id><crc32 of the destination>."""
    return f"r-{route_table_id}{zlib.crc32(destination.encode())}"


# ---- Route table ----------------------------------------------------------------------------


@resource_type
class RouteTable(Ec2Resource):
    token = "aws:ec2/routeTable:RouteTable"
    tagged_type = "route-table"
    required = ("vpcId",)
    force_new = frozenset({"vpcId"})
    handled = frozenset({"routes"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
        for index, route in enumerate(inputs.get("routes") or []):
            failures += _route_failures(route, _INLINE_DESTINATIONS, f"routes[{index}]")
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        table_id = ec2.create_route_table(
            VpcId=inputs["vpcId"],
            TagSpecifications=tag_specifications("route-table", self.tags_all(ctx, urn, inputs)),
        )["RouteTable"]["RouteTableId"]
        self.read_back(ctx, table_id, inputs)  # the table must be visible before routes go in
        for route in inputs.get("routes") or []:
            ec2.create_route(RouteTableId=table_id, **_route_parameters(route, _INLINE_DESTINATIONS))
        return table_id, self.read_back(ctx, table_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        table = one_found(ctx.client("ec2").describe_route_tables, "RouteTables", EC2_GONE, RouteTableIds=[id])
        if table is None:
            return None
        # Like Terraform: the VPC's local routes and routes propagated from gateways are not the table's.
        routes = [
            _route_outputs(route, _INLINE_DESTINATIONS)
            for route in table.get("Routes", [])
            if route.get("GatewayId") != "local" and route.get("Origin") != "EnableVgwRoutePropagation"
        ]
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"route-table/{id}", account=table["OwnerId"]),
            "vpcId": table["VpcId"],
            "routes": routes,
            "propagatingVgws": [g["GatewayId"] for g in table.get("PropagatingVgws", [])],
            "ownerId": table["OwnerId"],
            **ec2_tags(ctx, table.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        if "routes" not in changed:
            return
        ec2 = ctx.client("ec2")
        old = {_route_part(r, _INLINE_DESTINATIONS): r for r in olds.get("routes") or []}
        new = {_route_part(r, _INLINE_DESTINATIONS): r for r in news.get("routes") or []}
        for parameter, destination in old.keys() - new.keys():
            ec2_remove(ec2.delete_route, RouteTableId=id, **{parameter: destination})
        for destination, route in new.items():
            if destination not in old:
                ec2.create_route(RouteTableId=id, **_route_parameters(route, _INLINE_DESTINATIONS))
            elif _route_part(route, _ROUTE_TARGETS) != _route_part(old[destination], _ROUTE_TARGETS):
                ec2.replace_route(RouteTableId=id, **_route_parameters(route, _INLINE_DESTINATIONS))

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2 = ctx.client("ec2")
        table = one_found(ec2.describe_route_tables, "RouteTables", EC2_GONE, RouteTableIds=[id])
        if table is None:
            return
        for association in table.get("Associations", []):
            if not association.get("Main"):
                ec2_remove(ec2.disassociate_route_table, AssociationId=association["RouteTableAssociationId"])
        ec2_remove(ec2.delete_route_table, RouteTableId=id)


# ---- Route ----------------------------------------------------------------------------------


@resource_type
class Route(Ec2Resource):
    token = "aws:ec2/route:Route"
    taggable = False
    required = ("routeTableId",)
    force_new = frozenset({"routeTableId", *_ROUTE_DESTINATIONS})
    handled = frozenset({*_ROUTE_DESTINATIONS, *_ROUTE_TARGETS})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return _route_failures(inputs, _ROUTE_DESTINATIONS, "route")

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        table_id = inputs["routeTableId"]
        ctx.client("ec2").create_route(RouteTableId=table_id, **_route_parameters(inputs, _ROUTE_DESTINATIONS))
        route_id = _route_id(table_id, _route_part(inputs, _ROUTE_DESTINATIONS)[1])
        return route_id, self.read_back(ctx, route_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        # The id is a hash, so the route is found by the table and destination that state records.
        parameter, destination = _route_part(state, _ROUTE_DESTINATIONS)
        route = _find_route(ctx.client("ec2"), state["routeTableId"], parameter, destination)
        if route is None:
            return None
        instance = renamed(route, {"InstanceId": "instanceId", "InstanceOwnerId": "instanceOwnerId"})
        return {"id": id, "routeTableId": state["routeTableId"], **_route_outputs(route, _ROUTE_DESTINATIONS),
                **instance}

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        if changed & _ROUTE_TARGETS.keys():
            parameters = _route_parameters(news, _ROUTE_DESTINATIONS)
            ctx.client("ec2").replace_route(RouteTableId=news["routeTableId"], **parameters)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        parameter, destination = _route_part(state, _ROUTE_DESTINATIONS)
        ec2_remove(ctx.client("ec2").delete_route, RouteTableId=state["routeTableId"], **{parameter: destination})


# ---- Route table association ----------------------------------------------------------------


_ASSOCIATION_TARGETS = {"subnetId": "SubnetId", "gatewayId": "GatewayId"}


@resource_type
class RouteTableAssociation(Ec2Resource):
    token = "aws:ec2/routeTableAssociation:RouteTableAssociation"
    taggable = False
    required = ("routeTableId",)
    force_new = frozenset(_ASSOCIATION_TARGETS)
    handled = frozenset(_ASSOCIATION_TARGETS)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return exactly_one(inputs, _ASSOCIATION_TARGETS, "subnetId")

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        association_id = ctx.client("ec2").associate_route_table(
            RouteTableId=inputs["routeTableId"], **renamed(inputs, _ASSOCIATION_TARGETS)
        )["AssociationId"]
        return association_id, self.read_back(ctx, association_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        association = _find_association(ctx.client("ec2"), id, state)
        if association is None:
            return None
        return {
            "id": association["RouteTableAssociationId"],
            "routeTableId": association["RouteTableId"],
            **renamed(association, inverse(_ASSOCIATION_TARGETS)),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        """Moving to another route table gives the association a new id, returned as outputs['id']."""
        ec2 = ctx.client("ec2")
        current = _find_association(ec2, id, olds)
        if current is None:
            raise OperationFailed(f"route table association {id} no longer exists; run refresh")
        new_id = ec2.replace_route_table_association(
            AssociationId=current["RouteTableAssociationId"], RouteTableId=news["routeTableId"]
        )["NewAssociationId"]
        return self.read_back(ctx, new_id, news)

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        # Untaggable, but a subnet or gateway has at most one association.
        association = _find_association(ctx.client("ec2"), "", inputs)
        return [association["RouteTableAssociationId"]] if association else []

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2 = ctx.client("ec2")
        association = _find_association(ec2, id, state)
        if association is not None:
            ec2_remove(ec2.disassociate_route_table, AssociationId=association["RouteTableAssociationId"])


def _find_association(ec2: Any, association_id: str, state: Props) -> dict | None:
    """The association by its id or, since replacing its route table changes the id, by its subnet or
    gateway (each has at most one)."""
    subnet_id, gateway_id = state.get("subnetId"), state.get("gatewayId")
    lookups = [("association.route-table-association-id", association_id)]
    if subnet_id:
        lookups.append(("association.subnet-id", subnet_id))
    elif gateway_id and state.get("routeTableId"):
        lookups.append(("route-table-id", state["routeTableId"]))
    for name, value in lookups:
        for table in ec2.describe_route_tables(Filters=[{"Name": name, "Values": [value]}])["RouteTables"]:
            for association in table.get("Associations", []):
                if association.get("Main"):
                    continue
                if association["RouteTableAssociationId"] == association_id or (
                    (subnet_id and association.get("SubnetId") == subnet_id)
                    or (gateway_id and association.get("GatewayId") == gateway_id)
                ):
                    return association
    return None


# ---- Security group -------------------------------------------------------------------------

_PROTOCOL_NAMES = {"all": "-1", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
# Rule list property -> IpPermission list and the key of the address in it.
_GRANT_KINDS = {
    "cidrBlocks": ("IpRanges", "CidrIp"),
    "ipv6CidrBlocks": ("Ipv6Ranges", "CidrIpv6"),
    "prefixListIds": ("PrefixListIds", "PrefixListId"),
    "securityGroups": ("UserIdGroupPairs", "GroupId"),
}
_RULE_LISTS = tuple(_GRANT_KINDS)


class Grant(NamedTuple):
    """One address a rule lets through: AWS stores and revokes rules at this grain."""

    protocol: str
    from_port: int
    to_port: int
    kind: str  # a _GRANT_KINDS key, or "self"
    value: str
    description: str


def protocol_name(value: Any) -> str:
    text = str(value).lower()
    return _PROTOCOL_NAMES.get(text, text)


def _normal_rule(rule: Props) -> Props:
    """A rule in the form pulumi-aws returns it: every field present, protocol by name, ports as ints
    (AWS ignores the ports of an all-traffic rule and reports none)."""
    protocol = protocol_name(rule.get("protocol"))
    all_traffic = protocol == "-1"
    return {
        "protocol": protocol,
        "fromPort": 0 if all_traffic else int(rule.get("fromPort") or 0),
        "toPort": 0 if all_traffic else int(rule.get("toPort") or 0),
        **{name: list(rule.get(name) or []) for name in _RULE_LISTS},
        "self": bool(rule.get("self")),
        "description": rule.get("description") or "",
    }


def rule_grants(rule: Props) -> list[Grant]:
    r = _normal_rule(rule)
    port_range = (r["protocol"], r["fromPort"], r["toPort"])
    grants = [Grant(*port_range, kind, value, r["description"]) for kind in _RULE_LISTS for value in r[kind]]
    if r["self"]:
        grants.append(Grant(*port_range, "self", "", r["description"]))
    return grants


def aws_grants(permissions: Iterable[dict], group_id: str) -> list[Grant]:
    grants = []
    for permission in permissions:
        protocol = protocol_name(permission["IpProtocol"])
        all_traffic = protocol == "-1"
        from_port = 0 if all_traffic else permission.get("FromPort", 0)
        to_port = 0 if all_traffic else permission.get("ToPort", 0)
        for kind, (list_key, value_key) in _GRANT_KINDS.items():
            for entry in permission.get(list_key, []):
                is_self = kind == "securityGroups" and entry[value_key] == group_id
                grants.append(Grant(
                    protocol, from_port, to_port, "self" if is_self else kind,
                    "" if is_self else entry[value_key], entry.get("Description", ""),
                ))
    return grants


def permissions(grants: Iterable[Grant], group_id: str) -> list[dict[str, Any]]:
    permissions = []
    for grant in grants:
        list_key, value_key = _GRANT_KINDS["securityGroups" if grant.kind == "self" else grant.kind]
        entry = {value_key: group_id if grant.kind == "self" else grant.value}
        if grant.description:
            entry["Description"] = grant.description
        permissions.append(
            {"IpProtocol": grant.protocol, "FromPort": grant.from_port, "ToPort": grant.to_port, list_key: [entry]}
        )
    return permissions


def _rules_from_grants(grants: list[Grant], known_rules: Iterable[Props]) -> list[Props]:
    """Rebuild rules as the program wrote them (AWS merges them), in state order; grants no known rule
    accounts for become one rule per port range and description."""
    remaining = list(grants)
    rules = []
    for rule in known_rules:
        wanted = rule_grants(rule)
        if wanted and all(grant in remaining for grant in wanted):
            for grant in wanted:
                remaining.remove(grant)
            rules.append(_normal_rule(rule))
    leftovers: dict[tuple, Props] = {}
    for grant in remaining:
        key = (grant.protocol, grant.from_port, grant.to_port, grant.description)
        rule = leftovers.setdefault(key, _normal_rule(
            {"protocol": grant.protocol, "fromPort": grant.from_port, "toPort": grant.to_port,
             "description": grant.description}
        ))
        if grant.kind == "self":
            rule["self"] = True
        else:
            rule[grant.kind].append(grant.value)
    return rules + [leftovers[key] for key in sorted(leftovers)]


DIRECTIONS = {
    "ingress": ("IpPermissions", "authorize_security_group_ingress", "revoke_security_group_ingress"),
    "egress": ("IpPermissionsEgress", "authorize_security_group_egress", "revoke_security_group_egress"),
}


@resource_type
class SecurityGroup(Ec2Resource):
    token = "aws:ec2/securityGroup:SecurityGroup"
    tagged_type = "security-group"
    name_property = "name"
    name_prefix_property = "namePrefix"
    defaults = {"description": "Managed by Pulumi", "revokeRulesOnDelete": False}
    force_new = frozenset({"name", "namePrefix", "description", "vpcId"})
    handled = frozenset({"description", "vpcId", "ingress", "egress", "revokeRulesOnDelete"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        if str(inputs.get("name") or inputs.get("namePrefix") or "").startswith("sg-"):
            return [CheckFailure("name", "a security group name cannot begin with 'sg-'")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        name = self.physical_name(inputs)
        group_id = ec2.create_security_group(
            GroupName=name,
            Description=inputs["description"],
            TagSpecifications=tag_specifications("security-group", self.tags_all(ctx, urn, inputs)),
            **({"VpcId": inputs["vpcId"]} if inputs.get("vpcId") else {}),
        )["GroupId"]
        ec2.get_waiter("security_group_exists").wait(GroupIds=[group_id], WaiterConfig=EC2_WAITER)
        # Like pulumi-aws (Terraform): AWS's default allow-all egress is removed, so only declared egress remains.
        for cidr in ({"IpRanges": [{"CidrIp": "0.0.0.0/0"}]}, {"Ipv6Ranges": [{"CidrIpv6": "::/0"}]}):
            ec2_remove(ec2.revoke_security_group_egress, also_gone=("InvalidParameterValue",), GroupId=group_id,
                       IpPermissions=[{"IpProtocol": "-1", "FromPort": 0, "ToPort": 0, **cidr}])
        for direction, (_, authorize, _) in DIRECTIONS.items():
            grants = [grant for rule in inputs.get(direction) or [] for grant in rule_grants(rule)]
            if grants:
                getattr(ec2, authorize)(GroupId=group_id, IpPermissions=permissions(grants, group_id))
        return group_id, self.read_back(ctx, group_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        group = one_found(ctx.client("ec2").describe_security_groups, "SecurityGroups", EC2_GONE, GroupIds=[id])
        if group is None:
            return None
        rules = {
            direction: _rules_from_grants(aws_grants(group.get(key, []), id), state.get(direction) or [])
            for direction, (key, _, _) in DIRECTIONS.items()
        }
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"security-group/{id}", account=group["OwnerId"]),
            "name": group["GroupName"],
            "namePrefix": unique_id_prefix(group["GroupName"]),
            "description": group["Description"],
            "vpcId": group.get("VpcId", ""),
            **rules,
            "revokeRulesOnDelete": bool(state.get("revokeRulesOnDelete")),  # envctl's own switch, not AWS's
            "ownerId": group["OwnerId"],
            **ec2_tags(ctx, group.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        ec2 = ctx.client("ec2")
        for direction, (_, authorize, revoke) in DIRECTIONS.items():
            if direction not in changed:
                continue
            old = {grant for rule in olds.get(direction) or [] for grant in rule_grants(rule)}
            new = {grant for rule in news.get(direction) or [] for grant in rule_grants(rule)}
            # Revoke first: a grant whose description changed is revoked and authorized again.
            if old - new:
                ec2_remove(getattr(ec2, revoke), also_gone=("InvalidPermission.NotFound",), GroupId=id,
                           IpPermissions=permissions(sorted(old - new), id))
            if new - old:
                getattr(ec2, authorize)(GroupId=id, IpPermissions=permissions(sorted(new - old), id))

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2 = ctx.client("ec2")
        if state.get("revokeRulesOnDelete"):
            group = one_found(ec2.describe_security_groups, "SecurityGroups", EC2_GONE, GroupIds=[id])
            for key, _, revoke in DIRECTIONS.values():
                if group and group.get(key):
                    ec2_remove(getattr(ec2, revoke), GroupId=id, IpPermissions=group[key])
        ec2_remove(ec2.delete_security_group, GroupId=id)


# ---- Invokes --------------------------------------------------------------------------------


@invoke("aws:index/getAvailabilityZones:getAvailabilityZones")
def get_availability_zones(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Zones sorted by name, without the excluded ones, as Terraform's data source returns them."""
    if args.get("region") not in (None, "", ctx.region):
        raise BadInput(f"getAvailabilityZones for region {args['region']} is not supported; "
                       f"envctl's local engine works in the provider's region {ctx.region}")
    filters = [{"Name": "state", "Values": [args["state"]]}] if args.get("state") else []
    filters += [{"Name": f["name"], "Values": list(f["values"])} for f in args.get("filters") or []]
    request: dict[str, Any] = {"Filters": filters} if filters else {}
    if args.get("allAvailabilityZones"):
        request["AllAvailabilityZones"] = True
    zones = sorted(ctx.client("ec2").describe_availability_zones(**request)["AvailabilityZones"],
                   key=lambda zone: zone["ZoneName"])
    excluded_names, excluded_ids = set(args.get("excludeNames") or ()), set(args.get("excludeZoneIds") or ())
    kept = [z for z in zones if z["ZoneName"] not in excluded_names and z["ZoneId"] not in excluded_ids]
    return {
        **args,
        "id": ctx.region,
        "region": ctx.region,
        "names": [zone["ZoneName"] for zone in kept],
        "zoneIds": [zone["ZoneId"] for zone in kept],
        # moto omits GroupName; for an availability zone AWS reports the region's zone group.
        "groupNames": sorted({zone.get("GroupName", zone["RegionName"]) for zone in kept}),
    }
