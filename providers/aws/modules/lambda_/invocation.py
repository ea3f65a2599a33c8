"""How a function is invoked besides its own API: its HTTPS URL (FunctionUrl) and what happens to asynchronous
invocations (FunctionEventInvokeConfig). The id of each is the function's name, as Terraform's without a
qualifier."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlparse

from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.wire import api_keys, wire_keys

_GONE = ("ResourceNotFoundException",)
_NO_QUALIFIER = "the local cloud keeps one per function, not per version or alias; leave qualifier out"


# ---- FunctionUrl -----------------------------------------------------------------------------


@resource_type
class FunctionUrl(AwsResource):
    token = "aws:lambda/functionUrl:FunctionUrl"
    id_property = "functionName"
    required = ("authorizationType", "functionName")
    defaults = {"invokeMode": "BUFFERED"}
    force_new = frozenset({"functionName", "qualifier"})
    handled = frozenset({"cors", "invokeMode"})
    unsupported = {"qualifier": f"function URLs of an alias: {_NO_QUALIFIER}"}
    taggable = False
    outputs = frozenset({"functionArn", "functionUrl", "urlId"})
    gone_codes = _GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"FunctionName": inputs["functionName"], "AuthType": inputs["authorizationType"],
                                  "InvokeMode": inputs["invokeMode"]}
        if inputs.get("cors"):
            params["Cors"] = api_keys(inputs["cors"])
        ctx.client("lambda").create_function_url_config(**params)
        return inputs["functionName"], self.describe(ctx, inputs["functionName"], inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        changed = set(diff.changed)
        # moto's UpdateFunctionUrlConfig keeps the invoke mode and a CORS configuration it is asked to drop.
        if "invokeMode" in changed or ("cors" in changed and not news.get("cors")):
            raise OperationFailed(f"{self.token} {id}: the local cloud cannot change a URL's invoke mode or remove "
                                  "its CORS configuration in place; replace the URL (replaceOnChanges)")
        params: dict[str, Any] = {"FunctionName": id, "AuthType": news["authorizationType"]}
        if news.get("cors"):
            params["Cors"] = api_keys(news["cors"])
        ctx.client("lambda").update_function_url_config(**params)
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        client = ctx.client("lambda")
        with contextlib.suppress(client.exceptions.ResourceNotFoundException):
            client.delete_function_url_config(FunctionName=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        config = ctx.client("lambda").get_function_url_config(FunctionName=id)
        url = config["FunctionUrl"]
        return {
            **state,
            "id": id,
            "functionName": state.get("functionName") or id,
            "functionArn": config["FunctionArn"],
            "functionUrl": url if url.endswith("/") else url + "/",  # AWS answers with the trailing slash
            "urlId": (urlparse(url).hostname or "").split(".")[0],  # the first label of the URL's host
            "authorizationType": config["AuthType"],
            "invokeMode": str(config.get("InvokeMode") or "BUFFERED").upper(),
            "cors": wire_keys(config["Cors"]) if config.get("Cors") else None,
            "qualifier": None,
        }


# ---- FunctionEventInvokeConfig ---------------------------------------------------------------

_RESULTS = ("onFailure", "onSuccess")


def _destinations_to_api(destinations: Props | None) -> dict[str, Any]:
    return {result[:1].upper() + result[1:]: {"Destination": block["destination"]}
            for result, block in (destinations or {}).items() if result in _RESULTS and block}


def _destinations_from_api(destinations: dict[str, Any] | None) -> Props | None:
    found = {result: {"destination": (destinations or {}).get(result[:1].upper() + result[1:], {}).get("Destination")}
             for result in _RESULTS}
    kept = {result: block for result, block in found.items() if block["destination"]}
    return kept or None


@resource_type
class FunctionEventInvokeConfig(AwsResource):
    token = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
    id_property = "functionName"
    required = ("functionName",)
    defaults = {"maximumRetryAttempts": 2}
    force_new = frozenset({"functionName", "qualifier"})
    handled = frozenset({"destinationConfig", "maximumEventAgeInSeconds", "maximumRetryAttempts"})
    unsupported = {"qualifier": f"the asynchronous invocation settings of a version or alias: {_NO_QUALIFIER}"}
    taggable = False
    gone_codes = _GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ctx.client("lambda").put_function_event_invoke_config(**_invoke_config_params(inputs))
        return inputs["functionName"], self.describe(ctx, inputs["functionName"], inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        client = ctx.client("lambda")
        # Put replaces the whole configuration (Terraform updates with it); moto adds a second one beside the
        # first instead, so the first is deleted before.
        client.delete_function_event_invoke_config(FunctionName=id)
        client.put_function_event_invoke_config(**_invoke_config_params({**news, "functionName": id}))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        client = ctx.client("lambda")
        with contextlib.suppress(client.exceptions.ResourceNotFoundException):
            client.delete_function_event_invoke_config(FunctionName=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        config = ctx.client("lambda").get_function_event_invoke_config(FunctionName=id)
        return {
            **state,
            "id": id,
            "functionName": state.get("functionName") or id,
            "qualifier": None,
            "maximumEventAgeInSeconds": config.get("MaximumEventAgeInSeconds"),
            "maximumRetryAttempts": config.get("MaximumRetryAttempts"),
            "destinationConfig": _destinations_from_api(config.get("DestinationConfig")),
        }


def _invoke_config_params(props: Props) -> dict[str, Any]:
    params: dict[str, Any] = {"FunctionName": props["functionName"]}
    for wire, api in (("maximumEventAgeInSeconds", "MaximumEventAgeInSeconds"),
                      ("maximumRetryAttempts", "MaximumRetryAttempts")):
        if props.get(wire) is not None:
            params[api] = props[wire]
    if destinations := _destinations_to_api(props.get("destinationConfig")):
        params["DestinationConfig"] = destinations
    return params
