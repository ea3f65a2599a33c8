"""aws:apigatewayv2 Api, Integration, Route and Stage (HTTP and WebSocket APIs)."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.apigatewayv2.shared import DEFAULT_STAGE, ApiGatewayResource, Keyed, Tagged
from envctl.providers.aws.registry import resource_type


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
    force_new = frozenset({"protocolType", "credentialsArn", "routeKey", "target"})
    outputs = frozenset({"apiEndpoint", "arn", "executionArn"})
    noun = "api"
    id_param = "ApiId"
    settings = (
        "name", "protocolType", "description", "apiKeySelectionExpression", "routeSelectionExpression",
        "corsConfiguration", "disableExecuteApiEndpoint", "ipAddressType", "version",
    )
    handled = frozenset(settings)
    unsupported = {
        **dict.fromkeys(("body", "failOnWarnings"), "OpenAPI import is not implemented; define the API's "
                                                     "integrations, routes and stages as resources"),
        # moto's CreateApi ignores them: it would make no integration, route or stage.
        **dict.fromkeys(("credentialsArn", "routeKey", "target"),
                        "quick create is not emulated by the local cloud; define an Integration, a Route and a "
                        "$default Stage with autoDeploy instead"),
    }

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
