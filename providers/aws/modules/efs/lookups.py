"""The EFS lookups programs make: getFileSystem (by id, creation token or tags)."""

from __future__ import annotations

from typing import Any

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.data_sources import in_provider_region, looked_up
from envctl.providers.aws.listing import listed
from envctl.providers.aws.registry import invoke
from envctl.providers.aws.tags import tag_dict


@invoke("aws:efs/getFileSystem:getFileSystem")
def get_file_system(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_efs_file_system data source: the one file system with the id, creation token and tags
    given."""
    in_provider_region(ctx, args, "getFileSystem")
    wanted = args.get("tags") or {}
    filters = {key: args[api] for key, api in (("FileSystemId", "fileSystemId"), ("CreationToken", "creationToken"))
               if args.get(api)}
    systems = [fs for fs in listed(ctx.client("efs"), "describe_file_systems", "FileSystems", **filters)
               if all(tag_dict(fs.get("Tags")).get(k) == v for k, v in wanted.items())]
    if len(systems) != 1:
        raise BadInput(f"getFileSystem: {'no' if not systems else 'more than one'} EFS file system matched; change "
                       "the lookup's arguments")
    found = looked_up(ctx, "aws:efs/fileSystem:FileSystem", systems[0]["FileSystemId"], "EFS file system")
    keys = ("arn", "availabilityZoneId", "availabilityZoneName", "creationToken", "dnsName", "encrypted", "id",
            "kmsKeyId", "lifecyclePolicies", "name", "performanceMode", "provisionedThroughputInMibps", "region",
            "tags", "throughputMode")
    # The local cloud (moto) reports no replication overwrite protection.
    return {**{key: found.get(key) for key in keys}, "fileSystemId": found["id"],
            "sizeInBytes": found["sizeInBytes"][0]["value"], "protections": []}
