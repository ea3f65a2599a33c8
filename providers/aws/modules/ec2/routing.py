"""aws:ec2 route tables, routes and route table associations."""

from __future__ import annotations

import zlib
from typing import Any

from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.base import CheckFailure, DiffResult, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.shared import (
    EC2_GONE,
    Ec2Resource,
    ec2_remove,
    ec2_tags,
    exactly_one,
    tag_specifications,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.wire import inverse, renamed

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


_NO_ODB = "Oracle Database@AWS networks are not emulated by the local cloud"
# Targets moto's CreateRoute drops: a route to one would have no target.
_UNEMULATED_TARGETS = {
    "coreNetworkArn": "Cloud WAN core networks are not emulated by the local cloud",
    "localGatewayId": "Outposts local gateways are not emulated by the local cloud",
    "odbNetworkArn": _NO_ODB,
}
# Targets moto's ReplaceRoute neither sets nor clears.
_NOT_REPLACEABLE = frozenset({"carrierGatewayId", "vpcEndpointId"})


def _route_failures(route: Props, destinations: dict[str, str], what: str) -> list[CheckFailure]:
    return exactly_one(route, destinations, what) + exactly_one(route, _ROUTE_TARGETS, what)


def _replace_route(ec2: Any, table_id: str, old: Props, new: Props, destinations: dict[str, str]) -> None:
    """Point a route at another target; a target ReplaceRoute cannot move to or from (in moto) is reached by
    deleting the route and creating it again."""
    parameters = _route_parameters(new, destinations)
    if {key for key in _NOT_REPLACEABLE if old.get(key) or new.get(key)}:
        ec2_remove(ec2.delete_route, RouteTableId=table_id, **dict([_route_part(old, destinations)]))
        ec2.create_route(RouteTableId=table_id, **parameters)
    else:
        ec2.replace_route(RouteTableId=table_id, **parameters)


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
    unsupported = {"propagatingVgws": "route propagation from virtual private gateways is not emulated by the local "
                                      "cloud (moto has no EnableVgwRoutePropagation)"}
    outputs = frozenset({"arn", "ownerId"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        routes = inputs.get("routes") or []
        failures = unsupported_fields(self.token, "routes", routes,
                                      {*_INLINE_DESTINATIONS, *_ROUTE_TARGETS} - set(_UNEMULATED_TARGETS),
                                      _UNEMULATED_TARGETS)
        for index, route in enumerate(routes):
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
                _replace_route(ec2, id, old[destination], route, _INLINE_DESTINATIONS)

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
    handled = frozenset({*_ROUTE_DESTINATIONS, *_ROUTE_TARGETS} - set(_UNEMULATED_TARGETS))
    unsupported = _UNEMULATED_TARGETS
    outputs = frozenset({"instanceId", "instanceOwnerId", "origin", "state"})

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
        return {
            "id": id,
            "routeTableId": state["routeTableId"],
            **_route_outputs(route, _ROUTE_DESTINATIONS),
            # The instance behind a network interface target, and how and whether the route works.
            "instanceId": route.get("InstanceId", ""),
            "instanceOwnerId": route.get("InstanceOwnerId", ""),
            "origin": route.get("Origin", ""),
            "state": route.get("State", ""),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        if changed & _ROUTE_TARGETS.keys():
            _replace_route(ctx.client("ec2"), news["routeTableId"], olds, news, _ROUTE_DESTINATIONS)

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
