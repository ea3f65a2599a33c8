"""aws:ec2 launch templates: instance settings kept in numbered versions. A change of the settings makes a new
version, which becomes the default one with updateDefaultVersion, as in Terraform."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from envctl.providers.aws.base import CheckFailure, DiffResult, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.shared import (
    EC2_GONE,
    Ec2Resource,
    ec2_remove,
    ec2_tags,
    failure_unless,
    sync_ec2_tags,
    tag_specifications,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_dict, tag_list
from envctl.providers.aws.wire import api_keys, wire_keys

# Settings kept as they are: input -> LaunchTemplateData key.
_SCALARS = {"imageId": "ImageId", "instanceType": "InstanceType", "keyName": "KeyName", "userData": "UserData",
            "kernelId": "KernelId", "ramDiskId": "RamDiskId", "disableApiTermination": "DisableApiTermination",
            "disableApiStop": "DisableApiStop", "vpcSecurityGroupIds": "SecurityGroupIds",
            "securityGroupNames": "SecurityGroups",
            "instanceInitiatedShutdownBehavior": "InstanceInitiatedShutdownBehavior"}
# Blocks whose API form is their wire form with capitalised keys.
_BLOCKS = {"iamInstanceProfile": "IamInstanceProfile", "monitoring": "Monitoring",
           "metadataOptions": "MetadataOptions", "placement": "Placement",
           "creditSpecification": "CreditSpecification", "cpuOptions": "CpuOptions"}
_LIST_BLOCKS = {"blockDeviceMappings": "BlockDeviceMappings", "networkInterfaces": "NetworkInterfaces",
                "tagSpecifications": "TagSpecifications"}
_NOT_IMPLEMENTED = "not implemented by envctl's local engine for launch templates"
_INTERFACE_FIELDS = {"associatePublicIpAddress", "deleteOnTermination", "description", "deviceIndex",
                     "networkInterfaceId", "privateIpAddress", "securityGroups", "subnetId", "ipv4AddressCount",
                     "ipv6AddressCount", "ipv4Addresses", "ipv6Addresses", "networkCardIndex", "interfaceType"}
_TEMPLATE_GONE = (*EC2_GONE, "InvalidLaunchTemplateId.*", "InvalidLaunchTemplateName.*")
_STRING_BOOLEANS = ("associatePublicIpAddress", "deleteOnTermination", "encrypted")  # Terraform keeps them as text


def _text(value: Any) -> str:
    return "" if value is None else str(value).lower()


def _flag(value: Any) -> bool | None:
    return None if value in (None, "") else str(value).lower() == "true"


def _with_flags(block: dict, to_api: bool) -> dict:
    """A block with Terraform's string booleans as the API's booleans, or back."""
    convert: Callable[[Any], Any] = _flag if to_api else _text
    names = _STRING_BOOLEANS if not to_api else tuple(k[0].upper() + k[1:] for k in _STRING_BOOLEANS)
    return {k: convert(v) if k in names else v for k, v in block.items() if not (to_api and v in (None, ""))}


# Network interface fields whose API names differ: wire -> (API name, to API, to wire).
_INTERFACE_RENAMES: dict[str, tuple[str, Callable[[Any], Any], Callable[[Any], Any]]] = {
    "securityGroups": ("Groups", list, list),
    "ipv4AddressCount": ("SecondaryPrivateIpAddressCount", int, int),
    "ipv4Addresses": ("PrivateIpAddresses", lambda ips: [{"PrivateIpAddress": ip} for ip in ips],
                      lambda entries: [e["PrivateIpAddress"] for e in entries]),
    "ipv6Addresses": ("Ipv6Addresses", lambda ips: [{"Ipv6Address": ip} for ip in ips],
                      lambda entries: [e["Ipv6Address"] for e in entries]),
}


def _interface_to_api(interface: Props) -> dict:
    plain = {k: v for k, v in interface.items() if k not in _INTERFACE_RENAMES and v not in (None, "")}
    api = _with_flags(api_keys(plain), to_api=True)
    for key, (name, to_api, _) in _INTERFACE_RENAMES.items():
        if interface.get(key):
            api[name] = to_api(interface[key])
    return api


def _interface_to_wire(api: dict) -> Props:
    by_api = {name: (key, to_wire) for key, (name, _, to_wire) in _INTERFACE_RENAMES.items()}
    wire = _with_flags(wire_keys({k: v for k, v in api.items() if k not in by_api}), to_api=False)
    for name, (key, to_wire) in by_api.items():
        if name in api:
            wire[key] = to_wire(api[name])
    return wire


def _mapping_to_api(mapping: Props) -> dict:
    api = api_keys({k: v for k, v in mapping.items() if k != "ebs" and v not in (None, "")})
    if mapping.get("ebs"):
        api["Ebs"] = _with_flags(api_keys({k: v for k, v in mapping["ebs"].items() if v not in (None, "")}),
                                 to_api=True)
    return api


def _mapping_to_wire(api: dict) -> Props:
    wire = wire_keys({k: v for k, v in api.items() if k != "Ebs"})
    if "Ebs" in api:
        wire["ebs"] = _with_flags(wire_keys(api["Ebs"]), to_api=False)
    return wire


def _tags_to_api(spec: Props) -> dict:
    return {"ResourceType": spec["resourceType"], "Tags": tag_list(spec.get("tags") or {})}


def _tags_to_wire(api: dict) -> Props:
    return {"resourceType": api["ResourceType"], "tags": tag_dict(api.get("Tags"))}


_LIST_CONVERSIONS = {
    "blockDeviceMappings": (_mapping_to_api, _mapping_to_wire),
    "networkInterfaces": (_interface_to_api, _interface_to_wire),
    "tagSpecifications": (_tags_to_api, _tags_to_wire),
}
_DATA_INPUTS = frozenset({*_SCALARS, *_BLOCKS, *_LIST_BLOCKS, "ebsOptimized"})


def template_data(inputs: Props) -> dict[str, Any]:
    """The LaunchTemplateData of the inputs."""
    data: dict[str, Any] = {api: inputs[key] for key, api in _SCALARS.items() if inputs.get(key) not in (None, "", [])}
    if inputs.get("ebsOptimized") not in (None, ""):
        data["EbsOptimized"] = _flag(inputs["ebsOptimized"])
    for key, api in _BLOCKS.items():
        if inputs.get(key):
            data[api] = api_keys({k: v for k, v in inputs[key].items() if v not in (None, "")})
    for key, api in _LIST_BLOCKS.items():
        if inputs.get(key):
            data[api] = [_LIST_CONVERSIONS[key][0](item) for item in inputs[key]]
    return data


def _data_outputs(data: dict[str, Any]) -> Props:
    """The settings of a version as inputs, "" / None / [] where the version has none."""
    # moto copies the template's own tags into its first version's tag specifications; instances and volumes
    # are what a version tags, never the template.
    data = {**data, "TagSpecifications": [spec for spec in data.get("TagSpecifications", [])
                                          if spec.get("ResourceType") != "launch-template"]}
    outputs: Props = {key: data.get(api, [] if key.endswith("Ids") or key.endswith("Names") else "")
                      for key, api in _SCALARS.items()}
    for key in ("disableApiTermination", "disableApiStop"):
        outputs[key] = bool(data.get(_SCALARS[key]))
    outputs["ebsOptimized"] = _text(data.get("EbsOptimized"))
    outputs.update({key: wire_keys(data[api]) if api in data else None for key, api in _BLOCKS.items()})
    outputs.update({key: [_LIST_CONVERSIONS[key][1](item) for item in data.get(api, [])]
                    for key, api in _LIST_BLOCKS.items()})
    return outputs


@resource_type
class LaunchTemplate(Ec2Resource):
    token = "aws:ec2/launchTemplate:LaunchTemplate"
    tagged_type = "launch-template"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = 128
    force_new = frozenset({"name", "namePrefix"})
    handled = frozenset({*_DATA_INPUTS, "description", "defaultVersion", "updateDefaultVersion"})
    unsupported = {key: _NOT_IMPLEMENTED for key in (
        "capacityReservationSpecification", "enclaveOptions", "hibernationOptions", "instanceMarketOptions",
        "instanceRequirements", "licenseSpecifications", "maintenanceOptions", "networkPerformanceOptions",
        "privateDnsNameOptions", "secondaryInterfaces")}
    outputs = frozenset({"arn", "latestVersion"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        interfaces = inputs.get("networkInterfaces") or []
        return unsupported_fields(self.token, "networkInterfaces", interfaces, _INTERFACE_FIELDS) + failure_unless(
            not (inputs.get("defaultVersion") and inputs.get("updateDefaultVersion")), "defaultVersion",
            "set defaultVersion or updateDefaultVersion, not both")

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        request: dict[str, Any] = {"LaunchTemplateName": self.physical_name(inputs),
                                   "LaunchTemplateData": template_data(inputs)}
        if inputs.get("description"):
            request["VersionDescription"] = inputs["description"]
        template_id = ctx.client("ec2").create_launch_template(
            TagSpecifications=tag_specifications("launch-template", self.tags_all(ctx, urn, inputs)), **request,
        )["LaunchTemplate"]["LaunchTemplateId"]
        return template_id, self.read_back(ctx, template_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        ec2 = ctx.client("ec2")
        template = one_found(ec2.describe_launch_templates, "LaunchTemplates",
                             _TEMPLATE_GONE, LaunchTemplateIds=[id])
        if template is None:
            return None
        # As in Terraform, the settings are the latest version's, whichever is the default.
        latest = ec2.describe_launch_template_versions(
            LaunchTemplateId=id, Versions=["$Latest"])["LaunchTemplateVersions"][0]
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"launch-template/{id}"),
            "name": template["LaunchTemplateName"],
            "namePrefix": state.get("namePrefix") or "",
            "description": latest.get("VersionDescription") or "",
            "defaultVersion": template["DefaultVersionNumber"],
            "latestVersion": template["LatestVersionNumber"],
            "updateDefaultVersion": state.get("updateDefaultVersion"),
            **_data_outputs(latest.get("LaunchTemplateData") or {}),
            **{key: None for key in self.unsupported},
            **ec2_tags(ctx, template.get("Tags"), state),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        ec2 = ctx.client("ec2")
        changed = set(diff.changed)
        if changed & (_DATA_INPUTS | {"description"}):
            request: dict[str, Any] = {"LaunchTemplateId": id, "LaunchTemplateData": template_data(news)}
            if news.get("description"):
                request["VersionDescription"] = news["description"]
            version = ec2.create_launch_template_version(**request)["LaunchTemplateVersion"]["VersionNumber"]
            if news.get("updateDefaultVersion"):
                ec2.modify_launch_template(LaunchTemplateId=id, DefaultVersion=str(version))
        if "defaultVersion" in changed and news.get("defaultVersion"):
            ec2.modify_launch_template(LaunchTemplateId=id, DefaultVersion=str(int(news["defaultVersion"])))
        sync_ec2_tags(ctx, id, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self.read_back(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2_remove(ctx.client("ec2").delete_launch_template, also_gone=_TEMPLATE_GONE,
                   LaunchTemplateId=id)
