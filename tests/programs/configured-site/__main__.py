"""A static site in S3 with each bucket setting as its own resource: object ownership, public access, a public-read
ACL, default encryption, CORS for the site's origins, a website, and server access logs kept in a second bucket
whose lifecycle expires them."""

import mimetypes
import os

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
cors_origins = config.require_object("corsOrigins")
log_retention_days = config.get_int("logRetentionDays") or 30

# ---- access logs --------------------------------------------------------------------------------

logs = aws.s3.Bucket("access-logs", force_destroy=True)

logs_ownership = aws.s3.BucketOwnershipControls(
    "access-logs-ownership",
    bucket=logs.id,
    rule={"object_ownership": "ObjectWriter"},
)

# S3's log delivery group writes the logs through the bucket's ACL.
logs_acl = aws.s3.BucketAcl(
    "access-logs-acl",
    bucket=logs.id,
    acl="log-delivery-write",
    opts=pulumi.ResourceOptions(depends_on=[logs_ownership]),
)

aws.s3.BucketLifecycleConfiguration(
    "access-logs-lifecycle",
    bucket=logs.id,
    rules=[
        {
            "id": "expire-access-logs",
            "status": "Enabled",
            "filter": {"prefix": "site/"},
            "expiration": {"days": log_retention_days},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
        }
    ],
)

# ---- the site -----------------------------------------------------------------------------------

site = aws.s3.Bucket("site", force_destroy=True, tags={"site": pulumi.get_project()})

ownership = aws.s3.BucketOwnershipControls(
    "site-ownership",
    bucket=site.id,
    rule={"object_ownership": "BucketOwnerPreferred"},
)

public_access = aws.s3.BucketPublicAccessBlock(
    "site-public-access",
    bucket=site.id,
    block_public_acls=False,
    block_public_policy=False,
    ignore_public_acls=False,
    restrict_public_buckets=False,
)

aws.s3.BucketAcl(
    "site-acl",
    bucket=site.id,
    acl="public-read",
    opts=pulumi.ResourceOptions(depends_on=[ownership, public_access]),
)

aws.s3.BucketServerSideEncryptionConfiguration(
    "site-encryption",
    bucket=site.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}, "bucket_key_enabled": True}],
)

aws.s3.BucketCorsConfiguration(
    "site-cors",
    bucket=site.id,
    cors_rules=[
        {
            "allowed_headers": ["*"],
            "allowed_methods": ["GET", "HEAD"],
            "allowed_origins": cors_origins,
            "expose_headers": ["ETag"],
            "max_age_seconds": 3600,
        }
    ],
)

website = aws.s3.BucketWebsiteConfiguration(
    "site-website",
    bucket=site.id,
    index_document={"suffix": "index.html"},
    error_document={"key": "404.html"},
)

aws.s3.BucketLogging(
    "site-logging",
    bucket=site.id,
    target_bucket=logs.id,
    target_prefix="site/",
    opts=pulumi.ResourceOptions(depends_on=[logs_acl]),
)

for name in sorted(os.listdir("www")):
    path = os.path.join("www", name)
    content_type, _ = mimetypes.guess_type(path)
    aws.s3.BucketObjectv2(
        name,
        bucket=site.id,
        key=name,
        source=pulumi.FileAsset(path),
        content_type=content_type,
        acl="public-read",
        opts=pulumi.ResourceOptions(depends_on=[ownership, public_access]),
    )

pulumi.export("site_bucket", site.id)
pulumi.export("logs_bucket", logs.id)
pulumi.export("website_endpoint", website.website_endpoint)
