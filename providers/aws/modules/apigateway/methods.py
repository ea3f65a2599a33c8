"""aws:apigateway Resource, and the parts of a method: Method, MethodResponse, Integration, IntegrationResponse.

A method part is addressed by its REST API, resource and HTTP method (and status code for responses); its id is
Terraform's: a prefix and those parts joined by dashes (agm-, agmr-, agi-, agir-).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from envctl.providers.aws.base import DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.apigateway.shared import ApiGatewayResource, apigateway, found
from envctl.providers.aws.registry import resource_type

_NO_UPDATE_RESOURCE = "it has no UpdateResource"
_NO_UPDATE_METHOD = "it has no UpdateMethod"
_NO_UPDATE_METHOD_RESPONSE = "it has no UpdateMethodResponse"
_METHOD_ADDRESS = ("restApi", "resourceId", "httpMethod")
_RESPONSE_ADDRESS = (*_METHOD_ADDRESS, "statusCode")


@resource_type
class Resource(ApiGatewayResource):
    token = "aws:apigateway/resource:Resource"
    required = ("parentId", "pathPart", "restApi")
    force_new = frozenset({"restApi"})
    taggable = False
    handled = frozenset()
    outputs = frozenset({"path"})
    fixed_locally = {"parentId": _NO_UPDATE_RESOURCE, "pathPart": _NO_UPDATE_RESOURCE}

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        id = apigateway(ctx).create_resource(restApiId=inputs["restApi"], parentId=inputs["parentId"],
                                             pathPart=inputs["pathPart"])["id"]
        return id, {**inputs, **self.describe(ctx, id, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        return {**news, **self.describe(ctx, id, news)}  # check refuses every change the local cloud cannot make

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        self.delete_present(ctx, id, state, apigateway(ctx).delete_resource, restApiId=state["restApi"],
                            resourceId=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        answer = apigateway(ctx).get_resource(restApiId=state["restApi"], resourceId=id)
        return {"restApi": state["restApi"], "parentId": answer.get("parentId"), "pathPart": answer.get("pathPart"),
                "path": answer["path"]}


class _MethodPart(ApiGatewayResource):
    """A method or a part of one: addressed by `address` inputs, all force-new, and with Terraform's id."""

    id_prefix: ClassVar[str]
    address: ClassVar[tuple[str, ...]] = _METHOD_ADDRESS
    # Whether an update puts the part again (a Put that replaces it); else check refuses every in-place change,
    # since a Put of a method (or its response) on the local cloud drops what hangs off it.
    put_updates: ClassVar[bool] = True
    taggable = False

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self.put(ctx, inputs)
        id = self.candidate_ids(ctx, urn, inputs)[0]
        return id, {**inputs, **self.read_back(ctx, id, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        if self.put_updates:
            self.put(ctx, news)
        return {**news, **self.read_back(ctx, id, news)}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        return ["-".join((self.id_prefix, *(str(inputs[key]) for key in self.address)))]

    @abstractmethod
    def put(self, ctx: AwsContext, inputs: Props) -> None:
        """Create the part, or make it what `inputs` say."""

    def method_of(self, ctx: AwsContext, props: Props) -> dict[str, Any] | None:
        return found(apigateway(ctx).get_method, **method_params(props))


def method_params(props: Props) -> dict[str, str]:
    return {"restApiId": props["restApi"], "resourceId": props["resourceId"], "httpMethod": props["httpMethod"]}


@resource_type
class Method(_MethodPart):
    token = "aws:apigateway/method:Method"
    id_prefix = "agm"
    put_updates = False
    required = ("authorization", "httpMethod", "resourceId", "restApi")
    defaults = {"apiKeyRequired": False}
    force_new = frozenset(_METHOD_ADDRESS)
    set_properties = ("authorizationScopes",)
    handled = frozenset({"apiKeyRequired", "authorizationScopes", "authorizerId", "operationName", "requestModels",
                         "requestParameters", "requestValidatorId"})
    fixed_locally = dict.fromkeys(("authorization", *handled), _NO_UPDATE_METHOD)

    def put(self, ctx: AwsContext, inputs: Props) -> None:
        params: dict[str, Any] = {**method_params(inputs), "authorizationType": inputs["authorization"],
                                  "apiKeyRequired": bool(inputs.get("apiKeyRequired"))}
        for key in ("authorizationScopes", "authorizerId", "operationName", "requestModels", "requestParameters",
                    "requestValidatorId"):
            if inputs.get(key) not in (None, "", [], {}):
                params[key] = inputs[key]
        apigateway(ctx).put_method(**params)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        self.delete_present(ctx, id, state, apigateway(ctx).delete_method, **method_params(state))

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        answer = apigateway(ctx).get_method(**method_params(state))
        return {
            **{key: state[key] for key in _METHOD_ADDRESS},
            "authorization": answer.get("authorizationType"),
            "apiKeyRequired": bool(answer.get("apiKeyRequired")),
            "authorizationScopes": sorted(answer["authorizationScopes"]) if answer.get("authorizationScopes") else None,
            "authorizerId": answer.get("authorizerId"),
            "operationName": answer.get("operationName"),
            "requestModels": answer.get("requestModels") or None,
            "requestParameters": answer.get("requestParameters") or None,
            "requestValidatorId": answer.get("requestValidatorId"),
        }


@resource_type
class MethodResponse(_MethodPart):
    token = "aws:apigateway/methodResponse:MethodResponse"
    id_prefix = "agmr"
    put_updates = False
    address = _RESPONSE_ADDRESS
    required = _RESPONSE_ADDRESS
    force_new = frozenset(_RESPONSE_ADDRESS)
    handled = frozenset({"responseModels", "responseParameters"})
    fixed_locally = dict.fromkeys(handled, _NO_UPDATE_METHOD_RESPONSE)

    def put(self, ctx: AwsContext, inputs: Props) -> None:
        params: dict[str, Any] = {**method_params(inputs), "statusCode": inputs["statusCode"]}
        for key in ("responseModels", "responseParameters"):
            if inputs.get(key):
                params[key] = inputs[key]
        apigateway(ctx).put_method_response(**params)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        self.delete_present(ctx, id, state, apigateway(ctx).delete_method_response, **method_params(state),
                            statusCode=state["statusCode"])

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        # Read through the method: the local cloud fails on getting a response that is not there.
        method = self.method_of(ctx, state)
        answer = (method or {}).get("methodResponses", {}).get(state["statusCode"])
        if answer is None:
            return None
        return {**{key: state[key] for key in _RESPONSE_ADDRESS},
                "responseModels": answer.get("responseModels") or None,
                "responseParameters": answer.get("responseParameters") or None}


@resource_type
class Integration(_MethodPart):
    token = "aws:apigateway/integration:Integration"
    id_prefix = "agi"
    required = ("httpMethod", "resourceId", "restApi", "type")
    defaults = {"connectionType": "INTERNET", "timeoutMilliseconds": 29000}
    force_new = frozenset(_METHOD_ADDRESS)
    handled = frozenset({"cacheNamespace", "connectionType", "contentHandling", "credentials", "integrationHttpMethod",
                         "passthroughBehavior", "requestParameters", "requestTemplates", "timeoutMilliseconds",
                         "tlsConfig", "uri"})
    unsupported = {
        "connectionId": "VPC link connections of integrations are not emulated by the local cloud",
        "cacheKeyParameters": "integration cache keys are not emulated by the local cloud (it ignores them)",
        "integrationTarget": "integration targets (load balancer ARNs behind VPC links) are not emulated by the "
                             "local cloud",
        "responseTransferMode": "response streaming is not emulated by the local cloud",
    }
    _PARAMS: ClassVar[dict[str, str]] = {
        "uri": "uri", "integrationHttpMethod": "integrationHttpMethod", "credentials": "credentials",
        "requestTemplates": "requestTemplates", "requestParameters": "requestParameters",
        "passthroughBehavior": "passthroughBehavior", "cacheNamespace": "cacheNamespace",
        "contentHandling": "contentHandling", "timeoutMilliseconds": "timeoutInMillis",
        "connectionType": "connectionType", "tlsConfig": "tlsConfig",
    }

    def put(self, ctx: AwsContext, inputs: Props) -> None:
        """PutIntegration makes the integration anew, so the responses it had are put back after it."""
        client = apigateway(ctx)
        before = found(client.get_integration, **method_params(inputs)) or {}
        params: dict[str, Any] = {**method_params(inputs), "type": inputs["type"]}
        params.update({api: inputs[key] for key, api in self._PARAMS.items() if inputs.get(key) not in (None, "", {})})
        client.put_integration(**params)
        for status, response in (before.get("integrationResponses") or {}).items():
            kept = {k: v for k, v in response.items() if k != "statusCode" and v}
            if kept.get("responseTemplates"):  # the local cloud reports an empty template as null
                kept["responseTemplates"] = {k: v or "" for k, v in kept["responseTemplates"].items()}
            client.put_integration_response(**method_params(inputs), statusCode=status, **kept)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        self.delete_present(ctx, id, state, apigateway(ctx).delete_integration, **method_params(state))

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        answer = found(apigateway(ctx).get_integration, **method_params(state)) if self.method_of(ctx, state) else None
        if not answer or not answer.get("type"):  # the local cloud answers {} for a method without one
            return None
        return {
            **{key: state[key] for key in _METHOD_ADDRESS},
            "type": answer["type"],
            **{key: answer.get(api) or None for key, api in self._PARAMS.items()},
            "timeoutMilliseconds": int(answer.get("timeoutInMillis") or 29000),
        }


@resource_type
class IntegrationResponse(_MethodPart):
    token = "aws:apigateway/integrationResponse:IntegrationResponse"
    id_prefix = "agir"
    address = _RESPONSE_ADDRESS
    required = _RESPONSE_ADDRESS
    force_new = frozenset(_RESPONSE_ADDRESS)
    handled = frozenset({"contentHandling", "responseParameters", "responseTemplates", "selectionPattern"})

    def put(self, ctx: AwsContext, inputs: Props) -> None:
        params: dict[str, Any] = {**method_params(inputs), "statusCode": inputs["statusCode"]}
        for key in self.handled:
            if inputs.get(key) not in (None, "", {}):
                params[key] = inputs[key]
        apigateway(ctx).put_integration_response(**params)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        self.delete_present(ctx, id, state, apigateway(ctx).delete_integration_response, **method_params(state),
                            statusCode=state["statusCode"])

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        # Read through the integration: the local cloud fails on getting a response of a method without one.
        integration = found(apigateway(ctx).get_integration, **method_params(state)) \
            if self.method_of(ctx, state) else None
        answer = ((integration or {}).get("integrationResponses") or {}).get(state["statusCode"])
        if answer is None:
            return None
        return {**{key: state[key] for key in _RESPONSE_ADDRESS},
                **{key: answer.get(key) or None for key in sorted(self.handled)}}
