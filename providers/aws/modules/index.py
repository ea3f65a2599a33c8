"""aws:index invokes: the caller's identity, region, partition and availability zones."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import botocore.loaders

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.registry import invoke

Args = dict[str, Any]


# ---- caller identity, region, partition ----------------------------------------------------


@invoke("aws:index/getCallerIdentity:getCallerIdentity")
def get_caller_identity(ctx: AwsContext, args: Args) -> Args:
    identity = ctx.client("sts").get_caller_identity()
    return {"accountId": identity["Account"], "arn": identity["Arn"], "id": identity["Account"],
            "userId": identity["UserId"]}


@invoke("aws:index/getRegion:getRegion")
def get_region(ctx: AwsContext, args: Args) -> Args:
    region = args.get("region") or args.get("name") or _region_of_endpoint(args.get("endpoint")) or ctx.region
    partition = _partition_of_region(region)
    description = partition["regions"].get(region, {}).get("description", "")
    return {
        **args,
        "id": region,
        "name": region,
        "region": region,
        "endpoint": f"ec2.{region}.{partition['outputs']['dnsSuffix']}",
        "description": description,
    }


@invoke("aws:index/getPartition:getPartition")
def get_partition(ctx: AwsContext, args: Args) -> Args:
    partition = next((p for p in _partitions() if p["id"] == ctx.partition), None)
    if partition is None:
        raise BadInput(f"unknown AWS partition {ctx.partition!r}")
    dns_suffix = partition["outputs"]["dnsSuffix"]
    return {
        **args,
        "id": ctx.partition,
        "partition": ctx.partition,
        "dnsSuffix": dns_suffix,
        "reverseDnsPrefix": ".".join(reversed(dns_suffix.split("."))),
    }


@cache
def _partitions() -> list[dict[str, Any]]:
    """The partitions, their regions and DNS suffixes, from the data botocore ships."""
    return botocore.loaders.create_loader().load_data("partitions")["partitions"]


def _partition_of_region(region: str) -> dict[str, Any]:
    for partition in _partitions():
        if region in partition["regions"] or re.match(partition["regionRegex"], region):
            return partition
    raise BadInput(f"unknown AWS region {region!r}")


def _region_of_endpoint(endpoint: str | None) -> str | None:
    if not endpoint:
        return None
    host = endpoint.removeprefix("https://").split("/")[0]
    for partition in _partitions():
        for region in partition["regions"]:
            if host == f"ec2.{region}.{partition['outputs']['dnsSuffix']}":
                return region
    raise BadInput(f"no AWS region has the EC2 endpoint {endpoint!r}")


# ---- availability zones ----------------------------------------------------------------------------


@invoke("aws:index/getAvailabilityZones:getAvailabilityZones")
def get_availability_zones(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Zones sorted by name, without the excluded ones, as Terraform's data source returns them."""
    if args.get("region") not in (None, "", ctx.region):
        raise BadInput(f"getAvailabilityZones for region {args['region']} is not supported; "
                       f"envctl's local engine works in the provider's region {ctx.region}")
    filters = [{"Name": "state", "Values": [args["state"]]}] if args.get("state") else []
    filters += [{"Name": f["name"], "Values": list(f["values"])} for f in args.get("filters") or []]
    request: dict[str, Any] = {"Filters": filters} if filters else {}
    if args.get("allAvailabilityZones"):
        request["AllAvailabilityZones"] = True
    zones = sorted(ctx.client("ec2").describe_availability_zones(**request)["AvailabilityZones"],
                   key=lambda zone: zone["ZoneName"])
    excluded_names, excluded_ids = set(args.get("excludeNames") or ()), set(args.get("excludeZoneIds") or ())
    kept = [z for z in zones if z["ZoneName"] not in excluded_names and z["ZoneId"] not in excluded_ids]
    return {
        **args,
        "id": ctx.region,
        "region": ctx.region,
        "names": [zone["ZoneName"] for zone in kept],
        "zoneIds": [zone["ZoneId"] for zone in kept],
        # moto omits GroupName; for an availability zone AWS reports the region's zone group.
        "groupNames": sorted({zone.get("GroupName", zone["RegionName"]) for zone in kept}),
    }
