"""The EC2 lookups of route tables, network interfaces and instances: getRouteTable, getRouteTables,
getNetworkInterface, getNetworkInterfaces and getInstance, with Terraform's data source rules (exactly one match
for a singular one)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.data_sources import in_provider_region
from envctl.providers.aws.errors import items_found
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.ec2.lookups import lookup_filters, resource_lookup, single
from envctl.providers.aws.modules.ec2.shared import EC2_GONE
from envctl.providers.aws.registry import invoke
from envctl.providers.aws.tags import tag_dict
from envctl.providers.aws.wire import timestamp

# ---- route tables ---------------------------------------------------------------------------

_ROUTE_FIELDS = ("carrierGatewayId", "coreNetworkArn", "destinationPrefixListId", "egressOnlyGatewayId",
                 "gatewayId", "instanceId", "localGatewayId", "natGatewayId", "networkInterfaceId", "odbNetworkArn",
                 "transitGatewayId", "vpcEndpointId", "vpcPeeringConnectionId")
_ROUTE_API_NAMES = {"cidrBlock": "DestinationCidrBlock", "ipv6CidrBlock": "DestinationIpv6CidrBlock",
                    "egressOnlyGatewayId": "EgressOnlyInternetGatewayId"}


def _table_route(route: dict[str, Any]) -> dict[str, Any]:
    """A route as the data source reports it: every field, "" where unset (a VPC endpoint shows as gatewayId)."""
    names = {**{field: field[0].upper() + field[1:] for field in _ROUTE_FIELDS}, **_ROUTE_API_NAMES}
    found = {field: route.get(api) or "" for field, api in names.items()}
    if found["gatewayId"].startswith("vpce-"):
        found["vpcEndpointId"], found["gatewayId"] = found["gatewayId"], ""
    return found


@invoke("aws:ec2/getRouteTable:getRouteTable")
def get_route_table(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    in_provider_region(ctx, args, "getRouteTable")
    filters = lookup_filters(args, {"routeTableId": "route-table-id", "vpcId": "vpc-id",
                                    "subnetId": "association.subnet-id", "gatewayId": "association.gateway-id"})
    table = single(ctx.client("ec2").describe_route_tables, "RouteTables", "Route Table", Filters=filters)
    table_id = table["RouteTableId"]
    return {
        **args,
        "id": table_id,
        "routeTableId": table_id,
        "arn": ctx.arn("ec2", f"route-table/{table_id}", account=table["OwnerId"]),
        "ownerId": table["OwnerId"],
        "vpcId": table["VpcId"],
        # As in Terraform: the VPC's local routes and propagated routes are not listed.
        "routes": [_table_route(r) for r in table.get("Routes", [])
                   if r.get("GatewayId") != "local" and r.get("Origin") != "EnableVgwRoutePropagation"],
        "associations": [{
            "routeTableAssociationId": a["RouteTableAssociationId"],
            "routeTableId": a["RouteTableId"],
            "subnetId": a.get("SubnetId", ""),
            "gatewayId": a.get("GatewayId", ""),
            "main": bool(a.get("Main")),
        } for a in table.get("Associations", [])],
        "subnetId": args.get("subnetId") or "",
        "gatewayId": args.get("gatewayId") or "",
        "tags": _tags(table),
        "region": ctx.region,
    }


@invoke("aws:ec2/getRouteTables:getRouteTables")
def get_route_tables(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    in_provider_region(ctx, args, "getRouteTables")
    tables = listed(ctx.client("ec2"), "describe_route_tables", "RouteTables",
                    Filters=lookup_filters(args, {"vpcId": "vpc-id"}))
    return {**args, "id": ctx.region, "ids": [t["RouteTableId"] for t in tables], "region": ctx.region}


def _tags(described: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in tag_dict(described.get("Tags") or described.get("TagSet")).items()
            if not k.startswith("aws:")}


# ---- network interfaces ---------------------------------------------------------------------


@invoke("aws:ec2/getNetworkInterface:getNetworkInterface")
def get_network_interface(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    in_provider_region(ctx, args, "getNetworkInterface")
    ids = {"NetworkInterfaceIds": [args["id"]]} if args.get("id") else {}
    interface = single(ctx.client("ec2").describe_network_interfaces, "NetworkInterfaces", "EC2 Network Interface",
                       Filters=lookup_filters(args, {}), **ids)
    found = resource_lookup(ctx, "aws:ec2/networkInterface:NetworkInterface", interface["NetworkInterfaceId"])
    association = interface.get("Association")
    attachment = interface.get("Attachment")
    return {
        **args,
        **{key: found[key] for key in ("id", "arn", "description", "macAddress", "outpostArn", "ownerId",
                                       "privateDnsName", "privateIp", "privateIps", "securityGroups", "subnetId",
                                       "ipv6Addresses", "interfaceType", "tags")},
        "availabilityZone": interface.get("AvailabilityZone", ""),
        "vpcId": interface.get("VpcId", ""),
        "requesterId": interface.get("RequesterId", ""),
        "associations": [{
            "allocationId": association.get("AllocationId", ""),
            "associationId": association.get("AssociationId", ""),
            "carrierIp": association.get("CarrierIp", ""),
            "customerOwnedIp": association.get("CustomerOwnedIp", ""),
            "ipOwnerId": association.get("IpOwnerId", ""),
            "publicDnsName": association.get("PublicDnsName", ""),
            "publicIp": association.get("PublicIp", ""),
        }] if association else [],
        "attachments": [{
            "attachmentId": attachment.get("AttachmentId", ""),
            "deviceIndex": attachment.get("DeviceIndex", 0),
            "instanceId": attachment.get("InstanceId", ""),
            "instanceOwnerId": attachment.get("InstanceOwnerId", ""),
            "networkCardIndex": attachment.get("NetworkCardIndex", 0),
        }] if attachment else [],
        "enaSrdSpecifications": [],
        "region": ctx.region,
    }


@invoke("aws:ec2/getNetworkInterfaces:getNetworkInterfaces")
def get_network_interfaces(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    in_provider_region(ctx, args, "getNetworkInterfaces")
    interfaces = listed(ctx.client("ec2"), "describe_network_interfaces", "NetworkInterfaces",
                        Filters=lookup_filters(args, {}))
    return {**args, "id": ctx.region, "ids": [i["NetworkInterfaceId"] for i in interfaces], "region": ctx.region}


# ---- instances ------------------------------------------------------------------------------


@invoke("aws:ec2/getInstance:getInstance")
def get_instance(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_instance data source: one instance that is not terminated, its attributes as the
    resource reads them, in the data source's list-of-blocks forms."""
    in_provider_region(ctx, args, "getInstance")
    ec2 = ctx.client("ec2")
    described = _one_instance(ec2, args)
    found = resource_lookup(ctx, "aws:ec2/instance:Instance", described["InstanceId"])
    root, metadata = found.get("rootBlockDevice") or {}, found.get("metadataOptions") or {}
    user_data = _user_data(ec2, described["InstanceId"])
    return {
        **args,
        **{key: found.get(key) for key in (
            "id", "arn", "ami", "instanceType", "instanceState", "availabilityZone", "tenancy", "placementGroup",
            "hostId", "subnetId", "vpcSecurityGroupIds", "securityGroups", "keyName", "associatePublicIpAddress",
            "publicIp", "publicDns", "privateIp", "privateDns", "sourceDestCheck", "monitoring", "ebsOptimized",
            "iamInstanceProfile", "outpostArn", "tags")},
        "instanceId": described["InstanceId"],
        "instanceTags": found.get("tags"),
        "networkInterfaceId": found.get("primaryNetworkInterfaceId", ""),
        "launchTime": timestamp(described["LaunchTime"]),
        "secondaryPrivateIps": [a["PrivateIpAddress"] for ni in described.get("NetworkInterfaces", [])
                                for a in ni.get("PrivateIpAddresses", []) if not a.get("Primary")],
        "ipv6Addresses": [a["Ipv6Address"] for ni in described.get("NetworkInterfaces", [])
                          for a in ni.get("Ipv6Addresses", [])],
        "rootBlockDevices": [{**{k: root.get(k) for k in ("deleteOnTermination", "encrypted", "iops", "kmsKeyId",
                                                          "throughput", "volumeSize", "volumeType")},
                              "deviceName": described.get("RootDeviceName", ""), "tags": {},
                              "volumeId": root.get("volumeId", "")}] if root else [],
        "ebsBlockDevices": [],
        "ephemeralBlockDevices": [],
        "metadataOptions": [{**{k: metadata.get(k) for k in ("httpEndpoint", "httpPutResponseHopLimit",
                                                             "httpTokens", "instanceMetadataTags")},
                             "httpProtocolIpv6": metadata.get("httpProtocolIpv6", "disabled")}] if metadata else [],
        "creditSpecifications": [],
        "enclaveOptions": [{"enabled": False}],
        "maintenanceOptions": [{"autoRecovery": "default"}],
        "privateDnsNameOptions": [],
        "disableApiStop": False,
        "disableApiTermination": False,
        "hostResourceGroupArn": "",
        "placementGroupId": "",
        "placementPartitionNumber": 0,
        # Terraform reports the user data's SHA-1, and the data itself only when asked for it.
        "userData": hashlib.sha1(user_data).hexdigest() if user_data else "",
        "userDataBase64": base64.b64encode(user_data).decode() if user_data and args.get("getUserData") else "",
        "passwordData": found.get("passwordData", "") if args.get("getPasswordData") else "",
        "region": ctx.region,
    }


def _one_instance(ec2: Any, args: dict[str, Any]) -> dict[str, Any]:
    filters = lookup_filters({**args, "tags": args.get("instanceTags")}, {})
    if args.get("instanceId"):  # an id that does not exist matches nothing
        reservations = items_found(ec2.describe_instances, "Reservations", EC2_GONE, Filters=filters,
                                   InstanceIds=[args["instanceId"]])
    else:
        reservations = listed(ec2, "describe_instances", "Reservations", Filters=filters)
    instances = [i for r in reservations for i in r["Instances"] if i["State"]["Name"] != "terminated"]
    if not instances:
        raise BadInput("getInstance: Your query returned no results. Please change your search criteria and try "
                       "again.")
    if len(instances) > 1:
        raise BadInput("getInstance: Your query returned more than one result. Please try a more specific search "
                       "criteria.")
    return instances[0]

def _user_data(ec2: Any, instance_id: str) -> bytes:
    value = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData").get("UserData") or {}
    return base64.b64decode(value["Value"]) if value.get("Value") else b""

