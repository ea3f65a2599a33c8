"""aws:ec2 volume attachments: an EBS volume attached to an instance at a device name."""

from __future__ import annotations

import zlib
from typing import Any

from envctl.providers.aws.base import DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.shared import EC2_GONE, EC2_WAITER, Ec2Resource, ec2_remove
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.waiting import wait_until

_SETTINGS = ("forceDetach", "skipDestroy", "stopInstanceBeforeDetaching")  # how delete detaches; AWS keeps none


def volume_attachment_id(device_name: str, instance_id: str, volume_id: str) -> str:
    """Terraform's id: vai-<crc32 of device-instance-volume->."""
    return f"vai-{zlib.crc32(f'{device_name}-{instance_id}-{volume_id}-'.encode())}"


@resource_type
class VolumeAttachment(Ec2Resource):
    token = "aws:ec2/volumeAttachment:VolumeAttachment"
    taggable = False
    required = ("deviceName", "instanceId", "volumeId")
    force_new = frozenset({"deviceName", "instanceId", "volumeId"})
    handled = frozenset(_SETTINGS)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        ec2.get_waiter("instance_running").wait(InstanceIds=[inputs["instanceId"]], WaiterConfig=EC2_WAITER)
        ec2.attach_volume(VolumeId=inputs["volumeId"], InstanceId=inputs["instanceId"], Device=inputs["deviceName"])
        ec2.get_waiter("volume_in_use").wait(VolumeIds=[inputs["volumeId"]], WaiterConfig=EC2_WAITER)
        attachment_id = volume_attachment_id(inputs["deviceName"], inputs["instanceId"], inputs["volumeId"])
        return attachment_id, self.read_back(ctx, attachment_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        if _attachment(ctx.client("ec2"), state) is None:
            return None
        return {"id": id, **{key: state[key] for key in ("deviceName", "instanceId", "volumeId")},
                **{key: bool(state.get(key)) for key in _SETTINGS}}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        return self.read_back(ctx, id, news)  # only how delete detaches changes; nothing in AWS does

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2 = ctx.client("ec2")
        if state.get("skipDestroy") or _attachment(ec2, state) is None:
            return
        if state.get("stopInstanceBeforeDetaching"):
            ec2.stop_instances(InstanceIds=[state["instanceId"]])
            ec2.get_waiter("instance_stopped").wait(InstanceIds=[state["instanceId"]], WaiterConfig=EC2_WAITER)
        ec2_remove(ec2.detach_volume, also_gone=("IncorrectState",), VolumeId=state["volumeId"],
                   InstanceId=state["instanceId"], Device=state["deviceName"], Force=bool(state.get("forceDetach")))
        wait_until(lambda: _attachment(ec2, state) is None, f"volume {state['volumeId']} to detach")


def _attachment(ec2: Any, state: Props) -> dict | None:
    """The volume's attachment to the instance at the device, if it is attached there."""
    volume = one_found(ec2.describe_volumes, "Volumes", EC2_GONE, VolumeIds=[state["volumeId"]])
    return next((a for a in (volume or {}).get("Attachments", [])
                 if a["InstanceId"] == state["instanceId"] and a["Device"] == state["deviceName"]
                 and a.get("State") in ("attaching", "attached")), None)
