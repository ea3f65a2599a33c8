"""A CI user with an access key, in a deployers group, allowed to assume a role that manages S3."""

import json

import pulumi_aws as aws
from pulumi import Config, ResourceOptions, export


def assume_role_policy_for_principal(principal):
    """A policy document that lets `principal` assume the role (sts:AssumeRole)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "AllowAssumeRole", "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
            ],
        }
    )


config = Config()
username = config.require("username")

ci_user = aws.iam.User("ci-user", name=username, path="/ci/", tags={"purpose": "continuous-delivery"})

ci_user_key = aws.iam.AccessKey(
    "ci-user-key",
    user=ci_user.name,
    status=config.get("keyStatus") or "Active",
    # additional_secret_outputs marks properties that must be encrypted as secrets.
    opts=ResourceOptions(additional_secret_outputs=["secret"]),
)

deployers = aws.iam.Group("deployers", path="/ci/")

aws.iam.GroupMembership("deployers-members", group=deployers.name, users=[ci_user.name])

assume_any_deployer_role = aws.iam.Policy(
    "assume-deployer-roles",
    description="Assume the roles deployments run as",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/deploy-*"}],
        }
    ),
)

aws.iam.GroupPolicyAttachment("deployers-assume", group=deployers.name, policy_arn=assume_any_deployer_role.arn)

allow_s3_management_role = aws.iam.Role(
    "allow-s3-management",
    name_prefix="deploy-s3-",
    description="Allow management of S3 buckets",
    assume_role_policy=ci_user.arn.apply(lambda arn: assume_role_policy_for_principal({"AWS": arn})),
)

aws.iam.RolePolicy(
    "allow-s3-management-policy",
    role=allow_s3_management_role,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "AllowS3Management", "Effect": "Allow", "Resource": "*", "Action": "s3:*"}],
        }
    ),
    opts=ResourceOptions(parent=allow_s3_management_role),
)

export("user", ci_user)
export("groupName", deployers.name)
export("roleArn", allow_s3_management_role.arn)
export("accessKeyId", ci_user_key.id)
export("secretAccessKey", ci_user_key.secret)
