"""What the aws:ec2 types share: removal that waits out dependencies, tags, the update that syncs tags
and reads back.

EC2 is eventually consistent: a resource may be missing right after it is created and may still be
in use right after what used it is gone, so reads after writes poll and deletes retry for a while.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import remove
from envctl.providers.aws.tags import Tags, sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.waiting import CONSISTENCY_TIMEOUT

EC2_WAITER = {"Delay": 2, "MaxAttempts": 60}
EC2_GONE = ("*.NotFound",)  # EC2's answers for an id that does not exist: InvalidVpcID.NotFound, ...
_STILL_IN_USE = ("DependencyViolation", "InvalidGroup.InUse")

# ---- shared by the EC2 types ----------------------------------------------------------------


def ec2_remove(call: Callable[..., Any], also_gone: Iterable[str] = (), **params: Any) -> None:
    """A delete, detach or revoke: already gone counts as done; a dependency EC2 still holds is waited out."""
    remove(call, gone=(*EC2_GONE, *also_gone), busy=_STILL_IN_USE, timeout=CONSISTENCY_TIMEOUT, **params)


def tag_specifications(resource_type_name: str, tags: Tags) -> list[dict[str, Any]]:
    """Tags for a create call, which EC2 takes per kind of resource it makes."""
    return [{"ResourceType": resource_type_name, "Tags": tag_list(tags)}] if tags else []


def ec2_tags(ctx: AwsContext, pairs: Iterable[dict[str, str]] | None, state: Props) -> dict[str, Tags]:
    return tags_from_cloud(ctx, state, tag_dict(pairs))


def sync_ec2_tags(ctx: AwsContext, resource_id: str, old: Tags, new: Tags) -> None:
    """Move an EC2 resource's tags from `old` to `new`."""
    ec2 = ctx.client("ec2")
    sync_tags(old, new, lambda tags: ec2.create_tags(Resources=[resource_id], Tags=tag_list(tags)),
              lambda keys: ec2.delete_tags(Resources=[resource_id], Tags=[{"Key": key} for key in keys]))


def exactly_one(inputs: Props, keys: Iterable[str], what: str) -> list[CheckFailure]:
    keys = tuple(keys)
    given = [k for k in keys if inputs.get(k) not in (None, "")]
    if len(given) == 1:
        return []
    return [CheckFailure(what, f"exactly one of {', '.join(keys)} must be set, got {len(given)}")]


def failure_unless(condition: bool, key: str, reason: str) -> list[CheckFailure]:
    return [] if condition else [CheckFailure(key, reason)]




class Ec2Resource(AwsResource):
    """What the EC2 types share: finding a resource by envctl's tags, and an update that changes properties,
    syncs tags and reads back. Every type lists the inputs it implements."""

    handled = frozenset()
    # DescribeTags' resource-type, for finding a resource by envctl's URN tag after a crash.
    tagged_type: ClassVar[str | None] = None

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        if self.tagged_type is None:  # untagged: by the input that is its id, if it has one
            return super().candidate_ids(ctx, urn, inputs)
        tags = ctx.client("ec2").describe_tags(Filters=[
            {"Name": "resource-type", "Values": [self.tagged_type]},
            {"Name": "key", "Values": ["envctl:urn"]},
            {"Name": "value", "Values": [ctx.envctl_tags(urn)["envctl:urn"]]},
        ])["Tags"]
        return [t["ResourceId"] for t in tags]

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._change(ctx, id, olds, news, set(diff.changed))
        if self.taggable:
            # Sync even when `tags` did not change: the provider's default tags may have.
            sync_ec2_tags(ctx, id, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self.read_back(ctx, id, news)

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        """Apply the changed properties other than tags in place."""
