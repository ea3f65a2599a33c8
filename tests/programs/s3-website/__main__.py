"""A static website in S3: every file of www/ uploaded, a generated config.json, and a public-read policy."""

import json
import mimetypes
import os

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
content_dir = "www"

site_bucket = aws.s3.Bucket("site-bucket", force_destroy=True)

website = aws.s3.BucketWebsiteConfiguration(
    "site-website",
    bucket=site_bucket.id,
    index_document={"suffix": "index.html"},
    error_document={"key": "error.html"},
)

# New buckets block public policies: let this one have one.
public_access = aws.s3.BucketPublicAccessBlock(
    "site-public-access",
    bucket=site_bucket.id,
    block_public_acls=True,
    ignore_public_acls=True,
    block_public_policy=False,
    restrict_public_buckets=False,
)

for file in sorted(os.listdir(content_dir)):
    filepath = os.path.join(content_dir, file)
    mime_type, _ = mimetypes.guess_type(filepath)
    aws.s3.BucketObject(file, bucket=site_bucket.id, source=pulumi.FileAsset(filepath), content_type=mime_type)

# Settings the page's script reads, generated from the stack's config.
aws.s3.BucketObject(
    "config.json",
    bucket=site_bucket.id,
    content_type="application/json",
    source=pulumi.StringAsset(json.dumps({"stack": pulumi.get_stack(), "apiUrl": config.require("apiUrl")})),
)

public_read = aws.iam.get_policy_document_output(
    statements=[
        {
            "sid": "PublicReadGetObject",
            "effect": "Allow",
            "principals": [{"type": "*", "identifiers": ["*"]}],
            "actions": ["s3:GetObject"],
            "resources": [site_bucket.arn.apply(lambda arn: f"{arn}/*")],
        }
    ]
)

aws.s3.BucketPolicy(
    "site-policy",
    bucket=site_bucket.id,
    policy=public_read.json,
    opts=pulumi.ResourceOptions(depends_on=[public_access]),
)

pulumi.export("bucket_name", site_bucket.id)
pulumi.export("website_url", website.website_endpoint)
