"""An operations team in IAM: a group whose inline policy lets members manage their own credentials, a user in
it with a generated console password (to be changed at first sign-in), a user policy for the on-call tooling,
and AWS's read-only policy attached to the whole team."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
username = config.require("username")
reset_password = config.get_bool("resetPassword")

ops = aws.iam.Group("ops", path="/teams/")

aws.iam.GroupPolicy(
    "ops-self-service",
    group=ops.name,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["iam:ChangePassword", "iam:CreateAccessKey", "iam:ListAccessKeys"],
                    "Resource": "arn:aws:iam::*:user/${aws:username}",
                }
            ],
        }
    ),
)

alice = aws.iam.User("alice", name=username, path="/teams/", force_destroy=True)

aws.iam.UserGroupMembership("alice-ops", user=alice.name, groups=[ops.name])

aws.iam.UserPolicy(
    "alice-on-call",
    user=alice.name,
    name="on-call",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["ssm:StartSession"], "Resource": "*"}],
        }
    ),
)

console = aws.iam.UserLoginProfile(
    "alice-console",
    user=alice.name,
    password_length=24,
    password_reset_required=reset_password,
    # A user has one login profile: a new one can only come once the old one is gone.
    opts=pulumi.ResourceOptions(delete_before_replace=True),
)

aws.iam.PolicyAttachment(
    "team-read-only",
    policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess",
    groups=[ops.name],
)

pulumi.export("username", alice.name)
pulumi.export("group", ops.name)
pulumi.export("initial_password", console.password)
