"""One module per AWS service, one class per resource type; importing them registers them."""

from envctl.engine.aws.services import (  # noqa: F401
    cloudwatch,
    dynamodb,
    ec2,
    iam,
    invokes,
    s3,
    sqs,
    ssm,
)
