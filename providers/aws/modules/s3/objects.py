"""aws:s3 resource types that live in a bucket: BucketObject, BucketPolicy and BucketWebsiteConfiguration."""

from __future__ import annotations

import base64
import contextlib
import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from botocore.exceptions import ClientError

from envctl.providers.aws.assets import AssetProperties, content_bytes
from envctl.providers.aws.base import AwsResource, CheckFailure, CheckResult, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import document_from_cloud, policies_equivalent
from envctl.providers.aws.errors import has_code
from envctl.providers.aws.modules.s3.bucket import BUCKET_GONE, object_versions
from envctl.providers.aws.modules.s3.inline import EXPECTED_OWNER, website_domain
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.wire import api_keys, api_name, timestamp, wire_keys

# S3's answers for a bucket, object or configuration that is not there (HeadObject's is a bare 404).
_GONE = (*BUCKET_GONE, "404", "NoSuchKey", "NoSuchBucketPolicy", "NoSuchWebsiteConfiguration")

# ---- BucketObject ----------------------------------------------------------------------------

# Object settings: the input and the PutObject parameter (HeadObject answers under the same name).
_OBJECT_SETTINGS = (
    ("cacheControl", "CacheControl"),
    ("contentDisposition", "ContentDisposition"),
    ("contentEncoding", "ContentEncoding"),
    ("contentLanguage", "ContentLanguage"),
    ("contentType", "ContentType"),
    ("metadata", "Metadata"),
    ("serverSideEncryption", "ServerSideEncryption"),
    ("storageClass", "StorageClass"),
    ("websiteRedirect", "WebsiteRedirectLocation"),
    ("kmsKeyId", "SSEKMSKeyId"),
    ("bucketKeyEnabled", "BucketKeyEnabled"),
)
# Object lock settings, likewise; unlike the others they change in place, without an upload.
_LOCK_SETTINGS = (
    ("objectLockLegalHoldStatus", "ObjectLockLegalHoldStatus"),
    ("objectLockMode", "ObjectLockMode"),
    ("objectLockRetainUntilDate", "ObjectLockRetainUntilDate"),
)
_BODY_INPUTS = ("source", "content", "contentBase64")
# S3 objects are immutable: a change to any of these uploads the object again (as Terraform does).
_UPLOADED = frozenset({*_BODY_INPUTS, "etag", "sourceHash", *(wire for wire, _ in _OBJECT_SETTINGS)})
# Inputs S3 does not report back.
_KEPT_FROM_STATE = ("acl", "forceDestroy", "sourceHash", *_BODY_INPUTS)


@resource_type
class BucketObject(AssetProperties):
    token = "aws:s3/bucketObject:BucketObject"
    aliases = ("aws:s3/bucketObjectv2:BucketObjectv2",)
    required = ("bucket",)
    defaults = {"forceDestroy": False}
    force_new = frozenset({"bucket", "key"})
    asset_properties = ("source",)
    handled = frozenset({*_BODY_INPUTS, *(wire for wire, _ in (*_OBJECT_SETTINGS, *_LOCK_SETTINGS)), "key", "acl",
                         "etag", "sourceHash", "forceDestroy"})
    outputs = frozenset({"arn", "versionId"})
    gone_codes = _GONE

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        # pulumi-aws defaults the key to the resource's name, as it is (no random suffix).
        if news.get("key") is None:
            news = {**news, "key": logical_name}
        return super().check(logical_name, olds, news)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        if sum(inputs.get(key) is not None for key in _BODY_INPUTS) > 1:
            return [CheckFailure("source", "set at most one of source, content or contentBase64")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._upload(ctx, urn, inputs)
        return inputs["key"], {**inputs, **self.describe(ctx, inputs["key"], inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        s3 = ctx.client("s3")
        location = {"Bucket": news["bucket"], "Key": id}
        if _UPLOADED & set(diff.changed):
            self._upload(ctx, urn, news)  # with the ACL and tags
            return {**news, **self.describe(ctx, id, news)}
        if "acl" in diff.changed:
            s3.put_object_acl(**location, ACL=news.get("acl") or "private")
        if "objectLockLegalHoldStatus" in diff.changed:
            s3.put_object_legal_hold(**location, LegalHold={"Status": news.get("objectLockLegalHoldStatus") or "OFF"})
        if {"objectLockMode", "objectLockRetainUntilDate"} & set(diff.changed):
            _put_retention(s3, location, olds.get("objectLockRetainUntilDate"), news)
        tags = self.tags_all(ctx, urn, news)
        if tags != (olds.get("tagsAll") or {}):  # S3 replaces an object's whole tag set at once
            if tags:
                s3.put_object_tagging(**location, Tagging={"TagSet": tag_list(tags)})
            else:
                s3.delete_object_tagging(**location)
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """Every version of the key goes, as Terraform does, so that the bucket can be deleted after it."""
        s3 = ctx.client("s3")
        bypass = {"BypassGovernanceRetention": True} if state.get("forceDestroy") else {}
        try:
            for entry in object_versions(s3, state["bucket"], prefix=id):
                if entry["Key"] == id:
                    s3.delete_object(Bucket=state["bucket"], Key=id, VersionId=entry["VersionId"], **bypass)
        except ClientError as error:
            if not has_code(error, _GONE):
                raise

    def _upload(self, ctx: AwsContext, urn: str, inputs: Props) -> None:
        params: dict[str, Any] = {
            "Bucket": inputs["bucket"],
            "Key": inputs["key"],
            "Body": _body(inputs),
            **{api: inputs[wire] for wire, api in (*_OBJECT_SETTINGS, *_LOCK_SETTINGS) if inputs.get(wire) is not None},
        }
        if inputs.get("acl"):
            params["ACL"] = inputs["acl"]
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tagging"] = urlencode(tags)
        ctx.client("s3").put_object(**params)

    def describe(self, ctx: AwsContext, key: str, state: Props) -> Props:
        s3 = ctx.client("s3")
        bucket = state["bucket"]
        head = s3.head_object(Bucket=bucket, Key=key)
        tags = tag_dict(s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"])
        return {
            **{wire: state.get(wire) for wire in _KEPT_FROM_STATE},
            **{wire: head.get(api) for wire, api in _OBJECT_SETTINGS},
            "bucket": bucket,
            "key": key,
            "arn": f"arn:{ctx.partition}:s3:::{bucket}/{key}",
            "etag": head["ETag"].strip('"'),
            "versionId": head.get("VersionId"),
            "metadata": head.get("Metadata") or None,
            "storageClass": head.get("StorageClass", "STANDARD"),  # S3 leaves out the default class
            "bucketKeyEnabled": bool(head.get("BucketKeyEnabled")),
            **{wire: head.get(api) for wire, api in _LOCK_SETTINGS},
            "objectLockRetainUntilDate": timestamp(until) if (until := head.get("ObjectLockRetainUntilDate")) else None,
            **tags_from_cloud(ctx, state, tags),
        }


def _put_retention(s3: Any, location: dict[str, str], old_until: str | None, news: Props) -> None:
    """The object's retention as the inputs give it (none without a mode). Shortening or clearing a governance
    retention needs its bypass, as in Terraform."""
    until = news.get("objectLockRetainUntilDate")
    retention = {"Mode": news["objectLockMode"], "RetainUntilDate": until} if news.get("objectLockMode") else {}
    shortened = not until or bool(old_until and datetime.fromisoformat(until) < datetime.fromisoformat(old_until))
    s3.put_object_retention(**location, Retention=retention, BypassGovernanceRetention=shortened)


def _body(inputs: Props) -> bytes:
    if inputs.get("source") is not None:
        return content_bytes(inputs["source"])
    if inputs.get("contentBase64") is not None:
        return base64.b64decode(inputs["contentBase64"])
    return str(inputs.get("content") or "").encode()


# ---- BucketPolicy ----------------------------------------------------------------------------


@resource_type
class BucketPolicy(AwsResource):
    token = "aws:s3/bucketPolicy:BucketPolicy"
    required = ("bucket", "policy")
    force_new = frozenset({"bucket"})
    taggable = False
    documents = {"policy": policies_equivalent}
    handled = frozenset()  # the bucket and its policy
    gone_codes = _GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ctx.client("s3").put_bucket_policy(Bucket=inputs["bucket"], Policy=inputs["policy"])
        return inputs["bucket"], {**inputs, **self.describe(ctx, inputs["bucket"], inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        ctx.client("s3").put_bucket_policy(Bucket=id, Policy=news["policy"])
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        s3 = ctx.client("s3")
        with contextlib.suppress(s3.exceptions.NoSuchBucket):
            s3.delete_bucket_policy(Bucket=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        policy = ctx.client("s3").get_bucket_policy(Bucket=id)["Policy"]
        return {"bucket": id, "policy": document_from_cloud(state.get("policy"), policy)}


# ---- BucketWebsiteConfiguration --------------------------------------------------------------

_WEBSITE_BLOCKS = ("indexDocument", "errorDocument", "redirectAllRequestsTo", "routingRules")


@resource_type
class BucketWebsiteConfiguration(AwsResource):
    token = "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration"
    aliases = ("aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2",)
    required = ("bucket",)
    force_new = frozenset({"bucket", "expectedBucketOwner"})
    taggable = False
    handled = frozenset({*_WEBSITE_BLOCKS, "routingRuleDetails"})
    unsupported = {"expectedBucketOwner": EXPECTED_OWNER}
    outputs = frozenset({"websiteDomain", "websiteEndpoint"})
    gone_codes = _GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
        if bool(inputs.get("indexDocument")) == bool(inputs.get("redirectAllRequestsTo")):
            failures.append(CheckFailure("indexDocument", "set exactly one of indexDocument or redirectAllRequestsTo"))
        if inputs.get("routingRules") and inputs.get("routingRuleDetails"):
            failures.append(CheckFailure("routingRules", "set at most one of routingRules or routingRuleDetails"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._put(ctx, inputs)
        return inputs["bucket"], {**inputs, **self.describe(ctx, inputs["bucket"], inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._put(ctx, news)  # S3 replaces the whole configuration
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        s3 = ctx.client("s3")
        with contextlib.suppress(s3.exceptions.NoSuchBucket):
            s3.delete_bucket_website(Bucket=id)

    def _put(self, ctx: AwsContext, inputs: Props) -> None:
        config = api_keys({key: inputs[key] for key in _WEBSITE_BLOCKS if inputs.get(key)})
        if inputs.get("routingRuleDetails"):  # the rules as S3's own JSON
            config["RoutingRules"] = json.loads(inputs["routingRuleDetails"])
        ctx.client("s3").put_bucket_website(Bucket=inputs["bucket"], WebsiteConfiguration=config)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        answer = ctx.client("s3").get_bucket_website(Bucket=id)
        rules = answer.get("RoutingRules")
        domain = website_domain(ctx.region, ctx.partition)
        return {
            "bucket": id,
            **{key: wire_keys(answer.get(api_name(key))) for key in _WEBSITE_BLOCKS},
            "routingRuleDetails": json.dumps(rules) if rules else None,
            "websiteDomain": domain,
            "websiteEndpoint": f"{id}.{domain}",
        }

