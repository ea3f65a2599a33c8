"""IAM users, groups, memberships, policy attachments, access keys, instance profiles, managed policies and inline
role policies, against the session's moto server."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from envctl.errors import OperationFailed
from envctl.providers.aws.base import DiffResult
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.iam.principals import ses_smtp_password_v4

from engine_support import aws
from provider_steps import (
    LAMBDA_TRUST,
    READ_ONLY_LOGS,
    assert_deleted,
    assert_up_again_changes_nothing_and_destroy_deletes,
    checked,
    create,
    failures,
    provider,
    unique,
    up_program,
    update,
    urn,
)

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
USER = "aws:iam/user:User"
GROUP = "aws:iam/group:Group"
GROUP_MEMBERSHIP = "aws:iam/groupMembership:GroupMembership"
USER_GROUP_MEMBERSHIP = "aws:iam/userGroupMembership:UserGroupMembership"
USER_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
GROUP_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
ACCESS_KEY = "aws:iam/accessKey:AccessKey"
INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def document(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})


@pytest.fixture
def iam(aws_ctx: AwsContext) -> Any:
    return aws_ctx.client("iam")


@pytest.fixture
def role(iam: Any) -> str:
    name = unique("principals-role")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=LAMBDA_TRUST)
    return name


@pytest.fixture
def user(iam: Any) -> str:
    name = unique("principals-user")
    iam.create_user(UserName=name)
    return name


@pytest.fixture
def group(iam: Any) -> str:
    name = unique("principals-group")
    iam.create_group(GroupName=name)
    return name


def test_ses_smtp_password_matches_terraforms_test_vectors() -> None:
    assert ses_smtp_password_v4("some+secret+key", "eu-central-1") == "BMXhUYlu5Z3gSXVQORxlVa7XPaz91aGWdfHxvkOZdWZ2"
    assert ses_smtp_password_v4("another+secret+key", "eu-central-1") == "BBbphbrQmrKMx42d1N6+C7VINYEBGI5v9VsZeTxwskfh"
    assert ses_smtp_password_v4("some+secret+key", "us-west-1") == "BH+jbMzper5WwlwUar9E1ySBqHa9whi0GPo+sJ0mVYJj"
    assert ses_smtp_password_v4("another+secret+key", "us-west-1") == "BKVmjjMDFk/qqw8EROW99bjCS65PF8WKvK5bSr4Y6EqF"


# ---- RolePolicy ----------------------------------------------------------------------------


def test_role_policy_lifecycle(aws_ctx: AwsContext, iam: Any, role: str) -> None:
    id, outputs = create(aws_ctx, ROLE_POLICY, "logs-write", {"role": role, "policy": document("logs:PutLogEvents")})
    name = outputs["name"]
    assert name.startswith("logs-write-") and id == f"{role}:{name}"
    stored = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    assert stored["Statement"][0]["Action"] == ["logs:PutLogEvents"]
    assert provider(ROLE_POLICY).read(aws_ctx, id, outputs) == outputs
    imported = provider(ROLE_POLICY).read(aws_ctx, id, {})  # the import id alone is enough
    assert imported is not None and (imported["role"], imported["name"]) == (role, name)

    updated = update(aws_ctx, ROLE_POLICY, "logs-write", id, outputs, {"policy": document("logs:*")})
    assert updated["id"] == id and updated["policy"] == document("logs:*")
    assert iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]["Statement"][0]["Action"] == [
        "logs:*"]

    assert_deleted(aws_ctx, ROLE_POLICY, id, updated)
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == []


def test_role_policy_check_and_diff() -> None:
    policy = provider(ROLE_POLICY)
    as_object = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    inputs = checked(ROLE_POLICY, "p", {"role": "r", "policy": as_object})
    assert json.loads(inputs["policy"]) == as_object  # a PolicyDocument object is sent as its JSON text
    assert {f.property for f in policy.check("p", None, {"policy": "{nope"}).failures} == {"role", "policy"}

    reformatted = json.dumps(as_object, indent=2)
    assert not policy.diff(inputs, {**inputs, "policy": reformatted}).has_changes
    assert policy.diff(inputs, {**inputs, "policy": document("s3:GetObject")}) == DiffResult(("policy",), ())
    assert policy.diff(inputs, {**inputs, "role": "other"}).replaces == ("role",)
    assert policy.diff(inputs, {**inputs, "name": "other"}).replaces == ("name",)


def test_role_policy_name_prefix(aws_ctx: AwsContext, role: str) -> None:
    id, outputs = create(aws_ctx, ROLE_POLICY, "pre", {"role": role, "namePrefix": "envctl-",
                                                         "policy": document("s3:ListBucket")})
    assert outputs["name"].startswith("envctl-") and len(outputs["name"]) == len("envctl-") + 26
    assert id == f"{role}:{outputs['name']}"
    provider(ROLE_POLICY).delete(aws_ctx, id, outputs)


# ---- Policy --------------------------------------------------------------------------------


def test_policy_lifecycle(aws_ctx: AwsContext, iam: Any) -> None:
    id, outputs = create(aws_ctx, POLICY, "read-logs", {
        "policy": document("logs:Get*"), "description": "reads logs", "path": "/svc/", "tags": {"team": "core"},
    })
    name = outputs["name"]
    assert name.startswith("read-logs-")
    assert id == outputs["arn"] == f"arn:aws:iam::{aws_ctx.account_id}:policy/svc/{name}"
    stored = iam.get_policy(PolicyArn=id)["Policy"]
    assert (stored["Description"], stored["Path"], stored["PolicyId"]) == ("reads logs", "/svc/", outputs["policyId"])
    assert outputs["attachmentCount"] == 0
    assert outputs["tagsAll"] == {"team": "core", "envctl:env": "test", "envctl:urn": urn(POLICY, "read-logs")}
    assert provider(POLICY).read(aws_ctx, id, outputs) == outputs

    updated = update(aws_ctx, POLICY, "read-logs", id, outputs, {"policy": document("logs:*"),
                                                                  "tags": {"team": "ops"}})
    assert updated["id"] == id and updated["policyId"] == outputs["policyId"]
    default = iam.get_policy(PolicyArn=id)["Policy"]["DefaultVersionId"]
    assert default == "v2" and iam.get_policy_version(PolicyArn=id, VersionId="v2")["PolicyVersion"]["Document"][
        "Statement"][0]["Action"] == ["logs:*"]
    assert {t["Key"]: t["Value"] for t in iam.list_policy_tags(PolicyArn=id)["Tags"]}["team"] == "ops"
    assert provider(POLICY).read(aws_ctx, id, updated) == updated

    # IAM keeps five versions: each further change drops the oldest non-default one first.
    for action in ("logs:Describe*", "logs:List*", "logs:Filter*", "logs:Tail*"):
        updated = update(aws_ctx, POLICY, "read-logs", id, updated, {"policy": document(action)})
    versions = {v["VersionId"]: v["IsDefaultVersion"] for v in iam.list_policy_versions(PolicyArn=id)["Versions"]}
    assert versions == {"v2": False, "v3": False, "v4": False, "v5": False, "v6": True}

    # Deleting removes the non-default versions first, as IAM requires.
    assert_deleted(aws_ctx, POLICY, id, updated)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy(PolicyArn=id)


def test_policy_with_a_delay_makes_a_new_version_the_default_only_after_it(aws_ctx: AwsContext, iam: Any) -> None:
    id, outputs = create(aws_ctx, POLICY, "delayed", {"policy": document("s3:Get*"),
                                                      "delayAfterPolicyCreationInMs": 400})
    started = time.monotonic()
    updated = update(aws_ctx, POLICY, "delayed", id, outputs, {"policy": document("s3:*")})
    assert time.monotonic() - started >= 0.4
    assert iam.get_policy(PolicyArn=id)["Policy"]["DefaultVersionId"] == "v2"
    assert iam.get_policy_version(PolicyArn=id, VersionId="v2")["PolicyVersion"]["Document"]["Statement"][0][
        "Action"] == ["s3:*"]
    assert updated["delayAfterPolicyCreationInMs"] == 400 and updated["policy"] == document("s3:*")
    # The delay itself changes nothing in IAM.
    assert provider(POLICY).diff(updated, {**updated, "delayAfterPolicyCreationInMs": 0}).replaces == ()
    provider(POLICY).delete(aws_ctx, id, updated)


def test_policy_diff_replaces_on_description_and_path() -> None:
    policy = provider(POLICY)
    olds = checked(POLICY, "p", {"policy": document("s3:*"), "name": "p"})
    assert olds["path"] == "/"
    assert policy.diff(olds, {**olds, "description": "now described"}).replaces == ("description",)
    assert policy.diff(olds, {**olds, "path": "/x/"}).replaces == ("path",)
    assert policy.diff(olds, {**olds, "tags": {"a": "b"}}) == DiffResult(("tags",), ())


# ---- User and Group ------------------------------------------------------------------------


def test_user_lifecycle(aws_ctx: AwsContext, iam: Any) -> None:
    id, outputs = create(aws_ctx, USER, "deployer", {"path": "/ci/", "tags": {"team": "core"}})
    assert id == outputs["name"] and id.startswith("deployer-")
    stored = iam.get_user(UserName=id)["User"]
    assert outputs["arn"] == stored["Arn"] == f"arn:aws:iam::{aws_ctx.account_id}:user/ci/{id}"
    assert outputs["uniqueId"] == stored["UserId"] and outputs["forceDestroy"] is False
    assert {t["Key"]: t["Value"] for t in stored["Tags"]} == outputs["tagsAll"]
    assert outputs["tags"] == {"team": "core"}
    assert provider(USER).read(aws_ctx, id, outputs) == outputs

    updated = update(aws_ctx, USER, "deployer", id, outputs, {"path": "/ops/", "tags": {"team": "ops"}})
    assert updated["id"] == id and updated["uniqueId"] == outputs["uniqueId"]
    assert iam.get_user(UserName=id)["User"]["Path"] == "/ops/"
    assert {t["Key"]: t["Value"] for t in iam.list_user_tags(UserName=id)["Tags"]}["team"] == "ops"
    assert provider(USER).read(aws_ctx, id, updated) == updated

    assert_deleted(aws_ctx, USER, id, updated)


def test_user_permissions_boundary_is_refused_naming_it() -> None:
    # The local cloud drops a user's boundary without a word: check stops the run instead.
    refused = failures(USER, permissionsBoundary=READ_ONLY_LOGS)
    assert set(refused) == {"permissionsBoundary"} and "permissions boundary" in refused["permissionsBoundary"]


def test_user_rename_is_an_update_that_changes_the_id(aws_ctx: AwsContext, iam: Any) -> None:
    id, outputs = create(aws_ctx, USER, "renamed", {"name": unique("before")})
    after = unique("after")
    assert provider(USER).diff(outputs, {**outputs, "name": after}) == DiffResult(("name",), ())
    renamed = update(aws_ctx, USER, "renamed", id, outputs, {"name": after})
    assert renamed["id"] == after and renamed["uniqueId"] == outputs["uniqueId"]
    assert iam.get_user(UserName=after)["User"]["UserId"] == outputs["uniqueId"]
    assert provider(USER).read(aws_ctx, id, outputs) is None
    provider(USER).delete(aws_ctx, after, renamed)


def test_user_delete_leaves_groups_and_with_force_destroy_removes_keys(
    aws_ctx: AwsContext, iam: Any, group: str
) -> None:
    id, outputs = create(aws_ctx, USER, "leaver", {"forceDestroy": True})
    iam.add_user_to_group(UserName=id, GroupName=group)
    iam.create_access_key(UserName=id)
    iam.create_login_profile(UserName=id, Password="Correct-Horse-1")
    assert_deleted(aws_ctx, USER, id, outputs)
    assert iam.get_group(GroupName=group)["Users"] == []


def test_group_lifecycle(aws_ctx: AwsContext, iam: Any) -> None:
    id, outputs = create(aws_ctx, GROUP, "admins", {})
    stored = iam.get_group(GroupName=id)["Group"]
    assert id == outputs["name"] and id.startswith("admins-") and outputs["path"] == "/"
    assert (outputs["arn"], outputs["uniqueId"]) == (stored["Arn"], stored["GroupId"])
    assert provider(GROUP).read(aws_ctx, id, outputs) == outputs

    # Renaming is an update that changes the id. (moto only moves a group to another path with a rename.)
    renamed_to = unique("admins-renamed")
    assert provider(GROUP).diff(outputs, {**outputs, "name": renamed_to, "path": "/teams/"}).replaces == ()
    renamed = update(aws_ctx, GROUP, "admins", id, outputs, {"name": renamed_to, "path": "/teams/"})
    assert renamed["id"] == renamed_to and renamed["uniqueId"] == outputs["uniqueId"]
    assert renamed["arn"] == iam.get_group(GroupName=renamed_to)["Group"]["Arn"]
    assert renamed["arn"].endswith(f":group/teams/{renamed_to}")
    assert provider(GROUP).read(aws_ctx, id, outputs) is None

    assert_deleted(aws_ctx, GROUP, renamed_to, renamed)


def test_group_moved_to_another_path_in_place_or_the_update_fails(aws_ctx: AwsContext, iam: Any) -> None:
    id, outputs = create(aws_ctx, GROUP, "movers", {"path": "/a/"})
    assert iam.get_group(GroupName=id)["Group"]["Path"] == "/a/"
    # The local cloud moves a group only with a rename: the update says so rather than record a path it lacks.
    with pytest.raises(OperationFailed, match="path '/a/', not '/b/'"):
        update(aws_ctx, GROUP, "movers", id, outputs, {"path": "/b/"})
    assert provider(GROUP).read(aws_ctx, id, outputs)["path"] == "/a/"
    provider(GROUP).delete(aws_ctx, id, outputs)


# ---- memberships ---------------------------------------------------------------------------


def group_members(iam: Any, group: str) -> set[str]:
    return {u["UserName"] for u in iam.get_group(GroupName=group)["Users"]}


def test_group_membership_lifecycle(aws_ctx: AwsContext, iam: Any, group: str) -> None:
    alice, bob, carol = (unique(n) for n in ("alice", "bob", "carol"))
    for name in (alice, bob, carol):
        iam.create_user(UserName=name)
    id, outputs = create(aws_ctx, GROUP_MEMBERSHIP, "team", {"group": group, "users": [alice, bob]})
    assert id == outputs["name"] and id.startswith("team-")
    assert group_members(iam, group) == {alice, bob}
    assert provider(GROUP_MEMBERSHIP).read(aws_ctx, id, outputs) == outputs

    updated = update(aws_ctx, GROUP_MEMBERSHIP, "team", id, outputs, {"users": [bob, carol]})
    assert updated["id"] == id and group_members(iam, group) == {bob, carol}
    assert provider(GROUP_MEMBERSHIP).diff(updated, {**updated, "group": "other"}).replaces == ("group",)
    iam.add_user_to_group(UserName=alice, GroupName=group)  # Terraform reads every member as the resource's
    assert provider(GROUP_MEMBERSHIP).read(aws_ctx, id, updated)["users"] == [bob, carol, alice]
    iam.remove_user_from_group(UserName=alice, GroupName=group)

    assert_deleted(aws_ctx, GROUP_MEMBERSHIP, id, updated)
    assert group_members(iam, group) == set()


def test_user_group_membership_lifecycle(aws_ctx: AwsContext, iam: Any, user: str) -> None:
    groups = [unique(n) for n in ("devs", "ops", "auditors")]
    for name in groups:
        iam.create_group(GroupName=name)
    id, outputs = create(aws_ctx, USER_GROUP_MEMBERSHIP, "joins", {"user": user, "groups": groups[:2]})
    assert id.startswith("terraform-") and len(id) == len("terraform-") + 26
    assert {g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]} == set(groups[:2])
    assert provider(USER_GROUP_MEMBERSHIP).read(aws_ctx, id, outputs) == outputs

    updated = update(aws_ctx, USER_GROUP_MEMBERSHIP, "joins", id, outputs, {"groups": groups[1:]})
    assert updated["id"] == id
    assert {g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]} == set(groups[1:])
    assert provider(USER_GROUP_MEMBERSHIP).diff(updated, {**updated, "user": "other"}).replaces == ("user",)

    assert_deleted(aws_ctx, USER_GROUP_MEMBERSHIP, id, updated)
    assert iam.list_groups_for_user(UserName=user)["Groups"] == []


# ---- policy attachments --------------------------------------------------------------------


@pytest.mark.parametrize(("token", "principal"), [(USER_ATTACHMENT, "user"), (GROUP_ATTACHMENT, "group")])
def test_policy_attachment_lifecycle(
    aws_ctx: AwsContext, iam: Any, user: str, group: str, token: str, principal: str
) -> None:
    name = user if principal == "user" else group
    kind = principal.capitalize()
    attached = getattr(iam, f"list_attached_{principal}_policies")
    assert {f.property for f in provider(token).check("a", None, {principal: name}).failures} == {"policyArn"}

    id, outputs = create(aws_ctx, token, "read-only", {principal: name, "policyArn": READ_ONLY_LOGS})
    assert id == f"{name}/{READ_ONLY_LOGS}"
    assert [p["PolicyArn"] for p in attached(**{f"{kind}Name": name})["AttachedPolicies"]] == [READ_ONLY_LOGS]
    assert provider(token).read(aws_ctx, id, outputs) == outputs
    imported = provider(token).read(aws_ctx, id, {})
    assert imported is not None and (imported[principal], imported["policyArn"]) == (name, READ_ONLY_LOGS)

    assert provider(token).diff(outputs, {**outputs, "policyArn": READ_ONLY}).replaces == ("policyArn",)
    assert provider(token).diff(outputs, {**outputs, principal: "other"}).replaces == (principal,)

    assert_deleted(aws_ctx, token, id, outputs)
    assert attached(**{f"{kind}Name": name})["AttachedPolicies"] == []


# ---- AccessKey -----------------------------------------------------------------------------


def test_access_key_check() -> None:
    key = provider(ACCESS_KEY)
    assert checked(ACCESS_KEY, "k", {"user": "u"})["status"] == "Active"
    assert {f.property for f in key.check("k", None, {}).failures} == {"user"}
    assert {f.property for f in key.check("k", None, {"user": "u", "status": "Off"}).failures} == {"status"}
    assert {f.property for f in key.check("k", None, {"user": "u", "pgpKey": "keybase:x"}).failures} == {"pgpKey"}


def test_access_key_lifecycle(aws_ctx: AwsContext, iam: Any, user: str) -> None:
    id, outputs = create(aws_ctx, ACCESS_KEY, "ci-key", {"user": user})
    [listed] = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
    assert id == outputs["id"] == listed["AccessKeyId"] and outputs["status"] == "Active"
    assert len(outputs["secret"]) == 40 and outputs["createDate"].endswith("Z")
    assert outputs["sesSmtpPasswordV4"] == ses_smtp_password_v4(outputs["secret"], "us-east-1")
    assert provider(ACCESS_KEY).read(aws_ctx, id, outputs) == outputs  # the secret stays as recorded
    imported = provider(ACCESS_KEY).read(aws_ctx, id, {})
    assert imported is not None and (imported["user"], imported["status"]) == (user, "Active")

    updated = update(aws_ctx, ACCESS_KEY, "ci-key", id, outputs, {"status": "Inactive"})
    assert updated["id"] == id and updated["status"] == "Inactive" and updated["secret"] == outputs["secret"]
    assert iam.list_access_keys(UserName=user)["AccessKeyMetadata"][0]["Status"] == "Inactive"
    assert provider(ACCESS_KEY).diff(outputs, {**outputs, "user": "other"}).replaces == ("user",)

    assert_deleted(aws_ctx, ACCESS_KEY, id, updated)
    assert iam.list_access_keys(UserName=user)["AccessKeyMetadata"] == []


def test_access_key_created_inactive(aws_ctx: AwsContext, iam: Any, user: str) -> None:
    id, outputs = create(aws_ctx, ACCESS_KEY, "spare", {"user": user, "status": "Inactive"})
    assert outputs["status"] == "Inactive" == iam.list_access_keys(UserName=user)["AccessKeyMetadata"][0]["Status"]
    provider(ACCESS_KEY).delete(aws_ctx, id, outputs)


# ---- InstanceProfile -----------------------------------------------------------------------


def test_instance_profile_lifecycle(aws_ctx: AwsContext, iam: Any, role: str) -> None:
    id, outputs = create(aws_ctx, INSTANCE_PROFILE, "web", {"role": role, "tags": {"team": "core"}})
    stored = iam.get_instance_profile(InstanceProfileName=id)["InstanceProfile"]
    assert id == outputs["name"] and id.startswith("web-")
    assert outputs["arn"] == stored["Arn"] == f"arn:aws:iam::{aws_ctx.account_id}:instance-profile/{id}"
    assert [r["RoleName"] for r in stored["Roles"]] == [role] and outputs["role"] == role
    assert outputs["uniqueId"] == stored["InstanceProfileId"] and outputs["createDate"].endswith("Z")
    assert outputs["tagsAll"]["team"] == "core" and outputs["tags"] == {"team": "core"}
    assert provider(INSTANCE_PROFILE).read(aws_ctx, id, outputs) == outputs

    other_role = unique("principals-role")
    iam.create_role(RoleName=other_role, AssumeRolePolicyDocument=LAMBDA_TRUST)
    updated = update(aws_ctx, INSTANCE_PROFILE, "web", id, outputs, {"role": other_role, "tags": {}})
    stored = iam.get_instance_profile(InstanceProfileName=id)["InstanceProfile"]
    assert [r["RoleName"] for r in stored["Roles"]] == [other_role]
    assert updated["id"] == id and updated["role"] == other_role and "team" not in updated["tagsAll"]
    assert provider(INSTANCE_PROFILE).read(aws_ctx, id, updated) == updated
    assert provider(INSTANCE_PROFILE).diff(updated, {**updated, "path": "/x/"}).replaces == ("path",)

    assert_deleted(aws_ctx, INSTANCE_PROFILE, id, updated)
    assert iam.list_instance_profiles_for_role(RoleName=other_role)["InstanceProfiles"] == []


def test_instance_profile_name_prefix_without_role(aws_ctx: AwsContext) -> None:
    id, outputs = create(aws_ctx, INSTANCE_PROFILE, "pre", {"namePrefix": "envctl-"})
    assert id.startswith("envctl-") and len(id) == len("envctl-") + 26 and outputs["role"] is None
    provider(INSTANCE_PROFILE).delete(aws_ctx, id, outputs)


# ---- an unmodified program through the local engine --------------------------------------

CI_USER_PROGRAM = """
import json
import pulumi
import pulumi_aws as aws

deployers = aws.iam.Group("deployers", path="/ci/")
ci = aws.iam.User("ci", path="/ci/", force_destroy=True, tags={"purpose": "ci"})
aws.iam.GroupMembership("deployers-members", group=deployers.name, users=[ci.name])
key = aws.iam.AccessKey("ci-key", user=ci.name)
push = aws.iam.Policy("push", description="push artifacts", policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "*"}],
}))
aws.iam.GroupPolicyAttachment("deployers-push", group=deployers.name, policy_arn=push.arn)
aws.iam.UserPolicyAttachment("ci-read-only", user=ci.name, policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess")

web_role = aws.iam.Role("web", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))
aws.iam.RolePolicy("web-logs", role=web_role.id, policy={
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "*"}],
})
profile = aws.iam.InstanceProfile("web", role=web_role.name)

pulumi.export("userName", ci.name)
pulumi.export("groupName", deployers.name)
pulumi.export("accessKeyId", key.id)
pulumi.export("secret", key.secret)
pulumi.export("profileName", profile.name)
"""


def test_a_ci_user_program_runs_unmodified(tmp_path: Path, moto_endpoint: str) -> None:
    project, result = up_program(tmp_path, CI_USER_PROGRAM, moto_endpoint)
    assert result.changes["create"] == 10 + 1  # and the stack
    out = result.outputs
    iam = aws(moto_endpoint, "iam")
    assert [k["AccessKeyId"] for k in iam.list_access_keys(UserName=out["userName"])["AccessKeyMetadata"]] == [
        out["accessKeyId"]]
    assert {u["UserName"] for u in iam.get_group(GroupName=out["groupName"])["Users"]} == {out["userName"]}
    [attached] = iam.list_attached_group_policies(GroupName=out["groupName"])["AttachedPolicies"]
    assert attached["PolicyName"].startswith("push-")
    profile = iam.get_instance_profile(InstanceProfileName=out["profileName"])["InstanceProfile"]
    assert profile["Roles"][0]["RoleName"].startswith("web-")

    assert_up_again_changes_nothing_and_destroy_deletes(project, moto_endpoint, 10 + 1)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_user(UserName=out["userName"])
