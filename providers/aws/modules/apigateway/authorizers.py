"""aws:apigateway Authorizer, RequestValidator, Model and Response (a gateway response): how a REST API admits,
checks and answers requests before they reach an integration."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import document_from_cloud, json_equivalent
from envctl.providers.aws.errors import remove
from envctl.providers.aws.modules.apigateway.shared import (
    GONE,
    ApiGatewayResource,
    apigateway,
    found,
    replace,
    replace_changed,
    resource_arn,
)
from envctl.providers.aws.registry import resource_type

_AUTHORIZER_SETTINGS = ("authorizerCredentials", "authorizerResultTtlInSeconds", "authorizerUri", "identitySource",
                        "identityValidationExpression", "type")
_LAMBDA_TYPES = ("TOKEN", "REQUEST")


@resource_type
class Authorizer(ApiGatewayResource):
    token = "aws:apigateway/authorizer:Authorizer"
    name_property = "name"
    required = ("restApi",)
    defaults = {"authorizerResultTtlInSeconds": 300, "identitySource": "method.request.header.Authorization",
                "type": "TOKEN"}
    force_new = frozenset({"restApi"})
    taggable = False
    set_properties = ("providerArns",)
    handled = frozenset({*_AUTHORIZER_SETTINGS, "providerArns"})
    outputs = frozenset({"arn"})
    fixed_locally = {"providerArns": "its UpdateAuthorizer cannot change provider ARNs"}
    _REPLACED = {key: f"/{key}" for key in ("name", *_AUTHORIZER_SETTINGS)}

    def validate(self, inputs: Props) -> list[CheckFailure]:
        kind = inputs.get("type")
        if kind in _LAMBDA_TYPES and inputs.get("authorizerUri") in (None, ""):
            return [CheckFailure("authorizerUri", f"a {kind} authorizer needs authorizerUri (its Lambda function)")]
        if kind == "COGNITO_USER_POOLS" and not inputs.get("providerArns"):
            return [CheckFailure("providerArns", "a COGNITO_USER_POOLS authorizer needs providerArns")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"restApiId": inputs["restApi"], "name": inputs["name"]}
        params.update({key: inputs[key] for key in _AUTHORIZER_SETTINGS if inputs.get(key) not in (None, "")})
        if inputs.get("providerArns"):
            params["providerARNs"] = inputs["providerArns"]
        client = apigateway(ctx)
        created = client.create_authorizer(**params)
        id = created["id"]
        expression = inputs.get("identityValidationExpression")
        if expression and created.get("identityValidationExpression") != expression:
            # The local cloud's CreateAuthorizer drops the expression; UpdateAuthorizer sets it.
            client.update_authorizer(restApiId=inputs["restApi"], authorizerId=id,
                                     patchOperations=[replace("/identityValidationExpression", expression)])
        return id, {**inputs, **self.describe(ctx, id, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        operations = replace_changed(diff.changed, news, self._REPLACED)
        if operations:
            apigateway(ctx).update_authorizer(restApiId=news["restApi"], authorizerId=id, patchOperations=operations)
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        self.delete_present(ctx, id, state, apigateway(ctx).delete_authorizer, restApiId=state["restApi"],
                            authorizerId=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        answer = apigateway(ctx).get_authorizer(restApiId=state["restApi"], authorizerId=id)
        return {
            "restApi": state["restApi"],
            "name": answer["name"],
            **{key: answer.get(key) for key in _AUTHORIZER_SETTINGS},
            "authorizerResultTtlInSeconds": int(answer.get("authorizerResultTtlInSeconds") or 0),
            "providerArns": sorted(answer["providerARNs"]) if answer.get("providerARNs") else None,
            "arn": resource_arn(ctx, f"/restapis/{state['restApi']}/authorizers/{id}"),
        }


@resource_type
class RequestValidator(ApiGatewayResource):
    token = "aws:apigateway/requestValidator:RequestValidator"
    name_property = "name"
    required = ("restApi",)
    defaults = {"validateRequestBody": False, "validateRequestParameters": False}
    force_new = frozenset({"restApi"})
    taggable = False
    handled = frozenset({"validateRequestBody", "validateRequestParameters"})
    _REPLACED = {key: f"/{key}" for key in ("name", "validateRequestBody", "validateRequestParameters")}

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        id = apigateway(ctx).create_request_validator(
            restApiId=inputs["restApi"], name=inputs["name"], validateRequestBody=bool(inputs["validateRequestBody"]),
            validateRequestParameters=bool(inputs["validateRequestParameters"]))["id"]
        return id, {**inputs, **self.read_back(ctx, id, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        operations = replace_changed(diff.changed, news, self._REPLACED)
        if operations:
            apigateway(ctx).update_request_validator(restApiId=news["restApi"], requestValidatorId=id,
                                                     patchOperations=operations)
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        self.delete_present(ctx, id, state, apigateway(ctx).delete_request_validator, restApiId=state["restApi"],
                            requestValidatorId=id)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        # Listed, not got: the local cloud answers BadRequestException for a validator that is gone.
        listed = found(apigateway(ctx).get_request_validators, restApiId=state["restApi"]) or {}
        answer = next((item for item in listed.get("items", []) if item["id"] == id), None)
        if answer is None:
            return None
        return {"restApi": state["restApi"], "name": answer["name"],
                "validateRequestBody": bool(answer.get("validateRequestBody")),
                "validateRequestParameters": bool(answer.get("validateRequestParameters"))}


@resource_type
class Response(ApiGatewayResource):
    """A gateway response: what API Gateway itself answers (e.g. DEFAULT_4XX) instead of its defaults."""

    token = "aws:apigateway/response:Response"
    required = ("responseType", "restApiId")
    force_new = frozenset({"responseType", "restApiId"})
    taggable = False
    handled = frozenset({"responseParameters", "responseTemplates", "statusCode"})

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        return [f"aggr-{inputs['restApiId']}-{inputs['responseType']}"]

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._put(ctx, inputs)
        id = self.candidate_ids(ctx, urn, inputs)[0]
        return id, {**inputs, **self.describe(ctx, id, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._put(ctx, news)  # PutGatewayResponse replaces the whole response, as Terraform updates it
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(apigateway(ctx).delete_gateway_response, gone=GONE, restApiId=state["restApiId"],
               responseType=state["responseType"])

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        answer = apigateway(ctx).get_gateway_response(restApiId=state["restApiId"], responseType=state["responseType"])
        return {"restApiId": state["restApiId"], "responseType": answer["responseType"],
                "statusCode": answer.get("statusCode") or None,
                "responseParameters": answer.get("responseParameters") or None,
                "responseTemplates": answer.get("responseTemplates") or None}

    def _put(self, ctx: AwsContext, inputs: Props) -> None:
        params: dict[str, Any] = {"restApiId": inputs["restApiId"], "responseType": inputs["responseType"]}
        params.update({key: inputs[key] for key in sorted(self.handled) if inputs.get(key) not in (None, "", {})})
        apigateway(ctx).put_gateway_response(**params)


@resource_type
class Model(ApiGatewayResource):
    """A JSON schema of request or response bodies, which methods name in requestModels/responseModels."""

    token = "aws:apigateway/model:Model"
    name_property = "name"
    required = ("contentType", "restApi")
    force_new = frozenset({"contentType", "name", "restApi"})
    taggable = False
    handled = frozenset({"description"})
    documents = {"schema": json_equivalent}
    fixed_locally = dict.fromkeys(("description", "schema"), "it has no UpdateModel")

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"restApiId": inputs["restApi"], "name": inputs["name"],
                                  "contentType": inputs["contentType"]}
        params.update({key: inputs[key] for key in ("description", "schema") if inputs.get(key)})
        id = apigateway(ctx).create_model(**params)["id"]
        return id, {**inputs, **self.read_back(ctx, id, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        return {**news, **self.read_back(ctx, id, news)}  # check refuses every change the local cloud cannot make

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        self.delete_present(ctx, id, state, apigateway(ctx).delete_model, restApiId=state["restApi"],
                            modelName=state["name"])

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        # The local cloud answers BadRequestException for the models of a REST API that is gone: look for it first.
        client = apigateway(ctx)
        if found(client.get_rest_api, restApiId=state["restApi"]) is None:
            return None
        answer = found(client.get_model, restApiId=state["restApi"], modelName=state["name"])
        if answer is None or answer["id"] != id:
            return None
        schema = answer.get("schema")
        return {"restApi": state["restApi"], "name": answer["name"], "contentType": answer.get("contentType"),
                "description": answer.get("description") or None,
                "schema": document_from_cloud(state.get("schema"), schema, json_equivalent) if schema else None}
