"""IAM inline user and group policies, PolicyAttachment, OpenID Connect providers, service-linked roles, login
profiles and the IAM lookups, against the session's moto server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.context import AwsContext

from provider_steps import LAMBDA_TRUST, Provisioner, failures, invoke, provider, unique

USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
SERVICE_LINKED_ROLE = "aws:iam/serviceLinkedRole:ServiceLinkedRole"
LOGIN_PROFILE = "aws:iam/userLoginProfile:UserLoginProfile"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
GITHUB = "https://token.actions.githubusercontent.com"
THUMBPRINT = "6938fd4d98bab03faadb97b34396831e3780aea1"


def allow(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions),
                                                               "Resource": "*"}]})


@pytest.fixture
def iam(aws_ctx: AwsContext) -> Any:
    return aws_ctx.client("iam")


@pytest.fixture
def user(iam: Any) -> str:
    name = unique("identity-user")
    iam.create_user(UserName=name)
    return name


@pytest.fixture
def group(iam: Any) -> str:
    name = unique("identity-group")
    iam.create_group(GroupName=name)
    return name


@pytest.fixture
def role(iam: Any) -> str:
    name = unique("identity-role")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=LAMBDA_TRUST)
    return name


# ---- UserPolicy and GroupPolicy ------------------------------------------------------------


@pytest.mark.parametrize("token, principal", [(USER_POLICY, "user"), (GROUP_POLICY, "group")])
def test_inline_policy_lifecycle(provisioner: Provisioner, iam: Any, request: pytest.FixtureRequest,
                                 token: str, principal: str) -> None:
    owner = request.getfixturevalue(principal)
    get = getattr(iam, f"get_{principal}_policy")
    address = {f"{principal.capitalize()}Name": owner}
    made = provisioner.create(token, "inline", {principal: owner, "policy": allow("s3:GetObject")})

    name = made.outputs["name"]
    assert made.id == f"{owner}:{name}" and name.startswith("inline-")
    assert get(**address, PolicyName=name)["PolicyDocument"]["Statement"][0]["Action"] == ["s3:GetObject"]
    assert provisioner.read(made) == made.outputs
    spaced = json.dumps(json.loads(allow("s3:GetObject")), indent=4)
    assert not provisioner.plan(made, {"policy": spaced}).has_changes

    made = provisioner.update(made, {"policy": allow("s3:GetObject", "s3:PutObject")})
    assert get(**address, PolicyName=name)["PolicyDocument"]["Statement"][0]["Action"] == [
        "s3:GetObject", "s3:PutObject"]
    assert provisioner.plan(made, {"name": "renamed"}).replaces == ("name",)
    assert provisioner.plan(made, {principal: "someone-else"}).replaces == (principal,)

    provisioner.assert_deleted(made)
    assert getattr(iam, f"list_{principal}_policies")(**address)["PolicyNames"] == []


def test_inline_policy_name_prefix_and_invalid_document(provisioner: Provisioner, iam: Any, user: str) -> None:
    made = provisioner.create(USER_POLICY, "prefixed", {"user": user, "namePrefix": "ci-", "policy": allow("s3:*")})
    assert made.outputs["name"].startswith("ci-") and made.outputs["name"] != "ci-"
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == [made.outputs["name"]]
    assert "not valid JSON" in failures(GROUP_POLICY, group="g", policy="{nope")["policy"]


# ---- PolicyAttachment ----------------------------------------------------------------------


def test_policy_attachment_manages_every_attachment_of_the_policy(
        provisioner: Provisioner, iam: Any, user: str, group: str, role: str) -> None:
    policy = iam.create_policy(PolicyName=unique("shared"), PolicyDocument=allow("s3:ListBucket"))["Policy"]["Arn"]
    made = provisioner.create(POLICY_ATTACHMENT, "everyone", {"policyArn": policy, "users": [user],
                                                              "roles": [role]})
    assert made.id == made.outputs["name"] and made.id.startswith("everyone-")
    entities = iam.list_entities_for_policy(PolicyArn=policy)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == [user]
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == [role]

    # Attached by hand: Terraform reads it as this resource's, so it shows as drift.
    iam.attach_group_policy(GroupName=group, PolicyArn=policy)
    current = provisioner.read(made)
    assert current is not None and current["groups"] == [group]

    made = provisioner.update(made, {"users": [], "roles": [role], "groups": [group]})
    entities = iam.list_entities_for_policy(PolicyArn=policy)
    assert (entities["PolicyUsers"], [g["GroupName"] for g in entities["PolicyGroups"]]) == ([], [group])
    assert provisioner.plan(made, {"policyArn": READ_ONLY}).replaces == ("policyArn",)

    provisioner.assert_deleted(made)
    entities = iam.list_entities_for_policy(PolicyArn=policy)
    assert (entities["PolicyUsers"], entities["PolicyRoles"], entities["PolicyGroups"]) == ([], [], [])


def test_policy_attachment_needs_someone_to_attach_to() -> None:
    assert set(failures(POLICY_ATTACHMENT, policyArn=READ_ONLY)) == {"users"}


# ---- OpenIdConnectProvider -----------------------------------------------------------------


def test_openid_connect_provider_lifecycle(provisioner: Provisioner, iam: Any, aws_ctx: AwsContext) -> None:
    url = f"{GITHUB}/{unique('org')}"
    made = provisioner.create(OIDC, "github", {"url": url, "clientIdLists": ["sts.amazonaws.com"],
                                               "thumbprintLists": [THUMBPRINT], "tags": {"ci": "github"}})
    issuer = url.removeprefix("https://")
    assert made.id == made.outputs["arn"] == f"arn:aws:iam::{aws_ctx.account_id}:oidc-provider/{issuer}"
    cloud = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=made.id)
    assert (cloud["Url"], cloud["ClientIDList"], cloud["ThumbprintList"]) == (
        issuer, ["sts.amazonaws.com"], [THUMBPRINT])
    assert {t["Key"]: t["Value"] for t in cloud["Tags"]}["ci"] == "github"
    assert made.outputs["url"] == issuer
    assert provisioner.read(made) == made.outputs
    assert not provisioner.plan(made, {"thumbprintLists": None}).has_changes  # Optional+Computed

    other = "a" * 40
    made = provisioner.update(made, {"thumbprintLists": [other], "tags": {"ci": "actions"}})
    cloud = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=made.id)
    assert cloud["ThumbprintList"] == [other]
    assert {t["Key"]: t["Value"] for t in cloud["Tags"]}["ci"] == "actions"
    assert provisioner.plan(made, {"url": f"{GITHUB}/elsewhere"}).replaces == ("url",)

    provisioner.assert_deleted(made)
    assert made.id not in [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]


def test_openid_connect_provider_refuses_what_the_local_cloud_cannot_change(provisioner: Provisioner) -> None:
    made = provisioner.create(OIDC, "clients", {"url": f"{GITHUB}/{unique('org')}",
                                                "clientIdLists": ["sts.amazonaws.com"]})
    diff = provisioner.plan(made, {"clientIdLists": ["sts.amazonaws.com", "other"]})
    assert diff.changed == ("clientIdLists",) and not diff.needs_replace
    with pytest.raises(OperationFailed, match="AddClientIDToOpenIDConnectProvider"):
        provisioner.update(made, {"clientIdLists": ["sts.amazonaws.com", "other"]})


def test_openid_connect_provider_validates_url_and_thumbprints() -> None:
    assert "https://" in failures(OIDC, url="token.example.com", clientIdLists=["a"])["url"]
    assert "40 characters" in failures(OIDC, url=GITHUB, clientIdLists=["a"], thumbprintLists=["abc"])[
        "thumbprintLists"]


# ---- ServiceLinkedRole ---------------------------------------------------------------------


def test_service_linked_role_lifecycle(provisioner: Provisioner, iam: Any) -> None:
    suffix = unique("ci").replace("-", "")
    made = provisioner.create(SERVICE_LINKED_ROLE, "autoscaling", {
        "awsServiceName": "autoscaling.amazonaws.com", "customSuffix": suffix, "description": "scaling",
        "tags": {"team": "ops"}})
    name = f"AWSServiceRoleForAutoScaling_{suffix}"
    assert (made.outputs["name"], made.outputs["path"]) == (name, "/aws-service-role/autoscaling.amazonaws.com/")
    role = iam.get_role(RoleName=name)["Role"]
    assert made.id == made.outputs["arn"] == role["Arn"]
    assert role["Description"] == "scaling"
    assert {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name)["Tags"]}["team"] == "ops"
    assert provisioner.read(made) == made.outputs

    made = provisioner.update(made, {"description": "scaling groups", "tags": {"team": "platform"}})
    role = iam.get_role(RoleName=name)["Role"]
    assert role["Description"] == "scaling groups"
    assert {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name)["Tags"]}["team"] == "platform"
    assert provisioner.plan(made, {"customSuffix": "other"}).replaces == ("customSuffix",)

    provisioner.assert_deleted(made)
    assert name not in [r["RoleName"] for r in iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]]


def test_service_linked_role_needs_an_aws_service() -> None:
    assert "amazonaws.com" in failures(SERVICE_LINKED_ROLE, awsServiceName="autoscaling")["awsServiceName"]


# ---- UserLoginProfile ----------------------------------------------------------------------


def test_login_profile_lifecycle(provisioner: Provisioner, iam: Any, user: str) -> None:
    made = provisioner.create(LOGIN_PROFILE, "console", {"user": user, "passwordResetRequired": True})
    password = made.outputs["password"]
    assert made.id == user and len(password) == 20
    assert any(c.islower() for c in password) and any(c.isupper() for c in password)
    assert any(c.isdigit() for c in password) and any(not c.isalnum() for c in password)
    assert iam.get_login_profile(UserName=user)["LoginProfile"]["PasswordResetRequired"] is True
    assert provisioner.read(made) == made.outputs
    assert not provisioner.plan(made, {}).has_changes
    assert provisioner.plan(made, {"passwordLength": 32}).replaces == ("passwordLength",)

    provisioner.assert_deleted(made)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_login_profile(UserName=user)

    again = provisioner.create(LOGIN_PROFILE, "console-again", {"user": user, "passwordResetRequired": False})
    assert iam.get_login_profile(UserName=user)["LoginProfile"]["PasswordResetRequired"] is False
    assert again.outputs["password"] != password


def test_login_profile_refuses_pgp_keys_and_odd_lengths() -> None:
    assert failures(LOGIN_PROFILE, user="u", pgpKey="keybase:someone")["pgpKey"].startswith("'pgpKey' is not")
    assert "between 5 and 128" in failures(LOGIN_PROFILE, user="u", passwordLength=4)["passwordLength"]


# ---- lookups -------------------------------------------------------------------------------


def test_get_role_user_policy_and_instance_profile(aws_ctx: AwsContext, iam: Any, user: str, role: str) -> None:
    found = invoke("aws:iam/getRole:getRole", aws_ctx, {"name": role})
    cloud = iam.get_role(RoleName=role)["Role"]
    assert (found["id"], found["arn"], found["uniqueId"], found["path"]) == (role, cloud["Arn"], cloud["RoleId"], "/")
    assert json.loads(found["assumeRolePolicy"]) == json.loads(LAMBDA_TRUST)

    found = invoke("aws:iam/getUser:getUser", aws_ctx, {"userName": user})
    cloud = iam.get_user(UserName=user)["User"]
    assert (found["arn"], found["userId"], found["id"], found["userName"]) == (
        cloud["Arn"], cloud["UserId"], cloud["UserId"], user)

    found = invoke("aws:iam/getPolicy:getPolicy", aws_ctx, {"arn": READ_ONLY})
    assert (found["id"], found["name"], found["path"]) == (READ_ONLY, "ReadOnlyAccess", "/")
    assert "Statement" in json.loads(found["policy"])
    mine = iam.create_policy(PolicyName=unique("lookup"), Path="/lookups/", PolicyDocument=allow("s3:*"))["Policy"]
    by_name = invoke("aws:iam/getPolicy:getPolicy", aws_ctx, {"name": mine["PolicyName"], "pathPrefix": "/lookups/"})
    assert by_name["arn"] == mine["Arn"] and json.loads(by_name["policy"]) == json.loads(allow("s3:*"))

    profile = iam.create_instance_profile(InstanceProfileName=unique("lookup"))["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=role)
    found = invoke("aws:iam/getInstanceProfile:getInstanceProfile", aws_ctx,
                   {"name": profile["InstanceProfileName"]})
    assert (found["arn"], found["id"], found["roleName"], found["roleArn"]) == (
        profile["Arn"], profile["InstanceProfileId"], role, cloud_role_arn(iam, role))

    with pytest.raises(BadInput, match="no role"):
        invoke("aws:iam/getRole:getRole", aws_ctx, {"name": unique("missing")})


def cloud_role_arn(iam: Any, role: str) -> str:
    return str(iam.get_role(RoleName=role)["Role"]["Arn"])


def test_get_openid_connect_provider_by_arn_and_by_url(aws_ctx: AwsContext, iam: Any) -> None:
    url = f"{GITHUB}/{unique('org')}"
    arn = iam.create_open_id_connect_provider(Url=url, ClientIDList=["sts.amazonaws.com"],
                                              ThumbprintList=[THUMBPRINT])["OpenIDConnectProviderArn"]
    by_url = invoke("aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider", aws_ctx, {"url": url})
    by_arn = invoke("aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider", aws_ctx, {"arn": arn})
    assert by_url == by_arn
    assert (by_arn["id"], by_arn["clientIdLists"], by_arn["thumbprintLists"]) == (
        arn, ["sts.amazonaws.com"], [THUMBPRINT])
    with pytest.raises(BadInput, match="no provider"):
        invoke("aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider", aws_ctx,
               {"url": f"{GITHUB}/{unique('none')}"})


def test_an_inline_policy_a_crash_left_unrecorded_is_found(provisioner: Provisioner, aws_ctx: AwsContext,
                                                           user: str) -> None:
    made = provisioner.create(USER_POLICY, "found", {"user": user, "policy": allow("s3:*")})
    found = provider(USER_POLICY).find(aws_ctx, made.urn, made.inputs, set())
    assert found is not None and found[0] == made.id and found[1]["name"] == made.outputs["name"]
    assert provider(USER_POLICY).find(aws_ctx, made.urn, made.inputs, {made.id}) is None
