"""aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter: a log group's events, filtered, streamed to a Lambda
function, a Kinesis stream or a Firehose delivery stream."""

from __future__ import annotations

import zlib

from envctl.engine.properties import contains_unknown
from envctl.errors import BadInput
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none, remove
from envctl.providers.aws.listing import listed
from envctl.providers.aws.registry import resource_type

_GONE = ("ResourceNotFoundException",)
_BY_LOG_STREAM = "ByLogStream"  # the only distribution the local cloud (moto) keeps


_IMPORT_SEPARATOR = "|"  # Terraform's import id: <log group>|<filter name>


def subscription_filter_id(log_group: str) -> str:
    """Terraform's id: `cwlsf-` and the CRC-32 of `<log group>-` (the filters of one group share it)."""
    return f"cwlsf-{zlib.crc32(f'{log_group}-'.encode())}"


def _filter_of(id: str, state: Props) -> tuple[str, str]:
    """The log group and filter name, from state or an import id."""
    if state.get("logGroup") and state.get("name"):
        return state["logGroup"], state["name"]
    group, separator, name = id.partition(_IMPORT_SEPARATOR)
    if not separator or not group or not name:
        raise BadInput(f"cannot find the log group and filter name in '{id}': use the import id "
                       f"<log group>{_IMPORT_SEPARATOR}<filter name>")
    return group, name


@resource_type
class LogSubscriptionFilter(AwsResource):
    token = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
    name_property = "name"
    name_max_length = 512
    required = ("destinationArn", "filterPattern", "logGroup")
    defaults = {"distribution": _BY_LOG_STREAM}
    force_new = frozenset({"name", "logGroup", "destinationArn"})
    handled = frozenset({"roleArn", "distribution"})
    taggable = False
    unsupported = {
        "applyOnTransformedLogs": "log transformers are not emulated by the local cloud (moto)",
        "emitSystemFields": "system fields in forwarded events are not emulated by the local cloud (moto)",
    }

    def validate(self, inputs: Props) -> list[CheckFailure]:
        distribution = inputs.get("distribution")
        if isinstance(distribution, str) and not contains_unknown(distribution) and distribution != _BY_LOG_STREAM:
            return [CheckFailure("distribution", f"distribution {distribution!r} is not emulated by the local cloud "
                                                 f"(moto), which always distributes {_BY_LOG_STREAM}")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._put(ctx, inputs)
        id = subscription_filter_id(inputs["logGroup"])
        return id, {**inputs, **self.read_back(ctx, id, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        group, name = _filter_of(id, state)
        filters = found_or_none(lambda: list(listed(ctx.client("logs"), "describe_subscription_filters",
                                                    "subscriptionFilters", logGroupName=group,
                                                    filterNamePrefix=name)), _GONE)
        found = next((f for f in filters or [] if f["filterName"] == name), None)
        if found is None:
            return None
        return {
            "id": subscription_filter_id(group),
            "name": found["filterName"],
            "logGroup": found["logGroupName"],
            "destinationArn": found["destinationArn"],
            "filterPattern": found.get("filterPattern") or "",
            "roleArn": found.get("roleArn") or None,
            "distribution": found.get("distribution") or _BY_LOG_STREAM,
            "applyOnTransformedLogs": bool(found.get("applyOnTransformedLogs")),
            "emitSystemFields": found.get("emitSystemFields") or None,
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._put(ctx, news)  # PutSubscriptionFilter replaces the filter of the same name
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("logs").delete_subscription_filter, gone=_GONE, logGroupName=state["logGroup"],
               filterName=state["name"])

    @staticmethod
    def _put(ctx: AwsContext, inputs: Props) -> None:
        params = {"logGroupName": inputs["logGroup"], "filterName": inputs["name"],
                  "filterPattern": inputs["filterPattern"], "destinationArn": inputs["destinationArn"],
                  "distribution": inputs.get("distribution") or _BY_LOG_STREAM}
        if inputs.get("roleArn"):
            params["roleArn"] = inputs["roleArn"]
        ctx.client("logs").put_subscription_filter(**params)
