"""aws:s3 BucketLogging: where S3 writes a bucket's server access logs."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import CheckFailure, Props, unsupported_input
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.s3.acl import grantee_from_api, grantee_to_api
from envctl.providers.aws.modules.s3.configuration import BucketConfiguration
from envctl.providers.aws.registry import resource_type

_PARTITIONED = "the local cloud keeps no log object key format; only the simple prefix format is emulated"


@resource_type
class BucketLogging(BucketConfiguration):
    token = "aws:s3/bucketLogging:BucketLogging"
    aliases = ("aws:s3/bucketLoggingV2:BucketLoggingV2",)
    required = ("bucket", "targetBucket", "targetPrefix")
    handled = frozenset({"targetGrants", "targetObjectKeyFormat"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        key_format = inputs.get("targetObjectKeyFormat")
        if isinstance(key_format, dict) and key_format.get("partitionedPrefix"):
            return [unsupported_input(self.token, "targetObjectKeyFormat.partitionedPrefix", _PARTITIONED)]
        return []

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        """Gone when the bucket logs nowhere."""
        found = super().read(ctx, id, state)
        return found if found and found.get("targetBucket") else None

    def put(self, s3: Any, bucket: str, inputs: Props) -> None:
        enabled: dict[str, Any] = {"TargetBucket": inputs["targetBucket"], "TargetPrefix": inputs["targetPrefix"]}
        if inputs.get("targetGrants"):
            enabled["TargetGrants"] = [{"Grantee": grantee_to_api(grant["grantee"]), "Permission": grant["permission"]}
                                       for grant in inputs["targetGrants"]]
        s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": enabled})

    def get(self, s3: Any, bucket: str, state: Props) -> Props:
        enabled = s3.get_bucket_logging(Bucket=bucket).get("LoggingEnabled") or {}
        return {
            "targetBucket": enabled.get("TargetBucket"),
            "targetPrefix": enabled.get("TargetPrefix"),
            "targetGrants": [{"grantee": grantee_from_api(grant["Grantee"]), "permission": grant["Permission"]}
                             for grant in enabled.get("TargetGrants") or ()] or None,
            "targetObjectKeyFormat": state.get("targetObjectKeyFormat"),  # only the simple format, see validate
        }

    def remove(self, s3: Any, bucket: str, state: Props) -> None:
        s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
