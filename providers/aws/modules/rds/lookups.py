"""The RDS lookups programs make: getSubnetGroup."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.data_sources import in_provider_region, looked_up
from envctl.providers.aws.registry import invoke


@invoke("aws:rds/getSubnetGroup:getSubnetGroup")
def get_subnet_group(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    in_provider_region(ctx, args, "getSubnetGroup")
    name = str(args.get("name") or "")
    found = looked_up(ctx, "aws:rds/subnetGroup:SubnetGroup", name, "DB subnet group")
    # The status is the one attribute the resource type does not keep.
    group = ctx.client("rds").describe_db_subnet_groups(DBSubnetGroupName=name)["DBSubnetGroups"][0]
    keys = ("arn", "description", "id", "name", "region", "subnetIds", "supportedNetworkTypes", "vpcId")
    return {**{key: found.get(key) for key in keys}, "status": group.get("SubnetGroupStatus", "")}
