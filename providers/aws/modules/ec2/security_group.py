"""aws:ec2 security groups and security group rules (rules inline, or one per resource)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any, NamedTuple

from envctl.providers.aws.base import CheckFailure, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.shared import (
    EC2_GONE,
    EC2_WAITER,
    Ec2Resource,
    ec2_remove,
    ec2_tags,
    failure_unless,
    tag_specifications,
)
from envctl.providers.aws.naming import unique_id_prefix
from envctl.providers.aws.registry import resource_type

# ---- Security group -------------------------------------------------------------------------

_PROTOCOL_NAMES = {"all": "-1", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
# Rule list property -> IpPermission list and the key of the address in it.
_GRANT_KINDS = {
    "cidrBlocks": ("IpRanges", "CidrIp"),
    "ipv6CidrBlocks": ("Ipv6Ranges", "CidrIpv6"),
    "prefixListIds": ("PrefixListIds", "PrefixListId"),
    "securityGroups": ("UserIdGroupPairs", "GroupId"),
}
_RULE_LISTS = tuple(_GRANT_KINDS)


class Grant(NamedTuple):
    """One address a rule lets through: AWS stores and revokes rules at this grain."""

    protocol: str
    from_port: int
    to_port: int
    kind: str  # a _GRANT_KINDS key, or "self"
    value: str
    description: str


def protocol_name(value: Any) -> str:
    text = str(value).lower()
    return _PROTOCOL_NAMES.get(text, text)


def _normal_rule(rule: Props) -> Props:
    """A rule in the form pulumi-aws returns it: every field present, protocol by name, ports as ints
    (AWS ignores the ports of an all-traffic rule and reports none)."""
    protocol = protocol_name(rule.get("protocol"))
    all_traffic = protocol == "-1"
    return {
        "protocol": protocol,
        "fromPort": 0 if all_traffic else int(rule.get("fromPort") or 0),
        "toPort": 0 if all_traffic else int(rule.get("toPort") or 0),
        **{name: list(rule.get(name) or []) for name in _RULE_LISTS},
        "self": bool(rule.get("self")),
        "description": rule.get("description") or "",
    }


def rule_grants(rule: Props) -> list[Grant]:
    r = _normal_rule(rule)
    port_range = (r["protocol"], r["fromPort"], r["toPort"])
    grants = [Grant(*port_range, kind, value, r["description"]) for kind in _RULE_LISTS for value in r[kind]]
    if r["self"]:
        grants.append(Grant(*port_range, "self", "", r["description"]))
    return grants


def aws_grants(permissions: Iterable[dict], group_id: str) -> list[Grant]:
    grants = []
    for permission in permissions:
        protocol = protocol_name(permission["IpProtocol"])
        all_traffic = protocol == "-1"
        from_port = 0 if all_traffic else permission.get("FromPort", 0)
        to_port = 0 if all_traffic else permission.get("ToPort", 0)
        for kind, (list_key, value_key) in _GRANT_KINDS.items():
            for entry in permission.get(list_key, []):
                is_self = kind == "securityGroups" and entry[value_key] == group_id
                grants.append(Grant(
                    protocol, from_port, to_port, "self" if is_self else kind,
                    "" if is_self else entry[value_key], entry.get("Description", ""),
                ))
    return grants


def permissions(grants: Iterable[Grant], group_id: str) -> list[dict[str, Any]]:
    permissions = []
    for grant in grants:
        list_key, value_key = _GRANT_KINDS["securityGroups" if grant.kind == "self" else grant.kind]
        entry = {value_key: group_id if grant.kind == "self" else grant.value}
        if grant.description:
            entry["Description"] = grant.description
        permissions.append(
            {"IpProtocol": grant.protocol, "FromPort": grant.from_port, "ToPort": grant.to_port, list_key: [entry]}
        )
    return permissions


def _rules_from_grants(grants: list[Grant], known_rules: Iterable[Props]) -> list[Props]:
    """Rebuild rules as the program wrote them (AWS merges them), in state order; grants no known rule
    accounts for become one rule per port range and description."""
    remaining = list(grants)
    rules = []
    for rule in known_rules:
        wanted = rule_grants(rule)
        if wanted and all(grant in remaining for grant in wanted):
            for grant in wanted:
                remaining.remove(grant)
            rules.append(_normal_rule(rule))
    leftovers: dict[tuple, Props] = {}
    for grant in remaining:
        key = (grant.protocol, grant.from_port, grant.to_port, grant.description)
        rule = leftovers.setdefault(key, _normal_rule(
            {"protocol": grant.protocol, "fromPort": grant.from_port, "toPort": grant.to_port,
             "description": grant.description}
        ))
        if grant.kind == "self":
            rule["self"] = True
        else:
            rule[grant.kind].append(grant.value)
    return rules + [leftovers[key] for key in sorted(leftovers)]


DIRECTIONS = {
    "ingress": ("IpPermissions", "authorize_security_group_ingress", "revoke_security_group_ingress"),
    "egress": ("IpPermissionsEgress", "authorize_security_group_egress", "revoke_security_group_egress"),
}


@resource_type
class SecurityGroup(Ec2Resource):
    token = "aws:ec2/securityGroup:SecurityGroup"
    tagged_type = "security-group"
    name_property = "name"
    name_prefix_property = "namePrefix"
    defaults = {"description": "Managed by Pulumi", "revokeRulesOnDelete": False}
    force_new = frozenset({"name", "namePrefix", "description", "vpcId"})
    handled = frozenset({"description", "vpcId", "ingress", "egress", "revokeRulesOnDelete"})
    outputs = frozenset({"arn", "ownerId"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        if str(inputs.get("name") or inputs.get("namePrefix") or "").startswith("sg-"):
            return [CheckFailure("name", "a security group name cannot begin with 'sg-'")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        name = self.physical_name(inputs)
        group_id = ec2.create_security_group(
            GroupName=name,
            Description=inputs["description"],
            TagSpecifications=tag_specifications("security-group", self.tags_all(ctx, urn, inputs)),
            **({"VpcId": inputs["vpcId"]} if inputs.get("vpcId") else {}),
        )["GroupId"]
        ec2.get_waiter("security_group_exists").wait(GroupIds=[group_id], WaiterConfig=EC2_WAITER)
        # Like pulumi-aws (Terraform): AWS's default allow-all egress is removed, so only declared egress remains.
        for cidr in ({"IpRanges": [{"CidrIp": "0.0.0.0/0"}]}, {"Ipv6Ranges": [{"CidrIpv6": "::/0"}]}):
            ec2_remove(ec2.revoke_security_group_egress, also_gone=("InvalidParameterValue",), GroupId=group_id,
                       IpPermissions=[{"IpProtocol": "-1", "FromPort": 0, "ToPort": 0, **cidr}])
        for direction, (_, authorize, _) in DIRECTIONS.items():
            grants = [grant for rule in inputs.get(direction) or [] for grant in rule_grants(rule)]
            if grants:
                getattr(ec2, authorize)(GroupId=group_id, IpPermissions=permissions(grants, group_id))
        return group_id, self.read_back(ctx, group_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        group = one_found(ctx.client("ec2").describe_security_groups, "SecurityGroups", EC2_GONE, GroupIds=[id])
        if group is None:
            return None
        rules = {
            direction: _rules_from_grants(aws_grants(group.get(key, []), id), state.get(direction) or [])
            for direction, (key, _, _) in DIRECTIONS.items()
        }
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"security-group/{id}", account=group["OwnerId"]),
            "name": group["GroupName"],
            "namePrefix": unique_id_prefix(group["GroupName"]),
            "description": group["Description"],
            "vpcId": group.get("VpcId", ""),
            **rules,
            "revokeRulesOnDelete": bool(state.get("revokeRulesOnDelete")),  # envctl's own switch, not AWS's
            "ownerId": group["OwnerId"],
            **ec2_tags(ctx, group.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        ec2 = ctx.client("ec2")
        for direction, (_, authorize, revoke) in DIRECTIONS.items():
            if direction not in changed:
                continue
            old = {grant for rule in olds.get(direction) or [] for grant in rule_grants(rule)}
            new = {grant for rule in news.get(direction) or [] for grant in rule_grants(rule)}
            # Revoke first: a grant whose description changed is revoked and authorized again.
            if old - new:
                ec2_remove(getattr(ec2, revoke), also_gone=("InvalidPermission.NotFound",), GroupId=id,
                           IpPermissions=permissions(sorted(old - new), id))
            if new - old:
                getattr(ec2, authorize)(GroupId=id, IpPermissions=permissions(sorted(new - old), id))

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2 = ctx.client("ec2")
        if state.get("revokeRulesOnDelete"):
            group = one_found(ec2.describe_security_groups, "SecurityGroups", EC2_GONE, GroupIds=[id])
            for key, _, revoke in DIRECTIONS.values():
                if group and group.get(key):
                    ec2_remove(getattr(ec2, revoke), GroupId=id, IpPermissions=group[key])
        ec2_remove(ec2.delete_security_group, GroupId=id)


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
    outputs = frozenset({"securityGroupRuleId"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = failure_unless(inputs.get("type") in (None, *DIRECTIONS), "type",
                                    "type must be ingress or egress")
        sources = [key for key in _RULE_SOURCES if inputs.get(key)]
        failures += failure_unless(bool(sources), "cidrBlocks", f"set at least one of {', '.join(_RULE_SOURCES)}")
        families = sorted({_SOURCE_FAMILY[key] for key in sources if key in _SOURCE_FAMILY})
        failures += failure_unless(len(families) < 2, "sourceSecurityGroupId",
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
