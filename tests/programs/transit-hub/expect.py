"""transit-hub: both spokes are attached to the hub and propagate to its default table, each spoke routes 10/8
to the hub, and the blocked range is a blackhole; blocking another range replaces that route."""

from typing import Any

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

TGW_ROUTE = "aws:ec2transitgateway/route:Route"


def static_routes(ec2: Any, table_id: str) -> list[tuple[str, str]]:
    routes = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table_id,
                                               Filters=[{"Name": "type", "Values": ["static"]}])["Routes"]
    return sorted((r["DestinationCidrBlock"], r["State"]) for r in routes)


def verify(cloud: Cloud, out: Outputs) -> None:
    ec2 = cloud.client("ec2")
    [hub] = ec2.describe_transit_gateways(TransitGatewayIds=[out["hub_id"]])["TransitGateways"]
    assert (hub["State"], hub["Description"]) == ("available", "spoke-to-spoke hub")
    table = out["hub_route_table_id"]
    attachments = ec2.describe_transit_gateway_vpc_attachments(
        TransitGatewayAttachmentIds=list(out["attachment_ids"].values()))["TransitGatewayVpcAttachments"]
    assert {a["TransitGatewayId"] for a in attachments} == {out["hub_id"]}
    propagations = ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=table)[
        "TransitGatewayRouteTablePropagations"]
    assert sorted(p["TransitGatewayAttachmentId"] for p in propagations if p["State"] == "enabled") == sorted(
        out["attachment_ids"].values())
    for attachment in attachments:
        [main] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [attachment["VpcId"]]},
                                                    {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
        to_hub = [r for r in main["Routes"] if r.get("DestinationCidrBlock") == "10.0.0.0/8"]
        assert [r.get("TransitGatewayId") for r in to_hub] == [out["hub_id"]]
    assert static_routes(ec2, table) == [("10.200.0.0/16", "blackhole")]


def verify_new_block(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert static_routes(cloud.client("ec2"), after["hub_route_table_id"]) == [("10.201.0.0/16", "blackhole")]


CASE = ProgramCase(
    "transit-hub", verify,
    Edit(set_config("test", blockedCidr="10.201.0.0/16"), (("replace", TGW_ROUTE),), verify_new_block),
)
