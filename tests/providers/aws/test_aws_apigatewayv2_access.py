"""API Gateway v2 authorizers, custom domain names and API mappings, and quick create of an API, against the
session's moto server."""

from __future__ import annotations

from typing import Any

import pytest

from envctl.errors import OperationFailed
from envctl.providers.aws.context import AwsContext

from provider_steps import Provisioner, failures, unique

AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer"
DOMAIN = "aws:apigatewayv2/domainName:DomainName"
MAPPING = "aws:apigatewayv2/apiMapping:ApiMapping"
API = "aws:apigatewayv2/api:Api"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example"


@pytest.fixture
def gateway(aws_ctx: AwsContext) -> Any:
    return aws_ctx.client("apigatewayv2")


@pytest.fixture
def http_api(gateway: Any) -> str:
    return str(gateway.create_api(Name=unique("access"), ProtocolType="HTTP")["ApiId"])


def test_jwt_authorizer_lifecycle(provisioner: Provisioner, gateway: Any, http_api: str) -> None:
    made = provisioner.create(AUTHORIZER, "jwt", {
        "apiId": http_api, "authorizerType": "JWT", "identitySources": ["$request.header.Authorization"],
        "jwtConfiguration": {"audiences": ["web", "cli"], "issuer": ISSUER}})
    found = gateway.get_authorizer(ApiId=http_api, AuthorizerId=made.id)
    assert found["Name"] == made.outputs["name"] and found["Name"].startswith("jwt-")
    assert (found["AuthorizerType"], found["IdentitySource"]) == ("JWT", ["$request.header.Authorization"])
    assert found["JwtConfiguration"] == {"Audience": ["cli", "web"], "Issuer": ISSUER}
    assert made.outputs["jwtConfiguration"] == {"audiences": ["cli", "web"], "issuer": ISSUER}
    assert provisioner.read(made) == made.outputs
    assert not provisioner.plan(made, {"jwtConfiguration": {"audiences": ["cli", "web"], "issuer": ISSUER}}
                                ).has_changes

    made = provisioner.update(made, {"jwtConfiguration": {"audiences": ["web"], "issuer": ISSUER}, "name": "users"})
    found = gateway.get_authorizer(ApiId=http_api, AuthorizerId=made.id)
    assert (found["Name"], found["JwtConfiguration"]["Audience"]) == ("users", ["web"])
    assert provisioner.plan(made, {"apiId": "other"}).replaces == ("apiId",)

    provisioner.assert_deleted(made)
    with pytest.raises(gateway.exceptions.NotFoundException):
        gateway.get_authorizer(ApiId=http_api, AuthorizerId=made.id)


def test_lambda_request_authorizer(provisioner: Provisioner, gateway: Any, http_api: str) -> None:
    uri = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
           "arn:aws:lambda:us-east-1:123456789012:function:auth/invocations")
    made = provisioner.create(AUTHORIZER, "lambda", {
        "apiId": http_api, "authorizerType": "REQUEST", "authorizerUri": uri, "name": "by-lambda",
        "authorizerPayloadFormatVersion": "2.0", "enableSimpleResponses": True, "authorizerResultTtlInSeconds": 0,
        "identitySources": ["$request.header.X-Token"]})
    found = gateway.get_authorizer(ApiId=http_api, AuthorizerId=made.id)
    assert (found["AuthorizerUri"], found["AuthorizerPayloadFormatVersion"], found["EnableSimpleResponses"]) == (
        uri, "2.0", True)
    made = provisioner.update(made, {"enableSimpleResponses": False, "authorizerResultTtlInSeconds": 300})
    found = gateway.get_authorizer(ApiId=http_api, AuthorizerId=made.id)
    assert (found["EnableSimpleResponses"], found["AuthorizerResultTtlInSeconds"]) == (False, 300)
    provisioner.assert_deleted(made)


def test_authorizer_needs_what_its_type_needs() -> None:
    assert set(failures(AUTHORIZER, apiId="a", authorizerType="JWT")) == {"jwtConfiguration", "identitySources"}
    assert set(failures(AUTHORIZER, apiId="a", authorizerType="REQUEST")) == {"authorizerUri"}


def test_domain_name_and_api_mapping_lifecycle(provisioner: Provisioner, gateway: Any, http_api: str) -> None:
    gateway.create_stage(ApiId=http_api, StageName="live")
    name = f"{unique('api')}.example.com"
    domain = provisioner.create(DOMAIN, "custom", {
        "domainName": name, "tags": {"env": "test"},
        "domainNameConfiguration": {"certificateArn": CERTIFICATE, "endpointType": "REGIONAL",
                                    "securityPolicy": "TLS_1_2"}})
    found = gateway.get_domain_name(DomainName=name)
    assert domain.id == name and domain.outputs["arn"] == found["DomainNameArn"]
    [configuration] = found["DomainNameConfigurations"]
    assert (configuration["CertificateArn"], configuration["EndpointType"], configuration["SecurityPolicy"]) == (
        CERTIFICATE, "REGIONAL", "TLS_1_2")
    assert found["Tags"]["env"] == "test" and domain.outputs["apiMappingSelectionExpression"] == "$request.basepath"
    assert provisioner.read(domain) == domain.outputs
    assert not provisioner.plan(domain, {}).has_changes
    with pytest.raises(OperationFailed, match="UpdateDomainName"):
        provisioner.update(domain, {"domainNameConfiguration": {
            "certificateArn": CERTIFICATE + "0", "endpointType": "REGIONAL", "securityPolicy": "TLS_1_2"}})

    mapping = provisioner.create(MAPPING, "v1", {"apiId": http_api, "domainName": name, "stage": "live",
                                                 "apiMappingKey": "v1"})
    [listed] = gateway.get_api_mappings(DomainName=name)["Items"]
    assert (listed["ApiMappingId"], listed["ApiId"], listed["Stage"], listed["ApiMappingKey"]) == (
        mapping.id, http_api, "live", "v1")
    assert provisioner.read(mapping) == mapping.outputs
    assert provisioner.plan(mapping, {"domainName": "other.example.com"}).replaces == ("domainName",)
    with pytest.raises(OperationFailed, match="UpdateApiMapping"):
        provisioner.update(mapping, {"apiMappingKey": "v2"})

    provisioner.assert_deleted(mapping)
    assert gateway.get_api_mappings(DomainName=name)["Items"] == []
    provisioner.assert_deleted(domain)
    assert name not in [d["DomainName"] for d in gateway.get_domain_names()["Items"]]


def test_domain_name_serves_only_api_mappings() -> None:
    configuration = {"certificateArn": CERTIFICATE, "endpointType": "REGIONAL", "securityPolicy": "TLS_1_2"}
    assert "not emulated" in failures(DOMAIN, domainName="a.example.com", domainNameConfiguration=configuration,
                                      routingMode="ROUTING_RULE_ONLY")["routingMode"]


def test_api_quick_create_makes_an_integration_a_route_and_the_default_stage(
        provisioner: Provisioner, gateway: Any) -> None:
    target = "arn:aws:lambda:us-east-1:123456789012:function:hello"
    role = "arn:aws:iam::123456789012:role/invoke-hello"
    made = provisioner.create(API, "quick", {"protocolType": "HTTP", "target": target, "routeKey": "GET /hello",
                                             "credentialsArn": role})
    [integration] = gateway.get_integrations(ApiId=made.id)["Items"]
    assert (integration["IntegrationType"], integration["IntegrationUri"]) == ("AWS_PROXY", target)
    assert (integration["PayloadFormatVersion"], integration["CredentialsArn"]) == ("2.0", role)
    [route] = gateway.get_routes(ApiId=made.id)["Items"]
    assert (route["RouteKey"], route["Target"]) == ("GET /hello", f"integrations/{integration['IntegrationId']}")
    [stage] = gateway.get_stages(ApiId=made.id)["Items"]
    assert (stage["StageName"], stage["AutoDeploy"]) == ("$default", True)
    assert provisioner.read(made) == made.outputs
    assert not provisioner.plan(made, {}).has_changes
    assert provisioner.plan(made, {"routeKey": "GET /bye"}).replaces == ("routeKey",)
    provisioner.assert_deleted(made)


def test_api_quick_create_of_a_url_proxies_every_route(provisioner: Provisioner, gateway: Any) -> None:
    made = provisioner.create(API, "proxy", {"protocolType": "HTTP", "target": "https://example.com"})
    [integration] = gateway.get_integrations(ApiId=made.id)["Items"]
    assert (integration["IntegrationType"], integration["IntegrationMethod"]) == ("HTTP_PROXY", "ANY")
    assert [r["RouteKey"] for r in gateway.get_routes(ApiId=made.id)["Items"]] == ["$default"]
    provisioner.assert_deleted(made)


def test_api_quick_create_inputs_need_an_http_api_and_a_target() -> None:
    assert set(failures(API, protocolType="HTTP", routeKey="GET /hello")) == {"routeKey"}
    assert "HTTP APIs only" in failures(API, protocolType="WEBSOCKET", target="https://example.com")["target"]
