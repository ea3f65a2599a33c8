"""aws:sns resource types: Topic, TopicSubscription and TopicPolicy; the getTopic invoke.

SNS keeps both as string attribute maps, so each type is mostly a table from pulumi-aws's property names to
SNS's attribute names. moto reports only some topic attributes; an attribute the cloud does not report keeps
its recorded value (AWS itself reports every attribute that is set).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from envctl.engine.properties import contains_unknown
from envctl.errors import BadInput
from envctl.providers.aws.base import AwsResource, CheckFailure, CheckResult, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.data_sources import in_provider_region
from envctl.providers.aws.documents import Equivalence, document_from_cloud, policies_equivalent
from envctl.providers.aws.errors import found_or_none, has_code, remove
from envctl.providers.aws.naming import FIFO_SUFFIX, fifo_auto_name, prefixed_unique_id
from envctl.providers.aws.registry import invoke, resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.waiting import wait_until

_AUTO_NAME_LENGTH = 80  # pulumi-aws's auto-name length for topics, before the .fifo suffix
_TOPIC_NAME_RULES = {  # Terraform's check of the final topic name
    False: (re.compile(r"^[0-9A-Za-z_-]{1,256}$"), "1-256 letters, digits, - or _"),
    True: (re.compile(r"^[0-9A-Za-z_-]{1,251}\.fifo$"), "1-251 letters, digits, - or _ then .fifo"),
}
_DEFAULT_CONFIRMATION_MINUTES = 2  # Terraform's wait for non-HTTP protocols
_GONE = ("NotFound", "NotFoundException")


@dataclass(frozen=True)
class _Attribute:
    """One property and the SNS attribute that holds it; kind says how its string form is read and written."""

    wire: str
    api: str
    kind: str = "text"  # text, int, bool or json

    def encode(self, value: Any) -> str:
        if self.kind == "bool":
            return "true" if value else "false"
        if self.kind == "int":
            return str(int(value))
        return str(value)

    def cleared(self) -> str | None:
        """What sets the attribute back when the property is removed; None leaves an int as AWS has it (SNS
        takes no 0 for e.g. SignatureVersion)."""
        return {"bool": "false", "int": None}.get(self.kind, "")

    def decode(self, text: str, configured: Any) -> Any:
        if self.kind == "bool":
            return text.lower() == "true"
        if text == "":
            return None
        if self.kind == "int":
            return int(text)
        if self.kind == "json":
            return document_from_cloud(configured, text)
        return text


def _feedback_attributes() -> list[_Attribute]:
    """Delivery-status logging attributes: a failure and a success role and a success sample rate per protocol."""
    attributes = []
    for wire, api in (("application", "Application"), ("firehose", "Firehose"), ("http", "HTTP"),
                      ("lambda", "Lambda"), ("sqs", "SQS")):
        attributes.append(_Attribute(f"{wire}FailureFeedbackRoleArn", f"{api}FailureFeedbackRoleArn"))
        attributes.append(_Attribute(f"{wire}SuccessFeedbackRoleArn", f"{api}SuccessFeedbackRoleArn"))
        attributes.append(_Attribute(f"{wire}SuccessFeedbackSampleRate", f"{api}SuccessFeedbackSampleRate", "int"))
    return attributes


_TOPIC_ATTRIBUTES = (
    _Attribute("displayName", "DisplayName"),
    _Attribute("policy", "Policy", "json"),
    _Attribute("deliveryPolicy", "DeliveryPolicy", "json"),
    _Attribute("archivePolicy", "ArchivePolicy", "json"),
    _Attribute("kmsMasterKeyId", "KmsMasterKeyId"),
    _Attribute("contentBasedDeduplication", "ContentBasedDeduplication", "bool"),
    _Attribute("signatureVersion", "SignatureVersion", "int"),
    _Attribute("tracingConfig", "TracingConfig"),
    _Attribute("maximumMessageSize", "MaximumMessageSize", "int"),
    _Attribute("fifoThroughputScope", "FifoThroughputScope"),
    *_feedback_attributes(),
)
# Given to CreateTopic itself: SNS cannot change it later (it forces a replacement).
_FIFO_TOPIC = _Attribute("fifoTopic", "FifoTopic", "bool")
_FILTER_POLICY_SCOPE = _Attribute("filterPolicyScope", "FilterPolicyScope")
_SUBSCRIPTION_ATTRIBUTES = (
    _Attribute("rawMessageDelivery", "RawMessageDelivery", "bool"),
    _Attribute("filterPolicy", "FilterPolicy", "json"),
    _FILTER_POLICY_SCOPE,
    _Attribute("deliveryPolicy", "DeliveryPolicy", "json"),
    _Attribute("redrivePolicy", "RedrivePolicy", "json"),
    _Attribute("replayPolicy", "ReplayPolicy", "json"),
    _Attribute("subscriptionRoleArn", "SubscriptionRoleArn"),
)


def _documents(attributes: Iterable[_Attribute]) -> dict[str, Equivalence]:
    return {a.wire: policies_equivalent for a in attributes if a.kind == "json"}


def _set_on_create(attributes: Iterable[_Attribute], inputs: Props) -> dict[str, str]:
    """Attributes for a new resource: only those given a value, as Terraform sends them (false and 0 left out)."""
    return {a.api: a.encode(inputs[a.wire]) for a in attributes if inputs.get(a.wire)}


def _changed(attributes: Iterable[_Attribute], news: Props, changed: Iterable[str]) -> dict[str, str]:
    """New values of the changed attributes; a removed property clears its attribute."""
    keys = set(changed)
    values = {}
    for a in attributes:
        if a.wire not in keys:
            continue
        value = a.encode(news[a.wire]) if news.get(a.wire) is not None else a.cleared()
        if value is not None:
            values[a.api] = value
    return values


def _from_cloud(attributes: Iterable[_Attribute], reported: dict[str, str], state: Props) -> Props:
    return {
        a.wire: a.decode(reported[a.api], state.get(a.wire)) if a.api in reported else state.get(a.wire)
        for a in attributes
    }


# ---- Topic ---------------------------------------------------------------------------------


@resource_type
class Topic(AwsResource):
    token = "aws:sns/topic:Topic"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = _AUTO_NAME_LENGTH
    defaults = {"contentBasedDeduplication": False, "fifoTopic": False}
    force_new = frozenset({"name", "namePrefix", "fifoTopic", "region"})
    handled = frozenset({_FIFO_TOPIC.wire, *(a.wire for a in _TOPIC_ATTRIBUTES)})
    outputs = frozenset({"arn", "beginningArchiveTime", "owner"})
    documents = _documents(_TOPIC_ATTRIBUTES)
    gone_codes = _GONE

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        """pulumi-aws auto-names a FIFO topic `<name>-<7 hex>.fifo`; an old auto-name is kept while it suits
        the topic type."""
        if news.get("name") is None and not news.get("namePrefix"):
            fifo = news.get("fifoTopic") is True
            news = {**news, "name": fifo_auto_name(logical_name, (olds or {}).get("name"), fifo, _AUTO_NAME_LENGTH)}
        return super().check(logical_name, olds, news)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        if contains_unknown(inputs):
            return []
        failures = []
        fifo = bool(inputs.get("fifoTopic"))
        pattern, rule = _TOPIC_NAME_RULES[fifo]
        name = inputs.get("name")
        if name is not None and not pattern.match(name):
            failures.append(CheckFailure("name", f"invalid topic name '{name}': must be {rule}"))
        if not fifo:
            failures.extend(
                CheckFailure(key, f"'{key}' can only be set for a FIFO topic")
                for key in ("archivePolicy", "fifoThroughputScope", "contentBasedDeduplication") if inputs.get(key)
            )
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        sns = ctx.client("sns")
        suffix = FIFO_SUFFIX if inputs.get("fifoTopic") else ""
        name = inputs.get("name") or prefixed_unique_id(inputs["namePrefix"]) + suffix
        params: dict[str, Any] = {"Name": name, "Attributes": _set_on_create((_FIFO_TOPIC,), inputs)}
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        arn = sns.create_topic(**params)["TopicArn"]
        for api, value in _set_on_create(_TOPIC_ATTRIBUTES, inputs).items():
            sns.set_topic_attributes(TopicArn=arn, AttributeName=api, AttributeValue=value)
        return arn, self.describe(ctx, arn, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        sns = ctx.client("sns")
        for api, value in _changed(_TOPIC_ATTRIBUTES, news, diff.changed).items():
            if api == "Policy" and value == "":
                continue  # as Terraform: an empty policy is not sent (SNS keeps its default policy)
            sns.set_topic_attributes(TopicArn=id, AttributeName=api, AttributeValue=value)
        # tagsAll also changes with the provider's default tags, so it is reconciled on every update.
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: sns.tag_resource(ResourceArn=id, Tags=tag_list(tags)),
                  lambda keys: sns.untag_resource(ResourceArn=id, TagKeys=keys))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("sns").delete_topic, gone=_GONE, TopicArn=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        sns = ctx.client("sns")
        reported = sns.get_topic_attributes(TopicArn=id)["Attributes"]
        tags = tag_dict(sns.list_tags_for_resource(ResourceArn=id).get("Tags"))
        return {
            **state,
            **_from_cloud(_TOPIC_ATTRIBUTES, reported, state),
            "fifoTopic": _FIFO_TOPIC.decode(reported.get(_FIFO_TOPIC.api, "false"), None),
            "id": id,
            "arn": id,
            "name": id.rsplit(":", 1)[-1],
            "namePrefix": state.get("namePrefix"),  # not stored by SNS
            "owner": reported.get("Owner"),
            "beginningArchiveTime": reported.get("BeginningArchiveTime"),
            "region": ctx.region,
            **tags_from_cloud(ctx, state, tags),
        }


# ---- TopicSubscription ---------------------------------------------------------------------


@resource_type
class TopicSubscription(AwsResource):
    token = "aws:sns/topicSubscription:TopicSubscription"
    required = ("topic", "protocol", "endpoint")
    defaults = {"confirmationTimeoutInMinutes": 1, "endpointAutoConfirms": False, "rawMessageDelivery": False}
    force_new = frozenset({"topic", "protocol", "endpoint", "region"})
    # The two confirmation settings are how long create waits, not subscription attributes.
    handled = frozenset({"confirmationTimeoutInMinutes", "endpointAutoConfirms",
                         *(a.wire for a in _SUBSCRIPTION_ATTRIBUTES)})
    outputs = frozenset({"arn", "confirmationWasAuthenticated", "ownerId", "pendingConfirmation"})
    taggable = False
    documents = _documents(_SUBSCRIPTION_ATTRIBUTES)
    gone_codes = _GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        sns = ctx.client("sns")
        arn = sns.subscribe(
            TopicArn=inputs["topic"],
            Protocol=inputs["protocol"],
            Endpoint=inputs["endpoint"],
            Attributes=_set_on_create(_SUBSCRIPTION_ATTRIBUTES, inputs),
            ReturnSubscriptionArn=True,  # an ARN even while the endpoint has not confirmed
        )["SubscriptionArn"]
        timeout = _confirmation_timeout_minutes(inputs)
        if timeout is not None:
            wait_until(lambda: not _pending(sns, arn),
                       f"SNS subscription {arn} to be confirmed (check that the endpoint confirms subscriptions)",
                       timeout * 60)
        return arn, self.describe(ctx, arn, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        sns = ctx.client("sns")
        values = _changed(_SUBSCRIPTION_ATTRIBUTES, news, diff.changed)
        if values.get("FilterPolicy") == "":
            values["FilterPolicy"] = "{}"  # SNS removes a filter policy given as an empty object
        # As Terraform: a MessageBody scope goes first and a MessageAttributes scope last, so that neither
        # the old nor the new filter policy is ever checked against the wrong scope.
        scope = values.pop(_FILTER_POLICY_SCOPE.api, None)
        ordered = list(values.items())
        if scope == "MessageBody":
            ordered.insert(0, (_FILTER_POLICY_SCOPE.api, scope))
        elif scope:
            ordered.append((_FILTER_POLICY_SCOPE.api, scope))
        for api, value in ordered:
            params = {"SubscriptionArn": id, "AttributeName": api}
            if value or api != "RedrivePolicy":  # SNS takes no value, not an empty one, to remove a redrive policy
                params["AttributeValue"] = value
            sns.set_subscription_attributes(**params)
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        try:
            ctx.client("sns").unsubscribe(SubscriptionArn=id)
        except ClientError as error:
            message = error.response["Error"].get("Message", "")
            if has_code(error, _GONE) or "pending confirmation" in message:
                return  # SNS removes an unconfirmed subscription itself after three days
            raise

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        reported = ctx.client("sns").get_subscription_attributes(SubscriptionArn=id)["Attributes"]
        return {
            **state,
            **_from_cloud(_SUBSCRIPTION_ATTRIBUTES, reported, state),
            "id": id,
            "arn": id,
            "topic": reported.get("TopicArn", state.get("topic")),
            "protocol": reported.get("Protocol", state.get("protocol")),
            "endpoint": reported.get("Endpoint", state.get("endpoint")),
            "ownerId": reported.get("Owner"),
            "pendingConfirmation": _is_true(reported.get("PendingConfirmation")),
            "confirmationWasAuthenticated": _is_true(reported.get("ConfirmationWasAuthenticated")),
            "region": ctx.region,
        }


def _confirmation_timeout_minutes(inputs: Props) -> int | None:
    """How long Terraform waits for the endpoint to confirm; None when it does not wait (e-mail, or HTTP
    endpoints that do not confirm by themselves)."""
    protocol = inputs["protocol"]
    if "email" in protocol or ("http" in protocol and not inputs.get("endpointAutoConfirms")):
        return None
    if "http" in protocol:
        return int(inputs.get("confirmationTimeoutInMinutes") or 1)
    return _DEFAULT_CONFIRMATION_MINUTES


def _pending(sns: Any, arn: str) -> bool:
    return _is_true(sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"].get("PendingConfirmation"))


def _is_true(text: str | None) -> bool:
    return (text or "false").lower() == "true"


# ---- TopicPolicy ---------------------------------------------------------------------------

# The actions of the policy SNS gives a new topic, which deleting a TopicPolicy puts back (as Terraform).
_DEFAULT_POLICY_ACTIONS = ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                           "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                           "SNS:ListSubscriptionsByTopic", "SNS:Publish"]


def default_topic_policy(topic_arn: str) -> str:
    account = topic_arn.split(":")[4]
    return json.dumps({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": _DEFAULT_POLICY_ACTIONS,
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
        }],
    })


@resource_type
class TopicPolicy(AwsResource):
    """The access policy of a topic. The Topic's `policy` input is Optional+Computed in pulumi-aws, so a topic that
    leaves it out does not fight this resource over it."""

    token = "aws:sns/topicPolicy:TopicPolicy"
    id_property = "arn"
    required = ("arn", "policy")
    force_new = frozenset({"arn"})
    taggable = False
    handled = frozenset()  # the topic and its policy
    documents = {"policy": policies_equivalent}
    outputs = frozenset({"owner"})
    gone_codes = _GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._set(ctx, inputs["arn"], inputs["policy"])
        return inputs["arn"], {**inputs, **self.describe(ctx, inputs["arn"], inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._set(ctx, id, news["policy"])
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        found_or_none(self._set, _GONE, ctx, id, default_topic_policy(id))

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        reported = ctx.client("sns").get_topic_attributes(TopicArn=id)["Attributes"]
        return {"arn": id, "owner": reported.get("Owner"),
                "policy": document_from_cloud(state.get("policy"), reported.get("Policy"))}

    def _set(self, ctx: AwsContext, arn: str, policy: str) -> None:
        ctx.client("sns").set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=policy)


# ---- getTopic ------------------------------------------------------------------------------


@invoke("aws:sns/getTopic:getTopic")
def get_topic(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """Terraform's aws_sns_topic data source: the topic of that name in the provider's region, with its tags."""
    in_provider_region(ctx, args, "getTopic")
    sns = ctx.client("sns")
    arns = [topic["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for topic in page["Topics"]]
    found = [arn for arn in arns if arn.rsplit(":", 1)[-1] == args["name"]]
    if not found:
        raise BadInput(f"getTopic: no SNS topic named {args['name']!r} in {ctx.region}")
    tags = tag_dict(sns.list_tags_for_resource(ResourceArn=found[0]).get("Tags"))
    return {"id": found[0], "arn": found[0], "name": args["name"], "region": ctx.region, "tags": tags}
