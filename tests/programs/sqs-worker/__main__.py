"""An SQS-triggered worker: jobs land on a queue (with a dead-letter queue for poison messages), a Lambda
function that imports its helpers from a layer processes them in batches, and the trigger points at the
function's `live` alias so that a new version only takes traffic once the alias moves."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
batch_size = config.get_int("batchSize") or 10

dead_letters = aws.sqs.Queue("jobs-dead-letters", message_retention_seconds=14 * 24 * 3600)

jobs = aws.sqs.Queue(
    "jobs",
    visibility_timeout_seconds=180,  # at least six times the function's timeout, as AWS recommends
    redrive_policy=dead_letters.arn.apply(
        lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 3})
    ),
)

worker_role = aws.iam.Role(
    "worker-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
    managed_policy_arns=["arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"],
)

receipts_layer = aws.lambda_.LayerVersion(
    "receipts-layer",
    layer_name="receipts",
    code=pulumi.FileArchive("./layer"),
    compatible_runtimes=["python3.12"],
    description="Shared job parsing helpers",
)

worker = aws.lambda_.Function(
    "worker",
    role=worker_role.arn,
    runtime="python3.12",
    handler="worker.handler",
    code=pulumi.AssetArchive({".": pulumi.FileArchive("./app")}),
    layers=[receipts_layer.arn],
    timeout=30,
    publish=True,
)

live = aws.lambda_.Alias("live", name="live", function_name=worker.name, function_version=worker.version)

aws.lambda_.EventSourceMapping(
    "jobs-trigger",
    event_source_arn=jobs.arn,
    function_name=live.arn,
    batch_size=batch_size,
    maximum_batching_window_in_seconds=5,
    function_response_types=["ReportBatchItemFailures"],
)

pulumi.export("queue_url", jobs.url)
pulumi.export("dead_letter_queue_url", dead_letters.url)
pulumi.export("function_name", worker.name)
pulumi.export("layer_arn", receipts_layer.arn)
pulumi.export("alias_arn", live.arn)
