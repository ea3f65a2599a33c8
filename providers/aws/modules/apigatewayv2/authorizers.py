"""aws:apigatewayv2 Authorizer: who may call an API's routes (a JWT issuer, or a Lambda function)."""

from __future__ import annotations

from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import CheckFailure, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.apigatewayv2.shared import ApiGatewayResource
from envctl.providers.aws.registry import resource_type

_JWT_FIELDS = {"audiences": "Audience", "issuer": "Issuer"}  # pulumi-aws's names and the API's


@resource_type
class Authorizer(ApiGatewayResource):
    token = "aws:apigatewayv2/authorizer:Authorizer"
    name_property = "name"
    name_max_length = 128
    required = ("apiId", "authorizerType")
    force_new = frozenset({"apiId"})
    taggable = False
    noun = "authorizer"
    id_param = "AuthorizerId"
    settings = (
        "authorizerCredentialsArn", "authorizerPayloadFormatVersion", "authorizerResultTtlInSeconds",
        "authorizerType", "authorizerUri", "enableSimpleResponses", "identitySources", "jwtConfiguration", "name",
    )
    handled = frozenset(settings)
    renamed = {"identitySources": "IdentitySource"}
    set_properties = ("identitySources", "jwtConfiguration.audiences")

    def validate(self, inputs: Props) -> list[CheckFailure]:
        """What API Gateway would refuse (the local cloud takes anything): a JWT authorizer needs an issuer and an
        identity source, a REQUEST one the function's invoke URI."""
        if contains_unknown(inputs.get("authorizerType")):
            return []
        needed = {"JWT": ("jwtConfiguration", "identitySources"), "REQUEST": ("authorizerUri",)}.get(
            inputs.get("authorizerType"), ())
        return [CheckFailure(key, f"a {inputs['authorizerType']} authorizer needs {key}")
                for key in needed if not inputs.get(key)]

    def _computed(self, ctx: AwsContext, id: str, state: Props, answer: dict[str, Any]) -> Props:
        return {"apiId": state["apiId"]}  # the address, which Get does not answer with

    def _to_api(self, values: Props) -> dict[str, Any]:
        params = super()._to_api({k: v for k, v in values.items() if k != "jwtConfiguration"})
        if "jwtConfiguration" in values:
            jwt = values["jwtConfiguration"] or {}
            params["JwtConfiguration"] = {api: jwt[wire] for wire, api in _JWT_FIELDS.items() if jwt.get(wire)}
        return params

    def _from_api(self, answer: dict[str, Any], state: Props) -> Props:
        outputs = super()._from_api({k: v for k, v in answer.items() if k != "JwtConfiguration"}, state)
        jwt = answer.get("JwtConfiguration") or {}
        outputs["jwtConfiguration"] = {wire: jwt.get(api) for wire, api in _JWT_FIELDS.items()} if jwt else None
        return outputs
