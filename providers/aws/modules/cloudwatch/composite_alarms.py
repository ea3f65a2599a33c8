"""aws:cloudwatch/compositeAlarm:CompositeAlarm, which the local cloud cannot hold: moto has no PutCompositeAlarm.
The type is declared with pulumi-aws's schema and every input refused, so that a program using it stops at
preview with the reason, before anything is created."""

from __future__ import annotations

from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, CheckFailure, CheckResult, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.registry import resource_type

_NOT_EMULATED = "composite alarms are not emulated by the local cloud: moto has no PutCompositeAlarm"
_INPUTS = ("alarmName", "alarmRule", "actionsEnabled", "actionsSuppressor", "alarmActions", "alarmDescription",
           "insufficientDataActions", "okActions", "tags")


@resource_type
class CompositeAlarm(AwsResource):
    token = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
    required = ("alarmName", "alarmRule")
    handled = frozenset()
    unsupported = dict.fromkeys(_INPUTS, _NOT_EMULATED)
    outputs = frozenset({"arn"})

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        return CheckResult(dict(news), (CheckFailure("alarmRule", f"{self.token}: {_NOT_EMULATED}", unsupported=True),))

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        raise OperationFailed(_NOT_EMULATED)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        raise OperationFailed(_NOT_EMULATED)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        raise OperationFailed(_NOT_EMULATED)
