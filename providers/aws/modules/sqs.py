"""aws:sqs resource types: Queue, and the documents of a queue that have resources of their own (QueuePolicy,
RedrivePolicy, RedriveAllowPolicy); the getQueue invoke."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.errors import BadInput
from envctl.providers.aws.base import AwsResource, CheckFailure, CheckResult, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.data_sources import in_provider_region
from envctl.providers.aws.documents import canonical_json, document_from_cloud, json_equivalent, policies_equivalent
from envctl.providers.aws.errors import found_or_none, remove
from envctl.providers.aws.naming import FIFO_SUFFIX, fifo_auto_name, prefixed_unique_id
from envctl.providers.aws.registry import invoke, resource_type
from envctl.providers.aws.tags import sync_tags, tags_from_cloud
from envctl.providers.aws.wire import api_name

_MAX_NAME_LENGTH = 80
_NAME_PATTERNS = {  # Terraform's check of the final name
    False: re.compile(r"^[0-9A-Za-z_-]{1,80}$"),
    True: re.compile(r"^[0-9A-Za-z_-]{1,75}\.fifo$"),
}
_GONE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


@dataclass(frozen=True)
class _Attribute:
    """One queue property and the SQS attribute that holds it (SQS attributes are all strings)."""

    wire: str
    api: str
    encode: Callable[[Any], str]
    decode: Callable[[str], Any]
    absent: Any = None  # the value when SQS does not report the attribute
    cleared: str | None = None  # what unsets it when the property is removed; None: left to AWS's value


def _int_attribute(wire: str, api: str) -> _Attribute:
    return _Attribute(wire, api, lambda v: str(int(v)), int)


def _bool_attribute(wire: str, api: str) -> _Attribute:
    return _Attribute(wire, api, lambda v: "true" if v else "false", lambda s: s == "true", absent=False)


def _text_attribute(wire: str, api: str) -> _Attribute:
    return _Attribute(wire, api, str, str, cleared="")


def _json_attribute(wire: str, api: str) -> _Attribute:
    return _Attribute(wire, api, canonical_json, canonical_json, cleared="")


_ATTRIBUTES = (
    _int_attribute("delaySeconds", "DelaySeconds"),
    _int_attribute("maxMessageSize", "MaximumMessageSize"),
    _int_attribute("messageRetentionSeconds", "MessageRetentionPeriod"),
    _int_attribute("receiveWaitTimeSeconds", "ReceiveMessageWaitTimeSeconds"),
    _int_attribute("visibilityTimeoutSeconds", "VisibilityTimeout"),
    _int_attribute("kmsDataKeyReusePeriodSeconds", "KmsDataKeyReusePeriodSeconds"),
    _json_attribute("policy", "Policy"),
    _json_attribute("redrivePolicy", "RedrivePolicy"),
    _json_attribute("redriveAllowPolicy", "RedriveAllowPolicy"),
    _bool_attribute("sqsManagedSseEnabled", "SqsManagedSseEnabled"),
    _text_attribute("kmsMasterKeyId", "KmsMasterKeyId"),
    _bool_attribute("fifoQueue", "FifoQueue"),
    _bool_attribute("contentBasedDeduplication", "ContentBasedDeduplication"),
    _text_attribute("deduplicationScope", "DeduplicationScope"),
    _text_attribute("fifoThroughputLimit", "FifoThroughputLimit"),
)
_JSON_PROPERTIES = tuple(a.wire for a in _ATTRIBUTES if a.encode is canonical_json)
# Booleans SQS rejects as "false" on a standard queue; Terraform sends them only when true.
_SENT_WHEN_TRUE = frozenset({"fifoQueue", "contentBasedDeduplication"})


# The ranges SQS accepts (pulumi-aws validates them before any call).
_RANGES = {
    "delaySeconds": (0, 900),
    "maxMessageSize": (1024, 1048576),
    "messageRetentionSeconds": (60, 1209600),
    "receiveWaitTimeSeconds": (0, 20),
    "visibilityTimeoutSeconds": (0, 43200),
}


@resource_type
class Queue(AwsResource):
    token = "aws:sqs/queue:Queue"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = _MAX_NAME_LENGTH
    defaults = {
        "contentBasedDeduplication": False,
        "delaySeconds": 0,
        "fifoQueue": False,
        "maxMessageSize": 262144,
        "messageRetentionSeconds": 345600,
        "receiveWaitTimeSeconds": 0,
        "visibilityTimeoutSeconds": 30,
    }
    force_new = frozenset({"name", "namePrefix", "fifoQueue"})
    handled = frozenset(a.wire for a in _ATTRIBUTES)
    outputs = frozenset({"arn", "url"})
    # A policy that grants the same in other words is no change; the others are normalised in check.
    documents = {key: policies_equivalent if key == "policy" else json_equivalent for key in _JSON_PROPERTIES}
    gone_codes = _GONE

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        """Auto-name as pulumi-aws does (a FIFO queue's name ends with .fifo) and normalise JSON documents."""
        news = dict(news)
        if news.get("name") is None and not news.get("namePrefix"):
            fifo = news.get("fifoQueue") is True
            length = _MAX_NAME_LENGTH - len(FIFO_SUFFIX) if fifo else _MAX_NAME_LENGTH
            news["name"] = fifo_auto_name(logical_name, (olds or {}).get("name"), fifo, length)
        for key in _JSON_PROPERTIES:
            if isinstance(news.get(key), str):
                with contextlib.suppress(ValueError):  # not JSON: left as is for validate to report
                    news[key] = canonical_json(news[key])
        return super().check(logical_name, olds, news)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        """Each rule runs only once its values are known (a preview may not know them yet)."""
        failures = []
        fifo = inputs.get("fifoQueue")
        if isinstance(fifo, bool):
            name = inputs.get("name")
            if name is not None and not contains_unknown(name) and not _NAME_PATTERNS[fifo].match(name):
                rule = "1-75 letters, digits, - or _ then .fifo" if fifo else "1-80 letters, digits, - or _"
                failures.append(CheckFailure("name", f"invalid queue name '{name}': must be {rule}"))
            if inputs.get("contentBasedDeduplication") is True and not fifo:
                failures.append(CheckFailure("contentBasedDeduplication", "only a FIFO queue can set it"))
        for key, (low, high) in _RANGES.items():
            value = inputs.get(key)
            if isinstance(value, int) and not low <= value <= high:
                failures.append(CheckFailure(key, f"must be between {low} and {high}, got {value}"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        client = ctx.client("sqs")
        suffix = FIFO_SUFFIX if inputs.get("fifoQueue") else ""
        name = inputs.get("name") or prefixed_unique_id(inputs["namePrefix"]) + suffix
        attributes = {
            a.api: a.encode(inputs[a.wire])
            for a in _ATTRIBUTES
            if inputs.get(a.wire) not in (None, "") and (a.wire not in _SENT_WHEN_TRUE or inputs[a.wire])
        }
        params: dict[str, Any] = {"QueueName": name, "Attributes": attributes}
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["tags"] = tags
        url = client.create_queue(**params)["QueueUrl"]
        return url, {**inputs, **self.describe(ctx, url, inputs)}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        # The id is the queue's URL, which only SQS can say.
        found = found_or_none(ctx.client("sqs").get_queue_url, _GONE, QueueName=inputs["name"])
        return [found["QueueUrl"]] if found else []

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        client = ctx.client("sqs")
        attributes = {}
        for a in _ATTRIBUTES:
            if a.wire not in diff.changed:
                continue
            if news.get(a.wire) is not None:
                attributes[a.api] = a.encode(news[a.wire])
            elif a.cleared is not None:
                attributes[a.api] = a.cleared
        if attributes:
            set_queue_attributes(client, id, attributes)
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: client.tag_queue(QueueUrl=id, Tags=tags),
                  lambda keys: client.untag_queue(QueueUrl=id, TagKeys=keys))
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("sqs").delete_queue, gone=_GONE, QueueUrl=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        client = ctx.client("sqs")
        reported = client.get_queue_attributes(QueueUrl=id, AttributeNames=["All"])["Attributes"]
        tags = client.list_queue_tags(QueueUrl=id).get("Tags", {})
        attributes = {a.wire: a.decode(reported[a.api]) if a.api in reported else a.absent for a in _ATTRIBUTES}
        if attributes["policy"] is not None:  # the configured text while AWS's copy is equivalent
            attributes["policy"] = document_from_cloud(state.get("policy"), attributes["policy"])
        return {
            **attributes,
            "name": id.rsplit("/", 1)[-1],
            "namePrefix": state.get("namePrefix"),  # not stored by AWS
            "arn": reported["QueueArn"],
            "url": id,
            **tags_from_cloud(ctx, state, tags),
        }


# ---- QueuePolicy, RedrivePolicy, RedriveAllowPolicy -------------------------------------------


class _QueueDocument(AwsResource):
    """A JSON document of a queue that its own resource sets (one queue attribute): the queue's URL is the id, a
    delete clears the attribute, and a queue without it reads as gone. The Queue's input of the same name is
    Optional+Computed in pulumi-aws, so a queue that leaves it out does not fight this resource over it."""

    attribute: str  # the input; the SQS attribute is its name capitalised
    required: tuple[str, ...]
    id_property = "queueUrl"
    force_new = frozenset({"queueUrl"})
    taggable = False
    handled = frozenset()  # the queue and its document
    gone_codes = _GONE

    @property
    def _api(self) -> str:
        return api_name(self.attribute)

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        news = dict(news)
        if isinstance(news.get(self.attribute), str):
            with contextlib.suppress(ValueError):  # not JSON: left as is for the base check to report
                news[self.attribute] = canonical_json(news[self.attribute])
        return super().check(logical_name, olds, news)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._set(ctx, inputs["queueUrl"], inputs[self.attribute])
        return inputs["queueUrl"], {**inputs, **self.read_back(ctx, inputs["queueUrl"], inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._set(ctx, id, news[self.attribute])
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        found_or_none(self._set, _GONE, ctx, id, "")  # a queue that is gone has no document either

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        found = super().read(ctx, id, state)
        return found if found and found.get(self.attribute) else None

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        reported = ctx.client("sqs").get_queue_attributes(QueueUrl=id, AttributeNames=["All"])["Attributes"]
        text = reported.get(self._api)
        return {"queueUrl": id, self.attribute: document_from_cloud(state.get(self.attribute), text,
                                                                    self.documents[self.attribute]) if text else None}

    def _set(self, ctx: AwsContext, url: str, text: str) -> None:
        set_queue_attributes(ctx.client("sqs"), url, {self._api: text})


def set_queue_attributes(client: Any, url: str, attributes: dict[str, str]) -> None:
    """SetQueueAttributes, keeping the queue's policy when the call does not change it: moto's drops a policy the
    call does not repeat (so a Queue update would undo a QueuePolicy), and repeating it unchanged is what AWS keeps
    anyway."""
    if "Policy" not in attributes:
        reported = client.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {})
        if reported.get("Policy"):
            attributes = {**attributes, "Policy": reported["Policy"]}
    client.set_queue_attributes(QueueUrl=url, Attributes=attributes)


@resource_type
class QueuePolicy(_QueueDocument):
    token = "aws:sqs/queuePolicy:QueuePolicy"
    attribute = "policy"
    required = ("queueUrl", "policy")
    documents = {"policy": policies_equivalent}


@resource_type
class RedrivePolicy(_QueueDocument):
    token = "aws:sqs/redrivePolicy:RedrivePolicy"
    attribute = "redrivePolicy"
    required = ("queueUrl", "redrivePolicy")
    documents = {"redrivePolicy": json_equivalent}


@resource_type
class RedriveAllowPolicy(_QueueDocument):
    token = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"
    attribute = "redriveAllowPolicy"
    required = ("queueUrl", "redriveAllowPolicy")
    documents = {"redriveAllowPolicy": json_equivalent}
    unsupported = {"redriveAllowPolicy": "the local cloud does not keep a queue's redrive allow policy (which source "
                                         "queues may use it as a dead-letter queue)"}


# ---- getQueue ---------------------------------------------------------------------------------


@invoke("aws:sqs/getQueue:getQueue")
def get_queue(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_sqs_queue data source: the queue of that name in the provider's region, with its tags."""
    in_provider_region(ctx, args, "getQueue")
    client = ctx.client("sqs")
    found = found_or_none(client.get_queue_url, _GONE, QueueName=args["name"])
    if not found:
        raise BadInput(f"getQueue: no SQS queue named {args['name']!r} in {ctx.region}")
    url = found["QueueUrl"]
    arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return {"id": url, "name": args["name"], "url": url, "arn": arn, "region": ctx.region,
            "tags": client.list_queue_tags(QueueUrl=url).get("Tags", {})}
