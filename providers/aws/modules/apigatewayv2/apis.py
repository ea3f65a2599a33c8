"""aws:apigatewayv2 Api, Integration, Route and Stage (HTTP and WebSocket APIs)."""

from __future__ import annotations

from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.apigatewayv2.shared import DEFAULT_STAGE, ApiGatewayResource, Keyed, Tagged
from envctl.providers.aws.registry import resource_type

_QUICK_CREATE = ("credentialsArn", "routeKey", "target")  # CreateApi makes an integration, route and stage of them
_DEFAULT_ROUTE = "$default"


@resource_type
class Api(Tagged):
    token = "aws:apigatewayv2/api:Api"
    name_property = "name"
    name_max_length = 128
    required = ("protocolType",)
    defaults = {
        "apiKeySelectionExpression": "$request.header.x-api-key",
        "routeSelectionExpression": "$request.method $request.path",
    }
    force_new = frozenset({"protocolType", *_QUICK_CREATE})
    unreported = frozenset(_QUICK_CREATE)
    outputs = frozenset({"apiEndpoint", "arn", "executionArn"})
    noun = "api"
    id_param = "ApiId"
    settings = (
        "name", "protocolType", "description", "apiKeySelectionExpression", "routeSelectionExpression",
        "corsConfiguration", "disableExecuteApiEndpoint", "ipAddressType", "version", *_QUICK_CREATE,
    )
    handled = frozenset(settings)
    unsupported = dict.fromkeys(("body", "failOnWarnings"), "OpenAPI import is not implemented; define the API's "
                                                             "integrations, routes and stages as resources")

    def validate(self, inputs: Props) -> list[CheckFailure]:
        """Quick create is for HTTP APIs, and routeKey and credentialsArn only go with its target."""
        given = [key for key in _QUICK_CREATE if inputs.get(key) is not None]
        if given and inputs.get("protocolType") not in ("HTTP", None) and not contains_unknown(inputs["protocolType"]):
            return [CheckFailure(given[0], "quick create (target, routeKey, credentialsArn) is for HTTP APIs only")]
        return [CheckFailure(key, f"{key} is a quick-create input: it needs target") for key in given
                if key != "target" and inputs.get("target") is None]

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        id, outputs = super().create(ctx, urn, inputs)
        if inputs.get("target"):
            _quick_create(ctx.client("apigatewayv2"), id, inputs)
        return id, outputs

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        # UpdateApi cannot remove a CORS configuration: that takes its own call.
        if "corsConfiguration" in diff.changed and not news.get("corsConfiguration"):
            ctx.client("apigatewayv2").delete_cors_configuration(ApiId=id)
            diff = diff.without(["corsConfiguration"])
        return super().update(ctx, urn, id, olds, news, diff)

    def _arn(self, ctx: AwsContext, id: str, props: Props) -> str:
        return ctx.arn("apigateway", f"/apis/{id}", account="")

    def _computed(self, ctx: AwsContext, id: str, state: Props, answer: dict[str, Any]) -> Props:
        return {
            "apiEndpoint": answer.get("ApiEndpoint"),
            "executionArn": ctx.arn("execute-api", id),
            **self._tag_outputs(ctx, id, state, answer),
        }


def _quick_create(client: Any, api_id: str, inputs: Props) -> None:
    """What CreateApi makes of a target, where the cloud has not made it (moto's CreateApi ignores the
    quick-create parameters): an integration with the target, a route to it (the catch-all by default) and the
    $default stage, deployed automatically. A Lambda target is proxied with payload 2.0, a URL with HTTP_PROXY."""
    if client.get_routes(ApiId=api_id)["Items"]:
        return
    target = inputs["target"]
    function = target.startswith("arn:")
    params: dict[str, Any] = {"ApiId": api_id, "IntegrationUri": target,
                              "IntegrationType": "AWS_PROXY" if function else "HTTP_PROXY",
                              "IntegrationMethod": "POST" if function else "ANY",
                              "PayloadFormatVersion": "2.0" if function else "1.0"}
    if inputs.get("credentialsArn"):
        params["CredentialsArn"] = inputs["credentialsArn"]
    integration = client.create_integration(**params)["IntegrationId"]
    client.create_route(ApiId=api_id, RouteKey=inputs.get("routeKey") or _DEFAULT_ROUTE,
                        Target=f"integrations/{integration}")
    client.create_stage(ApiId=api_id, StageName=DEFAULT_STAGE, AutoDeploy=True)


@resource_type
class Integration(ApiGatewayResource):
    token = "aws:apigatewayv2/integration:Integration"
    required = ("apiId", "integrationType")
    defaults = {"connectionType": "INTERNET", "passthroughBehavior": "WHEN_NO_MATCH", "payloadFormatVersion": "1.0"}
    force_new = frozenset({"apiId", "integrationType", "integrationSubtype"})
    taggable = False
    outputs = frozenset({"integrationResponseSelectionExpression"})
    noun = "integration"
    id_param = "IntegrationId"
    settings = (
        "connectionId", "connectionType", "contentHandlingStrategy", "credentialsArn", "description",
        "integrationMethod", "integrationSubtype", "integrationType", "integrationUri", "passthroughBehavior",
        "payloadFormatVersion", "requestParameters", "requestTemplates", "responseParameters",
        "templateSelectionExpression", "timeoutMilliseconds", "tlsConfig",
    )
    handled = frozenset(settings)
    renamed = {"timeoutMilliseconds": "TimeoutInMillis"}
    keyed = (Keyed("responseParameters", "ResponseParameters", "statusCode", "mappings"),)
    user_maps = frozenset({"requestParameters", "requestTemplates"})

    def _update_params(self, news: Props) -> dict[str, Any]:
        return {"IntegrationType": news["integrationType"]}  # UpdateIntegration validates against it

    def _computed(self, ctx: AwsContext, id: str, state: Props, answer: dict[str, Any]) -> Props:
        return {"integrationResponseSelectionExpression": answer.get("IntegrationResponseSelectionExpression")}


@resource_type
class Route(ApiGatewayResource):
    token = "aws:apigatewayv2/route:Route"
    required = ("apiId", "routeKey")
    defaults = {"apiKeyRequired": False, "authorizationType": "NONE"}
    force_new = frozenset({"apiId"})
    taggable = False
    noun = "route"
    id_param = "RouteId"
    settings = (
        "apiKeyRequired", "authorizationScopes", "authorizationType", "authorizerId", "modelSelectionExpression",
        "operationName", "requestModels", "requestParameters", "routeKey", "routeResponseSelectionExpression",
        "target",
    )
    handled = frozenset(settings)
    keyed = (Keyed("requestParameters", "RequestParameters", "requestParameterKey"),)
    user_maps = frozenset({"requestModels"})


@resource_type
class Stage(Tagged):
    token = "aws:apigatewayv2/stage:Stage"
    name_property = "name"
    name_max_length = 128
    required = ("apiId",)
    defaults = {"autoDeploy": False}
    force_new = frozenset({"apiId", "name"})
    outputs = frozenset({"arn", "executionArn", "invokeUrl"})
    noun = "stage"
    id_param = "StageName"
    settings = (
        "accessLogSettings", "autoDeploy", "clientCertificateId", "defaultRouteSettings", "deploymentId",
        "description", "routeSettings", "stageVariables",
    )
    handled = frozenset(settings)
    keyed = (Keyed("routeSettings", "RouteSettings", "routeKey"),)
    user_maps = frozenset({"stageVariables"})

    def _create_params(self, ctx: AwsContext, urn: str, inputs: Props) -> dict[str, Any]:
        return {**super()._create_params(ctx, urn, inputs), "StageName": inputs["name"]}

    def _arn(self, ctx: AwsContext, id: str, props: Props) -> str:
        return ctx.arn("apigateway", f"/apis/{props['apiId']}/stages/{id}", account="")

    def _computed(self, ctx: AwsContext, id: str, state: Props, answer: dict[str, Any]) -> Props:
        api = ctx.client("apigatewayv2").get_api(ApiId=state["apiId"])
        # An HTTP API's $default stage is served at the root of the endpoint.
        path = "" if id == DEFAULT_STAGE and api["ProtocolType"] == "HTTP" else id
        return {
            "name": answer["StageName"],
            "executionArn": f"{ctx.arn('execute-api', state['apiId'])}/{id}",
            "invokeUrl": f"{api['ApiEndpoint']}/{path}",
            **self._tag_outputs(ctx, id, state, answer),
        }
