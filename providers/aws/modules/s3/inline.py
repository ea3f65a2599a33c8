"""The inline configurations of an aws:s3 Bucket, which pulumi-aws 7 keeps from the old Bucket type: each put from
its input and read back into it (an empty value where S3 has none). All are Optional+Computed in Terraform: a
bucket's configuration that the program leaves out is not managed, and is read back all the same."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlparse

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import CheckFailure, Props, unsupported_input
from envctl.providers.aws.documents import document_from_cloud, json_equivalent, policies_equivalent
from envctl.providers.aws.errors import found_or_none
from envctl.providers.aws.naming import prefixed_unique_id
from envctl.providers.aws.tags import tag_dict, tag_list
from envctl.providers.aws.wire import api_keys, wire_keys

_RETENTION = (("mode", "Mode"), ("days", "Days"), ("years", "Years"))
MFA_DELETE = "MFA delete needs the bucket owner's MFA device, which the local cloud does not emulate"
EXPECTED_OWNER = "the local cloud does not check a bucket's owner"
# Regions whose website endpoint has a dash before the region rather than a dot (Terraform's isOldRegion).
_DASHED_WEBSITE_REGIONS = frozenset({
    "ap-northeast-1", "ap-southeast-1", "ap-southeast-2", "eu-west-1", "sa-east-1", "us-east-1", "us-gov-west-1",
    "us-west-1", "us-west-2",
})


def website_domain(region: str, partition: str) -> str:
    """The domain of a bucket's website endpoint in a region (Terraform's WebsiteDomainURL)."""
    suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return f"s3-website-{region}.{suffix}" if region in _DASHED_WEBSITE_REGIONS else f"s3-website.{region}.{suffix}"




def configured(value: Any) -> bool:
    """Whether an inline configuration is set at all (Terraform takes an empty one for none)."""
    return value not in (None, "", [], {})


def known_block(value: Any) -> Props:
    """A block's value once it is known (check sees it again then); {} for none."""
    return value if isinstance(value, dict) and not contains_unknown(value) else {}


def _given(block: Props) -> Props:
    """The fields of a block that have a value (boto3 refuses None)."""
    return {key: value for key, value in block.items() if value is not None}


@dataclass(frozen=True)
class Inline:
    """One inline configuration: `put(s3, bucket, value)` applies the input's value, `read(s3, bucket, state)`
    answers it as S3 has it now."""

    put: Callable[[Any, str, Any], None]
    read: Callable[[Any, str, Props], Any]


# ---- versioning and encryption ---------------------------------------------------------------


def _put_versioning(s3: Any, bucket: str, versioning: Props) -> None:
    # A bucket never versioned stays so when versioning is off: S3 cannot be set back to that state.
    if not versioning.get("enabled") and "Status" not in s3.get_bucket_versioning(Bucket=bucket):
        return
    # MFA delete is refused at check, so it is always off here.
    config = {"Status": "Enabled" if versioning.get("enabled") else "Suspended", "MFADelete": "Disabled"}
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration=config)


def _read_versioning(s3: Any, bucket: str, state: Props) -> Props:
    versioning = s3.get_bucket_versioning(Bucket=bucket)
    return {"enabled": versioning.get("Status") == "Enabled", "mfaDelete": versioning.get("MFADelete") == "Enabled"}


def _put_encryption(s3: Any, bucket: str, config: Props) -> None:
    rule = config.get("rule") or {}
    by_default = rule.get("applyServerSideEncryptionByDefault") or {}
    api_rule: dict[str, Any] = {"BucketKeyEnabled": bool(rule.get("bucketKeyEnabled"))}
    if by_default:
        api_rule["ApplyServerSideEncryptionByDefault"] = {"SSEAlgorithm": by_default["sseAlgorithm"]}
        if by_default.get("kmsMasterKeyId"):
            api_rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] = by_default["kmsMasterKeyId"]
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [api_rule]})


def _read_encryption(s3: Any, bucket: str, state: Props) -> Props | None:
    answer = found_or_none(s3.get_bucket_encryption, ("ServerSideEncryptionConfigurationNotFoundError",), Bucket=bucket)
    if not answer:
        return None
    api_rule = answer["ServerSideEncryptionConfiguration"]["Rules"][0]
    rule: Props = {"bucketKeyEnabled": bool(api_rule.get("BucketKeyEnabled"))}
    by_default = api_rule.get("ApplyServerSideEncryptionByDefault")
    if by_default:
        rule["applyServerSideEncryptionByDefault"] = {"sseAlgorithm": by_default["SSEAlgorithm"]}
        if by_default.get("KMSMasterKeyID"):
            rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] = by_default["KMSMasterKeyID"]
    return {"rule": rule}


# ---- website -----------------------------------------------------------------------------------


def _put_website(s3: Any, bucket: str, website: Props) -> None:
    config: dict[str, Any] = {}
    if website.get("indexDocument"):
        config["IndexDocument"] = {"Suffix": website["indexDocument"]}
    if website.get("errorDocument"):
        config["ErrorDocument"] = {"Key": website["errorDocument"]}
    if website.get("redirectAllRequestsTo"):
        config["RedirectAllRequestsTo"] = _redirect(website["redirectAllRequestsTo"])
    if website.get("routingRules"):  # S3's own JSON
        config["RoutingRules"] = json.loads(website["routingRules"])
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=config)


def _redirect(target: str) -> dict[str, str]:
    """`https://example.com` redirects with that protocol, `example.com` with the request's (as Terraform)."""
    url = urlparse(target)
    if not url.scheme:
        return {"HostName": target}
    return {"HostName": url.netloc + url.path + (f"?{url.query}" if url.query else ""), "Protocol": url.scheme}


def _read_website(s3: Any, bucket: str, state: Props) -> Props | None:
    answer = found_or_none(s3.get_bucket_website, ("NoSuchWebsiteConfiguration",), Bucket=bucket)
    if not answer:
        return None
    redirect = answer.get("RedirectAllRequestsTo") or {}
    rules = answer.get("RoutingRules")
    configured_rules = (state.get("website") or {}).get("routingRules")
    return {
        "indexDocument": (answer.get("IndexDocument") or {}).get("Suffix"),
        "errorDocument": (answer.get("ErrorDocument") or {}).get("Key"),
        "redirectAllRequestsTo": (f"{redirect['Protocol']}://{redirect['HostName']}" if redirect.get("Protocol")
                                  else redirect.get("HostName")),
        "routingRules": document_from_cloud(configured_rules, rules, json_equivalent) if rules else None,
    }


# ---- CORS, lifecycle, logging ------------------------------------------------------------------


def _put_cors(s3: Any, bucket: str, rules: list[Props]) -> None:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [api_keys(_given(rule)) for rule in rules]})


def _read_cors(s3: Any, bucket: str, state: Props) -> list[Props]:
    answer = found_or_none(s3.get_bucket_cors, ("NoSuchCORSConfiguration",), Bucket=bucket)
    rules = answer["CORSRules"] if answer else []
    return [wire_keys({key: value for key, value in rule.items() if key != "ID"}) for rule in rules]


def _put_lifecycle(s3: Any, bucket: str, rules: list[Props]) -> None:
    s3.put_bucket_lifecycle_configuration(Bucket=bucket,
                                          LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in rules]})


def _lifecycle_rule(rule: Props) -> dict[str, Any]:
    """A rule in the API's form, as Terraform builds it (a rule without an id gets a unique one)."""
    prefix, tags = rule.get("prefix") or "", rule.get("tags") or {}
    api: dict[str, Any] = {
        "ID": rule.get("id") or prefixed_unique_id("tf-s3-lifecycle-"),
        "Status": "Enabled" if rule.get("enabled") else "Disabled",
        "Filter": {"And": {"Prefix": prefix, "Tags": tag_list(tags)}} if tags else {"Prefix": prefix},
    }
    if rule.get("abortIncompleteMultipartUploadDays"):
        api["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": rule["abortIncompleteMultipartUploadDays"]}
    if rule.get("expiration"):
        api["Expiration"] = _expiration(rule["expiration"])
    if (rule.get("noncurrentVersionExpiration") or {}).get("days"):
        api["NoncurrentVersionExpiration"] = {"NoncurrentDays": rule["noncurrentVersionExpiration"]["days"]}
    if rule.get("transitions"):
        api["Transitions"] = [_transition(transition) for transition in rule["transitions"]]
    if rule.get("noncurrentVersionTransitions"):
        api["NoncurrentVersionTransitions"] = [{"NoncurrentDays": t.get("days") or 0, "StorageClass": t["storageClass"]}
                                               for t in rule["noncurrentVersionTransitions"]]
    return api


def _expiration(expiration: Props) -> dict[str, Any]:
    """One of a date, a number of days or the removal of expired delete markers, in that order (as Terraform)."""
    if expiration.get("date"):
        return {"Date": _midnight(expiration["date"])}
    if expiration.get("days"):
        return {"Days": expiration["days"]}
    return {"ExpiredObjectDeleteMarker": bool(expiration.get("expiredObjectDeleteMarker"))}


def _transition(transition: Props) -> dict[str, Any]:
    when = {"Date": _midnight(transition["date"])} if transition.get("date") else {"Days": transition.get("days") or 0}
    return {**when, "StorageClass": transition["storageClass"]}


def _midnight(day: str) -> datetime:
    """A lifecycle date (YYYY-MM-DD) as the midnight UTC that S3 takes."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC)


def _read_lifecycle(s3: Any, bucket: str, state: Props) -> list[Props]:
    answer = found_or_none(s3.get_bucket_lifecycle_configuration, ("NoSuchLifecycleConfiguration",), Bucket=bucket)
    return [_lifecycle_rule_read(rule) for rule in answer["Rules"]] if answer else []


def _lifecycle_rule_read(rule: dict[str, Any]) -> Props:
    """A rule as Terraform reads it back: the filter's prefix and tags, and only the actions that are set."""
    rule_filter = rule.get("Filter") or {}
    matching = rule_filter.get("And") or rule_filter
    tags = matching.get("Tags") or ([matching["Tag"]] if matching.get("Tag") else [])
    expiration = rule.get("Expiration") or {}
    noncurrent = rule.get("NoncurrentVersionExpiration") or {}
    return {
        "id": rule.get("ID"),
        "prefix": matching.get("Prefix") or rule.get("Prefix") or None,
        "tags": tag_dict(tags) or None,
        "enabled": rule.get("Status") == "Enabled",
        "abortIncompleteMultipartUploadDays": (rule.get("AbortIncompleteMultipartUpload") or {}).get(
            "DaysAfterInitiation"),
        "expiration": {
            "date": _day(expiration.get("Date")),
            "days": expiration.get("Days"),
            "expiredObjectDeleteMarker": expiration.get("ExpiredObjectDeleteMarker"),
        } if expiration else None,
        "noncurrentVersionExpiration": {"days": noncurrent["NoncurrentDays"]} if noncurrent else None,
        "transitions": [{"date": _day(t.get("Date")), "days": t.get("Days"), "storageClass": t["StorageClass"]}
                        for t in rule.get("Transitions") or ()] or None,
        "noncurrentVersionTransitions": [{"days": t.get("NoncurrentDays"), "storageClass": t["StorageClass"]}
                                         for t in rule.get("NoncurrentVersionTransitions") or ()] or None,
    }


def _day(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%d") if value else None


def _put_logging(s3: Any, bucket: str, logging: Props) -> None:
    enabled = {"TargetBucket": logging["targetBucket"], "TargetPrefix": logging.get("targetPrefix") or ""}
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": enabled})


def _read_logging(s3: Any, bucket: str, state: Props) -> Props | None:
    enabled = s3.get_bucket_logging(Bucket=bucket).get("LoggingEnabled")
    return {"targetBucket": enabled["TargetBucket"], "targetPrefix": enabled.get("TargetPrefix")} if enabled else None


# ---- access: policy, ACL, grants ---------------------------------------------------------------


def _put_policy(s3: Any, bucket: str, policy: str) -> None:
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)


def _read_policy(s3: Any, bucket: str, state: Props) -> str | None:
    answer = found_or_none(s3.get_bucket_policy, ("NoSuchBucketPolicy",), Bucket=bucket)
    return document_from_cloud(state.get("policy"), answer["Policy"], policies_equivalent) if answer else None


def _put_acl(s3: Any, bucket: str, acl: str) -> None:
    s3.put_bucket_acl(Bucket=bucket, ACL=acl)


def _read_acl(s3: Any, bucket: str, state: Props) -> str | None:
    return state.get("acl")  # S3 answers the grants a canned ACL made, not its name


def _put_grants(s3: Any, bucket: str, grants: list[Props]) -> None:
    """The grants replace the bucket's whole access control list (its owner stays the owner)."""
    owner = s3.get_bucket_acl(Bucket=bucket)["Owner"]
    api = [{"Grantee": _grantee(grant), "Permission": permission}
           for grant in grants for permission in grant["permissions"]]
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": owner, "Grants": api})


def _grantee(grant: Props) -> dict[str, str]:
    """A canonical user by id, or a group by URI."""
    return {"Type": grant["type"], **({"ID": grant["id"]} if grant.get("id") else {}),
            **({"URI": grant["uri"]} if grant.get("uri") else {})}


def _read_grants(s3: Any, bucket: str, state: Props) -> list[Props]:
    permissions: dict[tuple[str, str | None, str | None], list[str]] = {}
    for grant in s3.get_bucket_acl(Bucket=bucket)["Grants"]:
        grantee = grant["Grantee"]
        permissions.setdefault((grantee["Type"], grantee.get("ID"), grantee.get("URI")), []).append(grant["Permission"])
    return canonical_grants([{"type": kind, "id": id, "uri": uri, "permissions": granted}
                             for (kind, id, uri), granted in permissions.items()])


def canonical_grants(grants: Any) -> Any:
    """Grants in one order, each with its permissions in one order: both are sets in Terraform."""
    if not isinstance(grants, list) or contains_unknown(grants):
        return grants
    ordered = [{**_given(grant), "permissions": sorted(grant.get("permissions") or ())} for grant in grants]
    return sorted(ordered, key=lambda grant: json.dumps(grant, sort_keys=True))


# ---- acceleration, object lock -----------------------------------------------------------------


def _put_acceleration(s3: Any, bucket: str, status: str) -> None:
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": status})


def _read_acceleration(s3: Any, bucket: str, state: Props) -> str | None:
    return s3.get_bucket_accelerate_configuration(Bucket=bucket).get("Status")


def _put_object_lock(s3: Any, bucket: str, config: Props) -> None:
    lock: dict[str, Any] = {"ObjectLockEnabled": config.get("objectLockEnabled") or "Enabled"}
    retention = (config.get("rule") or {}).get("defaultRetention") or {}
    if retention:
        lock["Rule"] = {"DefaultRetention": {api: retention[wire] for wire, api in _RETENTION if retention.get(wire)}}
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=lock)


def _read_object_lock(s3: Any, bucket: str, state: Props) -> Props | None:
    answer = found_or_none(s3.get_object_lock_configuration, ("ObjectLockConfigurationNotFoundError",), Bucket=bucket)
    if not answer:
        return None
    lock = answer["ObjectLockConfiguration"]
    retention = (lock.get("Rule") or {}).get("DefaultRetention")
    # S3 answers 0 for the one of days and years that is not set.
    rule = {"defaultRetention": {wire: retention.get(api) or None for wire, api in _RETENTION}} if retention else None
    return {"objectLockEnabled": lock.get("ObjectLockEnabled"), "rule": rule}


# In the order they are put: versioning before the object lock and lifecycle rules that depend on it.
INLINE: dict[str, Inline] = {
    "versioning": Inline(_put_versioning, _read_versioning),
    "serverSideEncryptionConfiguration": Inline(_put_encryption, _read_encryption),
    "objectLockConfiguration": Inline(_put_object_lock, _read_object_lock),
    "website": Inline(_put_website, _read_website),
    "corsRules": Inline(_put_cors, _read_cors),
    "lifecycleRules": Inline(_put_lifecycle, _read_lifecycle),
    "logging": Inline(_put_logging, _read_logging),
    "policy": Inline(_put_policy, _read_policy),
    "acl": Inline(_put_acl, _read_acl),
    "grants": Inline(_put_grants, _read_grants),
    "accelerationStatus": Inline(_put_acceleration, _read_acceleration),
}


def put_inline(s3: Any, bucket: str, inputs: Props, keys: list[str] | None = None) -> None:
    """Apply the inline configurations the inputs set (of `keys`, when given)."""
    for key, inline in INLINE.items():
        if (keys is None or key in keys) and configured(inputs.get(key)):
            inline.put(s3, bucket, inputs[key])


def read_inline(s3: Any, bucket: str, state: Props) -> Props:
    return {key: inline.read(s3, bucket, state) for key, inline in INLINE.items()}


def inline_failures(token: str, inputs: Props) -> list[CheckFailure]:
    """What S3 would refuse, or the local cloud cannot do, in the inline configurations."""
    failures = []
    if known_block(inputs.get("versioning")).get("mfaDelete"):
        failures.append(mfa_delete_failure(token, "versioning.mfaDelete"))
    if known_block(known_block(inputs.get("serverSideEncryptionConfiguration")).get("rule")).get(
            "blockedEncryptionTypes"):
        failures.append(unsupported_input(token, "serverSideEncryptionConfiguration.rule.blockedEncryptionTypes",
                                          "the local cloud does not block encryption types"))
    if website := known_block(inputs.get("website")):
        failures.extend(_website_failures(website))
    failures.extend(_lifecycle_failures(inputs.get("lifecycleRules")))
    if configured(inputs.get("acl")) and configured(inputs.get("grants")):
        failures.append(CheckFailure("grants", "set at most one of acl or grants"))
    if inputs.get("objectLockEnabled") and configured(inputs.get("objectLockConfiguration")):
        failures.append(CheckFailure("objectLockConfiguration",
                                     "set at most one of objectLockEnabled or objectLockConfiguration"))
    return failures


def _website_failures(website: Props) -> list[CheckFailure]:
    if not website.get("indexDocument") and not website.get("redirectAllRequestsTo"):
        return [CheckFailure("website", "a website needs an indexDocument or redirectAllRequestsTo")]
    try:
        json.loads(website.get("routingRules") or "[]")
    except (TypeError, ValueError) as error:
        return [CheckFailure("website", f"'website.routingRules' is not valid JSON: {error}")]
    return []


def _lifecycle_failures(rules: Any) -> list[CheckFailure]:
    """Lifecycle dates must be days (YYYY-MM-DD), as S3 keeps them."""
    for rule in rules if isinstance(rules, list) else ():
        actions = [rule.get("expiration") or {}, *(rule.get("transitions") or ())] if isinstance(rule, dict) else []
        for day in (action.get("date") for action in actions if isinstance(action, dict)):
            if day and not contains_unknown(day) and not _is_day(day):
                return [CheckFailure("lifecycleRules", f"lifecycle date '{day}' is not a day (YYYY-MM-DD)")]
    return []


def _is_day(value: Any) -> bool:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def mfa_delete_failure(token: str, path: str) -> CheckFailure:
    return unsupported_input(token, path, MFA_DELETE)
