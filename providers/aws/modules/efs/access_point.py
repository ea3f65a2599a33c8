"""aws:efs/accessPoint:AccessPoint: an application's entry into a file system, with its POSIX user and root."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import URN_TAG, AwsContext
from envctl.providers.aws.errors import remove
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.efs.shared import efs_tags, sync_efs_tags
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_dict, tag_list

_GONE = ("AccessPointNotFound",)
_POSIX_USER = {"uid": "Uid", "gid": "Gid", "secondaryGids": "SecondaryGids"}
_CREATION_INFO = {"ownerUid": "OwnerUid", "ownerGid": "OwnerGid", "permissions": "Permissions"}


def _mapped(block: Props | None, fields: dict[str, str]) -> dict[str, Any]:
    return {api: block[wire] for wire, api in fields.items() if (block or {}).get(wire) not in (None, [])}


def _unmapped(block: dict | None, fields: dict[str, str]) -> Props:
    return {wire: block[api] for wire, api in fields.items() if (block or {}).get(api) not in (None, [])}


@resource_type
class AccessPoint(AwsResource):
    """Its id is the access point id (fsap-...)."""

    token = "aws:efs/accessPoint:AccessPoint"
    required = ("fileSystemId",)
    force_new = frozenset({"fileSystemId", "posixUser", "rootDirectory"})
    handled = frozenset({"posixUser", "rootDirectory"})
    outputs = frozenset({"arn", "fileSystemArn", "ownerId"})
    gone_codes = _GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"FileSystemId": inputs["fileSystemId"]}
        if inputs.get("posixUser"):
            params["PosixUser"] = _mapped(inputs["posixUser"], _POSIX_USER)
        root = inputs.get("rootDirectory")
        if root:
            params["RootDirectory"] = {**({"Path": root["path"]} if root.get("path") else {}),
                                       **({"CreationInfo": _mapped(root["creationInfo"], _CREATION_INFO)}
                                          if root.get("creationInfo") else {})}
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        id = ctx.client("efs").create_access_point(**params)["AccessPointId"]
        return id, {**inputs, **self.read_back(ctx, id, inputs)}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        """The file system's access points that carry envctl's URN tag (the id is EFS's to choose)."""
        urn_tag = ctx.envctl_tags(urn).get(URN_TAG)
        if not urn_tag:
            return []
        points = listed(ctx.client("efs"), "describe_access_points", "AccessPoints",
                        FileSystemId=inputs["fileSystemId"])
        return [p["AccessPointId"] for p in points if tag_dict(p.get("Tags")).get(URN_TAG) == urn_tag]

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        point = ctx.client("efs").describe_access_points(AccessPointId=id)["AccessPoints"][0]
        root = point.get("RootDirectory") or {}
        return {
            "id": point["AccessPointId"],
            "arn": point["AccessPointArn"],
            "fileSystemId": point["FileSystemId"],
            "fileSystemArn": ctx.arn("elasticfilesystem", f"file-system/{point['FileSystemId']}"),
            "ownerId": point.get("OwnerId", ""),
            "posixUser": _unmapped(point.get("PosixUser"), _POSIX_USER) or None,
            "rootDirectory": {"path": root.get("Path", "/"),
                              **({"creationInfo": _unmapped(root["CreationInfo"], _CREATION_INFO)}
                                 if root.get("CreationInfo") else {})},
            **efs_tags(ctx, state, point.get("Tags")),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        sync_efs_tags(ctx.client("efs"), id, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("efs").delete_access_point, gone=_GONE, AccessPointId=id)
