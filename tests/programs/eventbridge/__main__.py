"""EventBridge: a custom bus whose rule sends large orders to an SQS queue, and a scheduled rule on the default
bus that runs a cleanup function."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()

# ---- order events on a bus of their own, large orders queued for review ----

bus = aws.cloudwatch.EventBus("orders")

large_orders = aws.cloudwatch.EventRule(
    "large-orders",
    event_bus_name=bus.name,
    description="Orders over 1000 need a manual review",
    event_pattern=json.dumps(
        {
            "source": ["shop.orders"],
            "detail-type": ["OrderPlaced"],
            "detail": {"total": [{"numeric": [">", 1000]}]},
        }
    ),
)

# The queue's policy names the queue's own ARN, so the name is chosen here rather than generated.
review_queue_name = f"{pulumi.get_project()}-{pulumi.get_stack()}-large-orders"
identity = aws.get_caller_identity()
region = aws.get_region()
events_may_send = aws.iam.get_policy_document_output(
    statements=[
        {
            "effect": "Allow",
            "principals": [{"type": "Service", "identifiers": ["events.amazonaws.com"]}],
            "actions": ["sqs:SendMessage"],
            "resources": [f"arn:aws:sqs:{region.region}:{identity.account_id}:{review_queue_name}"],
            "conditions": [{"test": "ArnEquals", "variable": "aws:SourceArn", "values": [large_orders.arn]}],
        }
    ]
)
review_queue = aws.sqs.Queue("large-orders", name=review_queue_name, policy=events_may_send.json)

aws.cloudwatch.EventTarget(
    "large-orders-to-queue",
    rule=large_orders.name,
    event_bus_name=bus.name,
    arn=review_queue.arn,
)

# ---- a scheduled cleanup on the default bus ----

cleanup_role = aws.iam.Role(
    "cleanup-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)

cleanup = aws.lambda_.Function(
    "cleanup",
    role=cleanup_role.arn,
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive(
        {"index.py": pulumi.StringAsset("def handler(event, context):\n    return {'cleaned': 0}\n")}
    ),
)

schedule = aws.cloudwatch.EventRule(
    "nightly-cleanup",
    schedule_expression=config.get("cleanupSchedule") or "rate(1 day)",
)

aws.cloudwatch.EventTarget("nightly-cleanup-target", rule=schedule.name, arn=cleanup.arn)

aws.lambda_.Permission(
    "events-invoke-cleanup",
    action="lambda:InvokeFunction",
    function=cleanup.name,
    principal="events.amazonaws.com",
    source_arn=schedule.arn,
)

pulumi.export("bus_name", bus.name)
pulumi.export("queue_url", review_queue.url)
pulumi.export("schedule_rule", schedule.name)
pulumi.export("function_name", cleanup.name)
