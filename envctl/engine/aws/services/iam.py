"""aws iam: Role and RolePolicyAttachment, and IAM policy JSON comparison.

Also home, for now, of two helpers every service shares (Terraform's prefixed unique ids and reading
tags back from the cloud); they belong in base.py, which this module may not edit.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from envctl.engine.aws.base import (
    AwsResource,
    CheckFailure,
    DiffResult,
    Props,
    contains_unknown,
    tag_changes,
    tag_dict,
    tag_list,
)
from envctl.engine.aws.context import AwsContext
from envctl.engine.aws.registry import resource_type

# ---- shared helpers ------------------------------------------------------------------------

_unique_counter = itertools.count(1)
_unique_lock = threading.Lock()


def prefixed_unique_id(prefix: str) -> str:
    """Terraform's id.PrefixedUniqueId: prefix + UTC time to 1/10000 s + an 8-hex process counter."""
    now = datetime.now(UTC)
    with _unique_lock:
        counter = next(_unique_counter)
    return f"{prefix}{now:%Y%m%d%H%M%S}{now.microsecond // 100:04d}{counter:08x}"


def tags_from_cloud(ctx: AwsContext, base: Props, cloud_tags: dict[str, str]) -> Props:
    """`tags` and `tagsAll` as the cloud has them (without AWS's reserved aws: tags, as Terraform ignores
    them). `tags` leaves out the provider's default and envctl tags unless the resource sets those keys."""
    tags_all = {k: v for k, v in cloud_tags.items() if not k.startswith("aws:")}
    provider_keys = set(ctx.tags_all("", None)) - set(base.get("tags") or {})  # only keys matter: any urn does
    return {"tags": {k: v for k, v in tags_all.items() if k not in provider_keys}, "tagsAll": tags_all}


# ---- IAM policy documents ------------------------------------------------------------------

_ACCOUNT_ROOT = re.compile(r"^arn:[\w-]+:iam::(\d{12}):root$")


def _string_set(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return sorted({json.dumps(v) if isinstance(v, bool) else str(v) for v in items})


def _canonical_principal(value: Any) -> Any:
    if value == "*":
        return {"AWS": ["*"]}
    if not isinstance(value, dict):
        return value
    canonical = {key: _string_set(ids) for key, ids in value.items()}
    if "AWS" in canonical:  # IAM stores account ids as their root ARN
        canonical["AWS"] = sorted({_ACCOUNT_ROOT.sub(r"\1", p) for p in canonical["AWS"]})
    return canonical


def _canonical_statement(statement: dict[str, Any]) -> dict[str, Any]:
    canonical: dict[str, Any] = {}
    for key, value in statement.items():
        if key in ("Principal", "NotPrincipal"):
            canonical[key] = _canonical_principal(value)
        elif key == "Condition" and isinstance(value, dict):
            canonical[key] = {
                test: {var: _string_set(values) for var, values in (pairs or {}).items()}
                for test, pairs in value.items()
            }
        elif key in ("Action", "NotAction", "Resource", "NotResource"):
            canonical[key] = _string_set(value)
        elif key != "Sid" or value:
            canonical[key] = value
    return canonical


def _canonical_policy(document: Any) -> Any:
    """A form in which equivalent policies are equal: list order, single-element lists and empty Sids
    do not matter (what Terraform's awspolicyequivalence ignores)."""
    if not isinstance(document, dict):
        return document
    statements = document.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    canonical = {k: v for k, v in document.items() if k != "Statement"}
    canonical["Statement"] = sorted(
        (_canonical_statement(s) if isinstance(s, dict) else s for s in statements),
        key=lambda s: json.dumps(s, sort_keys=True),
    )
    return canonical


def policies_equivalent(a: str, b: str) -> bool:
    """Whether two IAM policy JSON texts grant the same; texts that are not JSON compare as text."""
    try:
        return _canonical_policy(json.loads(a)) == _canonical_policy(json.loads(b))
    except (TypeError, ValueError):
        return a == b


def policy_from_cloud(configured: Any, cloud: Any) -> str:
    """The policy text to record from AWS's copy: the configured text when it is equivalent (as Terraform
    keeps it, so formatting never shows as drift), else AWS's document."""
    text = cloud if isinstance(cloud, str) else json.dumps(cloud)
    text = unquote(text) if text.startswith("%7B") else text
    if isinstance(configured, str) and policies_equivalent(configured, text):
        return configured
    return text


def without_equivalent_policies(diff: DiffResult, olds: Props, news: Props, keys: Iterable[str]) -> DiffResult:
    """Drop JSON policy properties from a diff when old and new documents are equivalent."""
    same = {
        k for k in keys
        if k in diff.changed and isinstance(olds.get(k), str) and isinstance(news.get(k), str)
        and policies_equivalent(olds[k], news[k])
    }
    return DiffResult(
        tuple(k for k in diff.changed if k not in same), tuple(k for k in diff.replaces if k not in same)
    )


def _invalid_json(inputs: Props, key: str) -> list[CheckFailure]:
    value = inputs.get(key)
    if value is None or contains_unknown(value):
        return []
    try:
        json.loads(value)
    except (TypeError, ValueError) as err:
        return [CheckFailure(key, f"'{key}' is not valid JSON: {err}")]
    return []


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

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = _invalid_json(inputs, "assumeRolePolicy")
        # Deprecated in pulumi-aws; silently dropping them would leave a role without its policies.
        failures.extend(
            CheckFailure(key, f"'{key}' is not supported by envctl's local engine; use "
                              "aws.iam.RolePolicyAttachment (or aws.iam.RolePolicy) resources instead")
            for key in ("inlinePolicies", "managedPolicyArns") if inputs.get(key)
        )
        return failures

    def diff(
        self,
        olds: Props,
        news: Props,
        ignore_changes: Iterable[str] = (),
        replace_on_changes: Iterable[str] = (),
    ) -> DiffResult:
        result = super().diff(olds, news, ignore_changes, replace_on_changes)
        return without_equivalent_policies(result, olds, news, ("assumeRolePolicy",))

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        name = inputs.get("name") or prefixed_unique_id(inputs["namePrefix"])
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
        return name, self._outputs(ctx, name, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        try:
            return self._outputs(ctx, id, state)
        except ctx.client("iam").exceptions.NoSuchEntityException:
            return None

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
            if news.get("permissionsBoundary"):
                iam.put_role_permissions_boundary(RoleName=id, PermissionsBoundary=news["permissionsBoundary"])
            else:
                iam.delete_role_permissions_boundary(RoleName=id)
        # tagsAll also changes with the provider's default tags, so it is reconciled on every update.
        tags_all = self.tags_all(ctx, urn, news)
        to_set, to_remove = tag_changes(olds.get("tagsAll") or {}, tags_all)
        if to_set:
            iam.tag_role(RoleName=id, Tags=tag_list(to_set))
        if to_remove:
            iam.untag_role(RoleName=id, TagKeys=to_remove)
        return self._outputs(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        try:
            # As Terraform does: a role still in an instance profile cannot be deleted.
            for page in iam.get_paginator("list_instance_profiles_for_role").paginate(RoleName=id):
                for profile in page["InstanceProfiles"]:
                    iam.remove_role_from_instance_profile(
                        InstanceProfileName=profile["InstanceProfileName"], RoleName=id
                    )
            if state.get("forceDetachPolicies"):
                _detach_all_policies(iam, id)
            iam.delete_role(RoleName=id)
        except iam.exceptions.NoSuchEntityException:
            return

    def _outputs(self, ctx: AwsContext, name: str, base: Props) -> Props:
        iam = ctx.client("iam")
        role = iam.get_role(RoleName=name)["Role"]
        boundary = role.get("PermissionsBoundary") or {}
        return {
            **base,
            "id": role["RoleName"],
            "name": role["RoleName"],
            "arn": role["Arn"],
            "path": role["Path"],
            "description": role.get("Description"),
            "maxSessionDuration": int(role["MaxSessionDuration"]),
            "permissionsBoundary": boundary.get("PermissionsBoundaryArn"),
            "assumeRolePolicy": policy_from_cloud(base.get("assumeRolePolicy"), role["AssumeRolePolicyDocument"]),
            "createDate": role["CreateDate"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "uniqueId": role["RoleId"],
            **tags_from_cloud(ctx, base, tag_dict(role.get("Tags"))),
        }


def _detach_all_policies(iam: Any, role: str) -> None:
    """Detach every managed policy and delete every inline policy (forceDetachPolicies)."""
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role):
        for policy in page["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=role, PolicyArn=policy["PolicyArn"])
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=role):
        for policy_name in page["PolicyNames"]:
            iam.delete_role_policy(RoleName=role, PolicyName=policy_name)


# ---- RolePolicyAttachment ------------------------------------------------------------------


@resource_type
class RolePolicyAttachment(AwsResource):
    token = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    required = ("role", "policyArn")
    force_new = frozenset({"role", "policyArn"})
    taggable = False

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ctx.client("iam").attach_role_policy(RoleName=inputs["role"], PolicyArn=inputs["policyArn"])
        id = prefixed_unique_id(f"{inputs['role']}-")
        return id, {**inputs, "id": id}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        return [f"{inputs['role']}/{inputs['policyArn']}"]  # the import id, which read accepts

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        role, policy_arn = _attachment_parts(id, state)
        iam = ctx.client("iam")
        try:
            for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role):
                if any(p["PolicyArn"] == policy_arn for p in page["AttachedPolicies"]):
                    return {**state, "id": id, "role": role, "policyArn": policy_arn}
        except iam.exceptions.NoSuchEntityException:
            pass
        return None

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        # Both inputs force a replacement, so an in-place update has nothing to change in the cloud.
        return {**news, "id": id}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        role, policy_arn = _attachment_parts(id, state)
        iam = ctx.client("iam")
        try:
            iam.detach_role_policy(RoleName=role, PolicyArn=policy_arn)
        except iam.exceptions.NoSuchEntityException:
            return


def _attachment_parts(id: str, state: Props) -> tuple[str, str]:
    """Role and policy ARN from state, or from the import id `<role>/<policyArn>` (role names have no '/')."""
    if state.get("role") and state.get("policyArn"):
        return state["role"], state["policyArn"]
    role, _, policy_arn = id.partition("/")
    return role, policy_arn
