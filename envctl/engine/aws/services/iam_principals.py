"""aws iam: users, groups, their memberships and policy attachments, access keys, instance profiles, managed
policies and inline role policies (Role and RolePolicyAttachment are in iam.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from abc import abstractmethod
from collections.abc import Callable, Iterable
from contextlib import suppress
from datetime import UTC, datetime
from functools import partial
from typing import Any, ClassVar

from envctl.engine.aws.base import (
    AwsResource,
    CheckFailure,
    CheckResult,
    DiffResult,
    Props,
    contains_unknown,
    tag_changes,
    tag_dict,
    tag_list,
)
from envctl.engine.aws.context import AwsContext
from envctl.engine.aws.registry import resource_type
from envctl.engine.aws.services.iam import (
    _invalid_json,
    policy_from_cloud,
    prefixed_unique_id,
    tags_from_cloud,
    without_equivalent_policies,
)
from envctl.errors import OperationFailed

_MAX_POLICY_VERSIONS = 5  # IAM keeps at most five versions of a managed policy
_ACCESS_KEY_STATUSES = ("Active", "Inactive")


def sync_tags(tag: Callable[..., Any], untag: Callable[..., Any], old: dict[str, str], new: dict[str, str]) -> None:
    """Move a resource's tags from `old` to `new` with a TagX(Tags=[...]) and an UntagX(TagKeys=[...]) call, the
    form IAM and CloudWatch share; bind the resource's identifier into the two callables."""
    to_set, to_remove = tag_changes(old, new)
    if to_set:
        tag(Tags=tag_list(to_set))
    if to_remove:
        untag(TagKeys=to_remove)


def in_configured_order(configured: list[str] | None, cloud: list[str]) -> list[str]:
    """A set-valued property as the cloud has it, in the configured order where the two agree."""
    known = [item for item in configured or () if item in cloud]
    return known + sorted(item for item in cloud if item not in known)


def read_back(resource: AwsResource, ctx: AwsContext, id: str, base: Props) -> Props:
    """A resource's outputs right after writing it; that the cloud does not show it then is an error."""
    outputs = resource.read(ctx, id, base)
    if outputs is None:
        raise OperationFailed(f"{resource.token} {id} was written but AWS does not show it; run refresh")
    return outputs


def _timestamp(value: datetime) -> str:
    """Terraform's RFC 3339 form of an IAM date, in UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _name(inputs: Props) -> str:
    """The name to create under: the given or auto-name, else Terraform's unique name from namePrefix."""
    return inputs.get("name") or prefixed_unique_id(inputs["namePrefix"])


# ---- policy documents ----------------------------------------------------------------------


class _PolicyDocumentResource(AwsResource):
    """A type whose `policy` input is an IAM policy document, compared as JSON rather than as text."""

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        # A PolicyDocument object arrives as a map; pulumi-aws sends AWS its JSON text.
        policy = news.get("policy")
        if isinstance(policy, dict) and not contains_unknown(policy):
            news = {**news, "policy": json.dumps(policy)}
        return super().check(logical_name, olds, news)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return _invalid_json(inputs, "policy")

    def diff(
        self,
        olds: Props,
        news: Props,
        ignore_changes: Iterable[str] = (),
        replace_on_changes: Iterable[str] = (),
    ) -> DiffResult:
        result = super().diff(olds, news, ignore_changes, replace_on_changes)
        return without_equivalent_policies(result, olds, news, ("policy",))


@resource_type
class RolePolicy(_PolicyDocumentResource):
    token = "aws:iam/rolePolicy:RolePolicy"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = 128
    required = ("role", "policy")
    force_new = frozenset({"name", "namePrefix", "role"})
    taggable = False

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        name = _name(inputs)
        ctx.client("iam").put_role_policy(RoleName=inputs["role"], PolicyName=name, PolicyDocument=inputs["policy"])
        id = f"{inputs['role']}:{name}"
        return id, self._outputs(ctx, id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        try:
            return self._outputs(ctx, id, state)
        except ctx.client("iam").exceptions.NoSuchEntityException:
            return None

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        role, name = _role_policy_parts(id)
        ctx.client("iam").put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=news["policy"])
        return self._outputs(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        role, name = _role_policy_parts(id)
        iam = ctx.client("iam")
        with suppress(iam.exceptions.NoSuchEntityException):
            iam.delete_role_policy(RoleName=role, PolicyName=name)

    def _outputs(self, ctx: AwsContext, id: str, base: Props) -> Props:
        role, name = _role_policy_parts(id)
        document = ctx.client("iam").get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        return {**base, "id": id, "role": role, "name": name, "policy": policy_from_cloud(base.get("policy"), document)}


def _role_policy_parts(id: str) -> tuple[str, str]:
    """Role and policy name from the id `<role>:<name>` (role names have no ':')."""
    role, _, name = id.partition(":")
    return role, name


@resource_type
class Policy(_PolicyDocumentResource):
    token = "aws:iam/policy:Policy"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = 128
    required = ("policy",)
    defaults = {"path": "/"}
    force_new = frozenset({"name", "namePrefix", "path", "description"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {
            "PolicyName": _name(inputs),
            "Path": inputs["path"],
            "PolicyDocument": inputs["policy"],
        }
        if inputs.get("description"):
            params["Description"] = inputs["description"]
        if tags_all := self.tags_all(ctx, urn, inputs):
            params["Tags"] = tag_list(tags_all)
        arn = ctx.client("iam").create_policy(**params)["Policy"]["Arn"]
        return arn, self._outputs(ctx, arn, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        try:
            return self._outputs(ctx, id, state)
        except ctx.client("iam").exceptions.NoSuchEntityException:
            return None

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        iam = ctx.client("iam")
        if "policy" in diff.changed:
            versions = _policy_versions(iam, id)
            if len(versions) >= _MAX_POLICY_VERSIONS:  # make room, as Terraform does: drop the oldest non-default
                oldest = min((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"])
                iam.delete_policy_version(PolicyArn=id, VersionId=oldest["VersionId"])
            iam.create_policy_version(PolicyArn=id, PolicyDocument=news["policy"], SetAsDefault=True)
        sync_tags(partial(iam.tag_policy, PolicyArn=id), partial(iam.untag_policy, PolicyArn=id),
                  olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self._outputs(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        with suppress(iam.exceptions.NoSuchEntityException):
            # IAM refuses to delete a policy that still has non-default versions.
            for version in _policy_versions(iam, id):
                if not version["IsDefaultVersion"]:
                    iam.delete_policy_version(PolicyArn=id, VersionId=version["VersionId"])
            iam.delete_policy(PolicyArn=id)

    def _outputs(self, ctx: AwsContext, arn: str, base: Props) -> Props:
        iam = ctx.client("iam")
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        document = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        return {
            **base,
            "id": arn,
            "arn": arn,
            "name": policy["PolicyName"],
            "path": policy["Path"],
            "description": policy.get("Description"),
            "policyId": policy["PolicyId"],
            "attachmentCount": int(policy.get("AttachmentCount") or 0),
            "policy": policy_from_cloud(base.get("policy"), document["Document"]),
            **tags_from_cloud(ctx, base, tag_dict(policy.get("Tags"))),
        }


def _policy_versions(iam: Any, arn: str) -> list[dict[str, Any]]:
    return [v for page in iam.get_paginator("list_policy_versions").paginate(PolicyArn=arn) for v in page["Versions"]]


# ---- User and Group ------------------------------------------------------------------------


@resource_type
class User(AwsResource):
    token = "aws:iam/user:User"
    id_property = "name"
    name_property = "name"
    name_max_length = 64
    defaults = {"path": "/", "forceDestroy": False}

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"UserName": inputs["name"], "Path": inputs["path"]}
        if inputs.get("permissionsBoundary"):
            params["PermissionsBoundary"] = inputs["permissionsBoundary"]
        if tags_all := self.tags_all(ctx, urn, inputs):
            params["Tags"] = tag_list(tags_all)
        ctx.client("iam").create_user(**params)
        return inputs["name"], self._outputs(ctx, inputs["name"], inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        try:
            return self._outputs(ctx, id, state)
        except ctx.client("iam").exceptions.NoSuchEntityException:
            return None

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        iam = ctx.client("iam")
        changed = set(diff.changed)
        if changed & {"name", "path"}:  # renaming changes the id, as in Terraform
            iam.update_user(UserName=id, NewUserName=news["name"], NewPath=news["path"])
            id = news["name"]
        if "permissionsBoundary" in changed:
            if news.get("permissionsBoundary"):
                iam.put_user_permissions_boundary(UserName=id, PermissionsBoundary=news["permissionsBoundary"])
            else:
                iam.delete_user_permissions_boundary(UserName=id)
        sync_tags(partial(iam.tag_user, UserName=id), partial(iam.untag_user, UserName=id),
                  olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self._outputs(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        with suppress(iam.exceptions.NoSuchEntityException):
            # IAM refuses to delete a user that is in a group; Terraform always removes the memberships.
            groups = [g["GroupName"] for page in iam.get_paginator("list_groups_for_user").paginate(UserName=id)
                      for g in page["Groups"]]
            _remove_memberships(iam, [(id, group) for group in groups])
            if state.get("forceDestroy"):
                _delete_user_credentials(iam, id)
            iam.delete_user(UserName=id)

    def _outputs(self, ctx: AwsContext, name: str, base: Props) -> Props:
        user = ctx.client("iam").get_user(UserName=name)["User"]
        boundary = user.get("PermissionsBoundary") or {}
        return {
            **base,
            "id": user["UserName"],
            "name": user["UserName"],
            "arn": user["Arn"],
            "path": user["Path"],
            "permissionsBoundary": boundary.get("PermissionsBoundaryArn"),
            "uniqueId": user["UserId"],
            **tags_from_cloud(ctx, base, tag_dict(user.get("Tags"))),
        }


def _delete_user_credentials(iam: Any, user: str) -> None:
    """forceDestroy: remove what IAM requires gone before DeleteUser and Terraform does not manage elsewhere."""
    for page in iam.get_paginator("list_access_keys").paginate(UserName=user):
        for key in page["AccessKeyMetadata"]:
            iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    for page in iam.get_paginator("list_ssh_public_keys").paginate(UserName=user):
        for ssh_key in page["SSHPublicKeys"]:
            iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=ssh_key["SSHPublicKeyId"])
    for page in iam.get_paginator("list_signing_certificates").paginate(UserName=user):
        for certificate in page["Certificates"]:
            iam.delete_signing_certificate(UserName=user, CertificateId=certificate["CertificateId"])
    for page in iam.get_paginator("list_mfa_devices").paginate(UserName=user):
        for device in page["MFADevices"]:
            iam.deactivate_mfa_device(UserName=user, SerialNumber=device["SerialNumber"])
    with suppress(iam.exceptions.NoSuchEntityException):
        iam.delete_login_profile(UserName=user)


@resource_type
class Group(AwsResource):
    token = "aws:iam/group:Group"
    id_property = "name"
    name_property = "name"
    name_max_length = 128
    defaults = {"path": "/"}
    taggable = False

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ctx.client("iam").create_group(GroupName=inputs["name"], Path=inputs["path"])
        return inputs["name"], self._outputs(ctx, inputs["name"], inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        try:
            return self._outputs(ctx, id, state)
        except ctx.client("iam").exceptions.NoSuchEntityException:
            return None

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        # name and path are the only properties; renaming changes the id, as in Terraform. (moto refuses a
        # NewGroupName equal to the current name, so it is only sent for a rename.)
        renamed = {"NewGroupName": news["name"]} if news["name"] != id else {}
        ctx.client("iam").update_group(GroupName=id, NewPath=news["path"], **renamed)
        return self._outputs(ctx, news["name"], news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        with suppress(iam.exceptions.NoSuchEntityException):
            iam.delete_group(GroupName=id)

    def _outputs(self, ctx: AwsContext, name: str, base: Props) -> Props:
        group = ctx.client("iam").get_group(GroupName=name)["Group"]
        return {
            **base,
            "id": group["GroupName"],
            "name": group["GroupName"],
            "arn": group["Arn"],
            "path": group["Path"],
            "uniqueId": group["GroupId"],
        }


# ---- group memberships ---------------------------------------------------------------------


class _Memberships(AwsResource):
    """Users in groups, as (user, group) pairs that create adds, update moves and delete removes."""

    taggable = False

    @staticmethod
    @abstractmethod
    def _pairs(props: Props) -> list[tuple[str, str]]:
        """The (user, group) pairs that the properties describe."""

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        iam = ctx.client("iam")
        old, new = set(self._pairs(olds)), set(self._pairs(news))
        _remove_memberships(iam, sorted(old - new))
        _add_memberships(iam, sorted(new - old))
        return {**news, "id": id}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        _remove_memberships(ctx.client("iam"), self._pairs(state))


def _add_memberships(iam: Any, pairs: Iterable[tuple[str, str]]) -> None:
    for user, group in pairs:
        iam.add_user_to_group(UserName=user, GroupName=group)


def _remove_memberships(iam: Any, pairs: Iterable[tuple[str, str]]) -> None:
    for user, group in pairs:
        with suppress(iam.exceptions.NoSuchEntityException):
            iam.remove_user_from_group(UserName=user, GroupName=group)


@resource_type
class GroupMembership(_Memberships):
    """All the members of one group (Terraform reads every user in the group as this resource's)."""

    token = "aws:iam/groupMembership:GroupMembership"
    name_property = "name"
    required = ("group", "users")
    force_new = frozenset({"name", "group"})

    @staticmethod
    def _pairs(props: Props) -> list[tuple[str, str]]:
        return [(user, props["group"]) for user in props.get("users") or ()]

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        _add_memberships(ctx.client("iam"), self._pairs(inputs))
        return inputs["name"], {**inputs, "id": inputs["name"]}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        iam = ctx.client("iam")
        try:
            pages = iam.get_paginator("get_group").paginate(GroupName=state["group"])
            members = [u["UserName"] for page in pages for u in page["Users"]]
        except iam.exceptions.NoSuchEntityException:
            return None
        if not members:
            return None
        return {**state, "id": id, "users": in_configured_order(state.get("users"), members)}


@resource_type
class UserGroupMembership(_Memberships):
    """Some of one user's groups: only the groups listed here are this resource's."""

    token = "aws:iam/userGroupMembership:UserGroupMembership"
    required = ("user", "groups")
    force_new = frozenset({"user"})

    @staticmethod
    def _pairs(props: Props) -> list[tuple[str, str]]:
        return [(props["user"], group) for group in props.get("groups") or ()]

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        _add_memberships(ctx.client("iam"), self._pairs(inputs))
        id = prefixed_unique_id("terraform-")  # Terraform's id.UniqueId()
        return id, {**inputs, "id": id}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        iam = ctx.client("iam")
        try:
            pages = iam.get_paginator("list_groups_for_user").paginate(UserName=state["user"])
            groups = {g["GroupName"] for page in pages for g in page["Groups"]}
        except iam.exceptions.NoSuchEntityException:
            return None
        still = [group for group in state.get("groups") or () if group in groups]
        return {**state, "id": id, "groups": still} if still else None


# ---- managed policy attachments ------------------------------------------------------------


class _ManagedPolicyAttachment(AwsResource):
    """A managed policy attached to a user or group. The id is pulumi-aws 7's `<principal>/<policyArn>`
    (IAM names have no '/'), which is also the import id."""

    principal: ClassVar[str]  # the input naming the user or group, and the noun in the IAM API's operations
    taggable = False

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._call(ctx, "attach", inputs[self.principal], inputs["policyArn"])
        id = f"{inputs[self.principal]}/{inputs['policyArn']}"
        return id, {**inputs, "id": id}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        name, policy_arn = self._parts(id, state)
        iam = ctx.client("iam")
        try:
            pages = iam.get_paginator(f"list_attached_{self.principal}_policies").paginate(**self._named(name))
            if any(p["PolicyArn"] == policy_arn for page in pages for p in page["AttachedPolicies"]):
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

    def _parts(self, id: str, state: Props) -> tuple[str, str]:
        """User or group and policy ARN: from state (ids made by older pulumi-aws differ), else from the id."""
        if state.get(self.principal) and state.get("policyArn"):
            return state[self.principal], state["policyArn"]
        name, _, policy_arn = id.partition("/")
        return name, policy_arn

    def _named(self, name: str) -> dict[str, str]:
        return {f"{self.principal.capitalize()}Name": name}

    def _call(self, ctx: AwsContext, verb: str, name: str, policy_arn: str) -> None:
        getattr(ctx.client("iam"), f"{verb}_{self.principal}_policy")(**self._named(name), PolicyArn=policy_arn)


@resource_type
class UserPolicyAttachment(_ManagedPolicyAttachment):
    token = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
    principal = "user"
    required = ("user", "policyArn")
    force_new = frozenset({"user", "policyArn"})


@resource_type
class GroupPolicyAttachment(_ManagedPolicyAttachment):
    token = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
    principal = "group"
    required = ("group", "policyArn")
    force_new = frozenset({"group", "policyArn"})


# ---- AccessKey -----------------------------------------------------------------------------


def ses_smtp_password_v4(secret: str, region: str) -> str:
    """The SES SMTP password for an access key's secret in a region, by AWS's documented SigV4 derivation."""
    signature = ("AWS4" + secret).encode()
    for message in ("11111111", region, "ses", "aws4_request", "SendRawEmail"):
        signature = hmac.new(signature, message.encode(), hashlib.sha256).digest()
    return base64.b64encode(b"\x04" + signature).decode()


@resource_type
class AccessKey(AwsResource):
    token = "aws:iam/accessKey:AccessKey"
    required = ("user",)
    defaults = {"status": "Active"}
    force_new = frozenset({"user", "pgpKey"})
    taggable = False

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
        if inputs.get("pgpKey"):
            failures.append(CheckFailure("pgpKey", "'pgpKey' is not supported by envctl's local engine; leave it "
                                                   "out and read the key's secret output (it is kept secret)"))
        status = inputs.get("status")
        if status not in _ACCESS_KEY_STATUSES and not contains_unknown(status):
            failures.append(CheckFailure("status", f"status must be one of {', '.join(_ACCESS_KEY_STATUSES)}; "
                                                   f"got {status!r}"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        iam = ctx.client("iam")
        key = iam.create_access_key(UserName=inputs["user"])["AccessKey"]
        id = key["AccessKeyId"]
        if inputs["status"] != key["Status"]:
            iam.update_access_key(UserName=inputs["user"], AccessKeyId=id, Status=inputs["status"])
        # The secret can only be read now, so it and the SMTP password derived from it live in state.
        secrets = {
            "secret": key["SecretAccessKey"],
            "sesSmtpPasswordV4": ses_smtp_password_v4(key["SecretAccessKey"], ctx.region),
        }
        return id, read_back(self, ctx, id, {**inputs, **secrets})

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        iam = ctx.client("iam")
        try:
            # An imported key has no user in state; Terraform finds it with GetAccessKeyLastUsed.
            user = state.get("user") or iam.get_access_key_last_used(AccessKeyId=id)["UserName"]
            pages = iam.get_paginator("list_access_keys").paginate(UserName=user)
            key = next((k for page in pages for k in page["AccessKeyMetadata"] if k["AccessKeyId"] == id), None)
        except iam.exceptions.NoSuchEntityException:
            return None
        if key is None:
            return None
        return {**state, "id": id, "user": key["UserName"], "status": key["Status"],
                "createDate": _timestamp(key["CreateDate"])}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        if "status" in diff.changed:
            ctx.client("iam").update_access_key(UserName=news["user"], AccessKeyId=id, Status=news["status"])
        return read_back(self, ctx, id, {**olds, **news})

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        with suppress(iam.exceptions.NoSuchEntityException):
            iam.delete_access_key(UserName=state["user"], AccessKeyId=id)


# ---- InstanceProfile -----------------------------------------------------------------------


@resource_type
class InstanceProfile(AwsResource):
    token = "aws:iam/instanceProfile:InstanceProfile"
    id_property = "name"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = 128
    defaults = {"path": "/"}
    force_new = frozenset({"name", "namePrefix", "path"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        iam = ctx.client("iam")
        name = _name(inputs)
        params: dict[str, Any] = {"InstanceProfileName": name, "Path": inputs["path"]}
        if tags_all := self.tags_all(ctx, urn, inputs):
            params["Tags"] = tag_list(tags_all)
        iam.create_instance_profile(**params)
        if inputs.get("role"):
            iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=inputs["role"])
        return name, self._outputs(ctx, name, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        try:
            return self._outputs(ctx, id, state)
        except ctx.client("iam").exceptions.NoSuchEntityException:
            return None

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        iam = ctx.client("iam")
        if "role" in diff.changed:  # a profile holds at most one role: swap it
            if olds.get("role"):
                _remove_role(iam, id, olds["role"])
            if news.get("role"):
                iam.add_role_to_instance_profile(InstanceProfileName=id, RoleName=news["role"])
        sync_tags(partial(iam.tag_instance_profile, InstanceProfileName=id),
                  partial(iam.untag_instance_profile, InstanceProfileName=id),
                  olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self._outputs(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        if state.get("role"):
            _remove_role(iam, id, state["role"])
        with suppress(iam.exceptions.NoSuchEntityException):
            iam.delete_instance_profile(InstanceProfileName=id)

    def _outputs(self, ctx: AwsContext, name: str, base: Props) -> Props:
        profile = ctx.client("iam").get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
        roles = profile.get("Roles") or []
        return {
            **base,
            "id": profile["InstanceProfileName"],
            "name": profile["InstanceProfileName"],
            "arn": profile["Arn"],
            "path": profile["Path"],
            "role": roles[0]["RoleName"] if roles else None,
            "createDate": _timestamp(profile["CreateDate"]),
            "uniqueId": profile["InstanceProfileId"],
            **tags_from_cloud(ctx, base, tag_dict(profile.get("Tags"))),
        }


def _remove_role(iam: Any, profile: str, role: str) -> None:
    with suppress(iam.exceptions.NoSuchEntityException):
        iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
