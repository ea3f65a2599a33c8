"""aws:route53 health checks, as failover and weighted records use them."""

from __future__ import annotations

import uuid
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import AwsResource, CheckFailure, CheckResult, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import remove
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.route53.shared import HEALTH_CHECK_GONE, change_tags, cloud_tags, tagged_with_urn
from envctl.providers.aws.registry import resource_type

# Inputs and the HealthCheckConfig fields that hold them; the first ones can be changed in place.
_UPDATABLE = {
    "ipAddress": "IPAddress",
    "port": "Port",
    "resourcePath": "ResourcePath",
    "fqdn": "FullyQualifiedDomainName",
    "searchString": "SearchString",
    "failureThreshold": "FailureThreshold",
    "childHealthThreshold": "HealthThreshold",
    "invertHealthcheck": "Inverted",
    "disabled": "Disabled",
    "enableSni": "EnableSNI",
    "childHealthchecks": "ChildHealthChecks",
    "regions": "Regions",
}
_AT_CREATION = {"type": "Type", "requestInterval": "RequestInterval", "measureLatency": "MeasureLatency"}
_NOT_EMULATED = "is not emulated by the local cloud"


@resource_type
class HealthCheck(AwsResource):
    token = "aws:route53/healthCheck:HealthCheck"
    regional = False
    required = ("type",)
    defaults = {"disabled": False, "measureLatency": False}
    force_new = frozenset({"type", "requestInterval", "measureLatency", "referenceName", "routingControlArn"})
    handled = frozenset({*_UPDATABLE, *_AT_CREATION, "referenceName", "triggers"})
    unsupported = {
        "cloudwatchAlarmName": f"a health check on a CloudWatch alarm {_NOT_EMULATED}",
        "cloudwatchAlarmRegion": f"a health check on a CloudWatch alarm {_NOT_EMULATED}",
        "insufficientDataHealthStatus": f"a health check on a CloudWatch alarm {_NOT_EMULATED}",
        "routingControlArn": f"Route 53 Application Recovery Controller {_NOT_EMULATED}",
    }
    outputs = frozenset({"arn"})
    set_properties = ("childHealthchecks", "regions")
    gone_codes = HEALTH_CHECK_GONE

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        """The type in upper case, as Terraform keeps it."""
        if isinstance(news.get("type"), str):
            news = {**news, "type": news["type"].upper()}
        return super().check(logical_name, olds, news)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        regions = inputs.get("regions")
        if isinstance(regions, list) and regions and not contains_unknown(regions) and len(regions) < 3:
            return [CheckFailure("regions", "a health check runs from at least 3 regions, or from AWS's default set")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        # Terraform's caller reference: the reference name, if any, before a unique part.
        reference = "-".join(part for part in (inputs.get("referenceName"), str(uuid.uuid4())) if part)
        config = _config(inputs, {**_AT_CREATION, **_UPDATABLE})
        answer = ctx.client("route53").create_health_check(CallerReference=reference, HealthCheckConfig=config)
        id = answer["HealthCheck"]["Id"]
        change_tags(ctx, "healthcheck", id, {}, self.tags_all(ctx, urn, inputs))
        return id, {**inputs, **self.describe(ctx, id, inputs)}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        checks = listed(ctx.client("route53"), "list_health_checks", "HealthChecks")
        return [c["Id"] for c in checks if tagged_with_urn(ctx, "healthcheck", c["Id"], urn)]

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        changed = {key: api for key, api in _UPDATABLE.items() if key in diff.changed}
        if changed:
            ctx.client("route53").update_health_check(HealthCheckId=id, **_config(news, changed))
        change_tags(ctx, "healthcheck", id, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("route53").delete_health_check, gone=HEALTH_CHECK_GONE, HealthCheckId=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        config = ctx.client("route53").get_health_check(HealthCheckId=id)["HealthCheck"]["HealthCheckConfig"]
        reported = {key: config.get(api) for key, api in {**_AT_CREATION, **_UPDATABLE}.items()}
        for key in self.set_properties:
            reported[key] = sorted(reported[key] or []) or None
        return {
            **reported,
            "referenceName": state.get("referenceName"),
            "triggers": state.get("triggers"),  # re-reads of an alarm's state: envctl's, not Route 53's
            "arn": f"arn:{ctx.partition}:route53:::healthcheck/{id}",
            **cloud_tags(ctx, "healthcheck", id, state),
        }


def _config(inputs: Props, fields: dict[str, str]) -> dict[str, Any]:
    """The HealthCheckConfig (or UpdateHealthCheck) fields the inputs set."""
    return {api: inputs[key] for key, api in fields.items() if inputs.get(key) not in (None, "", [])}
