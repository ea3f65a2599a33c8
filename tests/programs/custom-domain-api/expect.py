"""custom-domain-api: mock methods with a validated POST and a gateway response, two stages, and the live one
mapped under a custom domain; switching the live stage moves the mapping in place."""

from __future__ import annotations

import json

from program_cases import ACCOUNT, Cloud, Edit, Outputs, ProgramCase, set_config, statements

BASE_PATH_MAPPING = "aws:apigateway/basePathMapping:BasePathMapping"
DOMAIN = "status.example.com"


def verify(cloud: Cloud, out: Outputs) -> None:
    apigw, api_id = cloud.client("apigateway"), out["api_id"]
    [grant] = statements(apigw.get_rest_api(restApiId=api_id)["policy"].replace('\\"', '"'))
    assert grant["Resource"] == f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}/*"
    where = {"restApiId": api_id, "resourceId": out["status_resource_id"]}
    get = apigw.get_method(**where, httpMethod="GET")
    assert get["methodIntegration"]["type"] == "MOCK"
    assert get["methodResponses"]["200"]["responseModels"] == {"application/json": "Empty"}
    ok = apigw.get_integration_response(**where, httpMethod="GET", statusCode="200")
    assert json.loads(ok["responseTemplates"]["application/json"]) == {"status": "ok"}
    post = apigw.get_method(**where, httpMethod="POST")
    assert post["requestModels"] == {"application/json": "StatusReport"}
    assert post["requestValidatorId"] == out["validator_id"]
    model = apigw.get_model(restApiId=api_id, modelName="StatusReport")
    assert json.loads(model["schema"])["required"] == ["component", "healthy"]
    assert apigw.get_request_validator(restApiId=api_id, requestValidatorId=out["validator_id"])[
        "validateRequestBody"] is True
    assert apigw.get_gateway_response(restApiId=api_id, responseType="BAD_REQUEST_BODY")["statusCode"] == "400"
    stages = {s["stageName"]: s for s in apigw.get_stages(restApiId=api_id)["item"]}
    assert {name: s["variables"] for name, s in stages.items()} == {"blue": {"color": "blue"},
                                                                    "green": {"color": "green"}}
    custom = apigw.get_domain_name(domainName=DOMAIN)
    assert custom["endpointConfiguration"]["types"] == ["REGIONAL"] and out["domain"] == DOMAIN
    assert (out["regional_domain_name"], out["regional_zone_id"]) == (
        custom["regionalDomainName"], custom["regionalHostedZoneId"])
    mapping = apigw.get_base_path_mapping(domainName=DOMAIN, basePath="status")
    assert (mapping["restApiId"], mapping["stage"]) == (api_id, "blue")


def verify_green_live(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    mapping = cloud.client("apigateway").get_base_path_mapping(domainName=DOMAIN, basePath="status")
    assert (mapping["restApiId"], mapping["stage"]) == (after["api_id"], "green")


CASE = ProgramCase("custom-domain-api", verify,
                   Edit(set_config("test", liveStage="green"), (("update", BASE_PATH_MAPPING),), verify_green_live))
