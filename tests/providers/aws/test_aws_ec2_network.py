"""The aws:ec2 network types beyond VPCs, subnets and route tables, against the shared moto server: NAT and
egress-only gateways, network ACLs, peering, the VPC's default resources and endpoints."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.context import AwsContext

from provider_steps import Provision, Provisioned, failures, invoke, tags_of
from recovery_steps import assert_found_after_a_crash

NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
EGRESS_GATEWAY = "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway"
EIP = "aws:ec2/eip:Eip"
SUBNET = "aws:ec2/subnet:Subnet"


def nat_gateway_state(ec2: Any, gateway_id: str) -> str:
    gateways = ec2.describe_nat_gateways(NatGatewayIds=[gateway_id])["NatGateways"]
    return gateways[0]["State"] if gateways else "none"


def test_nat_gateway_lifecycle(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    subnet = provision(SUBNET, "public", vpcId=vpc.id, cidrBlock="10.20.1.0/24")
    address = provision(EIP, "nat", domain="vpc")
    gateway = provision(NAT_GATEWAY, "nat", subnetId=subnet.id, allocationId=address.id, tags={"tier": "public"})
    assert gateway.inputs["connectivityType"] == "public"

    [described] = ec2.describe_nat_gateways(NatGatewayIds=[gateway.id])["NatGateways"]
    assert gateway.id.startswith("nat-")
    assert (described["SubnetId"], described["VpcId"], described["State"]) == (subnet.id, vpc.id, "available")
    assert tags_of(described)["tier"] == "public"
    assert gateway.outputs["publicIp"] == address.outputs["publicIp"]
    assert gateway.outputs["allocationId"] == address.id
    [interface] = ec2.describe_network_interfaces(NetworkInterfaceIds=[gateway.outputs["networkInterfaceId"]])[
        "NetworkInterfaces"]
    assert interface["SubnetId"] == subnet.id
    assert gateway.read() == gateway.outputs
    assert_found_after_a_crash(gateway)

    assert gateway.diff(subnetId="subnet-other").replaces == ("subnetId",)
    assert gateway.diff(connectivityType="private", allocationId=None).needs_replace
    gateway.update(tags={"tier": "egress"})
    assert tags_of(ec2.describe_nat_gateways(NatGatewayIds=[gateway.id])["NatGateways"][0])["tier"] == "egress"

    gateway.assert_deleted(lambda: nat_gateway_state(ec2, gateway.id) not in ("deleted", "none"))
    # The gateway's address is free again: it can be released.
    address.assert_deleted(lambda: bool(ec2.describe_addresses(
        Filters=[{"Name": "allocation-id", "Values": [address.id]}])["Addresses"]))


def test_private_nat_gateway_has_no_public_address(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    subnet = provision(SUBNET, "private", vpcId=vpc.id, cidrBlock="10.20.2.0/24")
    gateway = provision(NAT_GATEWAY, "private", subnetId=subnet.id, connectivityType="private")
    [described] = ec2.describe_nat_gateways(NatGatewayIds=[gateway.id])["NatGateways"]
    assert described["ConnectivityType"] == "private"
    assert (gateway.outputs["publicIp"], gateway.outputs["allocationId"]) == ("", "")
    assert gateway.outputs["privateIp"]
    gateway.assert_deleted(lambda: nat_gateway_state(ec2, gateway.id) not in ("deleted", "none"))


def test_nat_gateway_check_refuses_what_the_local_cloud_cannot_do() -> None:
    refused = failures(NAT_GATEWAY, subnetId="subnet-1", allocationId="eipalloc-1",
                       secondaryAllocationIds=["eipalloc-2"], privateIp="10.0.0.9")
    assert set(refused) == {"secondaryAllocationIds", "privateIp"}
    assert "not emulated by the local cloud" in refused["secondaryAllocationIds"]
    assert "not emulated" in failures(NAT_GATEWAY, vpcId="vpc-1", availabilityMode="regional")["availabilityMode"]
    assert set(failures(NAT_GATEWAY, subnetId="subnet-1")) == {"allocationId"}  # public needs an address
    assert set(failures(NAT_GATEWAY, subnetId="subnet-1", connectivityType="private",
                        allocationId="eipalloc-1")) == {"allocationId"}


def test_egress_only_internet_gateway_lifecycle(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    gateway = provision(EGRESS_GATEWAY, "v6-out", vpcId=vpc.id, tags={"ipv6": "egress"})
    [described] = ec2.describe_egress_only_internet_gateways(EgressOnlyInternetGatewayIds=[gateway.id])[
        "EgressOnlyInternetGateways"]
    assert gateway.id.startswith("eigw-")
    assert described["Attachments"] == [{"State": "attached", "VpcId": vpc.id}]
    assert tags_of(described)["ipv6"] == "egress"
    assert gateway.read() == gateway.outputs
    assert_found_after_a_crash(gateway)
    assert gateway.diff(vpcId="vpc-other").replaces == ("vpcId",)
    gateway.update(tags={"ipv6": "out"})
    assert gateway.outputs["tags"] == {"ipv6": "out"}
    gateway.assert_deleted(lambda: bool(ec2.describe_egress_only_internet_gateways(
        EgressOnlyInternetGatewayIds=[gateway.id])["EgressOnlyInternetGateways"]))


# ---- network ACLs ---------------------------------------------------------------------------

NETWORK_ACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_ACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
ACL_ASSOCIATION = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
HTTPS_IN = {"ruleNo": 100, "action": "allow", "protocol": "tcp", "fromPort": 443, "toPort": 443,
            "cidrBlock": "0.0.0.0/0"}
ALL_OUT = {"ruleNo": 100, "action": "allow", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlock": "0.0.0.0/0"}


def acl_of(ec2: Any, acl_id: str) -> dict:
    return ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]


def entries_of(ec2: Any, acl_id: str, egress: bool) -> list[tuple]:
    """(rule number, action, protocol, ports) of the ACL's own rules, in one direction."""
    return sorted((e["RuleNumber"], e["RuleAction"], e["Protocol"], tuple((e.get("PortRange") or {}).values()))
                  for e in acl_of(ec2, acl_id)["Entries"] if e["Egress"] is egress and e["RuleNumber"] < 32767)


def acl_exists(ec2: Any, acl_id: str) -> bool:
    # moto has no network-acl-id filter, and answers an unknown ACL id with a route table's error code.
    return bool(ec2.describe_network_acls(Filters=[{"Name": "association.network-acl-id", "Values": [acl_id]}])[
        "NetworkAcls"])


def acl_of_subnet(ec2: Any, subnet_id: str) -> str:
    [acl] = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])["NetworkAcls"]
    return acl["NetworkAclId"]


def test_network_acl_lifecycle(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    subnet = provision(SUBNET, "web", vpcId=vpc.id, cidrBlock="10.20.3.0/24")
    acl = provision(NETWORK_ACL, "web", vpcId=vpc.id, ingress=[HTTPS_IN], egress=[ALL_OUT], subnetIds=[subnet.id],
                    tags={"tier": "web"})
    assert acl.id.startswith("acl-")
    assert entries_of(ec2, acl.id, False) == [(100, "allow", "6", (443, 443))]
    assert entries_of(ec2, acl.id, True) == [(100, "allow", "-1", ())]
    assert acl_of_subnet(ec2, subnet.id) == acl.id
    assert tags_of(acl_of(ec2, acl.id))["tier"] == "web"
    assert acl.outputs["ingress"] == [{**HTTPS_IN, "protocol": "6", "ipv6CidrBlock": "", "icmpType": 0, "icmpCode": 0}]
    assert acl.outputs["arn"] == f"arn:aws:ec2:us-east-1:123456789012:network-acl/{acl.id}"
    assert acl.read() == acl.outputs
    assert_found_after_a_crash(acl)
    # The rule as AWS reports it (by protocol number) is the program's rule: no change.
    as_reported = {key: acl.outputs[key] for key in acl.inputs}
    assert not acl.resource.diff(as_reported, acl.checked()).has_changes
    assert acl.diff(vpcId="vpc-other").replaces == ("vpcId",)

    ssh_in = {**HTTPS_IN, "ruleNo": 110, "fromPort": 22, "toPort": 22, "cidrBlock": "10.0.0.0/8"}
    acl.update(ingress=[{**HTTPS_IN, "action": "deny"}, ssh_in])
    assert entries_of(ec2, acl.id, False) == [(100, "deny", "6", (443, 443)), (110, "allow", "6", (22, 22))]
    assert entries_of(ec2, acl.id, True) == [(100, "allow", "-1", ())]

    acl.update(subnetIds=None, tags={"tier": "app"})  # subnets the program stops listing stay where they are
    assert acl_of_subnet(ec2, subnet.id) == acl.id
    default_acl = vpc.outputs["defaultNetworkAclId"]
    acl.assert_deleted(lambda: acl_exists(ec2, acl.id))
    assert acl_of_subnet(ec2, subnet.id) == default_acl  # the subnet went back to the VPC's default ACL


def test_network_acl_check_refuses_rules_it_cannot_place() -> None:
    refused = failures(NETWORK_ACL, vpcId="vpc-1", ingress=[{**HTTPS_IN, "ipv6CidrBlock": "::/0"}],
                       egress=[{**ALL_OUT, "portRange": 5}])
    assert set(refused) == {"ingress[0]", "egress"}


def test_network_acl_rule_and_association(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    subnet = provision(SUBNET, "db", vpcId=vpc.id, cidrBlock="10.20.4.0/24")
    acl = provision(NETWORK_ACL, "db", vpcId=vpc.id)
    rule = provision(ACL_RULE, "postgres", networkAclId=acl.id, ruleNumber=200, egress=False, protocol="tcp",
                     ruleAction="allow", cidrBlock="10.20.0.0/16", fromPort=5432, toPort=5432)
    assert rule.id.startswith("nacl-")
    assert entries_of(ec2, acl.id, False) == [(200, "allow", "6", (5432, 5432))]
    assert rule.read() == rule.outputs and rule.outputs["protocol"] == "tcp"
    assert not rule.diff(protocol="6").has_changes  # the same protocol by number
    assert rule.diff(toPort=5433).replaces == ("toPort",)
    pings = provision(ACL_RULE, "ping", networkAclId=acl.id, ruleNumber=300, egress=True, protocol="icmp",
                      ruleAction="allow", cidrBlock="0.0.0.0/0")
    [entry] = [e for e in acl_of(ec2, acl.id)["Entries"] if e["RuleNumber"] == 300]
    assert (entry["Egress"], entry["Protocol"]) == (True, "1")
    assert "ICMP type" in failures(ACL_RULE, networkAclId=acl.id, ruleNumber=1, protocol="icmp", ruleAction="allow",
                                   cidrBlock="0.0.0.0/0", icmpType=8)["icmpType"]
    pings.assert_deleted(lambda: any(e["RuleNumber"] == 300 for e in acl_of(ec2, acl.id)["Entries"]))

    association = provision(ACL_ASSOCIATION, "db", networkAclId=acl.id, subnetId=subnet.id)
    assert association.id.startswith("aclassoc-")
    assert acl_of_subnet(ec2, subnet.id) == acl.id
    assert association.read() == association.outputs
    assert set(association.diff(networkAclId="acl-other").replaces) == {"networkAclId"}
    association.assert_deleted(lambda: acl_of_subnet(ec2, subnet.id) == acl.id)
    assert acl_of_subnet(ec2, subnet.id) == vpc.outputs["defaultNetworkAclId"]
    rule.assert_deleted(lambda: bool(entries_of(ec2, acl.id, False)))


def test_default_network_acl_is_adopted_and_left_on_delete(provision: Provision, ec2: Any) -> None:
    network = provision("aws:ec2/vpc:Vpc", "adopted", cidrBlock="10.50.0.0/16")
    acl_id = network.outputs["defaultNetworkAclId"]
    assert len(entries_of(ec2, acl_id, False)) == 1  # AWS's allow-all
    default = provision(DEFAULT_ACL, "default", defaultNetworkAclId=acl_id, ingress=[HTTPS_IN],
                        tags={"Name": "default"})
    assert default.id == acl_id and default.outputs["vpcId"] == network.id
    assert entries_of(ec2, acl_id, False) == [(100, "allow", "6", (443, 443))]
    assert entries_of(ec2, acl_id, True) == []  # egress not given: it denies all
    assert tags_of(acl_of(ec2, acl_id))["Name"] == "default"
    assert default.read() == default.outputs
    assert default.diff(defaultNetworkAclId="acl-other").replaces == ("defaultNetworkAclId",)
    default.update(egress=[ALL_OUT])
    assert entries_of(ec2, acl_id, True) == [(100, "allow", "-1", ())]
    default.delete()
    assert acl_of(ec2, acl_id)["IsDefault"] is True  # still there: a VPC's default ACL cannot be deleted
    with pytest.raises(OperationFailed, match="not the default network ACL"):
        default.resource.create(default.ctx, default.urn, {**default.inputs, "defaultNetworkAclId": "acl-0000"})



# ---- the VPC's default security group and route table, and its main route table -------------

DEFAULT_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
DEFAULT_TABLE = "aws:ec2/defaultRouteTable:DefaultRouteTable"
MAIN_ASSOCIATION = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
IGW = "aws:ec2/internetGateway:InternetGateway"
SELF_IN = {"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}


def permissions_of(ec2: Any, group_id: str, key: str) -> list[tuple]:
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    return sorted((p["IpProtocol"], p.get("FromPort"), [r["CidrIp"] for r in p.get("IpRanges", [])],
                   [g["GroupId"] for g in p.get("UserIdGroupPairs", [])]) for p in group.get(key, []))


def test_default_security_group_is_adopted_with_the_programs_rules(provision: Provision, ec2: Any) -> None:
    network = provision("aws:ec2/vpc:Vpc", "locked", cidrBlock="10.60.0.0/16")
    group_id = network.outputs["defaultSecurityGroupId"]
    assert permissions_of(ec2, group_id, "IpPermissionsEgress") == [("-1", None, ["0.0.0.0/0"], [])]  # AWS's
    default = provision(DEFAULT_GROUP, "default", vpcId=network.id, tags={"Name": "locked-down"},
                        egress=[{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}])
    assert default.id == group_id
    assert permissions_of(ec2, group_id, "IpPermissions") == []  # no ingress given: none is left
    assert permissions_of(ec2, group_id, "IpPermissionsEgress") == [("tcp", 443, ["0.0.0.0/0"], [])]
    assert tags_of(ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0])["Name"] == "locked-down"
    assert (default.outputs["name"], default.outputs["vpcId"]) == ("default", network.id)
    assert default.read() == default.outputs
    assert default.diff(vpcId="vpc-other").replaces == ("vpcId",)

    default.update(ingress=[SELF_IN])
    assert permissions_of(ec2, group_id, "IpPermissions") == [("-1", None, [], [group_id])]
    default.delete()
    assert ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]  # still there, rules and all
    assert permissions_of(ec2, group_id, "IpPermissions") == [("-1", None, [], [group_id])]


def routes_of(ec2: Any, table_id: str) -> list[tuple[str, str]]:
    table = ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]
    return sorted((r["DestinationCidrBlock"], r.get("GatewayId", "")) for r in table["Routes"]
                  if r.get("GatewayId") != "local")


def test_default_route_table_is_adopted_with_the_programs_routes(provision: Provision, ec2: Any) -> None:
    network = provision("aws:ec2/vpc:Vpc", "routed", cidrBlock="10.70.0.0/16")
    gateway = provision(IGW, "routed", vpcId=network.id)
    table_id = network.outputs["defaultRouteTableId"]
    ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="192.168.0.0/16", GatewayId=gateway.id)
    default = provision(DEFAULT_TABLE, "main", defaultRouteTableId=table_id, tags={"Name": "main"},
                        routes=[{"cidrBlock": "0.0.0.0/0", "gatewayId": gateway.id}])
    assert default.id == table_id and default.outputs["vpcId"] == network.id
    assert routes_of(ec2, table_id) == [("0.0.0.0/0", gateway.id)]  # the route the program did not give went
    assert default.read() == default.outputs
    assert default.diff(defaultRouteTableId="rtb-other").replaces == ("defaultRouteTableId",)
    default.update(routes=[{"cidrBlock": "10.0.0.0/8", "gatewayId": gateway.id}], tags={"Name": "main-v2"})
    assert routes_of(ec2, table_id) == [("10.0.0.0/8", gateway.id)]
    assert tags_of(ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0])["Name"] == "main-v2"
    default.delete()
    assert routes_of(ec2, table_id) == [("10.0.0.0/8", gateway.id)]  # left as it was
    ec2.delete_route(RouteTableId=table_id, DestinationCidrBlock="10.0.0.0/8")  # so that the gateway can go


def main_table_of(ec2: Any, vpc_id: str) -> str:
    [table] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                 {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
    return table["RouteTableId"]


def test_main_route_table_association(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    original = main_table_of(ec2, vpc.id)
    first = provision(ROUTE_TABLE, "main-a", vpcId=vpc.id)
    second = provision(ROUTE_TABLE, "main-b", vpcId=vpc.id)
    association = provision(MAIN_ASSOCIATION, "main", vpcId=vpc.id, routeTableId=first.id)
    assert association.id.startswith("rtbassoc-")
    assert main_table_of(ec2, vpc.id) == first.id
    assert association.outputs["originalRouteTableId"] == original
    assert association.read() == association.outputs
    assert association.diff(vpcId="vpc-other").replaces == ("vpcId",)

    old_id = association.id
    association.update(routeTableId=second.id)
    association.id = association.outputs["id"]  # a new association, as the engine records it
    assert association.id != old_id and main_table_of(ec2, vpc.id) == second.id
    assert association.read() == association.outputs
    association.assert_deleted(lambda: main_table_of(ec2, vpc.id) != original)


# ---- VPC peering ----------------------------------------------------------------------------

PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"


def peering_of(ec2: Any, connection_id: str) -> dict:
    return ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[connection_id])["VpcPeeringConnections"][0]


def test_vpc_peering_connection_lifecycle(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    peer = provision("aws:ec2/vpc:Vpc", "peer", cidrBlock="10.80.0.0/16")
    connection = provision(PEERING, "app-to-data", vpcId=vpc.id, peerVpcId=peer.id, tags={"Side": "requester"})
    assert connection.id.startswith("pcx-")
    described = peering_of(ec2, connection.id)
    assert (described["RequesterVpcInfo"]["VpcId"], described["AccepterVpcInfo"]["VpcId"]) == (vpc.id, peer.id)
    assert described["Status"]["Code"] == connection.outputs["acceptStatus"] == "pending-acceptance"
    assert tags_of(described)["Side"] == "requester"
    assert (connection.outputs["peerOwnerId"], connection.outputs["peerRegion"]) == ("123456789012", "us-east-1")
    assert connection.read() == connection.outputs
    assert_found_after_a_crash(connection)
    assert connection.diff(peerVpcId="vpc-other").replaces == ("peerVpcId",)

    connection.update(autoAccept=True, accepter={"allowRemoteVpcDnsResolution": True})
    described = peering_of(ec2, connection.id)
    assert described["Status"]["Code"] == connection.outputs["acceptStatus"] == "active"
    assert described["AccepterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert connection.outputs["accepter"] == {"allowRemoteVpcDnsResolution": True}
    assert connection.outputs["requester"] == {"allowRemoteVpcDnsResolution": False}
    connection.assert_deleted(lambda: peering_of(ec2, connection.id)["Status"]["Code"] != "deleted")


def test_vpc_peering_connection_check_refuses_what_it_cannot_accept() -> None:
    pending = failures(PEERING, vpcId="vpc-1", peerVpcId="vpc-2", requester={"allowRemoteVpcDnsResolution": True})
    assert "once the connection is active" in pending["requester"]
    assert set(failures(PEERING, vpcId="vpc-1", peerVpcId="vpc-2", peerRegion="eu-west-1", autoAccept=True)) == {
        "autoAccept"}


# ---- flow logs ------------------------------------------------------------------------------

FLOW_LOG = "aws:ec2/flowLog:FlowLog"


def test_flow_log_to_cloudwatch_logs(provision: Provision, vpc: Provisioned, ec2: Any, aws_ctx: AwsContext) -> None:
    logs = aws_ctx.client("logs")
    group_name = f"/vpc/flow-{vpc.id}"
    logs.create_log_group(logGroupName=group_name)
    group_arn = f"arn:aws:logs:us-east-1:123456789012:log-group:{group_name}"
    try:
        flow_log = provision(FLOW_LOG, "vpc-traffic", vpcId=vpc.id, trafficType="ALL", logDestination=group_arn,
                             iamRoleArn="arn:aws:iam::123456789012:role/flow-logs", tags={"Scope": "vpc"})
        assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
        [described] = ec2.describe_flow_logs(FlowLogIds=[flow_log.id])["FlowLogs"]
        assert flow_log.id.startswith("fl-")
        assert (described["ResourceId"], described["TrafficType"]) == (vpc.id, "ALL")
        assert (described["LogDestination"], described["MaxAggregationInterval"]) == (group_arn, 600)
        assert described["DeliverLogsPermissionArn"] == "arn:aws:iam::123456789012:role/flow-logs"
        assert tags_of(described)["Scope"] == "vpc"
        assert flow_log.outputs["arn"] == f"arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/{flow_log.id}"
        assert (flow_log.outputs["vpcId"], flow_log.outputs["subnetId"]) == (vpc.id, "")
        assert flow_log.read() == flow_log.outputs
        assert_found_after_a_crash(flow_log)
        assert flow_log.diff(trafficType="REJECT").replaces == ("trafficType",)
        flow_log.update(tags={"Scope": "network"})
        assert tags_of(ec2.describe_flow_logs(FlowLogIds=[flow_log.id])["FlowLogs"][0])["Scope"] == "network"
        flow_log.assert_deleted(lambda: bool(ec2.describe_flow_logs(FlowLogIds=[flow_log.id])["FlowLogs"]))
    finally:
        logs.delete_log_group(logGroupName=group_name)


def test_flow_log_check() -> None:
    assert set(failures(FLOW_LOG, trafficType="ALL", logDestination="arn:aws:logs:x")) == {"vpcId"}
    refused = failures(FLOW_LOG, transitGatewayId="tgw-1", logDestination="arn:aws:s3:::b", trafficType="ALL",
                       logDestinationType="s3")
    assert "not emulated" in refused["transitGatewayId"]
    assert set(failures(FLOW_LOG, vpcId="vpc-1", logDestination="arn:aws:logs:x")) == {"trafficType"}


# ---- lookups --------------------------------------------------------------------------------


def test_route_table_lookups(provision: Provision, vpc: Provisioned, aws_ctx: AwsContext) -> None:
    subnet = provision(SUBNET, "looked-up", vpcId=vpc.id, cidrBlock="10.20.5.0/24")
    gateway = provision(IGW, "looked-up", vpcId=vpc.id)
    table = provision(ROUTE_TABLE, "looked-up", vpcId=vpc.id, tags={"Tier": "public"},
                      routes=[{"cidrBlock": "0.0.0.0/0", "gatewayId": gateway.id}])
    association = provision("aws:ec2/routeTableAssociation:RouteTableAssociation", "looked-up",
                            subnetId=subnet.id, routeTableId=table.id)

    found = invoke("aws:ec2/getRouteTable:getRouteTable", aws_ctx, {"subnetId": subnet.id})
    assert (found["id"], found["routeTableId"], found["vpcId"]) == (table.id, table.id, vpc.id)
    assert [(r["cidrBlock"], r["gatewayId"], r["natGatewayId"]) for r in found["routes"]] == [
        ("0.0.0.0/0", gateway.id, "")]
    assert [(a["routeTableAssociationId"], a["subnetId"], a["main"]) for a in found["associations"]] == [
        (association.id, subnet.id, False)]
    assert found["tags"]["Tier"] == "public" and found["arn"] == table.outputs["arn"]
    by_tag = invoke("aws:ec2/getRouteTable:getRouteTable", aws_ctx, {"vpcId": vpc.id, "tags": {"Tier": "public"}})
    assert by_tag["id"] == table.id
    with pytest.raises(BadInput, match="multiple"):
        invoke("aws:ec2/getRouteTable:getRouteTable", aws_ctx, {"vpcId": vpc.id})

    tables = invoke("aws:ec2/getRouteTables:getRouteTables", aws_ctx, {"vpcId": vpc.id})
    assert sorted(tables["ids"]) == sorted([table.id, vpc.outputs["mainRouteTableId"]])
    main_only = invoke("aws:ec2/getRouteTables:getRouteTables", aws_ctx, {
        "vpcId": vpc.id, "filters": [{"name": "association.main", "values": ["true"]}]})
    assert main_only["ids"] == [vpc.outputs["mainRouteTableId"]]


# ---- VPC endpoints --------------------------------------------------------------------------

ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
READ_ONLY_BUCKET = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::assets/*"}]})


def endpoint_of(ec2: Any, endpoint_id: str) -> dict:
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]


def test_gateway_vpc_endpoint_lifecycle(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    first = provision(ROUTE_TABLE, "private-a", vpcId=vpc.id)
    second = provision(ROUTE_TABLE, "private-b", vpcId=vpc.id)
    endpoint = provision(ENDPOINT, "s3", vpcId=vpc.id, serviceName="com.amazonaws.us-east-1.s3",
                         routeTableIds=[first.id], tags={"Service": "s3"})
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    described = endpoint_of(ec2, endpoint.id)
    assert endpoint.id.startswith("vpce-")
    assert (described["VpcEndpointType"], described["RouteTableIds"]) == ("Gateway", [first.id])
    assert tags_of(described)["Service"] == "s3"
    assert endpoint.outputs["state"] == "available"
    assert endpoint.outputs["arn"] == f"arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/{endpoint.id}"
    [prefix_list] = ec2.describe_prefix_lists(PrefixListIds=[endpoint.outputs["prefixListId"]])["PrefixLists"]
    assert prefix_list["PrefixListName"] == "com.amazonaws.us-east-1.s3"
    assert endpoint.outputs["cidrBlocks"] == sorted(prefix_list.get("Cidrs", []))
    assert endpoint.read() == endpoint.outputs
    assert_found_after_a_crash(endpoint)
    assert endpoint.diff(serviceName="com.amazonaws.us-east-1.dynamodb").replaces == ("serviceName",)

    routes = ec2.describe_route_tables(RouteTableIds=[first.id])["RouteTables"][0]["Routes"]
    assert [r["GatewayId"] for r in routes if r.get("DestinationPrefixListId")] == [endpoint.id]
    with pytest.raises(OperationFailed, match="cannot move a Gateway endpoint"):
        endpoint.update(routeTableIds=[second.id])
    endpoint.update(policy=READ_ONLY_BUCKET)
    described = endpoint_of(ec2, endpoint.id)
    assert json.loads(described["PolicyDocument"])["Statement"][0]["Action"] == "s3:GetObject"
    assert endpoint.outputs["policy"] == READ_ONLY_BUCKET
    endpoint.update(policy=None)
    assert json.loads(endpoint_of(ec2, endpoint.id)["PolicyDocument"])["Statement"][0]["Action"] == "*"
    endpoint.assert_deleted(lambda: endpoint_of(ec2, endpoint.id)["State"] not in ("deleted", "Deleted"))


def test_interface_vpc_endpoint_has_network_interfaces(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    subnet = provision(SUBNET, "endpoints", vpcId=vpc.id, cidrBlock="10.20.6.0/24")
    group = provision("aws:ec2/securityGroup:SecurityGroup", "endpoints", vpcId=vpc.id)
    endpoint = provision(ENDPOINT, "ssm", vpcId=vpc.id, serviceName="com.amazonaws.us-east-1.ssm",
                         vpcEndpointType="Interface", subnetIds=[subnet.id], securityGroupIds=[group.id],
                         privateDnsEnabled=True)
    described = endpoint_of(ec2, endpoint.id)
    assert (described["SubnetIds"], [g["GroupId"] for g in described["Groups"]]) == ([subnet.id], [group.id])
    assert described["PrivateDnsEnabled"] is True
    [interface_id] = endpoint.outputs["networkInterfaceIds"]
    assert ec2.describe_network_interfaces(NetworkInterfaceIds=[interface_id])["NetworkInterfaces"]
    assert endpoint.outputs["dnsEntries"][0]["dnsName"]
    assert endpoint.read() == endpoint.outputs
    endpoint.assert_deleted()
    assert failures(ENDPOINT, vpcId=vpc.id, serviceName="x", ipAddressType="dualstack")["ipAddressType"]


def test_flow_log_of_a_subnet_to_s3(provision: Provision, vpc: Provisioned, ec2: Any, aws_ctx: AwsContext) -> None:
    subnet = provision(SUBNET, "logged", vpcId=vpc.id, cidrBlock="10.20.7.0/24")
    s3, bucket = aws_ctx.client("s3"), f"flow-logs-{subnet.id}"
    s3.create_bucket(Bucket=bucket)
    try:
        flow_log = provision(FLOW_LOG, "subnet-rejects", subnetId=subnet.id, trafficType="REJECT",
                             logDestinationType="s3", logDestination=f"arn:aws:s3:::{bucket}",
                             logFormat="${srcaddr} ${dstaddr} ${action}")
        [described] = ec2.describe_flow_logs(FlowLogIds=[flow_log.id])["FlowLogs"]
        assert (described["ResourceId"], described["LogDestinationType"]) == (subnet.id, "s3")
        assert described["LogFormat"] == "${srcaddr} ${dstaddr} ${action}"
        assert (flow_log.outputs["subnetId"], flow_log.outputs["vpcId"]) == (subnet.id, "")
        assert flow_log.read() == flow_log.outputs
        flow_log.assert_deleted()
        with pytest.raises(OperationFailed, match="does not exist"):
            provision(FLOW_LOG, "nowhere", subnetId=subnet.id, trafficType="ALL", logDestinationType="s3",
                      logDestination="arn:aws:s3:::no-such-flow-log-bucket")
        in_folder = failures(FLOW_LOG, subnetId=subnet.id, trafficType="ALL", logDestinationType="s3",
                             logDestination=f"arn:aws:s3:::{bucket}/rejects/")
        assert "not emulated" in in_folder["logDestination"]
    finally:
        s3.delete_bucket(Bucket=bucket)


def test_vpc_peering_connection_to_another_region(provision: Provision, vpc: Provisioned, moto_endpoint: str,
                                                  ec2: Any) -> None:
    west = boto3.client("ec2", endpoint_url=moto_endpoint, region_name="us-west-2", aws_access_key_id="testing",
                        aws_secret_access_key="testing")
    peer_id = west.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
    try:
        connection = provision(PEERING, "to-west", vpcId=vpc.id, peerVpcId=peer_id, peerRegion="us-west-2")
        described = peering_of(ec2, connection.id)
        assert (described["AccepterVpcInfo"]["VpcId"], described["AccepterVpcInfo"]["Region"]) == (
            peer_id, "us-west-2")
        assert connection.outputs["acceptStatus"] == "pending-acceptance"
        assert connection.outputs["peerRegion"] == "us-west-2"
        assert connection.read() == connection.outputs
        connection.assert_deleted()
    finally:
        west.delete_vpc(VpcId=peer_id)


# ---- DHCP options, Elastic IP associations and single tags ----------------------------------

DHCP = "aws:ec2/vpcDhcpOptions:VpcDhcpOptions"
DHCP_ASSOCIATION = "aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation"
EIP_ASSOCIATION = "aws:ec2/eipAssociation:EipAssociation"
TAG = "aws:ec2/tag:Tag"


def dhcp_of(vpc_ec2: Any, vpc_id: str) -> str:
    return vpc_ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0].get("DhcpOptionsId", "")


def test_dhcp_options_and_their_association(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    options = provision(DHCP, "corp", domainName="corp.example.com", domainNameServers=["10.0.0.2", "10.0.0.3"],
                        ntpServers=["10.0.0.4"], tags={"Name": "corp"})
    [described] = ec2.describe_dhcp_options(DhcpOptionsIds=[options.id])["DhcpOptions"]
    values = {c["Key"]: [v["Value"] for v in c["Values"]] for c in described["DhcpConfigurations"]}
    assert values["domain-name"] == ["corp.example.com"]
    assert sorted(values["domain-name-servers"]) == ["10.0.0.2", "10.0.0.3"]
    assert tags_of(described)["Name"] == "corp"
    assert options.outputs["domainName"] == "corp.example.com" and options.outputs["netbiosNodeType"] == ""
    assert options.read() == options.outputs
    assert options.diff(domainName="other.example.com").replaces == ("domainName",)

    association = provision(DHCP_ASSOCIATION, "corp", dhcpOptionsId=options.id, vpcId=vpc.id)
    assert association.id == f"{options.id}-{vpc.id}" and dhcp_of(ec2, vpc.id) == options.id
    assert association.read() == association.outputs
    assert not association.diff(dhcpOptionsId="dopt-other").needs_replace  # another set is an update
    association.assert_deleted(lambda: dhcp_of(ec2, vpc.id) not in ("", "default"))
    options.assert_deleted(lambda: bool(ec2.describe_dhcp_options(
        Filters=[{"Name": "dhcp-options-id", "Values": [options.id]}])["DhcpOptions"]))


def test_eip_association_and_a_single_tag(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    subnet = provision(SUBNET, "eip-assoc", vpcId=vpc.id, cidrBlock="10.20.21.0/24")
    interface = provision("aws:ec2/networkInterface:NetworkInterface", "eip-assoc", subnetId=subnet.id)
    address = provision(EIP, "assoc", domain="vpc")
    association = provision(EIP_ASSOCIATION, "assoc", allocationId=address.id, networkInterfaceId=interface.id)
    [described] = ec2.describe_addresses(AllocationIds=[address.id])["Addresses"]
    assert (described["AssociationId"], described["NetworkInterfaceId"]) == (association.id, interface.id)
    assert association.outputs["publicIp"] == address.outputs["publicIp"]
    assert association.outputs["privateIpAddress"] == interface.outputs["privateIp"]
    assert association.read() == association.outputs
    assert association.diff(networkInterfaceId="eni-other").replaces == ("networkInterfaceId",)
    association.assert_deleted(lambda: "AssociationId" in ec2.describe_addresses(
        AllocationIds=[address.id])["Addresses"][0])
    assert set(failures(EIP_ASSOCIATION, instanceId="i-1")) == {"allocationId"}

    tag = provision(TAG, "owner", resourceId=subnet.id, key="Owner", value="network-team")
    assert tag.id == f"{subnet.id},Owner"
    assert tags_of(ec2.describe_subnets(SubnetIds=[subnet.id])["Subnets"][0])["Owner"] == "network-team"
    assert tag.read() == tag.outputs
    assert tag.diff(key="Team").replaces == ("key",)
    tag.update(value="platform-team")
    assert tags_of(ec2.describe_subnets(SubnetIds=[subnet.id])["Subnets"][0])["Owner"] == "platform-team"
    tag.assert_deleted(lambda: "Owner" in tags_of(ec2.describe_subnets(SubnetIds=[subnet.id])["Subnets"][0]))


def test_vpc_peering_connection_accepter(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    peer = provision("aws:ec2/vpc:Vpc", "accepting", cidrBlock="10.82.0.0/16")
    request = ec2.create_vpc_peering_connection(VpcId=vpc.id, PeerVpcId=peer.id)["VpcPeeringConnection"]
    connection_id = request["VpcPeeringConnectionId"]
    try:
        accepter = provision("aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter", "peer-side",
                             vpcPeeringConnectionId=connection_id, autoAccept=True, tags={"Side": "accepter"})
        described = peering_of(ec2, connection_id)
        assert described["Status"]["Code"] == accepter.outputs["acceptStatus"] == "active"
        assert tags_of(described)["Side"] == "accepter"
        assert (accepter.outputs["vpcId"], accepter.outputs["peerVpcId"]) == (peer.id, vpc.id)
        assert accepter.read() == accepter.outputs
        accepter.update(accepter={"allowRemoteVpcDnsResolution": True})
        assert peering_of(ec2, connection_id)["AccepterVpcInfo"]["PeeringOptions"][
            "AllowDnsResolutionFromRemoteVpc"] is True
        accepter.delete()
        assert peering_of(ec2, connection_id)["Status"]["Code"] == "active"  # the requester's to delete
    finally:
        ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=connection_id)


# ---- VPN gateways ---------------------------------------------------------------------------

CUSTOMER_GATEWAY = "aws:ec2/customerGateway:CustomerGateway"
VPN_GATEWAY = "aws:ec2/vpnGateway:VpnGateway"
VPN_ATTACHMENT = "aws:ec2/vpnGatewayAttachment:VpnGatewayAttachment"


def attached_vpcs(ec2: Any, gateway_id: str) -> list[str]:
    gateway = ec2.describe_vpn_gateways(VpnGatewayIds=[gateway_id])["VpnGateways"][0]
    return [a["VpcId"] for a in gateway.get("VpcAttachments", []) if a["State"] == "attached"]


def test_customer_and_vpn_gateways(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    office = provision(CUSTOMER_GATEWAY, "office", type="ipsec.1", ipAddress="198.51.100.7", bgpAsn="65000",
                       tags={"Site": "office"})
    [described] = ec2.describe_customer_gateways(CustomerGatewayIds=[office.id])["CustomerGateways"]
    assert office.id.startswith("cgw-")
    assert (described["IpAddress"], described["BgpAsn"], tags_of(described)["Site"]) == (
        "198.51.100.7", "65000", "office")
    assert office.read() == office.outputs
    assert office.diff(ipAddress="198.51.100.8").replaces == ("ipAddress",)
    assert "moto" in failures(CUSTOMER_GATEWAY, type="ipsec.1", deviceName="edge-1")["deviceName"]

    gateway = provision(VPN_GATEWAY, "vgw", vpcId=vpc.id, amazonSideAsn="64513", tags={"Name": "vgw"})
    assert gateway.id.startswith("vgw-") and attached_vpcs(ec2, gateway.id) == [vpc.id]
    assert gateway.outputs["amazonSideAsn"] == "64513" and gateway.read() == gateway.outputs
    gateway.update(vpcId=None)
    assert attached_vpcs(ec2, gateway.id) == []
    attachment = provision(VPN_ATTACHMENT, "vgw", vpcId=vpc.id, vpnGatewayId=gateway.id)
    assert attachment.id.startswith("vpn-attachment-") and attached_vpcs(ec2, gateway.id) == [vpc.id]
    assert attachment.read() == attachment.outputs
    attachment.assert_deleted(lambda: bool(attached_vpcs(ec2, gateway.id)))
    gateway.assert_deleted()
    office.assert_deleted()
