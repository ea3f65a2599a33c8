"""Probes of the aws:apigateway types (REST APIs). The local cloud fails, rather than answering NotFoundException,
on getting some parts that are gone (deployments, method and integration responses): those are looked for in
what their REST API, method or integration lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from probing import listed, present

GONE = ("NotFoundException",)
Client = Callable[[str], Any]


def _method(c: Client, o: dict[str, Any]) -> dict[str, Any]:
    return c("apigateway").get_method(restApiId=o["restApi"], resourceId=o["resourceId"], httpMethod=o["httpMethod"])


def _integration(c: Client, o: dict[str, Any]) -> dict[str, Any]:
    return c("apigateway").get_integration(restApiId=o["restApi"], resourceId=o["resourceId"],
                                           httpMethod=o["httpMethod"])


PROBES = {
    "aws:apigateway/restApi:RestApi": lambda c, id, o: present(
        lambda: c("apigateway").get_rest_api(restApiId=id), *GONE),
    "aws:apigateway/restApiPolicy:RestApiPolicy": lambda c, id, o: listed(
        lambda: c("apigateway").get_rest_api(restApiId=id), lambda api: bool(api.get("policy")), *GONE),
    "aws:apigateway/resource:Resource": lambda c, id, o: present(
        lambda: c("apigateway").get_resource(restApiId=o["restApi"], resourceId=id), *GONE),
    "aws:apigateway/method:Method": lambda c, id, o: present(lambda: _method(c, o), *GONE),
    "aws:apigateway/methodResponse:MethodResponse": lambda c, id, o: listed(
        lambda: _method(c, o), lambda method: o["statusCode"] in (method.get("methodResponses") or {}), *GONE),
    "aws:apigateway/integration:Integration": lambda c, id, o: listed(
        lambda: _integration(c, o), lambda integration: bool(integration.get("type")), *GONE),
    "aws:apigateway/integrationResponse:IntegrationResponse": lambda c, id, o: listed(
        lambda: _method(c, o) and _integration(c, o),
        lambda integration: o["statusCode"] in (integration.get("integrationResponses") or {}), *GONE),
    "aws:apigateway/deployment:Deployment": lambda c, id, o: listed(
        lambda: c("apigateway").get_deployments(restApiId=o["restApi"])["items"],
        lambda items: id in [d["id"] for d in items], *GONE),
    "aws:apigateway/stage:Stage": lambda c, id, o: present(
        lambda: c("apigateway").get_stage(restApiId=o["restApi"], stageName=o["stageName"]), *GONE),
    "aws:apigateway/apiKey:ApiKey": lambda c, id, o: present(lambda: c("apigateway").get_api_key(apiKey=id), *GONE),
    "aws:apigateway/usagePlan:UsagePlan": lambda c, id, o: present(
        lambda: c("apigateway").get_usage_plan(usagePlanId=id), *GONE),
    "aws:apigateway/usagePlanKey:UsagePlanKey": lambda c, id, o: present(
        lambda: c("apigateway").get_usage_plan_key(usagePlanId=o["usagePlanId"], keyId=id), *GONE),
    "aws:apigateway/authorizer:Authorizer": lambda c, id, o: present(
        lambda: c("apigateway").get_authorizer(restApiId=o["restApi"], authorizerId=id), *GONE),
    "aws:apigateway/requestValidator:RequestValidator": lambda c, id, o: listed(
        lambda: c("apigateway").get_request_validators(restApiId=o["restApi"])["items"],
        lambda items: id in [v["id"] for v in items], *GONE),
    "aws:apigateway/response:Response": lambda c, id, o: present(
        lambda: c("apigateway").get_gateway_response(restApiId=o["restApiId"], responseType=o["responseType"]),
        *GONE),
    "aws:apigateway/domainName:DomainName": lambda c, id, o: present(
        lambda: c("apigateway").get_domain_name(domainName=id), *GONE),
    "aws:apigateway/basePathMapping:BasePathMapping": lambda c, id, o: present(
        lambda: c("apigateway").get_base_path_mapping(domainName=o["domainName"],
                                                      basePath=o.get("basePath") or "(none)"), *GONE),
    "aws:apigateway/account:Account": lambda c, id, o: bool(c("apigateway").get_account().get("cloudwatchRoleArn")),
}
PROBES["aws:apigateway/model:Model"] = lambda c, id, o: listed(
    lambda: c("apigateway").get_models(restApiId=o["restApi"])["items"],
    lambda items: id in [m["id"] for m in items], *GONE, "BadRequestException")
