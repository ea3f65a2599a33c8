"""aws cloudwatch: LogGroup (CloudWatch Logs)."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import remove
from envctl.providers.aws.listing import listed
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tags_from_cloud

LOGS_GONE = ("ResourceNotFoundException",)  # CloudWatch Logs' answer for a group, stream or filter not there

# The retention periods CloudWatch Logs accepts (0 = never expire), as Terraform validates them.
RETENTION_DAYS = frozenset(
    {0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)
# Log groups of this class take no retention policy.
_DELIVERY = "DELIVERY"


@resource_type
class LogGroup(AwsResource):
    token = "aws:cloudwatch/logGroup:LogGroup"
    id_property = "name"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = 512
    defaults = {"retentionInDays": 0, "logGroupClass": "STANDARD", "skipDestroy": False}
    force_new = frozenset({"name", "namePrefix", "logGroupClass", "region"})
    handled = frozenset({"retentionInDays", "kmsKeyId", "logGroupClass", "deletionProtectionEnabled", "skipDestroy"})
    outputs = frozenset({"arn"})
    gone_codes = LOGS_GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        days = inputs.get("retentionInDays")
        if isinstance(days, int | float) and int(days) not in RETENTION_DAYS:
            allowed = ", ".join(str(d) for d in sorted(RETENTION_DAYS))
            return [CheckFailure("retentionInDays", f"retentionInDays must be one of {allowed}; got {days}")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        logs = ctx.client("logs")
        name = self.physical_name(inputs)
        tags_all = self.tags_all(ctx, urn, inputs)
        params: dict[str, Any] = {"logGroupName": name, "logGroupClass": inputs["logGroupClass"]}
        if tags_all:
            params["tags"] = tags_all
        if inputs.get("kmsKeyId"):
            params["kmsKeyId"] = inputs["kmsKeyId"]
        if inputs.get("deletionProtectionEnabled") is not None:
            params["deletionProtectionEnabled"] = inputs["deletionProtectionEnabled"]
        logs.create_log_group(**params)
        if inputs.get("retentionInDays") and inputs["logGroupClass"] != _DELIVERY:
            logs.put_retention_policy(logGroupName=name, retentionInDays=int(inputs["retentionInDays"]))
        return name, self.describe(ctx, name, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        logs = ctx.client("logs")
        changed = set(diff.changed)
        if "retentionInDays" in changed:
            if news.get("retentionInDays"):
                logs.put_retention_policy(logGroupName=id, retentionInDays=int(news["retentionInDays"]))
            else:
                logs.delete_retention_policy(logGroupName=id)
        if "kmsKeyId" in changed:
            if news.get("kmsKeyId"):
                logs.associate_kms_key(logGroupName=id, kmsKeyId=news["kmsKeyId"])
            else:
                logs.disassociate_kms_key(logGroupName=id)
        if "deletionProtectionEnabled" in changed:
            logs.put_log_group_deletion_protection(
                logGroupIdentifier=olds["arn"], deletionProtectionEnabled=bool(news.get("deletionProtectionEnabled"))
            )
        # tagsAll also changes with the provider's default tags, so it is reconciled on every update.
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: logs.tag_resource(resourceArn=olds["arn"], tags=tags),
                  lambda keys: logs.untag_resource(resourceArn=olds["arn"], tagKeys=keys))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if state.get("skipDestroy"):
            return  # the log group is left in the cloud and only forgotten
        remove(ctx.client("logs").delete_log_group, gone=LOGS_GONE, logGroupName=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        group = _describe_log_group(ctx, id)
        # pulumi-aws v7 gives the ARN without DescribeLogGroups' ":*" suffix.
        arn = group.get("logGroupArn") or group["arn"].removesuffix(":*")
        tags = ctx.client("logs").list_tags_for_resource(resourceArn=arn)["tags"]
        return {
            **state,
            "id": id,
            "name": id,
            "arn": arn,
            "region": ctx.region,
            "retentionInDays": int(group.get("retentionInDays") or 0),
            "kmsKeyId": group.get("kmsKeyId"),
            # AWS always reports these two; moto does not, and then the recorded value stands.
            "logGroupClass": group.get("logGroupClass", state.get("logGroupClass")),
            "deletionProtectionEnabled": group.get("deletionProtectionEnabled", state.get("deletionProtectionEnabled")),
            **tags_from_cloud(ctx, state, tags),
        }


def _describe_log_group(ctx: AwsContext, name: str) -> dict[str, Any]:
    """The log group named exactly `name`; raises ResourceNotFoundException, as other Logs calls do, if absent."""
    logs = ctx.client("logs")
    for group in listed(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=name):
        if group["logGroupName"] == name:
            return group
    raise logs.exceptions.ResourceNotFoundException(
        {"Error": {"Code": "ResourceNotFoundException", "Message": f"log group {name} does not exist"}},
        "DescribeLogGroups",
    )
