"""aws:ec2 instances and Elastic IPs, with pulumi-aws 7 wire names and the rules of terraform-provider-aws
(internal/service/ec2).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.base import CheckFailure, DiffResult, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import error_code, one_found
from envctl.providers.aws.modules.ec2.shared import (
    EC2_GONE,
    EC2_WAITER,
    Ec2Resource,
    ec2_remove,
    ec2_tags,
    exactly_one,
    failure_unless,
    tag_specifications,
)
from envctl.providers.aws.modules.index import get_partition
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list
from envctl.providers.aws.waiting import CONSISTENCY_TIMEOUT, retried
from envctl.providers.aws.wire import api_name, renamed

# ---- shared helpers -------------------------------------------------------------------------


def public_dns_name(ctx: AwsContext, ip: str) -> str:
    """EC2's public DNS name of an address, as Terraform derives it (us-east-1 has its own zone name)."""
    if not ip:
        return ""
    zone = "compute-1" if ctx.region == "us-east-1" else f"{ctx.region}.compute"
    return f"ec2-{ip.replace('.', '-')}.{zone}.{get_partition(ctx, {})['dnsSuffix']}"


def private_dns_name(ctx: AwsContext, ip: str) -> str:
    if not ip:
        return ""
    zone = "ec2.internal" if ctx.region == "us-east-1" else f"{ctx.region}.compute.internal"
    return f"ip-{ip.replace('.', '-')}.{zone}"


# ---- Elastic IP -----------------------------------------------------------------------------

# Where an address comes from: input -> AllocateAddress parameter; all force a new address. moto's AllocateAddress
# takes a given address only.
_EIP_POOLS = {"address": "Address"}
_EIP_UNEMULATED_POOLS = {
    "customerOwnedIpv4Pool": "Outposts customer-owned address pools are not emulated by the local cloud",
    "ipamPoolId": "IPAM pools are not emulated by the local cloud",
    "networkBorderGroup": "network border groups (Local and Wavelength Zones) are not emulated by the local cloud",
    "publicIpv4Pool": "public IPv4 pools of your own (BYOIP) are not emulated by the local cloud; Amazon's pool is "
                      "used when none is set",
}
# Where an address is associated: input -> AssociateAddress parameter.
_EIP_TARGETS = {"instance": "InstanceId", "networkInterface": "NetworkInterfaceId",
                "associateWithPrivateIp": "PrivateIpAddress"}


@resource_type
class Eip(Ec2Resource):
    token = "aws:ec2/eip:Eip"
    defaults = {"domain": "vpc"}
    force_new = frozenset({"domain", *_EIP_POOLS, *_EIP_UNEMULATED_POOLS})
    handled = frozenset({"domain", *_EIP_POOLS, *_EIP_TARGETS})
    unsupported = _EIP_UNEMULATED_POOLS
    outputs = frozenset({"allocationId", "arn", "associationId", "carrierIp", "customerOwnedIp", "privateDns",
                         "privateIp", "ptrRecord", "publicDns", "publicIp"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return failure_unless(
            inputs.get("domain") in (None, "vpc"), "domain", "domain must be 'vpc': EC2-Classic addresses are retired")

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        allocation_id = ec2.allocate_address(
            Domain="vpc", TagSpecifications=tag_specifications("elastic-ip", self.tags_all(ctx, urn, inputs)),
            **renamed(inputs, _EIP_POOLS),
        )["AllocationId"]
        _associate_address(ec2, allocation_id, inputs)
        return allocation_id, self.read_back(ctx, allocation_id, inputs)

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        # By tag filter rather than DescribeTags, whose resource type for addresses differs in moto.
        urn_tag = ctx.envctl_tags(urn).get("envctl:urn")
        if not urn_tag:
            return []
        addresses = ctx.client("ec2").describe_addresses(Filters=[{"Name": "tag:envctl:urn", "Values": [urn_tag]}])
        return [address["AllocationId"] for address in addresses["Addresses"]]

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        address = one_found(ctx.client("ec2").describe_addresses, "Addresses", EC2_GONE, AllocationIds=[id])
        if address is None:
            return None
        public_ip, private_ip = address.get("PublicIp", ""), address.get("PrivateIpAddress", "")
        return {
            "id": id,
            "allocationId": id,
            "arn": ctx.arn("ec2", f"elastic-ip/{id}"),
            "domain": address.get("Domain", "vpc"),
            "publicIp": public_ip,
            "publicDns": public_dns_name(ctx, public_ip),
            "privateIp": private_ip,
            "privateDns": private_dns_name(ctx, private_ip),
            "associationId": address.get("AssociationId", ""),
            "instance": address.get("InstanceId", ""),
            "networkInterface": address.get("NetworkInterfaceId", ""),
            "associateWithPrivateIp": state.get("associateWithPrivateIp"),  # as requested; AWS does not echo it
            "publicIpv4Pool": address.get("PublicIpv4Pool", "amazon"),
            "networkBorderGroup": address.get("NetworkBorderGroup", ctx.region),
            "carrierIp": address.get("CarrierIp", ""),
            "customerOwnedIp": address.get("CustomerOwnedIp", ""),
            "customerOwnedIpv4Pool": address.get("CustomerOwnedIpv4Pool", ""),
            "ptrRecord": "",
            **ec2_tags(ctx, address.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        if changed & _EIP_TARGETS.keys():
            ec2 = ctx.client("ec2")
            _disassociate_address(ec2, id)
            _associate_address(ec2, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2 = ctx.client("ec2")
        _disassociate_address(ec2, id)
        ec2_remove(ec2.release_address, AllocationId=id)


def _associate_address(ec2: Any, allocation_id: str, props: Props) -> None:
    if not (props.get("instance") or props.get("networkInterface")):
        return
    ec2.associate_address(AllocationId=allocation_id, **renamed(props, _EIP_TARGETS))
    wanted = props.get("associateWithPrivateIp")
    address = one_found(ec2.describe_addresses, "Addresses", EC2_GONE, AllocationIds=[allocation_id]) or {}
    if wanted and address.get("PrivateIpAddress") != wanted:
        # moto associates with the primary address whatever is asked: stop rather than record the wrong one.
        raise OperationFailed(f"Elastic IP {allocation_id} was associated with {address.get('PrivateIpAddress')}, "
                              f"not with associateWithPrivateIp {wanted}")


def _disassociate_address(ec2: Any, allocation_id: str) -> None:
    """Undo the association AWS has now, whatever state remembers."""
    address = one_found(ec2.describe_addresses, "Addresses", EC2_GONE, AllocationIds=[allocation_id])
    if address and address.get("AssociationId"):
        ec2_remove(ec2.disassociate_address, AssociationId=address["AssociationId"])


# ---- Instance -------------------------------------------------------------------------------

_ROOT_VOLUME = {"deleteOnTermination": "DeleteOnTermination", "encrypted": "Encrypted", "iops": "Iops",
                "kmsKeyId": "KmsKeyId", "throughput": "Throughput", "volumeSize": "VolumeSize",
                "volumeType": "VolumeType"}
_ROOT_VOLUME_FORCE_NEW = ("encrypted", "kmsKeyId")
_MODIFIABLE_VOLUME = {"iops": "Iops", "throughput": "Throughput", "volumeSize": "Size", "volumeType": "VolumeType"}
_METADATA_OPTIONS = {"httpEndpoint": "HttpEndpoint", "httpProtocolIpv6": "HttpProtocolIpv6",
                     "httpPutResponseHopLimit": "HttpPutResponseHopLimit", "httpTokens": "HttpTokens",
                     "instanceMetadataTags": "InstanceMetadataTags"}
_LAUNCH_TEMPLATE = {"id": "LaunchTemplateId", "name": "LaunchTemplateName", "version": "Version"}
_USER_DATA = ("userData", "userDataBase64")
# EC2 changes these only while the instance is stopped.
_CHANGED_WHILE_STOPPED = frozenset({"instanceType", *_USER_DATA})
# Instance attributes (DescribeInstanceAttribute names) that change in place.
_PROTECTIONS = ("disableApiStop", "disableApiTermination")
_SHUTDOWN_BEHAVIOR = "instanceInitiatedShutdownBehavior"
_NO_NETWORK_INTERFACES = "attaching network interfaces is not implemented; set subnetId, privateIp and " \
                         "vpcSecurityGroupIds for the primary one"
_NO_PLACEMENT_GROUPS = "placement groups are not emulated by the local cloud"
_NO_DEDICATED_HOSTS = "Dedicated Hosts are not emulated by the local cloud"
_NO_IPV6 = "IPv6 addresses of instances are not emulated by the local cloud"
_INSTANCE_UNSUPPORTED = {
    "capacityReservationSpecification": "capacity reservations are not emulated by the local cloud",
    "cpuOptions": "CPU options are not emulated by the local cloud (moto ignores them)",
    "creditSpecification": "CPU credit options are not emulated by the local cloud (moto reports standard credits "
                           "for every instance)",
    "ebsBlockDevices": "extra EBS volumes at launch are not emulated faithfully by the local cloud (moto then "
                       "launches the instance without its root volume)",
    "enablePrimaryIpv6": _NO_IPV6,
    "enclaveOptions": "Nitro Enclaves are not emulated by the local cloud",
    "getPasswordData": "Windows password data is not emulated faithfully by the local cloud (moto makes up a new "
                       "password on every read)",
    "ephemeralBlockDevices": "instance store volumes are not emulated by the local cloud",
    "hostId": _NO_DEDICATED_HOSTS,
    "hostResourceGroupArn": _NO_DEDICATED_HOSTS,
    "instanceMarketOptions": "Spot instances are not emulated by the local cloud",
    "ipv6AddressCount": _NO_IPV6,
    "ipv6Addresses": _NO_IPV6,
    "maintenanceOptions": "maintenance options (auto recovery) are not emulated by the local cloud",
    "networkInterfaces": _NO_NETWORK_INTERFACES,
    "primaryNetworkInterface": _NO_NETWORK_INTERFACES,
    "secondaryNetworkInterfaces": _NO_NETWORK_INTERFACES,
    "secondaryPrivateIps": "secondary private addresses are not emulated by the local cloud",
    "placementGroup": _NO_PLACEMENT_GROUPS,
    "placementGroupId": _NO_PLACEMENT_GROUPS,
    "placementPartitionNumber": _NO_PLACEMENT_GROUPS,
    "privateDnsNameOptions": "private DNS name options of instances are not emulated by the local cloud",
    "tenancy": "dedicated tenancy is not emulated by the local cloud; instances run with default tenancy",
}
# Terraform retries RunInstances while EC2 answers so: a new instance profile has not reached EC2 yet.
_PROFILE_NOT_YET_VISIBLE = ("Invalid IAM Instance Profile", "has no associated IAM Roles")


@resource_type
class Instance(Ec2Resource):
    token = "aws:ec2/instance:Instance"
    tagged_type = "instance"
    defaults = {"forceDestroy": False, "getPasswordData": False, "sourceDestCheck": True,
                "userDataReplaceOnChange": False}
    force_new = frozenset({
        "ami", "associatePublicIpAddress", "availabilityZone", "cpuOptions", "ebsBlockDevices", "ebsOptimized",
        "enclaveOptions", "ephemeralBlockDevices", "hibernation", "hostId", "ipv6AddressCount", "ipv6Addresses",
        "keyName", "launchTemplate", "networkInterfaces", "placementGroup", "placementPartitionNumber",
        "privateDnsNameOptions", "privateIp", "securityGroups", "subnetId", "tenancy",
    })
    handled = frozenset({
        "ami", "instanceType", "launchTemplate", "subnetId", "availabilityZone", "vpcSecurityGroupIds",
        "securityGroups", "keyName", *_USER_DATA, "userDataReplaceOnChange", "iamInstanceProfile",
        "associatePublicIpAddress", "privateIp", "rootBlockDevice", "monitoring", "sourceDestCheck",
        "metadataOptions", *_PROTECTIONS, _SHUTDOWN_BEHAVIOR, "ebsOptimized", "hibernation", "volumeTags",
        "forceDestroy",
    })
    unsupported = _INSTANCE_UNSUPPORTED
    outputs = frozenset({"arn", "instanceLifecycle", "instanceState", "outpostArn", "passwordData",
                         "primaryNetworkInterfaceId", "privateDns", "publicDns", "publicIp", "spotInstanceRequestId"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
        template = inputs.get("launchTemplate")
        root = inputs.get("rootBlockDevice") or {}
        failures += failure_unless(bool(inputs.get("ami") or template), "ami", "set ami or launchTemplate")
        failures += failure_unless(bool(inputs.get("instanceType") or template), "instanceType",
                                    "set instanceType or launchTemplate")
        failures += failure_unless(not all(inputs.get(k) for k in _USER_DATA), "userDataBase64",
                                    "set userData or userDataBase64, not both")
        if template:
            failures += exactly_one(template, ("id", "name"), "launchTemplate")
        failures += failure_unless(not root or bool(inputs.get("ami")), "rootBlockDevice",
                                    "rootBlockDevice needs ami; with a launch template alone, set the root volume "
                                    "in the template")
        failures += unsupported_fields(self.token, "rootBlockDevice", root, _ROOT_VOLUME,
                                       {"tags": "tag the root volume with volumeTags"})
        return failures

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """Terraform's conditional replacements on top of the declared ones: user data when
        userDataReplaceOnChange is set, and the root volume when its encryption changes."""
        also = set(_USER_DATA) if news.get("userDataReplaceOnChange") else set()
        old_root, new_root = olds.get("rootBlockDevice") or {}, news.get("rootBlockDevice") or {}
        if any((old_root.get(k) or None) != (new_root.get(k) or None) for k in _ROOT_VOLUME_FORCE_NEW):
            also.add("rootBlockDevice")
        return diff.replacing(also)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        instance_id = _run_instance(ec2, _run_request(ec2, inputs, self.tags_all(ctx, urn, inputs)))
        ec2.get_waiter("instance_running").wait(InstanceIds=[instance_id], WaiterConfig=EC2_WAITER)
        if inputs.get("sourceDestCheck") is False:
            ec2.modify_instance_attribute(InstanceId=instance_id, SourceDestCheck={"Value": False})
        if inputs.get("disableApiTermination"):  # set after launch: moto's RunInstances ignores it
            _set_attribute(ec2, instance_id, "disableApiTermination", True)
        if inputs.get("rootBlockDevice"):
            # EC2 may launch the root volume without some of its settings (moto ignores throughput).
            root = {"deleteOnTermination": True, **inputs["rootBlockDevice"]}
            _change_root_volume(ec2, instance_id, _root_volume(ec2, _describe_instance(ec2, instance_id) or {}), root)
        return instance_id, self.read_back(ctx, instance_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        ec2 = ctx.client("ec2")
        instance = _describe_instance(ec2, id)
        if instance is None:
            return None
        primary = next((n for n in instance.get("NetworkInterfaces", [])
                        if n.get("Attachment", {}).get("DeviceIndex") == 0), {})
        # moto leaves the instance's SecurityGroups empty when the groups were given on the network interface.
        groups = instance.get("SecurityGroups") or primary.get("Groups") or []
        placement = instance.get("Placement", {})
        options = instance.get("MetadataOptions", {})
        profile = _profile_association(ec2, id)
        root = _root_volume(ec2, instance)
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"instance/{id}"),
            "ami": instance["ImageId"],
            "instanceType": instance["InstanceType"],
            "instanceState": instance["State"]["Name"],
            "availabilityZone": placement.get("AvailabilityZone", ""),
            "tenancy": placement.get("Tenancy", "default"),
            "placementGroup": placement.get("GroupName", ""),
            "hostId": placement.get("HostId", ""),
            "subnetId": instance.get("SubnetId", ""),
            "vpcSecurityGroupIds": sorted(g["GroupId"] for g in groups),
            # Like Terraform: group names only where the program named groups by name.
            "securityGroups": sorted(g["GroupName"] for g in groups) if state.get("securityGroups") else [],
            "keyName": instance.get("KeyName", ""),
            "associatePublicIpAddress": bool(instance.get("PublicIpAddress")),
            "publicIp": instance.get("PublicIpAddress", ""),
            "publicDns": instance.get("PublicDnsName", ""),
            "privateIp": instance.get("PrivateIpAddress", ""),
            "privateDns": instance.get("PrivateDnsName", ""),
            "primaryNetworkInterfaceId": primary.get("NetworkInterfaceId", ""),
            "sourceDestCheck": instance.get("SourceDestCheck", True),
            "monitoring": instance.get("Monitoring", {}).get("State") in ("enabled", "pending"),
            "ebsOptimized": instance.get("EbsOptimized", False),
            "hibernation": bool((instance.get("HibernationOptions") or {}).get("Configured")),
            **_instance_attributes(ec2, id),
            "iamInstanceProfile": profile["IamInstanceProfile"]["Arn"].rsplit("/", 1)[-1] if profile else "",
            "metadataOptions": {key: options.get(name) for key, name in _METADATA_OPTIONS.items()},
            "rootBlockDevice": _without(root, "tags"),
            # Like Terraform: the volumes' tags only where the program tags the volumes.
            "volumeTags": (root or {}).get("tags") if state.get("volumeTags") is not None else None,
            "launchTemplate": _launch_template(ec2, instance, state),
            **_user_data_outputs(ec2, id, state),
            "userDataReplaceOnChange": bool(state.get("userDataReplaceOnChange")),
            "getPasswordData": bool(state.get("getPasswordData")),
            "passwordData": "",  # getPasswordData is refused
            "forceDestroy": bool(state.get("forceDestroy")),  # envctl's own switch, not AWS's
            "instanceLifecycle": instance.get("InstanceLifecycle", ""),  # "spot" or "scheduled"; none on demand
            "spotInstanceRequestId": instance.get("SpotInstanceRequestId", ""),
            "outpostArn": instance.get("OutpostArn", ""),
            **ec2_tags(ctx, instance.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        ec2 = ctx.client("ec2")
        if changed & _CHANGED_WHILE_STOPPED:
            _while_stopped(ec2, id, lambda: _change_stopped(ec2, id, news, changed))
        if "vpcSecurityGroupIds" in changed and news.get("vpcSecurityGroupIds"):
            ec2.modify_instance_attribute(InstanceId=id, Groups=news["vpcSecurityGroupIds"])
        if "sourceDestCheck" in changed:
            checked = news.get("sourceDestCheck") is not False
            ec2.modify_instance_attribute(InstanceId=id, SourceDestCheck={"Value": checked})
        if "monitoring" in changed:
            (ec2.monitor_instances if news.get("monitoring") else ec2.unmonitor_instances)(InstanceIds=[id])
        if "iamInstanceProfile" in changed:
            _set_instance_profile(ec2, id, news.get("iamInstanceProfile"))
        if "metadataOptions" in changed and news.get("metadataOptions"):
            # The call replaces all options, so those the program leaves out keep their current values.
            current = olds.get("metadataOptions") or {}
            wanted = {k: v for k, v in {**current, **news["metadataOptions"]}.items() if v is not None}
            ec2.modify_instance_metadata_options(InstanceId=id, **renamed(wanted, _METADATA_OPTIONS))
        if "rootBlockDevice" in changed:
            _change_root_volume(ec2, id, olds.get("rootBlockDevice"), news.get("rootBlockDevice") or {})
        for name in (*_PROTECTIONS, _SHUTDOWN_BEHAVIOR):
            if name in changed and news.get(name) is not None:
                _set_attribute(ec2, id, name, news[name])
        if "volumeTags" in changed:
            _change_volume_tags(ec2, id, olds.get("volumeTags") or {}, news.get("volumeTags") or {})

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """As Terraform: protection against termination refuses the delete, unless forceDestroy lifts it."""
        ec2 = ctx.client("ec2")
        if _describe_instance(ec2, id) is None:
            return
        if state.get("forceDestroy"):
            for name in _PROTECTIONS:
                _set_attribute(ec2, id, name, False)
        ec2_remove(ec2.terminate_instances, InstanceIds=[id])
        ec2.get_waiter("instance_terminated").wait(InstanceIds=[id], WaiterConfig=EC2_WAITER)


def _describe_instance(ec2: Any, instance_id: str) -> dict | None:
    """The instance, or None when it does not exist or is terminated (terminated ones stay listed a while)."""
    reservation = one_found(ec2.describe_instances, "Reservations", EC2_GONE, InstanceIds=[instance_id])
    instance = reservation["Instances"][0] if reservation else None
    return None if instance is None or instance["State"]["Name"] == "terminated" else instance


def _user_data(props: Props) -> bytes | None:
    if props.get("userDataBase64"):
        return base64.b64decode(props["userDataBase64"])
    return props["userData"].encode() if props.get("userData") else None


def _profile(name_or_arn: str) -> dict[str, str]:
    return {"Arn": name_or_arn} if name_or_arn.startswith("arn:") else {"Name": name_or_arn}


def _run_request(ec2: Any, inputs: Props, tags: dict[str, str]) -> dict[str, Any]:
    """RunInstances parameters, built as Terraform builds them."""
    request: dict[str, Any] = {
        "MinCount": 1,
        "MaxCount": 1,
        "TagSpecifications": [*tag_specifications("instance", tags),
                              *tag_specifications("volume", inputs.get("volumeTags") or {})],
        **renamed(inputs, {"ami": "ImageId", "instanceType": "InstanceType", "keyName": "KeyName",
                           "ebsOptimized": "EbsOptimized", "disableApiStop": "DisableApiStop",
                           _SHUTDOWN_BEHAVIOR: "InstanceInitiatedShutdownBehavior"}),
    }
    if inputs.get("hibernation"):
        request["HibernationOptions"] = {"Configured": True}
    if inputs.get("launchTemplate"):
        request["LaunchTemplate"] = renamed(inputs["launchTemplate"], _LAUNCH_TEMPLATE)
    if inputs.get("availabilityZone"):
        request["Placement"] = {"AvailabilityZone": inputs["availabilityZone"]}
    if inputs.get("iamInstanceProfile"):
        request["IamInstanceProfile"] = _profile(inputs["iamInstanceProfile"])
    if inputs.get("monitoring") is not None:
        request["Monitoring"] = {"Enabled": bool(inputs["monitoring"])}
    if (user_data := _user_data(inputs)) is not None:
        request["UserData"] = user_data  # botocore base64-encodes RunInstances user data itself
    if inputs.get("metadataOptions"):
        request["MetadataOptions"] = renamed(inputs["metadataOptions"], _METADATA_OPTIONS)
    if inputs.get("rootBlockDevice"):
        root = {"deleteOnTermination": True, **inputs["rootBlockDevice"]}  # Terraform's default
        request["BlockDeviceMappings"] = [{
            "DeviceName": _root_device_name(ec2, inputs["ami"]),
            "Ebs": {name: root[key] for key, name in _ROOT_VOLUME.items() if root.get(key) not in (None, "")},
        }]
    placement = renamed(inputs, {"subnetId": "SubnetId", "privateIp": "PrivateIpAddress"})
    if inputs.get("associatePublicIpAddress") is None:
        request.update(placement, **renamed(inputs, {"vpcSecurityGroupIds": "SecurityGroupIds",
                                                      "securityGroups": "SecurityGroups"}))
    else:
        # Only a network interface specification can say whether to map a public address.
        groups = [*(inputs.get("vpcSecurityGroupIds") or []), *(inputs.get("securityGroups") or [])]
        request["NetworkInterfaces"] = [{
            "DeviceIndex": 0,
            "DeleteOnTermination": True,
            "AssociatePublicIpAddress": bool(inputs["associatePublicIpAddress"]),
            **({"Groups": groups} if groups else {}),
            **placement,
        }]
    return request


def _root_device_name(ec2: Any, ami: str) -> str:
    image = one_found(ec2.describe_images, "Images", EC2_GONE, ImageIds=[ami])
    if image is None or not image.get("RootDeviceName"):
        raise BadInput(f"AMI {ami} was not found or has no root device; rootBlockDevice needs an existing image")
    return image["RootDeviceName"]


def _run_instance(ec2: Any, request: dict[str, Any]) -> str:
    reservation = retried(ec2.run_instances, _profile_not_yet_visible, CONSISTENCY_TIMEOUT, **request)
    return reservation["Instances"][0]["InstanceId"]


def _profile_not_yet_visible(error: ClientError) -> bool:
    message = str(error.response.get("Error", {}).get("Message", ""))
    return error_code(error) == "InvalidParameterValue" and any(text in message for text in _PROFILE_NOT_YET_VISIBLE)


def _root_volume(ec2: Any, instance: dict) -> Props | None:
    mappings = [m for m in instance.get("BlockDeviceMappings", []) if "Ebs" in m]
    root = next((m for m in mappings if m["DeviceName"] == instance.get("RootDeviceName")), None)
    if root is None and len(mappings) == 1:
        root = mappings[0]  # moto attaches its default root volume at /dev/sda1, whatever the image says
    volume = root and one_found(ec2.describe_volumes, "Volumes", EC2_GONE, VolumeIds=[root["Ebs"]["VolumeId"]])
    if not volume:
        return None
    return {
        "deleteOnTermination": root["Ebs"].get("DeleteOnTermination", False),
        "deviceName": root["DeviceName"],
        "encrypted": volume.get("Encrypted", False),
        "iops": volume.get("Iops", 0),
        "kmsKeyId": volume.get("KmsKeyId", ""),
        "throughput": volume.get("Throughput", 0),
        "volumeId": volume["VolumeId"],
        "volumeSize": volume["Size"],
        "volumeType": volume["VolumeType"],
        "tags": {k: v for k, v in tag_dict(volume.get("Tags")).items() if not k.startswith("aws:")},
    }


def _without(block: Props | None, key: str) -> Props | None:
    return None if block is None else {k: v for k, v in block.items() if k != key}


def _instance_attributes(ec2: Any, instance_id: str) -> Props:
    """The protections and the shutdown behaviour, which DescribeInstances does not report."""
    names = (*_PROTECTIONS, _SHUTDOWN_BEHAVIOR)
    answers = {name: ec2.describe_instance_attribute(InstanceId=instance_id, Attribute=name) for name in names}
    return {name: answer[api_name(name)]["Value"] for name, answer in answers.items()}


def _set_attribute(ec2: Any, instance_id: str, name: str, value: Any) -> None:
    """Set a protection or the shutdown behaviour: one attribute per ModifyInstanceAttribute call."""
    if name == _SHUTDOWN_BEHAVIOR:
        ec2.modify_instance_attribute(InstanceId=instance_id, Attribute=name, Value=value)
    else:
        ec2.modify_instance_attribute(InstanceId=instance_id, **{api_name(name): {"Value": bool(value)}})


def _change_volume_tags(ec2: Any, instance_id: str, old: dict[str, str], new: dict[str, str]) -> None:
    """volumeTags apply to every volume attached to the instance, as in Terraform."""
    volumes = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance_id]}])["Volumes"]
    ids = [volume["VolumeId"] for volume in volumes]
    if ids:
        sync_tags(old, new, lambda tags: ec2.create_tags(Resources=ids, Tags=tag_list(tags)),
                  lambda keys: ec2.delete_tags(Resources=ids, Tags=[{"Key": key} for key in keys]))


def _launch_template(ec2: Any, instance: dict, state: Props) -> Props | None:
    """The template the instance was launched from, as EC2 tags it."""
    template_id = tag_dict(instance.get("Tags")).get("aws:ec2launchtemplate:id")
    if not template_id:
        return None
    template = one_found(ec2.describe_launch_templates, "LaunchTemplates", EC2_GONE, LaunchTemplateIds=[template_id])
    requested = state.get("launchTemplate") or {}
    return {"id": template_id, "name": template["LaunchTemplateName"] if template else requested.get("name", ""),
            "version": requested.get("version") or "$Default"}


def _user_data_outputs(ec2: Any, instance_id: str, state: Props) -> Props:
    """User data as AWS has it, in the form the program gave it (pulumi-aws keeps it as given)."""
    encoded = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData").get("UserData", {})
    encoded = encoded.get("Value", "")
    if state.get("userDataBase64"):
        return {"userDataBase64": encoded}
    return {"userData": base64.b64decode(encoded).decode(errors="replace") if encoded else ""}


def _while_stopped(ec2: Any, instance_id: str, change: Callable[[], None]) -> None:
    """Apply a change EC2 accepts only on a stopped instance; start the instance again if it was running."""
    instance = _describe_instance(ec2, instance_id)
    if instance is None:
        raise OperationFailed(f"instance {instance_id} no longer exists; run refresh")
    running = instance["State"]["Name"] == "running"
    if running:
        ec2.stop_instances(InstanceIds=[instance_id])
        ec2.get_waiter("instance_stopped").wait(InstanceIds=[instance_id], WaiterConfig=EC2_WAITER)
    change()
    if running:
        ec2.start_instances(InstanceIds=[instance_id])
        ec2.get_waiter("instance_running").wait(InstanceIds=[instance_id], WaiterConfig=EC2_WAITER)


def _change_stopped(ec2: Any, instance_id: str, news: Props, changed: set[str]) -> None:
    if "instanceType" in changed and news.get("instanceType"):
        ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": news["instanceType"]})
    if changed & set(_USER_DATA):
        # The attribute form takes the base64 text itself, the same in AWS and in moto.
        encoded = base64.b64encode(_user_data(news) or b"").decode()
        ec2.modify_instance_attribute(InstanceId=instance_id, Attribute="userData", Value=encoded)


def _profile_association(ec2: Any, instance_id: str) -> dict | None:
    """The instance's profile association; the instance's own IamInstanceProfile is stale in moto after a
    replacement, the association is right in both."""
    associations = ec2.describe_iam_instance_profile_associations(Filters=[
        {"Name": "instance-id", "Values": [instance_id]}, {"Name": "state", "Values": ["associating", "associated"]},
    ])["IamInstanceProfileAssociations"]
    return associations[0] if associations else None


def _set_instance_profile(ec2: Any, instance_id: str, profile: str | None) -> None:
    current = _profile_association(ec2, instance_id)
    if current and profile:
        ec2.replace_iam_instance_profile_association(AssociationId=current["AssociationId"],
                                                     IamInstanceProfile=_profile(profile))
    elif current:
        ec2_remove(ec2.disassociate_iam_instance_profile, AssociationId=current["AssociationId"])
    elif profile:
        ec2.associate_iam_instance_profile(InstanceId=instance_id, IamInstanceProfile=_profile(profile))


def _change_root_volume(ec2: Any, instance_id: str, current: Props | None, wanted: Props) -> None:
    """Size, type, IOPS and throughput change in place (ModifyVolume); so does deleteOnTermination."""
    if current is None:
        raise OperationFailed(f"the root volume of instance {instance_id} was not found; run refresh")
    resize = {name: wanted[key] for key, name in _MODIFIABLE_VOLUME.items()
              if wanted.get(key) not in (None, "", 0) and wanted[key] != current.get(key)}
    if resize:
        ec2.modify_volume(VolumeId=current["volumeId"], **resize)
    delete_on_termination = wanted.get("deleteOnTermination") is not False
    if delete_on_termination != current.get("deleteOnTermination"):
        ec2.modify_instance_attribute(InstanceId=instance_id, BlockDeviceMappings=[
            {"DeviceName": current["deviceName"], "Ebs": {"DeleteOnTermination": delete_on_termination}}])
