"""CloudWatch Logs log streams and metric filters, and CloudWatch metric alarms, against the session's moto
server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from envctl.errors import OperationFailed
from envctl.providers.aws.base import DiffResult
from envctl.providers.aws.context import AwsContext

from engine_support import aws
from provider_steps import (
    assert_deleted,
    assert_up_again_changes_nothing_and_destroy_deletes,
    checked,
    create,
    failed_properties,
    provider,
    unique,
    up_program,
    update,
    urn,
)

LOG_STREAM = "aws:cloudwatch/logStream:LogStream"
METRIC_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:alerts"


@pytest.fixture
def logs(aws_ctx: AwsContext) -> Any:
    return aws_ctx.client("logs")


@pytest.fixture
def log_group(logs: Any) -> str:
    name = "/" + unique("envctl/metrics")
    logs.create_log_group(logGroupName=name)
    return name


# ---- LogStream -----------------------------------------------------------------------------


def test_log_stream_lifecycle(aws_ctx: AwsContext, logs: Any, log_group: str) -> None:
    assert failed_properties(LOG_STREAM, {}) == {"logGroupName"}
    assert failed_properties(LOG_STREAM, {"logGroupName": log_group, "name": "a:b"}) == {"name"}

    id, outputs = create(aws_ctx, LOG_STREAM, "app", {"logGroupName": log_group})
    assert id == outputs["name"] and id.startswith("app-")
    [stream] = logs.describe_log_streams(logGroupName=log_group)["logStreams"]
    assert stream["logStreamName"] == id
    assert outputs["arn"] == stream["arn"] == (
        f"arn:aws:logs:us-east-1:{aws_ctx.account_id}:log-group:{log_group}:log-stream:{id}")
    assert provider(LOG_STREAM).read(aws_ctx, id, outputs) == outputs
    imported = provider(LOG_STREAM).read(aws_ctx, f"{log_group}:{id}", {})
    assert imported is not None and (imported["id"], imported["logGroupName"]) == (id, log_group)

    stream = provider(LOG_STREAM)
    assert stream.diff(outputs, {**outputs, "name": "other"}).replaces == ("name",)
    assert stream.diff(outputs, {**outputs, "logGroupName": "/other"}).replaces == ("logGroupName",)

    assert_deleted(aws_ctx, LOG_STREAM, id, outputs)
    assert logs.describe_log_streams(logGroupName=log_group)["logStreams"] == []


def test_log_stream_is_gone_with_its_log_group(aws_ctx: AwsContext, logs: Any, log_group: str) -> None:
    id, outputs = create(aws_ctx, LOG_STREAM, "orphan", {"logGroupName": log_group, "name": "fixed"})
    logs.delete_log_group(logGroupName=log_group)
    assert provider(LOG_STREAM).read(aws_ctx, id, outputs) is None
    provider(LOG_STREAM).delete(aws_ctx, id, outputs)


# ---- LogMetricFilter -----------------------------------------------------------------------

ERRORS = {"name": "Errors", "namespace": "App", "value": "1"}


def test_metric_filter_check() -> None:
    inputs = checked(METRIC_FILTER, "errors", {"logGroupName": "/g", "pattern": "ERROR",
                                               "metricTransformation": ERRORS})
    assert inputs["name"].startswith("errors-") and inputs["metricTransformation"]["unit"] == "None"
    assert failed_properties(METRIC_FILTER, {}) == {"logGroupName", "pattern", "metricTransformation"}
    incomplete = {"logGroupName": "/g", "pattern": "", "metricTransformation": {"name": "Errors"}}
    assert failed_properties(METRIC_FILTER, incomplete) == {"metricTransformation.namespace",
                                                            "metricTransformation.value"}
    not_a_number = {**incomplete, "metricTransformation": {**ERRORS, "defaultValue": "zero"}}
    assert failed_properties(METRIC_FILTER, not_a_number) == {"metricTransformation.defaultValue"}


def test_metric_filter_lifecycle(aws_ctx: AwsContext, logs: Any, log_group: str) -> None:
    id, outputs = create(aws_ctx, METRIC_FILTER, "errors", {
        "logGroupName": log_group, "pattern": " ERROR ",
        "metricTransformation": {**ERRORS, "defaultValue": "0.0", "unit": "Count"},
    })
    assert id == outputs["name"] and id.startswith("errors-")
    [stored] = logs.describe_metric_filters(logGroupName=log_group)["metricFilters"]
    assert (stored["filterName"], stored["filterPattern"]) == (id, "ERROR")  # trimmed, as Terraform does
    assert stored["metricTransformations"] == [{"metricName": "Errors", "metricNamespace": "App", "metricValue": "1",
                                                "defaultValue": 0.0, "unit": "Count"}]
    assert outputs["metricTransformation"] == {**ERRORS, "defaultValue": "0.0", "unit": "Count"}
    assert outputs["pattern"] == "ERROR"
    assert provider(METRIC_FILTER).read(aws_ctx, id, outputs) == outputs
    imported = provider(METRIC_FILTER).read(aws_ctx, f"{log_group}:{id}", {})
    assert imported is not None and imported["metricTransformation"]["defaultValue"] == "0"

    dimensions = {**ERRORS, "dimensions": {"Service": "$.service"}}
    assert provider(METRIC_FILTER).diff(outputs, {**outputs, "metricTransformation": dimensions}) == DiffResult(
        ("metricTransformation",), ())
    updated = update(aws_ctx, METRIC_FILTER, "errors", id, outputs, {"pattern": "WARN",
                                                                      "metricTransformation": dimensions})
    [stored] = logs.describe_metric_filters(logGroupName=log_group)["metricFilters"]
    assert stored["filterPattern"] == "WARN" and stored["metricTransformations"][0]["dimensions"] == {
        "Service": "$.service"}
    assert updated["id"] == id and updated["metricTransformation"] == {**dimensions, "unit": "None"}
    assert provider(METRIC_FILTER).read(aws_ctx, id, updated) == updated
    assert provider(METRIC_FILTER).diff(updated, {**updated, "logGroupName": "/x"}).replaces == ("logGroupName",)

    assert_deleted(aws_ctx, METRIC_FILTER, id, updated)
    assert logs.describe_metric_filters(logGroupName=log_group)["metricFilters"] == []


# ---- MetricAlarm ---------------------------------------------------------------------------

HIGH_CPU = {
    "comparisonOperator": "GreaterThanThreshold",
    "evaluationPeriods": 2,
    "metricName": "CPUUtilization",
    "namespace": "AWS/EC2",
    "period": 60,
    "statistic": "Average",
    "threshold": 80,
    "dimensions": {"InstanceId": "i-0123456789abcdef0"},
    "alarmActions": [TOPIC_ARN],
}


def test_metric_alarm_check() -> None:
    inputs = checked(ALARM, "cpu", HIGH_CPU)
    assert inputs["name"].startswith("cpu-") and (inputs["treatMissingData"], inputs["actionsEnabled"]) == (
        "missing", True)
    assert failed_properties(ALARM, {}) == {"comparisonOperator", "evaluationPeriods"}
    assert failed_properties(ALARM, {**HIGH_CPU, "extendedStatistic": "p99"}) == {"statistic"}
    assert failed_properties(ALARM, {**HIGH_CPU, "evaluationInterval": 60}) == {"evaluationInterval"}


def test_metric_alarm_lifecycle(aws_ctx: AwsContext) -> None:
    cloudwatch = aws_ctx.client("cloudwatch")
    id, outputs = create(aws_ctx, ALARM, "cpu", {**HIGH_CPU, "alarmDescription": "CPU high", "tags": {"team": "core"}})
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[id])["MetricAlarms"]
    assert id == outputs["name"] and outputs["arn"] == alarm["AlarmArn"] == (
        f"arn:aws:cloudwatch:us-east-1:{aws_ctx.account_id}:alarm:{id}")
    assert (alarm["MetricName"], alarm["Threshold"], alarm["EvaluationPeriods"]) == ("CPUUtilization", 80.0, 2)
    assert alarm["Dimensions"] == [{"Name": "InstanceId", "Value": "i-0123456789abcdef0"}]
    assert alarm["AlarmActions"] == [TOPIC_ARN] and alarm["TreatMissingData"] == "missing"
    tags = {t["Key"]: t["Value"] for t in cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]}
    assert tags == outputs["tagsAll"] == {"team": "core", "envctl:env": "test", "envctl:urn": urn(ALARM, "cpu")}
    assert outputs["dimensions"] == HIGH_CPU["dimensions"] and outputs["okActions"] == []
    assert provider(ALARM).read(aws_ctx, id, outputs) == outputs

    assert provider(ALARM).diff(outputs, {**outputs, "name": "other"}).replaces == ("name",)
    updated = update(aws_ctx, ALARM, "cpu", id, outputs, {
        "threshold": 90, "okActions": [TOPIC_ARN], "treatMissingData": "breaching", "tags": {"team": "ops"},
    })
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[id])["MetricAlarms"]
    assert (alarm["Threshold"], alarm["OKActions"], alarm["TreatMissingData"]) == (90.0, [TOPIC_ARN], "breaching")
    assert alarm["AlarmDescription"] == "CPU high"
    tags = {t["Key"]: t["Value"] for t in cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]}
    assert tags["team"] == "ops" == updated["tagsAll"]["team"]
    assert updated["id"] == id and updated["threshold"] == 90
    assert provider(ALARM).read(aws_ctx, id, updated) == updated

    assert_deleted(aws_ctx, ALARM, id, updated)
    assert cloudwatch.describe_alarms(AlarmNames=[id])["MetricAlarms"] == []


def test_metric_alarm_on_a_metric_math_expression(aws_ctx: AwsContext) -> None:
    error_rate = {
        "comparisonOperator": "GreaterThanOrEqualToThreshold",
        "evaluationPeriods": 1,
        "threshold": 5,
        "metricQueries": [
            {"id": "rate", "expression": "100 * errors / requests", "label": "Error rate", "returnData": True},
            {"id": "errors", "metric": {"metricName": "5XXError", "namespace": "AWS/ApiGateway", "period": 300,
                                        "stat": "Sum", "dimensions": {"ApiName": "shop"}}},
            {"id": "requests", "metric": {"metricName": "Count", "namespace": "AWS/ApiGateway", "period": 300,
                                          "stat": "Sum", "dimensions": {"ApiName": "shop"}}},
        ],
    }
    id, outputs = create(aws_ctx, ALARM, "error-rate", error_rate)
    [alarm] = aws_ctx.client("cloudwatch").describe_alarms(AlarmNames=[id])["MetricAlarms"]
    assert [m["Id"] for m in alarm["Metrics"]] == ["rate", "errors", "requests"]
    assert alarm["Metrics"][1]["MetricStat"] == {
        "Metric": {"Namespace": "AWS/ApiGateway", "MetricName": "5XXError",
                   "Dimensions": [{"Name": "ApiName", "Value": "shop"}]},
        "Period": 300, "Stat": "Sum",
    }
    assert outputs["metricQueries"][0] == {"id": "rate", "expression": "100 * errors / requests",
                                           "label": "Error rate", "returnData": True}
    assert outputs["metricQueries"][1]["metric"]["dimensions"] == {"ApiName": "shop"}
    assert provider(ALARM).read(aws_ctx, id, outputs) == outputs
    provider(ALARM).delete(aws_ctx, id, outputs)


def test_metric_alarm_refuses_to_take_over_an_existing_alarm(aws_ctx: AwsContext) -> None:
    name = unique("taken")
    aws_ctx.client("cloudwatch").put_metric_alarm(AlarmName=name, ComparisonOperator="GreaterThanThreshold",
                                                  EvaluationPeriods=1, MetricName="m", Namespace="n", Period=60,
                                                  Statistic="Sum", Threshold=1)
    with pytest.raises(OperationFailed, match="already exists"):
        create(aws_ctx, ALARM, "taken", {**HIGH_CPU, "name": name})
    aws_ctx.client("cloudwatch").delete_alarms(AlarmNames=[name])


# ---- an unmodified program through the local engine --------------------------------------

ERROR_ALERTS_PROGRAM = """
import pulumi
import pulumi_aws as aws

group = aws.cloudwatch.LogGroup("app", retention_in_days=7)
aws.cloudwatch.LogStream("web-1", log_group_name=group.name)
errors = aws.cloudwatch.LogMetricFilter("errors", log_group_name=group.name, pattern="ERROR",
    metric_transformation=aws.cloudwatch.LogMetricFilterMetricTransformationArgs(
        name="Errors", namespace="App", value="1", default_value="0"))
alarm = aws.cloudwatch.MetricAlarm("errors", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
    metric_name="Errors", namespace="App", period=60, statistic="Sum", threshold=0,
    alarm_actions=["arn:aws:sns:us-east-1:123456789012:alerts"], treat_missing_data="notBreaching")
pulumi.export("groupName", group.name)
pulumi.export("filterName", errors.name)
pulumi.export("alarmArn", alarm.arn)
"""


def test_an_error_alerts_program_runs_unmodified(tmp_path: Path, moto_endpoint: str) -> None:
    project, result = up_program(tmp_path, ERROR_ALERTS_PROGRAM, moto_endpoint)
    assert result.changes["create"] == 4 + 1  # and the stack
    out = result.outputs
    logs = aws(moto_endpoint, "logs")
    [stream] = logs.describe_log_streams(logGroupName=out["groupName"])["logStreams"]
    assert stream["logStreamName"].startswith("web-1-")
    [metric_filter] = logs.describe_metric_filters(logGroupName=out["groupName"])["metricFilters"]
    assert metric_filter["filterName"] == out["filterName"]
    alarm_name = out["alarmArn"].rsplit(":", 1)[-1]
    [alarm] = aws(moto_endpoint, "cloudwatch").describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    assert alarm_name.startswith("errors-") and alarm["TreatMissingData"] == "notBreaching"

    assert_up_again_changes_nothing_and_destroy_deletes(project, moto_endpoint, 4 + 1)
    assert aws(moto_endpoint, "cloudwatch").describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"] == []
