"""S3 objects, bucket policies and website configurations against the session's moto server."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from envctl.providers.aws.context import AwsContext

from engine_support import aws
from provider_steps import (
    assert_up_again_changes_nothing_and_destroy_deletes,
    deploy,
    destroy_for_good,
    diff_of,
    error_code,
    failures,
    provider,
    read,
    redeploy,
    sdk_wire,
    unique,
    up_program,
)

OBJECT = "aws:s3/bucketObject:BucketObject"
OBJECT_V2 = "aws:s3/bucketObjectv2:BucketObjectv2"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
WEBSITE = "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration"


def file_asset(path: str) -> Any:
    """A FileAsset as the SDK sends it (the path is relative to the project root, the working directory)."""
    return sdk_wire(pulumi.FileAsset(path))


@pytest.fixture
def bucket(aws_ctx: AwsContext) -> Iterator[str]:
    s3 = aws_ctx.client("s3")
    name = unique("objects")
    s3.create_bucket(Bucket=name)
    yield name
    versions = s3.list_object_versions(Bucket=name)
    for entry in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
        s3.delete_object(Bucket=name, Key=entry["Key"], VersionId=entry["VersionId"])
    s3.delete_bucket(Bucket=name)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.html").write_text("<h1>v1</h1>")
    return tmp_path


def body(ctx: AwsContext, bucket: str, key: str) -> bytes:
    return ctx.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()


# ---- BucketObject --------------------------------------------------------------------------------


def object_tags(ctx: AwsContext, bucket: str, key: str) -> dict[str, str]:
    tag_set = ctx.client("s3").get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
    return {t["Key"]: t["Value"] for t in tag_set}


def test_object_from_a_file_asset(aws_ctx: AwsContext, bucket: str, project: Path) -> None:
    news = {"bucket": bucket, "source": file_asset("www/index.html"), "contentType": "text/html",
            "cacheControl": "max-age=60", "metadata": {"build": "42"}, "tags": {"site": "docs"}}
    obj = deploy(aws_ctx, OBJECT, "index.html", news)

    assert obj.id == obj.outputs["key"] == "index.html"  # the key defaults to the resource name, as in pulumi-aws
    assert body(aws_ctx, bucket, obj.id) == b"<h1>v1</h1>"
    head = aws_ctx.client("s3").head_object(Bucket=bucket, Key=obj.id)
    assert (head["ContentType"], head["CacheControl"], head["Metadata"]) == ("text/html", "max-age=60", {"build": "42"})
    tags = object_tags(aws_ctx, bucket, obj.id)
    assert tags["site"] == "docs" and tags["envctl:env"] == "test"
    assert obj.outputs["etag"] == hashlib.md5(b"<h1>v1</h1>").hexdigest()
    assert obj.outputs["arn"] == f"arn:aws:s3:::{bucket}/index.html"
    assert obj.outputs["storageClass"] == "STANDARD" and obj.outputs["tags"] == {"site": "docs"}
    found = read(aws_ctx, obj)
    assert (found["etag"], found["contentType"], found["metadata"]) == (obj.outputs["etag"], "text/html",
                                                                         {"build": "42"})

    assert diff_of(obj, news).changed == ()  # the same file: nothing to do
    (project / "www" / "index.html").write_text("<h1>v2</h1>")
    assert diff_of(obj, news).changed == ("source",)  # the file edited: uploaded again, in place
    obj = redeploy(aws_ctx, obj, news)
    assert body(aws_ctx, bucket, obj.id) == b"<h1>v2</h1>"
    assert obj.outputs["etag"] == hashlib.md5(b"<h1>v2</h1>").hexdigest()

    retagged = redeploy(aws_ctx, obj, {**news, "tags": {"site": "blog"}})
    assert object_tags(aws_ctx, bucket, obj.id)["site"] == "blog"
    assert retagged.outputs["versionId"] == obj.outputs["versionId"]  # retagged, not uploaded again

    assert diff_of(obj, {**news, "key": "other.html"}).replaces == ("key",)
    assert diff_of(obj, {**news, "bucket": "elsewhere"}).replaces == ("bucket",)
    destroy_for_good(aws_ctx, retagged)


def test_deleting_an_object_removes_every_version(aws_ctx: AwsContext, bucket: str) -> None:
    s3 = aws_ctx.client("s3")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    news = {"bucket": bucket, "key": "notes/today.txt", "content": "one"}
    first = deploy(aws_ctx, OBJECT_V2, "notes", news)
    second = redeploy(aws_ctx, first, {**news, "content": "two"})
    assert second.outputs["versionId"] != first.outputs["versionId"]
    assert body(aws_ctx, bucket, second.id) == b"two"

    destroy_for_good(aws_ctx, second)
    remaining = s3.list_object_versions(Bucket=bucket, Prefix=second.id)
    assert not remaining.get("Versions") and not remaining.get("DeleteMarkers")


def test_object_lock_settings_are_uploaded_and_changed_in_place(aws_ctx: AwsContext) -> None:
    s3 = aws_ctx.client("s3")
    name = unique("locked")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    news = {"bucket": name, "key": "report.csv", "content": "a,b", "forceDestroy": True,
            "objectLockMode": "GOVERNANCE", "objectLockRetainUntilDate": "2030-01-01T00:00:00Z",
            "objectLockLegalHoldStatus": "ON"}
    obj = deploy(aws_ctx, OBJECT, "report", news)
    head = s3.head_object(Bucket=name, Key="report.csv")
    assert (head["ObjectLockMode"], head["ObjectLockLegalHoldStatus"]) == ("GOVERNANCE", "ON")
    assert head["ObjectLockRetainUntilDate"].isoformat().startswith("2030-01-01T00:00:00")
    assert obj.outputs["objectLockRetainUntilDate"] == "2030-01-01T00:00:00Z"

    # Shortening a governance retention (with its bypass) and lifting the hold change the object, not upload it.
    held = redeploy(aws_ctx, obj, {**news, "objectLockLegalHoldStatus": "OFF",
                                   "objectLockRetainUntilDate": "2029-06-01T00:00:00Z"})
    head = s3.head_object(Bucket=name, Key="report.csv")
    assert head["ObjectLockLegalHoldStatus"] == "OFF" and head["ObjectLockRetainUntilDate"].year == 2029
    assert held.outputs["versionId"] == obj.outputs["versionId"]
    assert read(aws_ctx, held)["objectLockRetainUntilDate"] == "2029-06-01T00:00:00Z"

    destroy_for_good(aws_ctx, held)  # forceDestroy deletes it within its governance retention
    s3.delete_bucket(Bucket=name)


def test_object_body_inputs_are_exclusive(project: Path) -> None:
    both = {"bucket": "b", "content": "x", "source": file_asset("www/index.html")}
    assert [f.property for f in provider(OBJECT).check("o", None, both).failures] == ["source"]


# ---- BucketPolicy --------------------------------------------------------------------------------


def public_read(bucket: str, action: str = "s3:GetObject") -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": [action], "Resource": [f"arn:aws:s3:::{bucket}/*"]},
    ]}


def test_bucket_policy_lifecycle(aws_ctx: AwsContext, bucket: str) -> None:
    s3 = aws_ctx.client("s3")
    news = {"bucket": bucket, "policy": json.dumps(public_read(bucket))}
    policy = deploy(aws_ctx, POLICY, "public", news)

    assert policy.id == bucket
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == public_read(bucket)
    # The configured text while it is equivalent (and the region, as for every regional type).
    assert read(aws_ctx, policy) == {"bucket": bucket, "policy": news["policy"], "region": "us-east-1"}

    # The same document written differently (a PolicyDocument object, one-item lists as strings) is no change.
    equivalent = public_read(bucket)
    equivalent["Statement"][0]["Action"] = "s3:GetObject"
    assert diff_of(policy, {"bucket": bucket, "policy": equivalent}).changed == ()

    updated = redeploy(aws_ctx, policy, {"bucket": bucket, "policy": public_read(bucket, "s3:GetObjectVersion")})
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == public_read(bucket, "s3:GetObjectVersion")
    assert json.loads(updated.outputs["policy"]) == public_read(bucket, "s3:GetObjectVersion")

    assert diff_of(policy, {**news, "bucket": "another"}).replaces == ("bucket",)
    destroy_for_good(aws_ctx, updated)


# ---- BucketWebsiteConfiguration ------------------------------------------------------------------

ROUTING = [{"condition": {"keyPrefixEquals": "docs/"}, "redirect": {"replaceKeyPrefixWith": "documents/"}}]


def test_website_configuration_lifecycle(aws_ctx: AwsContext, bucket: str) -> None:
    s3 = aws_ctx.client("s3")
    news = {"bucket": bucket, "indexDocument": {"suffix": "index.html"}, "errorDocument": {"key": "404.html"},
            "routingRules": ROUTING}
    website = deploy(aws_ctx, WEBSITE, "site", news)

    assert website.id == bucket
    answer = s3.get_bucket_website(Bucket=bucket)
    assert answer["IndexDocument"] == {"Suffix": "index.html"} and answer["ErrorDocument"] == {"Key": "404.html"}
    assert answer["RoutingRules"] == [
        {"Condition": {"KeyPrefixEquals": "docs/"}, "Redirect": {"ReplaceKeyPrefixWith": "documents/"}},
    ]
    assert website.outputs["websiteEndpoint"] == f"{bucket}.s3-website-us-east-1.amazonaws.com"
    assert website.outputs["websiteDomain"] == "s3-website-us-east-1.amazonaws.com"
    assert json.loads(website.outputs["routingRuleDetails"]) == answer["RoutingRules"]
    found = read(aws_ctx, website)
    assert found["routingRules"] == ROUTING and found["indexDocument"] == {"suffix": "index.html"}

    updated = redeploy(aws_ctx, website, {"bucket": bucket, "indexDocument": {"suffix": "home.html"}})
    answer = s3.get_bucket_website(Bucket=bucket)
    assert answer["IndexDocument"] == {"Suffix": "home.html"} and "RoutingRules" not in answer
    assert updated.outputs["errorDocument"] is None and updated.outputs["routingRules"] is None

    assert diff_of(website, {**news, "bucket": "another"}).replaces == ("bucket",)
    destroy_for_good(aws_ctx, updated)


def test_website_routing_rules_as_json_text(aws_ctx: AwsContext, bucket: str) -> None:
    rules = [{"Condition": {"HttpErrorCodeReturnedEquals": "404"}, "Redirect": {"ReplaceKeyWith": "index.html"}}]
    news = {"bucket": bucket, "indexDocument": {"suffix": "index.html"}, "routingRuleDetails": json.dumps(rules)}
    website = deploy(aws_ctx, WEBSITE, "spa", news)
    assert aws_ctx.client("s3").get_bucket_website(Bucket=bucket)["RoutingRules"] == rules
    assert website.outputs["routingRules"] == [
        {"condition": {"httpErrorCodeReturnedEquals": "404"}, "redirect": {"replaceKeyWith": "index.html"}},
    ]
    destroy_for_good(aws_ctx, website)


def test_website_refuses_an_owner_check_the_local_cloud_does_not_make() -> None:
    refused = failures(WEBSITE, bucket="b", indexDocument={"suffix": "i.html"}, expectedBucketOwner="123456789012")
    assert set(refused) == {"expectedBucketOwner"} and "does not check a bucket's owner" in refused[
        "expectedBucketOwner"]


def test_website_needs_an_index_document_or_a_redirect() -> None:
    neither = {"bucket": "b"}
    both = {"bucket": "b", "indexDocument": {"suffix": "i.html"}, "redirectAllRequestsTo": {"hostName": "x.com"}}
    for news in (neither, both):
        assert [f.property for f in provider(WEBSITE).check("w", None, news).failures] == ["indexDocument"]


# ---- an unmodified program through the local engine --------------------------------------

# Pulumi's static website example as it is published: the website set inline on the bucket.
STATIC_WEBSITE_PROGRAM = """
import json
import mimetypes
import os

import pulumi
import pulumi_aws as aws

web_bucket = aws.s3.Bucket("s3-website-bucket", website=aws.s3.BucketWebsiteArgs(index_document="index.html"))
public_access = aws.s3.BucketPublicAccessBlock("public-access", bucket=web_bucket.id, block_public_policy=False)

content_dir = "www"
for file in os.listdir(content_dir):
    filepath = os.path.join(content_dir, file)
    mime_type, _ = mimetypes.guess_type(filepath)
    aws.s3.BucketObject(file, bucket=web_bucket.id, source=pulumi.FileAsset(filepath), content_type=mime_type)


def public_read_policy_for_bucket(bucket_name):
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:GetObject"],
            "Resource": [f"arn:aws:s3:::{bucket_name}/*"],
        }],
    })


aws.s3.BucketPolicy("bucket-policy", bucket=web_bucket.id, policy=web_bucket.id.apply(public_read_policy_for_bucket),
                    opts=pulumi.ResourceOptions(depends_on=[public_access]))

pulumi.export("bucket_name", web_bucket.id)
pulumi.export("website_url", web_bucket.website_endpoint)
"""


def test_the_static_website_program_runs_unmodified(tmp_path: Path, moto_endpoint: str) -> None:
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.html").write_text("<h1>hello</h1>")
    project, result = up_program(tmp_path, STATIC_WEBSITE_PROGRAM, moto_endpoint)
    assert result.changes["create"] == 4 + 1  # and the stack
    bucket = result.outputs["bucket_name"]
    assert result.outputs["website_url"] == f"{bucket}.s3-website-us-east-1.amazonaws.com"
    s3 = aws(moto_endpoint, "s3")
    assert s3.get_bucket_website(Bucket=bucket)["IndexDocument"] == {"Suffix": "index.html"}
    assert s3.get_object(Bucket=bucket, Key="index.html")["ContentType"] == "text/html"
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Principal"] == "*"

    assert_up_again_changes_nothing_and_destroy_deletes(project, moto_endpoint, 4 + 1)
    assert error_code(s3.head_bucket, Bucket=bucket) == "404"
