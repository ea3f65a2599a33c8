"""Workload resources live in their own account: an explicit provider assumes the deployment role there, while
the default provider records where they are in the management account."""

import pulumi_aws as aws
from pulumi import Config, InvokeOptions, ResourceOptions, export

config = Config()
role_to_assume_arn = config.require("roleToAssumeARN")
aws_config = Config("aws")

provider = aws.Provider(
    "privileged",
    assume_roles=[
        aws.ProviderAssumeRoleArgs(
            role_arn=role_to_assume_arn,
            # session name can contain only the following special characters =,.@-
            session_name="PulumiSession",
            external_id="PulumiApplication",
        )
    ],
    region=aws_config.require("region"),
)
workload = ResourceOptions(provider=provider)

bucket = aws.s3.Bucket("my-bucket", force_destroy=True, opts=workload)

jobs = aws.sqs.Queue(
    "jobs",
    message_retention_seconds=config.require_int("messageRetentionDays") * 24 * 3600,
    opts=workload,
)

workload_account = aws.get_caller_identity_output(opts=InvokeOptions(provider=provider))

# The management account keeps a pointer to the workload's queue.
aws.ssm.Parameter(
    "jobs-queue-pointer",
    type="String",
    value=jobs.url,
    description="Queue of the workload account's jobs",
)

export("bucket_name", bucket.bucket)
export("queue_url", jobs.url)
export("workload_account_id", workload_account.account_id)
