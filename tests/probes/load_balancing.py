"""Probes of the lb types beyond the load balancer, target group and listener: listener rules and registered
targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from probing import Probe, listed, present

_NOT_REGISTERED = ("Target.NotRegistered", "Target.DeregistrationInProgress")


def _registered(c: Callable[[str], Any], id: str, o: dict[str, Any]) -> bool:
    target = {"Id": o["targetId"], **({"Port": o["port"]} if o.get("port") else {})}
    return listed(lambda: c("elbv2").describe_target_health(TargetGroupArn=o["targetGroupArn"], Targets=[target]),
                  lambda answer: any(d["TargetHealth"].get("Reason") not in _NOT_REGISTERED
                                     for d in answer["TargetHealthDescriptions"]),
                  "TargetGroupNotFound", "InvalidTarget")


PROBES: dict[str, Probe] = {
    "aws:lb/listenerRule:ListenerRule": lambda c, id, o: present(
        lambda: c("elbv2").describe_rules(RuleArns=[id]), "RuleNotFound", "ListenerNotFound"),
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": _registered,
}
