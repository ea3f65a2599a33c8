"""aws:ebs volumes: EBS block storage in one availability zone, resized and retyped in place."""

from __future__ import annotations

from envctl.providers.aws.base import CheckFailure, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.shared import (
    EC2_GONE,
    EC2_WAITER,
    Ec2Resource,
    ec2_remove,
    ec2_tags,
    tag_specifications,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.wire import renamed, timestamp

# Inputs CreateVolume takes as they are; ModifyVolume changes those that are not ForceNew.
_CREATE_PARAMETERS = {"availabilityZone": "AvailabilityZone", "size": "Size", "snapshotId": "SnapshotId",
                      "type": "VolumeType", "iops": "Iops", "throughput": "Throughput", "kmsKeyId": "KmsKeyId",
                      "encrypted": "Encrypted", "multiAttachEnabled": "MultiAttachEnabled"}
_MODIFIABLE = {"size": "Size", "type": "VolumeType", "iops": "Iops", "throughput": "Throughput",
               "multiAttachEnabled": "MultiAttachEnabled"}
_VOLUME_GONE = ("deleting", "deleted", "error")


@resource_type
class Volume(Ec2Resource):
    token = "aws:ebs/volume:Volume"
    tagged_type = "volume"
    required = ("availabilityZone",)
    defaults = {"finalSnapshot": False}
    force_new = frozenset({"availabilityZone", "encrypted", "kmsKeyId", "outpostArn", "snapshotId",
                           "volumeInitializationRate"})
    handled = frozenset({*_CREATE_PARAMETERS, "finalSnapshot"})
    unsupported = {
        "outpostArn": "Outposts are not emulated by the local cloud",
        "volumeInitializationRate": "the local cloud (moto) does not emulate a volume's initialization rate from "
                                    "a snapshot",
    }
    outputs = frozenset({"arn", "createTime"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        if inputs.get("size") is None and not inputs.get("snapshotId"):
            return [CheckFailure("size", "set size or snapshotId: a volume needs a size or a snapshot to copy")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        volume_id = ec2.create_volume(
            TagSpecifications=tag_specifications("volume", self.tags_all(ctx, urn, inputs)),
            **_as_api(renamed(inputs, _CREATE_PARAMETERS)),
        )["VolumeId"]
        ec2.get_waiter("volume_available").wait(VolumeIds=[volume_id], WaiterConfig=EC2_WAITER)
        return volume_id, self.read_back(ctx, volume_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        volume = one_found(ctx.client("ec2").describe_volumes, "Volumes", EC2_GONE, VolumeIds=[id])
        if volume is None or volume["State"] in _VOLUME_GONE:
            return None
        reported = {key: volume.get(parameter) for key, parameter in _CREATE_PARAMETERS.items()}
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"volume/{id}"),
            **{key: value for key, value in reported.items() if value is not None},
            "snapshotId": volume.get("SnapshotId") or "",
            "kmsKeyId": volume.get("KmsKeyId") or "",
            "iops": volume.get("Iops") or 0,
            "throughput": volume.get("Throughput") or 0,
            "multiAttachEnabled": bool(volume.get("MultiAttachEnabled")),
            "encrypted": bool(volume.get("Encrypted")),
            "createTime": timestamp(volume["CreateTime"]),
            "finalSnapshot": bool(state.get("finalSnapshot")),  # what delete does; AWS does not keep it
            "outpostArn": volume.get("OutpostArn") or "",
            "volumeInitializationRate": state.get("volumeInitializationRate") or 0,
            **ec2_tags(ctx, volume.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        request = {parameter: news[key] for key, parameter in _MODIFIABLE.items()
                   if key in changed and news.get(key) is not None}
        if request:
            ctx.client("ec2").modify_volume(VolumeId=id, **_as_api(request))

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2 = ctx.client("ec2")
        if state.get("finalSnapshot") and self.read(ctx, id, state) is not None:
            tags = {k: v for k, v in (state.get("tagsAll") or {}).items() if not k.startswith("envctl:")}
            ec2.create_snapshot(VolumeId=id, Description=f"final snapshot of {id}",
                                TagSpecifications=tag_specifications("snapshot", tags))
        ec2_remove(ec2.delete_volume, VolumeId=id)



def _as_api(request: dict) -> dict:
    """Sizes, IOPS and throughput as the integers the API takes (programs may give floats)."""
    return {k: int(v) if k in ("Size", "Iops", "Throughput") else v for k, v in request.items()}
