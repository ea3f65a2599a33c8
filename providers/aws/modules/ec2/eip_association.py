"""aws:ec2 Elastic IP associations: an address given to an instance or network interface apart from the address."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import CheckFailure, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.shared import EC2_GONE, Ec2Resource, ec2_remove, exactly_one
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.wire import renamed

_ADDRESS = {"allocationId": "AllocationId", "publicIp": "PublicIp"}
_TARGETS = {"instanceId": "InstanceId", "networkInterfaceId": "NetworkInterfaceId"}


@resource_type
class EipAssociation(Ec2Resource):
    token = "aws:ec2/eipAssociation:EipAssociation"
    taggable = False
    force_new = frozenset({*_ADDRESS, *_TARGETS, "privateIpAddress", "allowReassociation"})
    handled = frozenset({*_ADDRESS, *_TARGETS, "privateIpAddress", "allowReassociation"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return exactly_one(inputs, _ADDRESS, "allocationId") + (
            [] if inputs.get("instanceId") or inputs.get("networkInterfaceId") else
            [CheckFailure("instanceId", "set instanceId or networkInterfaceId")])

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        request: dict[str, Any] = {**renamed(inputs, _ADDRESS), **renamed(inputs, _TARGETS)}
        if inputs.get("privateIpAddress"):
            request["PrivateIpAddress"] = inputs["privateIpAddress"]
        if inputs.get("allowReassociation") is not None:
            request["AllowReassociation"] = bool(inputs["allowReassociation"])
        association_id = ctx.client("ec2").associate_address(**request)["AssociationId"]
        return association_id, self.read_back(ctx, association_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        address = _address(ctx.client("ec2"), id)
        if address is None:
            return None
        return {
            "id": id,
            "allocationId": address.get("AllocationId", ""),
            "publicIp": address.get("PublicIp", ""),
            "instanceId": address.get("InstanceId", ""),
            "networkInterfaceId": address.get("NetworkInterfaceId", ""),
            "privateIpAddress": address.get("PrivateIpAddress", ""),
            "allowReassociation": state.get("allowReassociation"),  # how it was made; AWS does not keep it
        }

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if _address(ctx.client("ec2"), id) is not None:
            ec2_remove(ctx.client("ec2").disassociate_address, also_gone=("InvalidAssociationID.NotFound",),
                       AssociationId=id)


def _address(ec2: Any, association_id: str) -> dict | None:
    return one_found(ec2.describe_addresses, "Addresses", EC2_GONE,
                     Filters=[{"Name": "association-id", "Values": [association_id]}])
