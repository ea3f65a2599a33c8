"""aws:s3 BucketAcl: a bucket's access control list, as a canned ACL or as the whole policy (owner and grants)."""

from __future__ import annotations

import json
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.s3.configuration import BucketConfiguration, without_none
from envctl.providers.aws.registry import resource_type

_CANNED = ("private", "public-read", "public-read-write", "aws-exec-read", "authenticated-read",
           "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write")
_GRANTEE_FIELDS = (("type", "Type"), ("id", "ID"), ("uri", "URI"), ("emailAddress", "EmailAddress"),
                   ("displayName", "DisplayName"))


def grantee_to_api(grantee: Props) -> dict[str, str]:
    return without_none({api: grantee.get(wire) for wire, api in _GRANTEE_FIELDS})


def grantee_from_api(api: dict[str, Any]) -> Props:
    return {wire: api.get(name) for wire, name in _GRANTEE_FIELDS}


@resource_type
class BucketAcl(BucketConfiguration):
    token = "aws:s3/bucketAcl:BucketAcl"
    aliases = ("aws:s3/bucketAclV2:BucketAclV2",)
    handled = frozenset({"acl", "accessControlPolicy"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        acl, policy = inputs.get("acl"), inputs.get("accessControlPolicy")
        if bool(acl) == bool(policy):
            return [CheckFailure("acl", "set exactly one of acl or accessControlPolicy")]
        if acl and not contains_unknown(acl) and acl not in _CANNED:
            return [CheckFailure("acl", f"'acl' must be one of {', '.join(_CANNED)}, got {acl!r}")]
        return []

    def diff_form(self, props: Props) -> Props:
        """Grants are a set in Terraform: another order is no change."""
        policy = props.get("accessControlPolicy")
        if not isinstance(policy, dict) or not isinstance(policy.get("grants"), list) or contains_unknown(policy):
            return props
        grants = sorted(policy["grants"], key=lambda grant: json.dumps(grant, sort_keys=True))
        return {**props, "accessControlPolicy": {**policy, "grants": grants}}

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """The policy is also what S3 answers for a canned ACL (Optional+Computed): while the program sets `acl`,
        the policy it does not set is no change."""
        if news.get("acl") and not news.get("accessControlPolicy"):
            return diff.without(["accessControlPolicy"])
        return diff

    def id_for(self, inputs: Props) -> str:
        """Terraform's id: the bucket, then the canned ACL where one is set."""
        return f"{inputs['bucket']},{inputs['acl']}" if inputs.get("acl") else str(inputs["bucket"])

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        """Read without a state (an import), the canned ACL is the one the id names, as Terraform's import takes it."""
        described = super().describe(ctx, id, state)
        if not state and "," in id:
            described["acl"] = id.split(",", 1)[1]
        return described

    def put(self, s3: Any, bucket: str, inputs: Props) -> None:
        if inputs.get("acl"):
            s3.put_bucket_acl(Bucket=bucket, ACL=inputs["acl"])
            return
        policy = inputs["accessControlPolicy"]
        owner = policy["owner"]
        s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={
            "Owner": without_none({"ID": owner["id"], "DisplayName": owner.get("displayName")}),
            "Grants": [{"Grantee": grantee_to_api(grant["grantee"]), "Permission": grant["permission"]}
                       for grant in policy.get("grants") or ()],
        })

    def get(self, s3: Any, bucket: str, state: Props) -> Props:
        answer = s3.get_bucket_acl(Bucket=bucket)
        owner = answer["Owner"]
        return {
            "acl": state.get("acl"),  # S3 answers the grants a canned ACL made, not its name
            "accessControlPolicy": {
                "owner": {"id": owner.get("ID"), "displayName": owner.get("DisplayName")},
                "grants": [{"grantee": grantee_from_api(grant["Grantee"]), "permission": grant["Permission"]}
                           for grant in answer.get("Grants") or ()],
            },
        }

    def remove(self, s3: Any, bucket: str, state: Props) -> None:
        """Nothing: an ACL cannot be taken off a bucket, and pulumi-aws leaves it as it is (Terraform's delete only
        forgets the resource)."""
