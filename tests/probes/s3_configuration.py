"""Probes of the bucket configurations, the queue and topic policies and DynamoDB items."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from probing import NO_BUCKET, SQS_GONE, Probe, present

Client = Callable[[str], Any]


def bucket_configuration(getter: str, *gone: str) -> Probe:
    """Whether S3 answers the bucket's configuration (a bucket that is gone has none)."""
    return lambda c, id, o: present(lambda: getattr(c("s3"), getter)(Bucket=o["bucket"]), *NO_BUCKET, *gone)


def answered(getter: str, found: Callable[[dict[str, Any]], bool]) -> Probe:
    """Whether S3's answer for the bucket shows the configuration (S3 answers these even when there is none)."""
    def probe(c: Client, id: str, o: dict[str, Any]) -> bool:
        try:
            return found(getattr(c("s3"), getter)(Bucket=o["bucket"]))
        except c("s3").exceptions.NoSuchBucket:
            return False
    return probe


def queue_attribute(name: str) -> Probe:
    def probe(c: Client, id: str, o: dict[str, Any]) -> bool:
        try:
            return name in c("sqs").get_queue_attributes(QueueUrl=o["queueUrl"], AttributeNames=["All"])["Attributes"]
        except c("sqs").exceptions.ClientError as error:
            if error.response["Error"]["Code"] in SQS_GONE:
                return False
            raise
    return probe


def custom_topic_policy(c: Client, id: str, o: dict[str, Any]) -> bool:
    """Whether the topic has a policy other than the one SNS gives every topic."""
    try:
        policy = c("sns").get_topic_attributes(TopicArn=o["arn"])["Attributes"].get("Policy")
    except c("sns").exceptions.NotFoundException:
        return False
    return bool(policy) and json.loads(policy).get("Id") != "__default_policy_ID"


def table_item(c: Client, id: str, o: dict[str, Any]) -> bool:
    item = json.loads(o["item"])
    keys = [o["hashKey"], *([o["rangeKey"]] if o.get("rangeKey") else [])]
    try:
        answer = c("dynamodb").get_item(TableName=o["tableName"], Key={key: item[key] for key in keys})
    except c("dynamodb").exceptions.ResourceNotFoundException:
        return False
    return "Item" in answer


PROBES: dict[str, Probe] = {
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": bucket_configuration(
        "get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError"),
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": bucket_configuration(
        "get_bucket_cors", "NoSuchCORSConfiguration"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": bucket_configuration(
        "get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": bucket_configuration(
        "get_bucket_ownership_controls", "OwnershipControlsNotFoundError"),
    # An ACL cannot be taken off a bucket; it is there as long as its bucket is.
    "aws:s3/bucketAcl:BucketAcl": bucket_configuration("get_bucket_acl"),
    "aws:s3/bucketAccelerateConfiguration:BucketAccelerateConfiguration": answered(
        "get_bucket_accelerate_configuration", lambda answer: answer.get("Status") == "Enabled"),
    "aws:s3/bucketLogging:BucketLogging": answered("get_bucket_logging", lambda answer: "LoggingEnabled" in answer),
    "aws:s3/bucketNotification:BucketNotification": answered(
        "get_bucket_notification_configuration",
        lambda answer: any(answer.get(key) for key in ("QueueConfigurations", "TopicConfigurations",
                                                        "LambdaFunctionConfigurations"))),
    "aws:sqs/queuePolicy:QueuePolicy": queue_attribute("Policy"),
    "aws:sqs/redrivePolicy:RedrivePolicy": queue_attribute("RedrivePolicy"),
    "aws:sns/topicPolicy:TopicPolicy": custom_topic_policy,
    "aws:dynamodb/tableItem:TableItem": table_item,
}
PROBES["aws:s3/bucketObjectv2:BucketObjectv2"] = lambda c, id, o: present(
    lambda: c("s3").head_object(Bucket=o["bucket"], Key=o["key"]), *NO_BUCKET, "NoSuchKey")
# The older names pulumi-aws 7 still has for some of these types: the same resources.
for _v2, _token in {
    "aws:s3/bucketAclV2:BucketAclV2": "aws:s3/bucketAcl:BucketAcl",
    "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2":
        "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLoggingV2:BucketLoggingV2": "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2":
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketAccelerateConfigurationV2:BucketAccelerateConfigurationV2":
        "aws:s3/bucketAccelerateConfiguration:BucketAccelerateConfiguration",
}.items():
    PROBES[_v2] = PROBES[_token]
PROBES["aws:s3/bucketV2:BucketV2"] = lambda c, id, o: present(lambda: c("s3").head_bucket(Bucket=id), *NO_BUCKET)
PROBES["aws:s3/bucketVersioningV2:BucketVersioningV2"] = answered(
    "get_bucket_versioning", lambda answer: answer.get("Status") == "Enabled")
