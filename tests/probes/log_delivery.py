"""Probes of CloudWatch dashboards and log subscription filters."""

from __future__ import annotations

from probing import Probe, listed, present

PROBES: dict[str, Probe] = {
    "aws:cloudwatch/dashboard:Dashboard": lambda c, id, o: present(
        lambda: c("cloudwatch").get_dashboard(DashboardName=id), "ResourceNotFound"),
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": lambda c, id, o: listed(
        lambda: c("logs").describe_subscription_filters(logGroupName=o["logGroup"])["subscriptionFilters"],
        lambda filters: o["name"] in {f["filterName"] for f in filters}, "ResourceNotFoundException"),
}
