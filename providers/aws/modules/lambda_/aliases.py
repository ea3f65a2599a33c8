"""aws:lambda Alias: a name for one of a function's versions, optionally sharing traffic with another."""

from __future__ import annotations

import contextlib
from typing import Any

from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.lambda_.functions import invoke_arn
from envctl.providers.aws.registry import resource_type

_GONE = ("ResourceNotFoundException",)


def _routing_to_api(routing: Props | None) -> dict[str, Any]:
    return {"AdditionalVersionWeights": dict((routing or {}).get("additionalVersionWeights") or {})}


def _routing_from_api(routing: dict[str, Any] | None) -> Props | None:
    weights = (routing or {}).get("AdditionalVersionWeights")
    return {"additionalVersionWeights": weights} if weights else None


def alias_parts(arn: str) -> tuple[str, str]:
    """Function name and alias name from an alias ARN (arn:aws:lambda:<region>:<account>:function:<fn>:<alias>)."""
    *_, function, alias = arn.split(":")
    return function, alias


@resource_type
class Alias(AwsResource):
    token = "aws:lambda/alias:Alias"
    name_property = "name"
    name_max_length = 128
    required = ("functionName", "functionVersion")
    force_new = frozenset({"name", "functionName"})
    handled = frozenset({"description", "routingConfig"})
    taggable = False
    outputs = frozenset({"arn", "invokeArn"})
    gone_codes = _GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"FunctionName": inputs["functionName"], "Name": inputs["name"],
                                  "FunctionVersion": inputs["functionVersion"]}
        if inputs.get("description"):
            params["Description"] = inputs["description"]
        if inputs.get("routingConfig"):
            params["RoutingConfig"] = _routing_to_api(inputs["routingConfig"])
        arn = ctx.client("lambda").create_alias(**params)["AliasArn"]
        return arn, self.describe(ctx, arn, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        function, name = alias_parts(id)
        # As Terraform: every setting is sent, a removed routing configuration as no extra weights.
        ctx.client("lambda").update_alias(FunctionName=function, Name=name, FunctionVersion=news["functionVersion"],
                                          Description=news.get("description") or "",
                                          RoutingConfig=_routing_to_api(news.get("routingConfig")))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        function, name = alias_parts(id)
        client = ctx.client("lambda")
        with contextlib.suppress(client.exceptions.ResourceNotFoundException):
            client.delete_alias(FunctionName=function, Name=name)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        function, name = alias_parts(id)
        alias = ctx.client("lambda").get_alias(FunctionName=function, Name=name)
        return {
            **state,
            "id": alias["AliasArn"],
            "arn": alias["AliasArn"],
            "invokeArn": invoke_arn(ctx, alias["AliasArn"]),
            "name": alias["Name"],
            "functionName": state.get("functionName") or function,
            "functionVersion": alias["FunctionVersion"],
            "description": alias.get("Description") or None,
            "routingConfig": _routing_from_api(alias.get("RoutingConfig")),
        }
