"""GitHub Actions deploys without long-lived keys: an OpenID Connect provider for GitHub's token issuer and a
role that only workflows of one repository and branch may assume, allowed to read the account and to sync
the site bucket."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
repository = config.require("repository")
branch = config.get("branch") or "main"
issuer = "token.actions.githubusercontent.com"

github = aws.iam.OpenIdConnectProvider(
    "github",
    url=f"https://{issuer}",
    client_id_lists=["sts.amazonaws.com"],
    thumbprint_lists=["6938fd4d98bab03faadb97b34396831e3780aea1"],
    tags={"purpose": "github-actions"},
)

site = aws.s3.Bucket("site", force_destroy=True)

read_only = aws.iam.get_policy(name="ReadOnlyAccess")


def trust_policy(provider_arn):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {f"{issuer}:aud": "sts.amazonaws.com"},
                        "StringLike": {f"{issuer}:sub": f"repo:{repository}:ref:refs/heads/{branch}"},
                    },
                }
            ],
        }
    )


def sync_policy(bucket_arn):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": bucket_arn},
                {"Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": f"{bucket_arn}/*"},
            ],
        }
    )


deploy_role = aws.iam.Role(
    "github-deploy",
    description=f"Assumed by GitHub Actions in {repository}",
    assume_role_policy=github.arn.apply(trust_policy),
    max_session_duration=3600,
    managed_policy_arns=[read_only.arn],
    inline_policies=[aws.iam.RoleInlinePolicyArgs(name="sync-site", policy=site.arn.apply(sync_policy))],
)

pulumi.export("provider_arn", github.arn)
pulumi.export("role_arn", deploy_role.arn)
pulumi.export("role_name", deploy_role.name)
pulumi.export("bucket", site.bucket)
