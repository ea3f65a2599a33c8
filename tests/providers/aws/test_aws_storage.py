"""The S3, DynamoDB and SQS resource types against the session's moto server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pulumi_aws
import pytest

from envctl.providers.aws.base import Props
from envctl.providers.aws.context import AwsContext

from provider_steps import (
    Provisioner,
    assert_deleted,
    checked,
    created,
    error_code,
    failed_properties,
    failures,
    provider,
    read_from_cloud,
    unique,
    urn,
)

BUCKET_TYPE = "aws:s3/bucket:Bucket"
VERSIONING_TYPE = "aws:s3/bucketVersioning:BucketVersioning"
ACCESS_BLOCK_TYPE = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
TABLE_TYPE = "aws:dynamodb/table:Table"
QUEUE_TYPE = "aws:sqs/queue:Queue"


@pytest.fixture
def s3(aws_ctx: AwsContext) -> Any:
    return aws_ctx.client("s3")


@pytest.fixture
def plain_bucket(aws_ctx: AwsContext, s3: Any) -> Iterator[str]:
    """A bucket made outside envctl, for the bucket sub-resources."""
    name = unique("plain")
    s3.create_bucket(Bucket=name)
    yield name
    provider(BUCKET_TYPE).delete(aws_ctx, name, {"forceDestroy": True})


# ---- Bucket ------------------------------------------------------------------------------------

BUCKET_INPUTS = {
    "tags": {"team": "storage"},
    "versioning": {"enabled": True},
    "serverSideEncryptionConfiguration": {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}},
}


@pytest.fixture
def bucket(aws_ctx: AwsContext) -> Iterator[tuple[str, Props, Props]]:
    inputs = checked(BUCKET_TYPE, "Data", BUCKET_INPUTS)
    id, outputs = created(aws_ctx, BUCKET_TYPE, "Data", inputs)
    yield id, inputs, outputs
    provider(BUCKET_TYPE).delete(aws_ctx, id, {**outputs, "forceDestroy": True})


def test_bucket_check_auto_names_in_lowercase_within_63_characters_and_defaults_force_destroy() -> None:
    inputs = checked(BUCKET_TYPE, "Logs-" + "X" * 80, {})
    assert inputs["bucket"].startswith("logs-xxx") and len(inputs["bucket"]) == 63
    assert inputs["bucket"] == inputs["bucket"].lower()
    assert inputs["forceDestroy"] is False
    assert checked(BUCKET_TYPE, "logs", {}, olds={"bucket": "logs-1a2b3c4"})["bucket"] == "logs-1a2b3c4"
    assert "bucket" not in checked(BUCKET_TYPE, "logs", {"bucketPrefix": "logs-"})
    assert provider("aws:s3/bucketV2:BucketV2") is provider(BUCKET_TYPE)


def test_bucket_create_makes_the_bucket_with_tags_versioning_and_encryption(
    aws_ctx: AwsContext, s3: Any, bucket: tuple[str, Props, Props]
) -> None:
    id, inputs, outputs = bucket
    assert id == inputs["bucket"] == outputs["bucket"]
    s3.head_bucket(Bucket=id)
    cloud_tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=id)["TagSet"]}
    assert cloud_tags == {"team": "storage", "envctl:env": "test", "envctl:urn": urn(BUCKET_TYPE, "Data")}
    assert s3.get_bucket_versioning(Bucket=id)["Status"] == "Enabled"
    rules = s3.get_bucket_encryption(Bucket=id)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert outputs["arn"] == f"arn:aws:s3:::{id}"
    assert outputs["bucketDomainName"] == f"{id}.s3.amazonaws.com"
    assert outputs["bucketRegionalDomainName"] == f"{id}.s3.us-east-1.amazonaws.com"
    assert outputs["bucketRegion"] == outputs["region"] == "us-east-1"
    assert outputs["hostedZoneId"] == "Z3AQBSTGFYJSTF"
    assert outputs["tags"] == {"team": "storage"} and outputs["tagsAll"] == cloud_tags
    assert outputs["forceDestroy"] is False and outputs["objectLockEnabled"] is False


def test_bucket_read_returns_what_create_returned_and_sees_changes_made_outside(
    aws_ctx: AwsContext, s3: Any, bucket: tuple[str, Props, Props]
) -> None:
    id, _, outputs = bucket
    assert read_from_cloud(aws_ctx, BUCKET_TYPE, id, outputs) == outputs
    s3.put_bucket_versioning(Bucket=id, VersioningConfiguration={"Status": "Suspended"})
    s3.put_bucket_tagging(Bucket=id, Tagging={"TagSet": [{"Key": "team", "Value": "other"}]})
    drifted = provider(BUCKET_TYPE).read(aws_ctx, id, outputs)
    assert drifted["versioning"]["enabled"] is False
    assert drifted["tags"] == drifted["tagsAll"] == {"team": "other"}


def test_bucket_update_changes_tags_and_versioning_in_place(
    aws_ctx: AwsContext, s3: Any, bucket: tuple[str, Props, Props]
) -> None:
    id, inputs, outputs = bucket
    news = checked(BUCKET_TYPE, "Data", {**inputs, "tags": {"team": "data"}, "versioning": {"enabled": False}})
    diff = provider(BUCKET_TYPE).diff(inputs, news)
    assert set(diff.changed) == {"tags", "versioning"} and not diff.needs_replace
    updated = provider(BUCKET_TYPE).update(aws_ctx, urn(BUCKET_TYPE, "Data"), id, outputs, news, diff)
    assert updated["bucket"] == id
    assert s3.get_bucket_versioning(Bucket=id)["Status"] == "Suspended"
    cloud_tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=id)["TagSet"]}
    assert cloud_tags["team"] == "data" and updated["tags"] == {"team": "data"}


def test_bucket_diff_replaces_for_name_and_object_lock_and_updates_the_rest() -> None:
    olds = checked(BUCKET_TYPE, "Data", {"bucket": "data-1"})
    bucket = provider(BUCKET_TYPE)
    assert bucket.diff(olds, {**olds, "bucket": "data-2"}).replaces == ("bucket",)
    assert bucket.diff(olds, {**olds, "objectLockEnabled": True}).replaces == ("objectLockEnabled",)
    for change in ({"forceDestroy": True}, {"tags": {"a": "b"}}, {"versioning": {"enabled": True}}):
        diff = bucket.diff(olds, {**olds, **change})
        assert diff.changed == tuple(change) and not diff.needs_replace


def test_bucket_delete_refuses_a_non_empty_bucket_unless_force_destroy(aws_ctx: AwsContext, s3: Any) -> None:
    inputs = checked(BUCKET_TYPE, "Full", {"versioning": {"enabled": True}})
    id, outputs = provider(BUCKET_TYPE).create(aws_ctx, urn(BUCKET_TYPE, "Full"), inputs)
    s3.put_object(Bucket=id, Key="a", Body=b"1")
    s3.put_object(Bucket=id, Key="a", Body=b"2")
    s3.delete_object(Bucket=id, Key="a")  # two versions and a delete marker remain

    assert error_code(provider(BUCKET_TYPE).delete, ctx=aws_ctx, id=id, state=outputs) == "BucketNotEmpty"
    assert_deleted(aws_ctx, BUCKET_TYPE, id, {**outputs, "forceDestroy": True})
    assert error_code(s3.head_bucket, Bucket=id) == "404"


def test_bucket_prefix_names_the_bucket_at_create(aws_ctx: AwsContext) -> None:
    inputs = checked(BUCKET_TYPE, "Pre", {"bucketPrefix": "pre-"})
    id, outputs = provider(BUCKET_TYPE).create(aws_ctx, urn(BUCKET_TYPE, "Pre"), inputs)
    assert id.startswith("pre-") and len(id) <= 63 and outputs["bucket"] == id
    assert provider(BUCKET_TYPE).read(aws_ctx, id, outputs) == outputs
    assert_deleted(aws_ctx, BUCKET_TYPE, id, outputs)


# ---- Bucket: the inline configurations pulumi-aws 7 keeps ----------------------------------------

def drifted(token: str, recorded: Props, current: Props | None, key: str) -> bool:
    """Whether the engine's drift check sees `key` changed: the provider's diff of the recorded and read values."""
    assert current is not None
    return key in provider(token).diff({key: recorded[key]}, {key: current[key]}).changed


SPA_RULES = [{"Condition": {"HttpErrorCodeReturnedEquals": "404"}, "Redirect": {"ReplaceKeyWith": "index.html"}}]


def test_bucket_inline_website_is_hosted_with_its_endpoint(provisioner: Provisioner, s3: Any) -> None:
    site = provisioner.create(BUCKET_TYPE, "site", {"website": {
        "indexDocument": "index.html", "errorDocument": "404.html", "routingRules": json.dumps(SPA_RULES),
    }})
    answer = s3.get_bucket_website(Bucket=site.id)
    assert answer["IndexDocument"] == {"Suffix": "index.html"} and answer["ErrorDocument"] == {"Key": "404.html"}
    assert answer["RoutingRules"] == SPA_RULES
    assert site.outputs["websiteEndpoint"] == f"{site.id}.s3-website-us-east-1.amazonaws.com"
    assert site.outputs["websiteDomain"] == "s3-website-us-east-1.amazonaws.com"
    assert site.outputs["website"]["routingRules"] == json.dumps(SPA_RULES)  # the program's text

    site = provisioner.update(site, {"website": {"redirectAllRequestsTo": "https://example.com"}})
    answer = s3.get_bucket_website(Bucket=site.id)
    assert answer["RedirectAllRequestsTo"] == {"HostName": "example.com", "Protocol": "https"}
    assert "IndexDocument" not in answer and site.outputs["website"]["redirectAllRequestsTo"] == "https://example.com"

    s3.put_bucket_website(Bucket=site.id, WebsiteConfiguration={"IndexDocument": {"Suffix": "home.html"}})
    assert provisioner.read(site)["website"]["indexDocument"] == "home.html"
    # Leaving the website out of the program leaves the bucket's as it is (Optional+Computed in Terraform) ...
    assert not provisioner.plan(site, {"website": None}).has_changes
    # ... while a website removed outside envctl is drift, as the engine decides it from a read.
    s3.delete_bucket_website(Bucket=site.id)
    assert drifted(BUCKET_TYPE, site.outputs, provisioner.read(site), "website")


def test_bucket_without_a_website_has_no_website_endpoint(provisioner: Provisioner) -> None:
    plain = provisioner.create(BUCKET_TYPE, "plain", {})
    assert plain.outputs["website"] is None
    assert plain.outputs["websiteEndpoint"] is None and plain.outputs["websiteDomain"] is None


def test_bucket_inline_cors_and_lifecycle_rules(provisioner: Provisioner, s3: Any) -> None:
    cors = [{"allowedMethods": ["GET", "HEAD"], "allowedOrigins": ["https://example.com"], "maxAgeSeconds": 300}]
    lifecycle = [
        {"id": "tmp", "enabled": True, "prefix": "tmp/", "expiration": {"days": 7},
         "abortIncompleteMultipartUploadDays": 2},
        {"id": "archive", "enabled": True, "tags": {"class": "cold"},
         "transitions": [{"days": 30, "storageClass": "GLACIER"}], "noncurrentVersionExpiration": {"days": 90}},
    ]
    bucket = provisioner.create(BUCKET_TYPE, "rules", {"corsRules": cors, "lifecycleRules": lifecycle})
    assert s3.get_bucket_cors(Bucket=bucket.id)["CORSRules"] == [
        {"AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": ["https://example.com"], "MaxAgeSeconds": 300}]
    rules = {rule["ID"]: rule for rule in s3.get_bucket_lifecycle_configuration(Bucket=bucket.id)["Rules"]}
    assert rules["tmp"]["Filter"] == {"Prefix": "tmp/"} and rules["tmp"]["Expiration"] == {"Days": 7}
    assert rules["tmp"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 2}
    assert rules["archive"]["Filter"] == {"And": {"Prefix": "", "Tags": [{"Key": "class", "Value": "cold"}]}}
    assert rules["archive"]["Transitions"] == [{"Days": 30, "StorageClass": "GLACIER"}]
    assert rules["archive"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 90}
    assert bucket.outputs["corsRules"] == cors
    assert [r["id"] for r in bucket.outputs["lifecycleRules"]] == ["tmp", "archive"]
    assert bucket.outputs["lifecycleRules"][1]["tags"] == {"class": "cold"}

    bucket = provisioner.update(bucket, {
        "corsRules": [{"allowedMethods": ["PUT"], "allowedOrigins": ["*"], "allowedHeaders": ["*"]}],
        "lifecycleRules": [{"enabled": False, "prefix": "logs/", "expiration": {"date": "2031-01-01"}}],
    })
    assert s3.get_bucket_cors(Bucket=bucket.id)["CORSRules"] == [
        {"AllowedHeaders": ["*"], "AllowedMethods": ["PUT"], "AllowedOrigins": ["*"]}]
    [rule] = s3.get_bucket_lifecycle_configuration(Bucket=bucket.id)["Rules"]
    assert rule["Status"] == "Disabled" and rule["Expiration"]["Date"].date().isoformat() == "2031-01-01"
    assert rule["ID"].startswith("tf-s3-lifecycle-")  # Terraform's id for a rule without one
    assert bucket.outputs["lifecycleRules"][0]["expiration"]["date"] == "2031-01-01"


def test_bucket_inline_logging_policy_and_acceleration(provisioner: Provisioner, s3: Any) -> None:
    # moto writes access logs: the target bucket must go with them.
    logs = provisioner.create(BUCKET_TYPE, "access-logs", {"acl": "log-delivery-write", "forceDestroy": True})
    grants = s3.get_bucket_acl(Bucket=logs.id)["Grants"]
    assert any(g["Grantee"].get("URI", "").endswith("/s3/LogDelivery") for g in grants)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::guarded/*"}]})
    guarded = provisioner.create(BUCKET_TYPE, "guarded", {
        "logging": {"targetBucket": logs.id, "targetPrefix": "guarded/"}, "policy": policy,
        "accelerationStatus": "Enabled",
    })
    assert s3.get_bucket_logging(Bucket=guarded.id)["LoggingEnabled"] == {"TargetBucket": logs.id,
                                                                          "TargetPrefix": "guarded/"}
    assert json.loads(s3.get_bucket_policy(Bucket=guarded.id)["Policy"]) == json.loads(policy)
    assert s3.get_bucket_accelerate_configuration(Bucket=guarded.id)["Status"] == "Enabled"
    assert guarded.outputs["policy"] == policy and guarded.outputs["accelerationStatus"] == "Enabled"
    # The same policy written differently is no change.
    assert not provisioner.plan(guarded, {"policy": json.loads(policy)}).has_changes

    other_policy = policy.replace("s3:DeleteObject", "s3:PutObject")
    guarded = provisioner.update(guarded, {"logging": {"targetBucket": logs.id, "targetPrefix": "g2/"},
                                           "policy": other_policy, "accelerationStatus": "Suspended"})
    assert s3.get_bucket_logging(Bucket=guarded.id)["LoggingEnabled"]["TargetPrefix"] == "g2/"
    assert json.loads(s3.get_bucket_policy(Bucket=guarded.id)["Policy"]) == json.loads(other_policy)
    assert s3.get_bucket_accelerate_configuration(Bucket=guarded.id)["Status"] == "Suspended"
    assert guarded.outputs["logging"] == {"targetBucket": logs.id, "targetPrefix": "g2/"}


ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def grants_of(s3: Any, bucket: str) -> set[tuple[str, str]]:
    return {(g["Grantee"].get("URI") or g["Grantee"].get("ID"), g["Permission"])
            for g in s3.get_bucket_acl(Bucket=bucket)["Grants"]}


def test_bucket_inline_acl_and_grants(provisioner: Provisioner, s3: Any) -> None:
    public = provisioner.create(BUCKET_TYPE, "public", {"acl": "public-read"})
    assert (ALL_USERS, "READ") in grants_of(s3, public.id)
    public = provisioner.update(public, {"acl": "private"})
    assert (ALL_USERS, "READ") not in grants_of(s3, public.id) and public.outputs["acl"] == "private"

    owner = s3.get_bucket_acl(Bucket=public.id)["Owner"]["ID"]
    granted = [{"type": "CanonicalUser", "id": owner, "permissions": ["FULL_CONTROL"]},
               {"type": "Group", "uri": ALL_USERS, "permissions": ["READ_ACP", "READ"]}]
    shared = provisioner.create(BUCKET_TYPE, "shared", {"grants": granted})
    assert grants_of(s3, shared.id) == {(owner, "FULL_CONTROL"), (ALL_USERS, "READ"), (ALL_USERS, "READ_ACP")}
    # Grants and their permissions are sets: another order is no change, and the read agrees with the program.
    assert not provisioner.plan(shared, {"grants": list(reversed(granted))}).has_changes
    assert not provider(BUCKET_TYPE).diff({"grants": granted}, {"grants": provisioner.read(shared)["grants"]}).changed

    shared = provisioner.update(shared, {"grants": granted[:1]})
    assert grants_of(s3, shared.id) == {(owner, "FULL_CONTROL")}
    assert set(failures(BUCKET_TYPE, acl="private", grants=granted)) == {"grants"}


def test_bucket_inline_object_lock_configuration(provisioner: Provisioner, s3: Any) -> None:
    locked = provisioner.create(BUCKET_TYPE, "locked", {
        "versioning": {"enabled": True},
        "objectLockConfiguration": {"objectLockEnabled": "Enabled",
                                    "rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": 1}}},
    })
    lock = s3.get_object_lock_configuration(Bucket=locked.id)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled" and lock["Rule"]["DefaultRetention"]["Days"] == 1
    assert locked.outputs["objectLockEnabled"] is True
    assert locked.outputs["objectLockConfiguration"]["rule"] == {"defaultRetention": {"mode": "GOVERNANCE", "days": 1,
                                                                                      "years": None}}
    locked = provisioner.update(locked, {"objectLockConfiguration": {
        "objectLockEnabled": "Enabled", "rule": {"defaultRetention": {"mode": "COMPLIANCE", "years": 1}}}})
    retention = s3.get_object_lock_configuration(Bucket=locked.id)["ObjectLockConfiguration"]["Rule"][
        "DefaultRetention"]
    assert (retention["Mode"], retention["Years"]) == ("COMPLIANCE", 1)
    # Object lock cannot be turned off again: a bucket without it is a new bucket (ForceNew in Terraform).
    assert provisioner.plan(locked, {"objectLockConfiguration": {"objectLockEnabled": "Disabled"}}).replaces == (
        "objectLockConfiguration",)


def test_bucket_in_the_account_regional_namespace(provisioner: Provisioner, aws_ctx: AwsContext, s3: Any) -> None:
    name = f"{unique('ns')}-{aws_ctx.account_id}-us-east-1-an"
    bucket = provisioner.create(BUCKET_TYPE, "regional", {"bucket": name, "bucketNamespace": "account-regional"})
    s3.head_bucket(Bucket=name)
    assert bucket.outputs["bucketNamespace"] == "account-regional"
    assert provisioner.plan(bucket, {"bucketNamespace": "global"}).replaces == ("bucketNamespace",)


def test_bucket_refuses_what_the_local_cloud_cannot_do() -> None:
    refused = failures(BUCKET_TYPE, requestPayer="Requester", versioning={"enabled": True, "mfaDelete": True},
                       replicationConfiguration={"role": "arn:aws:iam::123456789012:role/r", "rules": []},
                       serverSideEncryptionConfiguration={"rule": {"blockedEncryptionTypes": ["SSE-C"]}})
    assert set(refused) == {"requestPayer", "versioning", "replicationConfiguration",
                            "serverSideEncryptionConfiguration"}
    assert "'versioning.mfaDelete' is not supported" in refused["versioning"]
    assert "requester-pays" in refused["requestPayer"] and "not emulated" in refused["replicationConfiguration"]
    assert failures(BUCKET_TYPE, website={"errorDocument": "e.html"}) == {
        "website": "a website needs an indexDocument or redirectAllRequestsTo"}
    assert set(failures(BUCKET_TYPE, lifecycleRules=[{"enabled": True, "expiration": {"date": "soon"}}])) == {
        "lifecycleRules"}


# ---- BucketVersioning --------------------------------------------------------------------------


def test_bucket_versioning_check_requires_bucket_and_a_valid_status() -> None:
    assert failed_properties(VERSIONING_TYPE, {}) == {"bucket", "versioningConfiguration"}
    bad = {"bucket": "b", "versioningConfiguration": {"status": "On"}}
    assert failed_properties(VERSIONING_TYPE, bad) == {"versioningConfiguration"}
    assert provider("aws:s3/bucketVersioningV2:BucketVersioningV2") is provider(VERSIONING_TYPE)


def test_bucket_versioning_lifecycle(aws_ctx: AwsContext, s3: Any, plain_bucket: str) -> None:
    versioning = provider(VERSIONING_TYPE)
    inputs = checked(VERSIONING_TYPE, "v", {"bucket": plain_bucket, "versioningConfiguration": {"status": "Enabled"}})
    id, outputs = created(aws_ctx, VERSIONING_TYPE, "v", inputs)
    assert id == plain_bucket
    assert s3.get_bucket_versioning(Bucket=plain_bucket)["Status"] == "Enabled"
    assert read_from_cloud(aws_ctx, VERSIONING_TYPE, id, outputs) == outputs

    news = {**inputs, "versioningConfiguration": {"status": "Suspended"}}
    diff = versioning.diff(inputs, news)
    assert diff.changed == ("versioningConfiguration",) and not diff.needs_replace
    assert versioning.diff(inputs, {**inputs, "bucket": "other"}).replaces == ("bucket",)
    updated = versioning.update(aws_ctx, urn(VERSIONING_TYPE, "v"), id, outputs, news, diff)
    assert updated["versioningConfiguration"]["status"] == "Suspended"
    assert s3.get_bucket_versioning(Bucket=plain_bucket)["Status"] == "Suspended"

    # Versioning can only be suspended, never removed: that is what delete does, as in Terraform.
    s3.put_bucket_versioning(Bucket=plain_bucket, VersioningConfiguration={"Status": "Enabled"})
    versioning.delete(aws_ctx, id, outputs)
    versioning.delete(aws_ctx, id, outputs)
    assert s3.get_bucket_versioning(Bucket=plain_bucket)["Status"] == "Suspended"


def test_bucket_versioning_refuses_mfa_delete_and_owner_checks() -> None:
    with_mfa_delete = {"status": "Enabled", "mfaDelete": "Enabled"}
    refused = failures(VERSIONING_TYPE, bucket="b", versioningConfiguration=with_mfa_delete,
                       mfa="arn:aws:iam::123456789012:mfa/root 123456", expectedBucketOwner="123456789012")
    assert set(refused) == {"versioningConfiguration", "mfa", "expectedBucketOwner"}
    assert "'versioningConfiguration.mfaDelete' is not supported" in refused["versioningConfiguration"]
    assert "does not check a bucket's owner" in refused["expectedBucketOwner"]


def test_bucket_versioning_declares_the_inputs_of_pulumi_aws_s_init_args() -> None:
    """BucketVersioning's arguments class is BucketVersioningInitArgs (BucketVersioningArgs is Bucket's block)."""
    args = pulumi_aws.s3.BucketVersioningInitArgs
    wire = {value.fget._pulumi_name for value in vars(args).values()
            if isinstance(value, property) and hasattr(value.fget, "_pulumi_name")}
    assert provider(VERSIONING_TYPE).schema().inputs == wire


def test_bucket_versioning_is_gone_with_its_bucket(aws_ctx: AwsContext, s3: Any) -> None:
    name = unique("gone")
    s3.create_bucket(Bucket=name)
    inputs = checked(VERSIONING_TYPE, "v", {"bucket": name, "versioningConfiguration": {"status": "Enabled"}})
    id, outputs = provider(VERSIONING_TYPE).create(aws_ctx, urn(VERSIONING_TYPE, "v"), inputs)
    s3.delete_bucket(Bucket=name)
    assert_deleted(aws_ctx, VERSIONING_TYPE, id, outputs)


# ---- BucketPublicAccessBlock -------------------------------------------------------------------


def test_public_access_block_check_defaults_every_flag_to_false() -> None:
    inputs = checked(ACCESS_BLOCK_TYPE, "pab", {"bucket": "b"})
    assert [
        inputs[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    ] == [False] * 4
    assert failed_properties(ACCESS_BLOCK_TYPE, {}) == {"bucket"}


def test_public_access_block_lifecycle(aws_ctx: AwsContext, s3: Any, plain_bucket: str) -> None:
    block = provider(ACCESS_BLOCK_TYPE)
    inputs = checked(ACCESS_BLOCK_TYPE, "pab", {"bucket": plain_bucket, "blockPublicAcls": True})
    id, outputs = created(aws_ctx, ACCESS_BLOCK_TYPE, "pab", inputs)
    assert id == plain_bucket
    config = s3.get_public_access_block(Bucket=id)["PublicAccessBlockConfiguration"]
    assert config["BlockPublicAcls"] is True and config["RestrictPublicBuckets"] is False
    assert read_from_cloud(aws_ctx, ACCESS_BLOCK_TYPE, id, outputs) == outputs

    news = {**inputs, "restrictPublicBuckets": True}
    diff = block.diff(inputs, news)
    assert diff.changed == ("restrictPublicBuckets",) and not diff.needs_replace
    assert block.diff(inputs, {**inputs, "bucket": "other"}).replaces == ("bucket",)
    updated = block.update(aws_ctx, urn(ACCESS_BLOCK_TYPE, "pab"), id, outputs, news, diff)
    assert updated["restrictPublicBuckets"] is True
    assert s3.get_public_access_block(Bucket=id)["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True

    assert_deleted(aws_ctx, ACCESS_BLOCK_TYPE, id, updated)
    assert error_code(s3.get_public_access_block, Bucket=id) == "NoSuchPublicAccessBlockConfiguration"


def test_public_access_block_skip_destroy_leaves_it_on_the_bucket(
    aws_ctx: AwsContext, s3: Any, plain_bucket: str
) -> None:
    inputs = checked(ACCESS_BLOCK_TYPE, "kept", {"bucket": plain_bucket, "blockPublicPolicy": True,
                                                 "skipDestroy": True})
    id, outputs = created(aws_ctx, ACCESS_BLOCK_TYPE, "kept", inputs)
    provider(ACCESS_BLOCK_TYPE).delete(aws_ctx, id, outputs)
    assert s3.get_public_access_block(Bucket=id)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True


# ---- Table -------------------------------------------------------------------------------------

TABLE_INPUTS = {
    "billingMode": "PAY_PER_REQUEST",
    "hashKey": "pk",
    "rangeKey": "sk",
    "attributes": [{"name": "pk", "type": "S"}, {"name": "sk", "type": "N"}, {"name": "owner", "type": "S"}],
    "globalSecondaryIndexes": [{"name": "byOwner", "hashKey": "owner", "projectionType": "ALL"}],
    "ttl": {"attributeName": "expiresAt", "enabled": True},
    "pointInTimeRecovery": {"enabled": True},
    "streamEnabled": True,
    "streamViewType": "NEW_AND_OLD_IMAGES",
    "tags": {"team": "storage"},
}


@pytest.fixture
def table(aws_ctx: AwsContext) -> Iterator[tuple[str, Props, Props]]:
    inputs = checked(TABLE_TYPE, "Orders", TABLE_INPUTS)
    id, outputs = provider(TABLE_TYPE).create(aws_ctx, urn(TABLE_TYPE, "Orders"), inputs)
    yield id, inputs, outputs
    provider(TABLE_TYPE).delete(aws_ctx, id, outputs)


def test_table_check_fills_billing_mode_table_class_and_the_name() -> None:
    news = {"hashKey": "pk", "attributes": [{"name": "pk", "type": "S"}], "readCapacity": 1, "writeCapacity": 1}
    inputs = checked(TABLE_TYPE, "Orders", news)
    assert inputs["billingMode"] == "PROVISIONED" and inputs["tableClass"] == "STANDARD"
    assert inputs["name"].startswith("Orders-") and len(inputs["name"]) == len("Orders-") + 7


def test_table_check_reports_what_create_table_would_reject() -> None:
    gsi_without_capacity = {**TABLE_INPUTS, "billingMode": "PROVISIONED", "readCapacity": 1, "writeCapacity": 1}
    assert failed_properties(TABLE_TYPE, gsi_without_capacity) == {
        "globalSecondaryIndexes[0].readCapacity",
        "globalSecondaryIndexes[0].writeCapacity",
    }
    undeclared_and_unused = {
        "hashKey": "id",
        "billingMode": "PAY_PER_REQUEST",
        "attributes": [{"name": "x", "type": "S"}],
    }
    messages = [f.reason for f in provider(TABLE_TYPE).check("t", None, undeclared_and_unused).failures]
    assert any("'id' is not declared" in m for m in messages) and any("'x' is not used" in m for m in messages)
    assert failed_properties(TABLE_TYPE, {**TABLE_INPUTS, "streamViewType": None}) == {"streamViewType"}
    assert failed_properties(TABLE_TYPE, {"billingMode": "PAY_PER_REQUEST"}) == {"hashKey", "attributes"}


def test_table_create_makes_keys_indexes_ttl_recovery_stream_and_tags(
    aws_ctx: AwsContext, table: tuple[str, Props, Props]
) -> None:
    id, inputs, outputs = table
    dynamodb = aws_ctx.client("dynamodb")
    described = dynamodb.describe_table(TableName=id)["Table"]
    assert id == inputs["name"]
    assert described["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [i["IndexName"] for i in described["GlobalSecondaryIndexes"]] == ["byOwner"]
    assert described["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    ttl = dynamodb.describe_time_to_live(TableName=id)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}
    backups = dynamodb.describe_continuous_backups(TableName=id)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    cloud_tags = {
        t["Key"]: t["Value"] for t in dynamodb.list_tags_of_resource(ResourceArn=described["TableArn"])["Tags"]
    }
    assert cloud_tags["team"] == "storage" and cloud_tags["envctl:urn"] == urn(TABLE_TYPE, "Orders")
    assert outputs["arn"] == aws_ctx.arn("dynamodb", f"table/{id}")
    assert outputs["streamArn"] == described["LatestStreamArn"] and outputs["streamLabel"]
    assert outputs["tagsAll"] == cloud_tags and outputs["tags"] == {"team": "storage"}


def test_table_read_returns_what_create_returned(aws_ctx: AwsContext, table: tuple[str, Props, Props]) -> None:
    id, _, outputs = table
    assert provider(TABLE_TYPE).read(aws_ctx, id, outputs) == outputs


def test_table_update_changes_billing_indexes_ttl_recovery_and_tags_in_place(
    aws_ctx: AwsContext, table: tuple[str, Props, Props]
) -> None:
    id, inputs, outputs = table
    news = checked(
        TABLE_TYPE,
        "Orders",
        {
            **inputs,
            "billingMode": "PROVISIONED",
            "readCapacity": 3,
            "writeCapacity": 4,
            "attributes": [*inputs["attributes"], {"name": "status", "type": "S"}],
            "globalSecondaryIndexes": [
                {"name": "byOwner", "hashKey": "owner", "projectionType": "ALL", "readCapacity": 1, "writeCapacity": 1},
                {
                    "name": "byStatus",
                    "hashKey": "status",
                    "projectionType": "KEYS_ONLY",
                    "readCapacity": 2,
                    "writeCapacity": 2,
                },
            ],
            "ttl": {"attributeName": "expiresAt", "enabled": False},
            "pointInTimeRecovery": {"enabled": False},
            "tags": {"team": "orders"},
        },
        olds=inputs,
    )
    diff = provider(TABLE_TYPE).diff(inputs, news)
    assert not diff.needs_replace
    updated = provider(TABLE_TYPE).update(aws_ctx, urn(TABLE_TYPE, "Orders"), id, outputs, news, diff)

    dynamodb = aws_ctx.client("dynamodb")
    described = dynamodb.describe_table(TableName=id)["Table"]
    assert described["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert described["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert sorted(i["IndexName"] for i in described["GlobalSecondaryIndexes"]) == ["byOwner", "byStatus"]
    assert dynamodb.describe_time_to_live(TableName=id)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    backups = dynamodb.describe_continuous_backups(TableName=id)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    assert updated["name"] == id and updated["readCapacity"] == 3 and updated["writeCapacity"] == 4
    assert updated["tags"] == {"team": "orders"} and updated["tagsAll"]["team"] == "orders"
    assert provider(TABLE_TYPE).read(aws_ctx, id, updated) == updated


def test_table_diff_replaces_for_name_and_keys_and_updates_billing_and_capacity() -> None:
    olds = checked(TABLE_TYPE, "Orders", TABLE_INPUTS)
    table = provider(TABLE_TYPE)
    for key, value in (("name", "renamed"), ("hashKey", "owner"), ("rangeKey", None)):
        assert table.diff(olds, {**olds, key: value}).replaces == (key,)
    for change in ({"billingMode": "PROVISIONED", "readCapacity": 1, "writeCapacity": 1}, {"ttl": {"enabled": False}}):
        diff = table.diff(olds, {**olds, **change})
        assert set(diff.changed) == set(change) and not diff.needs_replace


def test_table_delete_leaves_nothing(aws_ctx: AwsContext, table: tuple[str, Props, Props]) -> None:
    id, _, outputs = table
    assert_deleted(aws_ctx, TABLE_TYPE, id, outputs)
    assert error_code(aws_ctx.client("dynamodb").describe_table, TableName=id) == "ResourceNotFoundException"


# ---- Queue -------------------------------------------------------------------------------------


@pytest.fixture
def dead_letter_arn(aws_ctx: AwsContext) -> Iterator[str]:
    sqs = aws_ctx.client("sqs")
    url = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    yield sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def queue(aws_ctx: AwsContext, dead_letter_arn: str) -> Iterator[tuple[str, Props, Props]]:
    redrive = json.dumps({"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": 3}, indent=2)
    news = {"visibilityTimeoutSeconds": 45, "redrivePolicy": redrive, "tags": {"team": "storage"}}
    inputs = checked(QUEUE_TYPE, "jobs", news)
    id, outputs = provider(QUEUE_TYPE).create(aws_ctx, urn(QUEUE_TYPE, "jobs"), inputs)
    yield id, inputs, outputs
    provider(QUEUE_TYPE).delete(aws_ctx, id, outputs)


def test_queue_check_fills_defaults_and_names_fifo_queues_with_the_fifo_suffix() -> None:
    inputs = checked(QUEUE_TYPE, "jobs", {})
    assert inputs["name"].startswith("jobs-") and len(inputs["name"]) == len("jobs-") + 7
    assert {k: inputs[k] for k in ("delaySeconds", "maxMessageSize", "messageRetentionSeconds")} == {
        "delaySeconds": 0,
        "maxMessageSize": 262144,
        "messageRetentionSeconds": 345600,
    }
    assert (inputs["receiveWaitTimeSeconds"], inputs["visibilityTimeoutSeconds"], inputs["fifoQueue"]) == (0, 30, False)

    fifo = checked(QUEUE_TYPE, "j" * 100, {"fifoQueue": True})
    assert fifo["name"].endswith(".fifo") and len(fifo["name"]) == 80
    assert checked(QUEUE_TYPE, "jobs", {"fifoQueue": True}, olds=fifo)["name"] == fifo["name"]
    assert not checked(QUEUE_TYPE, "jobs", {}, olds=fifo)["name"].endswith(".fifo")


def test_queue_check_normalises_json_and_reports_invalid_values() -> None:
    spaced = checked(QUEUE_TYPE, "q", {"redrivePolicy": '{ "maxReceiveCount": 3,\n "deadLetterTargetArn": "a" }'})
    compact = checked(QUEUE_TYPE, "q", {"redrivePolicy": '{"deadLetterTargetArn":"a","maxReceiveCount":3}'})
    assert spaced["redrivePolicy"] == compact["redrivePolicy"]
    assert provider(QUEUE_TYPE).diff(spaced, compact).changed == ("name",)  # only the auto-names differ
    assert failed_properties(QUEUE_TYPE, {"redrivePolicy": "{not json"}) == {"redrivePolicy"}
    assert failed_properties(QUEUE_TYPE, {"name": "bad name"}) == {"name"}
    assert failed_properties(QUEUE_TYPE, {"contentBasedDeduplication": True}) == {"contentBasedDeduplication"}


def test_queue_create_makes_the_queue_with_its_attributes_and_tags(
    aws_ctx: AwsContext, queue: tuple[str, Props, Props], dead_letter_arn: str
) -> None:
    id, inputs, outputs = queue
    sqs = aws_ctx.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=id, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "45" and attributes["MaximumMessageSize"] == "262144"
    assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": 3}
    assert sqs.list_queue_tags(QueueUrl=id)["Tags"] == {
        "team": "storage",
        "envctl:env": "test",
        "envctl:urn": urn(QUEUE_TYPE, "jobs"),
    }
    assert id == outputs["url"] == sqs.get_queue_url(QueueName=inputs["name"])["QueueUrl"]
    assert outputs["arn"] == aws_ctx.arn("sqs", inputs["name"]) == attributes["QueueArn"]
    assert outputs["visibilityTimeoutSeconds"] == 45 and outputs["tags"] == {"team": "storage"}


def test_queue_read_returns_what_create_returned(aws_ctx: AwsContext, queue: tuple[str, Props, Props]) -> None:
    id, _, outputs = queue
    assert provider(QUEUE_TYPE).read(aws_ctx, id, outputs) == outputs


def test_queue_update_changes_attributes_and_tags_in_place(
    aws_ctx: AwsContext, queue: tuple[str, Props, Props]
) -> None:
    id, inputs, outputs = queue
    news = checked(QUEUE_TYPE, "jobs", {**inputs, "visibilityTimeoutSeconds": 60, "redrivePolicy": None, "tags": {}})
    diff = provider(QUEUE_TYPE).diff(inputs, news)
    assert set(diff.changed) == {"visibilityTimeoutSeconds", "redrivePolicy", "tags"} and not diff.needs_replace
    updated = provider(QUEUE_TYPE).update(aws_ctx, urn(QUEUE_TYPE, "jobs"), id, outputs, news, diff)

    sqs = aws_ctx.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=id, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "60" and "RedrivePolicy" not in attributes
    assert "team" not in sqs.list_queue_tags(QueueUrl=id)["Tags"]
    assert updated["url"] == id and updated["visibilityTimeoutSeconds"] == 60 and updated["redrivePolicy"] is None


def test_queue_diff_replaces_for_fifo_and_name_and_updates_attributes() -> None:
    olds = checked(QUEUE_TYPE, "jobs", {})
    queue = provider(QUEUE_TYPE)
    to_fifo = checked(QUEUE_TYPE, "jobs", {"fifoQueue": True}, olds=olds)
    assert set(queue.diff(olds, to_fifo).replaces) == {"fifoQueue", "name"}
    diff = queue.diff(olds, {**olds, "visibilityTimeoutSeconds": 60, "delaySeconds": 5})
    assert diff.changed == ("delaySeconds", "visibilityTimeoutSeconds") and not diff.needs_replace


def test_queue_policy_is_compared_by_what_it_grants(aws_ctx: AwsContext) -> None:
    statement = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    inputs = checked(QUEUE_TYPE, "policed", {"policy": json.dumps(policy)})
    id, outputs = provider(QUEUE_TYPE).create(aws_ctx, urn(QUEUE_TYPE, "policed"), inputs)
    attributes = aws_ctx.client("sqs").get_queue_attributes(QueueUrl=id, AttributeNames=["Policy"])["Attributes"]
    assert json.loads(attributes["Policy"]) == policy
    assert provider(QUEUE_TYPE).read(aws_ctx, id, outputs) == outputs
    reworded = {**policy, "Statement": [{**statement, "Action": ["sqs:SendMessage"]}]}
    assert provider(QUEUE_TYPE).diff(inputs, {**inputs, "policy": json.dumps(reworded)}).changed == ()
    assert provider(QUEUE_TYPE).diff(inputs, {**inputs, "policy": None}).changed == ("policy",)
    assert_deleted(aws_ctx, QUEUE_TYPE, id, outputs)


def test_queue_fifo_and_name_prefix(aws_ctx: AwsContext) -> None:
    inputs = checked(
        QUEUE_TYPE, "orders", {"namePrefix": "orders-", "fifoQueue": True, "contentBasedDeduplication": True}
    )
    id, outputs = provider(QUEUE_TYPE).create(aws_ctx, urn(QUEUE_TYPE, "orders"), inputs)
    assert outputs["name"].startswith("orders-") and outputs["name"].endswith(".fifo")
    attributes = aws_ctx.client("sqs").get_queue_attributes(QueueUrl=id, AttributeNames=["All"])["Attributes"]
    assert attributes["FifoQueue"] == "true" and attributes["ContentBasedDeduplication"] == "true"
    assert provider(QUEUE_TYPE).read(aws_ctx, id, outputs) == outputs
    assert_deleted(aws_ctx, QUEUE_TYPE, id, outputs)


def test_queue_delete_leaves_nothing(aws_ctx: AwsContext, queue: tuple[str, Props, Props]) -> None:
    id, inputs, outputs = queue
    assert_deleted(aws_ctx, QUEUE_TYPE, id, outputs)
    assert error_code(aws_ctx.client("sqs").get_queue_url, QueueName=inputs["name"]) == (
        "AWS.SimpleQueueService.NonExistentQueue"
    )
