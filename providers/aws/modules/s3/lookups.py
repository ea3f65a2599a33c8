"""The S3 lookups programs make: getBucket and getObject."""

from __future__ import annotations

import base64
import re
from datetime import UTC
from typing import Any

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.data_sources import in_provider_region
from envctl.providers.aws.errors import found_or_none
from envctl.providers.aws.modules.s3.bucket import BUCKET_GONE, Bucket
from envctl.providers.aws.registry import invoke
from envctl.providers.aws.tags import tag_dict
from envctl.providers.aws.wire import timestamp

_BUCKET_ATTRIBUTES = ("arn", "bucket", "bucketDomainName", "bucketRegion", "bucketRegionalDomainName",
                      "hostedZoneId", "region", "websiteDomain", "websiteEndpoint")
# Content types whose body Terraform returns as text in `body` (others only in `bodyBase64`, when asked).
_TEXT_CONTENT = re.compile(r"^(text/.+|application/(atom\+xml|json|ld\+json|x-csh|x-httpd-php|x-sh|xhtml\+xml|xml))$")
_RFC1123 = "%a, %d %b %Y %H:%M:%S UTC"
# getObject's outputs and the GetObject/HeadObject answer that holds each.
_OBJECT_HEADERS = (
    ("cacheControl", "CacheControl"), ("contentDisposition", "ContentDisposition"),
    ("contentEncoding", "ContentEncoding"), ("contentLanguage", "ContentLanguage"),
    ("contentLength", "ContentLength"), ("contentType", "ContentType"), ("expiration", "Expiration"),
    ("expires", "ExpiresString"), ("serverSideEncryption", "ServerSideEncryption"), ("sseKmsKeyId", "SSEKMSKeyId"),
    ("versionId", "VersionId"), ("websiteRedirectLocation", "WebsiteRedirectLocation"),
    ("objectLockLegalHoldStatus", "ObjectLockLegalHoldStatus"), ("objectLockMode", "ObjectLockMode"),
    ("checksumCrc32", "ChecksumCRC32"), ("checksumCrc32c", "ChecksumCRC32C"),
    ("checksumCrc64nvme", "ChecksumCRC64NVME"), ("checksumSha1", "ChecksumSHA1"), ("checksumSha256", "ChecksumSHA256"),
)


@invoke("aws:s3/getBucket:getBucket")
def get_bucket(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_s3_bucket data source: the bucket's names, domain names and website endpoint."""
    in_provider_region(ctx, args, "getBucket")
    found = Bucket().read(ctx, args["bucket"], {})
    if found is None:
        raise BadInput(f"getBucket: no S3 bucket named {args['bucket']!r}")
    return {**{key: found.get(key) for key in _BUCKET_ATTRIBUTES}, "id": args["bucket"]}


@invoke("aws:s3/getObject:getObject")
def get_object(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_s3_object data source: an object's metadata and tags, and its body as text when its content
    type is text (`body`), or as base64 when `downloadBody` is "true" (`bodyBase64`); "false" downloads nothing."""
    in_provider_region(ctx, args, "getObject")
    s3 = ctx.client("s3")
    bucket, key = args["bucket"], args["key"]
    location = {"Bucket": bucket, "Key": key, **({"VersionId": args["versionId"]} if args.get("versionId") else {})}
    download = str(args.get("downloadBody") or "").lower()
    request = {**location, **({"ChecksumMode": args["checksumMode"]} if args.get("checksumMode") else {})}
    if download != "false":
        request.update({"Range": args["range"]} if args.get("range") else {})
    answer = found_or_none(s3.head_object if download == "false" else s3.get_object,
                           (*BUCKET_GONE, "404", "NoSuchKey", "NoSuchVersion"), **request)
    if answer is None:
        raise BadInput(f"getObject: no object {key!r} in S3 bucket {bucket!r}")
    data = answer["Body"].read() if "Body" in answer else None
    content_type = answer.get("ContentType") or ""
    tags = tag_dict(s3.get_object_tagging(**location)["TagSet"])
    return {
        **{wire: answer.get(api) for wire, api in _OBJECT_HEADERS},
        "id": f"{bucket}/{key}" + (f"@{args['versionId']}" if args.get("versionId") else ""),
        "arn": f"arn:{ctx.partition}:s3:::{bucket}/{key}",
        "bucket": bucket,
        "key": key,
        "range": args.get("range"),
        "checksumMode": args.get("checksumMode"),
        "downloadBody": args.get("downloadBody"),
        "body": data.decode("utf-8", errors="replace") if data is not None and _TEXT_CONTENT.match(content_type)
        else None,
        "bodyBase64": base64.b64encode(data).decode() if data is not None and download == "true" else None,
        "etag": answer["ETag"].strip('"'),
        "lastModified": answer["LastModified"].astimezone(UTC).strftime(_RFC1123),
        "metadata": answer.get("Metadata") or {},
        "storageClass": answer.get("StorageClass", "STANDARD"),  # S3 leaves out the default class
        "bucketKeyEnabled": bool(answer.get("BucketKeyEnabled")),
        "objectLockRetainUntilDate": timestamp(until) if (until := answer.get("ObjectLockRetainUntilDate")) else None,
        "tags": tags,
        "region": ctx.region,
    }
