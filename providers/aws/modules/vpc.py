"""aws:vpc security group ingress and egress rules: one rule per resource, addressed by its rule id."""

from __future__ import annotations

from typing import ClassVar

from envctl.providers.aws.base import CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.security_group import DIRECTIONS, Grant, permissions, protocol_name
from envctl.providers.aws.modules.ec2.shared import (
    EC2_GONE,
    Ec2Resource,
    ec2_remove,
    ec2_tags,
    exactly_one,
    tag_specifications,
)
from envctl.providers.aws.registry import resource_type

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
    outputs = frozenset({"arn", "securityGroupRuleId"})

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
