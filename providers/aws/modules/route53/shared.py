"""What the aws:route53 types share: zone ids as Terraform writes them, and Route 53's tag calls."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.context import URN_TAG, AwsContext
from envctl.providers.aws.tags import Tags, sync_tags, tag_dict, tags_from_cloud

ZONE_GONE = ("NoSuchHostedZone",)
HEALTH_CHECK_GONE = ("NoSuchHealthCheck",)


def bare_zone_id(zone_id: str) -> str:
    """A zone id without the `/hostedzone/` Route 53 answers with, as Terraform keeps it."""
    return zone_id.rsplit("/", 1)[-1]


def without_trailing_dot(name: str) -> str:
    """A DNS name as Terraform records it: no trailing dot, lower case (Route 53 compares names so)."""
    return name.rstrip(".").lower()


def cloud_tags(ctx: AwsContext, kind: str, id: str, state: dict[str, Any]) -> dict[str, Tags]:
    """`tags` and `tagsAll` of a hosted zone (`hostedzone`) or health check (`healthcheck`)."""
    answer = ctx.client("route53").list_tags_for_resource(ResourceType=kind, ResourceId=id)
    return tags_from_cloud(ctx, state, tag_dict(answer["ResourceTagSet"].get("Tags")))


def tagged_with_urn(ctx: AwsContext, kind: str, id: str, urn: str) -> bool:
    """Whether the zone or health check carries the envctl URN tag of `urn` (how a create left unknown is found)."""
    wanted = ctx.envctl_tags(urn).get(URN_TAG)
    return bool(wanted) and cloud_tags(ctx, kind, id, {})["tagsAll"].get(URN_TAG) == wanted


def change_tags(ctx: AwsContext, kind: str, id: str, old: Tags, new: Tags) -> None:
    client = ctx.client("route53")
    sync_tags(old, new,
              lambda tags: client.change_tags_for_resource(
                  ResourceType=kind, ResourceId=id, AddTags=[{"Key": k, "Value": v} for k, v in tags.items()]),
              lambda keys: client.change_tags_for_resource(ResourceType=kind, ResourceId=id, RemoveTagKeys=keys))
