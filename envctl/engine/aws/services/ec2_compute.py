"""aws:ec2 compute types (Elastic IP, instance, security group rule, and the aws:vpc ingress and egress
rules) and the EC2 lookups programs make (getAmi, getVpc, getSubnet, getSubnets, getSecurityGroup), with
pulumi-aws 7 wire names and the rules of terraform-provider-aws (internal/service/ec2).
"""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Callable
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from envctl.engine.aws.base import CheckFailure, DiffResult, Props
from envctl.engine.aws.context import AwsContext
from envctl.engine.aws.errors import error_code, items_found, one_found
from envctl.engine.aws.listing import listed
from envctl.engine.aws.registry import invoke, lookup_resource, resource_type
from envctl.engine.aws.services.ec2 import (
    DIRECTIONS,
    EC2_GONE,
    EC2_WAITER,
    Ec2Resource,
    Grant,
    aws_grants,
    ec2_remove,
    ec2_tags,
    exactly_one,
    permissions,
    protocol_name,
    rule_grants,
    tag_specifications,
)
from envctl.engine.aws.services.invokes import get_partition
from envctl.engine.aws.tags import tag_dict
from envctl.engine.aws.waiting import CONSISTENCY_TIMEOUT, retried
from envctl.engine.aws.wire import renamed
from envctl.errors import BadInput, OperationFailed

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


def _failure_unless(condition: bool, key: str, reason: str) -> list[CheckFailure]:
    return [] if condition else [CheckFailure(key, reason)]


# ---- Elastic IP -----------------------------------------------------------------------------

# Where an address comes from: input -> AllocateAddress parameter; all force a new address.
_EIP_POOLS = {"address": "Address", "customerOwnedIpv4Pool": "CustomerOwnedIpv4Pool", "ipamPoolId": "IpamPoolId",
              "networkBorderGroup": "NetworkBorderGroup", "publicIpv4Pool": "PublicIpv4Pool"}
# Where an address is associated: input -> AssociateAddress parameter.
_EIP_TARGETS = {"instance": "InstanceId", "networkInterface": "NetworkInterfaceId",
                "associateWithPrivateIp": "PrivateIpAddress"}


@resource_type
class Eip(Ec2Resource):
    token = "aws:ec2/eip:Eip"
    defaults = {"domain": "vpc"}
    force_new = frozenset({"domain", *_EIP_POOLS})
    handled = frozenset({"domain", *_EIP_POOLS, *_EIP_TARGETS})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return _failure_unless(
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
    if props.get("instance") or props.get("networkInterface"):
        ec2.associate_address(AllocationId=allocation_id, **renamed(props, _EIP_TARGETS))


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
# Terraform retries RunInstances while EC2 answers so: a new instance profile has not reached EC2 yet.
_PROFILE_NOT_YET_VISIBLE = ("Invalid IAM Instance Profile", "has no associated IAM Roles")


@resource_type
class Instance(Ec2Resource):
    token = "aws:ec2/instance:Instance"
    tagged_type = "instance"
    defaults = {"getPasswordData": False, "sourceDestCheck": True, "userDataReplaceOnChange": False}
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
        "metadataOptions",
    })

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
        template = inputs.get("launchTemplate")
        root = inputs.get("rootBlockDevice") or {}
        failures += _failure_unless(bool(inputs.get("ami") or template), "ami", "set ami or launchTemplate")
        failures += _failure_unless(bool(inputs.get("instanceType") or template), "instanceType",
                                    "set instanceType or launchTemplate")
        failures += _failure_unless(not all(inputs.get(k) for k in _USER_DATA), "userDataBase64",
                                    "set userData or userDataBase64, not both")
        if template:
            failures += exactly_one(template, ("id", "name"), "launchTemplate")
        failures += _failure_unless(not root or bool(inputs.get("ami")), "rootBlockDevice",
                                    "rootBlockDevice needs ami; with a launch template alone, set the root volume "
                                    "in the template")
        failures += [CheckFailure("rootBlockDevice", f"'rootBlockDevice.{key}' is not supported by envctl's local "
                                  f"engine for {self.token}")
                     for key in sorted(root) if key not in _ROOT_VOLUME and root[key] not in (None, {}, "")]
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
            "iamInstanceProfile": profile["IamInstanceProfile"]["Arn"].rsplit("/", 1)[-1] if profile else "",
            "metadataOptions": {key: options.get(name) for key, name in _METADATA_OPTIONS.items()},
            "rootBlockDevice": _root_volume(ec2, instance),
            "launchTemplate": _launch_template(ec2, instance, state),
            **_user_data_outputs(ec2, id, state),
            "userDataReplaceOnChange": bool(state.get("userDataReplaceOnChange")),
            "getPasswordData": bool(state.get("getPasswordData")),
            "passwordData": "",
            "outpostArn": "",
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

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2 = ctx.client("ec2")
        if _describe_instance(ec2, id) is None:
            return
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
        "TagSpecifications": tag_specifications("instance", tags),
        **renamed(inputs, {"ami": "ImageId", "instanceType": "InstanceType", "keyName": "KeyName"}),
    }
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
    }


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


# ---- Security group rule (aws:ec2) ----------------------------------------------------------

_RULE_SOURCES = ("cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "self", "sourceSecurityGroupId")
# Sources that exclude one another; CIDR blocks of both families count as one, prefix lists go with any.
_SOURCE_FAMILY = {"cidrBlocks": "CIDR blocks", "ipv6CidrBlocks": "CIDR blocks", "self": "self",
                  "sourceSecurityGroupId": "sourceSecurityGroupId"}


def _source_group(props: Props) -> str:
    """The source group's id; Terraform also takes `<owner>/<group id>`."""
    return str(props.get("sourceSecurityGroupId") or "").rsplit("/", 1)[-1]


def _as_inline_rule(props: Props) -> Props:
    """The rule as a security group's inline rule, so the group's grant helpers apply to it."""
    source = _source_group(props)
    is_self = bool(props.get("self")) or source == props.get("securityGroupId")
    return {
        **{key: props.get(key) for key in ("protocol", "fromPort", "toPort", "cidrBlocks", "ipv6CidrBlocks",
                                           "prefixListIds", "description")},
        "securityGroups": [source] if source and not is_self else [],
        "self": is_self,
    }


def security_group_rule_id(props: Props) -> str:
    """Terraform's id for aws_security_group_rule: `sgrule-` and the CRC-32 of the rule's parts."""
    protocol = protocol_name(props["protocol"])
    ports = [] if protocol == "-1" else [int(props["fromPort"]), int(props["toPort"])]
    parts = [props["securityGroupId"], *(str(p) for p in ports if p > 0), protocol, props["type"]]
    for key in ("cidrBlocks", "ipv6CidrBlocks", "prefixListIds"):
        parts += sorted(props.get(key) or [])
    rule = _as_inline_rule(props)
    groups = sorted(([props["securityGroupId"]] if rule["self"] else []) + rule["securityGroups"])
    parts += [part for group in groups for part in (group, "")]  # "<id>-" then "-" for the absent group name
    return f"sgrule-{zlib.crc32(''.join(f'{part}-' for part in parts).encode())}"


def _without_description(grant: Grant) -> Grant:
    return grant._replace(description="")


@resource_type
class SecurityGroupRule(Ec2Resource):
    token = "aws:ec2/securityGroupRule:SecurityGroupRule"
    taggable = False
    required = ("type", "fromPort", "toPort", "protocol", "securityGroupId")
    defaults = {"self": False}
    force_new = frozenset({"type", "fromPort", "toPort", "protocol", "securityGroupId", *_RULE_SOURCES})
    handled = frozenset({*_RULE_SOURCES, "description"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = _failure_unless(inputs.get("type") in (None, *DIRECTIONS), "type",
                                    "type must be ingress or egress")
        sources = [key for key in _RULE_SOURCES if inputs.get(key)]
        failures += _failure_unless(bool(sources), "cidrBlocks", f"set at least one of {', '.join(_RULE_SOURCES)}")
        families = sorted({_SOURCE_FAMILY[key] for key in sources if key in _SOURCE_FAMILY})
        failures += _failure_unless(len(families) < 2, "sourceSecurityGroupId",
                                    f"{' and '.join(families)} cannot be combined in one rule")
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        group_id = inputs["securityGroupId"]
        authorize = getattr(ctx.client("ec2"), DIRECTIONS[inputs["type"]][1])
        authorize(GroupId=group_id, IpPermissions=permissions(rule_grants(_as_inline_rule(inputs)), group_id))
        rule_id = security_group_rule_id(inputs)
        return rule_id, self.read_back(ctx, rule_id, inputs)

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        return [security_group_rule_id(inputs)]  # read finds the rule by its inputs

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        ec2 = ctx.client("ec2")
        group_id = state["securityGroupId"]
        group = one_found(ec2.describe_security_groups, "SecurityGroups", EC2_GONE, GroupIds=[group_id])
        grants = _present_grants(group, state) if group else None
        if grants is None:
            return None
        protocol = protocol_name(state["protocol"])
        all_traffic = protocol == "-1"
        return {
            "id": id,
            "type": state["type"],
            "securityGroupId": group_id,
            "protocol": protocol,
            "fromPort": 0 if all_traffic else int(state["fromPort"]),
            "toPort": 0 if all_traffic else int(state["toPort"]),
            **{key: list(state.get(key) or []) for key in ("cidrBlocks", "ipv6CidrBlocks", "prefixListIds")},
            "self": bool(state.get("self")),
            "sourceSecurityGroupId": state.get("sourceSecurityGroupId") or "",
            "description": next((g.description for g in grants if g.description), ""),
            "securityGroupRuleId": _single_grant_rule_id(ec2, group_id, state["type"], grants),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        if "description" in changed:  # everything else forces a replacement
            group_id = news["securityGroupId"]
            update = getattr(ctx.client("ec2"), f"update_security_group_rule_descriptions_{news['type']}")
            update(GroupId=group_id, IpPermissions=permissions(rule_grants(_as_inline_rule(news)), group_id))

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        group_id = state["securityGroupId"]
        revoke = getattr(ctx.client("ec2"), DIRECTIONS[state["type"]][2])
        ec2_remove(revoke, also_gone=("InvalidPermission.NotFound",), GroupId=group_id,
                IpPermissions=permissions(rule_grants(_as_inline_rule(state)), group_id))


def _present_grants(group: dict, props: Props) -> list[Grant] | None:
    """The rule's grants as the group has them now (with AWS's descriptions); None when any is missing."""
    permissions = group.get(DIRECTIONS[props["type"]][0], [])
    present = {_without_description(g): g for g in aws_grants(permissions, group["GroupId"])}
    wanted = [_without_description(g) for g in rule_grants(_as_inline_rule(props))]
    return [present[g] for g in wanted] if all(g in present for g in wanted) else None


def _single_grant_rule_id(ec2: Any, group_id: str, direction: str, grants: list[Grant]) -> str:
    """The sgr- id of a rule with exactly one source, as Terraform finds it; "" for several sources."""
    if len(grants) != 1:
        return ""
    grant = grants[0]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    for rule in rules["SecurityGroupRules"]:
        ports_match = grant.protocol == "-1" or (rule.get("FromPort"), rule.get("ToPort")) == (
            grant.from_port, grant.to_port)
        source = (rule.get("CidrIpv4") or rule.get("CidrIpv6") or rule.get("PrefixListId")
                  or rule.get("ReferencedGroupInfo", {}).get("GroupId"))
        wanted_source = group_id if grant.kind == "self" else grant.value
        if (rule["IsEgress"] == (direction == "egress") and protocol_name(rule["IpProtocol"]) == grant.protocol
                and ports_match and source == wanted_source):
            return rule["SecurityGroupRuleId"]
    return ""


# ---- Security group ingress and egress rules (aws:vpc) --------------------------------------

# Source property -> the inline-rule list it corresponds to, and its ModifySecurityGroupRules parameter.
_VPC_RULE_SOURCES = {
    "cidrIpv4": ("cidrBlocks", "CidrIpv4"),
    "cidrIpv6": ("ipv6CidrBlocks", "CidrIpv6"),
    "prefixListId": ("prefixListIds", "PrefixListId"),
    "referencedSecurityGroupId": ("securityGroups", "ReferencedGroupId"),
}


def _source_of(props: Props) -> str | None:
    return next((key for key in _VPC_RULE_SOURCES if props.get(key)), None)


def _vpc_rule_grant(props: Props) -> Grant:
    """The rule as one grant; a port left out means all (-1), as EC2 reports it."""
    protocol = protocol_name(props["ipProtocol"])
    from_port, to_port = (-1 if props.get(k) is None else int(props[k]) for k in ("fromPort", "toPort"))
    source = _source_of(props) or ""
    return Grant(protocol, from_port, to_port, _VPC_RULE_SOURCES[source][0], props[source],
                  props.get("description") or "")


class _VpcSecurityGroupRule(Ec2Resource):
    """aws:vpc security group rules: one source each, known to AWS by its sgr- id, changed in place."""

    direction: ClassVar[str]
    tagged_type = "security-group-rule"
    required = ("ipProtocol", "securityGroupId")
    force_new = frozenset({"securityGroupId"})
    handled = frozenset({"fromPort", "toPort", "description", *_VPC_RULE_SOURCES})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return exactly_one(inputs, _VPC_RULE_SOURCES, "cidrIpv4")

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """Like Terraform: a rule cannot change the kind of its source in place."""
        return diff if _source_of(olds) == _source_of(news) else diff.replacing(_VPC_RULE_SOURCES)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        group_id = inputs["securityGroupId"]
        authorize = getattr(ctx.client("ec2"), DIRECTIONS[self.direction][1])
        rule_id = authorize(
            GroupId=group_id,
            IpPermissions=permissions([_vpc_rule_grant(inputs)], group_id),
            TagSpecifications=tag_specifications("security-group-rule", self.tags_all(ctx, urn, inputs)),
        )["SecurityGroupRules"][0]["SecurityGroupRuleId"]
        return rule_id, self.read_back(ctx, rule_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        rule = one_found(ctx.client("ec2").describe_security_group_rules, "SecurityGroupRules", EC2_GONE,
                             SecurityGroupRuleIds=[id])
        if rule is None or rule["IsEgress"] != (self.direction == "egress"):
            return None
        return {
            "id": id,
            "securityGroupRuleId": id,
            "arn": ctx.arn("ec2", f"security-group-rule/{id}"),
            "securityGroupId": rule["GroupId"],
            "ipProtocol": rule["IpProtocol"],
            # EC2 reports "all ports" as -1; a program that gave no port reads back none.
            **{key: None if rule.get(name, -1) == -1 and state.get(key) is None else rule.get(name)
               for key, name in (("fromPort", "FromPort"), ("toPort", "ToPort"))},
            "cidrIpv4": rule.get("CidrIpv4"),
            "cidrIpv6": rule.get("CidrIpv6"),
            "prefixListId": rule.get("PrefixListId"),
            "referencedSecurityGroupId": rule.get("ReferencedGroupInfo", {}).get("GroupId"),
            "description": rule.get("Description"),
            **ec2_tags(ctx, rule.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        if not changed - {"tags"}:
            return
        grant = _vpc_rule_grant(news)
        request = {"IpProtocol": grant.protocol, "FromPort": grant.from_port, "ToPort": grant.to_port,
                   _VPC_RULE_SOURCES[_source_of(news) or ""][1]: grant.value, "Description": grant.description}
        ctx.client("ec2").modify_security_group_rules(
            GroupId=news["securityGroupId"],
            SecurityGroupRules=[{"SecurityGroupRuleId": id, "SecurityGroupRule": request}],
        )

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        revoke = getattr(ctx.client("ec2"), DIRECTIONS[self.direction][2])
        ec2_remove(revoke, also_gone=("InvalidPermission.NotFound",), GroupId=state["securityGroupId"],
                SecurityGroupRuleIds=[id])


@resource_type
class SecurityGroupIngressRule(_VpcSecurityGroupRule):
    token = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    direction = "ingress"


@resource_type
class SecurityGroupEgressRule(_VpcSecurityGroupRule):
    token = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
    direction = "egress"


# ---- Invokes --------------------------------------------------------------------------------


def _in_provider_region(ctx: AwsContext, args: dict[str, Any], name: str) -> None:
    if args.get("region") not in (None, "", ctx.region):
        raise BadInput(f"{name} for region {args['region']} is not supported; envctl's local engine works in the "
                       f"provider's region {ctx.region}")


def _given_filters(args: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"Name": f["name"], "Values": list(f["values"])} for f in args.get("filters") or []]


def _lookup_filters(args: dict[str, Any], attributes: dict[str, str]) -> list[dict[str, Any]]:
    """EC2 filters from a lookup's `filters`, its arguments that are filters by another name, and its `tags`.
    A boolean argument filters only when true, as in Terraform."""
    filters = _given_filters(args)
    for key, name in attributes.items():
        value = args.get(key)
        if value not in (None, "", False):
            filters.append({"Name": name, "Values": ["true" if value is True else str(value)]})
    return filters + [{"Name": f"tag:{k}", "Values": [v]} for k, v in (args.get("tags") or {}).items()]


def _single(describe: Callable[..., dict], list_key: str, what: str, **params: Any) -> dict:
    """Terraform's rule for singular lookups: exactly one match (an id that does not exist matches nothing)."""
    items = items_found(describe, list_key, EC2_GONE, **params)
    if not items:
        raise BadInput(f"no matching {what} found; change the lookup's arguments")
    if len(items) > 1:
        raise BadInput(f"multiple {what}s matched; use additional constraints to reduce matches to a single {what}")
    return items[0]


def _resource_lookup(ctx: AwsContext, token: str, id: str) -> dict[str, Any]:
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
    _in_provider_region(ctx, args, "getAmi")
    filters = _given_filters(args)
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
    _in_provider_region(ctx, args, "getVpc")
    filters = _lookup_filters(args, {"cidrBlock": "cidr", "default": "isDefault", "dhcpOptionsId": "dhcp-options-id",
                                     "state": "state"})
    ids = {"VpcIds": [args["id"]]} if args.get("id") else {}
    vpc = _single(ctx.client("ec2").describe_vpcs, "Vpcs", "EC2 VPC", Filters=filters, **ids)
    return {
        **args,
        **_resource_lookup(ctx, "aws:ec2/vpc:Vpc", vpc["VpcId"]),
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
    _in_provider_region(ctx, args, "getSubnets")
    subnets = listed(ctx.client("ec2"), "describe_subnets", "Subnets", Filters=_lookup_filters(args, {}))
    ids = [subnet["SubnetId"] for subnet in subnets]
    return {**args, "id": ctx.region, "ids": ids, "region": ctx.region}


@invoke("aws:ec2/getSubnet:getSubnet")
def get_subnet(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    _in_provider_region(ctx, args, "getSubnet")
    filters = _lookup_filters(args, {
        "availabilityZone": "availability-zone", "availabilityZoneId": "availability-zone-id",
        "cidrBlock": "cidr-block", "defaultForAz": "default-for-az", "state": "state", "vpcId": "vpc-id",
    })
    ids = {"SubnetIds": [args["id"]]} if args.get("id") else {}
    subnet = _single(ctx.client("ec2").describe_subnets, "Subnets", "EC2 Subnet", Filters=filters, **ids)
    return {
        **args,
        **_resource_lookup(ctx, "aws:ec2/subnet:Subnet", subnet["SubnetId"]),
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
    _in_provider_region(ctx, args, "getSecurityGroup")
    filters = _lookup_filters(args, {"name": "group-name", "vpcId": "vpc-id"})
    ids = {"GroupIds": [args["id"]]} if args.get("id") else {}
    group = _single(ctx.client("ec2").describe_security_groups, "SecurityGroups", "EC2 Security Group",
                    Filters=filters, **ids)
    return {**args, **_resource_lookup(ctx, "aws:ec2/securityGroup:SecurityGroup", group["GroupId"]),
            "region": ctx.region}
