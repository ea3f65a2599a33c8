"""API Gateway REST APIs (v1) and their parts, against the session's moto server."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from envctl.providers.aws.context import AwsContext

from provider_steps import Made, Provisioner, failures, provider, unique

REST_API = "aws:apigateway/restApi:RestApi"
REST_API_POLICY = "aws:apigateway/restApiPolicy:RestApiPolicy"

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


def test_rest_api_lifecycle(provisioner: Provisioner, apigw: Any, aws_ctx: AwsContext) -> None:
    api = provisioner.create(REST_API, "shop", {"description": "the shop", "tags": {"team": "web"},
                                                "endpointConfiguration": {"types": ["REGIONAL"]}})
    cloud = apigw.get_rest_api(restApiId=api.id)
    assert cloud["name"].startswith("shop-") and len(cloud["name"]) == len("shop-") + 7
    assert (cloud["description"], cloud["endpointConfiguration"]["types"]) == ("the shop", ["REGIONAL"])
    assert cloud["tags"]["team"] == "web" and cloud["tags"]["envctl:env"] == "test"
    root = paths_of(apigw, api.id)["/"]["id"]
    assert api.outputs["rootResourceId"] == root
    assert api.outputs["arn"] == f"arn:aws:apigateway:us-east-1::/restapis/{api.id}"
    assert api.outputs["executionArn"] == f"arn:aws:execute-api:us-east-1:123456789012:{api.id}"
    assert api.outputs["createdDate"].endswith("Z") and api.outputs["tags"] == {"team": "web"}
    assert provisioner.read(api)["name"] == cloud["name"]
    assert provisioner.plan(api, {}).changed == ()

    api = provisioner.update(api, {"description": "renewed", "apiKeySource": "AUTHORIZER",
                                   "binaryMediaTypes": ["image/png"], "policy": INVOKE_POLICY})
    cloud = apigw.get_rest_api(restApiId=api.id)
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
