"""Probes of the aws:ec2 network and compute types beyond VPCs, subnets, route tables and instances."""

from __future__ import annotations

from typing import Any

from probing import Probe, ec2_filtered, listed, present


def _nat_gateway(c: Any, id: str, o: dict[str, Any]) -> bool:
    gateways = c("ec2").describe_nat_gateways(Filters=[{"Name": "nat-gateway-id", "Values": [id]}])["NatGateways"]
    return any(g["State"] not in ("deleted", "failed") for g in gateways)


def _network_acl(c: Any, id: str, o: dict[str, Any]) -> bool:
    # moto has no network-acl-id filter; this one matches the ACL's own id.
    return bool(c("ec2").describe_network_acls(
        Filters=[{"Name": "association.network-acl-id", "Values": [id]}])["NetworkAcls"])


def _default_network_acl(c: Any, id: str, o: dict[str, Any]) -> bool:
    # AWS deletes a VPC's default ACL with the VPC; moto keeps it listed, so the VPC tells.
    vpcs = c("ec2").describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [o["vpcId"]]}])["Vpcs"]
    return bool(vpcs) and _network_acl(c, id, o)


def _network_acl_rule(c: Any, id: str, o: dict[str, Any]) -> bool:
    acls = c("ec2").describe_network_acls(
        Filters=[{"Name": "association.network-acl-id", "Values": [o["networkAclId"]]}])["NetworkAcls"]
    return any(e["RuleNumber"] == o["ruleNumber"] and e["Egress"] is bool(o["egress"])
               for acl in acls for e in acl["Entries"])


def _main_association(c: Any, id: str, o: dict[str, Any]) -> bool:
    tables = c("ec2").describe_route_tables(
        Filters=[{"Name": "association.route-table-association-id", "Values": [id]}])["RouteTables"]
    return any(a["RouteTableAssociationId"] == id and a.get("Main") for t in tables for a in t["Associations"])


def _peering(c: Any, id: str, o: dict[str, Any]) -> bool:
    connections = c("ec2").describe_vpc_peering_connections(VpcPeeringConnectionIds=[id])["VpcPeeringConnections"]
    return any(p["Status"]["Code"] not in ("deleted", "rejected", "failed", "expired") for p in connections)


def _volume_attached(c: Any, id: str, o: dict[str, Any]) -> bool:
    volumes = c("ec2").describe_volumes(Filters=[{"Name": "volume-id", "Values": [o["volumeId"]]}])["Volumes"]
    return any(a["InstanceId"] == o["instanceId"] and a["Device"] == o["deviceName"]
               for v in volumes for a in v.get("Attachments", []))


def _endpoint(c: Any, id: str, o: dict[str, Any]) -> bool:
    # moto has no vpc-endpoint-id filter, so the endpoint is asked for by id.
    return listed(lambda: c("ec2").describe_vpc_endpoints(VpcEndpointIds=[id])["VpcEndpoints"],
                  lambda found: any(e["State"].lower() not in ("deleted", "deleting") for e in found),
                  "InvalidVpcEndpointId.NotFound")


def _route(c: Any, id: str, o: dict[str, Any]) -> bool:
    tables = c("ec2").describe_route_tables(
        Filters=[{"Name": "route-table-id", "Values": [o["routeTableId"]]}])["RouteTables"]
    destination = o.get("destinationCidrBlock") or o.get("destinationIpv6CidrBlock") or o.get(
        "destinationPrefixListId")
    return any(destination in (r.get("DestinationCidrBlock"), r.get("DestinationIpv6CidrBlock"),
                               r.get("DestinationPrefixListId")) for t in tables for r in t["Routes"])


def _dhcp_association(c: Any, id: str, o: dict[str, Any]) -> bool:
    vpcs = c("ec2").describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [o["vpcId"]]}])["Vpcs"]
    return any(v.get("DhcpOptionsId") == o["dhcpOptionsId"] for v in vpcs)


def _tag(c: Any, id: str, o: dict[str, Any]) -> bool:
    resource_id, key = id.split(",", 1)
    return bool(c("ec2").describe_tags(Filters=[{"Name": "resource-id", "Values": [resource_id]},
                                                {"Name": "key", "Values": [key]}])["Tags"])


def _customer_gateway(c: Any, id: str, o: dict[str, Any]) -> bool:
    gateways = c("ec2").describe_customer_gateways(CustomerGatewayIds=[id])["CustomerGateways"]
    return any(g.get("State") not in ("deleting", "deleted") for g in gateways)


def _vpn_gateway(c: Any, id: str, o: dict[str, Any]) -> bool:
    gateways = c("ec2").describe_vpn_gateways(VpnGatewayIds=[id])["VpnGateways"]
    return any(g.get("State") not in ("deleting", "deleted") for g in gateways)


def _vpn_attachment(c: Any, id: str, o: dict[str, Any]) -> bool:
    gateways = c("ec2").describe_vpn_gateways(VpnGatewayIds=[o["vpnGatewayId"]])["VpnGateways"]
    return any(a["VpcId"] == o["vpcId"] and a["State"] in ("attaching", "attached")
               for g in gateways for a in g.get("VpcAttachments", []))


PROBES: dict[str, Probe] = {
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    # moto ignores this describe's filters, so the gateway is asked for by id.
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": lambda c, id, o: bool(
        c("ec2").describe_egress_only_internet_gateways(EgressOnlyInternetGatewayIds=[id])["EgressOnlyInternetGateways"]),
    "aws:ec2/keyPair:KeyPair": lambda c, id, o: present(
        lambda: c("ec2").describe_key_pairs(KeyNames=[id]), "InvalidKeyPair.NotFound"),
    "aws:ec2/networkAcl:NetworkAcl": _network_acl,
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": _default_network_acl,
    "aws:ec2/networkAclRule:NetworkAclRule": _network_acl_rule,
    "aws:ec2/networkAclAssociation:NetworkAclAssociation": ec2_filtered(
        "describe_network_acls", "NetworkAcls", "association.association-id"),
    # Adopted, and gone only with their VPC.
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ec2_filtered(
        "describe_security_groups", "SecurityGroups", "group-id"),
    "aws:ec2/defaultRouteTable:DefaultRouteTable": ec2_filtered(
        "describe_route_tables", "RouteTables", "route-table-id"),
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation": _main_association,
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": _peering,
    "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": _peering,  # its requester deletes it
    "aws:ebs/volume:Volume": ec2_filtered("describe_volumes", "Volumes", "volume-id"),
    "aws:ec2/volumeAttachment:VolumeAttachment": _volume_attached,
    "aws:ec2/networkInterface:NetworkInterface": ec2_filtered(
        "describe_network_interfaces", "NetworkInterfaces", "network-interface-id"),
    "aws:ec2/flowLog:FlowLog": lambda c, id, o: bool(c("ec2").describe_flow_logs(
        Filters=[{"Name": "flow-log-id", "Values": [id]}])["FlowLogs"]),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _endpoint,
    "aws:ec2/launchTemplate:LaunchTemplate": lambda c, id, o: bool(
        c("ec2").describe_launch_templates(LaunchTemplateIds=[id])["LaunchTemplates"]),
    "aws:ec2/launchConfiguration:LaunchConfiguration": lambda c, id, o: bool(
        c("autoscaling").describe_launch_configurations(LaunchConfigurationNames=[id])["LaunchConfigurations"]),
    "aws:ec2/route:Route": _route,
    "aws:ec2/vpcDhcpOptions:VpcDhcpOptions": ec2_filtered("describe_dhcp_options", "DhcpOptions", "dhcp-options-id"),
    "aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation": _dhcp_association,
    "aws:ec2/eipAssociation:EipAssociation": ec2_filtered("describe_addresses", "Addresses", "association-id"),
    "aws:ec2/tag:Tag": _tag,
    "aws:ec2/customerGateway:CustomerGateway": _customer_gateway,
    "aws:ec2/vpnGateway:VpnGateway": _vpn_gateway,
    "aws:ec2/vpnGatewayAttachment:VpnGatewayAttachment": _vpn_attachment,
}
