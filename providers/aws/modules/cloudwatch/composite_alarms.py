"""aws:cloudwatch/compositeAlarm:CompositeAlarm, which the local cloud cannot hold: moto has no PutCompositeAlarm.
The type is declared with pulumi-aws's schema and every input refused, so that a program using it stops at
preview with the reason, before anything is created."""

from __future__ import annotations

from envctl.providers.aws.not_emulated import NotEmulated
from envctl.providers.aws.registry import resource_type


@resource_type
class CompositeAlarm(NotEmulated):
    token = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
    api = "PutCompositeAlarm"
    regional = True
    taggable = True
    required = ("alarmName", "alarmRule")
    inputs = ("alarmName", "alarmRule", "actionsEnabled", "actionsSuppressor", "alarmActions", "alarmDescription",
              "insufficientDataActions", "okActions", "tags")
    refused = "alarmRule"
    outputs = frozenset({"arn"})
