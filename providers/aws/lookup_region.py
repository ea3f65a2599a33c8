"""The region a data source is asked about: envctl's local engine looks things up in the provider's region only."""

from __future__ import annotations

from typing import Any

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext


def in_provider_region(ctx: AwsContext, args: dict[str, Any], name: str) -> None:
    """Refuse a lookup in another region than the provider's (pulumi-aws 7's per-call `region` argument)."""
    if args.get("region") not in (None, "", ctx.region):
        raise BadInput(f"{name} for region {args['region']} is not supported; envctl's local engine looks up in the "
                       f"provider's region {ctx.region}")
