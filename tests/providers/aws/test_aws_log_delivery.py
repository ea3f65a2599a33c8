"""CloudWatch dashboards and log subscription filters, against the session's moto server, and composite alarms,
which the local cloud cannot hold."""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from envctl.providers.aws.context import AwsContext

from engine_support import up, write_program
from provider_steps import LAMBDA_TRUST, Provision, failures, provider, unique

DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SUBSCRIPTION = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
WIDGETS = {"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6,
                        "properties": {"metrics": [["AWS/Lambda", "Errors"]], "region": "us-east-1"}}]}


def test_dashboard_lifecycle(provision: Provision, aws_ctx: AwsContext) -> None:
    cloudwatch = aws_ctx.client("cloudwatch")
    name = unique("service-health")
    dashboard = provision(DASHBOARD, "health", dashboardName=name, dashboardBody=json.dumps(WIDGETS))
    assert dashboard.id == name
    assert json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"]) == WIDGETS
    assert dashboard.outputs["dashboardArn"] == f"arn:aws:cloudwatch::123456789012:dashboard/{name}"
    assert dashboard.read() == dashboard.outputs
    assert not dashboard.diff(dashboardBody=json.dumps(WIDGETS, indent=2)).has_changes  # compared by meaning
    assert dashboard.diff(dashboardName="other").replaces == ("dashboardName",)
    wider = {"widgets": [{**WIDGETS["widgets"][0], "width": 24}]}
    dashboard.update(dashboardBody=json.dumps(wider))
    assert json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"]) == wider
    dashboard.assert_deleted(lambda: name in {d["DashboardName"] for d in cloudwatch.list_dashboards()[
        "DashboardEntries"]})
    assert set(failures(DASHBOARD, dashboardName="x", dashboardBody="{not json")) == {"dashboardBody"}


def _function_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


@pytest.fixture
def function_arn(aws_ctx: AwsContext) -> Any:
    """A Lambda function that log events are sent to, made with boto3."""
    role = aws_ctx.client("iam").create_role(RoleName=unique("log-reader"), AssumeRolePolicyDocument=LAMBDA_TRUST)
    name = unique("log-reader")
    function = aws_ctx.client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=role["Role"]["Arn"], Handler="index.handler",
        Code={"ZipFile": _function_zip()})
    yield function["FunctionArn"]
    aws_ctx.client("lambda").delete_function(FunctionName=name)
    aws_ctx.client("iam").delete_role(RoleName=role["Role"]["RoleName"])


def test_log_subscription_filter_lifecycle(provision: Provision, aws_ctx: AwsContext, function_arn: str) -> None:
    logs = aws_ctx.client("logs")
    group = provision(LOG_GROUP, "app")
    group_name = group.id
    subscription = provision(SUBSCRIPTION, "errors-to-lambda", logGroup=group_name, filterPattern="ERROR",
                             destinationArn=function_arn)
    name = subscription.inputs["name"]
    assert name.startswith("errors-to-lambda-") and subscription.inputs["distribution"] == "ByLogStream"
    assert subscription.id == f"cwlsf-{zlib.crc32(f'{group_name}-'.encode())}"
    [described] = logs.describe_subscription_filters(logGroupName=group_name)["subscriptionFilters"]
    assert described["filterName"] == name and described["filterPattern"] == "ERROR"
    assert described["destinationArn"] == function_arn
    assert subscription.outputs["destinationArn"] == function_arn
    assert subscription.read() == subscription.outputs
    assert not subscription.diff().has_changes
    assert subscription.diff(logGroup="other").replaces == ("logGroup",)
    assert subscription.diff(destinationArn=function_arn + ":live").replaces == ("destinationArn",)
    imported = provider(SUBSCRIPTION).read(aws_ctx, f"{group_name}|{name}", {})
    assert imported is not None and imported["id"] == subscription.id and imported["filterPattern"] == "ERROR"
    subscription.update(filterPattern='{ $.level = "error" }')
    [described] = logs.describe_subscription_filters(logGroupName=group_name)["subscriptionFilters"]
    assert described["filterPattern"] == '{ $.level = "error" }'
    subscription.assert_deleted(lambda: bool(logs.describe_subscription_filters(logGroupName=group_name)[
        "subscriptionFilters"]))


def test_log_subscription_filter_check_refuses_what_the_local_cloud_does_not_emulate() -> None:
    base = {"logGroup": "g", "filterPattern": "", "destinationArn": "arn:aws:lambda:us-east-1:123456789012:function:f"}
    assert "always distributes ByLogStream" in failures(SUBSCRIPTION, **base, distribution="Random")["distribution"]
    assert "not emulated" in failures(SUBSCRIPTION, **base, applyOnTransformedLogs=True)["applyOnTransformedLogs"]


COMPOSITE_ALARM_PROGRAM = """
import pulumi_aws as aws

errors = aws.cloudwatch.MetricAlarm("errors", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                                    metric_name="Errors", namespace="AWS/Lambda", period=60, statistic="Sum",
                                    threshold=1)
aws.cloudwatch.CompositeAlarm("service-down", alarm_name="service-down",
                              alarm_rule=errors.name.apply(lambda name: f"ALARM({name})"))
"""


def test_a_composite_alarm_stops_the_preview_with_the_reason(tmp_path: Path, moto_endpoint: str,
                                                            aws_ctx: AwsContext) -> None:
    refused = failures(COMPOSITE_ALARM, alarmName="down", alarmRule="ALARM(errors)")
    assert "moto has no PutCompositeAlarm" in refused["alarmRule"]
    before = aws_ctx.client("cloudwatch").describe_alarms()["MetricAlarms"]
    result = up(write_program(tmp_path / "alarms", COMPOSITE_ALARM_PROGRAM), "test", moto_endpoint)
    assert not result.succeeded and "moto has no PutCompositeAlarm" in (result.error or "")
    assert aws_ctx.client("cloudwatch").describe_alarms()["MetricAlarms"] == before  # nothing was created
