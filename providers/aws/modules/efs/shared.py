"""What the aws:efs types share: EFS's "not found" codes, its tag calls and its DNS names."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud

FILE_SYSTEM_GONE = ("FileSystemNotFound",)
NOT_KEPT = "the local cloud (moto) does not keep the setting"


def file_system_dns_name(ctx: AwsContext, file_system_id: str) -> str:
    return f"{file_system_id}.efs.{ctx.region}.amazonaws.com"


def efs_tags(ctx: AwsContext, state: dict[str, Any], pairs: Any) -> dict[str, Any]:
    return tags_from_cloud(ctx, state, tag_dict(pairs))


def sync_efs_tags(efs: Any, resource_id: str, old: dict[str, str], new: dict[str, str]) -> None:
    sync_tags(old, new, lambda tags: efs.tag_resource(ResourceId=resource_id, Tags=tag_list(tags)),
              lambda keys: efs.untag_resource(ResourceId=resource_id, TagKeys=keys))
