"""versioned-archive: the V2 resources configure the bucket as their current names do; then old versions are kept
longer."""

import json

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

LIFECYCLE_V2 = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
OBJECT_V2 = "aws:s3/bucketObjectv2:BucketObjectv2"


def rules_of(s3, bucket: str) -> dict:
    return {rule["ID"]: rule for rule in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}


def verify(cloud: Cloud, out: Outputs) -> None:
    s3, bucket = cloud.client("s3"), out["archive_bucket"]
    assert out["archive_arn"] == f"arn:aws:s3:::{bucket}"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    [rule] = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    controls = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert controls == [{"ObjectOwnership": "BucketOwnerPreferred"}]
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # private: the owner only
    rules = rules_of(s3, bucket)
    assert rules["old-versions"]["NoncurrentVersionTransitions"] == [{"NoncurrentDays": 30, "StorageClass": "GLACIER"}]
    assert rules["old-versions"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 365}
    assert rules["stale-uploads"]["Filter"] == {"Prefix": "uploads/"}
    manifest = json.loads(s3.get_object(Bucket=bucket, Key="manifest.json")["Body"].read())
    assert manifest == {"stack": "test", "retentionDays": 365}
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
    assert tags["purpose"] == "archive"


def verify_longer_retention(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    s3, bucket = cloud.client("s3"), after["archive_bucket"]
    rules = rules_of(s3, bucket)
    assert rules["old-versions"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 395}
    versions = s3.list_object_versions(Bucket=bucket, Prefix="manifest.json")["Versions"]
    assert len(versions) == 2  # the manifest was uploaded again; the archive keeps the old one
    assert json.loads(s3.get_object(Bucket=bucket, Key="manifest.json")["Body"].read())["retentionDays"] == 395
    assert after == before


CASE = ProgramCase(
    "versioned-archive",
    verify,
    Edit(set_config("test", noncurrentDays=60), (("update", LIFECYCLE_V2), ("update", OBJECT_V2)),
         verify_longer_retention),
)
