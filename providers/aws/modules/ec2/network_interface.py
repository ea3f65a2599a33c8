"""aws:ec2 network interfaces (ENIs): addresses in a subnet, security groups, and an attachment to an instance."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import CheckFailure, DiffResult, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.instance import private_dns_name
from envctl.providers.aws.modules.ec2.shared import (
    EC2_GONE,
    Ec2Resource,
    ec2_remove,
    ec2_tags,
    failure_unless,
    tag_specifications,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.waiting import wait_until
from envctl.providers.aws.wire import in_configured_order

_NO_PREFIXES = "prefix delegation is not emulated by the local cloud (moto's CreateNetworkInterface takes no prefixes)"
_NO_ORDERED_LISTS = "ordered address lists are not emulated by envctl's local engine; set privateIps / ipv6Addresses"
_ATTACHMENT_FIELDS = ("instance", "deviceIndex", "attachmentId")


@resource_type
class NetworkInterface(Ec2Resource):
    token = "aws:ec2/networkInterface:NetworkInterface"
    tagged_type = "network-interface"
    required = ("subnetId",)
    defaults = {"sourceDestCheck": True, "privateIpListEnabled": False, "ipv6AddressListEnabled": False}
    force_new = frozenset({"subnetId", "interfaceType"})
    set_properties = ("privateIps", "securityGroups", "ipv6Addresses")
    handled = frozenset({"description", "privateIp", "privateIps", "privateIpsCount", "securityGroups",
                         "sourceDestCheck", "ipv6AddressCount", "ipv6Addresses", "attachments",
                         "privateIpListEnabled", "ipv6AddressListEnabled"})
    unsupported = {
        "ipv4Prefixes": _NO_PREFIXES,
        "ipv4PrefixCount": _NO_PREFIXES,
        "ipv6Prefixes": _NO_PREFIXES,
        "ipv6PrefixCount": _NO_PREFIXES,
        "privateIpLists": _NO_ORDERED_LISTS,
        "ipv6AddressLists": _NO_ORDERED_LISTS,
        "interfaceType": "EFA, branch and trunk interfaces are not emulated by the local cloud",
        "enablePrimaryIpv6": "primary IPv6 addresses are not emulated by the local cloud",
        "enaSrdSpecification": "ENA Express is not emulated by the local cloud",
        "connectionTrackingSpecification": "connection tracking timeouts are not emulated by the local cloud",
    }
    outputs = frozenset({"arn", "macAddress", "outpostArn", "ownerId", "privateDnsName"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        attachments = inputs.get("attachments") or []
        return (
            unsupported_fields(self.token, "attachments", attachments, _ATTACHMENT_FIELDS,
                               {"networkCardIndex": "network cards are not emulated by the local cloud"})
            + failure_unless(len(attachments) <= 1, "attachments", "an interface has at most one attachment")
            + failure_unless(not (inputs.get("privateIpListEnabled") or inputs.get("ipv6AddressListEnabled")),
                             "privateIpListEnabled", _NO_ORDERED_LISTS)
            + failure_unless(not (inputs.get("ipv6AddressCount") and inputs.get("ipv6Addresses")),
                             "ipv6AddressCount", "set ipv6AddressCount or ipv6Addresses, not both")
        )

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        # As in Terraform: a new set of private addresses without the primary one needs a new interface.
        old_primary = _primary_address(olds)
        if "privateIps" in diff.changed and news.get("privateIps") and old_primary not in news["privateIps"]:
            return DiffResult(diff.changed, (*diff.replaces, "privateIps"))
        return diff

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        request: dict[str, Any] = {"SubnetId": inputs["subnetId"]}
        addresses = list(inputs.get("privateIps") or [])
        primary = _primary_address(inputs)
        if primary:
            request["PrivateIpAddresses"] = [{"PrivateIpAddress": ip, "Primary": ip == primary}
                                             for ip in [primary, *(ip for ip in addresses if ip != primary)]]
        if inputs.get("privateIpsCount") and not addresses:
            request["SecondaryPrivateIpAddressCount"] = int(inputs["privateIpsCount"])
        for key, parameter in (("description", "Description"), ("securityGroups", "Groups")):
            if inputs.get(key):
                request[parameter] = inputs[key]
        if inputs.get("ipv6Addresses"):
            request["Ipv6Addresses"] = [{"Ipv6Address": ip} for ip in inputs["ipv6Addresses"]]
        elif inputs.get("ipv6AddressCount"):
            request["Ipv6AddressCount"] = int(inputs["ipv6AddressCount"])
        interface_id = ec2.create_network_interface(
            TagSpecifications=tag_specifications("network-interface", self.tags_all(ctx, urn, inputs)), **request,
        )["NetworkInterface"]["NetworkInterfaceId"]
        self.read_back(ctx, interface_id, inputs)
        if inputs.get("privateIpsCount") and addresses:  # the count says how many secondaries in all
            missing = int(inputs["privateIpsCount"]) + 1 - len(request["PrivateIpAddresses"])
            if missing > 0:
                ec2.assign_private_ip_addresses(NetworkInterfaceId=interface_id,
                                                SecondaryPrivateIpAddressCount=missing)
        if inputs.get("sourceDestCheck") is False:
            ec2.modify_network_interface_attribute(NetworkInterfaceId=interface_id, SourceDestCheck={"Value": False})
        for attachment in inputs.get("attachments") or []:
            _attach(ec2, interface_id, attachment)
        return interface_id, self.read_back(ctx, interface_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        interface = _interface(ctx, id)
        if interface is None:
            return None
        addresses = interface.get("PrivateIpAddresses", [])
        primary = next((a["PrivateIpAddress"] for a in addresses if a.get("Primary")),
                       interface.get("PrivateIpAddress", ""))
        private_ips = [a["PrivateIpAddress"] for a in addresses]
        ipv6 = [a["Ipv6Address"] for a in interface.get("Ipv6Addresses", [])]
        attachment = interface.get("Attachment")
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"network-interface/{id}", account=interface["OwnerId"]),
            "subnetId": interface["SubnetId"],
            "description": interface.get("Description") or "",
            "privateIp": primary,
            "privateIps": in_configured_order(state.get("privateIps"), private_ips),
            "privateIpsCount": max(len(private_ips) - 1, 0),
            "privateIpLists": [primary, *(ip for ip in private_ips if ip != primary)],
            "privateIpListEnabled": bool(state.get("privateIpListEnabled")),
            "privateDnsName": interface.get("PrivateDnsName") or private_dns_name(ctx, primary),
            "securityGroups": in_configured_order(state.get("securityGroups"),
                                                  [g["GroupId"] for g in interface.get("Groups", [])]),
            "sourceDestCheck": interface.get("SourceDestCheck", True),
            "ipv6Addresses": in_configured_order(state.get("ipv6Addresses"), ipv6),
            "ipv6AddressCount": len(ipv6),
            "ipv6AddressLists": ipv6,
            "ipv6AddressListEnabled": bool(state.get("ipv6AddressListEnabled")),
            "attachments": [{"instance": attachment["InstanceId"], "deviceIndex": attachment["DeviceIndex"],
                             "attachmentId": attachment["AttachmentId"], "networkCardIndex": attachment.get(
                                 "NetworkCardIndex", 0)}] if attachment and attachment.get("InstanceId") else [],
            "macAddress": interface.get("MacAddress") or "",
            "interfaceType": interface.get("InterfaceType") or "interface",
            "outpostArn": interface.get("OutpostArn") or "",
            "ownerId": interface["OwnerId"],
            "ipv4Prefixes": [], "ipv4PrefixCount": 0, "ipv6Prefixes": [], "ipv6PrefixCount": 0,
            "enablePrimaryIpv6": False,
            **ec2_tags(ctx, interface.get("TagSet") or interface.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        ec2 = ctx.client("ec2")
        if "description" in changed:
            ec2.modify_network_interface_attribute(NetworkInterfaceId=id, Description={"Value": news.get(
                "description") or ""})
        if "securityGroups" in changed and news.get("securityGroups"):
            ec2.modify_network_interface_attribute(NetworkInterfaceId=id, Groups=news["securityGroups"])
        if "sourceDestCheck" in changed:
            ec2.modify_network_interface_attribute(NetworkInterfaceId=id,
                                                   SourceDestCheck={"Value": news.get("sourceDestCheck") is not False})
        _change_private_ips(ec2, id, olds, news, changed)
        _change_ipv6_addresses(ec2, id, olds, news, changed)
        if "attachments" in changed:
            _detach(ec2, id, olds)
            for attachment in news.get("attachments") or []:
                _attach(ec2, id, attachment)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2 = ctx.client("ec2")
        current = self.read(ctx, id, state)
        if current is None:
            return
        _detach(ec2, id, current)
        ec2_remove(ec2.delete_network_interface, NetworkInterfaceId=id)


def _primary_address(inputs: Props) -> str | None:
    """The primary private address an interface is created with: privateIp, else the first of privateIps."""
    return inputs.get("privateIp") or next(iter(sorted(inputs.get("privateIps") or [])), None)


def _interface(ctx: AwsContext, id: str) -> dict | None:
    return one_found(ctx.client("ec2").describe_network_interfaces, "NetworkInterfaces", EC2_GONE,
                     NetworkInterfaceIds=[id])


def _attach(ec2: Any, interface_id: str, attachment: Props) -> None:
    ec2.attach_network_interface(NetworkInterfaceId=interface_id, InstanceId=attachment["instance"],
                                 DeviceIndex=int(attachment["deviceIndex"]))


def _detach(ec2: Any, interface_id: str, state: Props) -> None:
    """Detach what the interface is attached to (by the attachment ids of `state`) and wait until it is free."""
    for attachment in state.get("attachments") or []:
        if attachment.get("attachmentId"):
            ec2_remove(ec2.detach_network_interface, also_gone=("InvalidAttachmentID.NotFound",),
                       AttachmentId=attachment["attachmentId"], Force=True)

    def free() -> bool:
        interface = one_found(ec2.describe_network_interfaces, "NetworkInterfaces", EC2_GONE,
                              NetworkInterfaceIds=[interface_id])
        return interface is None or not (interface.get("Attachment") or {}).get("InstanceId")

    wait_until(free, f"network interface {interface_id} to detach")


def _change_private_ips(ec2: Any, id: str, olds: Props, news: Props, changed: set[str]) -> None:
    """Secondary addresses: the listed ones come and go, then the count is made up with addresses EC2 picks."""
    current = set(olds.get("privateIps") or [])
    if "privateIps" in changed and news.get("privateIps") is not None:
        wanted = set(news["privateIps"])
        gone = sorted(current - wanted - {olds.get("privateIp")})
        if gone:
            ec2.unassign_private_ip_addresses(NetworkInterfaceId=id, PrivateIpAddresses=gone)
        if wanted - current:
            ec2.assign_private_ip_addresses(NetworkInterfaceId=id, PrivateIpAddresses=sorted(wanted - current))
        current = (current - set(gone)) | wanted
    if "privateIpsCount" in changed and news.get("privateIpsCount") is not None:
        extra = int(news["privateIpsCount"]) + 1 - len(current)
        if extra > 0:
            ec2.assign_private_ip_addresses(NetworkInterfaceId=id, SecondaryPrivateIpAddressCount=extra)
        elif extra < 0:
            secondaries = sorted(current - {olds.get("privateIp")})
            ec2.unassign_private_ip_addresses(NetworkInterfaceId=id, PrivateIpAddresses=secondaries[extra:])


def _change_ipv6_addresses(ec2: Any, id: str, olds: Props, news: Props, changed: set[str]) -> None:
    current = set(olds.get("ipv6Addresses") or [])
    if "ipv6Addresses" in changed and news.get("ipv6Addresses") is not None:
        wanted = set(news["ipv6Addresses"])
        if current - wanted:
            ec2.unassign_ipv6_addresses(NetworkInterfaceId=id, Ipv6Addresses=sorted(current - wanted))
        if wanted - current:
            ec2.assign_ipv6_addresses(NetworkInterfaceId=id, Ipv6Addresses=sorted(wanted - current))
    elif "ipv6AddressCount" in changed and news.get("ipv6AddressCount") is not None:
        extra = int(news["ipv6AddressCount"]) - len(current)
        if extra > 0:
            ec2.assign_ipv6_addresses(NetworkInterfaceId=id, Ipv6AddressCount=extra)
        elif extra < 0:
            ec2.unassign_ipv6_addresses(NetworkInterfaceId=id, Ipv6Addresses=sorted(current)[extra:])
