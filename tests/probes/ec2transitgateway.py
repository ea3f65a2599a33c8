"""Probes of the aws:ec2transitgateway types. moto's describes of these take ids rather than filters."""

from __future__ import annotations

from typing import Any

from probing import Probe

_ENDED = ("deleted", "deleting")


def _gateway(c: Any, id: str, o: dict[str, Any]) -> bool:
    gateways = c("ec2").describe_transit_gateways(TransitGatewayIds=[id])["TransitGateways"]
    return any(g["State"] not in _ENDED for g in gateways)


def _attachment(c: Any, id: str, o: dict[str, Any]) -> bool:
    attachments = c("ec2").describe_transit_gateway_vpc_attachments(
        TransitGatewayAttachmentIds=[id])["TransitGatewayVpcAttachments"]
    return any(a["State"] not in _ENDED for a in attachments)


def _table(c: Any, id: str, o: dict[str, Any]) -> bool:
    tables = c("ec2").describe_transit_gateway_route_tables(
        TransitGatewayRouteTableIds=[id])["TransitGatewayRouteTables"]
    return any(t["State"] not in _ENDED for t in tables)


def _propagation(c: Any, id: str, o: dict[str, Any]) -> bool:
    table_id, attachment_id = id.split("_", 1)
    if not _table(c, table_id, o):
        return False
    propagations = c("ec2").get_transit_gateway_route_table_propagations(
        TransitGatewayRouteTableId=table_id)["TransitGatewayRouteTablePropagations"]
    return any(p["TransitGatewayAttachmentId"] == attachment_id and p.get("State") == "enabled" for p in propagations)


def _route(c: Any, id: str, o: dict[str, Any]) -> bool:
    table_id, destination = id.split("_", 1)
    if not _table(c, table_id, o):
        return False
    routes = c("ec2").search_transit_gateway_routes(
        TransitGatewayRouteTableId=table_id, Filters=[{"Name": "type", "Values": ["static"]}])["Routes"]
    return any(r.get("DestinationCidrBlock") == destination for r in routes)


PROBES: dict[str, Probe] = {
    "aws:ec2transitgateway/transitGateway:TransitGateway": _gateway,
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": _attachment,
    "aws:ec2transitgateway/routeTable:RouteTable": _table,
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation": _propagation,
    "aws:ec2transitgateway/route:Route": _route,
}
