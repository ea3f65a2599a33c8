"""aws iam: users, groups, their memberships and policy attachments, access keys, instance profiles and managed
policies (Role and RolePolicyAttachment are in roles.py, inline policies in inline_policies.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from abc import abstractmethod
from collections.abc import Iterable
from contextlib import suppress
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.errors import OperationFailed
from envctl.providers.aws.base import CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import document_from_cloud, policies_equivalent
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.iam.roles import (
    IAM_GONE,
    IamResource,
    ManagedPolicyAttachment,
    sync_iam_tags,
)
from envctl.providers.aws.naming import prefixed_unique_id
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.wire import in_configured_order, timestamp

_MAX_POLICY_VERSIONS = 5  # IAM keeps at most five versions of a managed policy
_ACCESS_KEY_STATUSES = ("Active", "Inactive")
_PGP_OUTPUTS = ("encryptedSecret", "encryptedSesSmtpPasswordV4", "keyFingerprint")  # only with a pgpKey


# ---- managed policies (inline policies are in inline_policies.py) -------------------------


@resource_type
class Policy(IamResource):
    token = "aws:iam/policy:Policy"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = 128
    required = ("policy",)
    defaults = {"path": "/"}
    force_new = frozenset({"name", "namePrefix", "path", "description"})
    documents = {"policy": policies_equivalent}
    handled = frozenset({"description", "path", "delayAfterPolicyCreationInMs"})
    outputs = frozenset({"arn", "attachmentCount", "policyId"})
    gone_codes = IAM_GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {
            "PolicyName": self.physical_name(inputs),
            "Path": inputs["path"],
            "PolicyDocument": inputs["policy"],
        }
        if inputs.get("description"):
            params["Description"] = inputs["description"]
        if tags_all := self.tags_all(ctx, urn, inputs):
            params["Tags"] = tag_list(tags_all)
        arn = ctx.client("iam").create_policy(**params)["Policy"]["Arn"]
        return arn, self.describe(ctx, arn, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        iam = ctx.client("iam")
        if "policy" in diff.changed:
            versions = _policy_versions(iam, id)
            if len(versions) >= _MAX_POLICY_VERSIONS:  # make room, as Terraform does: drop the oldest non-default
                oldest = min((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"])
                iam.delete_policy_version(PolicyArn=id, VersionId=oldest["VersionId"])
            _new_default_version(iam, id, news["policy"], news.get("delayAfterPolicyCreationInMs"))
        sync_iam_tags(iam, "policy", {"PolicyArn": id}, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        with suppress(iam.exceptions.NoSuchEntityException):
            # IAM refuses to delete a policy that still has non-default versions.
            for version in _policy_versions(iam, id):
                if not version["IsDefaultVersion"]:
                    iam.delete_policy_version(PolicyArn=id, VersionId=version["VersionId"])
            iam.delete_policy(PolicyArn=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        iam = ctx.client("iam")
        policy = iam.get_policy(PolicyArn=id)["Policy"]
        document = iam.get_policy_version(PolicyArn=id, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        return {
            **state,
            "id": id,
            "arn": id,
            "name": policy["PolicyName"],
            "path": policy["Path"],
            "description": policy.get("Description"),
            "policyId": policy["PolicyId"],
            "attachmentCount": int(policy.get("AttachmentCount") or 0),
            "policy": document_from_cloud(state.get("policy"), document["Document"]),
            **tags_from_cloud(ctx, state, tag_dict(policy.get("Tags"))),
        }


def _policy_versions(iam: Any, arn: str) -> list[dict[str, Any]]:
    return list(listed(iam, "list_policy_versions", "Versions", PolicyArn=arn))


def _new_default_version(iam: Any, arn: str, document: str, delay_ms: int | None) -> None:
    """A new version of the policy, made the default. With a delay, as Terraform does: created first, made the
    default after the pause, so that authorizers have the new version before it applies."""
    if not delay_ms:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document, SetAsDefault=True)
        return
    version = iam.create_policy_version(PolicyArn=arn, PolicyDocument=document, SetAsDefault=False)["PolicyVersion"]
    time.sleep(delay_ms / 1000)
    iam.set_default_policy_version(PolicyArn=arn, VersionId=version["VersionId"])


# ---- User and Group ------------------------------------------------------------------------


@resource_type
class User(IamResource):
    token = "aws:iam/user:User"
    id_property = "name"
    name_property = "name"
    name_max_length = 64
    defaults = {"path": "/", "forceDestroy": False}
    handled = frozenset({"forceDestroy", "path"})
    unsupported = {"permissionsBoundary": "the local cloud neither keeps nor enforces a user's permissions boundary "
                                          "(a role's is emulated)"}
    outputs = frozenset({"arn", "uniqueId"})
    gone_codes = IAM_GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"UserName": inputs["name"], "Path": inputs["path"]}
        if tags_all := self.tags_all(ctx, urn, inputs):
            params["Tags"] = tag_list(tags_all)
        ctx.client("iam").create_user(**params)
        return inputs["name"], self.describe(ctx, inputs["name"], inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        iam = ctx.client("iam")
        changed = set(diff.changed)
        if changed & {"name", "path"}:  # renaming changes the id, as in Terraform
            iam.update_user(UserName=id, NewUserName=news["name"], NewPath=news["path"])
            id = news["name"]
        sync_iam_tags(iam, "user", {"UserName": id}, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        with suppress(iam.exceptions.NoSuchEntityException):
            # IAM refuses to delete a user that is in a group; Terraform always removes the memberships.
            groups = [g["GroupName"] for g in listed(iam, "list_groups_for_user", "Groups", UserName=id)]
            _remove_memberships(iam, [(id, group) for group in groups])
            if state.get("forceDestroy"):
                _delete_user_credentials(iam, id)
            iam.delete_user(UserName=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        user = ctx.client("iam").get_user(UserName=id)["User"]
        return {
            **state,
            "id": user["UserName"],
            "name": user["UserName"],
            "arn": user["Arn"],
            "path": user["Path"],
            "uniqueId": user["UserId"],
            **tags_from_cloud(ctx, state, tag_dict(user.get("Tags"))),
        }


def _delete_user_credentials(iam: Any, user: str) -> None:
    """forceDestroy: remove what IAM requires gone before DeleteUser and Terraform does not manage elsewhere."""
    for key in listed(iam, "list_access_keys", "AccessKeyMetadata", UserName=user):
        iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    for ssh_key in listed(iam, "list_ssh_public_keys", "SSHPublicKeys", UserName=user):
        iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=ssh_key["SSHPublicKeyId"])
    for certificate in listed(iam, "list_signing_certificates", "Certificates", UserName=user):
        iam.delete_signing_certificate(UserName=user, CertificateId=certificate["CertificateId"])
    for device in listed(iam, "list_mfa_devices", "MFADevices", UserName=user):
        iam.deactivate_mfa_device(UserName=user, SerialNumber=device["SerialNumber"])
    with suppress(iam.exceptions.NoSuchEntityException):
        iam.delete_login_profile(UserName=user)


@resource_type
class Group(IamResource):
    token = "aws:iam/group:Group"
    id_property = "name"
    name_property = "name"
    name_max_length = 128
    defaults = {"path": "/"}
    taggable = False
    handled = frozenset({"path"})
    outputs = frozenset({"arn", "uniqueId"})
    gone_codes = IAM_GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ctx.client("iam").create_group(GroupName=inputs["name"], Path=inputs["path"])
        return inputs["name"], self.describe(ctx, inputs["name"], inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        # name and path are the only properties; renaming changes the id, as in Terraform. (moto refuses a
        # NewGroupName equal to the current name, so it is only sent for a rename.)
        renamed = {"NewGroupName": news["name"]} if news["name"] != id else {}
        ctx.client("iam").update_group(GroupName=id, NewPath=news["path"], **renamed)
        outputs = self.describe(ctx, news["name"], news)
        if outputs["path"] != news["path"]:  # the local cloud moves a group to another path only with a rename
            raise OperationFailed(f"{self.token} {news['name']}: IAM kept the group at path {outputs['path']!r}, "
                                  f"not {news['path']!r}; rename the group to move it")
        return outputs

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        with suppress(iam.exceptions.NoSuchEntityException):
            iam.delete_group(GroupName=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        group = ctx.client("iam").get_group(GroupName=id)["Group"]
        return {
            **state,
            "id": group["GroupName"],
            "name": group["GroupName"],
            "arn": group["Arn"],
            "path": group["Path"],
            "uniqueId": group["GroupId"],
        }


# ---- group memberships ---------------------------------------------------------------------


class _Memberships(IamResource):
    """Users in groups, as (user, group) pairs that create adds, update moves and delete removes."""

    taggable = False
    handled = frozenset()  # the user(s) and group(s), all required

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
            members = [u["UserName"] for u in listed(iam, "get_group", "Users", GroupName=state["group"])]
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
            groups = {g["GroupName"] for g in listed(iam, "list_groups_for_user", "Groups", UserName=state["user"])}
        except iam.exceptions.NoSuchEntityException:
            return None
        still = [group for group in state.get("groups") or () if group in groups]
        return {**state, "id": id, "groups": still} if still else None


# ---- managed policy attachments (Terraform's role attachment is in iam.py) ------------------


@resource_type
class UserPolicyAttachment(ManagedPolicyAttachment):
    token = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
    principal = "user"
    required = ("user", "policyArn")
    force_new = frozenset({"user", "policyArn"})


@resource_type
class GroupPolicyAttachment(ManagedPolicyAttachment):
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
class AccessKey(IamResource):
    token = "aws:iam/accessKey:AccessKey"
    required = ("user",)
    defaults = {"status": "Active"}
    force_new = frozenset({"user", "pgpKey"})
    taggable = False
    handled = frozenset({"status"})
    unsupported = {"pgpKey": "leave it out and read the key's secret output (it is kept secret)"}
    outputs = frozenset({"createDate", "secret", "sesSmtpPasswordV4", *_PGP_OUTPUTS})
    secret = frozenset({"secret", "sesSmtpPasswordV4"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        status = inputs.get("status")
        if status not in _ACCESS_KEY_STATUSES and not contains_unknown(status):
            return [CheckFailure("status", f"status must be one of {', '.join(_ACCESS_KEY_STATUSES)}; got {status!r}")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        iam = ctx.client("iam")
        key = iam.create_access_key(UserName=inputs["user"])["AccessKey"]
        id = key["AccessKeyId"]
        if inputs["status"] != key["Status"]:
            iam.update_access_key(UserName=inputs["user"], AccessKeyId=id, Status=inputs["status"])
        # The secret can only be read now, so it and the SMTP password derived from it live in state (in the
        # clear: without a PGP key nothing is encrypted, as in Terraform).
        secrets = {
            "secret": key["SecretAccessKey"],
            "sesSmtpPasswordV4": ses_smtp_password_v4(key["SecretAccessKey"], ctx.region),
            **dict.fromkeys(_PGP_OUTPUTS),
        }
        return id, self.read_back(ctx, id, {**inputs, **secrets})

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        iam = ctx.client("iam")
        try:
            # An imported key has no user in state; Terraform finds it with GetAccessKeyLastUsed.
            user = state.get("user") or iam.get_access_key_last_used(AccessKeyId=id)["UserName"]
            keys = listed(iam, "list_access_keys", "AccessKeyMetadata", UserName=user)
            key = next((k for k in keys if k["AccessKeyId"] == id), None)
        except iam.exceptions.NoSuchEntityException:
            return None
        if key is None:
            return None
        return {**state, "id": id, "user": key["UserName"], "status": key["Status"],
                "createDate": timestamp(key["CreateDate"])}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        if "status" in diff.changed:
            ctx.client("iam").update_access_key(UserName=news["user"], AccessKeyId=id, Status=news["status"])
        return self.read_back(ctx, id, {**olds, **news})

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        with suppress(iam.exceptions.NoSuchEntityException):
            iam.delete_access_key(UserName=state["user"], AccessKeyId=id)


# ---- InstanceProfile -----------------------------------------------------------------------


@resource_type
class InstanceProfile(IamResource):
    token = "aws:iam/instanceProfile:InstanceProfile"
    id_property = "name"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = 128
    defaults = {"path": "/"}
    force_new = frozenset({"name", "namePrefix", "path"})
    handled = frozenset({"path", "role"})
    outputs = frozenset({"arn", "createDate", "uniqueId"})
    gone_codes = IAM_GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        iam = ctx.client("iam")
        name = self.physical_name(inputs)
        params: dict[str, Any] = {"InstanceProfileName": name, "Path": inputs["path"]}
        if tags_all := self.tags_all(ctx, urn, inputs):
            params["Tags"] = tag_list(tags_all)
        iam.create_instance_profile(**params)
        if inputs.get("role"):
            iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=inputs["role"])
        return name, self.describe(ctx, name, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        iam = ctx.client("iam")
        if "role" in diff.changed:  # a profile holds at most one role: swap it
            if olds.get("role"):
                _remove_role(iam, id, olds["role"])
            if news.get("role"):
                iam.add_role_to_instance_profile(InstanceProfileName=id, RoleName=news["role"])
        sync_iam_tags(iam, "instance_profile", {"InstanceProfileName": id}, olds.get("tagsAll") or {},
                      self.tags_all(ctx, urn, news))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        iam = ctx.client("iam")
        if state.get("role"):
            _remove_role(iam, id, state["role"])
        with suppress(iam.exceptions.NoSuchEntityException):
            iam.delete_instance_profile(InstanceProfileName=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        profile = ctx.client("iam").get_instance_profile(InstanceProfileName=id)["InstanceProfile"]
        roles = profile.get("Roles") or []
        return {
            **state,
            "id": profile["InstanceProfileName"],
            "name": profile["InstanceProfileName"],
            "arn": profile["Arn"],
            "path": profile["Path"],
            "role": roles[0]["RoleName"] if roles else None,
            "createDate": timestamp(profile["CreateDate"]),
            "uniqueId": profile["InstanceProfileId"],
            **tags_from_cloud(ctx, state, tag_dict(profile.get("Tags"))),
        }


def _remove_role(iam: Any, profile: str, role: str) -> None:
    with suppress(iam.exceptions.NoSuchEntityException):
        iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
