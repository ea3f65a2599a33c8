"""Fan-out: an SNS topic of order events, one SQS queue per consumer subscribed to it, and a shared
dead-letter queue for messages a consumer keeps failing on."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
consumers = config.require_object("consumers")
prefix = f"{pulumi.get_project()}-{pulumi.get_stack()}"

partition = aws.get_partition().partition
region = aws.get_region().region
account_id = aws.get_caller_identity().account_id

orders = aws.sns.Topic("orders", display_name="Order events")

dead_letters = aws.sqs.Queue("dead-letters", message_retention_seconds=1209600)

for consumer in consumers:
    name = f"{prefix}-{consumer}"
    queue_arn = f"arn:{partition}:sqs:{region}:{account_id}:{name}"
    # Only this topic may send to the queue.
    send_from_topic = aws.iam.get_policy_document_output(
        statements=[
            {
                "effect": "Allow",
                "principals": [{"type": "Service", "identifiers": ["sns.amazonaws.com"]}],
                "actions": ["sqs:SendMessage"],
                "resources": [queue_arn],
                "conditions": [{"test": "ArnEquals", "variable": "aws:SourceArn", "values": [orders.arn]}],
            }
        ]
    )
    queue = aws.sqs.Queue(
        consumer,
        name=name,
        visibility_timeout_seconds=60,
        redrive_policy=dead_letters.arn.apply(
            lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})
        ),
        policy=send_from_topic.json,
    )
    aws.sns.TopicSubscription(
        f"{consumer}-orders",
        topic=orders.arn,
        protocol="sqs",
        endpoint=queue.arn,
        raw_message_delivery=True,
    )
    pulumi.export(f"{consumer}_queue_url", queue.url)

pulumi.export("topic_arn", orders.arn)
pulumi.export("dead_letter_queue_url", dead_letters.url)
