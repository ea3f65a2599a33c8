"""CloudFront's tag calls, by resource ARN, shared by its taggable types."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.context import URN_TAG, AwsContext
from envctl.providers.aws.tags import Tags, sync_tags, tag_dict, tag_list, tags_from_cloud


def tag_items(tags: Tags) -> dict[str, Any]:
    """CloudFront's tag wrapper."""
    return {"Items": tag_list(tags)}


def cloud_tags(ctx: AwsContext, arn: str, state: dict[str, Any]) -> dict[str, Tags]:
    answer = ctx.client("cloudfront").list_tags_for_resource(Resource=arn)
    return tags_from_cloud(ctx, state, tag_dict(answer.get("Tags", {}).get("Items")))


def tagged_with_urn(ctx: AwsContext, arn: str, urn: str) -> bool:
    """Whether the resource carries the envctl URN tag of `urn` (how a create left unknown is found)."""
    wanted = ctx.envctl_tags(urn).get(URN_TAG)
    return bool(wanted) and cloud_tags(ctx, arn, {})["tagsAll"].get(URN_TAG) == wanted


def change_tags(ctx: AwsContext, arn: str, old: Tags, new: Tags) -> None:
    client = ctx.client("cloudfront")
    sync_tags(old, new,
              lambda tags: client.tag_resource(Resource=arn, Tags=tag_items(tags)),
              lambda keys: client.untag_resource(Resource=arn, TagKeys={"Items": keys}))
