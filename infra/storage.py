"""Data the service keeps: a private versioned bucket, a DynamoDB table, and a work queue with a dead-letter queue."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

BILLING_MODES = ("PAY_PER_REQUEST", "PROVISIONED")
# SQS's maximum: a message's age counts from its first enqueue, so the DLQ must outlive the work queue.
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600


@dataclass(frozen=True)
class StorageArgs:
    versioning: bool
    force_destroy: bool
    billing_mode: str
    read_capacity: int
    write_capacity: int
    point_in_time_recovery: bool
    visibility_timeout_seconds: int
    message_retention_seconds: int
    max_receive_count: int


class Storage(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: StorageArgs, tags: dict[str, str], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("envctl:reference:Storage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        bucket = aws.s3.Bucket(f"{name}-bucket", force_destroy=args.force_destroy, tags=tags, opts=child)
        aws.s3.BucketVersioning(
            f"{name}-bucket-versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled" if args.versioning else "Suspended"
            ),
            opts=child,
        )
        aws.s3.BucketPublicAccessBlock(
            f"{name}-bucket-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )

        provisioned = args.billing_mode == "PROVISIONED"
        table = aws.dynamodb.Table(
            f"{name}-table",
            attributes=[
                aws.dynamodb.TableAttributeArgs(name="pk", type="S"),
                aws.dynamodb.TableAttributeArgs(name="sk", type="S"),
            ],
            hash_key="pk",
            range_key="sk",
            billing_mode=args.billing_mode,
            read_capacity=args.read_capacity if provisioned else None,
            write_capacity=args.write_capacity if provisioned else None,
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=args.point_in_time_recovery),
            ttl=aws.dynamodb.TableTtlArgs(attribute_name="expiresAt", enabled=True),
            tags=tags,
            opts=child,
        )

        dead_letters = aws.sqs.Queue(
            f"{name}-dlq", message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS, tags=tags, opts=child
        )
        queue = aws.sqs.Queue(
            f"{name}-queue",
            visibility_timeout_seconds=args.visibility_timeout_seconds,
            message_retention_seconds=args.message_retention_seconds,
            redrive_policy=dead_letters.arn.apply(
                lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": args.max_receive_count})
            ),
            tags=tags,
            opts=child,
        )

        self.bucket_name: pulumi.Output[str] = bucket.bucket
        self.bucket_arn: pulumi.Output[str] = bucket.arn
        self.table_name: pulumi.Output[str] = table.name
        self.queue_url: pulumi.Output[str] = queue.url
        self.dlq_url: pulumi.Output[str] = dead_letters.url
        self.register_outputs(
            {
                "bucketName": self.bucket_name,
                "bucketArn": self.bucket_arn,
                "tableName": self.table_name,
                "queueUrl": self.queue_url,
                "dlqUrl": self.dlq_url,
            }
        )
