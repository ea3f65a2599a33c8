"""What the service runs as and reports to: its ECS task role, its log group and its runtime settings."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

LOGS_READ_POLICY_ARN = "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess"


@dataclass(frozen=True)
class ServiceArgs:
    log_retention_days: int
    log_level: str
    parameter_prefix: str


def task_assume_role_policy(account_id: str, region: str) -> str:
    """Let ECS tasks assume the role, but only on behalf of this account and region (confused-deputy guard)."""
    document = aws.iam.get_policy_document(
        statements=[
            aws.iam.GetPolicyDocumentStatementArgs(
                actions=["sts:AssumeRole"],
                principals=[
                    aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                        type="Service", identifiers=["ecs-tasks.amazonaws.com"]
                    )
                ],
                conditions=[
                    aws.iam.GetPolicyDocumentStatementConditionArgs(
                        test="StringEquals", variable="aws:SourceAccount", values=[account_id]
                    ),
                    aws.iam.GetPolicyDocumentStatementConditionArgs(
                        test="ArnLike", variable="aws:SourceArn", values=[f"arn:aws:ecs:{region}:{account_id}:*"]
                    ),
                ],
            )
        ]
    )
    return document.json


class Service(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        args: ServiceArgs,
        tags: dict[str, str],
        account_id: str,
        region: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("envctl:reference:Service", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        role = aws.iam.Role(
            f"{name}-task-role",
            assume_role_policy=task_assume_role_policy(account_id, region),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-task-logs-read", role=role.name, policy_arn=LOGS_READ_POLICY_ARN, opts=child
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", retention_in_days=args.log_retention_days, tags=tags, opts=child
        )
        parameter = aws.ssm.Parameter(
            f"{name}-log-level",
            name=f"{args.parameter_prefix}/log-level",
            type="String",
            # Not a secret: `value` would be redacted everywhere, hiding it from snapshot diffs.
            insecure_value=args.log_level,
            description="Log level the service reads at start-up",
            tags=tags,
            opts=child,
        )

        self.role_arn: pulumi.Output[str] = role.arn
        self.log_group_name: pulumi.Output[str] = log_group.name
        self.parameter_name: pulumi.Output[str] = parameter.name
        self.register_outputs(
            {"roleArn": self.role_arn, "logGroupName": self.log_group_name, "parameterName": self.parameter_name}
        )
