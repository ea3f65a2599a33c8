"""IAM roles and attachments, CloudWatch log groups, SSM parameters and the identity/policy invokes,
against the session's moto server."""

from __future__ import annotations

import json
import zlib
from typing import Any

import pytest

from envctl.errors import BadInput
from envctl.providers.aws.base import DiffResult
from envctl.providers.aws.context import AwsContext

from provider_steps import (
    LAMBDA_TRUST,
    READ_ONLY_LOGS,
    Provisioner,
    assert_deleted,
    checked,
    create,
    failures,
    invoke,
    provider,
    unique,
    update,
    urn,
)

ROLE = "aws:iam/role:Role"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
PARAMETER = "aws:ssm/parameter:Parameter"


# ---- Role ----------------------------------------------------------------------------------


def test_role_check_fills_defaults_and_auto_name() -> None:
    inputs = checked(ROLE, "app-role", {"assumeRolePolicy": LAMBDA_TRUST})
    assert inputs["path"] == "/" and inputs["maxSessionDuration"] == 3600 and inputs["forceDetachPolicies"] is False
    assert inputs["name"].startswith("app-role-") and len(inputs["name"]) == len("app-role-") + 7

    long = provider(ROLE).check("r" * 100, None, {"assumeRolePolicy": LAMBDA_TRUST}).inputs
    assert len(long["name"]) == 64
    failures = provider(ROLE).check("app-role", None, {"assumeRolePolicy": "{not json"}).failures
    assert [f.property for f in failures] == ["assumeRolePolicy"]
    assert [f.property for f in provider(ROLE).check("app-role", None, {}).failures] == ["assumeRolePolicy"]


def test_role_lifecycle(aws_ctx: AwsContext) -> None:
    iam = aws_ctx.client("iam")
    id, outputs = create(aws_ctx, ROLE, "app-role", {
        "assumeRolePolicy": LAMBDA_TRUST, "description": "runs the app", "tags": {"team": "core"},
    })
    role = iam.get_role(RoleName=id)["Role"]
    assert id == outputs["name"] == role["RoleName"]
    assert outputs["arn"] == f"arn:aws:iam::{aws_ctx.account_id}:role/{id}" == role["Arn"]
    assert outputs["uniqueId"] == role["RoleId"] and outputs["createDate"].endswith("Z")
    assert role["Description"] == "runs the app" and role["MaxSessionDuration"] == 3600
    expected_tags = {"team": "core", "envctl:env": "test", "envctl:urn": urn(ROLE, "app-role")}
    assert {t["Key"]: t["Value"] for t in role["Tags"]} == expected_tags == outputs["tagsAll"]
    assert outputs["tags"] == {"team": "core"}
    assert outputs["assumeRolePolicy"] == LAMBDA_TRUST

    assert provider(ROLE).read(aws_ctx, id, outputs) == outputs

    updated = update(aws_ctx, ROLE, "app-role", id, outputs, {
        "description": "runs the app v2", "maxSessionDuration": 7200, "tags": {"team": "platform"},
    })
    role = iam.get_role(RoleName=id)["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("runs the app v2", 7200)
    assert {t["Key"]: t["Value"] for t in role["Tags"]}["team"] == "platform"
    assert updated["id"] == id and updated["uniqueId"] == outputs["uniqueId"]
    assert provider(ROLE).read(aws_ctx, id, updated) == updated

    assert_deleted(aws_ctx, ROLE, id, updated)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=id)


def test_role_read_reports_drift_from_the_cloud(aws_ctx: AwsContext) -> None:
    id, outputs = create(aws_ctx, ROLE, "drift-role", {"assumeRolePolicy": LAMBDA_TRUST, "description": "before"})
    iam = aws_ctx.client("iam")
    iam.update_role(RoleName=id, Description="changed by hand", MaxSessionDuration=7200)
    iam.tag_role(RoleName=id, Tags=[{"Key": "added", "Value": "by hand"}])

    current = provider(ROLE).read(aws_ctx, id, outputs)
    assert current is not None
    assert (current["description"], current["maxSessionDuration"]) == ("changed by hand", 7200)
    assert current["tags"] == {"added": "by hand"}
    provider(ROLE).delete(aws_ctx, id, outputs)


def test_role_diff_replaces_on_path_updates_description_and_compares_policies_as_json() -> None:
    role = provider(ROLE)
    olds = checked(ROLE, "r", {"assumeRolePolicy": LAMBDA_TRUST, "name": "r-1"})
    assert role.diff(olds, {**olds, "path": "/svc/"}) == DiffResult(("path",), ("path",))
    assert role.diff(olds, {**olds, "description": "new"}) == DiffResult(("description",), ())

    same_policy = json.dumps(json.loads(LAMBDA_TRUST), indent=4)
    reordered = json.dumps({"Statement": [{"Action": ["sts:AssumeRole"], "Effect": "Allow",
                                           "Principal": {"Service": ["lambda.amazonaws.com"]}}],
                            "Version": "2012-10-17"})
    assert not role.diff(olds, {**olds, "assumeRolePolicy": same_policy}).has_changes
    assert not role.diff(olds, {**olds, "assumeRolePolicy": reordered}).has_changes
    other = LAMBDA_TRUST.replace("lambda", "ec2")
    assert role.diff(olds, {**olds, "assumeRolePolicy": other}) == DiffResult(("assumeRolePolicy",), ())


def test_role_update_replaces_the_trust_policy(aws_ctx: AwsContext) -> None:
    id, outputs = create(aws_ctx, ROLE, "trust-role", {"assumeRolePolicy": LAMBDA_TRUST})
    ec2_trust = LAMBDA_TRUST.replace("lambda", "ec2")
    updated = update(aws_ctx, ROLE, "trust-role", id, outputs, {"assumeRolePolicy": ec2_trust})
    document = aws_ctx.client("iam").get_role(RoleName=id)["Role"]["AssumeRolePolicyDocument"]
    assert document["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert updated["assumeRolePolicy"] == ec2_trust
    provider(ROLE).delete(aws_ctx, id, updated)


def test_role_name_prefix_and_force_detach_on_delete(aws_ctx: AwsContext) -> None:
    iam = aws_ctx.client("iam")
    id, outputs = create(aws_ctx, ROLE, "pre", {
        "assumeRolePolicy": LAMBDA_TRUST, "namePrefix": "envctl-", "forceDetachPolicies": True,
    })
    assert id.startswith("envctl-") and len(id) == len("envctl-") + 26 and outputs["name"] == id
    iam.attach_role_policy(RoleName=id, PolicyArn=READ_ONLY_LOGS)
    iam.put_role_policy(RoleName=id, PolicyName="inline", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
    }))
    assert_deleted(aws_ctx, ROLE, id, outputs)


def test_role_permissions_boundary_is_set_changed_and_removed(aws_ctx: AwsContext) -> None:
    iam = aws_ctx.client("iam")
    id, outputs = create(aws_ctx, ROLE, "bounded", {"assumeRolePolicy": LAMBDA_TRUST,
                                                    "permissionsBoundary": READ_ONLY_LOGS})
    assert iam.get_role(RoleName=id)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == READ_ONLY_LOGS
    updated = update(aws_ctx, ROLE, "bounded", id, outputs, {"permissionsBoundary": READ_ONLY})
    assert iam.get_role(RoleName=id)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == READ_ONLY
    assert updated["permissionsBoundary"] == READ_ONLY
    cleared = update(aws_ctx, ROLE, "bounded", id, updated, {"permissionsBoundary": None})
    assert "PermissionsBoundary" not in iam.get_role(RoleName=id)["Role"] and cleared["permissionsBoundary"] is None
    provider(ROLE).delete(aws_ctx, id, cleared)


def allow(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})


def attached_arns(iam: Any, role: str) -> set[str]:
    return {p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]}


def inline_names(iam: Any, role: str) -> set[str]:
    return set(iam.list_role_policies(RoleName=role)["PolicyNames"])


def test_role_manages_its_managed_and_inline_policies_exclusively(
    provisioner: Provisioner, aws_ctx: AwsContext
) -> None:
    iam = aws_ctx.client("iam")
    role = provisioner.create(ROLE, "worker", {
        "assumeRolePolicy": LAMBDA_TRUST, "managedPolicyArns": [READ_ONLY_LOGS],
        "inlinePolicies": [{"name": "queue", "policy": allow("sqs:SendMessage")}],
    })
    assert attached_arns(iam, role.id) == {READ_ONLY_LOGS} and inline_names(iam, role.id) == {"queue"}
    stored = iam.get_role_policy(RoleName=role.id, PolicyName="queue")["PolicyDocument"]
    assert stored == json.loads(allow("sqs:SendMessage"))
    assert role.outputs["managedPolicyArns"] == [READ_ONLY_LOGS]
    assert role.outputs["inlinePolicies"] == [{"name": "queue", "policy": allow("sqs:SendMessage")}]

    # What is attached or put by hand shows in a read (drift, as the role's sets are the program's).
    iam.attach_role_policy(RoleName=role.id, PolicyArn=READ_ONLY)
    iam.put_role_policy(RoleName=role.id, PolicyName="by-hand", PolicyDocument=allow("s3:ListBucket"))
    current = provisioner.read(role)
    assert current is not None and set(current["managedPolicyArns"]) == {READ_ONLY_LOGS, READ_ONLY}
    assert [p["name"] for p in current["inlinePolicies"]] == ["queue", "by-hand"]
    sets = ("managedPolicyArns", "inlinePolicies")
    recorded = {key: role.outputs[key] for key in sets}
    assert set(provider(ROLE).diff(recorded, {key: current[key] for key in sets}).changed) == set(sets)

    # The same document written differently, or the sets in another order, is no change.
    reformatted = json.dumps(json.loads(allow("sqs:SendMessage")), indent=2)
    assert not provisioner.plan(role, {"inlinePolicies": [{"name": "queue", "policy": reformatted}]}).has_changes

    # An update makes the role's policies exactly the program's again: what was added by hand goes.
    role = provisioner.update(role, {"managedPolicyArns": [READ_ONLY],
                                     "inlinePolicies": [{"name": "queue", "policy": allow("sqs:*")},
                                                        {"name": "bucket", "policy": allow("s3:GetObject")}]})
    assert attached_arns(iam, role.id) == {READ_ONLY} and inline_names(iam, role.id) == {"queue", "bucket"}
    assert iam.get_role_policy(RoleName=role.id, PolicyName="queue")["PolicyDocument"] == json.loads(allow("sqs:*"))
    assert role.outputs["managedPolicyArns"] == [READ_ONLY]

    # Leaving the sets out of the program stops managing them: nothing changes.
    assert not provisioner.plan(role, {"managedPolicyArns": None, "inlinePolicies": None}).has_changes
    # Deleting lets go of the policies first (IAM refuses to delete a role that still has some).
    provisioner.assert_deleted(role)


def test_role_empty_policy_sets_remove_every_policy(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    iam = aws_ctx.client("iam")
    role = provisioner.create(ROLE, "emptied", {"assumeRolePolicy": LAMBDA_TRUST, "managedPolicyArns": [READ_ONLY],
                                                "inlinePolicies": [{"name": "logs", "policy": allow("logs:*")}]})
    iam.attach_role_policy(RoleName=role.id, PolicyArn=READ_ONLY_LOGS)
    # An empty set, and one empty inline block, are Terraform's way of saying "none at all".
    role = provisioner.update(role, {"managedPolicyArns": [], "inlinePolicies": [{}]})
    assert attached_arns(iam, role.id) == set() and inline_names(iam, role.id) == set()
    assert role.outputs["managedPolicyArns"] == [] and role.outputs["inlinePolicies"] == []


def test_role_inline_policies_need_a_name_and_a_json_document() -> None:
    assert set(failures(ROLE, assumeRolePolicy=LAMBDA_TRUST, inlinePolicies=[{"policy": allow("s3:*")}])) == {
        "inlinePolicies"}
    reason = failures(ROLE, assumeRolePolicy=LAMBDA_TRUST, inlinePolicies=[{"name": "p", "policy": "{no"}])
    assert "'p' is not valid JSON" in reason["inlinePolicies"]
    assert failures(ROLE, assumeRolePolicy=LAMBDA_TRUST, inlinePolicies=[{}]) == {}


def test_iam_types_are_global_and_have_no_region(aws_ctx: AwsContext) -> None:
    id, outputs = create(aws_ctx, ROLE, "global", {"assumeRolePolicy": LAMBDA_TRUST})
    assert "region" not in outputs and "region" not in provider(ROLE).schema().inputs
    assert set(failures(ROLE, assumeRolePolicy=LAMBDA_TRUST, region="us-west-2")) == {"region"}
    provider(ROLE).delete(aws_ctx, id, outputs)


# ---- RolePolicyAttachment ------------------------------------------------------------------


def test_role_policy_attachment_lifecycle(aws_ctx: AwsContext) -> None:
    iam = aws_ctx.client("iam")
    role_id, role = create(aws_ctx, ROLE, "attached-role", {"assumeRolePolicy": LAMBDA_TRUST})
    assert provider(ATTACHMENT).check("a", None, {"role": role_id}).failures[0].property == "policyArn"

    id, outputs = create(aws_ctx, ATTACHMENT, "logs-read", {"role": role_id, "policyArn": READ_ONLY_LOGS})
    assert id.startswith(f"{role_id}-") and len(id) == len(role_id) + 27
    attached = iam.list_attached_role_policies(RoleName=role_id)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [READ_ONLY_LOGS]
    assert provider(ATTACHMENT).read(aws_ctx, id, outputs) == outputs
    # The import id form <role>/<policyArn> reads without state.
    imported = provider(ATTACHMENT).read(aws_ctx, f"{role_id}/{READ_ONLY_LOGS}", {})
    assert imported is not None and (imported["role"], imported["policyArn"]) == (role_id, READ_ONLY_LOGS)

    other = {**outputs, "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    assert provider(ATTACHMENT).diff(outputs, other).replaces == ("policyArn",)

    assert_deleted(aws_ctx, ATTACHMENT, id, outputs)
    assert iam.list_attached_role_policies(RoleName=role_id)["AttachedPolicies"] == []
    provider(ROLE).delete(aws_ctx, role_id, role)
    assert provider(ATTACHMENT).read(aws_ctx, id, outputs) is None  # the role itself is gone


# ---- LogGroup ------------------------------------------------------------------------------


def test_log_group_check_fills_defaults_and_validates_retention() -> None:
    inputs = checked(LOG_GROUP, "app-logs", {})
    assert (inputs["retentionInDays"], inputs["logGroupClass"], inputs["skipDestroy"]) == (0, "STANDARD", False)
    assert inputs["name"].startswith("app-logs-")
    failures = provider(LOG_GROUP).check("app-logs", None, {"retentionInDays": 10}).failures
    assert [f.property for f in failures] == ["retentionInDays"]


def test_log_group_lifecycle(aws_ctx: AwsContext) -> None:
    logs = aws_ctx.client("logs")
    id, outputs = create(aws_ctx, LOG_GROUP, "app-logs", {"retentionInDays": 7, "tags": {"team": "core"}})
    group = logs.describe_log_groups(logGroupNamePrefix=id)["logGroups"][0]
    assert group["logGroupName"] == id == outputs["name"] and group["retentionInDays"] == 7
    assert outputs["arn"] == f"arn:aws:logs:us-east-1:{aws_ctx.account_id}:log-group:{id}"
    assert group["arn"] == outputs["arn"] + ":*"
    assert logs.list_tags_for_resource(resourceArn=outputs["arn"])["tags"] == outputs["tagsAll"]
    assert outputs["tagsAll"]["team"] == "core" and outputs["tagsAll"]["envctl:env"] == "test"
    assert provider(LOG_GROUP).read(aws_ctx, id, outputs) == outputs

    updated = update(aws_ctx, LOG_GROUP, "app-logs", id, outputs, {"retentionInDays": 30, "tags": {"team": "ops"}})
    assert logs.describe_log_groups(logGroupNamePrefix=id)["logGroups"][0]["retentionInDays"] == 30
    assert logs.list_tags_for_resource(resourceArn=outputs["arn"])["tags"]["team"] == "ops"
    assert updated["id"] == id and updated["retentionInDays"] == 30
    never = update(aws_ctx, LOG_GROUP, "app-logs", id, updated, {"retentionInDays": 0})
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix=id)["logGroups"][0]
    assert provider(LOG_GROUP).read(aws_ctx, id, never) == never

    assert_deleted(aws_ctx, LOG_GROUP, id, never)
    assert logs.describe_log_groups(logGroupNamePrefix=id)["logGroups"] == []


def test_log_group_diff_replaces_on_class_and_updates_retention() -> None:
    olds = checked(LOG_GROUP, "g", {"name": "g"})
    group = provider(LOG_GROUP)
    assert group.diff(olds, {**olds, "logGroupClass": "INFREQUENT_ACCESS"}).replaces == ("logGroupClass",)
    assert group.diff(olds, {**olds, "retentionInDays": 14}) == DiffResult(("retentionInDays",), ())


def test_log_group_skip_destroy_leaves_it_in_the_cloud(aws_ctx: AwsContext) -> None:
    name = unique("/envctl/kept")
    id, outputs = create(aws_ctx, LOG_GROUP, "kept", {"name": name, "skipDestroy": True})
    provider(LOG_GROUP).delete(aws_ctx, id, outputs)
    assert provider(LOG_GROUP).read(aws_ctx, id, outputs) is not None
    aws_ctx.client("logs").delete_log_group(logGroupName=name)


def test_log_group_name_prefix(aws_ctx: AwsContext) -> None:
    id, outputs = create(aws_ctx, LOG_GROUP, "pre", {"namePrefix": "/envctl/pre-"})
    assert id.startswith("/envctl/pre-") and len(id) == len("/envctl/pre-") + 26 and outputs["name"] == id
    provider(LOG_GROUP).delete(aws_ctx, id, outputs)


# ---- Parameter -----------------------------------------------------------------------------


def test_parameter_check_fills_defaults_and_requires_one_value() -> None:
    inputs = checked(PARAMETER, "db-url", {"type": "String", "value": "x"})
    assert (inputs["tier"], inputs["dataType"]) == ("Standard", "text") and inputs["name"].startswith("db-url-")
    parameter = provider(PARAMETER)
    assert [f.property for f in parameter.check("p", None, {"value": "x"}).failures] == ["type"]
    assert [f.property for f in parameter.check("p", None, {"type": "String"}).failures] == ["value"]
    secure_insecure = parameter.check("p", None, {"type": "SecureString", "insecureValue": "x"}).failures
    assert [f.property for f in secure_insecure] == ["insecureValue"]


def test_parameter_lifecycle(aws_ctx: AwsContext) -> None:
    ssm = aws_ctx.client("ssm")
    name = "/" + unique("envctl/db-password")
    id, outputs = create(aws_ctx, PARAMETER, "db-password", {
        "name": name, "type": "SecureString", "value": "hunter2", "description": "db", "tags": {"team": "core"},
    })
    stored = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    assert id == name and stored["Value"] == "hunter2" == outputs["value"] and stored["Type"] == "SecureString"
    assert outputs["arn"] == f"arn:aws:ssm:us-east-1:{aws_ctx.account_id}:parameter{name}" == stored["ARN"]
    assert outputs["version"] == 1 and outputs["description"] == "db" and outputs["tier"] == "Standard"
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
    assert {t["Key"]: t["Value"] for t in tags} == outputs["tagsAll"] and outputs["tagsAll"]["team"] == "core"
    assert provider(PARAMETER).read(aws_ctx, id, outputs) == outputs

    updated = update(aws_ctx, PARAMETER, "db-password", id, outputs, {"value": "correct horse", "tags": {}})
    stored = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    assert (stored["Value"], stored["Version"]) == ("correct horse", 2)
    assert updated["id"] == id and updated["version"] == 2 and "team" not in updated["tagsAll"]
    assert provider(PARAMETER).read(aws_ctx, id, updated) == updated

    assert_deleted(aws_ctx, PARAMETER, id, updated)
    with pytest.raises(ssm.exceptions.ParameterNotFound):
        ssm.get_parameter(Name=name)


def test_parameter_insecure_value_is_read_back_under_its_own_name(aws_ctx: AwsContext) -> None:
    name = unique("envctl-plain")
    id, outputs = create(aws_ctx, PARAMETER, "plain", {"name": name, "type": "String", "insecureValue": "v1"})
    assert outputs["insecureValue"] == "v1" and "value" not in outputs
    assert outputs["arn"].endswith(f":parameter/{name}")
    aws_ctx.client("ssm").put_parameter(Name=name, Type="String", Value="edited", Overwrite=True)
    current = provider(PARAMETER).read(aws_ctx, id, outputs)
    assert current is not None and current["insecureValue"] == "edited" and current["version"] == 2
    provider(PARAMETER).delete(aws_ctx, id, outputs)


def parameter_metadata(ssm: Any, name: str) -> dict[str, Any]:
    return ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"][0]


def test_parameter_secure_string_with_its_own_key_pattern_and_tier(
    provisioner: Provisioner, aws_ctx: AwsContext
) -> None:
    ssm = aws_ctx.client("ssm")
    first, second = (provisioner.create("aws:kms/key:Key", name, {}) for name in ("ssm-one", "ssm-two"))
    parameter = provisioner.create(PARAMETER, "token", {
        "type": "SecureString", "value": "abc", "keyId": first.id, "allowedPattern": "^[a-z]+$", "tier": "Advanced",
    })
    stored = parameter_metadata(ssm, parameter.id)
    assert (stored["KeyId"], stored["AllowedPattern"], stored["Tier"]) == (first.id, "^[a-z]+$", "Advanced")
    assert parameter.outputs["hasValueWo"] is False and parameter.outputs["version"] == 1

    parameter = provisioner.update(parameter, {"keyId": second.id, "value": "xyz"})
    assert parameter_metadata(ssm, parameter.id)["KeyId"] == second.id
    assert ssm.get_parameter(Name=parameter.id, WithDecryption=True)["Parameter"]["Value"] == "xyz"
    assert provisioner.read(parameter)["keyId"] == second.id
    provisioner.assert_deleted(parameter)


def test_parameter_refuses_what_it_cannot_honour() -> None:
    refused = failures(PARAMETER, type="String", value="v", valueWo="w", valueWoVersion=1,
                       arn="arn:aws:ssm:us-east-1:123456789012:parameter/p")
    assert set(refused) == {"valueWo", "valueWoVersion", "arn"} and "use 'value'" in refused["valueWo"]
    # Terraform drops the key of a plain parameter without a word; envctl names it.
    assert set(failures(PARAMETER, type="String", value="v", keyId="alias/aws/ssm")) == {"keyId"}


def test_parameter_intelligent_tiering_is_no_change_once_aws_chose_the_tier() -> None:
    parameter = provider(PARAMETER)
    olds = checked(PARAMETER, "p", {"name": "p", "type": "String", "value": "a"})
    assert not parameter.diff(olds, {**olds, "tier": "Intelligent-Tiering"}).has_changes
    assert parameter.diff(olds, {**olds, "tier": "Advanced"}) == DiffResult(("tier",), ())


def test_parameter_diff_replaces_on_name_and_updates_value() -> None:
    parameter = provider(PARAMETER)
    olds = checked(PARAMETER, "p", {"name": "p", "type": "String", "value": "a"})
    assert parameter.diff(olds, {**olds, "name": "q"}).replaces == ("name",)
    assert parameter.diff(olds, {**olds, "value": "b"}) == DiffResult(("value",), ())
    advanced = {**olds, "tier": "Advanced"}
    assert parameter.diff(advanced, olds).replaces == ("tier",)  # AWS cannot downgrade a tier


# ---- invokes -------------------------------------------------------------------------------


def test_get_caller_identity_matches_sts(aws_ctx: AwsContext) -> None:
    identity = aws_ctx.client("sts").get_caller_identity()
    result = invoke("aws:index/getCallerIdentity:getCallerIdentity", aws_ctx, {})
    assert result == {"accountId": identity["Account"], "arn": identity["Arn"], "id": identity["Account"],
                      "userId": identity["UserId"]}


def test_get_region_and_partition(aws_ctx: AwsContext) -> None:
    region = invoke("aws:index/getRegion:getRegion", aws_ctx, {})
    assert region["name"] == region["region"] == region["id"] == "us-east-1"
    assert region["endpoint"] == "ec2.us-east-1.amazonaws.com"
    assert region["description"] == "US East (N. Virginia)"
    other = invoke("aws:index/getRegion:getRegion", aws_ctx, {"region": "eu-west-1"})
    assert (other["region"], other["description"]) == ("eu-west-1", "Europe (Ireland)")
    by_endpoint = invoke("aws:index/getRegion:getRegion", aws_ctx, {"endpoint": "ec2.eu-west-1.amazonaws.com"})
    assert by_endpoint["region"] == "eu-west-1"

    partition = invoke("aws:index/getPartition:getPartition", aws_ctx, {})
    assert partition == {"id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com",
                         "reverseDnsPrefix": "com.amazonaws"}


POLICY_DOCUMENT = "aws:iam/getPolicyDocument:getPolicyDocument"

# Terraform's acceptance test TestAccIAMPolicyDocumentDataSource_basic, in pulumi-aws's wire names;
# the expected JSON is that test's (Terraform >= 5 leaves empty Sids out).
TERRAFORM_BASIC_ARGS = {
    "policyId": "policy_id",
    "statements": [
        {"sid": "1", "actions": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"], "resources": ["arn:aws:s3:::*"]},
        {"actions": ["s3:ListBucket"], "resources": ["arn:aws:s3:::foo"],
         "conditions": [{"test": "StringLike", "variable": "s3:prefix",
                         "values": ["home/", "", "home/&{aws:username}/"]}],
         "notPrincipals": [{"type": "AWS", "identifiers": ["arn:blahblah:example"]}]},
        {"actions": ["s3:*"],
         "resources": ["arn:aws:s3:::foo/home/&{aws:username}", "arn:aws:s3:::foo/home/&{aws:username}/*"],
         "principals": [{"type": "AWS", "identifiers": ["arn:blahblah:example"]}]},
        {"effect": "Deny", "notActions": ["s3:*"], "notResources": ["arn:aws:s3:::*"]},
        {"effect": "Allow", "actions": ["kinesis:*"], "principals": [{"type": "AWS", "identifiers": ["*"]}]},
        {"effect": "Allow", "actions": ["firehose:*"], "principals": [{"type": "*", "identifiers": ["*"]}]},
    ],
}
TERRAFORM_BASIC_JSON = """{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "",
            "home/${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::foo/home/${aws:username}/*",
        "arn:aws:s3:::foo/home/${aws:username}"
      ],
      "Principal": {
        "AWS": "arn:blahblah:example"
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    }
  ]
}"""


def test_get_policy_document_renders_as_terraform(aws_ctx: AwsContext) -> None:
    result = invoke(POLICY_DOCUMENT, aws_ctx, TERRAFORM_BASIC_ARGS)
    assert result["json"] == TERRAFORM_BASIC_JSON
    assert result["minifiedJson"] == json.dumps(json.loads(TERRAFORM_BASIC_JSON), separators=(",", ":"))
    assert result["id"] == str(zlib.crc32(TERRAFORM_BASIC_JSON.encode()))
    assert result["version"] == "2012-10-17" and result["policyId"] == "policy_id"
    assert [s["effect"] for s in result["statements"]] == ["Allow", "Allow", "Allow", "Deny", "Allow", "Allow"]


def test_get_policy_document_merges_sources_and_overrides_by_sid(aws_ctx: AwsContext) -> None:
    source = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Sid": "Keep", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "*",
         "Principal": {"AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]}},
    ]})
    override = json.dumps({"Statement": [{"Sid": "Write", "Effect": "Deny", "Action": "s3:PutObject",
                                          "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": False}}}]})
    result = invoke(POLICY_DOCUMENT, aws_ctx, {
        "sourcePolicyDocuments": [source],
        "overridePolicyDocuments": [override],
        "statements": [
            {"sid": "Read", "actions": ["s3:GetObject", "s3:ListBucket"], "resources": ["arn:aws:s3:::b/*"]},
            {"sid": "Write", "actions": ["s3:PutObject"], "resources": ["arn:aws:s3:::b/*"]},
        ],
    })
    statements = json.loads(result["json"])["Statement"]
    assert [s["Sid"] for s in statements] == ["Read", "Keep", "Write"]
    assert statements[0]["Action"] == ["s3:ListBucket", "s3:GetObject"]  # the statement replaced the source's
    assert statements[1]["Principal"] == {"AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::111111111111:root"]}
    assert statements[2] == {"Sid": "Write", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
                             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def test_get_policy_document_rejects_duplicate_sids_and_bad_versions(aws_ctx: AwsContext) -> None:
    duplicate = {"statements": [{"sid": "A", "actions": ["s3:*"]}, {"sid": "A", "actions": ["sqs:*"]}]}
    with pytest.raises(BadInput, match="duplicate Sid"):
        invoke(POLICY_DOCUMENT, aws_ctx, duplicate)
    with pytest.raises(BadInput, match="version"):
        invoke(POLICY_DOCUMENT, aws_ctx, {"version": "2020-01-01"})
    with pytest.raises(BadInput, match="not supported in document version 2008-10-17"):
        invoke(POLICY_DOCUMENT, aws_ctx, {"version": "2008-10-17",
                                        "statements": [{"actions": ["s3:*"], "resources": ["arn:aws:s3:::&{x}"]}]})


def test_policy_document_output_is_accepted_by_iam_as_a_trust_policy(aws_ctx: AwsContext) -> None:
    trust = invoke(POLICY_DOCUMENT, aws_ctx, {"statements": [{
        "actions": ["sts:AssumeRole"], "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
    }]})["json"]
    id, outputs = create(aws_ctx, ROLE, "from-document", {"assumeRolePolicy": trust})
    assert outputs["assumeRolePolicy"] == trust
    assert provider(ROLE).read(aws_ctx, id, outputs) == outputs
    provider(ROLE).delete(aws_ctx, id, outputs)
