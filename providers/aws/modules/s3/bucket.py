"""aws:s3 resource types: Bucket (its inline configurations are in inline.py), BucketVersioning and
BucketPublicAccessBlock."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import policies_equivalent
from envctl.providers.aws.errors import found_or_none
from envctl.providers.aws.modules.s3.inline import (
    EXPECTED_OWNER,
    INLINE,
    MFA_DELETE,
    canonical_grants,
    inline_failures,
    known_block,
    mfa_delete_failure,
    put_inline,
    read_inline,
    website_domain,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.wire import api_name

# Route 53 zone of the S3 website endpoint in each region (Terraform's hostedZoneIDsMap).
_HOSTED_ZONE_IDS = {
    "af-south-1": "Z83WF9RJE8B12",
    "ap-east-1": "ZNB98KWMFR0R6",
    "ap-northeast-1": "Z2M4EHUR26P7ZW",
    "ap-northeast-2": "Z3W03O7B5YMIYP",
    "ap-northeast-3": "Z2YQB5RD63NC85",
    "ap-south-1": "Z11RGJOFQNVJUP",
    "ap-south-2": "Z02976202B4EZMXIPMXF7",
    "ap-southeast-1": "Z3O0J2DXBE1FTB",
    "ap-southeast-2": "Z1WCIGYICN2BYD",
    "ap-southeast-3": "Z01846753K324LI26A3VV",
    "ap-southeast-4": "Z0312387243XT5FE14WFO",
    "ap-southeast-5": "Z08660063OXLMA7F1FJHU",
    "ca-central-1": "Z1QDHH18159H29",
    "ca-west-1": "Z03565811Z33SLEZTHOUL",
    "cn-north-1": "Z5CN8UMXT92WN",
    "cn-northwest-1": "Z282HJ1KT0DH03",
    "eu-central-1": "Z21DNDUVLTQW6Q",
    "eu-central-2": "Z030506016YDQGETNASS",
    "eu-north-1": "Z3BAZG2TWCNX0D",
    "eu-south-1": "Z30OZKI7KPW7MI",
    "eu-south-2": "Z0081959F7139GRJC19J",
    "eu-west-1": "Z1BKCTXD74EZPE",
    "eu-west-2": "Z3GKZC51ZF0DB4",
    "eu-west-3": "Z3R1K369G5AVDG",
    "il-central-1": "Z09640613K4A3MN55U7GU",
    "me-central-1": "Z06143092I8HRXZRUZROF",
    "me-south-1": "Z1MPMWCPA7YB62",
    "sa-east-1": "Z7KQH4QJS55SO",
    "us-east-1": "Z3AQBSTGFYJSTF",
    "us-east-2": "Z2O1EMRO9K5GLX",
    "us-gov-east-1": "Z2NIFVYYW2VKV1",
    "us-gov-west-1": "Z31GFT0UA1I2HV",
    "us-west-1": "Z2F56UZL2M1ACD",
    "us-west-2": "Z3BJ6K6RIION7M",
}
_DNS_SUFFIXES = {"aws-cn": "amazonaws.com.cn", "aws-iso": "c2s.ic.gov", "aws-iso-b": "sc2s.sgov.gov"}
_DELETE_BATCH = 1000  # DeleteObjects takes at most 1000 keys
_VERSIONING_STATUSES = ("Enabled", "Suspended", "Disabled")
_PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
BUCKET_GONE = ("NoSuchBucket",)


@resource_type
class Bucket(AwsResource):
    token = "aws:s3/bucket:Bucket"
    id_property = "bucket"
    aliases = ("aws:s3/bucketV2:BucketV2",)
    name_property = "bucket"
    name_prefix_property = "bucketPrefix"
    name_max_length = 63
    name_lowercase = True
    defaults = {"forceDestroy": False}
    force_new = frozenset({"bucket", "bucketPrefix", "objectLockEnabled", "bucketNamespace"})
    documents = {"policy": policies_equivalent}
    handled = frozenset({"forceDestroy", "objectLockEnabled", "bucketNamespace", *INLINE})
    unsupported = {
        "replicationConfiguration": "the local cloud keeps replication rules but copies no object; replication is "
                                    "not emulated",
        "requestPayer": "requester-pays buckets are not emulated by the local cloud",
    }
    outputs = frozenset({"arn", "bucketDomainName", "bucketRegionalDomainName", "bucketRegion", "hostedZoneId",
                         "websiteEndpoint", "websiteDomain"})
    gone_codes = BUCKET_GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return inline_failures(self.token, inputs)

    def diff_form(self, props: Props) -> Props:
        return {**props, "grants": canonical_grants(props.get("grants"))} if props.get("grants") else props

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """A program that leaves an inline configuration out keeps the bucket's as it is (Optional+Computed in
        Terraform; a read answers every one, so drift still sees them); turning object lock on or off in
        objectLockConfiguration makes a new bucket (ForceNew there)."""
        diff = diff.without([key for key in diff.changed if key in INLINE and key not in news])
        old_lock, new_lock = olds.get("objectLockConfiguration"), news.get("objectLockConfiguration")
        if "objectLockConfiguration" in diff.changed and not contains_unknown(new_lock) \
                and known_block(old_lock).get("objectLockEnabled") != known_block(new_lock).get("objectLockEnabled"):
            return diff.replacing(["objectLockConfiguration"])
        return diff

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        s3 = ctx.client("s3")
        name = self.physical_name(inputs)
        params: dict[str, Any] = {"Bucket": name}
        if ctx.region != "us-east-1":  # us-east-1 rejects an explicit location constraint
            params["CreateBucketConfiguration"] = {"LocationConstraint": ctx.region}
        lock = (inputs.get("objectLockConfiguration") or {}).get("objectLockEnabled") == "Enabled"
        if inputs.get("objectLockEnabled") or lock:
            params["ObjectLockEnabledForBucket"] = True
        if inputs.get("bucketNamespace"):
            params["BucketNamespace"] = inputs["bucketNamespace"]
        s3.create_bucket(**params)
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            _put_bucket_tags(s3, name, tags)
        put_inline(s3, name, inputs)
        return name, {**inputs, **self.describe(ctx, name, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        s3 = ctx.client("s3")
        tags = self.tags_all(ctx, urn, news)
        if tags != olds.get("tagsAll"):
            _put_bucket_tags(s3, id, tags)
        put_inline(s3, id, news, list(diff.changed))
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        s3 = ctx.client("s3")
        with contextlib.suppress(s3.exceptions.NoSuchBucket):
            if state.get("forceDestroy"):
                _empty_bucket(s3, id)
            s3.delete_bucket(Bucket=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        s3 = ctx.client("s3")
        location = s3.get_bucket_location(Bucket=id)["LocationConstraint"]
        region = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(location, location)
        tagging = found_or_none(s3.get_bucket_tagging, ("NoSuchTagSet",), Bucket=id)
        tags = tag_dict(tagging["TagSet"] if tagging else ())
        inline = read_inline(s3, id, state)
        dns_suffix = _DNS_SUFFIXES.get(ctx.partition, "amazonaws.com")
        domain = website_domain(region, ctx.partition) if inline["website"] else None
        return {
            "bucket": id,
            "bucketPrefix": state.get("bucketPrefix"),  # not stored by AWS
            "bucketNamespace": state.get("bucketNamespace"),  # not reported by AWS
            "forceDestroy": bool(state.get("forceDestroy")),  # not stored by AWS
            "arn": f"arn:{ctx.partition}:s3:::{id}",
            "bucketDomainName": f"{id}.s3.{dns_suffix}",
            "bucketRegionalDomainName": f"{id}.s3.{region}.{dns_suffix}",
            "bucketRegion": region,
            "region": region,
            "hostedZoneId": _HOSTED_ZONE_IDS.get(region),
            "objectLockEnabled": (inline["objectLockConfiguration"] or {}).get("objectLockEnabled") == "Enabled",
            **inline,
            "websiteDomain": domain,
            "websiteEndpoint": f"{id}.{domain}" if domain else None,
            **tags_from_cloud(ctx, state, tags),
        }


@resource_type
class BucketVersioning(AwsResource):
    token = "aws:s3/bucketVersioning:BucketVersioning"
    id_property = "bucket"
    aliases = ("aws:s3/bucketVersioningV2:BucketVersioningV2",)
    required = ("bucket", "versioningConfiguration")
    force_new = frozenset({"bucket", "expectedBucketOwner"})
    taggable = False
    handled = frozenset()  # the bucket and its versioning configuration
    unsupported = {"mfa": MFA_DELETE, "expectedBucketOwner": EXPECTED_OWNER}
    gone_codes = BUCKET_GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        config = inputs.get("versioningConfiguration")
        if not config or contains_unknown(config):
            return []
        if config.get("mfaDelete") == "Enabled":
            return [mfa_delete_failure(self.token, "versioningConfiguration.mfaDelete")]
        if config.get("status") in _VERSIONING_STATUSES:
            return []
        return [CheckFailure("versioningConfiguration", f"status must be one of {', '.join(_VERSIONING_STATUSES)}")]

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        # "Disabled" only adopts a never-versioned bucket: S3 cannot be set back to it (as in Terraform).
        if inputs["versioningConfiguration"]["status"] != "Disabled":
            self._put(ctx, inputs)
        return inputs["bucket"], {**inputs, **self.describe(ctx, inputs["bucket"], inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._put(ctx, news)
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """Versioning cannot be removed, only suspended; that is what deleting this resource does."""
        if (state.get("versioningConfiguration") or {}).get("status") == "Disabled":
            return
        s3 = ctx.client("s3")
        bucket, owner = _split_bucket_owner_id(id)
        with contextlib.suppress(s3.exceptions.NoSuchBucket):
            s3.put_bucket_versioning(
                Bucket=bucket, VersioningConfiguration={"Status": "Suspended"}, **_owner_param(owner)
            )

    def _put(self, ctx: AwsContext, inputs: Props) -> None:
        config = inputs["versioningConfiguration"]
        params: dict[str, Any] = {"Bucket": inputs["bucket"], "VersioningConfiguration": {"Status": config["status"]}}
        if config.get("mfaDelete"):  # only ever Disabled: enabling it is refused at check
            params["VersioningConfiguration"]["MFADelete"] = config["mfaDelete"]
        ctx.client("s3").put_bucket_versioning(**params)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        bucket, owner = _split_bucket_owner_id(id)
        answer = ctx.client("s3").get_bucket_versioning(Bucket=bucket, **_owner_param(owner))
        config = {"status": answer.get("Status", "Disabled")}  # a never-versioned bucket reports no status
        if answer.get("MFADelete"):
            config["mfaDelete"] = answer["MFADelete"]
        return {"bucket": bucket, "expectedBucketOwner": owner, "versioningConfiguration": config}


@resource_type
class BucketPublicAccessBlock(AwsResource):
    token = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
    id_property = "bucket"
    required = ("bucket",)
    defaults = dict.fromkeys(_PUBLIC_ACCESS_FLAGS, False)
    force_new = frozenset({"bucket"})
    taggable = False
    handled = frozenset({*_PUBLIC_ACCESS_FLAGS, "skipDestroy"})
    gone_codes = (*BUCKET_GONE, "NoSuchPublicAccessBlockConfiguration")

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._put(ctx, inputs)
        return inputs["bucket"], {**inputs, **self.describe(ctx, inputs["bucket"], inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._put(ctx, news)
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if state.get("skipDestroy"):
            return
        s3 = ctx.client("s3")
        with contextlib.suppress(s3.exceptions.NoSuchBucket):
            s3.delete_public_access_block(Bucket=id)

    def _put(self, ctx: AwsContext, inputs: Props) -> None:
        config = {api_name(flag): bool(inputs.get(flag)) for flag in _PUBLIC_ACCESS_FLAGS}
        ctx.client("s3").put_public_access_block(Bucket=inputs["bucket"], PublicAccessBlockConfiguration=config)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        config = ctx.client("s3").get_public_access_block(Bucket=id)["PublicAccessBlockConfiguration"]
        flags = {flag: bool(config.get(api_name(flag))) for flag in _PUBLIC_ACCESS_FLAGS}
        return {"bucket": id, "skipDestroy": state.get("skipDestroy"), **flags}


def _split_bucket_owner_id(id: str) -> tuple[str, str | None]:
    """Terraform's id for bucket sub-resources: the bucket, or `bucket,owner` (an imported one with an owner)."""
    bucket, _, owner = id.partition(",")
    return bucket, owner or None


def _owner_param(owner: str | None) -> dict[str, str]:
    """The parameter that makes S3 check the bucket's owner, when one is expected."""
    return {"ExpectedBucketOwner": owner} if owner else {}


def _put_bucket_tags(s3: Any, bucket: str, tags: dict[str, str]) -> None:
    """S3 replaces the whole tag set at once; an empty set must be deleted instead."""
    if tags:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_list(tags)})
    else:
        s3.delete_bucket_tagging(Bucket=bucket)


def object_versions(s3: Any, bucket: str, prefix: str = "") -> Iterator[dict[str, Any]]:
    """Every version and delete marker of the objects whose keys start with `prefix`."""
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        yield from page.get("Versions", []) + page.get("DeleteMarkers", [])


def _empty_bucket(s3: Any, bucket: str) -> None:
    """Delete every object version and delete marker, as forceDestroy does (locked objects included)."""
    batch: list[dict[str, str]] = []
    for entry in object_versions(s3, bucket):
        batch.append({"Key": entry["Key"], "VersionId": entry["VersionId"]})
        if len(batch) == _DELETE_BATCH:
            _delete_objects(s3, bucket, batch)
            batch = []
    if batch:
        _delete_objects(s3, bucket, batch)


def _delete_objects(s3: Any, bucket: str, objects: list[dict[str, str]]) -> None:
    s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True}, BypassGovernanceRetention=True)
