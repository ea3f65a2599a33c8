"""The aws:ec2transitgateway types against the shared moto server: a gateway, VPC attachments, route tables,
propagations and static routes."""

from __future__ import annotations

from typing import Any

from provider_steps import Provision, Provisioned, failures, tags_of

GATEWAY = "aws:ec2transitgateway/transitGateway:TransitGateway"
ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
TABLE = "aws:ec2transitgateway/routeTable:RouteTable"
PROPAGATION = "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation"
ROUTE = "aws:ec2transitgateway/route:Route"


def gateway_of(ec2: Any, gateway_id: str) -> dict:
    return ec2.describe_transit_gateways(TransitGatewayIds=[gateway_id])["TransitGateways"][0]


def gateway_live(ec2: Any, gateway_id: str) -> bool:
    gateways = ec2.describe_transit_gateways(TransitGatewayIds=[gateway_id])["TransitGateways"]
    return any(g["State"] not in ("deleted", "deleting") for g in gateways)


def associated(ec2: Any, table_id: str) -> list[str]:
    answer = ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=table_id)
    return [a["TransitGatewayAttachmentId"] for a in answer["Associations"] if a.get("State") == "associated"]


def propagated(ec2: Any, table_id: str) -> list[str]:
    answer = ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=table_id)
    return [p["TransitGatewayAttachmentId"] for p in answer["TransitGatewayRouteTablePropagations"]
            if p.get("State") == "enabled"]


def static_routes(ec2: Any, table_id: str) -> list[tuple[str, str]]:
    routes = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table_id,
                                               Filters=[{"Name": "type", "Values": ["static"]}])["Routes"]
    return sorted((r["DestinationCidrBlock"], r["State"]) for r in routes)


def test_transit_gateway_lifecycle(provision: Provision, ec2: Any) -> None:
    gateway = provision(GATEWAY, "hub", description="hub", amazonSideAsn=64600, tags={"Name": "hub"})
    described = gateway_of(ec2, gateway.id)
    assert gateway.id.startswith("tgw-")
    assert (described["Description"], described["Options"]["AmazonSideAsn"]) == ("hub", 64600)
    assert described["Options"]["DefaultRouteTableAssociation"] == "enable"
    assert tags_of(described)["Name"] == "hub"
    assert gateway.outputs["associationDefaultRouteTableId"] == described["Options"]["AssociationDefaultRouteTableId"]
    assert gateway.outputs["arn"] == f"arn:aws:ec2:us-east-1:123456789012:transit-gateway/{gateway.id}"
    assert gateway.read() == gateway.outputs
    assert gateway.diff(amazonSideAsn=64601).replaces == ("amazonSideAsn",)
    gateway.update(dnsSupport="disable", description="the hub")
    described = gateway_of(ec2, gateway.id)
    assert (described["Options"]["DnsSupport"], described["Description"]) == ("disable", "the hub")
    gateway.update(defaultRouteTablePropagation="disable")
    assert gateway.diff(defaultRouteTablePropagation="enable").replaces == ("defaultRouteTablePropagation",)
    gateway.assert_deleted(lambda: gateway_live(ec2, gateway.id))


def test_vpc_attachment_and_routing(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    subnet = provision("aws:ec2/subnet:Subnet", "tgw", vpcId=vpc.id, cidrBlock="10.20.20.0/24")
    gateway = provision(GATEWAY, "routing-hub")
    default_table = gateway.outputs["associationDefaultRouteTableId"]
    attachment = provision(ATTACHMENT, "spoke", transitGatewayId=gateway.id, vpcId=vpc.id, subnetIds=[subnet.id],
                           tags={"Name": "spoke"})
    [described] = ec2.describe_transit_gateway_vpc_attachments(TransitGatewayAttachmentIds=[attachment.id])[
        "TransitGatewayVpcAttachments"]
    assert attachment.id.startswith("tgw-attach-")
    assert (described["VpcId"], described["SubnetIds"]) == (vpc.id, [subnet.id])
    assert associated(ec2, default_table) == [attachment.id] == propagated(ec2, default_table)
    assert attachment.outputs["transitGatewayDefaultRouteTableAssociation"] is True
    assert attachment.read() == attachment.outputs
    assert attachment.diff(vpcId="vpc-other").replaces == ("vpcId",)

    attachment.update(transitGatewayDefaultRouteTablePropagation=False)
    assert propagated(ec2, default_table) == [] and associated(ec2, default_table) == [attachment.id]
    assert attachment.outputs["transitGatewayDefaultRouteTablePropagation"] is False

    table = provision(TABLE, "spokes", transitGatewayId=gateway.id, tags={"Name": "spokes"})
    assert table.id.startswith("tgw-rtb-") and table.outputs["defaultAssociationRouteTable"] is False
    assert table.read() == table.outputs
    propagation = provision(PROPAGATION, "spoke", transitGatewayRouteTableId=table.id,
                            transitGatewayAttachmentId=attachment.id)
    assert propagation.id == f"{table.id}_{attachment.id}"
    assert propagated(ec2, table.id) == [attachment.id]
    assert (propagation.outputs["resourceId"], propagation.outputs["resourceType"]) == (vpc.id, "vpc")
    assert propagation.read() == propagation.outputs

    route = provision(ROUTE, "onward", transitGatewayRouteTableId=table.id, destinationCidrBlock="10.99.0.0/16",
                      transitGatewayAttachmentId=attachment.id)
    dropped = provision(ROUTE, "dropped", transitGatewayRouteTableId=table.id, destinationCidrBlock="10.66.0.0/16",
                        blackhole=True)
    assert route.id == f"{table.id}_10.99.0.0/16"
    assert static_routes(ec2, table.id) == [("10.66.0.0/16", "blackhole"), ("10.99.0.0/16", "active")]
    assert route.read() == route.outputs and dropped.outputs["blackhole"] is True
    dropped.assert_deleted(lambda: ("10.66.0.0/16", "blackhole") in static_routes(ec2, table.id))
    route.assert_deleted(lambda: bool(static_routes(ec2, table.id)))
    propagation.assert_deleted(lambda: bool(propagated(ec2, table.id)))
    table.assert_deleted()
    attachment.assert_deleted()


def test_transit_gateway_checks() -> None:
    assert set(failures(ROUTE, transitGatewayRouteTableId="tgw-rtb-1", destinationCidrBlock="10.0.0.0/8")) == {
        "blackhole"}
    assert "not emulated" in failures(GATEWAY, encryptionSupport="enable")["encryptionSupport"]
    assert "cannot disassociate" in failures(GATEWAY, defaultRouteTableAssociation="disable")[
        "defaultRouteTableAssociation"]
    assert "not emulated" in failures(ATTACHMENT, transitGatewayId="tgw-1", vpcId="vpc-1", subnetIds=["subnet-1"],
                                      transitGatewayDefaultRouteTableAssociation=False)[
        "transitGatewayDefaultRouteTableAssociation"]
