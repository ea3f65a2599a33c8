"""aws iam: Role, and managed policy attachments (RolePolicyAttachment; users' and groups' are in
iam_principals.py)."""

from __future__ import annotations

from contextlib import suppress
from typing import Any, ClassVar

from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import document_from_cloud, policies_equivalent
from envctl.providers.aws.listing import listed
from envctl.providers.aws.naming import prefixed_unique_id
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import Tags, sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.wire import timestamp

IAM_GONE = ("NoSuchEntity",)  # IAM's answer for a role, user, group, policy or profile that does not exist


# ---- Role ----------------------------------------------------------------------------------


@resource_type
class Role(AwsResource):
    token = "aws:iam/role:Role"
    id_property = "name"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = 64
    required = ("assumeRolePolicy",)
    defaults = {"path": "/", "maxSessionDuration": 3600, "forceDetachPolicies": False}
    force_new = frozenset({"name", "namePrefix", "path"})
    documents = {"assumeRolePolicy": policies_equivalent}
    # Deprecated in pulumi-aws; silently dropping them would leave a role without its policies.
    unsupported = dict.fromkeys(("inlinePolicies", "managedPolicyArns"),
                                "use aws.iam.RolePolicyAttachment (or aws.iam.RolePolicy) resources instead")
    gone_codes = IAM_GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        name = self.physical_name(inputs)
        tags_all = self.tags_all(ctx, urn, inputs)
        params: dict[str, Any] = {
            "RoleName": name,
            "AssumeRolePolicyDocument": inputs["assumeRolePolicy"],
            "Path": inputs["path"],
            "MaxSessionDuration": inputs["maxSessionDuration"],
        }
        if inputs.get("description"):
            params["Description"] = inputs["description"]
        if inputs.get("permissionsBoundary"):
            params["PermissionsBoundary"] = inputs["permissionsBoundary"]
        if tags_all:
            params["Tags"] = tag_list(tags_all)
        ctx.client("iam").create_role(**params)
        return name, self.describe(ctx, name, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        iam = ctx.client("iam")
        changed = set(diff.changed)
        if "assumeRolePolicy" in changed:
            iam.update_assume_role_policy(RoleName=id, PolicyDocument=news["assumeRolePolicy"])
        if changed & {"description", "maxSessionDuration"}:
            # One UpdateRole with both: moto resets whichever of the two a call leaves out.
            iam.update_role(
                RoleName=id, Description=news.get("description") or "", MaxSessionDuration=news["maxSessionDuration"]
            )
        if "permissionsBoundary" in changed:
            set_permissions_boundary(iam, "role", id, news.get("permissionsBoundary"))
        # tagsAll also changes with the provider's default tags, so it is reconciled on every update.
        sync_iam_tags(iam, "role", {"RoleName": id}, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        try:
            # As Terraform does: a role still in an instance profile cannot be deleted.
            for profile in listed(iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=id):
                iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=id)
            if state.get("forceDetachPolicies"):
                _detach_all_policies(iam, id)
            iam.delete_role(RoleName=id)
        except iam.exceptions.NoSuchEntityException:
            return

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        iam = ctx.client("iam")
        role = iam.get_role(RoleName=id)["Role"]
        boundary = role.get("PermissionsBoundary") or {}
        return {
            **state,
            "id": role["RoleName"],
            "name": role["RoleName"],
            "arn": role["Arn"],
            "path": role["Path"],
            "description": role.get("Description"),
            "maxSessionDuration": int(role["MaxSessionDuration"]),
            "permissionsBoundary": boundary.get("PermissionsBoundaryArn"),
            "assumeRolePolicy": document_from_cloud(state.get("assumeRolePolicy"), role["AssumeRolePolicyDocument"]),
            "createDate": timestamp(role["CreateDate"]),
            "uniqueId": role["RoleId"],
            **tags_from_cloud(ctx, state, tag_dict(role.get("Tags"))),
        }


def _detach_all_policies(iam: Any, role: str) -> None:
    """Detach every managed policy and delete every inline policy (forceDetachPolicies)."""
    for policy in listed(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role):
        iam.detach_role_policy(RoleName=role, PolicyArn=policy["PolicyArn"])
    for policy_name in listed(iam, "list_role_policies", "PolicyNames", RoleName=role):
        iam.delete_role_policy(RoleName=role, PolicyName=policy_name)


# ---- managed policy attachments ------------------------------------------------------------


class ManagedPolicyAttachment(AwsResource):
    """A managed policy attached to a role, user or group; both inputs force a replacement. The import id is
    `<principal>/<policyArn>` (IAM names have no '/'), which is also pulumi-aws 7's id for users and groups."""

    principal: ClassVar[str]  # the input naming the role, user or group, and the noun in the IAM API's operations
    taggable = False

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._call(ctx, "attach", inputs[self.principal], inputs["policyArn"])
        id = self.new_id(inputs)
        return id, {**inputs, "id": id}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        name, policy_arn = self._parts(id, state)
        iam = ctx.client("iam")
        try:
            attached = listed(iam, f"list_attached_{self.principal}_policies", "AttachedPolicies", **self._named(name))
            if any(p["PolicyArn"] == policy_arn for p in attached):
                return {**state, "id": id, self.principal: name, "policyArn": policy_arn}
        except iam.exceptions.NoSuchEntityException:
            pass
        return None

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        # Both inputs force a replacement, so an in-place update has nothing to change in the cloud.
        return {**news, "id": id}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        name, policy_arn = self._parts(id, state)
        with suppress(ctx.client("iam").exceptions.NoSuchEntityException):
            self._call(ctx, "detach", name, policy_arn)

    def new_id(self, inputs: Props) -> str:
        return self.import_id(inputs)

    def import_id(self, inputs: Props) -> str:
        return f"{inputs[self.principal]}/{inputs['policyArn']}"

    def _parts(self, id: str, state: Props) -> tuple[str, str]:
        """Principal and policy ARN: from state (ids made by older pulumi-aws differ), else from the import id."""
        if state.get(self.principal) and state.get("policyArn"):
            return state[self.principal], state["policyArn"]
        name, _, policy_arn = id.partition("/")
        return name, policy_arn

    def _named(self, name: str) -> dict[str, str]:
        return {f"{self.principal.capitalize()}Name": name}

    def _call(self, ctx: AwsContext, verb: str, name: str, policy_arn: str) -> None:
        getattr(ctx.client("iam"), f"{verb}_{self.principal}_policy")(**self._named(name), PolicyArn=policy_arn)


@resource_type
class RolePolicyAttachment(ManagedPolicyAttachment):
    token = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    principal = "role"
    required = ("role", "policyArn")
    force_new = frozenset({"role", "policyArn"})

    def new_id(self, inputs: Props) -> str:
        return prefixed_unique_id(f"{inputs['role']}-")  # Terraform's id for a role's attachment

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        return [self.import_id(inputs)]  # which read accepts


def set_permissions_boundary(iam: Any, noun: str, name: str, boundary: str | None) -> None:
    """Put the permissions boundary of a role or user (`noun`), or delete it when there is none."""
    named = {f"{noun.capitalize()}Name": name}
    if boundary:
        getattr(iam, f"put_{noun}_permissions_boundary")(**named, PermissionsBoundary=boundary)
    else:
        getattr(iam, f"delete_{noun}_permissions_boundary")(**named)


def sync_iam_tags(iam: Any, noun: str, address: dict[str, str], old: Tags, new: Tags) -> None:
    """Move the tags of a role, user, policy or instance profile (`noun`, named by `address`) from `old` to `new`
    with IAM's TagX(Tags=[...]) and UntagX(TagKeys=[...])."""
    sync_tags(old, new, lambda tags: getattr(iam, f"tag_{noun}")(**address, Tags=tag_list(tags)),
              lambda keys: getattr(iam, f"untag_{noun}")(**address, TagKeys=keys))
