"""aws:cognito/userPoolClient:UserPoolClient and aws:cognito/userPoolDomain:UserPoolDomain: the apps that sign users
in to a user pool, and the hosted sign-in domain."""

from __future__ import annotations

from typing import Any

from envctl.errors import BadInput
from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none, remove
from envctl.providers.aws.modules.cognito.user_pool import USER_POOL_GONE
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.wire import block_from_api, block_to_api

_NOT_EMULATED = "not emulated by the local cloud (moto)"

# ---- UserPoolClient -------------------------------------------------------------------------

# Inputs CreateUserPoolClient and UpdateUserPoolClient take, by their API name.
_CLIENT_FIELDS = {
    "accessTokenValidity": "AccessTokenValidity", "idTokenValidity": "IdTokenValidity",
    "refreshTokenValidity": "RefreshTokenValidity", "authSessionValidity": "AuthSessionValidity",
    "allowedOauthFlows": "AllowedOAuthFlows", "allowedOauthFlowsUserPoolClient": "AllowedOAuthFlowsUserPoolClient",
    "allowedOauthScopes": "AllowedOAuthScopes", "callbackUrls": "CallbackURLs", "logoutUrls": "LogoutURLs",
    "defaultRedirectUri": "DefaultRedirectURI", "explicitAuthFlows": "ExplicitAuthFlows",
    "supportedIdentityProviders": "SupportedIdentityProviders", "readAttributes": "ReadAttributes",
    "writeAttributes": "WriteAttributes", "preventUserExistenceErrors": "PreventUserExistenceErrors",
    "enableTokenRevocation": "EnableTokenRevocation",
    "enablePropagateAdditionalUserContextData": "EnablePropagateAdditionalUserContextData",
}
_CLIENT_SETS = ("allowedOauthFlows", "allowedOauthScopes", "callbackUrls", "logoutUrls", "explicitAuthFlows",
                "supportedIdentityProviders", "readAttributes", "writeAttributes")
_TOKEN_UNITS = ("accessToken", "idToken", "refreshToken")
_CLIENT_ID_SEPARATOR = "/"  # the import id: <user pool id>/<client id>


def _client_params(inputs: Props) -> dict[str, Any]:
    params = {api: inputs[wire] for wire, api in _CLIENT_FIELDS.items() if inputs.get(wire) is not None}
    if inputs.get("tokenValidityUnits"):
        params["TokenValidityUnits"] = block_to_api(inputs["tokenValidityUnits"], "tokenValidityUnits", {})
    return params


def _client_parts(id: str, state: Props) -> tuple[str, str]:
    if state.get("userPoolId"):
        return state["userPoolId"], id
    pool, _, client = id.partition(_CLIENT_ID_SEPARATOR)
    if not client:
        raise BadInput(f"cannot find the user pool in '{id}': use the import id <user pool id>/<client id>")
    return pool, client


@resource_type
class UserPoolClient(AwsResource):
    token = "aws:cognito/userPoolClient:UserPoolClient"
    name_property = "name"
    name_max_length = 128
    required = ("userPoolId",)
    defaults = {"refreshTokenValidity": 30}  # Terraform's default, in days
    force_new = frozenset({"userPoolId", "generateSecret"})
    handled = frozenset({*_CLIENT_FIELDS, "generateSecret", "tokenValidityUnits"})
    unsupported = {"analyticsConfiguration": f"Amazon Pinpoint analytics are {_NOT_EMULATED}",
                   "refreshTokenRotation": f"refresh token rotation is {_NOT_EMULATED}"}
    outputs = frozenset({"clientSecret"})
    secret = frozenset({"clientSecret"})
    taggable = False
    set_properties = _CLIENT_SETS

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        client = ctx.client("cognito-idp").create_user_pool_client(
            UserPoolId=inputs["userPoolId"], ClientName=inputs["name"],
            GenerateSecret=bool(inputs.get("generateSecret")), **_client_params(inputs),
        )["UserPoolClient"]
        return client["ClientId"], {**inputs, **self.read_back(ctx, client["ClientId"], inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        pool, client_id = _client_parts(id, state)
        found = found_or_none(ctx.client("cognito-idp").describe_user_pool_client, USER_POOL_GONE,
                              UserPoolId=pool, ClientId=client_id)
        if found is None:
            return None
        client = found["UserPoolClient"]
        units = client.get("TokenValidityUnits")
        return {
            "id": client["ClientId"],
            "userPoolId": client["UserPoolId"],
            "name": client["ClientName"],
            "clientSecret": client.get("ClientSecret") or "",
            "generateSecret": state.get("generateSecret", bool(client.get("ClientSecret"))),
            **{wire: client.get(api) for wire, api in _CLIENT_FIELDS.items()},
            **{wire: sorted(client.get(_CLIENT_FIELDS[wire]) or []) or None for wire in _CLIENT_SETS},
            "tokenValidityUnits": block_from_api(units, "tokenValidityUnits", {}, {"tokenValidityUnits": _TOKEN_UNITS})
            if units else None,
            "analyticsConfiguration": None,
            "refreshTokenRotation": None,
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        # UpdateUserPoolClient resets what it is not given: everything is sent again.
        ctx.client("cognito-idp").update_user_pool_client(
            UserPoolId=news["userPoolId"], ClientId=id, ClientName=news["name"], **_client_params(news))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        pool, client_id = _client_parts(id, state)
        remove(ctx.client("cognito-idp").delete_user_pool_client, gone=USER_POOL_GONE, UserPoolId=pool,
               ClientId=client_id)


# ---- UserPoolDomain -------------------------------------------------------------------------


@resource_type
class UserPoolDomain(AwsResource):
    token = "aws:cognito/userPoolDomain:UserPoolDomain"
    id_property = "domain"
    required = ("domain", "userPoolId")
    force_new = frozenset({"domain", "userPoolId", "certificateArn"})
    handled = frozenset({"certificateArn"})
    unsupported = {"managedLoginVersion": f"the managed login (branding) version is {_NOT_EMULATED}"}
    outputs = frozenset({"awsAccountId", "cloudfrontDistribution", "cloudfrontDistributionArn",
                         "cloudfrontDistributionZoneId", "s3Bucket", "version"})
    taggable = False

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"Domain": inputs["domain"], "UserPoolId": inputs["userPoolId"]}
        if inputs.get("certificateArn"):
            params["CustomDomainConfig"] = {"CertificateArn": inputs["certificateArn"]}
        ctx.client("cognito-idp").create_user_pool_domain(**params)
        return inputs["domain"], {**inputs, **self.read_back(ctx, inputs["domain"], inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        described = ctx.client("cognito-idp").describe_user_pool_domain(Domain=id)["DomainDescription"]
        if not described.get("Domain"):  # AWS answers an empty description for a domain it does not have
            return None
        distribution = described.get("CloudFrontDistribution") or ""
        return {
            "id": described["Domain"],
            "domain": described["Domain"],
            "userPoolId": described["UserPoolId"],
            "certificateArn": (described.get("CustomDomainConfig") or {}).get("CertificateArn")
            or state.get("certificateArn"),
            "awsAccountId": ctx.account_id,  # moto reports a random one
            "cloudfrontDistribution": distribution,
            # As Terraform: CloudFront's one hosted zone, and the "ARN" is the distribution's domain name.
            "cloudfrontDistributionZoneId": "Z2FDTNDATAQYW2",
            "cloudfrontDistributionArn": distribution,
            "s3Bucket": described.get("S3Bucket") or "",
            "version": described.get("Version") or "",
            "managedLoginVersion": None,
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        # Every input but managedLoginVersion (refused) forces a replacement.
        return {**news, "id": id}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        current = self.read(ctx, id, state)
        if current is not None:
            ctx.client("cognito-idp").delete_user_pool_domain(Domain=id, UserPoolId=current["userPoolId"])
