"""log-forwarding: the log group's errors go to the function, which logs may invoke, and the dashboard charts the
function; a new filter pattern updates the subscription in place."""

import json

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config, statements

SUBSCRIPTION = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"


def _subscription(cloud: Cloud, out: Outputs) -> dict:
    [found] = cloud.client("logs").describe_subscription_filters(logGroupName=out["log_group"])["subscriptionFilters"]
    return found


def verify(cloud: Cloud, out: Outputs) -> None:
    subscription = _subscription(cloud, out)
    assert subscription["destinationArn"] == out["function_arn"] and subscription["filterPattern"] == "ERROR"
    [permission] = statements(cloud.client("lambda").get_policy(FunctionName=out["function_arn"])["Policy"])
    assert permission["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    body = json.loads(cloud.client("cloudwatch").get_dashboard(DashboardName=out["dashboard_name"])["DashboardBody"])
    function_name = out["function_arn"].split(":")[-1]
    [widget] = body["widgets"]
    assert widget["properties"]["metrics"][1] == ["AWS/Lambda", "Errors", "FunctionName", function_name]


def verify_new_pattern(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert _subscription(cloud, after)["filterPattern"] == '{ $.level = "error" }'


CASE = ProgramCase("log-forwarding", verify,
                   Edit(set_config("test", errorPattern='{ $.level = "error" }'), (("update", SUBSCRIPTION),),
                        verify_new_pattern))
