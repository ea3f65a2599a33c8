"""KMS keys and aliases, Secrets Manager secrets and secret versions, against the session's moto server."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from envctl.engine.properties import is_secret
from envctl.providers.aws.context import AwsContext

from engine_support import aws
from provider_steps import (
    Provisioner,
    assert_up_again_changes_nothing_and_destroy_deletes,
    error_code,
    failed_properties,
    failures,
    provider,
    unique,
    up_program,
)

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"


def key_policy(account: str, extra_principal: str | None = None) -> str:
    principals = [f"arn:aws:iam::{account}:root", *([extra_principal] if extra_principal else [])]
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": principals}, "Action": "kms:*",
                       "Resource": "*"}],
    })


# ---- KMS Key --------------------------------------------------------------------------------


def test_key_lifecycle(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    kms = aws_ctx.client("kms")
    key = provisioner.create(KEY, "data", {
        "description": "data key", "enableKeyRotation": True, "deletionWindowInDays": 7,
        "policy": key_policy(aws_ctx.account_id), "tags": {"team": "sec"},
    })
    metadata = kms.describe_key(KeyId=key.id)["KeyMetadata"]
    assert key.id == metadata["KeyId"] == key.outputs["keyId"] and key.outputs["arn"] == metadata["Arn"]
    assert metadata["Description"] == "data key" and metadata["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert kms.get_key_rotation_status(KeyId=key.id)["KeyRotationEnabled"] is True
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key.id)["Tags"]}
    assert tags["team"] == "sec" and tags["envctl:urn"] == key.urn
    assert key.outputs["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT" and key.outputs["isEnabled"] is True
    assert provisioner.read(key)["description"] == "data key"

    # The same policy written differently (one principal as a list of one, other spacing) is no change.
    compact = json.loads(key.inputs["policy"])
    compact["Statement"][0]["Principal"]["AWS"] = compact["Statement"][0]["Principal"]["AWS"][0]
    assert not provisioner.plan(key, {"policy": json.dumps(compact, indent=2)}).has_changes
    assert provisioner.plan(key, {"keyUsage": "SIGN_VERIFY"}).replaces == ("keyUsage",)
    assert provisioner.plan(key, {"multiRegion": True}).replaces == ("multiRegion",)

    key = provisioner.update(key, {"description": "retired", "enableKeyRotation": False, "isEnabled": False,
                                 "tags": {"team": "platform"}})
    metadata = kms.describe_key(KeyId=key.id)["KeyMetadata"]
    assert metadata["Description"] == "retired" and metadata["Enabled"] is False
    assert kms.get_key_rotation_status(KeyId=key.id)["KeyRotationEnabled"] is False
    assert key.outputs["tags"] == {"team": "platform"}

    provisioner.assert_deleted(key)
    assert kms.describe_key(KeyId=key.id)["KeyMetadata"]["KeyState"] == "PendingDeletion"


def test_key_checks_windows() -> None:
    assert failed_properties(KEY, {"deletionWindowInDays": 3}) == {"deletionWindowInDays"}


def test_key_refuses_what_the_local_cloud_drops() -> None:
    refused = failures(KEY, customKeyStoreId="cks-1234", xksKeyId="xks-1", rotationPeriodInDays=180)
    assert set(refused) == {"customKeyStoreId", "xksKeyId", "rotationPeriodInDays"}
    assert "custom key stores" in refused["customKeyStoreId"] and "rotation period" in refused["rotationPeriodInDays"]


def test_key_for_signing_in_every_region(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    kms = aws_ctx.client("kms")
    key = provisioner.create(KEY, "signing", {"keyUsage": "SIGN_VERIFY", "customerMasterKeySpec": "RSA_2048",
                                             "multiRegion": True})
    metadata = kms.describe_key(KeyId=key.id)["KeyMetadata"]
    assert (metadata["KeyUsage"], metadata["KeySpec"], metadata["MultiRegion"]) == ("SIGN_VERIFY", "RSA_2048", True)
    assert key.id.startswith("mrk-") and key.outputs["keyId"] == key.id
    found = provisioner.read(key)
    assert found is not None and (found["keyUsage"], found["customerMasterKeySpec"], found["multiRegion"]) == (
        "SIGN_VERIFY", "RSA_2048", True)
    provisioner.assert_deleted(key)


# ---- KMS Alias ------------------------------------------------------------------------------


def test_alias_lifecycle(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    kms = aws_ctx.client("kms")
    first = provisioner.create(KEY, "first", {})
    second = provisioner.create(KEY, "second", {})
    alias = provisioner.create(ALIAS, "app", {"targetKeyId": first.id})

    assert alias.id == alias.inputs["name"] and alias.id.startswith("alias/app-")
    [listed] = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == alias.id]
    assert listed["TargetKeyId"] == first.id
    assert alias.outputs["arn"] == listed["AliasArn"] and alias.outputs["targetKeyArn"] == first.outputs["arn"]
    assert kms.describe_key(KeyId=alias.id)["KeyMetadata"]["KeyId"] == first.id

    assert not provisioner.plan(alias, {"targetKeyId": first.outputs["arn"]}).has_changes  # the same key
    assert provisioner.plan(alias, {"name": "alias/" + unique("other")}).replaces == ("name",)

    alias = provisioner.update(alias, {"targetKeyId": second.outputs["arn"]})
    assert kms.describe_key(KeyId=alias.id)["KeyMetadata"]["KeyId"] == second.id
    assert alias.outputs["targetKeyId"] == second.outputs["arn"] and provisioner.read(alias)["targetKeyArn"] == (
        second.outputs["arn"]
    )

    provisioner.assert_deleted(alias)


def test_alias_name_rules(provisioner: Provisioner) -> None:
    key = provisioner.create(KEY, "prefixed", {})
    alias = provisioner.create(ALIAS, "prefixed", {"namePrefix": "alias/team-", "targetKeyId": key.id})
    assert alias.id.startswith("alias/team-") and len(alias.id) > len("alias/team-")
    assert failed_properties(ALIAS, {"name": "no-prefix", "targetKeyId": key.id}) == {"name"}
    assert failed_properties(ALIAS, {"name": "alias/aws/reserved", "targetKeyId": key.id}) == {"name"}
    assert failed_properties(ALIAS, {}) == {"targetKeyId"}


# ---- Secrets Manager Secret -----------------------------------------------------------------


def read_only_policy(account: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                       "Action": "secretsmanager:GetSecretValue", "Resource": "*"}],
    })


def test_secret_lifecycle(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    client = aws_ctx.client("secretsmanager")
    secret = provisioner.create(SECRET, "db", {
        "description": "database", "policy": read_only_policy(aws_ctx.account_id), "tags": {"team": "data"},
    })
    described = client.describe_secret(SecretId=secret.id)
    assert secret.id == described["ARN"] == secret.outputs["arn"]
    assert described["Name"] == secret.inputs["name"] and described["Name"].startswith("db-")
    assert described["Description"] == "database"
    assert {t["Key"]: t["Value"] for t in described["Tags"]}["envctl:urn"] == secret.urn
    assert json.loads(client.get_resource_policy(SecretId=secret.id)["ResourcePolicy"]) == json.loads(
        secret.inputs["policy"]
    )
    assert provisioner.read(secret)["description"] == "database"

    reformatted = json.dumps(json.loads(secret.inputs["policy"]), indent=3)
    assert not provisioner.plan(secret, {"policy": reformatted}).has_changes
    assert provisioner.plan(secret, {"name": unique("renamed")}).replaces == ("name",)

    secret = provisioner.update(secret, {"description": "primary database", "policy": None, "tags": {"team": "dba"}})
    described = client.describe_secret(SecretId=secret.id)
    assert described["Description"] == "primary database"
    assert {t["Key"]: t["Value"] for t in described["Tags"]}["team"] == "dba"
    assert "ResourcePolicy" not in client.get_resource_policy(SecretId=secret.id)
    assert secret.outputs["policy"] is None

    # The default recovery window only schedules the deletion: the secret is gone for envctl all the same.
    provisioner.assert_deleted(secret)
    assert client.describe_secret(SecretId=secret.id)["DeletedDate"] is not None


def test_secret_without_recovery_is_deleted_at_once(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    secret = provisioner.create(SECRET, "scratch", {"recoveryWindowInDays": 0})
    provisioner.assert_deleted(secret)
    client = aws_ctx.client("secretsmanager")
    assert error_code(client.describe_secret, SecretId=secret.id) == "ResourceNotFoundException"


def replication(client: Any, secret_id: str) -> dict[str, tuple[str | None, str]]:
    statuses = client.describe_secret(SecretId=secret_id).get("ReplicationStatus") or []
    return {status["Region"]: (status.get("KmsKeyId"), status["Status"]) for status in statuses}


def test_secret_replicas_are_added_changed_and_removed(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    client = aws_ctx.client("secretsmanager")
    secret = provisioner.create(SECRET, "replicated", {"recoveryWindowInDays": 0,
                                                       "replicas": [{"region": "us-west-2"}]})
    assert replication(client, secret.id) == {"us-west-2": ("alias/aws/secretsmanager", "InSync")}
    [replica] = secret.outputs["replicas"]
    assert (replica["region"], replica["status"]) == ("us-west-2", "InSync")
    west = aws_ctx.in_region("us-west-2").client("secretsmanager")
    assert west.describe_secret(SecretId=secret.inputs["name"])["PrimaryRegion"] == "us-east-1"
    assert not provisioner.plan(secret, {"replicas": [{"region": "us-west-2"}]}).has_changes

    secret = provisioner.update(secret, {"replicas": [{"region": "us-west-2"}, {"region": "eu-west-1"}]})
    assert replication(client, secret.id) == {"us-west-2": ("alias/aws/secretsmanager", "InSync"),
                                              "eu-west-1": ("alias/aws/secretsmanager", "InSync")}
    assert {r["region"] for r in secret.outputs["replicas"]} == {"us-west-2", "eu-west-1"}

    secret = provisioner.update(secret, {"replicas": [{"region": "eu-west-1"}]})
    assert replication(client, secret.id) == {"eu-west-1": ("alias/aws/secretsmanager", "InSync")}
    # Leaving the replicas out of the program stops managing them: nothing changes ...
    assert not provisioner.plan(secret, {"replicas": None}).has_changes
    # ... while a replica removed outside envctl is drift, as the engine decides it from a read.
    client.remove_regions_from_replication(SecretId=secret.id, RemoveReplicaRegions=["eu-west-1"])
    current = provisioner.read(secret)
    assert current is not None and current["replicas"] == []
    assert provider(SECRET).diff({"replicas": secret.outputs["replicas"]}, {"replicas": []}).changed == ("replicas",)
    # Deleting removes the replicas first (a secret with replicas cannot be deleted).
    provisioner.assert_deleted(secret)


def test_secret_replica_overwrites_a_secret_of_that_name_only_when_told(
    provisioner: Provisioner, aws_ctx: AwsContext
) -> None:
    west = aws_ctx.in_region("us-west-2").client("secretsmanager")
    names = [unique("taken"), unique("taken")]
    for name in names:
        west.create_secret(Name=name)
    kept = provisioner.create(SECRET, "kept", {"name": names[0], "recoveryWindowInDays": 0,
                                               "replicas": [{"region": "us-west-2"}]})
    assert kept.outputs["replicas"][0]["status"] == "Failed"
    assert "already exists" in kept.outputs["replicas"][0]["statusMessage"]
    overwritten = provisioner.create(SECRET, "overwritten", {"name": names[1], "recoveryWindowInDays": 0,
                                                             "replicas": [{"region": "us-west-2"}],
                                                             "forceOverwriteReplicaSecret": True})
    assert overwritten.outputs["replicas"][0]["status"] == "InSync"
    west.delete_secret(SecretId=names[0], ForceDeleteWithoutRecovery=True)


def test_secret_checks() -> None:
    assert failed_properties(SECRET, {"recoveryWindowInDays": 3}) == {"recoveryWindowInDays"}
    # The local cloud encrypts replicas with the default key whatever the request says: refused, not dropped.
    keyed = failures(SECRET, replicas=[{"region": "us-west-2", "kmsKeyId": "alias/replicas"}])
    assert set(keyed) == {"replicas"} and "'replicas.kmsKeyId' is not supported" in keyed["replicas"]
    refused = failures(SECRET, type="SalesforceClientSecret")
    assert set(refused) == {"type"} and "not emulated by the local cloud" in refused["type"]


# ---- Secrets Manager SecretVersion ----------------------------------------------------------


def test_secret_versions_and_staging_labels(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    client = aws_ctx.client("secretsmanager")
    secret = provisioner.create(SECRET, "api-key", {"recoveryWindowInDays": 0})
    first = provisioner.create(VERSION, "first", {"secretId": secret.id, "secretString": "one"})

    secret_id, version_id = first.id.split("|")
    assert secret_id == secret.id and version_id == first.outputs["versionId"]
    assert first.outputs["arn"] == first.outputs["secretArn"] == secret.id
    assert first.outputs["versionStages"] == ["AWSCURRENT"] and first.outputs["secretString"] == "one"
    assert client.get_secret_value(SecretId=secret.id)["SecretString"] == "one"
    assert provisioner.plan(first, {"secretString": "uno"}).replaces == ("secretString",)
    assert provisioner.plan(first, {"secretId": "other"}).replaces == ("secretId",)

    binary = base64.b64encode(b"\x00\x01binary").decode()
    second = provisioner.create(VERSION, "second", {"secretId": secret.id, "secretBinary": binary,
                                                   "versionStages": ["candidate"]})
    assert second.outputs["versionStages"] == ["candidate"] and second.outputs["secretBinary"] == binary
    assert "SecretString" in client.get_secret_value(SecretId=secret.id)  # the first version is still current
    assert not provisioner.plan(second, {"versionStages": ["candidate"]}).has_changes

    # Promoting the candidate is an in-place update that moves AWSCURRENT from the first version.
    second = provisioner.update(second, {"versionStages": ["candidate", "AWSCURRENT"]})
    assert second.outputs["versionStages"] == ["AWSCURRENT", "candidate"]
    # VersionStage given explicitly: moto's default version does not follow AWSCURRENT when it moves.
    current = client.get_secret_value(SecretId=secret.id, VersionStage="AWSCURRENT")
    assert current["SecretBinary"] == b"\x00\x01binary"
    assert provisioner.read(first)["versionStages"] == ["AWSPREVIOUS"]

    # Deleting takes the version's labels away (those it has now); one without labels is gone (AWS removes it).
    provisioner.assert_deleted(first)
    # The current version keeps AWSCURRENT, which can only move: it stays the secret's value, as with Terraform.
    provider(VERSION).delete(aws_ctx, second.id, second.outputs)
    assert provisioner.read(second)["versionStages"] == ["AWSCURRENT"]


def test_secret_version_checks() -> None:
    assert failed_properties(VERSION, {}) == {"secretId"}
    assert failed_properties(VERSION, {"secretId": "s", "secretString": "a", "secretBinary": "Yg=="}) == {
        "secretBinary"
    }
    refused = failures(VERSION, secretId="s", secretStringWo="a", secretStringWoVersion=1)
    assert set(refused) == {"secretStringWo", "secretStringWoVersion"} and "use 'secretString'" in refused[
        "secretStringWo"]


# ---- an unmodified program through the local engine --------------------------------------

SECRETS_PROGRAM = """
import json
import pulumi
import pulumi_aws as aws

key = aws.kms.Key("app", description="app secrets", deletion_window_in_days=7, enable_key_rotation=True)
aws.kms.Alias("app", target_key_id=key.key_id)
secret = aws.secretsmanager.Secret("db", kms_key_id=key.arn, recovery_window_in_days=0)
version = aws.secretsmanager.SecretVersion("db", secret_id=secret.id,
                                           secret_string=json.dumps({"password": "s3cret"}))
pulumi.export("secretArn", secret.arn)
pulumi.export("keyId", key.key_id)
pulumi.export("secretString", version.secret_string)
"""


def test_a_secrets_program_runs_unmodified(tmp_path: Path, moto_endpoint: str) -> None:
    project, result = up_program(tmp_path, SECRETS_PROGRAM, moto_endpoint)
    assert result.changes["create"] == 4 + 1  # and the stack
    client = aws(moto_endpoint, "secretsmanager")
    value = client.get_secret_value(SecretId=result.outputs["secretArn"])["SecretString"]
    assert json.loads(value) == {"password": "s3cret"}
    assert is_secret(result.outputs["secretString"])  # pulumi-aws marks the value a secret output
    assert client.describe_secret(SecretId=result.outputs["secretArn"])["KmsKeyId"].endswith(result.outputs["keyId"])

    assert_up_again_changes_nothing_and_destroy_deletes(project, moto_endpoint, 4 + 1)
    assert error_code(client.describe_secret, SecretId=result.outputs["secretArn"]) == "ResourceNotFoundException"
    key_state = aws(moto_endpoint, "kms").describe_key(KeyId=result.outputs["keyId"])["KeyMetadata"]["KeyState"]
    assert key_state == "PendingDeletion"
