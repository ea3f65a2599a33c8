"""The EC2 lookups programs make: getAmi, getVpc, getSubnet, getSubnets, getSecurityGroup."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.data_sources import in_provider_region
from envctl.providers.aws.errors import items_found
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.ec2.shared import EC2_GONE
from envctl.providers.aws.registry import invoke, lookup_resource
from envctl.providers.aws.tags import tag_dict

# ---- Invokes --------------------------------------------------------------------------------


def given_filters(args: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"Name": f["name"], "Values": list(f["values"])} for f in args.get("filters") or []]


def lookup_filters(args: dict[str, Any], attributes: dict[str, str]) -> list[dict[str, Any]]:
    """EC2 filters from a lookup's `filters`, its arguments that are filters by another name, and its `tags`.
    A boolean argument filters only when true, as in Terraform."""
    filters = given_filters(args)
    for key, name in attributes.items():
        value = args.get(key)
        if value not in (None, "", False):
            filters.append({"Name": name, "Values": ["true" if value is True else str(value)]})
    return filters + [{"Name": f"tag:{k}", "Values": [v]} for k, v in (args.get("tags") or {}).items()]


def single(describe: Callable[..., dict], list_key: str, what: str, **params: Any) -> dict:
    """Terraform's rule for singular lookups: exactly one match (an id that does not exist matches nothing)."""
    items = items_found(describe, list_key, EC2_GONE, **params)
    if not items:
        raise BadInput(f"no matching {what} found; change the lookup's arguments")
    if len(items) > 1:
        raise BadInput(f"multiple {what}s matched; use additional constraints to reduce matches to a single {what}")
    return items[0]


def resource_lookup(ctx: AwsContext, token: str, id: str) -> dict[str, Any]:
    """A data source's attributes from the resource type's read; its tags are all the tags AWS reports."""
    provider = lookup_resource(token)
    outputs = provider.read(ctx, id, {}) if provider else None
    if outputs is None:
        raise OperationFailed(f"{token} {id} disappeared while it was looked up; run the program again")
    return {**{k: v for k, v in outputs.items() if k != "tagsAll"}, "tags": outputs["tagsAll"]}


@invoke("aws:ec2/getAmi:getAmi")
def get_ami(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_ami data source: DescribeImages, then nameRegex, then the most recent by creation date
    (ties, which moto's bundled images have, go to the greatest name: names carry the build date)."""
    in_provider_region(ctx, args, "getAmi")
    filters = given_filters(args)
    owners = list(args.get("owners") or [])
    if args.get("mostRecent") and not (owners or args.get("allowUnsafeFilter")
                                       or any(f["Name"] in ("image-id", "owner-id") for f in filters)):
        raise BadInput("getAmi: mostRecent without owners or an image-id or owner-id filter could pick an image "
                       "anyone published; set owners (e.g. ['amazon']) or, knowingly, allowUnsafeFilter")
    request: dict[str, Any] = {"Owners": owners, "Filters": filters,
                               "ExecutableUsers": list(args.get("executableUsers") or [])}
    if args.get("includeDeprecated"):
        request["IncludeDeprecated"] = True
    images = ctx.client("ec2").describe_images(**{k: v for k, v in request.items() if v})["Images"]
    if args.get("nameRegex"):
        try:
            pattern = re.compile(args["nameRegex"])
        except re.error as error:
            raise BadInput(f"getAmi: nameRegex {args['nameRegex']!r} is not a valid regular expression: {error}") \
                from None
        images = [image for image in images if image.get("Name") and pattern.search(image["Name"])]
    if not images:
        raise BadInput("getAmi: Your query returned no results. Please change your search criteria and try again.")
    if len(images) > 1 and not args.get("mostRecent"):
        raise BadInput("getAmi: Your query returned more than one result. Please try a more specific search "
                       "criteria, or set mostRecent to true.")
    image = max(images, key=lambda i: (i.get("CreationDate", ""), i.get("Name", "")))
    return {**args, **_image_attributes(ctx, image)}


def _image_attributes(ctx: AwsContext, image: dict[str, Any]) -> dict[str, Any]:
    mappings = image.get("BlockDeviceMappings", [])
    root = next((m for m in mappings if m.get("DeviceName") == image.get("RootDeviceName") and "Ebs" in m), {})
    reason = image.get("StateReason", {})
    return {
        "id": image["ImageId"],
        "imageId": image["ImageId"],
        "arn": ctx.arn("ec2", f"image/{image['ImageId']}", account=""),
        "name": image.get("Name", ""),
        "description": image.get("Description", ""),
        "architecture": image.get("Architecture", ""),
        "ownerId": image.get("OwnerId", ""),
        "imageOwnerAlias": image.get("ImageOwnerAlias", ""),
        "creationDate": image.get("CreationDate", ""),
        "deprecationTime": image.get("DeprecationTime", ""),
        "lastLaunchedTime": image.get("LastLaunchedTime", ""),
        "imageLocation": image.get("ImageLocation", ""),
        "imageType": image.get("ImageType", ""),
        "hypervisor": image.get("Hypervisor", ""),
        "virtualizationType": image.get("VirtualizationType", ""),
        "kernelId": image.get("KernelId", ""),
        "ramdiskId": image.get("RamdiskId", ""),
        "platform": image.get("Platform", ""),
        "platformDetails": image.get("PlatformDetails", ""),
        "usageOperation": image.get("UsageOperation", ""),
        "public": image.get("Public", False),
        "state": image.get("State", ""),
        "stateReason": {"code": reason.get("Code", "UNSET"), "message": reason.get("Message", "UNSET")},
        "rootDeviceName": image.get("RootDeviceName", ""),
        "rootDeviceType": image.get("RootDeviceType", ""),
        "rootSnapshotId": root.get("Ebs", {}).get("SnapshotId", ""),
        "sriovNetSupport": image.get("SriovNetSupport", ""),
        "enaSupport": image.get("EnaSupport", False),
        "bootMode": image.get("BootMode", ""),
        "imdsSupport": image.get("ImdsSupport", ""),
        "tpmSupport": image.get("TpmSupport", ""),
        "uefiData": "",
        "blockDeviceMappings": [_image_block_device(m) for m in mappings],
        "productCodes": [{"productCodeId": c.get("ProductCodeId", ""), "productCodeType": c.get("ProductCodeType", "")}
                         for c in image.get("ProductCodes", [])],
        "tags": {k: v for k, v in tag_dict(image.get("Tags")).items() if not k.startswith("aws:")},
        "region": ctx.region,
    }


def _image_block_device(mapping: dict[str, Any]) -> dict[str, Any]:
    """Terraform keeps a mapping's EBS settings as a map of strings with its own snake_case keys."""
    ebs = mapping.get("Ebs")
    return {
        "deviceName": mapping.get("DeviceName", ""),
        "noDevice": mapping.get("NoDevice", ""),
        "virtualName": mapping.get("VirtualName", ""),
        "ebs": {
            "delete_on_termination": str(ebs.get("DeleteOnTermination", False)).lower(),
            "encrypted": str(ebs.get("Encrypted", False)).lower(),
            "iops": str(ebs.get("Iops", 0)),
            "throughput": str(ebs.get("Throughput", 0)),
            "volume_size": str(ebs.get("VolumeSize", 0)),
            "snapshot_id": ebs.get("SnapshotId", ""),
            "volume_type": ebs.get("VolumeType", ""),
        } if ebs else {},
    }


@invoke("aws:ec2/getVpc:getVpc")
def get_vpc(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    in_provider_region(ctx, args, "getVpc")
    filters = lookup_filters(args, {"cidrBlock": "cidr", "default": "isDefault", "dhcpOptionsId": "dhcp-options-id",
                                     "state": "state"})
    ids = {"VpcIds": [args["id"]]} if args.get("id") else {}
    vpc = single(ctx.client("ec2").describe_vpcs, "Vpcs", "EC2 VPC", Filters=filters, **ids)
    return {
        **args,
        **resource_lookup(ctx, "aws:ec2/vpc:Vpc", vpc["VpcId"]),
        "default": vpc.get("IsDefault", False),
        "state": vpc.get("State", ""),
        "cidrBlockAssociations": [
            {"associationId": a["AssociationId"], "cidrBlock": a["CidrBlock"], "state": a["CidrBlockState"]["State"]}
            for a in vpc.get("CidrBlockAssociationSet", [])
        ],
        "region": ctx.region,
    }


@invoke("aws:ec2/getSubnets:getSubnets")
def get_subnets(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    in_provider_region(ctx, args, "getSubnets")
    subnets = listed(ctx.client("ec2"), "describe_subnets", "Subnets", Filters=lookup_filters(args, {}))
    ids = [subnet["SubnetId"] for subnet in subnets]
    return {**args, "id": ctx.region, "ids": ids, "region": ctx.region}


@invoke("aws:ec2/getSubnet:getSubnet")
def get_subnet(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    in_provider_region(ctx, args, "getSubnet")
    filters = lookup_filters(args, {
        "availabilityZone": "availability-zone", "availabilityZoneId": "availability-zone-id",
        "cidrBlock": "cidr-block", "defaultForAz": "default-for-az", "state": "state", "vpcId": "vpc-id",
    })
    ids = {"SubnetIds": [args["id"]]} if args.get("id") else {}
    subnet = single(ctx.client("ec2").describe_subnets, "Subnets", "EC2 Subnet", Filters=filters, **ids)
    return {
        **args,
        **resource_lookup(ctx, "aws:ec2/subnet:Subnet", subnet["SubnetId"]),
        "availableIpAddressCount": subnet.get("AvailableIpAddressCount", 0),
        "defaultForAz": subnet.get("DefaultForAz", False),
        "state": subnet.get("State", ""),
        "customerOwnedIpv4Pool": subnet.get("CustomerOwnedIpv4Pool", ""),
        "mapCustomerOwnedIpOnLaunch": subnet.get("MapCustomerOwnedIpOnLaunch", False),
        "outpostArn": subnet.get("OutpostArn", ""),
        "enableLniAtDeviceIndex": subnet.get("EnableLniAtDeviceIndex", 0),
        "region": ctx.region,
    }


@invoke("aws:ec2/getSecurityGroup:getSecurityGroup")
def get_security_group(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    in_provider_region(ctx, args, "getSecurityGroup")
    filters = lookup_filters(args, {"name": "group-name", "vpcId": "vpc-id"})
    ids = {"GroupIds": [args["id"]]} if args.get("id") else {}
    group = single(ctx.client("ec2").describe_security_groups, "SecurityGroups", "EC2 Security Group",
                    Filters=filters, **ids)
    return {**args, **resource_lookup(ctx, "aws:ec2/securityGroup:SecurityGroup", group["GroupId"]),
            "region": ctx.region}
