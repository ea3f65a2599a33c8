"""An upload pipeline: files put under incoming/ in the uploads bucket are queued in SQS for a worker, messages a
worker keeps failing on go to a dead-letter queue, and deletions are announced on an SNS topic. The queue and the
topic let only this bucket send to them; the pipeline's settings are kept as an item of a DynamoDB table."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
max_receive_count = config.get_int("maxReceiveCount") or 3
upload_suffix = config.get("uploadSuffix") or ""

uploads = aws.s3.Bucket("uploads", force_destroy=True)

aws.s3.BucketPublicAccessBlock(
    "uploads-public-access",
    bucket=uploads.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)

dead_letters = aws.sqs.Queue("uploads-dlq", message_retention_seconds=1209600)
work = aws.sqs.Queue("uploads-work", visibility_timeout_seconds=120)

aws.sqs.RedrivePolicy(
    "uploads-work-redrive",
    queue_url=work.id,
    redrive_policy=dead_letters.arn.apply(
        lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": max_receive_count})
    ),
)


def allow_from_bucket(service_action: str, resource_arn, bucket_arn) -> pulumi.Output:
    return aws.iam.get_policy_document_output(
        statements=[
            {
                "effect": "Allow",
                "principals": [{"type": "Service", "identifiers": ["s3.amazonaws.com"]}],
                "actions": [service_action],
                "resources": [resource_arn],
                "conditions": [{"test": "ArnEquals", "variable": "aws:SourceArn", "values": [bucket_arn]}],
            }
        ]
    ).json


queue_policy = aws.sqs.QueuePolicy(
    "uploads-work-policy",
    queue_url=work.id,
    policy=allow_from_bucket("sqs:SendMessage", work.arn, uploads.arn),
)

deletions = aws.sns.Topic("upload-deletions")

topic_policy = aws.sns.TopicPolicy(
    "upload-deletions-policy",
    arn=deletions.arn,
    policy=allow_from_bucket("SNS:Publish", deletions.arn, uploads.arn),
)

aws.s3.BucketNotification(
    "uploads-notification",
    bucket=uploads.id,
    queues=[
        {
            "queue_arn": work.arn,
            "events": ["s3:ObjectCreated:*"],
            "filter_prefix": "incoming/",
            "filter_suffix": upload_suffix,
        }
    ],
    topics=[{"topic_arn": deletions.arn, "events": ["s3:ObjectRemoved:*"]}],
    opts=pulumi.ResourceOptions(depends_on=[queue_policy, topic_policy]),
)

settings = aws.dynamodb.Table(
    "pipeline-settings",
    hash_key="pipeline",
    billing_mode="PAY_PER_REQUEST",
    attributes=[{"name": "pipeline", "type": "S"}],
)

aws.dynamodb.TableItem(
    "uploads-settings",
    table_name=settings.name,
    hash_key=settings.hash_key,
    item=pulumi.Output.all(uploads.id, work.url).apply(
        lambda args: json.dumps(
            {
                "pipeline": {"S": "uploads"},
                "bucket": {"S": args[0]},
                "queueUrl": {"S": args[1]},
                "suffix": {"S": upload_suffix},
            }
        )
    ),
)

pulumi.export("bucket", uploads.id)
pulumi.export("work_queue_url", work.url)
pulumi.export("dead_letter_queue_url", dead_letters.url)
pulumi.export("deletions_topic_arn", deletions.arn)
pulumi.export("settings_table", settings.name)
