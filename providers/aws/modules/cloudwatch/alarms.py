"""aws:cloudwatch metric alarms."""

from __future__ import annotations

from typing import Any

from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.wire import in_configured_order

# ---- MetricAlarm ---------------------------------------------------------------------------

# pulumi-aws input -> PutMetricAlarm parameter, for the values AWS takes and reports as they are.
_ALARM_FIELDS = {
    "actionsEnabled": "ActionsEnabled",
    "alarmDescription": "AlarmDescription",
    "comparisonOperator": "ComparisonOperator",
    "datapointsToAlarm": "DatapointsToAlarm",
    "evaluateLowSampleCountPercentiles": "EvaluateLowSampleCountPercentile",
    "evaluationPeriods": "EvaluationPeriods",
    "extendedStatistic": "ExtendedStatistic",
    "metricName": "MetricName",
    "namespace": "Namespace",
    "period": "Period",
    "statistic": "Statistic",
    "threshold": "Threshold",
    "thresholdMetricId": "ThresholdMetricId",
    "treatMissingData": "TreatMissingData",
    "unit": "Unit",
}
_ALARM_REQUIRED = ("comparisonOperator", "evaluationPeriods")
# Action lists: sets in Terraform, so they are read back in the configured order.
_ALARM_ACTIONS = {
    "alarmActions": "AlarmActions",
    "insufficientDataActions": "InsufficientDataActions",
    "okActions": "OKActions",
}
# Newer alarm kinds that envctl does not implement; refused rather than silently left out.
_UNSUPPORTED_ALARM_INPUTS = ("evaluationCriteria", "evaluationInterval", "evaluationWindow", "warmUpConfiguration")
_DIMENSION_KEYS = ("Name", "Value")
# metricQueries item -> MetricDataQuery member, for the optional values taken as they are.
_QUERY_FIELDS = {"expression": "Expression", "label": "Label", "period": "Period", "accountId": "AccountId"}


def _query_to_api(query: Props) -> dict[str, Any]:
    api: dict[str, Any] = {"Id": query["id"], "ReturnData": bool(query.get("returnData"))}
    for key, api_key in _QUERY_FIELDS.items():
        if query.get(key) is not None:
            api[api_key] = query[key]
    metric = query.get("metric")
    if metric:
        stat: dict[str, Any] = {
            "Metric": {
                "MetricName": metric["metricName"],
                "Dimensions": tag_list(metric.get("dimensions") or {}, *_DIMENSION_KEYS),
                **({"Namespace": metric["namespace"]} if metric.get("namespace") else {}),
            },
            "Period": metric["period"],
            "Stat": metric["stat"],
        }
        if metric.get("unit"):
            stat["Unit"] = metric["unit"]
        api["MetricStat"] = stat
    return api


def _query_from_api(api: dict[str, Any]) -> Props:
    query: Props = {"id": api["Id"], "returnData": bool(api.get("ReturnData"))}
    for key, api_key in _QUERY_FIELDS.items():
        if api.get(api_key) is not None:
            query[key] = api[api_key]
    stat = api.get("MetricStat")
    if stat:
        metric = stat["Metric"]
        query["metric"] = {
            "metricName": metric["MetricName"],
            "namespace": metric.get("Namespace"),
            "dimensions": tag_dict(metric.get("Dimensions"), *_DIMENSION_KEYS),
            "period": stat["Period"],
            "stat": stat["Stat"],
            "unit": stat.get("Unit"),
        }
    return query


@resource_type
class MetricAlarm(AwsResource):
    token = "aws:cloudwatch/metricAlarm:MetricAlarm"
    id_property = "name"
    name_property = "name"
    defaults = {"actionsEnabled": True, "treatMissingData": "missing"}
    force_new = frozenset({"name", "region"})
    handled = frozenset({*_ALARM_FIELDS, *_ALARM_ACTIONS, "dimensions", "metricQueries"})
    unsupported = dict.fromkeys(_UNSUPPORTED_ALARM_INPUTS, "use metricName or metricQueries")
    outputs = frozenset({"arn"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        # pulumi-aws leaves them optional for alarms on evaluationCriteria, which envctl refuses.
        failures = [CheckFailure(key, f"missing required property '{key}'")
                    for key in _ALARM_REQUIRED if inputs.get(key) is None]
        # Terraform's plan-time rule: a single-metric alarm names exactly one kind of statistic.
        statistics = [key for key in ("statistic", "extendedStatistic") if inputs.get(key)]
        if inputs.get("metricName") and len(statistics) != 1:
            failures.append(CheckFailure("statistic", "One of `statistic` or `extendedStatistic` must be set for "
                                                      "a cloudwatch metric alarm"))
        if inputs.get("metricName") and inputs.get("metricQueries"):
            failures.append(CheckFailure("metricQueries", "metricQueries conflicts with metricName"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        cloudwatch = ctx.client("cloudwatch")
        name = inputs["name"]
        # PutMetricAlarm would silently take over an existing alarm; Terraform refuses, and so does envctl.
        if cloudwatch.describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm"])["MetricAlarms"]:
            raise OperationFailed(f"CloudWatch metric alarm {name!r} already exists; give the alarm another name "
                                  "or delete the existing one")
        params = _alarm_params(inputs)
        if tags_all := self.tags_all(ctx, urn, inputs):
            params["Tags"] = tag_list(tags_all)
        cloudwatch.put_metric_alarm(**params)
        return name, self.read_back(ctx, name, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        cloudwatch = ctx.client("cloudwatch")
        alarms = cloudwatch.describe_alarms(AlarmNames=[id], AlarmTypes=["MetricAlarm"])["MetricAlarms"]
        if not alarms:
            return None
        alarm = alarms[0]
        tags = tag_dict(cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"]).get("Tags"))
        return {
            **state,
            **{key: alarm.get(api_key) for key, api_key in _ALARM_FIELDS.items()},
            **{key: in_configured_order(state.get(key), alarm.get(api_key) or [])
               for key, api_key in _ALARM_ACTIONS.items()},
            "id": alarm["AlarmName"],
            "name": alarm["AlarmName"],
            "arn": alarm["AlarmArn"],
            "dimensions": tag_dict(alarm.get("Dimensions"), *_DIMENSION_KEYS),
            "metricQueries": [_query_from_api(m) for m in alarm.get("Metrics") or []],
            "treatMissingData": alarm.get("TreatMissingData") or "missing",
            "region": ctx.region,
            **tags_from_cloud(ctx, state, tags),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        cloudwatch = ctx.client("cloudwatch")
        if set(diff.changed) - {"tags"}:
            cloudwatch.put_metric_alarm(**_alarm_params(news))  # replaces the whole definition; tags are kept
        arn = olds["arn"]
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: cloudwatch.tag_resource(ResourceARN=arn, Tags=tag_list(tags)),
                  lambda keys: cloudwatch.untag_resource(ResourceARN=arn, TagKeys=keys))
        return self.read_back(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        # DeleteAlarms succeeds for names that do not exist.
        ctx.client("cloudwatch").delete_alarms(AlarmNames=[id])


def _alarm_params(inputs: Props) -> dict[str, Any]:
    """PutMetricAlarm's parameters for the alarm's inputs (without tags, which it only takes at creation)."""
    params: dict[str, Any] = {"AlarmName": inputs["name"]}
    params.update({api_key: inputs[key] for key, api_key in (_ALARM_FIELDS | _ALARM_ACTIONS).items()
                   if inputs.get(key) is not None})
    if inputs.get("dimensions"):
        params["Dimensions"] = tag_list(inputs["dimensions"], *_DIMENSION_KEYS)
    if inputs.get("metricQueries"):
        params["Metrics"] = [_query_to_api(query) for query in inputs["metricQueries"]]
    return params
