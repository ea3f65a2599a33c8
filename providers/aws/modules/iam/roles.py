"""aws iam: Role, and managed policy attachments (RolePolicyAttachment; users' and groups' are in
principals.py)."""

from __future__ import annotations

from contextlib import suppress
from typing import Any, ClassVar

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import document_from_cloud, json_problem, means_the_same, policies_equivalent
from envctl.providers.aws.listing import listed
from envctl.providers.aws.naming import prefixed_unique_id
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import Tags, sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.wire import in_configured_order, timestamp

IAM_GONE = ("NoSuchEntity",)  # IAM's answer for a role, user, group, policy or profile that does not exist
# The role's exclusive policy sets (Optional+Computed in Terraform): absent means not managed by the role.
_ROLE_POLICY_SETS = ("managedPolicyArns", "inlinePolicies")


class IamResource(AwsResource):
    """An IAM type: IAM is global, so pulumi-aws gives these types no `region`."""

    regional = False


# ---- Role ----------------------------------------------------------------------------------


@resource_type
class Role(IamResource):
    token = "aws:iam/role:Role"
    id_property = "name"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = 64
    required = ("assumeRolePolicy",)
    defaults = {"path": "/", "maxSessionDuration": 3600, "forceDetachPolicies": False}
    force_new = frozenset({"name", "namePrefix", "path"})
    documents = {"assumeRolePolicy": policies_equivalent}
    handled = frozenset({"description", "maxSessionDuration", "path", "permissionsBoundary", "forceDetachPolicies",
                         *_ROLE_POLICY_SETS})
    outputs = frozenset({"arn", "createDate", "uniqueId"})
    set_properties = ("managedPolicyArns",)
    gone_codes = IAM_GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        """Each inline policy needs a name and a JSON document; one empty block stands for "none" (Terraform's way
        of removing every inline policy)."""
        failures: list[CheckFailure] = []
        blocks = inputs.get("inlinePolicies")
        for block in blocks if isinstance(blocks, list) else ():
            if not isinstance(block, dict) or contains_unknown(block) or not (block.get("name") or block.get("policy")):
                continue
            if not block.get("name"):
                failures.append(CheckFailure("inlinePolicies", "every inline policy needs a name"))
            elif problem := json_problem(block.get("policy")):
                failures.append(CheckFailure("inlinePolicies", f"inline policy '{block['name']}' is not valid JSON: "
                                                               f"{problem}"))
        return failures

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """A program that leaves a policy set out keeps the role's policies as they are (Optional+Computed in
        Terraform; a read answers both, so drift still sees them), and inline policies are a set whose documents
        are compared by meaning."""
        unchanged = [key for key in _ROLE_POLICY_SETS if key in diff.changed and key not in news]
        inline = news.get("inlinePolicies")
        if "inlinePolicies" in diff.changed and not contains_unknown(inline) \
                and _same_inline_policies(olds.get("inlinePolicies"), inline):
            unchanged.append("inlinePolicies")
        return diff.without(unchanged)

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
        iam = ctx.client("iam")
        iam.create_role(**params)
        _put_role_policy_sets(iam, name, inputs)
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
            _set_permissions_boundary(iam, id, news.get("permissionsBoundary"))
        _put_role_policy_sets(iam, id, {key: news.get(key) for key in _ROLE_POLICY_SETS if key in changed})
        # tagsAll also changes with the provider's default tags, so it is reconciled on every update.
        sync_iam_tags(iam, "role", {"RoleName": id}, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        try:
            # As Terraform does: a role still in an instance profile cannot be deleted.
            for profile in listed(iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=id):
                iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=id)
            # As Terraform does: a role that manages its policies (or is told to) lets go of them first.
            force = bool(state.get("forceDetachPolicies"))
            if force or state.get("managedPolicyArns"):
                _sync_managed_policies(iam, id, [])
            if force or state.get("inlinePolicies"):
                _sync_inline_policies(iam, id, {})
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
            # Every policy the role has, as Terraform reads them (drift counts only where the program sets them).
            "managedPolicyArns": in_configured_order(state.get("managedPolicyArns"), _attached_policies(iam, id)),
            "inlinePolicies": _read_inline_policies(iam, id, _inline_policies(state.get("inlinePolicies"))),
            **tags_from_cloud(ctx, state, tag_dict(role.get("Tags"))),
        }


def _inline_policies(blocks: list[Props] | None) -> dict[str, str]:
    """Inline policy blocks as name -> document; an empty block (no name, no policy) stands for none."""
    return {block["name"]: block.get("policy") or "" for block in blocks or () if isinstance(block, dict)
            and block.get("name")}


def _same_inline_policies(old: list[Props] | None, new: list[Props] | None) -> bool:
    olds, news = _inline_policies(old), _inline_policies(new)
    return olds.keys() == news.keys() and all(means_the_same(policies_equivalent, olds[k], news[k]) for k in olds)


def _put_role_policy_sets(iam: Any, role: str, props: Props) -> None:
    """Make the role's managed and inline policies exactly those the properties give (where given)."""
    if props.get("managedPolicyArns") is not None:
        _sync_managed_policies(iam, role, props["managedPolicyArns"])
    if props.get("inlinePolicies") is not None:
        _sync_inline_policies(iam, role, _inline_policies(props["inlinePolicies"]))


def _attached_policies(iam: Any, role: str) -> list[str]:
    return [p["PolicyArn"] for p in listed(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role)]


def _sync_managed_policies(iam: Any, role: str, wanted: list[str]) -> None:
    """Attach the wanted managed policies and detach every other one (Terraform's exclusive set)."""
    attached = _attached_policies(iam, role)
    for arn in attached:
        if arn not in wanted:
            with suppress(iam.exceptions.NoSuchEntityException):
                iam.detach_role_policy(RoleName=role, PolicyArn=arn)
    for arn in wanted:
        if arn not in attached:
            iam.attach_role_policy(RoleName=role, PolicyArn=arn)


def _sync_inline_policies(iam: Any, role: str, wanted: dict[str, str]) -> None:
    """Put the wanted inline policies and delete every other one (Terraform's exclusive set)."""
    for name in listed(iam, "list_role_policies", "PolicyNames", RoleName=role):
        if name not in wanted:
            with suppress(iam.exceptions.NoSuchEntityException):
                iam.delete_role_policy(RoleName=role, PolicyName=name)
    for name, document in wanted.items():
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=document)


def _read_inline_policies(iam: Any, role: str, configured: dict[str, str]) -> list[Props]:
    """The role's inline policies, in the configured order, each document as configured while it means the same."""
    names = in_configured_order(list(configured), list(listed(iam, "list_role_policies", "PolicyNames", RoleName=role)))
    return [{"name": name, "policy": document_from_cloud(configured.get(name), iam.get_role_policy(
        RoleName=role, PolicyName=name)["PolicyDocument"])} for name in names]


# ---- managed policy attachments ------------------------------------------------------------


class ManagedPolicyAttachment(IamResource):
    """A managed policy attached to a role, user or group; both inputs force a replacement. The import id is
    `<principal>/<policyArn>` (IAM names have no '/'), which is also pulumi-aws 7's id for users and groups."""

    principal: ClassVar[str]  # the input naming the role, user or group, and the noun in the IAM API's operations
    taggable = False
    handled = frozenset()  # the principal and the policy, both required

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


def _set_permissions_boundary(iam: Any, role: str, boundary: str | None) -> None:
    """Put the role's permissions boundary, or delete it when there is none."""
    if boundary:
        iam.put_role_permissions_boundary(RoleName=role, PermissionsBoundary=boundary)
    else:
        iam.delete_role_permissions_boundary(RoleName=role)


def sync_iam_tags(iam: Any, noun: str, address: dict[str, str], old: Tags, new: Tags) -> None:
    """Move the tags of a role, user, policy or instance profile (`noun`, named by `address`) from `old` to `new`
    with IAM's TagX(Tags=[...]) and UntagX(TagKeys=[...])."""
    sync_tags(old, new, lambda tags: getattr(iam, f"tag_{noun}")(**address, Tags=tag_list(tags)),
              lambda keys: getattr(iam, f"untag_{noun}")(**address, TagKeys=keys))
