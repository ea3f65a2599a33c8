"""aws:ec2 network ACLs: the ACL with inline rules and subnets, the VPC's default ACL (adopted, not created), one
rule as a resource, and one subnet's association. Rules and associations follow terraform-provider-aws."""

from __future__ import annotations

import zlib
from typing import Any

from envctl.errors import OperationFailed
from envctl.providers.aws.base import CheckFailure, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.shared import (
    EC2_GONE,
    Ec2Resource,
    ec2_remove,
    ec2_tags,
    exactly_one,
    failure_unless,
    sync_ec2_tags,
    tag_specifications,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_dict
from envctl.providers.aws.wire import in_configured_order

# ---- rules, shared by the inline blocks and the rule resource ------------------------------

# AWS takes and reports protocols by number; programs may name them.
_PROTOCOL_NUMBERS = {"all": "-1", "tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58"}
_DEFAULT_RULE_NUMBERS = (32767, 32768)  # the catch-all deny of IPv4 and of IPv6, which every ACL has
_INLINE_RULE_FIELDS = ("fromPort", "toPort", "ruleNo", "action", "protocol", "cidrBlock", "ipv6CidrBlock")
_NO_ICMP_CODES = "the local cloud (moto) does not keep a network ACL rule's ICMP type and code; an ICMP rule " \
                 "without them is type 0, code 0"
_ICMP_FIELDS = {"icmpType": _NO_ICMP_CODES, "icmpCode": _NO_ICMP_CODES}
_DIRECTIONS = {"ingress": False, "egress": True}
_ACL_GONE = (*EC2_GONE, "InvalidRouteTableID.NotFound")  # moto answers an unknown ACL id with the route table code


def protocol_number(value: Any) -> str:
    text = str(value).lower()
    return _PROTOCOL_NUMBERS.get(text, text)


def _entry_request(rule: Props, number_key: str, action_key: str) -> dict[str, Any]:
    """CreateNetworkAclEntry's parameters for a rule, inline (ruleNo, action) or a resource (ruleNumber,
    ruleAction); ports and ICMP codes matter only to the protocols that have them."""
    request: dict[str, Any] = {"RuleNumber": int(rule[number_key]), "Protocol": protocol_number(rule["protocol"]),
                               "RuleAction": rule[action_key]}
    for key, parameter in (("cidrBlock", "CidrBlock"), ("ipv6CidrBlock", "Ipv6CidrBlock")):
        if rule.get(key):
            request[parameter] = rule[key]
    if request["Protocol"] in ("1", "58"):
        request["IcmpTypeCode"] = {"Type": int(rule.get("icmpType") or 0), "Code": int(rule.get("icmpCode") or 0)}
    elif request["Protocol"] != "-1":
        request["PortRange"] = {"From": int(rule.get("fromPort") or 0), "To": int(rule.get("toPort") or 0)}
    return request


def _entry_outputs(entry: dict[str, Any]) -> Props:
    """An ACL entry in Terraform's form, every field present."""
    ports, icmp = entry.get("PortRange") or {}, entry.get("IcmpTypeCode") or {}
    return {
        "ruleNo": entry["RuleNumber"],
        "action": entry["RuleAction"],
        "protocol": entry["Protocol"],
        "cidrBlock": entry.get("CidrBlock") or "",
        "ipv6CidrBlock": entry.get("Ipv6CidrBlock") or "",
        "fromPort": ports.get("From") or 0,
        "toPort": ports.get("To") or 0,
        "icmpType": icmp.get("Type") or 0,
        "icmpCode": icmp.get("Code") or 0,
    }


def _rule_key(rule: Props) -> tuple:
    """What makes two inline rules the same, as Terraform's set hash sees them (a protocol by name or number)."""
    protocol = protocol_number(rule.get("protocol"))
    ports = (0, 0) if protocol == "-1" else (int(rule.get("fromPort") or 0), int(rule.get("toPort") or 0))
    return (int(rule.get("ruleNo") or 0), str(rule.get("action") or "").lower(), protocol, *ports,
            rule.get("cidrBlock") or "", rule.get("ipv6CidrBlock") or "",
            int(rule.get("icmpType") or 0), int(rule.get("icmpCode") or 0))


def _rule_failures(token: str, inputs: Props) -> list[CheckFailure]:
    failures: list[CheckFailure] = []
    for direction in _DIRECTIONS:
        rules = inputs.get(direction) or []
        failures += unsupported_fields(token, direction, rules, _INLINE_RULE_FIELDS, _ICMP_FIELDS)
        for index, rule in enumerate(rules):
            failures += exactly_one(rule, ("cidrBlock", "ipv6CidrBlock"), f"{direction}[{index}]")
    return failures


def _acl(ec2: Any, acl_id: str) -> dict | None:
    return one_found(ec2.describe_network_acls, "NetworkAcls", _ACL_GONE, NetworkAclIds=[acl_id])


def _entries(acl: dict, egress: bool) -> list[dict]:
    return [e for e in acl.get("Entries", [])
            if e["Egress"] == egress and e["RuleNumber"] not in _DEFAULT_RULE_NUMBERS]


def _sync_rules(ec2: Any, acl_id: str, olds: list[dict], news: list[dict], egress: bool) -> None:
    """Delete the rules that went and create the ones that came; a rule that changed is both."""
    old = {_rule_key(r): r for r in olds}
    new = {_rule_key(r): r for r in news}
    for key in old.keys() - new.keys():
        ec2_remove(ec2.delete_network_acl_entry, NetworkAclId=acl_id, RuleNumber=key[0], Egress=egress)
    for key in new.keys() - old.keys():
        ec2.create_network_acl_entry(NetworkAclId=acl_id, Egress=egress, **_entry_request(new[key], "ruleNo", "action"))


def _acl_outputs(ctx: AwsContext, acl: dict, state: Props) -> Props:
    subnets = [a["SubnetId"] for a in acl.get("Associations", []) if a.get("SubnetId")]
    return {
        "id": acl["NetworkAclId"],
        "arn": ctx.arn("ec2", f"network-acl/{acl['NetworkAclId']}", account=acl["OwnerId"]),
        "vpcId": acl["VpcId"],
        "ingress": [_entry_outputs(e) for e in _entries(acl, False)],
        "egress": [_entry_outputs(e) for e in _entries(acl, True)],
        "subnetIds": in_configured_order(state.get("subnetIds"), subnets),
        "ownerId": acl["OwnerId"],
        **ec2_tags(ctx, acl.get("Tags"), state),
    }


# ---- subnet associations, shared -----------------------------------------------------------


def _subnet_association(ec2: Any, subnet_id: str) -> dict | None:
    """A subnet's association with its ACL: every subnet has exactly one."""
    acl = one_found(ec2.describe_network_acls, "NetworkAcls", _ACL_GONE,
                    Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])
    return next((a for a in (acl or {}).get("Associations", []) if a.get("SubnetId") == subnet_id), None)


def _default_acl_id(ec2: Any, vpc_id: str) -> str:
    acl = one_found(ec2.describe_network_acls, "NetworkAcls", _ACL_GONE,
                    Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}])
    if acl is None:
        raise OperationFailed(f"VPC {vpc_id} has no default network ACL")
    return acl["NetworkAclId"]


def associate_subnet(ec2: Any, subnet_id: str, acl_id: str) -> str:
    """Move a subnet to an ACL; the new association's id."""
    current = _subnet_association(ec2, subnet_id)
    if current is None:
        raise OperationFailed(f"subnet {subnet_id} has no network ACL association; does the subnet exist?")
    if current["NetworkAclId"] == acl_id:
        return str(current["NetworkAclAssociationId"])
    return str(ec2.replace_network_acl_association(
        AssociationId=current["NetworkAclAssociationId"], NetworkAclId=acl_id)["NewAssociationId"])


def release_subnet(ec2: Any, subnet_id: str, acl_id: str, vpc_id: str) -> None:
    """Move a subnet that is still in the ACL back to its VPC's default ACL (a subnet cannot be in none)."""
    current = _subnet_association(ec2, subnet_id)
    if current is not None and current["NetworkAclId"] == acl_id:
        associate_subnet(ec2, subnet_id, _default_acl_id(ec2, vpc_id))


def _sync_subnets(ec2: Any, acl_id: str, vpc_id: str, olds: list[str], news: list[str]) -> None:
    for subnet_id in set(olds) - set(news):
        release_subnet(ec2, subnet_id, acl_id, vpc_id)
    for subnet_id in news:
        associate_subnet(ec2, subnet_id, acl_id)


class _AclWithRules(Ec2Resource):
    """What the ACL and the default ACL share: inline rules and subnets, compared as Terraform's sets."""

    set_properties = ("subnetIds",)
    outputs = frozenset({"arn", "ownerId"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return _rule_failures(self.token, inputs)

    def diff_form(self, props: Props) -> Props:
        form = dict(props)
        for direction in _DIRECTIONS:
            if isinstance(form.get(direction), list):
                form[direction] = sorted(_rule_key(rule) for rule in form[direction])
        return form

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        acl = _acl(ctx.client("ec2"), id)
        return None if acl is None else _acl_outputs(ctx, acl, state)

    def _apply(self, ctx: AwsContext, id: str, vpc_id: str, olds: Props, news: Props, keys: set[str]) -> None:
        """Make the rules and subnets named in `keys` the program's. Like Terraform's (optional and computed),
        they are left as they are where the program does not set them."""
        ec2 = ctx.client("ec2")
        for direction, egress in _DIRECTIONS.items():
            if direction in keys:
                _sync_rules(ec2, id, olds.get(direction) or [], news.get(direction) or [], egress)
        if "subnetIds" in keys and news.get("subnetIds") is not None:
            _sync_subnets(ec2, id, vpc_id, olds.get("subnetIds") or [], news["subnetIds"])

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        self._apply(ctx, id, olds["vpcId"], olds, news, changed)


@resource_type
class NetworkAcl(_AclWithRules):
    token = "aws:ec2/networkAcl:NetworkAcl"
    tagged_type = "network-acl"
    required = ("vpcId",)
    force_new = frozenset({"vpcId"})
    handled = frozenset({"ingress", "egress", "subnetIds"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        acl_id = ctx.client("ec2").create_network_acl(
            VpcId=inputs["vpcId"],
            TagSpecifications=tag_specifications("network-acl", self.tags_all(ctx, urn, inputs)),
        )["NetworkAcl"]["NetworkAclId"]
        self.read_back(ctx, acl_id, inputs)
        self._apply(ctx, acl_id, inputs["vpcId"], {}, inputs, set(inputs))
        return acl_id, self.read_back(ctx, acl_id, inputs)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2 = ctx.client("ec2")
        acl = _acl(ec2, id)
        if acl is None:
            return
        for association in acl.get("Associations", []):  # what AWS has now, not what state remembers
            release_subnet(ec2, association["SubnetId"], id, acl["VpcId"])
        ec2_remove(ec2.delete_network_acl, also_gone=("InvalidRouteTableID.NotFound",), NetworkAclId=id)


@resource_type
class DefaultNetworkAcl(_AclWithRules):
    """The ACL every VPC comes with: adopted, its rules made the program's (none given: it denies all), and left
    in place on delete, as in pulumi-aws."""

    token = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
    required = ("defaultNetworkAclId",)
    force_new = frozenset({"defaultNetworkAclId"})
    handled = frozenset({"ingress", "egress", "subnetIds"})
    outputs = frozenset({"arn", "ownerId", "vpcId"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2, acl_id = ctx.client("ec2"), inputs["defaultNetworkAclId"]
        acl = _acl(ec2, acl_id)
        if acl is None or not acl.get("IsDefault"):
            raise OperationFailed(f"{acl_id} is not the default network ACL of a VPC")
        current = {direction: [_entry_outputs(e) for e in _entries(acl, egress)]
                   for direction, egress in _DIRECTIONS.items()}
        # Every rule goes unless the program gives it; subnets stay where they are unless listed.
        self._apply(ctx, acl_id, acl["VpcId"], {**current, "subnetIds": []}, inputs, {*_DIRECTIONS, "subnetIds"})
        sync_ec2_tags(ctx, acl_id, tag_dict(acl.get("Tags")), self.tags_all(ctx, urn, inputs))
        return acl_id, self.read_back(ctx, acl_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        outputs = super().read(ctx, id, state)
        return None if outputs is None else {**outputs, "defaultNetworkAclId": id}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """The default ACL cannot be deleted; it leaves the stack as it is."""


# ---- one rule ------------------------------------------------------------------------------


def _rule_id(acl_id: str, rule_number: int, egress: bool, protocol: str) -> str:
    """Terraform's network ACL rule id: nacl-<crc32 of acl-rule number-egress-protocol->."""
    return f"nacl-{zlib.crc32(f'{acl_id}-{rule_number}-{str(egress).lower()}-{protocol}-'.encode())}"


@resource_type
class NetworkAclRule(Ec2Resource):
    token = "aws:ec2/networkAclRule:NetworkAclRule"
    taggable = False
    required = ("networkAclId", "protocol", "ruleAction", "ruleNumber")
    defaults = {"egress": False}
    force_new = frozenset({"networkAclId", "protocol", "ruleAction", "ruleNumber", "egress", "cidrBlock",
                           "ipv6CidrBlock", "fromPort", "toPort", "icmpType", "icmpCode"})
    handled = frozenset({"egress", "cidrBlock", "ipv6CidrBlock", "fromPort", "toPort"})
    unsupported = _ICMP_FIELDS

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return exactly_one(inputs, ("cidrBlock", "ipv6CidrBlock"), "cidrBlock") + failure_unless(
            str(inputs.get("ruleAction")).lower() in ("allow", "deny"), "ruleAction",
            "ruleAction must be 'allow' or 'deny'")

    def diff_form(self, props: Props) -> Props:
        form = dict(props)
        if form.get("protocol") is not None:
            form["protocol"] = protocol_number(form["protocol"])
        if form.get("ruleAction"):
            form["ruleAction"] = str(form["ruleAction"]).lower()
        return form

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        egress = bool(inputs.get("egress"))
        ctx.client("ec2").create_network_acl_entry(
            NetworkAclId=inputs["networkAclId"], Egress=egress, **_entry_request(inputs, "ruleNumber", "ruleAction"))
        rule_id = _rule_id(inputs["networkAclId"], int(inputs["ruleNumber"]), egress, str(inputs["protocol"]))
        return rule_id, self.read_back(ctx, rule_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        acl = _acl(ctx.client("ec2"), state["networkAclId"])
        egress = bool(state.get("egress"))
        entry = next((e for e in _entries(acl or {}, egress) if e["RuleNumber"] == int(state["ruleNumber"])), None)
        if entry is None:
            return None
        outputs = _entry_outputs(entry)
        # The protocol as the program gave it, where AWS's number means the same.
        same_protocol = protocol_number(state.get("protocol")) == outputs["protocol"]
        return {
            "id": id,
            "networkAclId": state["networkAclId"],
            "egress": egress,
            "ruleNumber": outputs["ruleNo"],
            "ruleAction": outputs["action"],
            "protocol": state["protocol"] if same_protocol else outputs["protocol"],
            **{k: outputs[k] for k in ("cidrBlock", "ipv6CidrBlock", "fromPort", "toPort", "icmpType", "icmpCode")},
        }

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if self.read(ctx, id, state) is None:  # moto fails (500) deleting a rule that is not there
            return
        ec2_remove(ctx.client("ec2").delete_network_acl_entry, also_gone=("InvalidRouteTableID.NotFound",),
                   NetworkAclId=state["networkAclId"], RuleNumber=int(state["ruleNumber"]),
                   Egress=bool(state.get("egress")))


# ---- one subnet's association --------------------------------------------------------------


@resource_type
class NetworkAclAssociation(Ec2Resource):
    token = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
    taggable = False
    required = ("networkAclId", "subnetId")
    force_new = frozenset({"networkAclId", "subnetId"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        association_id = associate_subnet(ctx.client("ec2"), inputs["subnetId"], inputs["networkAclId"])
        return association_id, self.read_back(ctx, association_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        association = _subnet_association(ctx.client("ec2"), state["subnetId"])
        if association is None or association["NetworkAclAssociationId"] != id:
            return None
        return {"id": id, "networkAclId": association["NetworkAclId"], "subnetId": association["SubnetId"]}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2 = ctx.client("ec2")
        acl = _acl(ec2, state["networkAclId"])
        if acl is not None:
            release_subnet(ec2, state["subnetId"], state["networkAclId"], acl["VpcId"])
