"""An archive bucket as pulumi-aws 6 programs wrote it, with the V2 resources: versioning, default encryption with
S3-managed keys, a private ACL under owner-preferred ownership, and a lifecycle that moves old versions to Glacier
and then expires them. A manifest object records what the archive holds."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
noncurrent_days = config.get_int("noncurrentDays") or 30

archive = aws.s3.BucketV2("archive", force_destroy=True, tags={"purpose": "archive"})

versioning = aws.s3.BucketVersioningV2(
    "archive-versioning",
    bucket=archive.id,
    versioning_configuration={"status": "Enabled"},
)

aws.s3.BucketServerSideEncryptionConfigurationV2(
    "archive-encryption",
    bucket=archive.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
)

ownership = aws.s3.BucketOwnershipControls(
    "archive-ownership",
    bucket=archive.id,
    rule={"object_ownership": "BucketOwnerPreferred"},
)

aws.s3.BucketAclV2(
    "archive-acl",
    bucket=archive.id,
    acl="private",
    opts=pulumi.ResourceOptions(depends_on=[ownership]),
)

aws.s3.BucketLifecycleConfigurationV2(
    "archive-lifecycle",
    bucket=archive.id,
    rules=[
        {
            "id": "old-versions",
            "status": "Enabled",
            "filter": {},
            "noncurrent_version_transitions": [{"noncurrent_days": noncurrent_days, "storage_class": "GLACIER"}],
            "noncurrent_version_expiration": {"noncurrent_days": noncurrent_days + 335},
        },
        {
            "id": "stale-uploads",
            "status": "Enabled",
            "filter": {"prefix": "uploads/"},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 3},
        },
    ],
    opts=pulumi.ResourceOptions(depends_on=[versioning]),
)

aws.s3.BucketObjectv2(
    "manifest",
    bucket=archive.id,
    key="manifest.json",
    content=json.dumps({"stack": pulumi.get_stack(), "retentionDays": noncurrent_days + 335}),
    content_type="application/json",
)

pulumi.export("archive_bucket", archive.bucket)
pulumi.export("archive_arn", archive.arn)
