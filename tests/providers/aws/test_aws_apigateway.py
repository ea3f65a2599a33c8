"""API Gateway REST APIs (v1) and their parts, against the session's moto server."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext

from provider_steps import Made, Provisioner, failures, invoke, provider, unique

REST_API = "aws:apigateway/restApi:RestApi"
REST_API_POLICY = "aws:apigateway/restApiPolicy:RestApiPolicy"
RESOURCE = "aws:apigateway/resource:Resource"
METHOD = "aws:apigateway/method:Method"
METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse"
INTEGRATION = "aws:apigateway/integration:Integration"
INTEGRATION_RESPONSE = "aws:apigateway/integrationResponse:IntegrationResponse"
DEPLOYMENT = "aws:apigateway/deployment:Deployment"
STAGE = "aws:apigateway/stage:Stage"
API_KEY = "aws:apigateway/apiKey:ApiKey"
USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan"
USAGE_PLAN_KEY = "aws:apigateway/usagePlanKey:UsagePlanKey"
AUTHORIZER = "aws:apigateway/authorizer:Authorizer"
REQUEST_VALIDATOR = "aws:apigateway/requestValidator:RequestValidator"
GATEWAY_RESPONSE = "aws:apigateway/response:Response"
MODEL = "aws:apigateway/model:Model"
ACCOUNT = "aws:apigateway/account:Account"
DOMAIN_NAME = "aws:apigateway/domainName:DomainName"
BASE_PATH_MAPPING = "aws:apigateway/basePathMapping:BasePathMapping"

OPENAPI = {
    "openapi": "3.0.1",
    "info": {"title": "pets", "description": "imported", "version": "1"},
    "paths": {
        "/pets": {"get": {"responses": {"200": {"description": "ok"}},
                          "x-amazon-apigateway-integration": {
                              "type": "HTTP_PROXY", "httpMethod": "GET", "uri": "https://example.com/pets"}}},
        "/pets/{id}": {"get": {"responses": {"200": {"description": "ok"}}}},
    },
}
INVOKE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]})


@pytest.fixture
def apigw(aws_ctx: AwsContext) -> Any:
    return aws_ctx.client("apigateway")


def refused_changes(made: Made, changes: dict) -> dict[str, str]:
    """The reasons check gives for refusing these changes of an existing resource."""
    program = {**made.program, **changes}
    return {f.property: f.reason for f in provider(made.token).check(made.logical, made.inputs, program).failures}


def paths_of(apigw: Any, api_id: str) -> dict[str, dict]:
    return {r["path"]: r for r in apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]}


# ---- RestApi -------------------------------------------------------------------------------


def test_rest_api_lifecycle(provisioner: Provisioner, apigw: Any) -> None:
    api = provisioner.create(REST_API, "shop", {"description": "the shop", "tags": {"team": "web"},
                                                "endpointConfiguration": {"types": "REGIONAL"},
                                                "binaryMediaTypes": ["application/octet-stream"]})
    cloud = apigw.get_rest_api(restApiId=api.id)
    assert cloud["name"].startswith("shop-") and len(cloud["name"]) == len("shop-") + 7
    assert (cloud["description"], cloud["endpointConfiguration"]["types"]) == ("the shop", ["REGIONAL"])
    assert cloud["binaryMediaTypes"] == ["application/octet-stream"]
    assert cloud["tags"]["team"] == "web" and cloud["tags"]["envctl:env"] == "test"
    root = paths_of(apigw, api.id)["/"]["id"]
    assert api.outputs["rootResourceId"] == root
    assert api.outputs["arn"] == f"arn:aws:apigateway:us-east-1::/restapis/{api.id}"
    assert api.outputs["executionArn"] == f"arn:aws:execute-api:us-east-1:123456789012:{api.id}"
    assert api.outputs["createdDate"].endswith("Z") and api.outputs["tags"] == {"team": "web"}
    assert api.outputs["endpointConfiguration"] == {"types": "REGIONAL"}  # one type, as pulumi-aws 7 has it
    assert provisioner.read(api)["name"] == cloud["name"]
    assert provisioner.plan(api, {}).changed == ()

    api = provisioner.update(api, {"description": "renewed", "apiKeySource": "AUTHORIZER",
                                   "binaryMediaTypes": ["image/png"], "policy": INVOKE_POLICY,
                                   "endpointConfiguration": {"types": "EDGE"}})
    cloud = apigw.get_rest_api(restApiId=api.id)
    assert cloud["endpointConfiguration"]["types"] == ["EDGE"] and api.outputs["endpointConfiguration"] == {
        "types": "EDGE"}
    assert (cloud["description"], cloud["apiKeySource"], cloud["binaryMediaTypes"]) == (
        "renewed", "AUTHORIZER", ["image/png"])
    assert json.loads(cloud["policy"].replace('\\"', '"'))["Statement"][0]["Action"] == "execute-api:Invoke"
    assert api.outputs["policy"] == INVOKE_POLICY
    assert provisioner.plan(api, {"policy": json.dumps(json.loads(INVOKE_POLICY), indent=2)}).changed == ()

    refused = refused_changes(api, {"tags": {"team": "data"}})
    assert "not emulated by the local cloud" in refused["tags"]
    provisioner.assert_deleted(api)


def test_rest_api_imports_an_openapi_body(provisioner: Provisioner, apigw: Any) -> None:
    api = provisioner.create(REST_API, "pets", {"body": json.dumps(OPENAPI), "name": unique("pets")})
    cloud = apigw.get_rest_api(restApiId=api.id)
    assert cloud["name"] == api.inputs["name"]  # the configured name over the definition's title
    paths = paths_of(apigw, api.id)
    assert {"/pets", "/pets/{id}"} <= set(paths)
    assert paths["/pets"]["resourceMethods"]["GET"]["methodIntegration"]["uri"] == "https://example.com/pets"
    assert api.outputs["rootResourceId"] == paths["/"]["id"]

    definition = dict(OPENAPI, paths={"/orders": OPENAPI["paths"]["/pets"]})
    api = provisioner.update(api, {"body": yaml.safe_dump(definition)})  # YAML text
    assert "/orders" in paths_of(apigw, api.id) and "/pets" not in paths_of(apigw, api.id)  # overwritten
    provisioner.assert_deleted(api)


def test_rest_api_refuses_what_the_local_cloud_cannot_import() -> None:
    swagger = json.dumps({"swagger": "2.0", "info": {"title": "x"}, "paths": {}})
    assert "OpenAPI 3" in failures(REST_API, body=swagger)["body"]
    assert "not an OpenAPI definition" in failures(REST_API, body="{}")["body"]
    mock = {**OPENAPI, "paths": {"/": {"get": {"x-amazon-apigateway-integration": {"type": "MOCK"}}}}}
    assert "MOCK" in failures(REST_API, body=json.dumps(mock))["body"]
    assert "not emulated" in failures(REST_API, parameters={"ignore": "documentation"})["parameters"]


def test_rest_api_policy_lifecycle(provisioner: Provisioner, apigw: Any) -> None:
    api = provisioner.create(REST_API, "guarded", {})
    policy = provisioner.create(REST_API_POLICY, "guard", {"restApiId": api.id, "policy": INVOKE_POLICY})
    assert policy.id == api.id
    assert "execute-api:Invoke" in apigw.get_rest_api(restApiId=api.id)["policy"]
    assert provisioner.plan(policy, {}).changed == ()
    denied = INVOKE_POLICY.replace("Allow", "Deny")
    policy = provisioner.update(policy, {"policy": denied})
    assert '"Deny"' in apigw.get_rest_api(restApiId=api.id)["policy"].replace('\\"', '"')
    assert provisioner.plan(policy, {"restApiId": "other"}).replaces == ("restApiId",)
    provisioner.assert_deleted(policy)
    assert not apigw.get_rest_api(restApiId=api.id).get("policy")


# ---- Resource, Method, MethodResponse, Integration, IntegrationResponse --------------------


@pytest.fixture
def rest_api(provisioner: Provisioner) -> Made:
    return provisioner.create(REST_API, "api", {})


def test_resource_lifecycle(provisioner: Provisioner, apigw: Any, rest_api: Made) -> None:
    root = rest_api.outputs["rootResourceId"]
    users = provisioner.create(RESOURCE, "users", {"restApi": rest_api.id, "parentId": root, "pathPart": "users"})
    user = provisioner.create(RESOURCE, "user", {"restApi": rest_api.id, "parentId": users.id, "pathPart": "{id}"})
    assert apigw.get_resource(restApiId=rest_api.id, resourceId=user.id)["path"] == "/users/{id}"
    assert (users.outputs["path"], user.outputs["path"]) == ("/users", "/users/{id}")
    assert provisioner.read(user)["parentId"] == users.id
    assert provisioner.plan(user, {}).changed == ()
    assert provisioner.plan(user, {"restApi": "other"}).replaces == ("restApi",)
    assert "UpdateResource" in refused_changes(user, {"pathPart": "{name}"})["pathPart"]
    provisioner.assert_deleted(user)
    assert "/users/{id}" not in paths_of(apigw, rest_api.id)


def test_method_and_its_responses(provisioner: Provisioner, apigw: Any, rest_api: Made) -> None:
    root = rest_api.outputs["rootResourceId"]
    method = provisioner.create(METHOD, "get", {"restApi": rest_api.id, "resourceId": root, "httpMethod": "GET",
                                                "authorization": "NONE", "apiKeyRequired": True,
                                                "requestParameters": {"method.request.querystring.q": False}})
    assert method.id == f"agm-{rest_api.id}-{root}-GET"
    cloud = apigw.get_method(restApiId=rest_api.id, resourceId=root, httpMethod="GET")
    assert (cloud["authorizationType"], cloud["apiKeyRequired"]) == ("NONE", True)
    assert cloud["requestParameters"] == {"method.request.querystring.q": False}
    assert provisioner.read(method)["apiKeyRequired"] is True
    assert provisioner.plan(method, {}).changed == ()
    assert provisioner.plan(method, {"httpMethod": "POST"}).replaces == ("httpMethod",)
    assert "UpdateMethod" in refused_changes(method, {"authorization": "AWS_IAM"})["authorization"]
    # With a force-new change too the method is replaced, which the local cloud can do.
    assert refused_changes(method, {"authorization": "AWS_IAM", "httpMethod": "PUT"}) == {}

    responded = {"restApi": rest_api.id, "resourceId": root, "httpMethod": "GET", "statusCode": "200",
                 "responseModels": {"application/json": "Empty"}}
    response = provisioner.create(METHOD_RESPONSE, "ok", responded)
    assert response.id == f"agmr-{rest_api.id}-{root}-GET-200"
    cloud = apigw.get_method_response(restApiId=rest_api.id, resourceId=root, httpMethod="GET", statusCode="200")
    assert cloud["responseModels"] == {"application/json": "Empty"}
    assert provisioner.read(response)["responseModels"] == {"application/json": "Empty"}
    assert provisioner.plan(response, {"statusCode": "201"}).replaces == ("statusCode",)
    provisioner.assert_deleted(response)
    assert "200" not in apigw.get_method(restApiId=rest_api.id, resourceId=root,
                                         httpMethod="GET").get("methodResponses", {})
    provisioner.assert_deleted(method)
    assert "GET" not in paths_of(apigw, rest_api.id)["/"].get("resourceMethods", {})


def test_integration_and_its_responses(provisioner: Provisioner, apigw: Any, rest_api: Made) -> None:
    root = rest_api.outputs["rootResourceId"]
    where = {"restApi": rest_api.id, "resourceId": root, "httpMethod": "GET"}
    provisioner.create(METHOD, "get", {**where, "authorization": "NONE"})
    integration = provisioner.create(INTEGRATION, "backend", {
        **where, "type": "HTTP", "integrationHttpMethod": "GET", "uri": "https://example.com/a",
        "requestTemplates": {"application/json": '{"q": "$input.params(\'q\')"}'}})
    assert integration.id == f"agi-{rest_api.id}-{root}-GET"
    cloud = apigw.get_integration(**method_params(where))
    assert (cloud["type"], cloud["uri"], cloud["httpMethod"], cloud["timeoutInMillis"]) == (
        "HTTP", "https://example.com/a", "GET", 29000)
    assert integration.outputs["timeoutMilliseconds"] == 29000 and integration.outputs["connectionType"] == "INTERNET"
    assert provisioner.plan(integration, {}).changed == ()

    response = provisioner.create(INTEGRATION_RESPONSE, "ok", {
        **where, "statusCode": "200", "selectionPattern": "2\\d{2}",
        "responseTemplates": {"application/json": "$input.body"}})
    assert response.id == f"agir-{rest_api.id}-{root}-GET-200"
    cloud = apigw.get_integration_response(**method_params(where), statusCode="200")
    assert (cloud["selectionPattern"], cloud["responseTemplates"]) == ("2\\d{2}", {"application/json": "$input.body"})
    response = provisioner.update(response, {"selectionPattern": "200"})
    assert apigw.get_integration_response(**method_params(where), statusCode="200")["selectionPattern"] == "200"

    integration = provisioner.update(integration, {"uri": "https://example.com/b", "timeoutMilliseconds": 5000})
    cloud = apigw.get_integration(**method_params(where))
    assert (cloud["uri"], cloud["timeoutInMillis"]) == ("https://example.com/b", 5000)
    assert "200" in cloud["integrationResponses"]  # the responses survive the change
    assert integration.outputs["uri"] == "https://example.com/b"

    provisioner.assert_deleted(response)
    assert not (apigw.get_integration(**method_params(where)).get("integrationResponses") or {})
    provisioner.assert_deleted(integration)
    assert not apigw.get_integration(**method_params(where)).get("type")
    assert "not emulated" in failures(INTEGRATION, cacheKeyParameters=["method.request.path.id"])[
        "cacheKeyParameters"]


def method_params(where: dict[str, str]) -> dict[str, str]:
    return {"restApiId": where["restApi"], "resourceId": where["resourceId"], "httpMethod": where["httpMethod"]}


# ---- Deployment, Stage ---------------------------------------------------------------------


@pytest.fixture
def deployable(provisioner: Provisioner, rest_api: Made) -> Made:
    """A REST API with a method and its integration: what a deployment needs."""
    where = {"restApi": rest_api.id, "resourceId": rest_api.outputs["rootResourceId"], "httpMethod": "GET"}
    provisioner.create(METHOD, "get", {**where, "authorization": "NONE"})
    provisioner.create(INTEGRATION, "backend", {**where, "type": "HTTP_PROXY", "integrationHttpMethod": "GET",
                                                "uri": "https://example.com/"})
    return rest_api


def test_deployment_and_stage_lifecycle(provisioner: Provisioner, apigw: Any, deployable: Made) -> None:
    api_id = deployable.id
    first = provisioner.create(DEPLOYMENT, "v1", {"restApi": api_id, "description": "first",
                                                  "triggers": {"redeployment": "abc"}})
    cloud = {d["id"]: d for d in apigw.get_deployments(restApiId=api_id)["items"]}
    assert cloud[first.id]["description"] == "first" and first.outputs["createdDate"].endswith("Z")
    assert provisioner.plan(first, {}).changed == ()
    assert provisioner.plan(first, {"triggers": {"redeployment": "def"}}).replaces == ("triggers",)
    assert "UpdateDeployment" in refused_changes(first, {"description": "other"})["description"]

    stage = provisioner.create(STAGE, "dev", {"restApi": api_id, "deployment": first.id, "stageName": "dev",
                                              "variables": {"color": "blue"}, "tags": {"tier": "dev"}})
    assert stage.id == f"ags-{api_id}-dev"
    cloud = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert (cloud["deploymentId"], cloud["variables"]) == (first.id, {"color": "blue"})
    assert cloud["tags"]["tier"] == "dev" and cloud["tags"]["envctl:env"] == "test"
    assert stage.outputs["invokeUrl"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/dev"
    assert stage.outputs["executionArn"] == f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/dev"
    assert stage.outputs["arn"] == f"arn:aws:apigateway:us-east-1::/restapis/{api_id}/stages/dev"
    assert provisioner.read(stage)["variables"] == {"color": "blue"}
    assert provisioner.plan(stage, {}).changed == ()

    second = provisioner.create(DEPLOYMENT, "v2", {"restApi": api_id})
    logs = {"destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:access", "format": "$context.requestId"}
    stage = provisioner.update(stage, {"deployment": second.id, "description": "moved", "accessLogSettings": logs,
                                       "variables": {"size": "L"}, "tags": {"tier": "test"}})
    cloud = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert (cloud["deploymentId"], cloud["description"], cloud["variables"]) == (second.id, "moved", {"size": "L"})
    assert cloud["accessLogSettings"] == logs and cloud["tags"]["tier"] == "test"
    assert stage.outputs["accessLogSettings"] == logs
    assert provisioner.plan(stage, {"stageName": "prod"}).replaces == ("stageName",)

    provisioner.assert_deleted(stage)
    assert "dev" not in {s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]}
    provisioner.assert_deleted(first)
    assert first.id not in {d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]}


# ---- ApiKey, UsagePlan, UsagePlanKey -------------------------------------------------------


def test_api_key_lifecycle(provisioner: Provisioner, apigw: Any) -> None:
    key = provisioner.create(API_KEY, "partner", {"tags": {"who": "partner"}})
    cloud = apigw.get_api_key(apiKey=key.id, includeValue=True)
    assert cloud["name"].startswith("partner-") and cloud["enabled"] is True
    assert cloud["description"] == "Managed by Pulumi" and cloud["tags"]["who"] == "partner"
    assert key.outputs["value"] == cloud["value"] and len(cloud["value"]) >= 20
    assert key.outputs["arn"] == f"arn:aws:apigateway:us-east-1::/apikeys/{key.id}"
    assert provisioner.read(key)["value"] == cloud["value"]
    assert provisioner.plan(key, {}).changed == ()
    assert provider(API_KEY).schema().secret == frozenset({"value"})

    key = provisioner.update(key, {"enabled": False, "description": "paused", "customerId": "c-1"})
    cloud = apigw.get_api_key(apiKey=key.id)
    assert (cloud["enabled"], cloud["description"], cloud["customerId"]) == (False, "paused", "c-1")
    assert provisioner.plan(key, {"value": "v" * 30}).replaces == ("value",)
    assert "must be 20 to 128" in failures(API_KEY, value="short")["value"]
    provisioner.assert_deleted(key)


def test_usage_plan_and_its_keys(provisioner: Provisioner, apigw: Any, deployable: Made) -> None:
    deployment = provisioner.create(DEPLOYMENT, "v1", {"restApi": deployable.id})
    provisioner.create(STAGE, "prod", {"restApi": deployable.id, "deployment": deployment.id, "stageName": "prod"})
    plan = provisioner.create(USAGE_PLAN, "basic", {
        "description": "basic tier", "apiStages": [{"apiId": deployable.id, "stage": "prod"}],
        "quotaSettings": {"limit": 1000, "period": "MONTH"}, "throttleSettings": {"burstLimit": 5, "rateLimit": 10}})
    cloud = apigw.get_usage_plan(usagePlanId=plan.id)
    assert cloud["name"].startswith("basic-") and cloud["apiStages"] == [{"apiId": deployable.id, "stage": "prod"}]
    assert (cloud["quota"]["limit"], cloud["quota"]["period"], cloud["throttle"]["burstLimit"]) == (1000, "MONTH", 5)
    assert plan.outputs["arn"] == f"arn:aws:apigateway:us-east-1::/usageplans/{plan.id}"
    assert provisioner.plan(plan, {}).changed == ()

    plan = provisioner.update(plan, {"quotaSettings": {"limit": 50, "period": "DAY"}, "apiStages": None,
                                     "description": "smaller"})
    cloud = apigw.get_usage_plan(usagePlanId=plan.id)
    assert (int(cloud["quota"]["limit"]), cloud["quota"]["period"], cloud["description"]) == (50, "DAY", "smaller")
    assert not cloud["apiStages"]
    assert provisioner.plan(plan, {}).changed == ()
    fractional = refused_changes(plan, {"throttleSettings": {"burstLimit": 5, "rateLimit": 2.5}})
    assert "whole rate limits" in fractional["throttleSettings"]
    assert "not emulated" in failures(USAGE_PLAN, apiStages=[{
        "apiId": "a", "stage": "s", "throttles": [{"path": "/x/GET", "rateLimit": 1}]}])["apiStages"]

    key = provisioner.create(API_KEY, "client", {})
    member = provisioner.create(USAGE_PLAN_KEY, "member", {"keyId": key.id, "keyType": "API_KEY",
                                                           "usagePlanId": plan.id})
    assert member.id == key.id and member.outputs["value"] == key.outputs["value"]
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan.id)["items"]] == [key.id]
    assert provisioner.plan(member, {"keyType": "OTHER"}).replaces == ("keyType",)
    provisioner.assert_deleted(member)
    assert apigw.get_usage_plan_keys(usagePlanId=plan.id)["items"] == []
    provisioner.assert_deleted(plan)


# ---- Authorizer, RequestValidator, Response ------------------------------------------------

AUTH_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            "arn:aws:lambda:us-east-1:123456789012:function:auth/invocations")


def test_authorizer_lifecycle(provisioner: Provisioner, apigw: Any, rest_api: Made) -> None:
    authorizer = provisioner.create(AUTHORIZER, "tokens", {"restApi": rest_api.id, "authorizerUri": AUTH_URI,
                                                           "identityValidationExpression": "^Bearer .+$"})
    cloud = apigw.get_authorizer(restApiId=rest_api.id, authorizerId=authorizer.id)
    assert cloud["identityValidationExpression"] == "^Bearer .+$"
    assert cloud["name"].startswith("tokens-") and cloud["type"] == "TOKEN" and cloud["authorizerUri"] == AUTH_URI
    assert (cloud["identitySource"], cloud["authorizerResultTtlInSeconds"]) == (
        "method.request.header.Authorization", 300)
    assert authorizer.outputs["arn"] == (
        f"arn:aws:apigateway:us-east-1::/restapis/{rest_api.id}/authorizers/{authorizer.id}")
    assert provisioner.plan(authorizer, {}).changed == ()
    authorizer = provisioner.update(authorizer, {"type": "REQUEST", "identitySource": "method.request.header.X-Key",
                                                 "authorizerResultTtlInSeconds": 0})
    cloud = apigw.get_authorizer(restApiId=rest_api.id, authorizerId=authorizer.id)
    assert (cloud["type"], cloud["identitySource"], cloud["authorizerResultTtlInSeconds"]) == (
        "REQUEST", "method.request.header.X-Key", 0)
    assert "authorizerUri" in failures(AUTHORIZER, restApi="a")
    provisioner.assert_deleted(authorizer)
    assert apigw.get_authorizers(restApiId=rest_api.id)["items"] == []


def test_request_validator_and_gateway_response(provisioner: Provisioner, apigw: Any, rest_api: Made) -> None:
    validator = provisioner.create(REQUEST_VALIDATOR, "body", {"restApi": rest_api.id, "validateRequestBody": True})
    cloud = apigw.get_request_validator(restApiId=rest_api.id, requestValidatorId=validator.id)
    assert (cloud["validateRequestBody"], cloud["validateRequestParameters"]) == (True, False)
    assert provisioner.plan(validator, {}).changed == ()
    validator = provisioner.update(validator, {"validateRequestParameters": True})
    assert apigw.get_request_validator(restApiId=rest_api.id,
                                       requestValidatorId=validator.id)["validateRequestParameters"] is True
    provisioner.assert_deleted(validator)
    assert apigw.get_request_validators(restApiId=rest_api.id)["items"] == []

    response = provisioner.create(GATEWAY_RESPONSE, "denied", {
        "restApiId": rest_api.id, "responseType": "UNAUTHORIZED", "statusCode": "401",
        "responseTemplates": {"application/json": '{"message": $context.error.messageString}'}})
    assert response.id == f"aggr-{rest_api.id}-UNAUTHORIZED"
    cloud = apigw.get_gateway_response(restApiId=rest_api.id, responseType="UNAUTHORIZED")
    assert cloud["statusCode"] == "401" and "messageString" in cloud["responseTemplates"]["application/json"]
    assert provisioner.plan(response, {}).changed == ()
    response = provisioner.update(response, {"responseParameters": {
        "gatewayresponse.header.WWW-Authenticate": "'Bearer'"}})
    cloud = apigw.get_gateway_response(restApiId=rest_api.id, responseType="UNAUTHORIZED")
    assert cloud["responseParameters"] == {"gatewayresponse.header.WWW-Authenticate": "'Bearer'"}
    provisioner.assert_deleted(response)


# ---- Account, DomainName, BasePathMapping --------------------------------------------------


def test_account_sets_and_clears_the_cloudwatch_role(provisioner: Provisioner, apigw: Any,
                                                      aws_ctx: AwsContext) -> None:
    role = f"arn:aws:iam::123456789012:role/{unique('apigw-logs')}"
    account = provisioner.create(ACCOUNT, "settings", {"cloudwatchRoleArn": role})
    assert account.id == "api-gateway-account"
    assert apigw.get_account()["cloudwatchRoleArn"] == role
    assert account.outputs["throttleSettings"] == [{"burstLimit": 5000, "rateLimit": 10000.0}]
    assert provisioner.plan(account, {}).changed == ()
    other = role + "-2"
    account = provisioner.update(account, {"cloudwatchRoleArn": other})
    assert apigw.get_account()["cloudwatchRoleArn"] == other
    provider(ACCOUNT).delete(aws_ctx, account.id, account.outputs)
    assert not apigw.get_account().get("cloudwatchRoleArn")


def test_domain_name_and_base_path_mapping(provisioner: Provisioner, apigw: Any, deployable: Made) -> None:
    name = f"{unique('api')}.example.com"
    certificate = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    domain = provisioner.create(DOMAIN_NAME, "custom", {"domainName": name, "regionalCertificateArn": certificate,
                                                        "endpointConfiguration": {"types": "REGIONAL"}})
    cloud = apigw.get_domain_name(domainName=name)
    assert cloud["regionalCertificateArn"] == certificate and cloud["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert domain.id == name and domain.outputs["regionalDomainName"] == cloud["regionalDomainName"]
    assert domain.outputs["regionalZoneId"] == cloud["regionalHostedZoneId"]
    assert domain.outputs["arn"] == f"arn:aws:apigateway:us-east-1::/domainnames/{name}"
    assert provisioner.plan(domain, {}).changed == ()
    assert "UpdateDomainName" in refused_changes(domain, {"securityPolicy": "TLS_1_2"})["securityPolicy"]
    assert "not emulated" in failures(DOMAIN_NAME, domainName="x.example.com",
                                      endpointConfiguration={"types": "PRIVATE"})["endpointConfiguration"]

    first = provisioner.create(DEPLOYMENT, "v1", {"restApi": deployable.id})
    for stage in ("live", "next"):
        provisioner.create(STAGE, stage, {"restApi": deployable.id, "deployment": first.id, "stageName": stage})
    mapping = provisioner.create(BASE_PATH_MAPPING, "v1", {"domainName": name, "restApi": deployable.id,
                                                           "stageName": "live", "basePath": "v1"})
    assert mapping.id == f"{name}/v1"
    cloud = apigw.get_base_path_mapping(domainName=name, basePath="v1")
    assert (cloud["restApiId"], cloud["stage"]) == (deployable.id, "live")
    assert provisioner.plan(mapping, {}).changed == ()
    mapping = provisioner.update(mapping, {"stageName": "next"})
    assert apigw.get_base_path_mapping(domainName=name, basePath="v1")["stage"] == "next"
    assert provisioner.plan(mapping, {"basePath": "v2"}).replaces == ("basePath",)
    provisioner.assert_deleted(mapping)

    root = provisioner.create(BASE_PATH_MAPPING, "root", {"domainName": name, "restApi": deployable.id})
    assert root.id == f"{name}/" and root.outputs["basePath"] is None
    assert apigw.get_base_path_mappings(domainName=name)["items"][0]["basePath"] == "(none)"
    provisioner.assert_deleted(root)
    provisioner.assert_deleted(domain)


# ---- getRestApi, getResource ---------------------------------------------------------------


def test_lookups_find_a_rest_api_by_name_and_a_resource_by_path(provisioner: Provisioner, aws_ctx: AwsContext,
                                                                 rest_api: Made) -> None:
    name = rest_api.outputs["name"]
    found = invoke("aws:apigateway/getRestApi:getRestApi", aws_ctx, {"name": name})
    assert (found["id"], found["rootResourceId"], found["executionArn"]) == (
        rest_api.id, rest_api.outputs["rootResourceId"], rest_api.outputs["executionArn"])
    assert found["endpointConfigurations"][0]["types"] == ["EDGE"] and found["tags"]["envctl:env"] == "test"
    with pytest.raises(BadInput, match="no REST API"):
        invoke("aws:apigateway/getRestApi:getRestApi", aws_ctx, {"name": unique("absent")})

    items = provisioner.create(RESOURCE, "items", {"restApi": rest_api.id, "parentId": rest_api.outputs[
        "rootResourceId"], "pathPart": "items"})
    resource = invoke("aws:apigateway/getResource:getResource", aws_ctx, {"restApiId": rest_api.id,
                                                                          "path": "/items"})
    assert (resource["id"], resource["parentId"], resource["pathPart"]) == (
        items.id, rest_api.outputs["rootResourceId"], "items")
    with pytest.raises(BadInput, match="no resource with path"):
        invoke("aws:apigateway/getResource:getResource", aws_ctx, {"restApiId": rest_api.id, "path": "/nope"})


def test_model_lifecycle(provisioner: Provisioner, apigw: Any, rest_api: Made) -> None:
    schema = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
              "properties": {"name": {"type": "string"}}}
    model = provisioner.create(MODEL, "pet", {"restApi": rest_api.id, "contentType": "application/json",
                                              "schema": json.dumps(schema), "description": "a pet"})
    assert model.inputs["name"].startswith("pet-")
    cloud = apigw.get_model(restApiId=rest_api.id, modelName=model.inputs["name"])
    assert (cloud["id"], cloud["contentType"], json.loads(cloud["schema"])) == (model.id, "application/json", schema)
    assert provisioner.plan(model, {"schema": json.dumps(schema, indent=2)}).changed == ()  # the same document
    assert provisioner.plan(model, {"contentType": "text/plain"}).replaces == ("contentType",)
    assert "UpdateModel" in refused_changes(model, {"description": "another"})["description"]
    provisioner.assert_deleted(model)
    assert model.id not in [m["id"] for m in apigw.get_models(restApiId=rest_api.id)["items"]]
