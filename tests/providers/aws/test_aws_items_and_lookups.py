"""DynamoDB TableItem and the lookups of buckets, objects, tables, parameters and secret versions, against the
session's moto server."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi_aws_results import result_fields

from envctl.engine.properties import is_secret, reveal
from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext

from provider_steps import Provisioner, failures, invoke, unique

TABLE = "aws:dynamodb/table:Table"
TABLE_ITEM = "aws:dynamodb/tableItem:TableItem"



@pytest.fixture
def table(provisioner: Provisioner) -> Any:
    return provisioner.create(TABLE, "orders", {
        "hashKey": "pk", "rangeKey": "sk", "billingMode": "PAY_PER_REQUEST",
        "attributes": [{"name": "pk", "type": "S"}, {"name": "sk", "type": "N"}], "tags": {"team": "data"},
    })


def item_of(aws_ctx: AwsContext, table: str, pk: str, sk: str) -> dict[str, Any] | None:
    answer = aws_ctx.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"N": sk}})
    return answer.get("Item")


# ---- TableItem -------------------------------------------------------------------------------

def test_table_item_puts_changes_replaces_and_deletes_the_item(
    provisioner: Provisioner, aws_ctx: AwsContext, table: Any
) -> None:
    item = {"pk": {"S": "order-1"}, "sk": {"N": "1"}, "total": {"N": "42"}, "blob": {"B": "aGk="},
            "lines": {"L": [{"M": {"sku": {"S": "a"}}}]}}
    made = provisioner.create(TABLE_ITEM, "first", {"tableName": table.id, "hashKey": "pk", "rangeKey": "sk",
                                                    "item": json.dumps(item)})
    assert made.id == f"{table.id}|pk|order-1|sk|1"  # Terraform's id
    stored = item_of(aws_ctx, table.id, "order-1", "1")
    assert stored is not None and stored["total"] == {"N": "42"} and stored["blob"]["B"] == b"hi"
    assert (made.outputs["hashKeyValue"], made.outputs["rangeKeyValue"]) == ("order-1", "1")
    assert provisioner.read(made) == made.outputs
    assert not provisioner.plan(made, {}).has_changes
    assert not provisioner.plan(made, {"item": json.dumps(dict(reversed(list(item.items()))))}).has_changes

    changed = {"pk": {"S": "order-1"}, "sk": {"N": "1"}, "total": {"N": "50"}}
    made = provisioner.update(made, {"item": json.dumps(changed)})
    stored = item_of(aws_ctx, table.id, "order-1", "1")
    assert stored == changed  # attributes left out are removed
    other_key = {**changed, "sk": {"N": "2"}}
    assert provisioner.plan(made, {"item": json.dumps(other_key)}).replaces == ("item",)
    assert provisioner.plan(made, {"tableName": "another"}).replaces == ("tableName",)

    provisioner.assert_deleted(made)
    assert item_of(aws_ctx, table.id, "order-1", "1") is None


def test_table_item_refuses_an_item_without_its_key_attributes() -> None:
    reasons = failures(TABLE_ITEM, tableName="t", hashKey="pk", rangeKey="sk", item=json.dumps({"pk": {"S": "a"}}))
    assert "no value for its key attribute 'sk'" in reasons["item"]
    assert "not valid JSON" in failures(TABLE_ITEM, tableName="t", hashKey="pk", item="{")["item"]


# ---- getTable --------------------------------------------------------------------------------

def test_get_table_answers_the_table_s_settings(aws_ctx: AwsContext, table: Any) -> None:
    found = invoke("aws:dynamodb/getTable:getTable", aws_ctx, {"name": table.id})
    assert found["arn"] == table.outputs["arn"] and (found["hashKey"], found["rangeKey"]) == ("pk", "sk")
    assert found["billingMode"] == "PAY_PER_REQUEST" and found["tags"]["team"] == "data"
    assert {"name": "sk", "type": "N"} in found["attributes"]
    assert set(found) >= result_fields("dynamodb", "get_table")
    with pytest.raises(BadInput, match="no DynamoDB table named"):
        invoke("aws:dynamodb/getTable:getTable", aws_ctx, {"name": "no-such-table"})


# ---- getParameter ----------------------------------------------------------------------------

@pytest.fixture
def parameters(aws_ctx: AwsContext) -> Iterator[str]:
    prefix = f"/{unique('lookup')}"
    ssm = aws_ctx.client("ssm")
    ssm.put_parameter(Name=f"{prefix}/url", Value="https://api.example.com", Type="String")
    ssm.put_parameter(Name=f"{prefix}/password", Value="hunter2", Type="SecureString")
    yield prefix
    ssm.delete_parameters(Names=[f"{prefix}/url", f"{prefix}/password"])


def test_get_parameter_answers_the_value_as_a_secret_and_plain_only_when_not_a_secure_string(
    aws_ctx: AwsContext, parameters: str
) -> None:
    plain = invoke("aws:ssm/getParameter:getParameter", aws_ctx, {"name": f"{parameters}/url"})
    assert is_secret(plain["value"]) and reveal(plain["value"]) == "https://api.example.com"
    assert plain["insecureValue"] == "https://api.example.com" and plain["type"] == "String"
    assert plain["arn"].endswith(f"parameter{parameters}/url") and plain["version"] == 1
    assert set(plain) >= result_fields("ssm", "get_parameter")
    secure = invoke("aws:ssm/getParameter:getParameter", aws_ctx, {"name": f"{parameters}/password"})
    assert reveal(secure["value"]) == "hunter2" and is_secret(secure["value"]) and secure["insecureValue"] is None
    encrypted = invoke("aws:ssm/getParameter:getParameter", aws_ctx,
                       {"name": f"{parameters}/password", "withDecryption": False})
    assert reveal(encrypted["value"]) != "hunter2"
    with pytest.raises(BadInput, match="no SSM parameter named"):
        invoke("aws:ssm/getParameter:getParameter", aws_ctx, {"name": f"{parameters}/missing"})


# ---- getSecretVersion ------------------------------------------------------------------------

def test_get_secret_version_answers_the_current_or_a_named_version_as_secrets(aws_ctx: AwsContext) -> None:
    client = aws_ctx.client("secretsmanager")
    arn = client.create_secret(Name=unique("lookup"), SecretString='{"user":"app"}')["ARN"]
    try:
        first = client.list_secret_version_ids(SecretId=arn)["Versions"][0]["VersionId"]
        client.put_secret_value(SecretId=arn, SecretString='{"user":"app2"}')
        current = invoke("aws:secretsmanager/getSecretVersion:getSecretVersion", aws_ctx, {"secretId": arn})
        assert is_secret(current["secretString"]) and reveal(current["secretString"]) == '{"user":"app2"}'
        assert current["versionStages"] == ["AWSCURRENT"] and current["id"] == f"{arn}|AWSCURRENT"
        assert current["arn"] == arn and current["createdDate"].endswith("Z")
        assert set(current) >= result_fields("secretsmanager", "get_secret_version")
        older = invoke("aws:secretsmanager/getSecretVersion:getSecretVersion", aws_ctx,
                       {"secretId": arn, "versionId": first})
        assert reveal(older["secretString"]) == '{"user":"app"}' and older["versionId"] == first
        previous = invoke("aws:secretsmanager/getSecretVersion:getSecretVersion", aws_ctx,
                          {"secretId": arn, "versionStage": "AWSPREVIOUS"})
        assert previous["versionId"] == first
        with pytest.raises(BadInput, match="no version"):
            invoke("aws:secretsmanager/getSecretVersion:getSecretVersion", aws_ctx,
                   {"secretId": arn, "versionStage": "NOPE"})
    finally:
        client.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)


# ---- getBucket, getObject --------------------------------------------------------------------

@pytest.fixture
def bucket(aws_ctx: AwsContext) -> Iterator[str]:
    s3 = aws_ctx.client("s3")
    name = unique("lookup")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="site/config.json", Body=b'{"a": 1}', ContentType="application/json",
                  Tagging="env=test", Metadata={"owner": "web"})
    s3.put_object(Bucket=name, Key="logo.png", Body=b"\x89PNG", ContentType="image/png")
    yield name
    listed = s3.list_object_versions(Bucket=name)
    for entry in listed.get("Versions", []) + listed.get("DeleteMarkers", []):
        s3.delete_object(Bucket=name, Key=entry["Key"], VersionId=entry["VersionId"])
    s3.delete_bucket(Bucket=name)


def test_get_bucket_answers_the_bucket_s_names_and_domains(aws_ctx: AwsContext, bucket: str) -> None:
    found = invoke("aws:s3/getBucket:getBucket", aws_ctx, {"bucket": bucket})
    assert found["id"] == found["bucket"] == bucket and found["arn"] == f"arn:aws:s3:::{bucket}"
    assert found["bucketRegionalDomainName"] == f"{bucket}.s3.us-east-1.amazonaws.com"
    assert found["hostedZoneId"] == "Z3AQBSTGFYJSTF" and found["websiteEndpoint"] is None
    assert set(found) >= result_fields("s3", "get_bucket")
    with pytest.raises(BadInput, match="no S3 bucket named"):
        invoke("aws:s3/getBucket:getBucket", aws_ctx, {"bucket": unique("missing")})


def test_get_object_answers_text_bodies_metadata_and_tags(aws_ctx: AwsContext, bucket: str) -> None:
    found = invoke("aws:s3/getObject:getObject", aws_ctx, {"bucket": bucket, "key": "site/config.json"})
    assert found["body"] == '{"a": 1}' and found["bodyBase64"] is None
    assert found["contentType"] == "application/json" and found["contentLength"] == 8
    assert found["metadata"] == {"owner": "web"} and found["tags"] == {"env": "test"}
    assert found["id"] == f"{bucket}/site/config.json" and found["lastModified"].endswith("UTC")
    assert set(found) >= result_fields("s3", "get_object")
    image = invoke("aws:s3/getObject:getObject", aws_ctx, {"bucket": bucket, "key": "logo.png"})
    assert image["body"] is None  # not text, as in Terraform
    downloaded = invoke("aws:s3/getObject:getObject", aws_ctx,
                        {"bucket": bucket, "key": "logo.png", "downloadBody": "true"})
    assert base64.b64decode(downloaded["bodyBase64"]) == b"\x89PNG"
    head = invoke("aws:s3/getObject:getObject", aws_ctx,
                  {"bucket": bucket, "key": "site/config.json", "downloadBody": "false"})
    assert head["body"] is None and head["bodyBase64"] is None and head["contentLength"] == 8
    part = invoke("aws:s3/getObject:getObject", aws_ctx, {"bucket": bucket, "key": "site/config.json",
                                                        "range": "bytes=0-3"})
    assert part["body"] == '{"a"'
    with pytest.raises(BadInput, match="no object"):
        invoke("aws:s3/getObject:getObject", aws_ctx, {"bucket": bucket, "key": "missing.txt"})


def test_get_object_answers_a_version_and_checksums_when_asked(aws_ctx: AwsContext, bucket: str) -> None:
    s3 = aws_ctx.client("s3")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"one", ContentType="text/plain",
                          ChecksumAlgorithm="SHA256")
    s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"two", ContentType="text/plain")
    latest = invoke("aws:s3/getObject:getObject", aws_ctx, {"bucket": bucket, "key": "notes.txt"})
    assert latest["body"] == "two" and latest["checksumSha256"] is None
    older = invoke("aws:s3/getObject:getObject", aws_ctx, {"bucket": bucket, "key": "notes.txt",
                                                         "versionId": first["VersionId"], "checksumMode": "ENABLED"})
    assert older["body"] == "one" and older["versionId"] == first["VersionId"]
    assert older["id"] == f"{bucket}/notes.txt@{first['VersionId']}"
    assert older["checksumSha256"] == first["ChecksumSHA256"]
