"""aws:cognito/identityPool:IdentityPool: AWS credentials for users signed in through user pools or other
identity providers, or for guests."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none, remove
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tags_from_cloud

_GONE = ("ResourceNotFoundException",)
_SETTINGS = {
    "allowUnauthenticatedIdentities": "AllowUnauthenticatedIdentities",
    "developerProviderName": "DeveloperProviderName",
    "supportedLoginProviders": "SupportedLoginProviders",
    "openidConnectProviderArns": "OpenIdConnectProviderARNs",
    "samlProviderArns": "SamlProviderARNs",
}
_PROVIDER_FIELDS = {"clientId": "ClientId", "providerName": "ProviderName",
                    "serverSideTokenCheck": "ServerSideTokenCheck"}


def _params(inputs: Props) -> dict[str, Any]:
    params = {api: inputs[wire] for wire, api in _SETTINGS.items() if inputs.get(wire) is not None}
    params["AllowUnauthenticatedIdentities"] = bool(inputs.get("allowUnauthenticatedIdentities"))
    params["CognitoIdentityProviders"] = [
        {api: provider[wire] for wire, api in _PROVIDER_FIELDS.items() if provider.get(wire) is not None}
        for provider in inputs.get("cognitoIdentityProviders") or []
    ]
    return params


@resource_type
class IdentityPool(AwsResource):
    token = "aws:cognito/identityPool:IdentityPool"
    required = ("identityPoolName",)
    defaults = {"allowUnauthenticatedIdentities": False, "allowClassicFlow": False}
    force_new = frozenset({"identityPoolName", "developerProviderName"})
    handled = frozenset({*_SETTINGS, "cognitoIdentityProviders"})
    unsupported = {"allowClassicFlow": "the basic (classic) authentication flow is not emulated by the local cloud "
                                       "(moto)"}
    outputs = frozenset({"arn"})
    set_properties = ("openidConnectProviderArns",)

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params = {"IdentityPoolName": inputs["identityPoolName"], **_params(inputs)}
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["IdentityPoolTags"] = tags
        pool_id = ctx.client("cognito-identity").create_identity_pool(**params)["IdentityPoolId"]
        return pool_id, {**inputs, **self.read_back(ctx, pool_id, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        pool = found_or_none(ctx.client("cognito-identity").describe_identity_pool, _GONE, IdentityPoolId=id)
        if pool is None:
            return None
        return {
            "id": pool["IdentityPoolId"],
            "arn": ctx.arn("cognito-identity", f"identitypool/{pool['IdentityPoolId']}"),
            "identityPoolName": pool["IdentityPoolName"],
            **{wire: pool.get(api) or None for wire, api in _SETTINGS.items()},
            "allowUnauthenticatedIdentities": bool(pool.get("AllowUnauthenticatedIdentities")),
            "openidConnectProviderArns": sorted(pool.get("OpenIdConnectProviderARNs") or []) or None,
            "cognitoIdentityProviders": [
                {"serverSideTokenCheck": False,
                 **{wire: provider[api] for wire, api in _PROVIDER_FIELDS.items() if api in provider}}
                for provider in pool.get("CognitoIdentityProviders") or []
            ] or None,
            "allowClassicFlow": False,  # the only value envctl takes
            **tags_from_cloud(ctx, state, pool.get("IdentityPoolTags") or {}),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        ctx.client("cognito-identity").update_identity_pool(
            IdentityPoolId=id, IdentityPoolName=news["identityPoolName"], **_params(news),
            IdentityPoolTags=self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("cognito-identity").delete_identity_pool, gone=_GONE, IdentityPoolId=id)
