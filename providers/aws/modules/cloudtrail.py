"""aws:cloudtrail resource types: Trail (API activity delivered to an S3 bucket), with its event and insight
selectors and whether it logs."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none, remove
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.wire import api_keys, wire_keys

_GONE = ("TrailNotFoundException",)
# Trail settings CreateTrail and UpdateTrail take alike: wire name -> API name.
_SETTINGS = {
    "s3BucketName": "S3BucketName",
    "s3KeyPrefix": "S3KeyPrefix",
    "snsTopicName": "SnsTopicName",
    "includeGlobalServiceEvents": "IncludeGlobalServiceEvents",
    "isMultiRegionTrail": "IsMultiRegionTrail",
    "enableLogFileValidation": "EnableLogFileValidation",
    "isOrganizationTrail": "IsOrganizationTrail",
    "cloudWatchLogsGroupArn": "CloudWatchLogsLogGroupArn",
    "cloudWatchLogsRoleArn": "CloudWatchLogsRoleArn",
    "kmsKeyId": "KmsKeyId",
}
# How GetTrail reports them where its names differ.
_REPORTED = {**_SETTINGS, "enableLogFileValidation": "LogFileValidationEnabled"}
# pulumi-aws pluralises the field selector's lists; the API does not.
_FIELD_SELECTOR = {"field": "Field", "equals": "Equals", "notEquals": "NotEquals", "startsWiths": "StartsWith",
                   "notStartsWiths": "NotStartsWith", "endsWiths": "EndsWith", "notEndsWiths": "NotEndsWith"}


def _event_selectors_param(selectors: list[Props]) -> list[dict[str, Any]]:
    return [api_keys({k: v for k, v in selector.items() if v not in (None, [])}) for selector in selectors]


def _advanced_selectors_param(selectors: list[Props]) -> list[dict[str, Any]]:
    return [{**({"Name": s["name"]} if s.get("name") else {}),
             "FieldSelectors": [{api: f[wire] for wire, api in _FIELD_SELECTOR.items() if f.get(wire) not in (None, [])}
                                for f in s.get("fieldSelectors") or []]}
            for s in selectors]


def _advanced_selectors(reported: list[dict]) -> list[Props]:
    return [{"name": s.get("Name", ""),
             "fieldSelectors": [{wire: f[api] for wire, api in _FIELD_SELECTOR.items() if api in f}
                                for f in s.get("FieldSelectors") or []]}
            for s in reported]


@resource_type
class Trail(AwsResource):
    """Its id is the trail's ARN, as in Terraform 5+."""

    token = "aws:cloudtrail/trail:Trail"
    name_property = "name"
    name_max_length = 128
    required = ("s3BucketName",)
    defaults = {"enableLogging": True, "includeGlobalServiceEvents": True, "isMultiRegionTrail": False,
                "isOrganizationTrail": False, "enableLogFileValidation": False}
    force_new = frozenset({"name"})
    handled = frozenset({*_SETTINGS, "enableLogging", "eventSelectors", "advancedEventSelectors",
                         "insightSelectors"})
    outputs = frozenset({"arn", "homeRegion", "snsTopicArn"})
    gone_codes = _GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        client = ctx.client("cloudtrail")
        params: dict[str, Any] = {"Name": inputs["name"], **self._settings(inputs)}
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["TagsList"] = tag_list(tags)
        arn = client.create_trail(**params)["TrailARN"]
        self._set_selectors(client, arn, inputs, set(inputs))
        if inputs.get("enableLogging") is not False:
            client.start_logging(Name=arn)
        return arn, {**inputs, **self.read_back(ctx, arn, inputs)}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        return [ctx.arn("cloudtrail", f"trail/{inputs['name']}")]

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        client = ctx.client("cloudtrail")
        trail = client.get_trail(Name=id)["Trail"]
        selectors = client.get_event_selectors(TrailName=id)
        insights = found_or_none(client.get_insight_selectors, ("InsightNotEnabledException",), TrailName=id) or {}
        tags = client.list_tags(ResourceIdList=[trail["TrailARN"]])["ResourceTagList"]
        return {
            "id": trail["TrailARN"],
            "arn": trail["TrailARN"],
            "name": trail["Name"],
            **{wire: trail.get(api) for wire, api in _REPORTED.items()},
            "enableLogging": bool(client.get_trail_status(Name=id).get("IsLogging")),
            "eventSelectors": [wire_keys(s) for s in selectors.get("EventSelectors") or []],
            "advancedEventSelectors": _advanced_selectors(selectors.get("AdvancedEventSelectors") or []),
            "insightSelectors": [wire_keys(s) for s in insights.get("InsightSelectors") or []],
            "homeRegion": trail.get("HomeRegion") or ctx.region,
            "snsTopicArn": trail.get("SnsTopicARN", ""),
            **tags_from_cloud(ctx, state, tag_dict(tags[0].get("TagsList") if tags else [])),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        client = ctx.client("cloudtrail")
        changed = set(diff.changed)
        if changed & set(_SETTINGS):
            client.update_trail(Name=id, **self._settings(news))
        self._set_selectors(client, id, news, changed)
        if "enableLogging" in changed:
            (client.start_logging if news.get("enableLogging") is not False else client.stop_logging)(Name=id)
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: client.add_tags(ResourceId=id, TagsList=tag_list(tags)),
                  lambda keys: client.remove_tags(ResourceId=id, TagsList=[{"Key": key} for key in keys]))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        # By name: AWS takes the name or the ARN, moto only the name.
        remove(ctx.client("cloudtrail").delete_trail, gone=_GONE, Name=id.rsplit(":trail/", 1)[-1])

    def _settings(self, inputs: Props) -> dict[str, Any]:
        return {api: inputs[wire] for wire, api in _SETTINGS.items() if inputs.get(wire) not in (None, "")}

    def _set_selectors(self, client: Any, trail: str, inputs: Props, changed: set[str]) -> None:
        if inputs.get("advancedEventSelectors") and "advancedEventSelectors" in changed:
            client.put_event_selectors(TrailName=trail, AdvancedEventSelectors=_advanced_selectors_param(
                inputs["advancedEventSelectors"]))
        elif "eventSelectors" in changed or ("advancedEventSelectors" in changed and inputs.get("eventSelectors")):
            client.put_event_selectors(TrailName=trail,
                                       EventSelectors=_event_selectors_param(inputs.get("eventSelectors") or []))
        if "insightSelectors" in changed:
            client.put_insight_selectors(TrailName=trail,
                                         InsightSelectors=api_keys(inputs.get("insightSelectors") or []))
