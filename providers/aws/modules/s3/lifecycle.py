"""aws:s3 BucketLifecycleConfiguration: a bucket's lifecycle rules, in pulumi-aws 7's form (Terraform's v6 schema:
a rule has an id, a status and an optional filter; dates are RFC 3339)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import CheckFailure, Props, unsupported_input
from envctl.providers.aws.modules.s3.bucket import BUCKET_GONE
from envctl.providers.aws.modules.s3.configuration import BucketConfiguration, without_none
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_dict, tag_list
from envctl.providers.aws.wire import timestamp

_DEFAULT_MINIMUM_SIZE = "all_storage_classes_128K"
_STATUSES = ("Enabled", "Disabled")
_NO_SIZE_FILTER = "the local cloud's lifecycle rules do not filter by object size"
# Fields of a rule the local cloud does not keep, by their path inside the rule.
_REFUSED_IN_RULE = {
    ("filter", "objectSizeGreaterThan"): _NO_SIZE_FILTER,
    ("filter", "objectSizeLessThan"): _NO_SIZE_FILTER,
    ("filter", "and", "objectSizeGreaterThan"): _NO_SIZE_FILTER,
    ("filter", "and", "objectSizeLessThan"): _NO_SIZE_FILTER,
    ("noncurrentVersionExpiration", "newerNoncurrentVersions"):
        "the local cloud's lifecycle rules do not keep newerNoncurrentVersions for noncurrent expirations",
}


@resource_type
class BucketLifecycleConfiguration(BucketConfiguration):
    token = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    aliases = ("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",)
    defaults = {"transitionDefaultMinimumObjectSize": _DEFAULT_MINIMUM_SIZE}
    # `timeouts` bound Terraform's wait for S3 to show the new rules; reads here wait the same way (read_back).
    handled = frozenset({"rules", "transitionDefaultMinimumObjectSize", "timeouts"})
    gone_codes = (*BUCKET_GONE, "NoSuchLifecycleConfiguration")

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
        size = inputs.get("transitionDefaultMinimumObjectSize")
        if size not in (None, _DEFAULT_MINIMUM_SIZE) and not contains_unknown(size):
            failures.append(unsupported_input(self.token, "transitionDefaultMinimumObjectSize",
                                              f"the local cloud applies only {_DEFAULT_MINIMUM_SIZE}"))
        rules = inputs.get("rules")
        if rules in (None, []):
            failures.append(CheckFailure("rules", "S3 needs at least one lifecycle rule; delete the resource for none"))
        for index, rule in enumerate(rules if isinstance(rules, list) and not contains_unknown(rules) else ()):
            failures.extend(self._rule_failures(f"rules[{index}]", rule))
        return failures

    def _rule_failures(self, path: str, rule: Props) -> list[CheckFailure]:
        failures = [unsupported_input(self.token, ".".join((path, *where)), hint)
                    for where, hint in _REFUSED_IN_RULE.items() if _at(rule, where) not in (None, 0)]
        if rule.get("status") not in _STATUSES:
            failures.append(CheckFailure("rules", f"'{path}.status' must be Enabled or Disabled"))
        actions = [rule.get("expiration") or {}, *(rule.get("transitions") or ())]
        for day in (action.get("date") for action in actions):
            if day and not _is_rfc3339(day):
                failures.append(CheckFailure("rules", f"'{path}' date {day!r} is not RFC 3339 "
                                                      "(e.g. 2026-01-01T00:00:00Z)"))
        return failures

    def put(self, s3: Any, bucket: str, inputs: Props) -> None:
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": [_rule_to_api(rule) for rule in inputs.get("rules") or ()]},
            TransitionDefaultMinimumObjectSize=inputs["transitionDefaultMinimumObjectSize"])

    def get(self, s3: Any, bucket: str, state: Props) -> Props:
        answer = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
        return {
            "rules": [_rule_from_api(rule) for rule in answer["Rules"]],
            "transitionDefaultMinimumObjectSize": answer.get("TransitionDefaultMinimumObjectSize"),
            "timeouts": state.get("timeouts"),  # not S3's
        }

    def remove(self, s3: Any, bucket: str, state: Props) -> None:
        s3.delete_bucket_lifecycle(Bucket=bucket)


def _at(block: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        block = block.get(key) if isinstance(block, dict) else None
    return block


def _is_rfc3339(value: str) -> bool:
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except (TypeError, ValueError):
        return False


def _rule_to_api(rule: Props) -> dict[str, Any]:
    """A rule in the API's form; actions that are unset (or zero, Terraform's unset) are left out."""
    api: dict[str, Any] = {"ID": rule["id"], "Status": rule["status"]}
    if rule.get("filter") is not None:
        api["Filter"] = _filter_to_api(rule["filter"])
    elif rule.get("prefix") is not None:
        api["Prefix"] = rule["prefix"]
    else:
        api["Filter"] = {}  # every object
    expiration = rule.get("expiration") or {}
    if expiration.get("date"):
        api["Expiration"] = {"Date": datetime.fromisoformat(expiration["date"])}
    elif expiration.get("days"):
        api["Expiration"] = {"Days": expiration["days"]}
    elif expiration.get("expiredObjectDeleteMarker") is not None:
        api["Expiration"] = {"ExpiredObjectDeleteMarker": expiration["expiredObjectDeleteMarker"]}
    if rule.get("transitions"):
        api["Transitions"] = [_transition_to_api(transition) for transition in rule["transitions"]]
    if (rule.get("noncurrentVersionExpiration") or {}).get("noncurrentDays"):
        api["NoncurrentVersionExpiration"] = {"NoncurrentDays": rule["noncurrentVersionExpiration"]["noncurrentDays"]}
    if rule.get("noncurrentVersionTransitions"):
        api["NoncurrentVersionTransitions"] = [without_none({
            "NoncurrentDays": transition.get("noncurrentDays"), "StorageClass": transition["storageClass"],
            "NewerNoncurrentVersions": transition.get("newerNoncurrentVersions") or None,
        }) for transition in rule["noncurrentVersionTransitions"]]
    if (rule.get("abortIncompleteMultipartUpload") or {}).get("daysAfterInitiation"):
        api["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"]}
    return api


def _filter_to_api(rule_filter: Props) -> dict[str, Any]:
    if rule_filter.get("and"):
        both = rule_filter["and"]
        return {"And": without_none({"Prefix": both.get("prefix"), "Tags": tag_list(both.get("tags") or {}) or None})}
    if rule_filter.get("tag"):
        return {"Tag": {"Key": rule_filter["tag"]["key"], "Value": rule_filter["tag"]["value"]}}
    return {"Prefix": rule_filter.get("prefix") or ""}


def _transition_to_api(transition: Props) -> dict[str, Any]:
    when = {"Date": datetime.fromisoformat(transition["date"])} if transition.get("date") \
        else {"Days": transition.get("days") or 0}
    return {**when, "StorageClass": transition["storageClass"]}


def _rule_from_api(api: dict[str, Any]) -> Props:
    """A rule as pulumi-aws reads it back: every field, unset ones empty."""
    expiration = api.get("Expiration")
    noncurrent = api.get("NoncurrentVersionExpiration")
    abort = api.get("AbortIncompleteMultipartUpload")
    return {
        "id": api.get("ID"),
        "status": api.get("Status"),
        "prefix": api.get("Prefix"),
        "filter": _filter_from_api(api["Filter"]) if "Filter" in api else None,
        "expiration": {
            "date": timestamp(expiration["Date"]) if expiration.get("Date") else None,
            "days": expiration.get("Days"),
            "expiredObjectDeleteMarker": expiration.get("ExpiredObjectDeleteMarker"),
        } if expiration else None,
        "transitions": [{
            "date": timestamp(transition["Date"]) if transition.get("Date") else None,
            "days": transition.get("Days"),
            "storageClass": transition["StorageClass"],
        } for transition in api.get("Transitions") or ()] or None,
        "noncurrentVersionExpiration": {
            "noncurrentDays": noncurrent.get("NoncurrentDays"), "newerNoncurrentVersions": None,
        } if noncurrent else None,
        "noncurrentVersionTransitions": [{
            "noncurrentDays": transition.get("NoncurrentDays"),
            "storageClass": transition["StorageClass"],
            "newerNoncurrentVersions": transition.get("NewerNoncurrentVersions"),
        } for transition in api.get("NoncurrentVersionTransitions") or ()] or None,
        "abortIncompleteMultipartUpload": {"daysAfterInitiation": abort["DaysAfterInitiation"]} if abort else None,
    }


def _filter_from_api(api: dict[str, Any]) -> Props | None:
    if not api:
        return None
    both = api.get("And")
    tag = api.get("Tag")
    return {
        "prefix": api.get("Prefix"),
        "tag": {"key": tag["Key"], "value": tag["Value"]} if tag else None,
        "and": {"prefix": both.get("Prefix"), "tags": tag_dict(both.get("Tags")) or None,
                "objectSizeGreaterThan": None, "objectSizeLessThan": None} if both else None,
        "objectSizeGreaterThan": None,
        "objectSizeLessThan": None,
    }
