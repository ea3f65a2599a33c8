"""The resources every VPC comes with, adopted rather than created (as pulumi-aws does): the default security
group and the default (main) route table. Adoption replaces their rules or routes with the program's; delete
leaves them in place, since AWS deletes them only with their VPC. Also which table is a VPC's main one."""

from __future__ import annotations

from typing import Any

from envctl.errors import OperationFailed
from envctl.providers.aws.base import DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.routing import RouteTable
from envctl.providers.aws.modules.ec2.security_group import DIRECTIONS, SecurityGroup
from envctl.providers.aws.modules.ec2.shared import EC2_GONE, Ec2Resource, sync_ec2_tags
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_dict

# ---- default security group -----------------------------------------------------------------


@resource_type
class DefaultSecurityGroup(SecurityGroup):
    token = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
    tagged_type = None  # found by its VPC, not by envctl's tags
    name_property = None
    name_prefix_property = None
    defaults = {"revokeRulesOnDelete": False}
    force_new = frozenset({"vpcId"})
    handled = frozenset({"vpcId", "ingress", "egress", "revokeRulesOnDelete"})
    outputs = frozenset({"arn", "description", "name", "namePrefix", "ownerId"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        group = _default_group(ec2, inputs.get("vpcId") or _default_vpc_id(ec2))
        group_id = group["GroupId"]
        # What the group has now goes, as if state held it: the program's rules replace AWS's.
        current = self.read_back(ctx, group_id, {})
        news = {**inputs, "ingress": inputs.get("ingress") or [], "egress": inputs.get("egress") or []}
        self._change(ctx, group_id, current, news, set(DIRECTIONS))
        sync_ec2_tags(ctx, group_id, tag_dict(group.get("Tags")), self.tags_all(ctx, urn, inputs))
        return group_id, self.read_back(ctx, group_id, inputs)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """The default group stays with its VPC; Terraform only forgets it (its rules go if asked)."""
        if state.get("revokeRulesOnDelete"):
            ec2 = ctx.client("ec2")
            group = one_found(ec2.describe_security_groups, "SecurityGroups", EC2_GONE, GroupIds=[id])
            for key, _, revoke in DIRECTIONS.values():
                if group and group.get(key):
                    getattr(ec2, revoke)(GroupId=id, IpPermissions=group[key])


def _default_vpc_id(ec2: Any) -> str:
    vpc = one_found(ec2.describe_vpcs, "Vpcs", EC2_GONE, Filters=[{"Name": "is-default", "Values": ["true"]}])
    if vpc is None:
        raise OperationFailed("the region has no default VPC; set vpcId")
    return str(vpc["VpcId"])


def _default_group(ec2: Any, vpc_id: str) -> dict:
    group = one_found(ec2.describe_security_groups, "SecurityGroups", EC2_GONE, Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}])
    if group is None:
        raise OperationFailed(f"VPC {vpc_id} has no default security group")
    return group


# ---- default route table --------------------------------------------------------------------


@resource_type
class DefaultRouteTable(RouteTable):
    token = "aws:ec2/defaultRouteTable:DefaultRouteTable"
    tagged_type = None  # known by its given id
    required = ("defaultRouteTableId",)
    force_new = frozenset({"defaultRouteTableId"})
    outputs = frozenset({"arn", "ownerId", "vpcId"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        table_id = inputs["defaultRouteTableId"]
        table = one_found(ctx.client("ec2").describe_route_tables, "RouteTables", EC2_GONE, RouteTableIds=[table_id])
        if table is None:
            raise OperationFailed(f"route table {table_id} does not exist")
        current = self.read_back(ctx, table_id, {})
        self._change(ctx, table_id, current, {**inputs, "routes": inputs.get("routes") or []}, {"routes"})
        sync_ec2_tags(ctx, table_id, tag_dict(table.get("Tags")), self.tags_all(ctx, urn, inputs))
        return table_id, self.read_back(ctx, table_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        outputs = super().read(ctx, id, state)
        return None if outputs is None else {**outputs, "defaultRouteTableId": id}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """The default route table stays with its VPC, routes and all; Terraform only forgets it."""


# ---- main route table association -----------------------------------------------------------


def _main_association(ec2: Any, vpc_id: str) -> tuple[str, str] | None:
    """The VPC's main route table association: (association id, route table id)."""
    table = one_found(ec2.describe_route_tables, "RouteTables", EC2_GONE, Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}])
    for association in (table or {}).get("Associations", []):
        if association.get("Main"):
            return association["RouteTableAssociationId"], association["RouteTableId"]
    return None


@resource_type
class MainRouteTableAssociation(Ec2Resource):
    """Which table is the VPC's main one; delete makes the table that was main before main again. Changing the
    table gives the association a new id, returned as outputs['id'], as in Terraform."""

    token = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"
    taggable = False
    required = ("routeTableId", "vpcId")
    force_new = frozenset({"vpcId"})
    outputs = frozenset({"originalRouteTableId"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        current = _main_association(ec2, inputs["vpcId"])
        if current is None:
            raise OperationFailed(f"VPC {inputs['vpcId']} has no main route table")
        association_id, original_table = current
        new_id = ec2.replace_route_table_association(AssociationId=association_id,
                                                     RouteTableId=inputs["routeTableId"])["NewAssociationId"]
        return new_id, self.read_back(ctx, new_id, {**inputs, "originalRouteTableId": original_table})

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        current = _main_association(ctx.client("ec2"), state["vpcId"])
        if current is None or current[0] != id:
            return None
        return {"id": id, "vpcId": state["vpcId"], "routeTableId": current[1],
                "originalRouteTableId": state.get("originalRouteTableId", "")}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        new_id = ctx.client("ec2").replace_route_table_association(
            AssociationId=id, RouteTableId=news["routeTableId"])["NewAssociationId"]
        return self.read_back(ctx, new_id, {**news, "originalRouteTableId": olds.get("originalRouteTableId", "")})

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if self.read(ctx, id, state) is None:
            return
        ctx.client("ec2").replace_route_table_association(AssociationId=id,
                                                          RouteTableId=state["originalRouteTableId"])
