"""aws:cloudwatch log streams and metric filters, inside a log group."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any, NamedTuple

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import AwsResource, CheckFailure, CheckResult, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none, remove
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.cloudwatch.logs import LOGS_GONE
from envctl.providers.aws.registry import resource_type

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
    handled = frozenset()
    outputs = frozenset({"arn"})
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
    handled = frozenset({"applyOnTransformedLogs"})
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
