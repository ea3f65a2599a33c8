"""aws:apigateway DomainName (a custom domain for REST APIs) and BasePathMapping (an API's stage under it)."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import CheckFailure, DiffResult, Props, unsupported_fields
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import remove
from envctl.providers.aws.modules.apigateway.rest_api import endpoint_configuration_to_api
from envctl.providers.aws.modules.apigateway.shared import (
    GONE,
    ApiGatewayResource,
    apigateway,
    replace_changed,
    resource_arn,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tags_from_cloud
from envctl.providers.aws.wire import timestamp

_NO_UPDATE_DOMAIN_NAME = "it has no UpdateDomainName"
_CERTIFICATES = ("certificateArn", "certificateBody", "certificateChain", "certificateName", "certificatePrivateKey",
                 "regionalCertificateArn", "regionalCertificateName")
_UNREPORTED = ("certificateBody", "certificateChain", "certificatePrivateKey")  # AWS never answers with them
_PRIVATE = "private custom domain names are not emulated by the local cloud"
_EMPTY_BASE_PATH = "(none)"  # how API Gateway names the mapping of a domain's root


@resource_type
class DomainName(ApiGatewayResource):
    token = "aws:apigateway/domainName:DomainName"
    required = ("domainName",)
    force_new = frozenset({"domainName", "certificateBody", "certificateChain", "certificatePrivateKey"})
    handled = frozenset({*_CERTIFICATES, "endpointConfiguration", "securityPolicy"})
    unsupported = {
        "endpointAccessMode": "endpoint access modes are not emulated by the local cloud",
        "mutualTlsAuthentication": "mutual TLS authentication is not emulated by the local cloud",
        "ownershipVerificationCertificateArn": "mutual TLS ownership verification is not emulated by the local cloud",
        "policy": _PRIVATE,
        "routingMode": "routing rules of custom domain names are not emulated by the local cloud",
    }
    secret = frozenset({"certificatePrivateKey"})
    outputs = frozenset({"arn", "certificateUploadDate", "cloudfrontDomainName", "cloudfrontZoneId", "domainNameId",
                         "regionalDomainName", "regionalZoneId"})
    id_property = "domainName"
    fixed_locally = dict.fromkeys(("certificateArn", "certificateName", "regionalCertificateArn",
                                   "regionalCertificateName", "securityPolicy", "endpointConfiguration", "tags"),
                                  _NO_UPDATE_DOMAIN_NAME)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = unsupported_fields(self.token, "endpointConfiguration", inputs.get("endpointConfiguration"),
                                      ("types", "ipAddressType"))
        if (inputs.get("endpointConfiguration") or {}).get("types") == "PRIVATE":
            failures.append(CheckFailure("endpointConfiguration", _PRIVATE))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"domainName": inputs["domainName"], "tags": self.tags_all(ctx, urn, inputs)}
        params.update({key: inputs[key] for key in (*_CERTIFICATES, "securityPolicy") if inputs.get(key)})
        if inputs.get("endpointConfiguration"):
            params["endpointConfiguration"] = endpoint_configuration_to_api(inputs["endpointConfiguration"])
        apigateway(ctx).create_domain_name(**params)
        return inputs["domainName"], {**inputs, **self.describe(ctx, inputs["domainName"], inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        return {**news, **self.describe(ctx, id, news)}  # check refuses every change the local cloud cannot make

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(apigateway(ctx).delete_domain_name, gone=GONE, domainName=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        answer = apigateway(ctx).get_domain_name(domainName=id)
        uploaded = answer.get("certificateUploadDate")
        return {
            "domainName": answer["domainName"],
            **{key: answer.get(key) for key in _CERTIFICATES if key not in _UNREPORTED},
            **{key: state.get(key) for key in _UNREPORTED},
            "securityPolicy": answer.get("securityPolicy"),
            "endpointConfiguration": _endpoint_configuration(answer.get("endpointConfiguration")),
            "arn": resource_arn(ctx, f"/domainnames/{id}"),
            "certificateUploadDate": timestamp(uploaded) if uploaded else None,
            "cloudfrontDomainName": answer.get("distributionDomainName"),
            "cloudfrontZoneId": answer.get("distributionHostedZoneId"),
            "domainNameId": answer.get("domainNameId"),
            "regionalDomainName": answer.get("regionalDomainName"),
            "regionalZoneId": answer.get("regionalHostedZoneId"),
            **tags_from_cloud(ctx, state, answer.get("tags") or {}),
        }


@resource_type
class BasePathMapping(ApiGatewayResource):
    token = "aws:apigateway/basePathMapping:BasePathMapping"
    required = ("domainName", "restApi")
    # basePath is part of the id, which envctl keeps across updates: a new base path is a new mapping.
    force_new = frozenset({"domainName", "domainNameId", "basePath"})
    taggable = False
    handled = frozenset({"basePath", "stageName"})
    unsupported = {"domainNameId": _PRIVATE}
    _REPLACED = {"restApi": "/restapiId", "stageName": "/stage"}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        return [f"{inputs['domainName']}/{inputs.get('basePath') or ''}"]

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"domainName": inputs["domainName"], "restApiId": inputs["restApi"]}
        if inputs.get("basePath"):
            params["basePath"] = inputs["basePath"]
        if inputs.get("stageName"):
            params["stage"] = inputs["stageName"]
        apigateway(ctx).create_base_path_mapping(**params)
        id = self.candidate_ids(ctx, urn, inputs)[0]
        return id, {**inputs, **self.describe(ctx, id, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        operations = replace_changed(diff.changed, news, self._REPLACED)
        if operations:
            apigateway(ctx).update_base_path_mapping(**_address(news), patchOperations=operations)
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(apigateway(ctx).delete_base_path_mapping, gone=GONE, **_address(state))

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        answer = apigateway(ctx).get_base_path_mapping(**_address(state))
        base_path = answer.get("basePath")
        return {"domainName": state["domainName"], "restApi": answer["restApiId"],
                "basePath": None if base_path in (None, "", _EMPTY_BASE_PATH) else base_path,
                "stageName": answer.get("stage")}


def _endpoint_configuration(answer: dict[str, Any] | None) -> Props:
    block = answer or {"types": ["EDGE"]}  # API Gateway's default
    return {"types": next(iter(block.get("types") or []), None),
            **({"ipAddressType": block["ipAddressType"]} if block.get("ipAddressType") else {})}


def _address(props: Props) -> dict[str, str]:
    return {"domainName": props["domainName"], "basePath": props.get("basePath") or _EMPTY_BASE_PATH}
