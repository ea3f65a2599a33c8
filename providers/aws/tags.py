"""Tags: AWS's list form of them, the cloud's tags as pulumi-aws's `tags` and `tagsAll`, and moving a
resource's tags from one set to another with the service's own tag and untag calls."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from envctl.providers.aws.context import AwsContext

Tags = dict[str, str]


def tag_list(tags: Mapping[str, str], key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    """AWS's list-of-pairs tag form: [{"Key": k, "Value": v}, ...]."""
    return [{key: k, value: v} for k, v in sorted(tags.items())]


def tag_dict(pairs: Iterable[dict[str, str]] | None, key: str = "Key", value: str = "Value") -> Tags:
    return {p[key]: p.get(value, "") for p in pairs or ()}


def tags_from_cloud(ctx: AwsContext, state: Mapping[str, Any], cloud_tags: Mapping[str, str]) -> dict[str, Tags]:
    """`tags` and `tagsAll` as the cloud has them (without AWS's reserved aws: tags, as Terraform ignores
    them). `tags` leaves out the provider's default and envctl tags unless the resource sets those keys."""
    tags_all = {k: v for k, v in cloud_tags.items() if not k.startswith("aws:")}
    provider_keys = set(ctx.tags_all("", None)) - set(state.get("tags") or {})  # only keys matter: any urn does
    return {"tags": {k: v for k, v in tags_all.items() if k not in provider_keys}, "tagsAll": tags_all}


def sync_tags(
    old: Mapping[str, str],
    new: Mapping[str, str],
    add: Callable[[Tags], Any],
    remove: Callable[[list[str]], Any],
) -> None:
    """Make a resource's tags go from `old` to `new`: `add` sets changed and new tags, `remove` drops keys."""
    to_set = {k: v for k, v in new.items() if old.get(k) != v}
    to_remove = sorted(k for k in old if k not in new)
    if to_set:
        add(to_set)
    if to_remove:
        remove(to_remove)
