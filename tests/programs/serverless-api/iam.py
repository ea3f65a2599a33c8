"""The function's execution role: basic logging, and read/write on the hit counter table only."""

import json

import pulumi_aws as aws


def lambda_role(table: aws.dynamodb.Table) -> aws.iam.Role:
    role = aws.iam.Role(
        "lambdaRole",
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Effect": "Allow",
                        "Sid": "",
                    }
                ],
            }
        ),
    )
    aws.iam.RolePolicyAttachment(
        "lambdaRoleLogs",
        role=role.name,
        policy_arn=aws.iam.ManagedPolicy.AWS_LAMBDA_BASIC_EXECUTION_ROLE,
    )
    table_access = aws.iam.get_policy_document_output(
        statements=[
            {
                "effect": "Allow",
                "actions": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                "resources": [table.arn],
            }
        ]
    )
    aws.iam.RolePolicy("lambdaRoleTable", role=role.id, policy=table_access.json)
    return role
