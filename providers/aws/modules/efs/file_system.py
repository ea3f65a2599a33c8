"""aws:efs/fileSystem:FileSystem: an Elastic File System, with its lifecycle policies."""

from __future__ import annotations

from typing import Any

from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import URN_TAG, AwsContext
from envctl.providers.aws.errors import remove
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.efs.shared import FILE_SYSTEM_GONE, efs_tags, file_system_dns_name, sync_efs_tags
from envctl.providers.aws.naming import prefixed_unique_id
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_dict, tag_list

# pulumi-aws's lifecycle policy fields and EFS's names for them.
_POLICY_FIELDS = {"transitionToIa": "TransitionToIA", "transitionToArchive": "TransitionToArchive",
                  "transitionToPrimaryStorageClass": "TransitionToPrimaryStorageClass"}
# Settings only UpdateFileSystem changes, which the local cloud (moto) does not implement.
_THROUGHPUT = ("throughputMode", "provisionedThroughputInMibps")


def _policies_param(policies: list[Props]) -> list[dict[str, str]]:
    return [{api: policy[wire] for wire, api in _POLICY_FIELDS.items() if policy.get(wire)} for policy in policies]


def _policies(reported: list[dict]) -> list[Props]:
    return [{wire: policy[api] for wire, api in _POLICY_FIELDS.items() if policy.get(api)} for policy in reported]


@resource_type
class FileSystem(AwsResource):
    """Its id is the file system id (fs-...)."""

    token = "aws:efs/fileSystem:FileSystem"
    defaults = {"throughputMode": "bursting"}
    force_new = frozenset({"availabilityZoneName", "creationToken", "encrypted", "kmsKeyId", "performanceMode"})
    handled = frozenset({"availabilityZoneName", "creationToken", "encrypted", "kmsKeyId", "performanceMode",
                         "lifecyclePolicies", *_THROUGHPUT})
    unsupported = {"protection": "replication overwrite protection is not emulated by the local cloud (moto has no "
                                 "UpdateFileSystemProtection)"}
    outputs = frozenset({"arn", "availabilityZoneId", "dnsName", "name", "numberOfMountTargets", "ownerId",
                         "sizeInBytes"})
    gone_codes = FILE_SYSTEM_GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        efs = ctx.client("efs")
        # Terraform's unique token when none is given: it makes the create idempotent.
        token = inputs.get("creationToken") or prefixed_unique_id("terraform-")
        params: dict[str, Any] = {"CreationToken": token}
        for wire, api in (("availabilityZoneName", "AvailabilityZoneName"), ("encrypted", "Encrypted"),
                          ("kmsKeyId", "KmsKeyId"), ("performanceMode", "PerformanceMode"),
                          ("throughputMode", "ThroughputMode"),
                          ("provisionedThroughputInMibps", "ProvisionedThroughputInMibps")):
            if inputs.get(wire) not in (None, ""):
                params[api] = inputs[wire]
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        id = efs.create_file_system(**params)["FileSystemId"]
        if inputs.get("lifecyclePolicies"):
            efs.put_lifecycle_configuration(FileSystemId=id,
                                            LifecyclePolicies=_policies_param(inputs["lifecyclePolicies"]))
        state = {**inputs, "creationToken": token}
        return id, {**state, **self.read_back(ctx, id, state)}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        """The file systems that carry envctl's URN tag (the id is EFS's to choose)."""
        urn_tag = ctx.envctl_tags(urn).get(URN_TAG)
        if not urn_tag:
            return []
        return [fs["FileSystemId"] for fs in listed(ctx.client("efs"), "describe_file_systems", "FileSystems")
                if tag_dict(fs.get("Tags")).get(URN_TAG) == urn_tag]

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        efs = ctx.client("efs")
        described = efs.describe_file_systems(FileSystemId=id)["FileSystems"][0]
        size = described.get("SizeInBytes") or {}
        policies = efs.describe_lifecycle_configuration(FileSystemId=id).get("LifecyclePolicies") or []
        return {
            "id": described["FileSystemId"],
            "arn": described["FileSystemArn"],
            "creationToken": described["CreationToken"],
            "availabilityZoneName": described.get("AvailabilityZoneName", ""),
            "availabilityZoneId": described.get("AvailabilityZoneId", ""),
            "encrypted": bool(described.get("Encrypted")),
            "kmsKeyId": described.get("KmsKeyId", ""),
            "performanceMode": described.get("PerformanceMode", ""),
            "throughputMode": described.get("ThroughputMode", ""),
            "provisionedThroughputInMibps": described.get("ProvisionedThroughputInMibps", 0),
            "lifecyclePolicies": _policies(policies),
            "dnsName": file_system_dns_name(ctx, id),
            "name": described.get("Name", ""),
            "numberOfMountTargets": described.get("NumberOfMountTargets", 0),
            "ownerId": described.get("OwnerId", ""),
            "sizeInBytes": [{"value": size.get("Value", 0), "valueInIa": size.get("ValueInIA", 0),
                             "valueInStandard": size.get("ValueInStandard", 0)}],
            **efs_tags(ctx, state, described.get("Tags")),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        efs = ctx.client("efs")
        throughput = [key for key in _THROUGHPUT if key in diff.changed]
        if throughput:
            raise OperationFailed(f"EFS file system {id}: changing {' and '.join(throughput)} is not emulated by the "
                                  "local cloud (moto has no UpdateFileSystem); replace the file system to change it")
        if "lifecyclePolicies" in diff.changed:
            efs.put_lifecycle_configuration(FileSystemId=id,
                                            LifecyclePolicies=_policies_param(news.get("lifecyclePolicies") or []))
        sync_efs_tags(efs, id, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, "creationToken": olds.get("creationToken"), **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        # Mount targets being deleted hold the file system for a while.
        remove(ctx.client("efs").delete_file_system, gone=FILE_SYSTEM_GONE, busy=("FileSystemInUse",),
               FileSystemId=id)
