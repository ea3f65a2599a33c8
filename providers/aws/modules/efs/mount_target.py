"""aws:efs/mountTarget:MountTarget: a file system's network endpoint in one subnet."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import remove
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.efs.shared import file_system_dns_name
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.waiting import wait_until

_GONE = ("MountTargetNotFound",)
_NO_IPV6 = "IPv6 mount targets are not emulated by the local cloud (moto gives mount targets IPv4 addresses only)"


@resource_type
class MountTarget(AwsResource):
    """Its id is the mount target id (fsmt-...)."""

    token = "aws:efs/mountTarget:MountTarget"
    taggable = False
    required = ("fileSystemId", "subnetId")
    force_new = frozenset({"fileSystemId", "subnetId", "ipAddress", "ipAddressType", "ipv6Address"})
    handled = frozenset({"ipAddress", "securityGroups"})
    unsupported = {"ipAddressType": _NO_IPV6, "ipv6Address": _NO_IPV6}
    outputs = frozenset({"availabilityZoneId", "availabilityZoneName", "dnsName", "fileSystemArn",
                         "mountTargetDnsName", "networkInterfaceId", "ownerId"})
    set_properties = ("securityGroups",)
    gone_codes = _GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"FileSystemId": inputs["fileSystemId"], "SubnetId": inputs["subnetId"]}
        if inputs.get("ipAddress"):
            params["IpAddress"] = inputs["ipAddress"]
        if inputs.get("securityGroups"):
            params["SecurityGroups"] = list(inputs["securityGroups"])
        id = ctx.client("efs").create_mount_target(**params)["MountTargetId"]
        return id, {**inputs, **self.read_back(ctx, id, inputs)}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        """The file system's mount target in the subnet (EFS allows one a zone)."""
        targets = listed(ctx.client("efs"), "describe_mount_targets", "MountTargets",
                         FileSystemId=inputs["fileSystemId"])
        return [t["MountTargetId"] for t in targets if t["SubnetId"] == inputs["subnetId"]]

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        efs = ctx.client("efs")
        target = efs.describe_mount_targets(MountTargetId=id)["MountTargets"][0]
        groups = efs.describe_mount_target_security_groups(MountTargetId=id).get("SecurityGroups") or []
        file_system = target["FileSystemId"]
        zone = target.get("AvailabilityZoneName", "")
        return {
            "id": target["MountTargetId"],
            "fileSystemId": file_system,
            "subnetId": target["SubnetId"],
            "ipAddress": target.get("IpAddress", ""),
            "securityGroups": sorted(groups),
            "availabilityZoneId": target.get("AvailabilityZoneId", ""),
            "availabilityZoneName": zone,
            "networkInterfaceId": target.get("NetworkInterfaceId", ""),
            "ownerId": target.get("OwnerId", ""),
            "fileSystemArn": ctx.arn("elasticfilesystem", f"file-system/{file_system}"),
            "dnsName": file_system_dns_name(ctx, file_system),
            "mountTargetDnsName": f"{zone}.{file_system_dns_name(ctx, file_system)}",
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        if "securityGroups" in diff.changed:
            ctx.client("efs").modify_mount_target_security_groups(MountTargetId=id,
                                                                  SecurityGroups=list(news.get("securityGroups") or []))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("efs").delete_mount_target, gone=_GONE, MountTargetId=id)
        wait_until(lambda: self.read(ctx, id, state) is None, f"EFS mount target {id} to be deleted")
