"""The aws:ec2 providers against the shared moto server: check, create, read, update, diff, delete."""

from __future__ import annotations

import ipaddress
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.registry import lookup_invoke, lookup_resource

from provider_steps import Provision, Provisioned, failures, group_of, tags_of

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
IGW = "aws:ec2/internetGateway:InternetGateway"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"


def vpc_exists(ec2: Any, vpc_id: str) -> bool:
    return bool(ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"])


def test_vpc_lifecycle(provision: Provision, ec2: Any) -> None:
    vpc = provision(VPC, "main", cidrBlock="10.10.0.0/16", tags={"team": "infra"})
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["instanceTenancy"] == "default"

    described = ec2.describe_vpcs(VpcIds=[vpc.id])["Vpcs"][0]
    assert vpc.id.startswith("vpc-")
    assert described["CidrBlock"] == "10.10.0.0/16"
    assert tags_of(described) == {"team": "infra", "envctl:env": "test", "envctl:urn": vpc.urn}
    main_table = ec2.describe_route_tables(Filters=[
        {"Name": "vpc-id", "Values": [vpc.id]}, {"Name": "association.main", "Values": ["true"]},
    ])["RouteTables"][0]["RouteTableId"]
    assert vpc.outputs["mainRouteTableId"] == vpc.outputs["defaultRouteTableId"] == main_table
    assert vpc.outputs["defaultSecurityGroupId"].startswith("sg-")
    assert vpc.outputs["defaultNetworkAclId"].startswith("acl-")
    assert vpc.outputs["arn"] == f"arn:aws:ec2:us-east-1:123456789012:vpc/{vpc.id}"
    assert vpc.outputs["tags"] == {"team": "infra"}
    assert vpc.outputs["tagsAll"] == tags_of(described)
    assert vpc.outputs["enableDnsHostnames"] is False
    assert vpc.read() == vpc.outputs

    assert vpc.diff(cidrBlock="10.11.0.0/16").replaces == ("cidrBlock",)
    diff = vpc.update(enableDnsHostnames=True, tags={"team": "platform"})
    assert set(diff.changed) == {"enableDnsHostnames", "tags"}
    attribute = ec2.describe_vpc_attribute(VpcId=vpc.id, Attribute="enableDnsHostnames")
    assert attribute["EnableDnsHostnames"]["Value"] is True
    assert tags_of(ec2.describe_vpcs(VpcIds=[vpc.id])["Vpcs"][0])["team"] == "platform"
    assert vpc.outputs["enableDnsHostnames"] is True
    assert vpc.outputs["id"] == vpc.id

    vpc.assert_deleted(lambda: vpc_exists(ec2, vpc.id))


def test_vpc_check_rejects_what_is_not_implemented() -> None:
    vpc = lookup_resource(VPC)
    assert vpc is not None
    failures = vpc.check("v", None, {"cidrBlock": "10.0.0.0/16", "ipv4IpamPoolId": "ipam-pool-1"}).failures
    assert [f.property for f in failures] == ["ipv4IpamPoolId"]
    assert [f.property for f in vpc.check("v", None, {}).failures] == ["cidrBlock"]


def test_subnet_lifecycle(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    subnet = provision(SUBNET, "public", vpcId=vpc.id, cidrBlock="10.20.1.0/24", availabilityZone="us-east-1b")
    assert subnet.inputs["mapPublicIpOnLaunch"] is False

    described = ec2.describe_subnets(SubnetIds=[subnet.id])["Subnets"][0]
    assert (described["VpcId"], described["CidrBlock"], described["AvailabilityZone"]) == (
        vpc.id, "10.20.1.0/24", "us-east-1b")
    assert subnet.outputs["availabilityZoneId"] == described["AvailabilityZoneId"]
    assert subnet.outputs["arn"] == f"arn:aws:ec2:us-east-1:123456789012:subnet/{subnet.id}"
    assert subnet.outputs["ownerId"] == "123456789012"
    assert subnet.read() == subnet.outputs

    assert set(subnet.diff(cidrBlock="10.20.2.0/24", availabilityZone="us-east-1c").replaces) == {
        "cidrBlock", "availabilityZone"}
    assert not subnet.diff(mapPublicIpOnLaunch=True).needs_replace
    subnet.update(mapPublicIpOnLaunch=True)
    assert ec2.describe_subnets(SubnetIds=[subnet.id])["Subnets"][0]["MapPublicIpOnLaunch"] is True
    assert subnet.outputs["mapPublicIpOnLaunch"] is True

    # A change made outside envctl shows in read: it comes from AWS, not from state.
    ec2.modify_subnet_attribute(SubnetId=subnet.id, MapPublicIpOnLaunch={"Value": False})
    assert subnet.read()["mapPublicIpOnLaunch"] is False

    subnet.assert_deleted(lambda: bool(ec2.describe_subnets(
        Filters=[{"Name": "subnet-id", "Values": [subnet.id]}])["Subnets"]))


def ipv6_blocks(ec2: Any, subnet_id: str) -> list[str]:
    subnet = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]
    return [a["Ipv6CidrBlock"] for a in subnet.get("Ipv6CidrBlockAssociationSet", [])]


def first_two_blocks(vpc_block: str) -> list[ipaddress.IPv6Network]:
    """The first two /64 subnet blocks of a VPC's /56."""
    blocks = ipaddress.ip_network(vpc_block).subnets(new_prefix=64)
    return [next(blocks), next(blocks)]


def test_subnet_ipv6_block_is_assigned_and_changes_in_place(provision: Provision, ec2: Any) -> None:
    network = provision(VPC, "dual-stack", cidrBlock="10.40.0.0/16", assignGeneratedIpv6CidrBlock=True)
    first, second = (str(block) for block in first_two_blocks(network.outputs["ipv6CidrBlock"]))
    subnet = provision(SUBNET, "dual-stack", vpcId=network.id, cidrBlock="10.40.1.0/24", ipv6CidrBlock=first,
                       assignIpv6AddressOnCreation=True)
    described = ec2.describe_subnets(SubnetIds=[subnet.id])["Subnets"][0]
    assert ipv6_blocks(ec2, subnet.id) == [first] and described["AssignIpv6AddressOnCreation"] is True
    association = described["Ipv6CidrBlockAssociationSet"][0]["AssociationId"]
    assert (subnet.outputs["ipv6CidrBlock"], subnet.outputs["ipv6CidrBlockAssociationId"]) == (first, association)
    assert subnet.outputs["assignIpv6AddressOnCreation"] is True
    assert subnet.read() == subnet.outputs

    diff = subnet.update(ipv6CidrBlock=second, assignIpv6AddressOnCreation=False)
    assert set(diff.changed) == {"ipv6CidrBlock", "assignIpv6AddressOnCreation"}
    assert ipv6_blocks(ec2, subnet.id) == [second]
    assert ec2.describe_subnets(SubnetIds=[subnet.id])["Subnets"][0]["AssignIpv6AddressOnCreation"] is False
    assert (subnet.outputs["ipv6CidrBlock"], subnet.outputs["assignIpv6AddressOnCreation"]) == (second, False)
    assert subnet.read() == subnet.outputs

    subnet.update(ipv6CidrBlock=None)
    assert ipv6_blocks(ec2, subnet.id) == [] and subnet.outputs["ipv6CidrBlock"] == ""


def test_subnet_check_refuses_what_the_local_cloud_ignores() -> None:
    refused = failures(SUBNET, vpcId="vpc-1", cidrBlock="10.0.0.0/24", enableDns64=True,
                       privateDnsHostnameTypeOnLaunch="resource-name", mapPublicIpOnLaunch=True)
    assert set(refused) == {"enableDns64", "privateDnsHostnameTypeOnLaunch"}
    assert "moto) keeps only mapPublicIpOnLaunch" in refused["enableDns64"]
    assert set(failures(SUBNET, vpcId="vpc-1", ipv6Native=True)) == {"cidrBlock", "ipv6Native"}


def test_internet_gateway_attaches_and_detaches(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    gateway = provision(IGW, "igw", tags={"role": "edge"})
    assert gateway.outputs["vpcId"] == ""
    assert tags_of(ec2.describe_internet_gateways(InternetGatewayIds=[gateway.id])["InternetGateways"][0])[
        "role"] == "edge"

    diff = gateway.update(vpcId=vpc.id)
    assert diff.changed == ("vpcId",)
    attachments = ec2.describe_internet_gateways(InternetGatewayIds=[gateway.id])["InternetGateways"][0][
        "Attachments"]
    assert [a["VpcId"] for a in attachments] == [vpc.id]
    assert gateway.read() == gateway.outputs

    gateway.update(vpcId=None)
    assert ec2.describe_internet_gateways(InternetGatewayIds=[gateway.id])["InternetGateways"][0][
        "Attachments"] == []

    gateway.update(vpcId=vpc.id)  # deleting an attached gateway detaches it first
    gateway.assert_deleted(lambda: bool(ec2.describe_internet_gateways(
        Filters=[{"Name": "internet-gateway-id", "Values": [gateway.id]}])["InternetGateways"]))


def routes_of(ec2: Any, table_id: str) -> dict[str, str]:
    routes = ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]["Routes"]
    return {r["DestinationCidrBlock"]: r["GatewayId"] for r in routes if r.get("GatewayId") != "local"}


def test_route_table_with_inline_routes(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    first = provision(IGW, "igw-a", vpcId=vpc.id)
    second = provision(IGW, "igw-b")
    table = provision(ROUTE_TABLE, "public", vpcId=vpc.id, routes=[{"cidrBlock": "0.0.0.0/0", "gatewayId": first.id}])
    assert routes_of(ec2, table.id) == {"0.0.0.0/0": first.id}
    assert table.outputs["routes"] == [{"cidrBlock": "0.0.0.0/0", "gatewayId": first.id}]
    assert table.read() == table.outputs

    assert table.diff(vpcId="vpc-0123456789abcdef0").replaces == ("vpcId",)
    table.update(routes=[
        {"cidrBlock": "0.0.0.0/0", "gatewayId": second.id},
        {"cidrBlock": "192.168.0.0/16", "gatewayId": first.id},
    ])
    assert routes_of(ec2, table.id) == {"0.0.0.0/0": second.id, "192.168.0.0/16": first.id}
    table.update(routes=[{"cidrBlock": "192.168.0.0/16", "gatewayId": first.id}])
    assert routes_of(ec2, table.id) == {"192.168.0.0/16": first.id}

    table.assert_deleted(lambda: bool(ec2.describe_route_tables(
        Filters=[{"Name": "route-table-id", "Values": [table.id]}])["RouteTables"]))


def test_route_resource(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    first = provision(IGW, "igw-a", vpcId=vpc.id)
    second = provision(IGW, "igw-b")
    table = provision(ROUTE_TABLE, "private", vpcId=vpc.id)
    route = provision(ROUTE, "default", routeTableId=table.id, destinationCidrBlock="0.0.0.0/0", gatewayId=first.id)
    assert route.id == f"r-{table.id}1080289494"
    assert route.id == f"r-{table.id}{zlib.crc32(b'0.0.0.0/0')}"
    assert routes_of(ec2, table.id) == {"0.0.0.0/0": first.id}
    assert route.read() == route.outputs == {
        "id": route.id, "routeTableId": table.id, "destinationCidrBlock": "0.0.0.0/0", "gatewayId": first.id,
        "origin": "CreateRoute", "state": "active", "instanceId": "", "instanceOwnerId": "", "region": "us-east-1"}

    assert set(route.diff(destinationCidrBlock="10.0.0.0/8").replaces) == {"destinationCidrBlock"}
    route.update(gatewayId=second.id)
    assert routes_of(ec2, table.id) == {"0.0.0.0/0": second.id}
    assert route.outputs["gatewayId"] == second.id

    route.assert_deleted(lambda: "0.0.0.0/0" in routes_of(ec2, table.id))


@pytest.fixture
def load_balancer_endpoint(vpc: Provisioned, ec2: Any) -> Iterator[str]:
    """A Gateway Load Balancer endpoint in the test VPC: a route target that ReplaceRoute cannot set in moto."""
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc.id, ServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-1",
                                       VpcEndpointType="GatewayLoadBalancer")["VpcEndpoint"]["VpcEndpointId"]
    yield endpoint
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint])


def test_route_moves_to_a_vpc_endpoint_and_back(provision: Provision, vpc: Provisioned, ec2: Any,
                                                load_balancer_endpoint: str) -> None:
    gateway = provision(IGW, "igw", vpcId=vpc.id)
    table = provision(ROUTE_TABLE, "inspected", vpcId=vpc.id)
    route = provision(ROUTE, "inspect", routeTableId=table.id, destinationCidrBlock="0.0.0.0/0", gatewayId=gateway.id)

    route.update(gatewayId=None, vpcEndpointId=load_balancer_endpoint)
    assert routes_of(ec2, table.id) == {"0.0.0.0/0": load_balancer_endpoint}  # AWS reports it as the gateway
    assert route.outputs["vpcEndpointId"] == load_balancer_endpoint and "gatewayId" not in route.outputs
    assert route.read() == route.outputs

    route.update(vpcEndpointId=None, gatewayId=gateway.id)
    assert routes_of(ec2, table.id) == {"0.0.0.0/0": gateway.id}
    assert route.outputs["gatewayId"] == gateway.id and "vpcEndpointId" not in route.outputs


def test_route_checks_refuse_targets_the_local_cloud_drops() -> None:
    assert "Cloud WAN" in failures(ROUTE, routeTableId="rtb-1", destinationCidrBlock="10.0.0.0/8",
                                   coreNetworkArn="arn:aws:networkmanager::1:core-network/c")["coreNetworkArn"]
    refused = failures(ROUTE_TABLE, vpcId="vpc-1", propagatingVgws=["vgw-1"],
                       routes=[{"cidrBlock": "10.0.0.0/8", "localGatewayId": "lgw-1"}])
    assert "EnableVgwRoutePropagation" in refused["propagatingVgws"]
    assert "'routes[0].localGatewayId' is not supported" in refused["routes"]


def test_route_checks_destination_and_target() -> None:
    route = lookup_resource(ROUTE)
    assert route is not None
    both = {"routeTableId": "rtb-1", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-1", "natGatewayId": "nat-1"}
    assert route.check("r", None, both).failures
    assert route.check("r", None, {"routeTableId": "rtb-1", "gatewayId": "igw-1"}).failures


def associated_table(ec2: Any, subnet_id: str) -> str | None:
    tables = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])
    return tables["RouteTables"][0]["RouteTableId"] if tables["RouteTables"] else None


def test_route_table_association_moves_between_tables(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    subnet = provision(SUBNET, "app", vpcId=vpc.id, cidrBlock="10.20.3.0/24")
    first = provision(ROUTE_TABLE, "rt-a", vpcId=vpc.id)
    second = provision(ROUTE_TABLE, "rt-b", vpcId=vpc.id)
    association = provision(ASSOCIATION, "app", routeTableId=first.id, subnetId=subnet.id)
    assert association.id.startswith("rtbassoc-")
    assert associated_table(ec2, subnet.id) == first.id
    assert association.read() == association.outputs

    assert association.diff(subnetId="subnet-0123456789abcdef0").replaces == ("subnetId",)
    association.update(routeTableId=second.id)
    assert associated_table(ec2, subnet.id) == second.id
    assert association.outputs["routeTableId"] == second.id
    # AWS gives the moved association a new id; it is still found under the old one.
    assert association.read() == association.outputs

    association.assert_deleted(lambda: associated_table(ec2, subnet.id) is not None)


def test_security_group_lifecycle(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    https = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/8"], "description": "https"}
    group = provision(SECURITY_GROUP, "web", vpcId=vpc.id, ingress=[https, {"protocol": "tcp", "fromPort": 22,
                                                                           "toPort": 22, "self": True}])
    assert group.inputs["name"].startswith("web-") and len(group.inputs["name"]) == len("web-") + 7
    assert group.inputs["description"] == "Managed by Pulumi"

    described = group_of(ec2, group.id)
    assert (described["GroupName"], described["VpcId"]) == (group.inputs["name"], vpc.id)
    ssh = next(p for p in described["IpPermissions"] if p.get("FromPort") == 22)
    assert [pair["GroupId"] for pair in ssh["UserIdGroupPairs"]] == [group.id]
    # Like pulumi-aws, AWS's default allow-all egress is removed when no egress is declared.
    assert described["IpPermissionsEgress"] == []
    assert group.outputs["ingress"][0] == {**https, "ipv6CidrBlocks": [], "prefixListIds": [], "securityGroups": [],
                                           "self": False}
    assert group.outputs["ingress"][1]["self"] is True
    assert group.outputs["egress"] == []
    assert group.read() == group.outputs

    assert set(group.diff(description="other", name="web-renamed").replaces) == {"description", "name"}
    allow_all = {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}
    diff = group.update(ingress=[{**https, "cidrBlocks": ["10.0.0.0/8", "172.16.0.0/12"]}], egress=[allow_all])
    assert set(diff.changed) == {"ingress", "egress"}
    described = group_of(ec2, group.id)
    assert [(p["FromPort"], sorted(r["CidrIp"] for r in p["IpRanges"])) for p in described["IpPermissions"]] == [
        (443, ["10.0.0.0/8", "172.16.0.0/12"])]
    assert [r["CidrIp"] for r in described["IpPermissionsEgress"][0]["IpRanges"]] == ["0.0.0.0/0"]
    assert group.read() == group.outputs

    group.assert_deleted(lambda: bool(ec2.describe_security_groups(
        Filters=[{"Name": "group-id", "Values": [group.id]}])["SecurityGroups"]))


def test_security_group_name_prefix_and_revoke_on_delete(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    group = provision(SECURITY_GROUP, "db", vpcId=vpc.id, namePrefix="db-", revokeRulesOnDelete=True,
                      ingress=[{"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "self": True}])
    name = group_of(ec2, group.id)["GroupName"]
    assert name.startswith("db-") and len(name) == len("db-") + 26
    assert (group.outputs["name"], group.outputs["namePrefix"]) == (name, "db-")
    group.assert_deleted(lambda: bool(ec2.describe_security_groups(
        Filters=[{"Name": "group-id", "Values": [group.id]}])["SecurityGroups"]))


def test_get_availability_zones(aws_ctx: AwsContext) -> None:
    get_zones = lookup_invoke("aws:index/getAvailabilityZones:getAvailabilityZones")
    assert get_zones is not None
    result = get_zones(aws_ctx, {"state": "available", "excludeNames": ["us-east-1b"]})
    assert result["names"] == ["us-east-1a", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"]
    assert len(result["zoneIds"]) == 5 and all(z.startswith("use1-az") for z in result["zoneIds"])
    assert (result["id"], result["state"], result["excludeNames"]) == ("us-east-1", "available", ["us-east-1b"])
    assert result["groupNames"] == ["us-east-1"]
    excluded = get_zones(aws_ctx, {"excludeZoneIds": result["zoneIds"][:1]})["names"]
    assert excluded == ["us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"]
