"""aws:ec2 launch configurations: the Auto Scaling service's immutable instance settings (every change makes a
new one, as Terraform's ForceNew on every input says)."""

from __future__ import annotations

import base64
from typing import Any

from envctl.providers.aws.base import CheckFailure, DiffResult, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found, remove
from envctl.providers.aws.modules.ec2.shared import EC2_GONE, Ec2Resource, failure_unless
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.waiting import CONSISTENCY_TIMEOUT
from envctl.providers.aws.wire import api_keys, wire_keys

_SCALARS = {"imageId": "ImageId", "instanceType": "InstanceType", "keyName": "KeyName",
            "iamInstanceProfile": "IamInstanceProfile", "spotPrice": "SpotPrice",
            "placementTenancy": "PlacementTenancy"}
_EBS_FIELDS = ("deleteOnTermination", "encrypted", "iops", "throughput", "volumeSize", "volumeType")
_BLOCK_FIELDS = {"rootBlockDevice": _EBS_FIELDS,
                 "ebsBlockDevices": ("deviceName", "noDevice", "snapshotId", *_EBS_FIELDS),
                 "ephemeralBlockDevices": ("deviceName", "noDevice", "virtualName")}
_METADATA_FIELDS = ("httpEndpoint", "httpPutResponseHopLimit", "httpTokens")


@resource_type
class LaunchConfiguration(Ec2Resource):
    token = "aws:ec2/launchConfiguration:LaunchConfiguration"
    taggable = False
    name_property = "name"
    name_prefix_property = "namePrefix"
    id_property = "name"  # untaggable, but known by its name
    required = ("imageId", "instanceType")
    defaults = {"enableMonitoring": True}
    set_properties = ("securityGroups",)
    handled = frozenset({*_SCALARS, "securityGroups", "associatePublicIpAddress", "userData", "userDataBase64",
                         "enableMonitoring", "ebsOptimized", "metadataOptions", *_BLOCK_FIELDS})
    force_new = handled | {"name", "namePrefix"}
    outputs = frozenset({"arn"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = failure_unless(not (inputs.get("userData") and inputs.get("userDataBase64")), "userData",
                                  "set userData or userDataBase64, not both")
        for key, fields in _BLOCK_FIELDS.items():
            if inputs.get(key):
                failures += unsupported_fields(self.token, key, inputs[key], fields)
        if inputs.get("metadataOptions"):
            failures += unsupported_fields(self.token, "metadataOptions", inputs["metadataOptions"], _METADATA_FIELDS)
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        name = self.physical_name(inputs)
        request: dict[str, Any] = {"LaunchConfigurationName": name,
                                   **{api: inputs[key] for key, api in _SCALARS.items() if inputs.get(key)}}
        if inputs.get("securityGroups"):
            request["SecurityGroups"] = list(inputs["securityGroups"])
        if inputs.get("associatePublicIpAddress") is not None:
            request["AssociatePublicIpAddress"] = bool(inputs["associatePublicIpAddress"])
        if inputs.get("ebsOptimized") is not None:
            request["EbsOptimized"] = bool(inputs["ebsOptimized"])
        request["InstanceMonitoring"] = {"Enabled": inputs.get("enableMonitoring") is not False}
        # boto3 base64-encodes CreateLaunchConfiguration's user data itself, so it is given as text.
        user_data = inputs.get("userData") or (
            base64.b64decode(inputs["userDataBase64"]).decode() if inputs.get("userDataBase64") else None)
        if user_data:
            request["UserData"] = user_data
        if inputs.get("metadataOptions"):
            request["MetadataOptions"] = api_keys({k: v for k, v in inputs["metadataOptions"].items() if v})
        mappings = _block_devices(ctx, inputs)
        if mappings:
            request["BlockDeviceMappings"] = mappings
        ctx.client("autoscaling").create_launch_configuration(**request)
        return name, self.read_back(ctx, name, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        configuration = one_found(ctx.client("autoscaling").describe_launch_configurations,
                                  "LaunchConfigurations", (), LaunchConfigurationNames=[id])
        if configuration is None:
            return None
        encoded = configuration.get("UserData") or ""
        root_name = _root_device_name(ctx, configuration["ImageId"])
        mappings = configuration.get("BlockDeviceMappings") or []
        root = next((m for m in mappings if m.get("DeviceName") == root_name), None)
        return {
            "id": id,
            "arn": configuration["LaunchConfigurationARN"],
            "name": configuration["LaunchConfigurationName"],
            "namePrefix": state.get("namePrefix") or "",
            **{key: configuration.get(api) or "" for key, api in _SCALARS.items()},
            "securityGroups": sorted(configuration.get("SecurityGroups") or []),
            "associatePublicIpAddress": bool(configuration.get("AssociatePublicIpAddress")),
            "ebsOptimized": bool(configuration.get("EbsOptimized")),
            "enableMonitoring": bool((configuration.get("InstanceMonitoring") or {}).get("Enabled")),
            # The user data as the program gave it: as text, or base64 when given so.
            "userData": "" if state.get("userDataBase64") or not encoded else base64.b64decode(encoded).decode(),
            "userDataBase64": encoded if state.get("userDataBase64") else "",
            "metadataOptions": wire_keys(configuration["MetadataOptions"]) if configuration.get(
                "MetadataOptions") else None,
            "rootBlockDevice": _ebs_outputs(root, _EBS_FIELDS) if root else None,
            "ebsBlockDevices": [_ebs_outputs(m, _BLOCK_FIELDS["ebsBlockDevices"]) for m in mappings
                                if m is not root and not m.get("VirtualName")],
            "ephemeralBlockDevices": [{"deviceName": m["DeviceName"], "noDevice": bool(m.get("NoDevice")),
                                       "virtualName": m["VirtualName"]} for m in mappings if m.get("VirtualName")],
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        return self.read_back(ctx, id, news)  # every input forces a new configuration; nothing changes in place

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        # An Auto Scaling group still using the configuration holds it until the group moves on or goes.
        remove(ctx.client("autoscaling").delete_launch_configuration, busy=("ResourceInUse",),
               timeout=CONSISTENCY_TIMEOUT, LaunchConfigurationName=id)


def _root_device_name(ctx: AwsContext, image_id: str) -> str:
    """The image's root device, where the root block device goes (Terraform looks it up the same way)."""
    image = one_found(ctx.client("ec2").describe_images, "Images", (*EC2_GONE, "InvalidAMIID.*"), ImageIds=[image_id])
    return str((image or {}).get("RootDeviceName") or "/dev/xvda")


def _ebs_request(device: Props) -> dict[str, Any]:
    ebs = {api: device[key] for key, api in (("deleteOnTermination", "DeleteOnTermination"),
                                             ("encrypted", "Encrypted"), ("snapshotId", "SnapshotId"),
                                             ("volumeType", "VolumeType")) if device.get(key) not in (None, "")}
    ebs.update({api: int(device[key]) for key, api in (("iops", "Iops"), ("throughput", "Throughput"),
                                                       ("volumeSize", "VolumeSize")) if device.get(key)})
    return ebs


def _block_devices(ctx: AwsContext, inputs: Props) -> list[dict[str, Any]]:
    mappings: list[dict[str, Any]] = []
    if inputs.get("rootBlockDevice"):
        mappings.append({"DeviceName": _root_device_name(ctx, inputs["imageId"]),
                         "Ebs": _ebs_request(inputs["rootBlockDevice"])})
    for device in inputs.get("ebsBlockDevices") or []:
        mapping: dict[str, Any] = {"DeviceName": device["deviceName"]}
        if device.get("noDevice"):
            mapping["NoDevice"] = True
        else:
            mapping["Ebs"] = _ebs_request(device)
        mappings.append(mapping)
    for device in inputs.get("ephemeralBlockDevices") or []:
        mappings.append({"DeviceName": device["deviceName"], "VirtualName": device.get("virtualName") or ""})
    return mappings


def _ebs_outputs(mapping: dict[str, Any], fields: tuple[str, ...]) -> Props:
    ebs = mapping.get("Ebs") or {}
    values = {
        "deviceName": mapping.get("DeviceName", ""),
        "noDevice": bool(mapping.get("NoDevice")),
        "snapshotId": ebs.get("SnapshotId") or "",
        "deleteOnTermination": ebs.get("DeleteOnTermination", True),
        "encrypted": bool(ebs.get("Encrypted")),
        "iops": ebs.get("Iops") or 0,
        "throughput": ebs.get("Throughput") or 0,
        "volumeSize": ebs.get("VolumeSize") or 0,
        "volumeType": ebs.get("VolumeType") or "",
    }
    return {key: values[key] for key in fields}
