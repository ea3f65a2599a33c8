"""Roles for the function (write its logs) and for the state machine (invoke functions)."""

import json

from pulumi_aws import config, iam


def assume_role_policy(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )


lambda_role = iam.Role("lambdaRole", assume_role_policy=assume_role_policy("lambda.amazonaws.com"))

lambda_role_policy = iam.RolePolicy(
    "lambdaRolePolicy",
    role=lambda_role.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": "arn:aws:logs:*:*:*",
                }
            ],
        }
    ),
)

sfn_role = iam.Role("sfnRole", assume_role_policy=assume_role_policy(f"states.{config.region}.amazonaws.com"))

sfn_role_policy = iam.RolePolicy(
    "sfnRolePolicy",
    role=sfn_role.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": "*"}],
        }
    ),
)
