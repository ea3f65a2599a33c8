"""The aws:s3 types that configure a bucket (encryption, CORS, lifecycle, ownership, ACL, logging, notifications,
acceleration) against the session's moto server."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from botocore.exceptions import ClientError

from envctl.engine.properties import UNKNOWN
from envctl.providers.aws.context import AwsContext

from provider_steps import Made, Provisioner, failures, provider, unique

ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
CORS = "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
ACCELERATE = "aws:s3/bucketAccelerateConfiguration:BucketAccelerateConfiguration"
ACL = "aws:s3/bucketAcl:BucketAcl"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
NOTIFICATION = "aws:s3/bucketNotification:BucketNotification"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture
def s3(aws_ctx: AwsContext) -> Any:
    return aws_ctx.client("s3")


@pytest.fixture
def new_bucket(aws_ctx: AwsContext, s3: Any) -> Iterator[Callable[[], str]]:
    """Buckets made outside envctl, for the configurations; deleted with what they hold after the test."""
    made: list[str] = []

    def make() -> str:
        made.append(unique("conf"))
        s3.create_bucket(Bucket=made[-1])
        return made[-1]

    yield make
    for name in made:
        provider("aws:s3/bucket:Bucket").delete(aws_ctx, name, {"forceDestroy": True})


@pytest.fixture
def bucket(new_bucket: Callable[[], str]) -> str:
    return new_bucket()


def assert_read_no_op_and_replaced_for_another_bucket(provisioner: Provisioner, made: Made, other: str) -> None:
    """What every configuration shares: read answers what create did, the same program plans nothing, and
    another bucket is a new configuration."""
    assert provisioner.read(made) == made.outputs
    assert not provisioner.plan(made, {}).has_changes
    assert provisioner.plan(made, {"bucket": other}).replaces == ("bucket",)


def assert_removed(provisioner: Provisioner, made: Made, still_there: Callable[[], bool]) -> None:
    provisioner.assert_deleted(made)
    assert not still_there()


def present(call: Callable[[], Any], gone: str) -> bool:
    try:
        call()
    except ClientError as error:
        if error.response["Error"]["Code"] == gone:
            return False
        raise
    return True


# ---- default encryption ----------------------------------------------------------------------

def test_encryption_sets_the_default_encryption_then_changes_and_removes_it(
    provisioner: Provisioner, s3: Any, bucket: str, new_bucket: Callable[[], str]
) -> None:
    kms = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "alias/data"},
           "bucketKeyEnabled": True}
    made = provisioner.create(ENCRYPTION, "encryption", {"bucket": bucket, "rules": [kms]})
    [rule] = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/data"}
    assert rule["BucketKeyEnabled"] is True
    assert made.id == bucket and made.outputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == \
        "aws:kms"
    assert_read_no_op_and_replaced_for_another_bucket(provisioner, made, new_bucket())

    aes = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    made = provisioner.update(made, {"rules": [aes]})
    [rule] = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert_removed(provisioner, made, lambda: present(lambda: s3.get_bucket_encryption(Bucket=bucket),
                                                      "ServerSideEncryptionConfigurationNotFoundError"))


def test_encryption_refuses_blocked_encryption_types_which_the_local_cloud_does_not_enforce() -> None:
    rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}, "blockedEncryptionTypes": ["SSE-C"]}
    reason = failures(ENCRYPTION, bucket="b", rules=[rule])["rules"]
    assert "rules[0].blockedEncryptionTypes" in reason and "does not block encryption types" in reason


# ---- CORS ------------------------------------------------------------------------------------

def test_cors_sets_the_rules_then_changes_and_removes_them(
    provisioner: Provisioner, s3: Any, bucket: str, new_bucket: Callable[[], str]
) -> None:
    rule = {"allowedMethods": ["GET", "HEAD"], "allowedOrigins": ["https://example.com"], "allowedHeaders": ["*"],
            "exposeHeaders": ["ETag"], "maxAgeSeconds": 3000, "id": "site"}
    made = provisioner.create(CORS, "cors", {"bucket": bucket, "corsRules": [rule]})
    [cloud] = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert cloud["ID"] == "site" and cloud["AllowedMethods"] == ["GET", "HEAD"] and cloud["MaxAgeSeconds"] == 3000
    assert cloud["AllowedOrigins"] == ["https://example.com"] and cloud["ExposeHeaders"] == ["ETag"]
    assert made.outputs["corsRules"] == [rule]
    assert_read_no_op_and_replaced_for_another_bucket(provisioner, made, new_bucket())
    assert not provisioner.plan(made, {"corsRules": [{**rule, "allowedMethods": ["HEAD", "GET"]}]}).has_changes

    made = provisioner.update(made, {"corsRules": [{"allowedMethods": ["PUT"], "allowedOrigins": ["*"]}]})
    [cloud] = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert cloud["AllowedMethods"] == ["PUT"] and "ID" not in cloud
    assert_removed(provisioner, made, lambda: present(lambda: s3.get_bucket_cors(Bucket=bucket),
                                                      "NoSuchCORSConfiguration"))


# ---- lifecycle -------------------------------------------------------------------------------

LOG_RULE = {
    "id": "logs", "status": "Enabled", "filter": {"prefix": "logs/"},
    "expiration": {"days": 90},
    "transitions": [{"days": 30, "storageClass": "STANDARD_IA"}],
    "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
}


def test_lifecycle_sets_the_rules_then_changes_and_removes_them(
    provisioner: Provisioner, s3: Any, bucket: str, new_bucket: Callable[[], str]
) -> None:
    made = provisioner.create(LIFECYCLE, "lifecycle", {"bucket": bucket, "rules": [LOG_RULE]})
    [cloud] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert (cloud["ID"], cloud["Status"], cloud["Filter"]) == ("logs", "Enabled", {"Prefix": "logs/"})
    assert cloud["Expiration"] == {"Days": 90}
    assert cloud["Transitions"] == [{"Days": 30, "StorageClass": "STANDARD_IA"}]
    assert cloud["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert made.inputs["transitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    [rule] = made.outputs["rules"]
    assert rule["filter"]["prefix"] == "logs/" and rule["expiration"]["days"] == 90
    assert_read_no_op_and_replaced_for_another_bucket(provisioner, made, new_bucket())

    archive = {"id": "archive", "status": "Disabled",
               "filter": {"and": {"prefix": "archive/", "tags": {"keep": "no"}}},
               "expiration": {"date": "2030-01-01T00:00:00Z"},
               "noncurrentVersionExpiration": {"noncurrentDays": 14}}
    made = provisioner.update(made, {"rules": [archive]})
    [cloud] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert cloud["Filter"] == {"And": {"Prefix": "archive/", "Tags": [{"Key": "keep", "Value": "no"}]}}
    assert cloud["Status"] == "Disabled" and cloud["NoncurrentVersionExpiration"] == {"NoncurrentDays": 14}
    assert made.outputs["rules"][0]["expiration"]["date"] == "2030-01-01T00:00:00Z"
    assert made.outputs["rules"][0]["filter"]["and"]["tags"] == {"keep": "no"}
    assert_removed(provisioner, made, lambda: present(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket),
                                                      "NoSuchLifecycleConfiguration"))


def test_lifecycle_refuses_what_the_local_cloud_does_not_keep_and_dates_that_are_not_rfc3339() -> None:
    sized = {**LOG_RULE, "filter": {"objectSizeGreaterThan": 1024}}
    reason = failures(LIFECYCLE, bucket="b", rules=[sized])["rules"]
    assert "rules[0].filter.objectSizeGreaterThan" in reason and "object size" in reason
    reason = failures(LIFECYCLE, bucket="b", rules=[LOG_RULE],
                      transitionDefaultMinimumObjectSize="varies_by_storage_class")
    assert "all_storage_classes_128K" in reason["transitionDefaultMinimumObjectSize"]
    assert "at least one lifecycle rule" in failures(LIFECYCLE, bucket="b", rules=[])["rules"]
    dated = {**LOG_RULE, "expiration": {"date": "2030-01-01"}}
    assert "RFC 3339" in failures(LIFECYCLE, bucket="b", rules=[dated])["rules"]


# ---- ownership controls ----------------------------------------------------------------------

def test_ownership_controls_set_change_and_remove_the_object_ownership(
    provisioner: Provisioner, s3: Any, bucket: str, new_bucket: Callable[[], str]
) -> None:
    made = provisioner.create(OWNERSHIP, "ownership", {"bucket": bucket, "rule": {"objectOwnership": "ObjectWriter"}})

    def ownership() -> str:
        return s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"][0]["ObjectOwnership"]

    assert ownership() == "ObjectWriter" and made.outputs["rule"] == {"objectOwnership": "ObjectWriter"}
    assert_read_no_op_and_replaced_for_another_bucket(provisioner, made, new_bucket())
    made = provisioner.update(made, {"rule": {"objectOwnership": "BucketOwnerEnforced"}})
    assert ownership() == "BucketOwnerEnforced"
    assert "must be one of" in failures(OWNERSHIP, bucket="b", rule={"objectOwnership": "Anyone"})["rule"]
    assert_removed(provisioner, made, lambda: present(ownership, "OwnershipControlsNotFoundError"))


# ---- acceleration ----------------------------------------------------------------------------

def test_accelerate_enables_then_suspends_transfer_acceleration(
    provisioner: Provisioner, s3: Any, bucket: str, new_bucket: Callable[[], str]
) -> None:
    made = provisioner.create(ACCELERATE, "accelerate", {"bucket": bucket, "status": "Enabled"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    assert_read_no_op_and_replaced_for_another_bucket(provisioner, made, new_bucket())
    made = provisioner.update(made, {"status": "Suspended"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Suspended"
    made = provisioner.update(made, {"status": "Enabled"})
    provider(ACCELERATE).delete(provisioner.ctx, made.id, made.outputs)  # S3 can only suspend it
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Suspended"
    assert "must be one of" in failures(ACCELERATE, bucket="b", status="On")["status"]


# ---- ACL -------------------------------------------------------------------------------------

def grants_of(s3: Any, bucket: str) -> set[tuple[str, str]]:
    return {(g["Grantee"].get("URI") or g["Grantee"].get("ID"), g["Permission"])
            for g in s3.get_bucket_acl(Bucket=bucket)["Grants"]}


def test_acl_sets_a_canned_acl_then_a_whole_policy_and_delete_leaves_it_as_pulumi_aws_does(
    provisioner: Provisioner, s3: Any, bucket: str, new_bucket: Callable[[], str]
) -> None:
    made = provisioner.create(ACL, "acl", {"bucket": bucket, "acl": "public-read"})
    assert made.id == f"{bucket},public-read"  # Terraform's id
    assert (ALL_USERS, "READ") in grants_of(s3, bucket)
    owner = s3.get_bucket_acl(Bucket=bucket)["Owner"]["ID"]
    assert made.outputs["accessControlPolicy"]["owner"]["id"] == owner
    assert_read_no_op_and_replaced_for_another_bucket(provisioner, made, new_bucket())
    assert provider(ACL).read(provisioner.ctx, made.id, {})["acl"] == "public-read"  # an import, by Terraform's id

    policy = {"owner": {"id": owner}, "grants": [
        {"grantee": {"type": "CanonicalUser", "id": owner}, "permission": "FULL_CONTROL"},
        {"grantee": {"type": "Group", "uri": LOG_DELIVERY}, "permission": "WRITE"},
    ]}
    made = provisioner.update(made, {"acl": None, "accessControlPolicy": policy})
    reordered = {**policy, "grants": policy["grants"][::-1]}
    assert not provisioner.plan(made, {"accessControlPolicy": reordered}).has_changes
    assert grants_of(s3, bucket) == {(owner, "FULL_CONTROL"), (LOG_DELIVERY, "WRITE")}
    assert made.id == f"{bucket},public-read"  # an update keeps the id
    provider(ACL).delete(provisioner.ctx, made.id, made.outputs)  # an ACL stays: S3 cannot take it off
    assert (LOG_DELIVERY, "WRITE") in grants_of(s3, bucket)
    assert "exactly one" in failures(ACL, bucket="b")["acl"]
    assert "must be one of" in failures(ACL, bucket="b", acl="everyone")["acl"]


# ---- logging ---------------------------------------------------------------------------------

def test_logging_sends_access_logs_to_a_bucket_then_changes_and_stops(
    provisioner: Provisioner, s3: Any, bucket: str, new_bucket: Callable[[], str]
) -> None:
    logs = new_bucket()
    s3.put_bucket_acl(Bucket=logs, ACL="log-delivery-write")  # S3 writes logs only where it may
    made = provisioner.create(LOGGING, "logging", {"bucket": bucket, "targetBucket": logs, "targetPrefix": "access/"})
    enabled = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
    assert (enabled["TargetBucket"], enabled["TargetPrefix"]) == (logs, "access/")
    assert_read_no_op_and_replaced_for_another_bucket(provisioner, made, new_bucket())
    made = provisioner.update(made, {"targetPrefix": "other/"})
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]["TargetPrefix"] == "other/"
    assert_removed(provisioner, made, lambda: "LoggingEnabled" in s3.get_bucket_logging(Bucket=bucket))
    partitioned = {"partitionedPrefix": {"partitionDateSource": "EventTime"}}
    reason = failures(LOGGING, bucket="b", targetBucket="l", targetPrefix="p", targetObjectKeyFormat=partitioned)
    assert "simple prefix" in reason["targetObjectKeyFormat"]


def test_logging_to_a_bucket_s3_may_not_write_to_fails_as_in_aws(
    provisioner: Provisioner, bucket: str, new_bucket: Callable[[], str]
) -> None:
    with pytest.raises(ClientError) as raised:
        provisioner.create(LOGGING, "logging", {"bucket": bucket, "targetBucket": new_bucket(), "targetPrefix": "a/"})
    assert raised.value.response["Error"]["Code"] == "InvalidTargetBucketForLogging"


# ---- notifications ---------------------------------------------------------------------------

def test_notification_sends_new_objects_to_a_queue_then_changes_and_stops(
    provisioner: Provisioner, aws_ctx: AwsContext, s3: Any, bucket: str, new_bucket: Callable[[], str]
) -> None:
    sqs, sns, topic_arn = aws_ctx.client("sqs"), aws_ctx.client("sns"), ""
    url = sqs.create_queue(QueueName=unique("uploads"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    try:
        queue = {"queueArn": arn, "events": ["s3:ObjectCreated:Put", "s3:ObjectCreated:Copy"],
                 "filterPrefix": "uploads/", "filterSuffix": ".csv"}
        made = provisioner.create(NOTIFICATION, "notification", {"bucket": bucket, "queues": [queue]})
        [cloud] = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
        assert cloud["QueueArn"] == arn and cloud["Id"].startswith("tf-s3-queue-")
        assert {r["Name"].lower(): r["Value"] for r in cloud["Filter"]["Key"]["FilterRules"]} == \
            {"prefix": "uploads/", "suffix": ".csv"}
        assert made.outputs["queues"][0]["id"] == cloud["Id"]
        assert_read_no_op_and_replaced_for_another_bucket(provisioner, made, new_bucket())
        assert not provisioner.plan(made, {"queues": [{**queue, "events": queue["events"][::-1]}]}).has_changes

        s3.put_object(Bucket=bucket, Key="uploads/day.csv", Body=b"a,b")
        bodies = [json.loads(m["Body"]) for m in
                  sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]]
        keys = [unquote(record["s3"]["object"]["key"]) for body in bodies for record in body.get("Records", ())]
        assert keys == ["uploads/day.csv"]  # besides the test event S3 sends when it is configured

        topic_arn = sns.create_topic(Name=unique("uploads"))["TopicArn"]
        made = provisioner.update(made, {"queues": None, "topics": [{"topicArn": topic_arn,
                                                                      "events": ["s3:ObjectRemoved:*"]}]})
        answer = s3.get_bucket_notification_configuration(Bucket=bucket)
        assert [t["TopicArn"] for t in answer["TopicConfigurations"]] == [topic_arn]
        assert not answer.get("QueueConfigurations")
        assert_removed(provisioner, made, lambda: bool(
            s3.get_bucket_notification_configuration(Bucket=bucket).get("TopicConfigurations")))
        assert "EventBridge" in failures(NOTIFICATION, bucket="b", eventbridge=True)["eventbridge"]
    finally:
        sqs.delete_queue(QueueUrl=url)
        if topic_arn:
            sns.delete_topic(TopicArn=topic_arn)


def test_configurations_of_a_bucket_that_is_gone_read_as_gone(aws_ctx: AwsContext) -> None:
    for token in (ENCRYPTION, CORS, LIFECYCLE, OWNERSHIP, ACCELERATE, LOGGING, NOTIFICATION):
        assert provider(token).read(aws_ctx, "no-such-bucket-here", {}) is None, token
        provider(token).delete(aws_ctx, "no-such-bucket-here", {})


def test_expected_bucket_owner_is_refused_where_pulumi_aws_has_it() -> None:
    for token in (ENCRYPTION, CORS, LIFECYCLE, ACCELERATE, ACL, LOGGING):
        assert "owner" in failures(token, bucket="b", expectedBucketOwner="111111111111")["expectedBucketOwner"]


@pytest.mark.parametrize("token, inputs", [
    (ENCRYPTION, {"rules": UNKNOWN}),
    (ENCRYPTION, {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": UNKNOWN}}]}),
    (CORS, {"corsRules": [{"allowedMethods": ["GET"], "allowedOrigins": UNKNOWN}]}),
    (LIFECYCLE, {"rules": UNKNOWN}),
    (LIFECYCLE, {"rules": [{**LOG_RULE, "expiration": {"days": UNKNOWN}}]}),
    (OWNERSHIP, {"rule": {"objectOwnership": UNKNOWN}}),
    (ACCELERATE, {"status": UNKNOWN}),
    (ACL, {"acl": UNKNOWN}),
    (LOGGING, {"targetBucket": UNKNOWN, "targetPrefix": "logs/"}),
    (NOTIFICATION, {"queues": [{"queueArn": UNKNOWN, "events": ["s3:ObjectCreated:*"]}]}),
])
def test_a_preview_checks_inputs_that_are_not_known_yet(token: str, inputs: dict[str, Any]) -> None:
    assert failures(token, bucket=UNKNOWN, **inputs) == {}


def test_the_older_names_pulumi_aws_7_keeps_are_the_same_types() -> None:
    for old, token in {"aws:s3/bucketAclV2:BucketAclV2": ACL,
                       "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2": CORS,
                       "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": LIFECYCLE,
                       "aws:s3/bucketLoggingV2:BucketLoggingV2": LOGGING,
                       "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2":
                           ENCRYPTION,
                       "aws:s3/bucketAccelerateConfigurationV2:BucketAccelerateConfigurationV2": ACCELERATE}.items():
        assert provider(old) is provider(token), old
