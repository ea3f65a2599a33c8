"""The aws:ec2 network types beyond VPCs, subnets and route tables, against the shared moto server: NAT and
egress-only gateways, network ACLs, peering, the VPC's default resources and endpoints."""

from __future__ import annotations

from typing import Any

from provider_steps import Provision, Provisioned, failures, tags_of

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
    assert gateway.diff(vpcId="vpc-other").replaces == ("vpcId",)
    gateway.update(tags={"ipv6": "out"})
    assert gateway.outputs["tags"] == {"ipv6": "out"}
    gateway.assert_deleted(lambda: bool(ec2.describe_egress_only_internet_gateways(
        EgressOnlyInternetGatewayIds=[gateway.id])["EgressOnlyInternetGateways"]))
