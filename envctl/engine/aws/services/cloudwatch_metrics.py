"""aws cloudwatch: LogStream and LogMetricFilter (CloudWatch Logs) and MetricAlarm (CloudWatch)."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any, NamedTuple

from envctl.engine.aws.base import AwsResource, CheckFailure, CheckResult, DiffResult, Props
from envctl.engine.aws.context import AwsContext
from envctl.engine.aws.errors import found_or_none, remove
from envctl.engine.aws.listing import listed
from envctl.engine.aws.registry import resource_type
from envctl.engine.aws.services.cloudwatch import LOGS_GONE
from envctl.engine.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.engine.aws.wire import in_configured_order
from envctl.engine.local.properties import contains_unknown
from envctl.errors import OperationFailed

_NAME_MAX_LENGTH = 512  # log stream and metric filter names


def _group_and_name(id: str, state: Props) -> tuple[str, str]:
    """Log group and name of a stream or filter: from state, or from the import id `<group>:<name>` (neither
    name may contain ':')."""
    if state.get("logGroupName"):
        return state["logGroupName"], id
    group, _, name = id.partition(":")
    return group, name


class _Listing(NamedTuple):
    """How CloudWatch Logs lists the streams or the metric filters of a log group."""

    operation: str
    list_key: str
    name_key: str
    prefix_param: str


_LOG_STREAMS = _Listing("describe_log_streams", "logStreams", "logStreamName", "logStreamNamePrefix")
_METRIC_FILTERS = _Listing("describe_metric_filters", "metricFilters", "filterName", "filterNamePrefix")


def _in_log_group(ctx: AwsContext, listing: _Listing, group: str, name: str) -> dict[str, Any] | None:
    """The stream or metric filter `name` of log group `group`; None when it, or the log group, is gone."""

    def named() -> dict[str, Any] | None:
        items = listed(ctx.client("logs"), listing.operation, listing.list_key, logGroupName=group,
                       **{listing.prefix_param: name})
        return next((item for item in items if item[listing.name_key] == name), None)

    return found_or_none(named, LOGS_GONE)


def _colon_in_name(inputs: Props) -> list[CheckFailure]:
    name = inputs.get("name")
    if isinstance(name, str) and ":" in name:
        return [CheckFailure("name", f"name must not contain ':'; got {name!r}")]
    return []


# ---- LogStream -----------------------------------------------------------------------------


@resource_type
class LogStream(AwsResource):
    token = "aws:cloudwatch/logStream:LogStream"
    name_property = "name"
    name_max_length = _NAME_MAX_LENGTH
    required = ("logGroupName",)
    force_new = frozenset({"name", "logGroupName", "region"})
    taggable = False

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return _colon_in_name(inputs)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ctx.client("logs").create_log_stream(logGroupName=inputs["logGroupName"], logStreamName=inputs["name"])
        return inputs["name"], self.read_back(ctx, inputs["name"], inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        group, name = _group_and_name(id, state)
        stream = _in_log_group(ctx, _LOG_STREAMS, group, name)
        if stream is None:
            return None
        return {**state, "id": name, "name": name, "logGroupName": group, "arn": stream["arn"], "region": ctx.region}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        # Every input forces a replacement, so an in-place update has nothing to change in the cloud.
        return self.read_back(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        group, name = _group_and_name(id, state)
        remove(ctx.client("logs").delete_log_stream, gone=LOGS_GONE, logGroupName=group, logStreamName=name)


# ---- LogMetricFilter -----------------------------------------------------------------------

_filter_locks: dict[str, threading.Lock] = {}


def _log_group_lock(group: str) -> threading.Lock:
    """Terraform serialises metric filter changes per log group, because AWS can reject concurrent ones and the
    engine runs resources in parallel. (dict.setdefault is atomic, so two threads get the same lock.)"""
    return _filter_locks.setdefault(group, threading.Lock())


def _float_text(value: float) -> str:
    """A float as Terraform records it in a string property: Go's strconv.FormatFloat(v, 'f', -1, 64)."""
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _transformation_to_api(transformation: Props) -> dict[str, Any]:
    api: dict[str, Any] = {
        "metricName": transformation["name"],
        "metricNamespace": transformation["namespace"],
        "metricValue": transformation["value"],
        "unit": transformation["unit"],
    }
    if transformation.get("defaultValue") not in (None, ""):
        api["defaultValue"] = float(transformation["defaultValue"])
    if transformation.get("dimensions"):
        api["dimensions"] = transformation["dimensions"]
    return api


def _transformation_from_api(api: dict[str, Any], configured: Props) -> Props:
    transformation: Props = {
        "name": api["metricName"],
        "namespace": api["metricNamespace"],
        "value": api["metricValue"],
        "unit": api.get("unit", configured.get("unit")),  # moto leaves the unit out; AWS always has it
    }
    if "defaultValue" in api:
        # The configured text stands when it is the same number ("0.0" and "0" alike), as Terraform's diff has it.
        text = configured.get("defaultValue")
        same = isinstance(text, str | int | float) and text != "" and float(text) == api["defaultValue"]
        transformation["defaultValue"] = text if same else _float_text(api["defaultValue"])
    if api.get("dimensions"):
        transformation["dimensions"] = api["dimensions"]
    return transformation


@resource_type
class LogMetricFilter(AwsResource):
    token = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
    name_property = "name"
    name_max_length = _NAME_MAX_LENGTH
    required = ("logGroupName", "pattern", "metricTransformation")
    force_new = frozenset({"name", "logGroupName", "region"})
    taggable = False

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        # Terraform's default for the nested metric_transformation.unit.
        transformation = news.get("metricTransformation")
        if isinstance(transformation, dict) and transformation.get("unit") is None:
            news = {**news, "metricTransformation": {**transformation, "unit": "None"}}
        return super().check(logical_name, olds, news)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = _colon_in_name(inputs)
        transformation = inputs.get("metricTransformation")
        if not isinstance(transformation, dict):
            return failures
        failures.extend(
            CheckFailure(f"metricTransformation.{key}", f"missing required property 'metricTransformation.{key}'")
            for key in ("name", "namespace", "value") if transformation.get(key) is None
        )
        default = transformation.get("defaultValue")
        if isinstance(default, str) and default and not contains_unknown(default):
            try:
                float(default)
            except ValueError:
                failures.append(CheckFailure("metricTransformation.defaultValue",
                                             f"metricTransformation.defaultValue must be a number; got {default!r}"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        with _log_group_lock(inputs["logGroupName"]):
            self._put(ctx, inputs)
        return inputs["name"], self.read_back(ctx, inputs["name"], inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        group, name = _group_and_name(id, state)
        metric_filter = _in_log_group(ctx, _METRIC_FILTERS, group, name)
        if metric_filter is None:
            return None
        return {
            **state,
            "id": name,
            "name": name,
            "logGroupName": group,
            "pattern": metric_filter.get("filterPattern", ""),
            "metricTransformation": _transformation_from_api(
                metric_filter["metricTransformations"][0], state.get("metricTransformation") or {}
            ),
            # AWS always reports it; moto does not, and then the recorded value stands.
            "applyOnTransformedLogs": metric_filter.get("applyOnTransformedLogs", state.get("applyOnTransformedLogs")),
            "region": ctx.region,
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        with _log_group_lock(news["logGroupName"]):
            # PutMetricFilter replaces a filter of the same name in AWS, but moto adds a second one; removing the
            # old one first leaves exactly one in both.
            self._delete(ctx, news["logGroupName"], id)
            self._put(ctx, news)
        return self.read_back(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        group, name = _group_and_name(id, state)
        with _log_group_lock(group):
            self._delete(ctx, group, name)

    def _put(self, ctx: AwsContext, inputs: Props) -> None:
        params: dict[str, Any] = {
            "logGroupName": inputs["logGroupName"],
            "filterName": inputs["name"],
            "filterPattern": inputs["pattern"].strip(),  # Terraform trims the pattern
            "metricTransformations": [_transformation_to_api(inputs["metricTransformation"])],
        }
        if inputs.get("applyOnTransformedLogs") is not None:
            params["applyOnTransformedLogs"] = bool(inputs["applyOnTransformedLogs"])
        ctx.client("logs").put_metric_filter(**params)

    def _delete(self, ctx: AwsContext, group: str, name: str) -> None:
        remove(ctx.client("logs").delete_metric_filter, gone=LOGS_GONE, logGroupName=group, filterName=name)


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
    required = ("comparisonOperator", "evaluationPeriods")
    defaults = {"actionsEnabled": True, "treatMissingData": "missing"}
    force_new = frozenset({"name", "region"})
    unsupported = dict.fromkeys(_UNSUPPORTED_ALARM_INPUTS, "use metricName or metricQueries")

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
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
