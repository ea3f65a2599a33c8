"""What data sources (invokes) that look up one resource share: the region rule, and the resource type's read as
their attributes."""

from __future__ import annotations

from typing import Any

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.registry import lookup_resource


def in_provider_region(ctx: AwsContext, args: dict[str, Any], name: str) -> None:
    """Refuse a lookup in another region than the provider's (pulumi-aws 7's per-call `region` argument)."""
    if args.get("region") not in (None, "", ctx.region):
        raise BadInput(f"{name} for region {args['region']} is not supported; envctl's local engine works in the "
                       f"provider's region {ctx.region}")


def looked_up(ctx: AwsContext, token: str, id: str, what: str) -> dict[str, Any]:
    """A data source's attributes from the resource type's read (its tags are all the tags AWS reports); a
    resource that does not exist is the user's error, as in Terraform."""
    provider = lookup_resource(token)
    outputs = provider.read(ctx, id, {}) if provider else None
    if outputs is None:
        raise BadInput(f"{what} {id!r} not found; change the lookup's arguments")
    return {**{k: v for k, v in outputs.items() if k != "tagsAll"}, "tags": outputs.get("tagsAll") or {},
            "region": ctx.region}
