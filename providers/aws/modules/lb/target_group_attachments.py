"""aws:lb/targetGroupAttachment:TargetGroupAttachment (and its aws:alb twin): one target (an instance, an IP
address, a Lambda function or a load balancer) registered with a target group."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none
from envctl.providers.aws.modules.lb.load_balancing import TARGET_GROUP_GONE, aliases_of
from envctl.providers.aws.naming import prefixed_unique_id
from envctl.providers.aws.registry import resource_type

_TARGET_GONE = (*TARGET_GROUP_GONE, "InvalidTarget")
# What ELB reports of a target that is not (or no longer) registered: Terraform takes it as gone.
_NOT_REGISTERED = frozenset({"Target.NotRegistered", "Target.DeregistrationInProgress"})


def _target(inputs: Props) -> dict[str, Any]:
    target: dict[str, Any] = {"Id": inputs["targetId"]}
    if inputs.get("port") is not None:
        target["Port"] = inputs["port"]
    if inputs.get("availabilityZone"):
        target["AvailabilityZone"] = inputs["availabilityZone"]
    return target


@resource_type
class TargetGroupAttachment(AwsResource):
    token = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
    aliases = aliases_of("targetGroupAttachment:TargetGroupAttachment")
    required = ("targetGroupArn", "targetId")
    # Terraform has no update: every input is ForceNew.
    force_new = frozenset({"targetGroupArn", "targetId", "port", "availabilityZone", "quicServerId"})
    handled = frozenset({"port", "availabilityZone"})
    unsupported = {"quicServerId": "QUIC listeners are not emulated by the local cloud (moto)"}
    taggable = False

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ctx.client("elbv2").register_targets(TargetGroupArn=inputs["targetGroupArn"], Targets=[_target(inputs)])
        # Terraform's id: unique, from the target group's ARN; the registration itself has none.
        id = prefixed_unique_id(f"{inputs['targetGroupArn']}-")
        return id, {**inputs, **self.read_back(ctx, id, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        answer = found_or_none(ctx.client("elbv2").describe_target_health, _TARGET_GONE,
                               TargetGroupArn=state["targetGroupArn"], Targets=[_target(state)])
        descriptions = (answer or {}).get("TargetHealthDescriptions") or []
        health = next((d for d in descriptions if d["TargetHealth"].get("Reason") not in _NOT_REGISTERED), None)
        if health is None:
            return None
        target = health["Target"]
        return {
            "id": id,
            "targetGroupArn": state["targetGroupArn"],
            "targetId": target["Id"],
            "port": target.get("Port") if state.get("port") is not None else None,
            "availabilityZone": target.get("AvailabilityZone") or state.get("availabilityZone"),
            "quicServerId": None,
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        # Every input forces a replacement, so an in-place update has nothing to change in the cloud.
        return {**news, "id": id}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        found_or_none(ctx.client("elbv2").deregister_targets, _TARGET_GONE, TargetGroupArn=state["targetGroupArn"],
                      Targets=[_target(state)])
