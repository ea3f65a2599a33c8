"""aws:ec2 VPC peering connections, requested (and, with autoAccept, accepted) from the requester's side."""

from __future__ import annotations

from typing import Any

from envctl.errors import OperationFailed
from envctl.providers.aws.base import CheckFailure, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.shared import (
    EC2_GONE,
    Ec2Resource,
    ec2_remove,
    ec2_tags,
    failure_unless,
    sync_ec2_tags,
    tag_specifications,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.waiting import CONSISTENCY_TIMEOUT, attempts

_SIDES = {"accepter": "AccepterPeeringConnectionOptions", "requester": "RequesterPeeringConnectionOptions"}
_SIDE_INFO = {"accepter": "AccepterVpcInfo", "requester": "RequesterVpcInfo"}
_ENDED = ("deleted", "deleting", "rejected", "failed", "expired")
_SETTLED = ("pending-acceptance", "active", *_ENDED)


@resource_type
class VpcPeeringConnection(Ec2Resource):
    token = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"
    tagged_type = "vpc-peering-connection"
    required = ("peerVpcId", "vpcId")
    force_new = frozenset({"peerOwnerId", "peerRegion", "peerVpcId", "vpcId"})
    handled = frozenset({"autoAccept", "peerOwnerId", "peerRegion", *_SIDES})
    outputs = frozenset({"acceptStatus"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = [failure for side in _SIDES if isinstance(inputs.get(side), dict)
                    for failure in unsupported_fields(self.token, side, inputs[side], ["allowRemoteVpcDnsResolution"])]
        # As in Terraform: a connection to another account or region is accepted from that side.
        elsewhere = bool(inputs.get("peerOwnerId") or inputs.get("peerRegion"))
        failures += failure_unless(not (elsewhere and inputs.get("autoAccept")), "autoAccept",
                                   "autoAccept is only valid for a peer in the same account and region")
        # AWS takes a side's options only on an active connection, and envctl accepts only through autoAccept.
        options = [side for side in _SIDES if isinstance(inputs.get(side), dict) and any(inputs[side].values())]
        return failures + failure_unless(not options or bool(inputs.get("autoAccept")), options[0] if options else "",
                                         "accepter and requester options can be set once the connection is active; "
                                         "set autoAccept")

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        request = {"VpcId": inputs["vpcId"], "PeerVpcId": inputs["peerVpcId"]}
        for key, parameter in (("peerOwnerId", "PeerOwnerId"), ("peerRegion", "PeerRegion")):
            if inputs.get(key):
                request[parameter] = inputs[key]
        connection_id = ctx.client("ec2").create_vpc_peering_connection(
            TagSpecifications=tag_specifications("vpc-peering-connection", self.tags_all(ctx, urn, inputs)),
            **request,
        )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        _settle(ctx, connection_id, {}, inputs)
        return connection_id, self.read_back(ctx, connection_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        connection = _connection(ctx, id)
        if connection is None or connection["Status"]["Code"] in _ENDED:
            return None
        requester, accepter = connection["RequesterVpcInfo"], connection["AccepterVpcInfo"]
        return {
            "id": id,
            "vpcId": requester["VpcId"],
            "peerVpcId": accepter["VpcId"],
            "peerOwnerId": accepter["OwnerId"],
            "peerRegion": accepter.get("Region", ctx.region),
            "acceptStatus": connection["Status"]["Code"],
            "autoAccept": state.get("autoAccept"),  # how the program asked for acceptance; AWS has no such setting
            **{side: _side_options(connection, side) for side in _SIDES},
            **ec2_tags(ctx, connection.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        _settle(ctx, id, olds, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2_remove(ctx.client("ec2").delete_vpc_peering_connection, VpcPeeringConnectionId=id)


def _settle(ctx: AwsContext, id: str, olds: Props, news: Props) -> None:
    """Accept when asked to, then set the sides' options, which AWS takes only on an active connection."""
    ec2 = ctx.client("ec2")
    status = _wait_settled(ctx, id)
    if status == "pending-acceptance" and news.get("autoAccept"):
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=id)
        status = _wait_settled(ctx, id)
    options = {_SIDES[side]: {"AllowDnsResolutionFromRemoteVpc": bool(news[side].get(
                   "allowRemoteVpcDnsResolution"))}
               for side in _SIDES if isinstance(news.get(side), dict) and news[side] != olds.get(side)}
    if not options:
        return
    if status != "active":
        raise OperationFailed(f"VPC peering connection {id} is {status}: its accepter and requester options can "
                              "be set once it is active (set autoAccept, or accept it from the peer's side)")
    ec2.modify_vpc_peering_connection_options(VpcPeeringConnectionId=id, **options)


def _connection(ctx: AwsContext, id: str) -> dict | None:
    return one_found(ctx.client("ec2").describe_vpc_peering_connections, "VpcPeeringConnections", EC2_GONE,
                     VpcPeeringConnectionIds=[id])


def _wait_settled(ctx: AwsContext, id: str) -> str:
    """The connection's status once it is past initiating (AWS reports it a moment later)."""
    status = "initiating-request"
    for last in attempts(CONSISTENCY_TIMEOUT):
        connection = _connection(ctx, id)
        status = connection["Status"]["Code"] if connection else status
        if status in _SETTLED or last:
            break
    return status


def _side_options(connection: dict[str, Any], side: str) -> Props:
    options = connection.get(_SIDE_INFO[side], {}).get("PeeringOptions") or {}
    return {"allowRemoteVpcDnsResolution": bool(options.get("AllowDnsResolutionFromRemoteVpc"))}


@resource_type
class VpcPeeringConnectionAccepter(Ec2Resource):
    """The peer's side of a connection: adopted by its id, accepted with autoAccept; delete leaves the connection
    to its requester, as in Terraform."""

    token = "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter"
    required = ("vpcPeeringConnectionId",)
    force_new = frozenset({"vpcPeeringConnectionId"})
    handled = frozenset({"autoAccept", *_SIDES})
    outputs = frozenset({"acceptStatus", "peerOwnerId", "peerRegion", "peerVpcId", "vpcId"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return [failure for side in _SIDES if isinstance(inputs.get(side), dict)
                for failure in unsupported_fields(self.token, side, inputs[side], ["allowRemoteVpcDnsResolution"])]

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        connection_id = inputs["vpcPeeringConnectionId"]
        if _connection(ctx, connection_id) is None:
            raise OperationFailed(f"VPC peering connection {connection_id} does not exist")
        _settle(ctx, connection_id, {}, inputs)
        sync_ec2_tags(ctx, connection_id, {}, self.tags_all(ctx, urn, inputs))
        return connection_id, self.read_back(ctx, connection_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        connection = _connection(ctx, id)
        if connection is None or connection["Status"]["Code"] in _ENDED:
            return None
        requester, accepter = connection["RequesterVpcInfo"], connection["AccepterVpcInfo"]
        # From the accepter's side, the requester is the peer.
        return {
            "id": id,
            "vpcPeeringConnectionId": id,
            "vpcId": accepter["VpcId"],
            "peerVpcId": requester["VpcId"],
            "peerOwnerId": requester["OwnerId"],
            "peerRegion": requester.get("Region", ctx.region),
            "acceptStatus": connection["Status"]["Code"],
            "autoAccept": state.get("autoAccept"),
            **{side: _side_options(connection, side) for side in _SIDES},
            **ec2_tags(ctx, connection.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        _settle(ctx, id, olds, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """The connection belongs to its requester; the accepter only stops managing it."""
