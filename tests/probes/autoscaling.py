"""Probes of the aws:autoscaling types."""

from __future__ import annotations

from typing import Any

from probing import Probe


def _group(c: Any, id: str, o: dict[str, Any]) -> bool:
    return bool(c("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[id])["AutoScalingGroups"])


def _policy(c: Any, id: str, o: dict[str, Any]) -> bool:
    return bool(c("autoscaling").describe_policies(
        AutoScalingGroupName=o["autoscalingGroupName"], PolicyNames=[id])["ScalingPolicies"])


PROBES: dict[str, Probe] = {
    "aws:autoscaling/group:Group": _group,
    "aws:autoscaling/policy:Policy": _policy,
}
