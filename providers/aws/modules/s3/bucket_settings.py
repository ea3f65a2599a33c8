"""aws:s3 types that each set one plain configuration of a bucket: BucketServerSideEncryptionConfiguration,
BucketCorsConfiguration, BucketAccelerateConfiguration and BucketOwnershipControls."""

from __future__ import annotations

from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import CheckFailure, CheckResult, Props, unsupported_input
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none
from envctl.providers.aws.modules.s3.bucket import BUCKET_GONE
from envctl.providers.aws.modules.s3.configuration import BucketConfiguration, with_sets_sorted, without_none
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.wire import api_keys, wire_keys

BLOCKED_ENCRYPTION = "the local cloud does not block encryption types"
_ACCELERATION_STATUSES = ("Enabled", "Suspended")
_CORS_SETS = ("allowedHeaders", "allowedMethods", "allowedOrigins", "exposeHeaders")
_OWNERSHIPS = ("BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced")


def _one_of(key: str, value: Any, allowed: tuple[str, ...]) -> list[CheckFailure]:
    if value is None or contains_unknown(value) or value in allowed:
        return []
    return [CheckFailure(key, f"'{key}' must be one of {', '.join(allowed)}, got {value!r}")]


# ---- default encryption ----------------------------------------------------------------------


def encryption_rule_to_api(rule: Props) -> dict[str, Any]:
    """A rule in the API's form (its names are not the wire names capitalised: SSEAlgorithm, KMSMasterKeyID)."""
    api: dict[str, Any] = {}
    by_default = rule.get("applyServerSideEncryptionByDefault")
    if by_default:
        api["ApplyServerSideEncryptionByDefault"] = without_none(
            {"SSEAlgorithm": by_default["sseAlgorithm"], "KMSMasterKeyID": by_default.get("kmsMasterKeyId") or None})
    if rule.get("bucketKeyEnabled") is not None:
        api["BucketKeyEnabled"] = bool(rule["bucketKeyEnabled"])
    return api


def encryption_rule_from_api(api: dict[str, Any]) -> Props:
    by_default = api.get("ApplyServerSideEncryptionByDefault")
    return {
        "applyServerSideEncryptionByDefault": {
            "sseAlgorithm": by_default["SSEAlgorithm"], "kmsMasterKeyId": by_default.get("KMSMasterKeyID"),
        } if by_default else None,
        "bucketKeyEnabled": bool(api.get("BucketKeyEnabled")),
        "blockedEncryptionTypes": None,
    }


@resource_type
class BucketServerSideEncryptionConfiguration(BucketConfiguration):
    token = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    aliases = ("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",)
    required = ("bucket", "rules")
    handled = frozenset()  # the bucket and its rules
    gone_codes = (*BUCKET_GONE, "ServerSideEncryptionConfigurationNotFoundError")

    def validate(self, inputs: Props) -> list[CheckFailure]:
        rules = inputs.get("rules")
        return [unsupported_input(self.token, f"rules[{index}].blockedEncryptionTypes", BLOCKED_ENCRYPTION)
                for index, rule in enumerate(rules if isinstance(rules, list) else ())
                if isinstance(rule, dict) and rule.get("blockedEncryptionTypes")]

    def put(self, s3: Any, bucket: str, inputs: Props) -> None:
        rules = [encryption_rule_to_api(rule) for rule in inputs["rules"]]
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules})

    def get(self, s3: Any, bucket: str, state: Props) -> Props:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        return {"rules": [encryption_rule_from_api(rule) for rule in rules]}

    def remove(self, s3: Any, bucket: str, state: Props) -> None:
        s3.delete_bucket_encryption(Bucket=bucket)


# ---- CORS ------------------------------------------------------------------------------------


@resource_type
class BucketCorsConfiguration(BucketConfiguration):
    token = "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration"
    aliases = ("aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2",)
    required = ("bucket", "corsRules")
    handled = frozenset()  # the bucket and its rules
    gone_codes = (*BUCKET_GONE, "NoSuchCORSConfiguration")

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        if "corsRules" in news:
            news = {**news, "corsRules": with_sets_sorted(news["corsRules"], _CORS_SETS)}
        return super().check(logical_name, olds, news)

    def put(self, s3: Any, bucket: str, inputs: Props) -> None:
        rules = [api_keys(without_none({**rule, "id": None})) | ({"ID": rule["id"]} if rule.get("id") else {})
                 for rule in inputs["corsRules"]]
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})

    def get(self, s3: Any, bucket: str, state: Props) -> Props:
        rules = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
        return {"corsRules": [{
            "allowedHeaders": None, "exposeHeaders": None, "maxAgeSeconds": None,
            **wire_keys({key: value for key, value in rule.items() if key != "ID"}),
            "id": rule.get("ID"),
        } for rule in rules]}

    def remove(self, s3: Any, bucket: str, state: Props) -> None:
        s3.delete_bucket_cors(Bucket=bucket)


# ---- transfer acceleration -------------------------------------------------------------------


@resource_type
class BucketAccelerateConfiguration(BucketConfiguration):
    token = "aws:s3/bucketAccelerateConfiguration:BucketAccelerateConfiguration"
    aliases = ("aws:s3/bucketAccelerateConfigurationV2:BucketAccelerateConfigurationV2",)
    required = ("bucket", "status")
    handled = frozenset()  # the bucket and its status

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return _one_of("status", inputs.get("status"), _ACCELERATION_STATUSES)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        """Gone when S3 reports no status (the bucket was never accelerated), as in Terraform."""
        found = super().read(ctx, id, state)
        return found if found and found.get("status") else None

    def put(self, s3: Any, bucket: str, inputs: Props) -> None:
        s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": inputs["status"]})

    def get(self, s3: Any, bucket: str, state: Props) -> Props:
        return {"status": s3.get_bucket_accelerate_configuration(Bucket=bucket).get("Status")}

    def remove(self, s3: Any, bucket: str, state: Props) -> None:
        """S3 cannot take acceleration off a bucket, only suspend it; that is what deleting does (as Terraform)."""
        s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Suspended"})


# ---- object ownership ------------------------------------------------------------------------


@resource_type
class BucketOwnershipControls(BucketConfiguration):
    token = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
    required = ("bucket", "rule")
    force_new = frozenset({"bucket"})
    unsupported: dict[str, str] = {}
    handled = frozenset()  # the bucket and its rule
    gone_codes = (*BUCKET_GONE, "OwnershipControlsNotFoundError")

    def validate(self, inputs: Props) -> list[CheckFailure]:
        rule = inputs.get("rule")
        return _one_of("rule", rule.get("objectOwnership"), _OWNERSHIPS) if isinstance(rule, dict) else []

    def put(self, s3: Any, bucket: str, inputs: Props) -> None:
        rules = [{"ObjectOwnership": inputs["rule"]["objectOwnership"]}]
        s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": rules})

    def get(self, s3: Any, bucket: str, state: Props) -> Props:
        rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
        return {"rule": {"objectOwnership": rules[0]["ObjectOwnership"]}}

    def remove(self, s3: Any, bucket: str, state: Props) -> None:
        found_or_none(s3.delete_bucket_ownership_controls, ("OwnershipControlsNotFoundError",), Bucket=bucket)
